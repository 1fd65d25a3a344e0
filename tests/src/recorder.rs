//! A recording provider: a minimal correct v3 provider on a plain socket that keeps every
//! request, so a test sees exactly what kensa put on the wire.

use std::io::{BufRead, BufReader, Read};
use std::net::TcpStream;
use std::time::Duration;

use serde_json::{Value, json};

use crate::ProviderOptions;
use crate::hostile::{HostileServer, Reply};

/// One request as it arrived on the wire.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    /// Header names lower-cased, in arrival order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)).map(|(_, value)| value.as_str())
    }

    /// The body as JSON, or `null`.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

/// A minimal correct v3 provider written from scratch on a plain socket, independent of the
/// reference provider: it keeps every request it receives, so a test can see exactly what
/// kensa sent. Provision answers `id` = `res-<uuid>` (so a repeated uuid gets the same id),
/// bad credentials get 401, DELETE 204, PUT 200 `{}`. One request per connection: a
/// [`HostileServer`] with a correct handler.
pub struct Recorder(HostileServer);

impl Recorder {
    /// Starts on a free loopback port; Basic credentials `myaddon:secret` as in
    /// [`ProviderOptions::default`].
    pub fn start() -> Recorder {
        let defaults = ProviderOptions::default();
        let expected = kensa_provider::basic_auth_header(&defaults.id, &defaults.password);
        Recorder(HostileServer::start(move |request| answer(request, &expected)))
    }

    pub fn origin(&self) -> &str {
        self.0.origin()
    }

    /// A v3 manifest pointing here (the reference provider's defaults).
    pub fn manifest(&self) -> Value {
        ProviderOptions::default().manifest(self.origin())
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.0.requests()
    }
}

/// Reads one HTTP/1.1 request (header names lower-cased, body by Content-Length, at most
/// 1 MiB) from a connection, waiting at most 5 s for it.
pub(crate) fn read_recorded(stream: &TcpStream) -> Option<Recorded> {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut words = line.split_whitespace();
    let method = words.next()?.to_string();
    let path = words.next()?.to_string();
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':')?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
    }
    let length = headers
        .iter()
        .find(|(name, _)| name == "content-length")
        .and_then(|(_, value)| value.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0; length.min(1 << 20)];
    reader.read_exact(&mut body).ok()?;
    Some(Recorded { method, path, headers, body })
}

fn answer(request: &Recorded, expected_auth: &str) -> Reply {
    if request.header("authorization") != Some(expected_auth) {
        return Reply::json(401, &json!({"message": "invalid credentials"}));
    }
    match request.method.as_str() {
        "POST" => {
            // kensa addresses the recorder by its origin, so `Host` names it.
            let origin = format!("http://{}", request.header("host").unwrap_or_default());
            let uuid = request.json()["uuid"].as_str().unwrap_or("none").to_string();
            let reply = json!({
                "id": format!("res-{uuid}"),
                "config": {"MYADDON_URL": format!("{origin}/resources/{uuid}")},
            });
            Reply::json(200, &reply)
        }
        "PUT" => Reply::json(200, &json!({})),
        "DELETE" => Reply::new(204),
        _ => Reply::json(404, &json!({"message": "no such endpoint"})),
    }
}
