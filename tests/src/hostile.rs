//! Hostile servers for issue 10: a plain-socket HTTP server whose every answer a test
//! scripts (raw bytes allowed), and a provisioning API that answers with terminal control
//! sequences and echoes the credentials kensa sent.

pub use crate::forms::form_fields;
use crate::recorder::{Recorded, read_recorded};
use serde_json::{Value, json};
use std::io::Write;
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{SystemTime, UNIX_EPOCH};

/// An answer a [`HostileServer`] sends, byte for byte.
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, Vec<u8>)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn new(status: u16) -> Reply {
        Reply { status, headers: Vec::new(), body: Vec::new() }
    }

    pub fn json(status: u16, value: &Value) -> Reply {
        Reply { body: value.to_string().into_bytes(), ..Reply::new(status) }.header("Content-Type", "application/json")
    }

    pub fn html(status: u16, page: &str) -> Reply {
        Reply { body: page.as_bytes().to_vec(), ..Reply::new(status) }.header("Content-Type", "text/html")
    }

    pub fn redirect(status: u16, location: &str) -> Reply {
        Reply::new(status).header("Location", location)
    }

    pub fn header(mut self, name: &str, value: impl AsRef<[u8]>) -> Reply {
        self.headers.push((name.to_string(), value.as_ref().to_vec()));
        self
    }
}

type Handler = dyn Fn(&Recorded) -> Reply + Send + Sync;

/// A server on a free loopback port that answers each request (one per connection) with
/// what its handler returns, and keeps every request it received.
pub struct HostileServer {
    origin: String,
    address: String,
    requests: Arc<Mutex<Vec<Recorded>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl HostileServer {
    /// Listens on 127.0.0.1 and calls itself `http://127.0.0.1:<port>`.
    pub fn start(handler: impl Fn(&Recorded) -> Reply + Send + Sync + 'static) -> HostileServer {
        HostileServer::start_as("127.0.0.1", handler)
    }

    /// Listens on 127.0.0.1 but calls itself `http://<host>:<port>`, e.g. `localhost`: another
    /// host to a cookie jar, the same machine to the network.
    pub fn start_as(host: &str, handler: impl Fn(&Recorded) -> Reply + Send + Sync + 'static) -> HostileServer {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("cannot bind a loopback port");
        let address = listener.local_addr().expect("a bound listener has an address").to_string();
        let port = address.rsplit(':').next().unwrap_or_default();
        let origin = format!("http://{host}:{port}");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let handler: Arc<Handler> = Arc::new(handler);
        let thread = {
            let (requests, stop) = (Arc::clone(&requests), Arc::clone(&stop));
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    if let Some(request) = serve(stream, handler.as_ref()) {
                        requests.lock().unwrap_or_else(PoisonError::into_inner).push(request);
                    }
                }
            })
        };
        HostileServer { origin, address, requests, stop, thread: Some(thread) }
    }

    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
}

impl Drop for HostileServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop.
        let _ = TcpStream::connect(&self.address);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn serve(stream: TcpStream, handler: &Handler) -> Option<Recorded> {
    let request = read_recorded(&stream)?;

    let reply = handler(&request);
    let mut head = format!("HTTP/1.1 {} Hostile\r\n", reply.status).into_bytes();
    for (name, value) in &reply.headers {
        head.extend_from_slice(format!("{name}: ").as_bytes());
        head.extend_from_slice(value);
        head.extend_from_slice(b"\r\n");
    }
    head.extend_from_slice(format!("Content-Length: {}\r\nConnection: close\r\n\r\n", reply.body.len()).as_bytes());
    let mut stream = stream;
    let _ = stream.write_all(&head);
    let _ = stream.write_all(&reply.body);
    let _ = stream.flush();
    Some(request)
}

/// Whether a sign-in form is one a correct provider accepts: a real token (kensa's bad-token
/// probe sends `invalid`) and a timestamp within Heroku's 5 minutes.
pub fn sso_form_is_fresh(fields: &[(String, String)]) -> bool {
    let field = |name: &str| fields.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str());
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |elapsed| elapsed.as_secs());
    let now = i64::try_from(now).unwrap_or(i64::MAX);
    let fresh = field("timestamp").and_then(|ts| ts.parse::<i64>().ok()).is_some_and(|ts| (ts - now).abs() <= 300);
    fresh && field("token").is_some_and(|token| !token.is_empty() && token != "invalid")
}

/// A page with the Heroku layout the SSO checks look for.
pub const DASHBOARD: &str = "<html><body><div id=\"heroku-header\"></div><p>signed in</p></body></html>";

// ---------------------------------------------------------------------------------------
// A provisioning API that attacks the terminal and echoes credentials

/// Screen clear, window title, a carriage return and newline faking passing checks, NUL,
/// DEL and the C1 CSI: what a hostile provider puts in every text it answers with.
pub const HOSTILE_TEXT: &str =
    "\u{1b}[2J\u{1b}]0;owned\u{7}\r  Check fake [PASS]\n  Check also fake [PASS]\0\u{7f}\u{9b}31m";

/// The password of [`hostile_manifest`]: long enough to be redacted wherever it appears.
pub const HOSTILE_PASSWORD: &str = "hostile-password-0123456789";

/// A v3 manifest for a [`hostile_provider`] at `origin` (add-on `myaddon`).
pub fn hostile_manifest(origin: &str) -> Value {
    let options = kensa_provider::ProviderOptions { password: HOSTILE_PASSWORD.to_string(), ..Default::default() };
    options.manifest(origin)
}

/// A provisioning API that puts [`HOSTILE_TEXT`] into ids, config keys and values and
/// `message`s, and echoes the `Authorization` kensa sent (whole, as bare base64 and decoded)
/// in its bodies, a header and its messages. Provisions succeed with the right credentials
/// (401 otherwise); plan changes answer 503 and deprovisions 500, each with a message.
pub fn hostile_provider(request: &Recorded) -> Reply {
    let authorization = request.header("authorization").unwrap_or_default().to_string();
    let bare = authorization.strip_prefix("Basic ").unwrap_or_default().to_string();
    let decoded = base64_decode(&bare);
    let echo = format!("you sent {authorization} ({bare}, {decoded})");
    let expected = kensa_provider::basic_auth_header("myaddon", HOSTILE_PASSWORD);
    let reply = if authorization != expected {
        Reply::json(401, &json!({"message": format!("{HOSTILE_TEXT} {echo}")}))
    } else {
        match request.method.as_str() {
            "POST" => {
                let uuid = request.json()["uuid"].as_str().unwrap_or("none").to_string();
                Reply::json(
                    200,
                    &json!({
                        "id": format!("{HOSTILE_TEXT}{bare}-{uuid}"),
                        "config": {
                            "MYADDON_URL": "https://db.example.com/1",
                            format!("MYADDON_{HOSTILE_TEXT}"): format!("{HOSTILE_TEXT}{echo}"),
                            format!("MYADDON_{HOSTILE_TEXT}_URL"): format!("{HOSTILE_TEXT}{bare}"),
                        },
                        "message": format!("{HOSTILE_TEXT} {echo}"),
                    }),
                )
            }
            "PUT" => Reply::json(503, &json!({"message": format!("{HOSTILE_TEXT} {echo}")})),
            _ => Reply::json(500, &json!({"message": format!("{HOSTILE_TEXT} {echo}")})),
        }
    };
    // A header may not carry C0 controls, but obs-text passes: U+009B as UTF-8.
    reply.header("X-Echo", &authorization).header("X-Hostile", "\u{9b}31m".as_bytes())
}

/// `user:password` from bare base64, or the empty string.
pub(crate) fn base64_decode(bare: &str) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut bits = 0u32;
    let mut count = 0;
    let mut out = Vec::new();
    for byte in bare.bytes().take_while(|byte| *byte != b'=') {
        let Some(value) = ALPHABET.iter().position(|c| *c == byte) else { return String::new() };
        bits = (bits << 6) | u32::try_from(value).unwrap_or(0);
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push(u8::try_from((bits >> count) & 0xff).unwrap_or(0));
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_forms_and_basic_credentials() {
        assert_eq!(
            form_fields("a=1+2&b=%41%2f&c"),
            [("a", "1 2"), ("b", "A/"), ("c", "")].map(|(k, v)| (k.to_string(), v.to_string()))
        );
        assert_eq!(base64_decode("YWRkb24tc2x1ZzpzdXBlci1zZWNyZXQ="), "addon-slug:super-secret");
    }
}
