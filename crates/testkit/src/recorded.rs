//! One request as it arrived on the wire, and the reader that takes it off a socket.

use std::io::{BufRead, BufReader, Read};
use std::net::TcpStream;
use std::time::Duration;

use serde_json::Value;

/// One request as it arrived on the wire.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: String,
    /// The request target as sent, query string included.
    pub path: String,
    /// Header names lower-cased, in arrival order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Recorded {
    /// The first header called `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        crate::header(&self.headers, name)
    }

    /// The body as JSON, or `null`: what kensa sent may be anything.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    /// The body as text (lossy UTF-8).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The fields of an `application/x-www-form-urlencoded` body, decoded.
    pub fn form(&self) -> Vec<(String, String)> {
        crate::form_fields(&self.text())
    }

    /// The first form field called `name`.
    pub fn form_field(&self, name: &str) -> Option<String> {
        self.form().into_iter().find(|(key, _)| key == name).map(|(_, value)| value)
    }

    /// `METHOD /path`, for assertions on the order of requests.
    pub fn line(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

/// Reads one HTTP/1.1 request (header names lower-cased, body by Content-Length, at most
/// 1 MiB) from a connection, waiting at most 5 s for it. `None` when the peer sends no
/// request, or something that is not one.
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
