//! `kensa cors-proxy --to ORIGIN`: a loopback proxy that adds CORS to a provider that
//! lacks it, so the browser playground can test an unmodified service.
//!
//! It answers preflights itself, forwards everything else to the one origin it was given
//! (method, headers minus hop-by-hop ones and `Host`, body; redirects are passed through,
//! not followed) and adds `Access-Control-Allow-Origin` and `-Expose-Headers` to the
//! answers of allowed pages. Every web page the user opens can send requests to loopback,
//! so it answers only requests addressed to itself (`Host`, against DNS rebinding) and,
//! when they carry an `Origin`, only from the pages it allows. One deadline covers each
//! exchange, the upstream's body included. It logs one line per request: method, path
//! (never the query) and status; never headers or bodies, so `Authorization` and SSO tokens
//! stay off the terminal.

use crate::args::CorsProxyArgs;
use crate::context::Context;
use crate::error::{CliError, ExitStatus, Result};
use crate::output::{print, warn_line};
use http_body_util::{BodyExt, Limited};
use hyper::body::{Bytes, Frame, Incoming};
use hyper::header::{self, HeaderMap, HeaderName, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::mpsc;

/// Request bodies are read whole before forwarding; add-on API bodies are small.
const MAX_REQUEST_BODY: usize = 8 * 1024 * 1024;
use kensa_checks::cors::{ALLOW_HEADERS, ALLOW_METHODS, MAX_AGE_SECS};

/// Headers that describe one connection, not the message (RFC 9110 section 7.6.1), plus
/// `Host` (the client sets the upstream's) and `Content-Length` (recomputed for the body
/// as forwarded) and `Expect` (the body is already read).
const NOT_FORWARDED: [&str; 12] = [
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "host",
    "content-length",
    "expect",
];

pub(crate) fn run(context: &Context, args: &CorsProxyArgs) -> Result<ExitStatus> {
    let origin = upstream_origin(&args.to)?;
    let mut allowed = default_allowed_origins();
    for value in &args.allow_origins {
        allowed.push(AllowedOrigin::parse(value)?);
    }
    let client = crate::http::client_builder()
        .no_proxy()
        .read_timeout(Duration::from_secs(120))
        .tls_danger_accept_invalid_certs(context.insecure)
        .build()
        .map_err(|error| CliError::new(format!("cannot build the HTTP client: {error}")))?;
    if context.insecure {
        warn_line!("warning: --insecure: TLS certificates of {origin} are not verified");
    }
    let runtime = crate::http::runtime()?;
    let port = args.port;
    let listener = runtime.block_on(TcpListener::bind(("127.0.0.1", port))).map_err(|error| {
        let error = CliError::new(format!("cannot listen on 127.0.0.1:{port}: {error}"));
        if error.message.contains("in use") {
            error.hint("another program listens there; pick a free port with --port PORT")
        } else {
            error
        }
    })?;
    let address = listener.local_addr().map_err(|error| CliError::new(error.to_string()))?;
    print(&format!("kensa cors-proxy: http://{address} -> {origin}\n"))?;
    let pages: Vec<String> = allowed.iter().map(AllowedOrigin::to_string).collect();
    print(&format!("allowing pages from {} (add others with --allow-origin)\n", pages.join(", ")))?;
    let log = Arc::new(Log::default());
    let upstream = Upstream { origin, client, deadline: context.timeout(), port: address.port(), allowed, log };
    let log = Arc::clone(&upstream.log);
    runtime.spawn(serve(listener, Arc::new(upstream)));
    // Serves until Ctrl-C, or until the log cannot be written.
    runtime.block_on(log.lost());
    Err(log.take())
}

/// The request log on stdout. A line that cannot be written stops the proxy, which then
/// ends as any command whose output is lost: quietly with 0 for a closed pipe, else exit 2.
#[derive(Default)]
struct Log {
    lost: std::sync::Mutex<Option<CliError>>,
    stopped: tokio::sync::Notify,
}

impl Log {
    fn line(&self, text: &str) {
        if let Err(error) = print(text) {
            self.lost.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get_or_insert(error);
            self.stopped.notify_one();
        }
    }

    /// Waits until a line could not be written.
    async fn lost(&self) {
        self.stopped.notified().await;
    }

    /// Why the log stopped.
    fn take(&self) -> CliError {
        let lost = self.lost.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take();
        lost.unwrap_or_else(|| CliError::new("cannot write to standard output"))
    }
}

/// The `--to` origin as `scheme://host[:port]`, or why it is not one.
fn upstream_origin(to: &str) -> Result<String> {
    let example = "such as http://localhost:5000";
    let url = reqwest::Url::parse(to.trim()).map_err(|error| {
        CliError::new(format!("--to {to:?} is not a URL ({error})"))
            .hint(format!("give the provider's origin, {example}"))
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(CliError::new(format!("--to {to:?} must be an http:// or https:// URL"))
            .hint(format!("give the provider's origin, {example}")));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(
            CliError::new(format!("--to {to:?} has no host")).hint(format!("give the provider's origin, {example}"))
        );
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(CliError::new("--to must not contain credentials")
            .hint("the playground sends the manifest's credentials in each request's Authorization header"));
    }
    if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
        return Err(CliError::new(format!("--to {to:?} must be an origin only, without a path, query or fragment"))
            .hint(format!(
                "each request's path and query are appended to it: use --to {} and keep the path in the manifest's URLs",
                url.origin().ascii_serialization()
            )));
    }
    Ok(url.origin().ascii_serialization())
}

struct Upstream {
    /// `scheme://host[:port]`, no trailing slash.
    origin: String,
    client: reqwest::Client,
    /// How long one exchange may take, the provider's whole answer included (`--timeout`,
    /// at most Heroku's own limit).
    deadline: Duration,
    /// The port the proxy listens on, which `Host` must name.
    port: u16,
    /// The pages whose requests get CORS headers.
    allowed: Vec<AllowedOrigin>,
    log: Arc<Log>,
}

impl Upstream {
    /// Whether `origin` (an `Origin` header) is a page allowed to read answers.
    fn allows(&self, origin: &HeaderValue) -> bool {
        let Some(origin) = origin.to_str().ok().and_then(page_origin) else { return false };
        self.allowed.iter().any(|allowed| allowed.matches(&origin))
    }
}

/// A page origin the proxy answers with CORS headers.
#[derive(Clone, Debug, PartialEq, Eq)]
struct AllowedOrigin {
    scheme: String,
    /// As a URL writes it: lower case, IPv6 in brackets.
    host: String,
    /// `None`: any port.
    port: Option<u16>,
}

/// Loopback http pages on any port: the playground as `./scripts/playground` serves it. The
/// project publishes no hosted playground, so a hosted one is added with `--allow-origin`.
fn default_allowed_origins() -> Vec<AllowedOrigin> {
    ["127.0.0.1", "localhost", "[::1]"]
        .into_iter()
        .map(|host| AllowedOrigin { scheme: "http".to_string(), host: host.to_string(), port: None })
        .collect()
}

impl AllowedOrigin {
    /// An `--allow-origin` value: `scheme://host[:port]`, or `scheme://host:*` for any port.
    fn parse(value: &str) -> Result<AllowedOrigin> {
        let refuse = |why: &str| {
            CliError::new(format!("--allow-origin {value:?} {why}")).hint(
                "give a page's origin as its browser sends it, such as https://example.org or http://192.168.1.5:*",
            )
        };
        let trimmed = value.trim();
        if trimmed == "*" || trimmed.eq_ignore_ascii_case("null") {
            return Err(refuse("would let any web page read the provider's answers"));
        }
        let (text, any_port) = match trimmed.strip_suffix(":*") {
            Some(rest) => (rest, true),
            None => (trimmed, false),
        };
        let url = reqwest::Url::parse(text).map_err(|_| refuse("is not an origin"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(refuse("must be an http:// or https:// origin"));
        }
        let Some(host) = url.host_str().filter(|host| !host.is_empty()) else { return Err(refuse("has no host")) };
        let origin_only = url.username().is_empty()
            && url.password().is_none()
            && url.path() == "/"
            && url.query().is_none()
            && url.fragment().is_none()
            && !(any_port && url.port().is_some());
        if !origin_only {
            return Err(refuse("must be an origin only: scheme, host and port (or :*), without a path"));
        }
        Ok(AllowedOrigin {
            scheme: url.scheme().to_string(),
            host: host.to_string(),
            port: if any_port { None } else { url.port_or_known_default() },
        })
    }

    fn matches(&self, page: &reqwest::Url) -> bool {
        page.scheme() == self.scheme
            && page.host_str() == Some(self.host.as_str())
            && self.port.is_none_or(|port| page.port_or_known_default() == Some(port))
    }
}

impl std::fmt::Display for AllowedOrigin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.port {
            None => write!(f, "{}://{}:*", self.scheme, self.host),
            Some(port) if Some(port) == default_port(&self.scheme) => write!(f, "{}://{}", self.scheme, self.host),
            Some(port) => write!(f, "{}://{}:{port}", self.scheme, self.host),
        }
    }
}

fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" => Some(80),
        "https" => Some(443),
        _ => None,
    }
}

/// An `Origin` header's page, when it is a serialized http(s) origin exactly as browsers
/// send one (`null`, from a sandboxed frame or a file, is no page: any site can send it).
fn page_origin(value: &str) -> Option<reqwest::Url> {
    let url = reqwest::Url::parse(value).ok()?;
    let serialized = url.origin().ascii_serialization();
    (matches!(url.scheme(), "http" | "https") && serialized == value).then_some(url)
}

/// Whether `request` is addressed to the proxy itself: one `Host` (and the target's
/// authority, if it has one) naming 127.0.0.1 or localhost at the proxy's port. A page on
/// another name that resolves to 127.0.0.1 (DNS rebinding) names its own host there.
fn addressed_to_proxy(request: &Request<Incoming>, port: u16) -> bool {
    let mut hosts = request.headers().get_all(header::HOST).iter();
    let (Some(host), None) = (hosts.next(), hosts.next()) else { return false };
    host.to_str().is_ok_and(|host| names_proxy(host, port))
        && request.uri().authority().is_none_or(|authority| names_proxy(authority.as_str(), port))
}

fn names_proxy(authority: &str, port: u16) -> bool {
    let (name, given) = match authority.rsplit_once(':') {
        Some((name, given)) => (name, given.parse::<u16>().ok()),
        None => (authority, Some(80)),
    };
    (name == "127.0.0.1" || name.eq_ignore_ascii_case("localhost")) && given == Some(port)
}

async fn serve(listener: TcpListener, upstream: Arc<Upstream>) {
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(error) => {
                // Out of file descriptors and the like: wait, don't spin or stop.
                warn_line!("kensa cors-proxy: accept failed: {error}");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let upstream = Arc::clone(&upstream);
        tokio::spawn(async move {
            let service = service_fn(move |request| {
                let upstream = Arc::clone(&upstream);
                async move { Ok::<_, std::convert::Infallible>(handle(request, &upstream).await) }
            });
            let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
        });
    }
}

async fn handle(request: Request<Incoming>, upstream: &Upstream) -> Response<ProxyBody> {
    let deadline = tokio::time::Instant::now() + upstream.deadline;
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let origin = request.headers().get(header::ORIGIN).cloned();
    let addressed = addressed_to_proxy(&request, upstream.port);
    let allowed = origin.as_ref().filter(|origin| addressed && upstream.allows(origin)).cloned();
    let refused = |message: String| {
        let note = format!(" ({message})");
        (Failure::new(StatusCode::FORBIDDEN, message).into_response(), note)
    };
    let (mut response, note) = if !addressed {
        let port = upstream.port;
        refused(format!("refused: the Host is not 127.0.0.1:{port} or localhost:{port}, this proxy"))
    } else if let (Some(origin), None) = (&origin, &allowed) {
        let page = origin.to_str().ok().and_then(page_origin);
        refused(match page {
            Some(page) => format!(
                "refused: the page {} is not allowed; add it with --allow-origin",
                page.origin().ascii_serialization()
            ),
            None => "refused: the Origin is not a page this proxy allows".to_string(),
        })
    } else if is_preflight(&request) {
        (preflight(request.headers()), " (preflight)".to_string())
    } else {
        let cut_off = format!("{method} {path}");
        match forward(request, upstream, deadline, cut_off).await {
            Ok(response) => (response, String::new()),
            Err(failure) => {
                let note = format!(" ({})", failure.message);
                (failure.into_response(), note)
            }
        }
    };
    allow_origin(response.headers_mut(), allowed);
    upstream.log.line(&format!("{method} {path} {}{note}\n", response.status().as_u16()));
    response
}

fn is_preflight(request: &Request<Incoming>) -> bool {
    request.method() == Method::OPTIONS && request.headers().contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
}

/// The answer to a CORS preflight: every method the add-on API uses and the headers asked for.
fn preflight(request: &HeaderMap) -> Response<ProxyBody> {
    let mut response = Response::new(ProxyBody::empty());
    *response.status_mut() = StatusCode::NO_CONTENT;
    let headers = response.headers_mut();
    headers.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static(ALLOW_METHODS));
    let asked = request.get(header::ACCESS_CONTROL_REQUEST_HEADERS).filter(|value| !value.is_empty()).cloned();
    headers
        .insert(header::ACCESS_CONTROL_ALLOW_HEADERS, asked.unwrap_or_else(|| HeaderValue::from_static(ALLOW_HEADERS)));
    headers.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static(MAX_AGE_SECS));
    // Chromium's Private Network Access preflight, for a hosted (public) page calling loopback.
    let private_network = HeaderName::from_static("access-control-request-private-network");
    if request.get(private_network).is_some_and(|value| value.as_bytes().eq_ignore_ascii_case(b"true")) {
        headers
            .insert(HeaderName::from_static("access-control-allow-private-network"), HeaderValue::from_static("true"));
    }
    headers.append(
        header::VARY,
        HeaderValue::from_static("Origin, Access-Control-Request-Method, Access-Control-Request-Headers"),
    );
    response
}

/// For an allowed page (`allowed`, its `Origin`): `Access-Control-Allow-Origin` naming it
/// and `Access-Control-Expose-Headers` naming the answer's headers (preflights need none).
/// Without one, no CORS headers. Every answer varies by `Origin`, so no cache serves one
/// page's answer to another.
fn allow_origin(headers: &mut HeaderMap, allowed: Option<HeaderValue>) {
    let is_preflight = headers.contains_key(header::ACCESS_CONTROL_ALLOW_METHODS);
    if let Some(origin) = allowed {
        if !is_preflight {
            let names: Vec<&str> = headers
                .keys()
                .map(HeaderName::as_str)
                .filter(|name| !name.starts_with("access-control-") && *name != "set-cookie")
                .collect();
            let exposed = if names.is_empty() { "*".to_string() } else { names.join(", ") };
            if let Ok(value) = HeaderValue::from_str(&exposed) {
                headers.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, value);
            }
        }
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    }
    if !is_preflight {
        headers.append(header::VARY, HeaderValue::from_static("Origin"));
    }
}

/// Why a request got no answer from upstream; becomes a JSON `{"message"}` answer.
struct Failure {
    status: StatusCode,
    message: String,
}

impl Failure {
    fn new(status: StatusCode, message: impl Into<String>) -> Failure {
        Failure { status, message: message.into() }
    }

    fn into_response(self) -> Response<ProxyBody> {
        let body = serde_json::json!({ "message": format!("kensa cors-proxy: {}", self.message) }).to_string();
        let mut response = Response::new(ProxyBody::full(Bytes::from(body)));
        *response.status_mut() = self.status;
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        response
    }
}

/// Forwards `request` and streams the answer back, all by `deadline`: a body still coming
/// then is cut off (and `cut_off`, the request's method and path, logged as such).
async fn forward(
    request: Request<Incoming>,
    upstream: &Upstream,
    deadline: tokio::time::Instant,
    cut_off: String,
) -> Result<Response<ProxyBody>, Failure> {
    let (parts, body) = request.into_parts();
    if !parts.uri.path().starts_with('/') {
        return Err(Failure::new(StatusCode::BAD_REQUEST, "the request target must be a path"));
    }
    let declared = parts.headers.get(header::CONTENT_LENGTH).and_then(|value| value.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|length| length > MAX_REQUEST_BODY as u64) {
        return Err(too_large());
    }
    let seconds = upstream.deadline.as_secs();
    let body = match tokio::time::timeout_at(deadline, Limited::new(body, MAX_REQUEST_BODY).collect()).await {
        Ok(Ok(collected)) => collected.to_bytes(),
        Ok(Err(error)) if error.downcast_ref::<http_body_util::LengthLimitError>().is_some() => {
            return Err(too_large());
        }
        Ok(Err(_)) => return Err(Failure::new(StatusCode::BAD_REQUEST, "the request body could not be read")),
        Err(_) => {
            return Err(Failure::new(
                StatusCode::REQUEST_TIMEOUT,
                format!("the request body did not arrive within {seconds} s"),
            ));
        }
    };
    let path_and_query = parts.uri.path_and_query().map_or("/", |target| target.as_str());
    let url = format!("{}{path_and_query}", upstream.origin);
    let mut builder = upstream.client.request(parts.method, url).headers(forwarded(&parts.headers));
    if !body.is_empty() || declared.is_some() {
        builder = builder.body(body);
    }
    let late =
        || Failure::new(StatusCode::GATEWAY_TIMEOUT, format!("no answer from {} within {seconds} s", upstream.origin));
    // A hung provider must not hold the browser longer than Heroku would wait.
    let sent = tokio::time::timeout_at(deadline, builder.send()).await.map_err(|_| late())?;
    let mut answer = sent.map_err(|error| {
        let error = error.without_url();
        if error.is_timeout() {
            late()
        } else if error.is_connect() {
            Failure::new(StatusCode::BAD_GATEWAY, format!("cannot connect to {}", upstream.origin))
        } else {
            Failure::new(StatusCode::BAD_GATEWAY, format!("no answer from {}", upstream.origin))
        }
    })?;
    let mut response = Response::new(ProxyBody::empty());
    *response.status_mut() = answer.status();
    *response.headers_mut() = forwarded(answer.headers());
    if let Some(length) = answer.headers().get(header::CONTENT_LENGTH) {
        // Kept as sent (also for HEAD): the body is passed on byte for byte, never decompressed.
        response.headers_mut().insert(header::CONTENT_LENGTH, length.clone());
    }
    let (sender, receiver) = mpsc::channel(8);
    tokio::spawn(async move {
        let streamed = tokio::time::timeout_at(deadline, async {
            loop {
                let item = match answer.chunk().await {
                    Ok(Some(chunk)) => Ok(chunk),
                    Ok(None) => break,
                    Err(_) => Err(std::io::Error::other("the upstream body broke off")),
                };
                let stop = item.is_err();
                if sender.send(item).await.is_err() || stop {
                    break;
                }
            }
        })
        .await;
        if streamed.is_err() {
            // The body ends the answer with an error at the deadline too; this makes sure
            // the end is never taken for a whole body.
            let _ = sender.try_send(Err(std::io::Error::other("the upstream body did not end in time")));
        }
    });
    let late = format!("{cut_off}: cut off, the body from {} did not end within {seconds} s\n", upstream.origin);
    *response.body_mut() = ProxyBody::Streamed(Box::new(Streamed {
        receiver,
        deadline: Box::pin(tokio::time::sleep_until(deadline)),
        at: deadline,
        late: Some(late),
        log: Arc::clone(&upstream.log),
    }));
    Ok(response)
}

fn too_large() -> Failure {
    Failure::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("request bodies over {} MiB are refused", MAX_REQUEST_BODY >> 20),
    )
}

/// `headers` without hop-by-hop headers (including any the `Connection` header names).
fn forwarded(headers: &HeaderMap) -> HeaderMap {
    let named: Vec<String> = headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(|name| name.trim().to_ascii_lowercase())
        .collect();
    let mut kept = HeaderMap::with_capacity(headers.len());
    for (name, value) in headers {
        let name_text = name.as_str();
        if !NOT_FORWARDED.contains(&name_text) && !named.iter().any(|named| named == name_text) {
            kept.append(name.clone(), value.clone());
        }
    }
    kept
}

/// A whole body, or one streamed from upstream chunk by chunk.
enum ProxyBody {
    Full(Option<Bytes>),
    Streamed(Box<Streamed>),
}

/// A body from upstream, ended with an error (which makes hyper abort the answer rather
/// than end it as if whole) when the exchange's deadline passes.
struct Streamed {
    receiver: mpsc::Receiver<std::io::Result<Bytes>>,
    /// Wakes the body at the deadline.
    deadline: Pin<Box<tokio::time::Sleep>>,
    at: tokio::time::Instant,
    /// Logged once, when the deadline cuts the body off.
    late: Option<String>,
    log: Arc<Log>,
}

impl ProxyBody {
    fn empty() -> ProxyBody {
        ProxyBody::Full(None)
    }

    fn full(bytes: Bytes) -> ProxyBody {
        ProxyBody::Full(Some(bytes))
    }
}

impl hyper::body::Body for ProxyBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> Poll<Option<std::io::Result<Frame<Bytes>>>> {
        match self.get_mut() {
            ProxyBody::Full(bytes) => {
                Poll::Ready(bytes.take().filter(|bytes| !bytes.is_empty()).map(|bytes| Ok(Frame::data(bytes))))
            }
            ProxyBody::Streamed(streamed) => {
                // The deadline first: an upstream that always has a byte ready is cut off too.
                if tokio::time::Instant::now() >= streamed.at || streamed.deadline.as_mut().poll(cx).is_ready() {
                    return Poll::Ready(streamed.late.take().map(|late| {
                        streamed.log.line(&late);
                        Err(std::io::Error::other("the upstream body did not end in time"))
                    }));
                }
                streamed.receiver.poll_recv(cx).map(|item| item.map(|chunk| chunk.map(Frame::data)))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        matches!(self, ProxyBody::Full(None))
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        match self {
            ProxyBody::Full(bytes) => {
                hyper::body::SizeHint::with_exact(bytes.as_ref().map_or(0, |bytes| bytes.len() as u64))
            }
            ProxyBody::Streamed(_) => hyper::body::SizeHint::default(),
        }
    }
}

#[cfg(test)]
mod tests;
