//! A tiny stand-in for Heroku (the OAuth token endpoint and the Platform API callbacks) on
//! std threads. It records every request and answers as kensa's stand-in does.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use kensa_provider::{ProviderOptions, RunningProvider};
use serde_json::{Value, json};

/// The access token the stand-in issues.
pub const ACCESS_TOKEN: &str = "fake-heroku-access-token";
/// The client secret [`async_options`] configures.
pub const CLIENT_SECRET: &str = "test-client-secret";
/// The grant code [`v3_grant_body`] sends.
pub const GRANT_CODE: &str = "test-grant-code";

/// One recorded request.
#[derive(Clone, Debug)]
pub struct Call {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Call {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!("{} {} body is not JSON ({e}): {:?}", self.method, self.path, String::from_utf8_lossy(&self.body))
        })
    }

    /// The form fields of an `application/x-www-form-urlencoded` body.
    pub fn form(&self) -> Vec<(String, String)> {
        form_urlencoded::parse(&self.body).into_owned().collect()
    }

    pub fn form_field(&self, name: &str) -> Option<String> {
        self.form().into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }

    /// `METHOD /path`, for assertions on the order of calls.
    pub fn line(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

type Shared = Arc<(Mutex<Vec<Call>>, Condvar)>;

/// Whether answers are held back, and the condvar that releases them.
type Gate = Arc<(Mutex<bool>, Condvar)>;

/// The longest the stand-in holds an answer back: the provider's own call timeout.
const LONGEST_HOLD: Duration = Duration::from_secs(10);

pub struct FakeHeroku {
    addr: SocketAddr,
    calls: Shared,
    gate: Gate,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl FakeHeroku {
    pub fn start() -> FakeHeroku {
        FakeHeroku::new(200, false)
    }

    /// A stand-in whose token endpoint answers `status` (401, say, for a refused code).
    pub fn with_token_status(token_status: u16) -> FakeHeroku {
        FakeHeroku::new(token_status, false)
    }

    /// A stand-in that records each call at once but answers none until
    /// [`FakeHeroku::release`], so a provision stays `provisioning` for as long as a test
    /// needs, with no clock involved.
    pub fn holding() -> FakeHeroku {
        FakeHeroku::new(200, true)
    }

    fn new(token_status: u16, held: bool) -> FakeHeroku {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let addr = listener.local_addr().unwrap();
        let calls: Shared = Arc::new((Mutex::new(Vec::new()), Condvar::new()));
        let gate: Gate = Arc::new((Mutex::new(held), Condvar::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (shared, gated, stopping) = (Arc::clone(&calls), Arc::clone(&gate), Arc::clone(&stop));
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let (shared, gated) = (Arc::clone(&shared), Arc::clone(&gated));
                std::thread::spawn(move || {
                    let _ = serve(stream, &shared, &gated, token_status);
                });
            }
        });
        FakeHeroku { addr, calls, gate, stop, thread: Some(thread) }
    }

    /// Answers the calls held so far and every later one at once.
    pub fn release(&self) {
        let (held, released) = &*self.gate;
        *held.lock().unwrap_or_else(PoisonError::into_inner) = false;
        released.notify_all();
    }

    /// `http://127.0.0.1:<port>`: the token endpoint base and the callback origin.
    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The `callback_url` kensa sends: `http://127.0.0.1:<port>/addons/<uuid>`.
    pub fn callback_url(&self, uuid: &str) -> String {
        format!("{}/addons/{uuid}", self.origin())
    }

    pub fn calls(&self) -> Vec<Call> {
        self.calls.0.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Waits until `done` holds for the calls so far; panics after `timeout`.
    pub fn wait_for(&self, timeout: Duration, done: impl Fn(&[Call]) -> bool) -> Vec<Call> {
        let (lock, arrived) = &*self.calls;
        let calls = lock.lock().unwrap_or_else(PoisonError::into_inner);
        let (calls, result) =
            arrived.wait_timeout_while(calls, timeout, |calls| !done(calls)).unwrap_or_else(PoisonError::into_inner);
        assert!(
            !result.timed_out(),
            "the stand-in waited {timeout:?} in vain; calls so far: {:?}",
            calls.iter().map(Call::line).collect::<Vec<_>>()
        );
        calls.clone()
    }

    /// Waits for the call that finishes `uuid`: the legacy PUT/POST to the callback URL,
    /// or `POST …/actions/provision`.
    pub fn wait_finished(&self, uuid: &str) -> Vec<Call> {
        let resource = format!("/addons/{uuid}");
        let finish = format!("{resource}/actions/provision");
        self.wait_for(Duration::from_secs(10), |calls| {
            calls.iter().any(|c| {
                (c.path == resource && (c.method == "PUT" || c.method == "POST"))
                    || (c.path == finish && c.method == "POST")
            })
        })
    }
}

impl Drop for FakeHeroku {
    fn drop(&mut self) {
        self.release();
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.addr);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Reads one request, records it, answers (once the gate is open), and closes the connection.
fn serve(stream: TcpStream, shared: &Shared, gate: &Gate, token_status: u16) -> io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line)? == 0 {
        return Ok(());
    }
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or("").to_owned();
    let path = parts.next().unwrap_or("").to_owned();
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            break;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            headers.push((k.trim().to_owned(), v.trim().to_owned()));
        }
    }
    let length = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    reader.read_exact(&mut body)?;
    let (status, answer) = if method == "POST" && path == "/oauth/token" {
        if token_status == 200 {
            let token = json!({
                "access_token": ACCESS_TOKEN,
                "refresh_token": "fake-heroku-refresh-token",
                "expires_in": 28_800,
                "token_type": "Bearer",
                "user_id": "01234567-89ab-cdef-0123-456789abcdef",
            });
            (200, token)
        } else {
            (token_status, json!({"id": "unauthorized", "message": "invalid code"}))
        }
    } else if path.ends_with("/actions/provision") {
        (200, json!({"state": "provisioned"}))
    } else {
        (200, json!({}))
    };
    {
        let (lock, arrived) = &**shared;
        lock.lock().unwrap_or_else(PoisonError::into_inner).push(Call { method, path, headers, body });
        arrived.notify_all();
    }
    {
        let (held, released) = &**gate;
        let held = held.lock().unwrap_or_else(PoisonError::into_inner);
        let _ = released.wait_timeout_while(held, LONGEST_HOLD, |held| *held).unwrap_or_else(PoisonError::into_inner);
    }
    let text = answer.to_string();
    let mut stream = stream;
    write!(
        stream,
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
        text.len()
    )?;
    stream.flush()
}

/// Async mode pointed at `heroku`, with two config vars and a short delay.
pub fn async_options(heroku: &FakeHeroku) -> ProviderOptions {
    ProviderOptions::default()
        .with_config_vars(["MYADDON_URL", "MYADDON_TOKEN"])
        .with_async_provisioning(true)
        .with_heroku_id_url(heroku.origin())
        .with_oauth_client_secret(CLIENT_SECRET)
        .with_async_delay(Duration::from_millis(20))
}

/// A v3 body as kensa sends it under `--async`: callback_url on the stand-in, an oauth_grant.
pub fn v3_grant_body(heroku: &FakeHeroku, uuid: &str) -> Value {
    let mut body = super::v3_body(uuid);
    body["callback_url"] = json!(heroku.callback_url(uuid));
    body["oauth_grant"] = json!({
        "code": GRANT_CODE,
        "expires_at": "2030-01-01T00:00:00Z",
        "type": "authorization_code",
    });
    body
}

/// A v1 body (heroku_id, no grant) with the callback_url on the stand-in.
pub fn v1_callback_body(heroku: &FakeHeroku, uuid: &str) -> Value {
    let mut body = super::v1_body(uuid);
    body["callback_url"] = json!(heroku.callback_url(uuid));
    body
}

/// How long a test waits for the provider's background work before it fails: a failure
/// timeout, never the proof.
pub const BACKGROUND_TIMEOUT: Duration = Duration::from_secs(30);

/// Waits until every asynchronous provision the provider started has finished, and
/// returns how many it started. After this, nothing more will call the stand-in.
pub fn completions(p: &RunningProvider) -> usize {
    p.wait_for_completions(BACKGROUND_TIMEOUT).unwrap()
}

/// Waits until the provider's background work is done, then checks that every resource
/// is provisioned.
pub fn wait_provisioned(p: &RunningProvider) {
    completions(p);
    let resources = p.resources().unwrap();
    assert!(resources.iter().all(|r| !r.provisioning), "still provisioning: {resources:?}");
}
