//! The plain provider's asynchronous mode, as a small service writes it: answer 202, then
//! on a thread of its own exchange the grant at Heroku's token endpoint, PATCH the config
//! and POST `actions/provision`, each over a fresh `TcpStream` with a hand-written HTTP/1.1
//! request. The flaws leave out the client secret or the versioned Accept header.

use super::{Answer, PlainBehaviour, PlainOptions, Shared, config_var};
use serde_json::{Value, json};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::PoisonError;
use std::sync::atomic::Ordering;
use std::time::Duration;

/// The media type Heroku's Platform API wants.
const PLATFORM_ACCEPT: &str = "application/vnd.heroku+json; version=3";

/// What one provision asked the service to finish.
struct Pending {
    id: String,
    callback_url: String,
    code: String,
}

/// `POST /heroku/resources` in async mode: idempotent on the uuid, and only a new resource
/// is finished (a repeat while provisioning must not exchange the grant twice).
pub(super) fn provision(shared: &Shared, body: &[u8]) -> Answer {
    let body: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let Some(uuid) = body["uuid"].as_str().filter(|uuid| !uuid.is_empty()).map(str::to_string) else {
        return Answer::json("422 Unprocessable Entity", &json!({"message": "uuid is required"}));
    };
    let (id, created) = {
        let mut resources = shared.resources.lock().unwrap_or_else(PoisonError::into_inner);
        match resources.get(&uuid) {
            Some(ids) => (ids[0].clone(), false),
            None => {
                let id = format!("plain-{}", shared.next_id.fetch_add(1, Ordering::SeqCst));
                resources.insert(uuid, vec![id.clone()]);
                (id, true)
            }
        }
    };
    let callback_url = body["callback_url"].as_str().unwrap_or_default().trim_end_matches('/').to_string();
    let code = body["oauth_grant"]["code"].as_str().unwrap_or_default().to_string();
    if created && !callback_url.is_empty() && !code.is_empty() {
        let (options, origin) = (shared.options.clone(), shared.origin.clone());
        let pending = Pending { id: id.clone(), callback_url, code };
        std::thread::spawn(move || {
            if let Err(problem) = finish(&options, &origin, &pending) {
                eprintln!("plain-provider: asynchronous provisioning of {} failed: {problem}", pending.id);
            }
        });
    }
    Answer::json("202 Accepted", &json!({"id": id, "message": "provisioning has started"}))
}

/// The token exchange, the config PATCH and `actions/provision`.
fn finish(options: &PlainOptions, origin: &str, pending: &Pending) -> Result<(), String> {
    let token_url = match &options.token_url {
        Some(url) => url.clone(),
        None => format!("{}/oauth/token", origin_of(&pending.callback_url)?),
    };
    let mut form = vec![("grant_type", "authorization_code"), ("code", pending.code.as_str())];
    if options.behaviour != PlainBehaviour::AsyncWithoutClientSecret {
        form.push(("client_secret", options.client_secret.as_str()));
    }
    let form = kensa_testkit::form_encode(&form);
    let headers = [("Content-Type", "application/x-www-form-urlencoded".to_string())];
    let answer = call("POST", &token_url, &headers, form.as_bytes())?;
    let token = answer["access_token"].as_str().ok_or("the token endpoint's answer has no access_token")?;

    let mut headers =
        vec![("Content-Type", "application/json".to_string()), ("Authorization", format!("Bearer {token}"))];
    if options.behaviour != PlainBehaviour::AsyncWithoutAccept {
        headers.push(("Accept", PLATFORM_ACCEPT.to_string()));
    }
    let url = format!("{origin}/resources/{}", pending.id);
    let config = json!({"config": [{"name": config_var(&options.id), "value": url}]});
    call("PATCH", &format!("{}/config", pending.callback_url), &headers, config.to_string().as_bytes())?;
    call("POST", &format!("{}/actions/provision", pending.callback_url), &headers, b"{}")?;
    Ok(())
}

/// `http://host:port` of an `http://` URL.
fn origin_of(url: &str) -> Result<String, String> {
    let rest = url.strip_prefix("http://").ok_or_else(|| format!("{url} is not an http:// URL"))?;
    let authority = rest.split('/').next().unwrap_or_default();
    Ok(format!("http://{authority}"))
}

/// One request on a fresh connection (`Connection: close`); the JSON answer of a 2xx.
fn call(method: &str, url: &str, headers: &[(&str, String)], body: &[u8]) -> Result<Value, String> {
    let rest = url.strip_prefix("http://").ok_or_else(|| format!("{url} is not an http:// URL"))?;
    let (authority, path) = rest.split_once('/').map_or((rest, "/".to_string()), |(a, p)| (a, format!("/{p}")));
    let mut stream = TcpStream::connect(authority).map_err(|error| format!("{method} {url}: {error}"))?;
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(body)).map_err(|error| error.to_string())?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).map_err(|error| format!("{method} {path}: {error}"))?;
    let text = String::from_utf8_lossy(&answer);
    let status = text.split(' ').nth(1).and_then(|code| code.parse::<u16>().ok()).unwrap_or(0);
    if !(200..300).contains(&status) {
        return Err(format!("{method} {path} answered {status}"));
    }
    let body = text.split_once("\r\n\r\n").map_or("", |(_, body)| body);
    Ok(serde_json::from_str(body).unwrap_or(Value::Null))
}
