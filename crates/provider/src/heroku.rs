//! Asynchronous provisioning (protocol.md §5): after answering 202, a task finishes the
//! provision through Heroku's API.
//!
//! * v3 with an `oauth_grant`: `POST <heroku_id_url>/oauth/token` (form-encoded
//!   `grant_type=authorization_code&code=…&client_secret=…`), then
//!   `PATCH <callback_url>/config` with `{"config": [{"name", "value"}]}` and
//!   `POST <callback_url>/actions/provision` with `{}`, both with the Bearer token.
//! * v1, or v3 with `oauth_grant: null`: the legacy completion, `PUT <callback_url>` with
//!   `{"id", "config"}`.
//!
//! The client speaks plain HTTP/1.1 only (no TLS): it is meant for kensa's local stand-in.
//! An `https` URL fails with a log line saying so. Failures are logged without secrets
//! (no codes, tokens, client secret, bodies or query strings) and leave the resource
//! `provisioning`.

use std::error::Error;
use std::sync::Arc;
use std::time::Duration;

use axum::http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderName};
use axum::http::{Method, Request, Uri};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::{Value, json};

use crate::auth::basic_auth_header;
use crate::fault::Fault;
use crate::sabotage;
use crate::state::App;
use crate::store::Found;

/// Longest wait for a TCP connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Longest wait for one whole call (connect, send, read the answer).
const CALL_TIMEOUT: Duration = Duration::from_secs(10);
/// Answers larger than this are not read.
const MAX_ANSWER_BYTES: usize = 1024 * 1024;
/// The Platform API's media type.
pub(crate) const PLATFORM_ACCEPT: &str = "application/vnd.heroku+json; version=3";
/// What the async-wrong-token fault sends instead of the token it was issued.
pub(crate) const WRONG_TOKEN: &str = "wrong-token";

/// How a provision is finished.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Finish {
    /// v3 with an `oauth_grant`: exchange `code`, PATCH config, POST `actions/provision`.
    Platform { code: String },
    /// v1, or v3 without a grant: PUT `{id, config}` to the callback URL.
    Legacy,
}

/// One provision to finish.
pub(crate) struct Completion {
    /// The provider's id of the resource.
    pub(crate) id: String,
    /// `callback_url` from the provision body.
    pub(crate) callback_url: Option<String>,
    pub(crate) finish: Finish,
    /// Send the add-on's Basic credentials with the legacy PUT (as the App Info API
    /// wanted). Only when the provision itself carried them, so that a bent auth check
    /// never hands the password to whoever asked.
    pub(crate) basic: bool,
}

/// Waits `async_delay` and finishes the provision (which marks the resource provisioned).
pub(crate) async fn complete(app: Arc<App>, completion: Completion) {
    tokio::time::sleep(app.options.async_delay).await;
    let verbose = app.options.log_requests;
    let id = &completion.id;
    match finish(&app, &completion).await {
        Ok(true) if verbose => eprintln!("kensa-provider: {id} is provisioned (asynchronously)"),
        Ok(true) => {}
        // Not a failure: kensa deprovisions its extra resources at once, for one.
        Ok(false) if verbose => {
            eprintln!("kensa-provider: {id} was deprovisioned before its provisioning finished; no callback sent")
        }
        Ok(false) => {}
        Err(problem) => {
            eprintln!("kensa-provider: asynchronous provisioning of {id} failed: {problem}; it stays provisioning")
        }
    }
}

/// Sends `ready`, the call that tells Heroku the resource is ready, with the resource
/// already marked provisioned: Heroku may act on it before it even answers (a repeated
/// provision, kensa's stand-in waking the checks), so a provision arriving meanwhile must
/// find it provisioned. It goes back to provisioning when the call fails.
async fn announce_ready(
    app: &App,
    id: &str,
    ready: impl std::future::Future<Output = Result<Bytes, String>>,
) -> Result<bool, String> {
    app.store.mark_provisioned(id).map_err(|e| format!("cannot mark {id} provisioned: {e}"))?;
    match ready.await {
        Ok(_) => Ok(true),
        Err(problem) => {
            if let Err(e) = app.store.mark_provisioning(id) {
                eprintln!("kensa-provider: cannot mark {id} provisioning again: {e}");
            }
            Err(problem)
        }
    }
}

/// `Ok(false)` when the resource is gone before anything was sent.
async fn finish(app: &App, completion: &Completion) -> Result<bool, String> {
    match app.store.find(&completion.id, false) {
        Ok(Found::Live(_)) => {}
        Ok(Found::Gone(_) | Found::Missing) => return Ok(false),
        Err(e) => return Err(e.to_string()),
    }
    let callback = completion
        .callback_url
        .as_deref()
        .map(|url| url.trim().trim_end_matches('/'))
        .filter(|url| !url.is_empty())
        .ok_or("the provision request had no callback_url")?;
    let http = Http::new();
    let config = sabotage::callback_config(app, &completion.id);
    let code = match &completion.finish {
        Finish::Platform { code } if !app.has(Fault::AsyncLegacyCallback) => code,
        _ => {
            let mut headers =
                vec![(CONTENT_TYPE, "application/json".to_owned()), (ACCEPT, "application/json".to_owned())];
            if completion.basic {
                headers.push((AUTHORIZATION, basic_auth_header(&app.options.id, &app.options.password)));
            }
            let body = json!({ "id": completion.id, "config": config });
            return announce_ready(
                app,
                &completion.id,
                http.call(Method::PUT, callback, "callback_url", &headers, body),
            )
            .await;
        }
    };
    let bearer = if app.has(Fault::AsyncSkipOauth) {
        None
    } else {
        let token = exchange(&http, app, code).await?;
        Some(if app.has(Fault::AsyncWrongToken) { WRONG_TOKEN.to_owned() } else { token })
    };
    let mut headers = vec![(CONTENT_TYPE, "application/json".to_owned())];
    if let Some(accept) = sabotage::platform_accept(app, PLATFORM_ACCEPT) {
        headers.push((ACCEPT, accept.to_owned()));
    }
    if let Some(token) = bearer {
        headers.push((AUTHORIZATION, format!("Bearer {token}")));
    }
    let patch = json!({ "config": as_pairs(config) });
    http.call(Method::PATCH, &format!("{callback}/config"), "callback_url", &headers, patch).await?;
    let provision_url = format!("{callback}/actions/provision");
    let ready = http.call(Method::POST, &provision_url, "callback_url", &headers, json!({}));
    announce_ready(app, &completion.id, ready).await
}

/// Exchanges the grant's code for an access token.
async fn exchange(http: &Http, app: &App, code: &str) -> Result<String, String> {
    let url = format!("{}/oauth/token", app.options.heroku_id_url);
    let form = {
        let mut form = form_urlencoded::Serializer::new(String::new());
        form.append_pair("grant_type", "authorization_code").append_pair("code", code);
        if let Some(secret) = sabotage::client_secret(app) {
            form.append_pair("client_secret", secret);
        }
        form.finish()
    };
    let headers =
        [(CONTENT_TYPE, "application/x-www-form-urlencoded".to_owned()), (ACCEPT, "application/json".to_owned())];
    let answer =
        http.send(Method::POST, &url, "the token endpoint (--heroku-id-url)", &headers, form.into_bytes()).await?;
    let value: Value =
        serde_json::from_slice(&answer).map_err(|_| "the token endpoint's answer is not JSON".to_owned())?;
    value
        .get("access_token")
        .and_then(Value::as_str)
        .filter(|token| !token.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| "the token endpoint's answer has no access_token".to_owned())
}

/// `{"NAME": value, …}` as the Platform API's `[{"name", "value"}, …]`. Already a list
/// (the config-not-object fault) stays as it is.
fn as_pairs(config: Value) -> Value {
    match config {
        Value::Object(map) => {
            Value::Array(map.into_iter().map(|(name, value)| json!({ "name": name, "value": value })).collect())
        }
        other => other,
    }
}

/// A plain-HTTP/1.1 client with timeouts and a fresh connection per call.
struct Http(Client<HttpConnector, Full<Bytes>>);

impl Http {
    fn new() -> Http {
        let mut connector = HttpConnector::new();
        connector.set_connect_timeout(Some(CONNECT_TIMEOUT));
        connector.set_nodelay(true);
        Http(Client::builder(TokioExecutor::new()).pool_max_idle_per_host(0).build(connector))
    }

    /// Sends a JSON body.
    async fn call(
        &self,
        method: Method,
        url: &str,
        what: &str,
        headers: &[(HeaderName, String)],
        body: Value,
    ) -> Result<Bytes, String> {
        self.send(method, url, what, headers, body.to_string().into_bytes()).await
    }

    /// Sends one request; anything but a 2xx answer is an error. `what` names where the
    /// URL came from, for the error message.
    async fn send(
        &self,
        method: Method,
        url: &str,
        what: &str,
        headers: &[(HeaderName, String)],
        body: Vec<u8>,
    ) -> Result<Bytes, String> {
        let uri = parse_url(url, what)?;
        let label = format!("{method} {}", describe(&uri));
        let mut request = Request::builder().method(method).uri(uri);
        for (name, value) in headers {
            request = request.header(name, value.as_str());
        }
        let request =
            request.body(Full::new(Bytes::from(body))).map_err(|_| format!("{label}: a header value is not valid"))?;
        let call = async {
            let response = self.0.request(request).await.map_err(|e| format!("{label} failed: {}", chain(&e)))?;
            let status = response.status();
            let body = Limited::new(response.into_body(), MAX_ANSWER_BYTES)
                .collect()
                .await
                .map_err(|e| format!("{label}: reading the answer failed: {e}"))?
                .to_bytes();
            Ok::<_, String>((status, body))
        };
        let (status, body) = tokio::time::timeout(CALL_TIMEOUT, call)
            .await
            .map_err(|_| format!("{label}: no answer within {} s", CALL_TIMEOUT.as_secs()))??;
        if !status.is_success() {
            return Err(format!("{label} answered {}", status.as_u16()));
        }
        Ok(body)
    }
}

/// Parses a URL the client can call: `http://host[:port]/path`.
fn parse_url(url: &str, what: &str) -> Result<Uri, String> {
    let uri: Uri = url.parse().map_err(|_| format!("{what} is not a valid URL"))?;
    if uri.host().is_none_or(str::is_empty) {
        return Err(format!("{what} has no host"));
    }
    match uri.scheme_str().map(str::to_ascii_lowercase).as_deref() {
        Some("http") => Ok(uri),
        Some("https") => Err(format!(
            "{what} {} is https, which kensa-provider cannot call: its built-in client speaks \
             plain HTTP/1.1 only. Point it at an http:// stand-in for Heroku, such as the one \
             `kensa test provision --async` starts",
            describe(&uri)
        )),
        _ => Err(format!("{what} is not an http:// URL")),
    }
}

/// `scheme://host[:port]/path`: no user info, no query.
fn describe(uri: &Uri) -> String {
    let scheme = uri.scheme_str().unwrap_or("http");
    let host = uri.host().unwrap_or("");
    match uri.port_u16() {
        Some(port) => format!("{scheme}://{host}:{port}{}", uri.path()),
        None => format!("{scheme}://{host}{}", uri.path()),
    }
}

/// An error and its sources, joined with `: `.
fn chain(error: &dyn Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.ends_with(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_checked_and_described_without_secrets() {
        let uri = parse_url("http://user:pw@127.0.0.1:9/addons/u?code=x", "callback_url").unwrap();
        assert_eq!(describe(&uri), "http://127.0.0.1:9/addons/u");
        let https = parse_url("https://id.heroku.com/oauth/token", "the token endpoint").unwrap_err();
        assert!(https.contains("https://id.heroku.com/oauth/token is https"), "{https}");
        assert!(https.contains("plain HTTP/1.1 only"), "{https}");
        assert_eq!(parse_url("ftp://x/y", "callback_url").unwrap_err(), "callback_url is not an http:// URL");
        assert_eq!(parse_url("not a url", "callback_url").unwrap_err(), "callback_url is not a valid URL");
        assert_eq!(parse_url("/addons/u", "callback_url").unwrap_err(), "callback_url has no host");
    }

    #[test]
    fn config_becomes_name_value_pairs() {
        let pairs = as_pairs(json!({"A_URL": "http://x", "A_TOKEN": "t"}));
        assert_eq!(pairs, json!([{"name": "A_URL", "value": "http://x"}, {"name": "A_TOKEN", "value": "t"}]));
        let already = json!([{"name": "A", "value": "b"}]);
        assert_eq!(as_pairs(already.clone()), already);
    }
}
