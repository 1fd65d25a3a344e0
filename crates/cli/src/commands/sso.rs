//! `kensa sso ID`: a signed-in browser session on the provider, as Heroku's dashboard
//! would open it.

use crate::args::SsoArgs;
use crate::error::CliError;
use crate::ledger_file::LedgerFile;
use crate::native::SystemClock;
use crate::output::print;
use crate::{Context, ExitStatus, Result};
use kensa_checks::Clock;
use kensa_checks::Method;
use kensa_checks::render::visible;
use kensa_checks::sso::{SsoRequest, SsoSubject, sso_request};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
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
        Method::Post => serve_form(&request, no_browser)?,
        _ => {
            if no_browser {
                print(&format!("{}\n", visible(&request.url)));
            } else {
                print(&format!("Opening {}\n", visible(&request.url)));
                open_browser(&request.url);
            }
        }
    }
    Ok(ExitStatus::Passed)
}

/// Serves, once, a page that posts the signed form to the provider's `sso_url`.
fn serve_form(request: &SsoRequest, no_browser: bool) -> Result<()> {
    let listener = TcpListener::bind(("127.0.0.1", 0))
        .map_err(|error| CliError::new(format!("cannot listen on 127.0.0.1: {error}")))?;
    let address = listener.local_addr().map_err(|error| CliError::new(error.to_string()))?;
    let page_url = format!("http://{address}/");
    print(&format!("POSTing the signed sign-in form to {} via {page_url}\n", visible(&request.url)));
    if no_browser {
        print(&format!("Open {page_url} in a browser (it is served once)\n"));
    } else {
        open_browser(&page_url);
    }
    let page = Arc::new(form_page(request));
    let claimed = Arc::new(AtomicBool::new(false));
    let served = Arc::new(AtomicBool::new(false));
    listener.set_nonblocking(true).map_err(|error| CliError::new(error.to_string()))?;
    let deadline = Instant::now() + FORM_WAIT;
    while Instant::now() < deadline && !served.load(Ordering::SeqCst) {
        match listener.accept() {
            // Each connection on its own thread: a browser's idle speculative socket must
            // not hold up the one that asks for the page.
            Ok((stream, _)) => {
                let (page, claimed, served) = (page.clone(), claimed.clone(), served.clone());
                std::thread::spawn(move || answer(stream, &page, &claimed, &served));
            }
            Err(error) if error.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(50))
            }
            Err(error) => return Err(CliError::new(format!("the sign-in form server failed: {error}"))),
        }
    }
    if served.load(Ordering::SeqCst) {
        print("Served the sign-in form; the browser posts it to the provider now.\n");
        return Ok(());
    }
    Err(CliError::new(format!("nothing fetched {page_url} within {} minutes", FORM_WAIT.as_secs() / 60)))
}

/// Serves the form to the first `GET /` and 404 to anything else; `served` is set only
/// once the page is written, so the process does not exit mid-write.
fn answer(mut stream: TcpStream, page: &str, claimed: &AtomicBool, served: &AtomicBool) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let mut head = Vec::new();
    let mut buffer = [0u8; 1024];
    while !head.windows(4).any(|window| window == b"\r\n\r\n") && head.len() < 16 * 1024 {
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(read) => head.extend_from_slice(&buffer[..read]),
        }
    }
    let first_line = String::from_utf8_lossy(&head).lines().next().unwrap_or_default().to_string();
    if first_line.starts_with("GET / ") && !claimed.swap(true, Ordering::SeqCst) {
        let _ = write!(
            stream,
            "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n{page}",
            page.len()
        );
        let _ = stream.flush();
        served.store(true, Ordering::SeqCst);
    } else {
        let _ = stream.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    }
}

fn form_page(request: &SsoRequest) -> String {
    let fields: String = request
        .params
        .iter()
        .map(|(name, value)| {
            format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">\n",
                kensa_checks::render::escape_markup(name),
                kensa_checks::render::escape_markup(value)
            )
        })
        .collect();
    format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>kensa sso</title></head>\n\
         <body onload=\"document.forms[0].submit()\">\n<form method=\"post\" action=\"{}\">\n{fields}\
         <noscript><button type=\"submit\">Sign in</button></noscript>\n</form>\n</body></html>\n",
        kensa_checks::render::escape_markup(&request.url)
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
        eprintln!("warning: could not open a browser; open {} yourself", visible(url));
    }
}
