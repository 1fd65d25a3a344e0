//! `kensa sso ID`: a signed-in browser session on the provider, as Heroku's dashboard
//! would open it.

use crate::args::SsoArgs;
use crate::context::Context;
use crate::error::{CliError, ExitStatus, Result};
use crate::ledger_file::LedgerFile;
use crate::native::SystemClock;
use crate::output::{print, warn_line};
use kensa_checks::Clock;
use kensa_checks::Method;
use kensa_checks::render::visible;
use kensa_checks::sso::{SsoRequest, SsoSubject, sso_request};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// How long the one-shot form server waits for the browser before giving up.
const FORM_WAIT: Duration = Duration::from_secs(600);

pub(crate) fn run(context: &Context, args: &SsoArgs) -> Result<ExitStatus> {
    let (force_post, no_browser) = (args.post, args.no_browser);
    let path = &context.manifest;
    let source = crate::files::read_input(path)?;
    let validation = kensa_manifest::validate(&source);
    let Some(manifest) = validation.manifest else {
        return Err(CliError::new(format!("{} is not a valid manifest", path.display()))
            .hint("run `kensa test manifest` to see every problem"));
    };
    let environment = context.environment();
    let keys = LedgerFile::beside(path).resolve(
        &manifest.id,
        environment,
        args.key.as_deref(),
        args.resource.id.as_deref(),
        args.resource.uuid.as_deref(),
    )?;
    let timestamp = i64::try_from(SystemClock.now_ms() / 1000).unwrap_or(i64::MAX);
    let subject = SsoSubject { id: keys.sso_id(), resource_uuid: keys.sso_uuid(), timestamp, force_post };
    let Some(request) = sso_request(&manifest, environment, &subject) else {
        return Err(CliError::new("the manifest has no `api.sso_salt`, so no sign-in can be signed")
            .hint("add an sso_salt shared with your service, such as the one `kensa init` writes"));
    };
    match request.method {
        Method::Post => serve_once(&OneShot::form(&request), no_browser)?,
        // Asked for: the URL to paste (and the fresh tokens a reproduce line needs).
        _ if no_browser => print(&format!("{}\n", visible(&request.url)))?,
        // The browser goes via a one-shot local redirect, so the token is on no command
        // line (the opener's, which any local user can list) and not on the screen.
        _ => serve_once(&OneShot::redirect(&request)?, false)?,
    }
    Ok(ExitStatus::Passed)
}

/// How long one connection may take to send its request head.
const HEAD_WAIT: Duration = Duration::from_secs(10);
/// Connections answered at once (a thread each); more are closed unread, so a flood cannot
/// exhaust threads. Far more than a browser opens.
const MAX_CONNECTIONS: usize = 256;

/// What the one-shot page answers, and what kensa says of it.
struct OneShot {
    /// The status line's code and reason, then any headers, each ending in CRLF.
    head: String,
    body: String,
    /// Printed with the page's URL when it is opened, and once it is served.
    opening: String,
    served: &'static str,
}

impl OneShot {
    /// A page that posts the signed form to the provider's `sso_url`.
    fn form(request: &SsoRequest) -> OneShot {
        OneShot {
            head: "200 OK\r\nContent-Type: text/html; charset=utf-8\r\n".to_string(),
            body: form_page(request),
            opening: format!("POSTing the signed sign-in form to {} via", visible(&request.url)),
            served: "Served the sign-in form; the browser posts it to the provider now.",
        }
    }

    /// A redirect to the signed GET URL. Said with the URL's query left out: it holds the
    /// token.
    fn redirect(request: &SsoRequest) -> Result<OneShot> {
        if request.url.chars().any(char::is_control) {
            return Err(CliError::new("the sign-in URL holds control characters; not sending a browser to it")
                .hint("check api.sso_url and the test URL in the manifest"));
        }
        let without_query = request.url.split('?').next().unwrap_or_default();
        // A header is ASCII: anything else goes percent-encoded, as a browser would send it.
        let location: String = request
            .url
            .chars()
            .map(|c| {
                if c.is_ascii() { c.to_string() } else { c.to_string().bytes().map(|b| format!("%{b:02X}")).collect() }
            })
            .collect();
        Ok(OneShot {
            head: format!("303 See Other\r\nLocation: {location}\r\nReferrer-Policy: no-referrer\r\n"),
            body: String::new(),
            opening: format!("Signing in at {} (signed, query not shown) via", visible(without_query)),
            served: "Sent the browser on to the signed sign-in URL.",
        })
    }
}

/// The one-shot page: where it is, who may have it, and whether it is gone.
struct ServedPage {
    /// `/` and 32 random hex digits: no other page or user can guess it.
    path: String,
    /// `127.0.0.1:PORT`, the `Host` the browser kensa opens sends. A DNS-rebinding page
    /// sends its own name, so it gets nothing even were the path known.
    host: String,
    /// The whole HTTP response.
    response: String,
    claimed: AtomicBool,
    served: AtomicBool,
    open: AtomicUsize,
}

/// Serves `one_shot` once, on a random path of a fresh port on 127.0.0.1, and opens the
/// browser there unless `no_browser`.
fn serve_once(one_shot: &OneShot, no_browser: bool) -> Result<()> {
    let secret = crate::random::random_hex().map_err(CliError::new)?;
    let listener = TcpListener::bind(("127.0.0.1", 0))
        .map_err(|error| CliError::new(format!("cannot listen on 127.0.0.1: {error}")))?;
    let address = listener.local_addr().map_err(|error| CliError::new(error.to_string()))?;
    let page = Arc::new(ServedPage {
        path: format!("/{secret}"),
        host: address.to_string(),
        response: format!(
            "HTTP/1.1 {}Content-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n{}",
            one_shot.head,
            one_shot.body.len(),
            one_shot.body
        ),
        claimed: AtomicBool::new(false),
        served: AtomicBool::new(false),
        open: AtomicUsize::new(0),
    });
    let page_url = format!("http://{}{}", page.host, page.path);
    print(&format!("{} {page_url}\n", one_shot.opening))?;
    if no_browser {
        print(&format!("Open {page_url} in a browser (it is served once)\n"))?;
    } else {
        open_browser(&page_url);
    }
    listener.set_nonblocking(true).map_err(|error| CliError::new(error.to_string()))?;
    let deadline = Instant::now() + FORM_WAIT;
    while Instant::now() < deadline && !page.served.load(Ordering::SeqCst) {
        match listener.accept() {
            // Each connection on its own thread: a browser's idle speculative socket must
            // not hold up the one that asks for the page.
            Ok((stream, _)) => {
                if page.open.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
                    page.open.fetch_sub(1, Ordering::SeqCst);
                    continue;
                }
                let thread_page = Arc::clone(&page);
                let spawned = std::thread::Builder::new().spawn(move || {
                    answer(stream, &thread_page);
                    thread_page.open.fetch_sub(1, Ordering::SeqCst);
                });
                if spawned.is_err() {
                    page.open.fetch_sub(1, Ordering::SeqCst);
                }
            }
            Err(error) if error.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(50))
            }
            Err(error) => return Err(CliError::new(format!("the sign-in form server failed: {error}"))),
        }
    }
    if page.served.load(Ordering::SeqCst) {
        print(&format!("{}\n", one_shot.served))?;
        return Ok(());
    }
    Err(CliError::new(format!("nothing fetched {page_url} within {} minutes", FORM_WAIT.as_secs() / 60)))
}

/// Serves the page to the first `GET` of its path addressed to its host, and nothing to
/// anything else, which leaves the page for the browser. `served` is set only once the
/// page is written, so the process does not exit mid-write.
fn answer(mut stream: TcpStream, page: &ServedPage) {
    let _ = stream.set_nonblocking(false);
    let Some(head) = read_head(&stream) else { return };
    let text = String::from_utf8_lossy(&head);
    let mut lines = text.split("\r\n");
    let mut request_line = lines.next().unwrap_or_default().split(' ');
    let (method, target) = (request_line.next().unwrap_or_default(), request_line.next().unwrap_or_default());
    let hosts: Vec<&str> = lines
        .filter_map(|line| line.split_once(':'))
        .filter(|(name, _)| name.trim().eq_ignore_ascii_case("host"))
        .map(|(_, value)| value.trim())
        .collect();
    let refusal = if hosts != [page.host.as_str()] {
        Some("403 Forbidden")
    } else if target != page.path {
        Some("404 Not Found")
    } else if method != "GET" {
        Some("405 Method Not Allowed\r\nAllow: GET")
    } else if page.claimed.swap(true, Ordering::SeqCst) {
        Some("410 Gone")
    } else {
        None
    };
    if let Some(status) = refusal {
        let _ = write!(stream, "HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        return;
    }
    let _ = stream.write_all(page.response.as_bytes());
    let _ = stream.flush();
    page.served.store(true, Ordering::SeqCst);
}

/// The request head (up to 16 KiB), read within [`HEAD_WAIT`] however slowly it comes;
/// `None` when it does not end in time.
fn read_head(mut stream: &TcpStream) -> Option<Vec<u8>> {
    let deadline = Instant::now() + HEAD_WAIT;
    let mut head = Vec::new();
    let mut buffer = [0u8; 1024];
    while !head.windows(4).any(|window| window == b"\r\n\r\n") {
        let left = deadline.checked_duration_since(Instant::now()).filter(|left| !left.is_zero())?;
        if head.len() >= 16 * 1024 || stream.set_read_timeout(Some(left)).is_err() {
            return None;
        }
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => return None,
            Ok(read) => head.extend_from_slice(&buffer[..read]),
        }
    }
    Some(head)
}

fn form_page(request: &SsoRequest) -> String {
    let fields: String = request
        .params
        .iter()
        .map(|(name, value)| {
            format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">\n",
                kensa_checks::encoding::escape_markup(name),
                kensa_checks::encoding::escape_markup(value)
            )
        })
        .collect();
    format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>kensa sso</title></head>\n\
         <body onload=\"document.forms[0].submit()\">\n<form method=\"post\" action=\"{}\">\n{fields}\
         <noscript><button type=\"submit\">Sign in</button></noscript>\n</form>\n</body></html>\n",
        kensa_checks::encoding::escape_markup(&request.url)
    )
}

/// Opens `url` in the default browser; says so when it cannot.
fn open_browser(url: &str) {
    let opener: &[&str] = if cfg!(target_os = "macos") {
        &["open"]
    } else if cfg!(windows) {
        &["cmd", "/c", "start", ""]
    } else {
        &["xdg-open"]
    };
    let started = std::process::Command::new(opener[0])
        .args(&opener[1..])
        .arg(url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if started.is_err() {
        warn_line!("warning: could not open a browser; open {} yourself", visible(url));
    }
}
