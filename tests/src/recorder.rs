//! A recording provider: a minimal correct v3 provider on a plain socket that keeps every
//! request, so a test sees exactly what kensa put on the wire.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use serde_json::{Value, json};

use crate::ProviderOptions;

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
/// bad credentials get 401, DELETE 204, PUT 200 `{}`. One request per connection.
pub struct Recorder {
    origin: String,
    requests: Arc<Mutex<Vec<Recorded>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Recorder {
    /// Starts on a free loopback port; Basic credentials `myaddon:secret` as in
    /// [`ProviderOptions::default`].
    pub fn start() -> Recorder {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("cannot bind a loopback port");
        let origin = format!("http://{}", listener.local_addr().expect("a bound listener has an address"));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let defaults = ProviderOptions::default();
        let expected = kensa_provider::basic_auth_header(&defaults.id, &defaults.password);
        let thread = {
            let requests = Arc::clone(&requests);
            let stop = Arc::clone(&stop);
            let origin = origin.clone();
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    if let Some(request) = answer(stream, &expected, &origin) {
                        requests.lock().unwrap_or_else(PoisonError::into_inner).push(request);
                    }
                }
            })
        };
        Recorder { origin, requests, stop, thread: Some(thread) }
    }

    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// A v3 manifest pointing here (the reference provider's defaults).
    pub fn manifest(&self) -> Value {
        ProviderOptions::default().manifest(&self.origin)
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop.
        let _ = TcpStream::connect(self.origin.trim_start_matches("http://"));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
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

fn answer(stream: TcpStream, expected_auth: &str, origin: &str) -> Option<Recorded> {
    let request = read_recorded(&stream)?;

    let authorized = request.header("authorization") == Some(expected_auth);
    let (status, reply) = match request.method.as_str() {
        _ if !authorized => ("401 Unauthorized", Some(json!({"message": "invalid credentials"}))),
        "POST" => {
            let uuid = request.json()["uuid"].as_str().unwrap_or("none").to_string();
            let reply = json!({
                "id": format!("res-{uuid}"),
                "config": {"MYADDON_URL": format!("{origin}/resources/{uuid}")},
            });
            ("200 OK", Some(reply))
        }
        "PUT" => ("200 OK", Some(json!({}))),
        "DELETE" => ("204 No Content", None),
        _ => ("404 Not Found", Some(json!({"message": "no such endpoint"}))),
    };
    let body = reply.map(|reply| reply.to_string()).unwrap_or_default();
    let mut stream = stream;
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body.as_bytes());
    let _ = stream.flush();
    Some(request)
}
