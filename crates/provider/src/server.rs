//! Accept loop, per-connection kill switch, CORS and request logging.
//!
//! Connections are served by hand (not `axum::serve`) so that a handler can close its
//! own connection without answering, which the drop-connection fault needs.

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderValue, Method, Request, StatusCode, header};
use axum::response::Response;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio::task::JoinSet;
use tower_service::Service;

use crate::state::App;

/// Lets a handler close the connection it is running on, unanswered.
#[derive(Clone)]
pub(crate) struct ConnKill(Arc<Notify>);

impl ConnKill {
    /// Never returns: the connection task drops the socket as soon as this is polled.
    pub(crate) async fn drop_connection(&self) -> Response {
        self.0.notify_one();
        std::future::pending().await
    }
}

// The CORS contract is kensa's: what its playground's calls need.
use kensa_checks::cors::{ALLOW_HEADERS, ALLOW_METHODS, MAX_AGE_SECS};
const EXPOSE_HEADERS: &str = "Location, WWW-Authenticate, Content-Type, Content-Length";

pub(crate) async fn run(listener: TcpListener, app: Arc<App>, router: Router, shutdown: impl Future<Output = ()>) {
    let mut connections = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    connections.spawn(serve_connection(stream, Arc::clone(&app), router.clone()));
                }
                Err(e) => {
                    // Usually out of file descriptors: back off instead of spinning.
                    if app.options.log_requests {
                        eprintln!("kensa-provider: accept failed: {e}");
                    }
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    // Stopping means stopping: in-flight requests (a slow provision, say) are cut off.
    connections.shutdown().await;
}

async fn serve_connection(stream: TcpStream, app: Arc<App>, router: Router) {
    let _ = stream.set_nodelay(true);
    let kill = Arc::new(Notify::new());
    let conn_kill = ConnKill(Arc::clone(&kill));
    let service = service_fn(move |mut request: Request<Incoming>| {
        request.extensions_mut().insert(conn_kill.clone());
        let router = router.clone();
        let app = Arc::clone(&app);
        async move { Ok::<_, Infallible>(handle(request, router, &app).await) }
    });
    let connection = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(Duration::from_secs(30))
        .serve_connection(TokioIo::new(stream), service);
    tokio::select! {
        _ = connection => {}
        // Dropping the connection future closes the socket with nothing written.
        () = kill.notified() => {}
    }
}

async fn handle(request: Request<Incoming>, mut router: Router, app: &App) -> Response {
    let method = request.method().clone();
    // Path only: query strings carry SSO tokens.
    let path = request.uri().path().to_owned();
    let mut response = if app.options.cors && method == Method::OPTIONS {
        preflight(&request)
    } else {
        match router.call(request).await {
            Ok(response) => response,
            Err(never) => match never {},
        }
    };
    if app.options.cors {
        let headers = response.headers_mut();
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
        headers.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, HeaderValue::from_static(EXPOSE_HEADERS));
    }
    if app.options.log_requests {
        eprintln!("{method} {path} -> {}", response.status().as_u16());
    }
    response
}

fn preflight<B>(request: &Request<B>) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::NO_CONTENT;
    let headers = response.headers_mut();
    headers.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static(ALLOW_METHODS));
    // Also allow whatever extra headers the browser asks about.
    let mut allowed = ALLOW_HEADERS.to_owned();
    let requested =
        request.headers().get(header::ACCESS_CONTROL_REQUEST_HEADERS).and_then(|v| v.to_str().ok()).unwrap_or("");
    for name in requested.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let known = allowed.split(", ").any(|have| have.eq_ignore_ascii_case(name));
        if !known {
            allowed.push_str(", ");
            allowed.push_str(name);
        }
    }
    let allow_headers = HeaderValue::try_from(allowed).unwrap_or(HeaderValue::from_static(ALLOW_HEADERS));
    headers.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, allow_headers);
    headers.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static(MAX_AGE_SECS));
    headers.insert(header::ALLOW, HeaderValue::from_static(ALLOW_METHODS));
    response
}
