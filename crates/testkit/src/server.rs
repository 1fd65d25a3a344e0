//! A server on a plain socket whose every answer a test scripts: raw bytes allowed, one
//! request per connection, each connection on its own thread (so a slow or held answer
//! never queues the next one), every request kept.

use std::io::Write;
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use serde_json::Value;

use crate::recorded::{Recorded, read_recorded};

/// An answer a [`HostileServer`] sends, byte for byte (it adds `Content-Length` and
/// `Connection: close`).
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

    /// Adds a header; its value may be any bytes, control characters included.
    pub fn header(mut self, name: &str, value: impl AsRef<[u8]>) -> Reply {
        self.headers.push((name.to_string(), value.as_ref().to_vec()));
        self
    }
}

/// A [`Reply`] and how slowly it is written; a plain `Reply` converts into one written at
/// once, so a handler returns either.
#[derive(Clone, Debug)]
pub struct Slow {
    /// Waits this long before writing anything.
    pub wait: Duration,
    pub reply: Reply,
    /// `Some(gap)`: the header at once, then the body one byte per `gap` (its whole
    /// length announced in `Content-Length`).
    pub trickle: Option<Duration>,
}

impl Slow {
    /// `reply` after `wait`, written whole.
    pub fn after(wait: Duration, reply: Reply) -> Slow {
        Slow { wait, reply, trickle: None }
    }

    /// `reply` at once, written whole.
    pub fn now(reply: Reply) -> Slow {
        Slow::after(Duration::ZERO, reply)
    }

    /// `reply`'s header at once and its body one byte per `gap`.
    pub fn trickled(reply: Reply, gap: Duration) -> Slow {
        Slow { wait: Duration::ZERO, reply, trickle: Some(gap) }
    }
}

impl From<Reply> for Slow {
    fn from(reply: Reply) -> Slow {
        Slow::now(reply)
    }
}

type Handler = dyn Fn(&Recorded) -> Slow + Send + Sync;

/// The requests received so far, and the signal that another arrived.
#[derive(Default)]
struct Log {
    requests: Mutex<Vec<Recorded>>,
    arrived: Condvar,
}

/// A server on a free loopback port that answers each request (one per connection, each
/// on its own thread) with what its handler returns, and keeps every request it received.
/// A request is kept before its handler runs, so a handler that holds its answer back
/// still lets a test see what arrived.
pub struct HostileServer {
    origin: String,
    address: String,
    log: Arc<Log>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl HostileServer {
    /// Listens on 127.0.0.1 and calls itself `http://127.0.0.1:<port>`. The handler
    /// returns a [`Reply`], or a [`Slow`] one.
    pub fn start<A: Into<Slow>>(handler: impl Fn(&Recorded) -> A + Send + Sync + 'static) -> HostileServer {
        HostileServer::start_as("127.0.0.1", handler)
    }

    /// Listens on 127.0.0.1 but calls itself `http://<host>:<port>`, e.g. `localhost`: another
    /// host to a cookie jar, the same machine to the network.
    pub fn start_as<A: Into<Slow>>(
        host: &str,
        handler: impl Fn(&Recorded) -> A + Send + Sync + 'static,
    ) -> HostileServer {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("cannot bind a loopback port");
        let address = listener.local_addr().expect("a bound listener has an address").to_string();
        let port = address.rsplit(':').next().unwrap_or_default();
        let origin = format!("http://{host}:{port}");
        let log = Arc::new(Log::default());
        let stop = Arc::new(AtomicBool::new(false));
        let handler: Arc<Handler> = Arc::new(move |request: &Recorded| handler(request).into());
        let thread = {
            let (log, stop) = (Arc::clone(&log), Arc::clone(&stop));
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let (handler, log, stop) = (Arc::clone(&handler), Arc::clone(&log), Arc::clone(&stop));
                    std::thread::spawn(move || {
                        let Some(request) = read_recorded(&stream) else { return };
                        log.requests.lock().unwrap_or_else(PoisonError::into_inner).push(request.clone());
                        log.arrived.notify_all();
                        answer(stream, &handler(&request), &stop);
                    });
                }
            })
        };
        HostileServer { origin, address, log, stop, thread: Some(thread) }
    }

    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// Every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<Recorded> {
        self.log.requests.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Waits until `done` holds for the requests so far and returns them; after `timeout`,
    /// `Err` with what did arrive.
    pub fn wait_for(
        &self,
        timeout: Duration,
        done: impl Fn(&[Recorded]) -> bool,
    ) -> Result<Vec<Recorded>, Vec<Recorded>> {
        let requests = self.log.requests.lock().unwrap_or_else(PoisonError::into_inner);
        let (requests, waited) = self
            .log
            .arrived
            .wait_timeout_while(requests, timeout, |requests| !done(requests))
            .unwrap_or_else(PoisonError::into_inner);
        if waited.timed_out() { Err(requests.clone()) } else { Ok(requests.clone()) }
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

/// Writes `slow`'s answer; a trickle stops when the peer goes away or the server stops.
fn answer(mut stream: TcpStream, slow: &Slow, stop: &AtomicBool) {
    std::thread::sleep(slow.wait);
    let reply = &slow.reply;
    let mut head = format!("HTTP/1.1 {} Hostile\r\n", reply.status).into_bytes();
    for (name, value) in &reply.headers {
        head.extend_from_slice(format!("{name}: ").as_bytes());
        head.extend_from_slice(value);
        head.extend_from_slice(b"\r\n");
    }
    head.extend_from_slice(format!("Content-Length: {}\r\nConnection: close\r\n\r\n", reply.body.len()).as_bytes());
    if stream.write_all(&head).and_then(|()| stream.flush()).is_err() {
        return;
    }
    match slow.trickle {
        None => {
            let _ = stream.write_all(&reply.body);
        }
        Some(gap) => {
            for byte in &reply.body {
                if stop.load(Ordering::SeqCst) || stream.write_all(&[*byte]).and_then(|()| stream.flush()).is_err() {
                    return;
                }
                std::thread::sleep(gap);
            }
        }
    }
    let _ = stream.flush();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{HttpRequest, http};

    #[test]
    fn answers_as_scripted_and_keeps_every_request() {
        let server = HostileServer::start(|request: &Recorded| {
            Reply::json(201, &serde_json::json!({"saw": request.path})).header("X-Raw", b"\x9b31m")
        });
        let answer = http("POST", &format!("{}/a?b=1", server.origin()), &[("X-Test", "yes")], b"{\"k\": 1}");
        assert_eq!(answer.status, 201);
        assert_eq!(answer.json()["saw"], "/a?b=1");
        let requests = server.wait_for(Duration::from_secs(5), |requests| !requests.is_empty()).unwrap();
        assert_eq!(requests[0].line(), "POST /a?b=1");
        assert_eq!(requests[0].header("x-test"), Some("yes"));
        assert_eq!(requests[0].json()["k"], 1);
    }

    #[test]
    fn a_held_answer_does_not_hold_up_the_next_request() {
        let server = HostileServer::start(|request: &Recorded| {
            let wait = if request.path == "/slow" { Duration::from_secs(30) } else { Duration::ZERO };
            Slow::after(wait, Reply::new(204))
        });
        let slow = format!("{}/slow", server.origin());
        std::thread::spawn(move || {
            let _ = HttpRequest::new("GET", &slow).exchange();
        });
        server.wait_for(Duration::from_secs(5), |requests| requests.len() == 1).unwrap();
        assert_eq!(http("GET", &format!("{}/fast", server.origin()), &[], b"").status, 204);
    }
}
