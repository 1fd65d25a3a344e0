//! Slow hostile servers, for deadlines that must cover a whole exchange: a body that
//! trickles in one byte at a time, and a sign-in whose redirects each take most of the
//! deadline. Every connection gets its own thread, so concurrent requests are each slow
//! on their own rather than queued behind one another.

use crate::hostile::{Reply, form_fields, sso_form_is_fresh};
use crate::recorder::{Recorded, read_recorded};
use std::io::Write;
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

/// How a [`SlowServer`] answers one request.
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

type Handler = dyn Fn(&Recorded) -> Slow + Send + Sync;

/// A server on a free loopback port answering each request (one per connection, each on
/// its own thread) as its handler says; it keeps every request it received.
pub struct SlowServer {
    origin: String,
    requests: Arc<Mutex<Vec<Recorded>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl SlowServer {
    pub fn start(handler: impl Fn(&Recorded) -> Slow + Send + Sync + 'static) -> SlowServer {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("cannot bind a loopback port");
        let origin = format!("http://{}", listener.local_addr().expect("a bound listener has an address"));
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
                    let (handler, requests, stop) = (Arc::clone(&handler), Arc::clone(&requests), Arc::clone(&stop));
                    std::thread::spawn(move || {
                        let Some(request) = read_recorded(&stream) else { return };
                        requests.lock().unwrap_or_else(PoisonError::into_inner).push(request.clone());
                        answer(stream, &handler(&request), &stop);
                    });
                }
            })
        };
        SlowServer { origin, requests, stop, thread: Some(thread) }
    }

    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// Every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
}

impl Drop for SlowServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop.
        let _ = TcpStream::connect(self.origin.trim_start_matches("http://"));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Writes `slow`'s answer; a trickle stops when the peer goes away or the server stops.
fn answer(mut stream: TcpStream, slow: &Slow, stop: &AtomicBool) {
    std::thread::sleep(slow.wait);
    let reply = &slow.reply;
    let mut head = format!("HTTP/1.1 {} Slow\r\n", reply.status).into_bytes();
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

/// A JSON body of `length` spaces around `{}`, for a trickle that outlasts any deadline.
pub fn long_json(length: usize) -> Reply {
    let mut body = vec![b' '; length.max(2)];
    body[0] = b'{';
    body[length.max(2) - 1] = b'}';
    Reply { body, ..Reply::new(200) }.header("Content-Type", "application/json")
}

/// A sign-in at `/sso/login` that refuses kensa's probes at once with 403, and answers a
/// good sign-in, after `hop` each time, with an endless chain of redirects
/// (`/hop/1`, `/hop/2`, ...).
pub fn slow_redirect_chain(hop: Duration) -> impl Fn(&Recorded) -> Slow + Send + Sync + 'static {
    move |request| {
        if request.method == "POST" && request.path == "/sso/login" {
            if !sso_form_is_fresh(&form_fields(&String::from_utf8_lossy(&request.body))) {
                return Slow::now(Reply::new(403));
            }
            return Slow::after(hop, Reply::redirect(302, "/hop/1"));
        }
        let next = request.path.strip_prefix("/hop/").and_then(|n| n.parse::<u32>().ok()).unwrap_or(0) + 1;
        Slow::after(hop, Reply::redirect(302, &format!("/hop/{next}")))
    }
}
