//! `kensa cors-proxy --to ORIGIN`: a loopback proxy that adds CORS to a provider that
//! lacks it, so the browser playground can test an unmodified service.
//!
//! It answers preflights itself, forwards everything else to the one origin it was given
//! (method, headers minus hop-by-hop ones and `Host`, body; redirects are passed through,
//! not followed) and adds `Access-Control-Allow-Origin` and `-Expose-Headers` to every
//! answer. It logs one line per request: method, path (never the query) and status; never
//! headers or bodies, so `Authorization` and SSO tokens stay off the terminal.

use crate::args::CorsProxyArgs;
use crate::error::CliError;
use crate::output::print;
use crate::{Context, ExitStatus, Result};
use http_body_util::{BodyExt, Limited};
use hyper::body::{Bytes, Frame, Incoming};
use hyper::header::{self, HeaderMap, HeaderName, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
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
    let client = crate::http::client_builder()
        .no_proxy()
        .read_timeout(Duration::from_secs(120))
        .tls_danger_accept_invalid_certs(context.insecure)
        .build()
        .map_err(|error| CliError::new(format!("cannot build the HTTP client: {error}")))?;
    if context.insecure {
        eprintln!("warning: --insecure: TLS certificates of {origin} are not verified");
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
    print(&format!("kensa cors-proxy: http://{address} -> {origin}\n"));
    let upstream = Arc::new(Upstream { origin, client, deadline: context.timeout() });
    runtime.block_on(serve(listener, upstream));
    Ok(ExitStatus::Passed)
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
    /// How long the provider has to start its answer (`--timeout`, Heroku's 25 s).
    deadline: Duration,
}

async fn serve(listener: TcpListener, upstream: Arc<Upstream>) {
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(error) => {
                // Out of file descriptors and the like: wait, don't spin or stop.
                eprintln!("kensa cors-proxy: accept failed: {error}");
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
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let origin = request.headers().get(header::ORIGIN).cloned();
    let (mut response, note) = if is_preflight(&request) {
        (preflight(request.headers()), " (preflight)".to_string())
    } else {
        match forward(request, upstream).await {
            Ok(response) => (response, String::new()),
            Err(failure) => {
                let note = format!(" ({})", failure.message);
                (failure.into_response(), note)
            }
        }
    };
    allow_origin(response.headers_mut(), origin);
    print(&format!("{method} {path} {}{note}\n", response.status().as_u16()));
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

/// `Access-Control-Allow-Origin` (the request's `Origin`, else `*`) on every answer, and
/// `Access-Control-Expose-Headers` naming the answer's headers (preflights need none).
fn allow_origin(headers: &mut HeaderMap, origin: Option<HeaderValue>) {
    let is_preflight = headers.contains_key(header::ACCESS_CONTROL_ALLOW_METHODS);
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
    match origin {
        Some(origin) => {
            headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            if !is_preflight {
                headers.append(header::VARY, HeaderValue::from_static("Origin"));
            }
        }
        None => {
            headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
        }
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

async fn forward(request: Request<Incoming>, upstream: &Upstream) -> Result<Response<ProxyBody>, Failure> {
    let (parts, body) = request.into_parts();
    if !parts.uri.path().starts_with('/') {
        return Err(Failure::new(StatusCode::BAD_REQUEST, "the request target must be a path"));
    }
    let declared = parts.headers.get(header::CONTENT_LENGTH).and_then(|value| value.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|length| length > MAX_REQUEST_BODY as u64) {
        return Err(too_large());
    }
    let body = match Limited::new(body, MAX_REQUEST_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(error) if error.downcast_ref::<http_body_util::LengthLimitError>().is_some() => return Err(too_large()),
        Err(_) => return Err(Failure::new(StatusCode::BAD_REQUEST, "the request body could not be read")),
    };
    let path_and_query = parts.uri.path_and_query().map_or("/", |target| target.as_str());
    let url = format!("{}{path_and_query}", upstream.origin);
    let mut builder = upstream.client.request(parts.method, url).headers(forwarded(&parts.headers));
    if !body.is_empty() || declared.is_some() {
        builder = builder.body(body);
    }
    let seconds = upstream.deadline.as_secs();
    let late =
        || Failure::new(StatusCode::GATEWAY_TIMEOUT, format!("no answer from {} within {seconds} s", upstream.origin));
    // A hung provider must not hold the browser longer than Heroku would wait.
    let sent = tokio::time::timeout(upstream.deadline, builder.send()).await.map_err(|_| late())?;
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
    });
    *response.body_mut() = ProxyBody::Channel(receiver);
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
    Channel(mpsc::Receiver<std::io::Result<Bytes>>),
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
            ProxyBody::Channel(receiver) => receiver.poll_recv(cx).map(|item| item.map(|chunk| chunk.map(Frame::data))),
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
            ProxyBody::Channel(_) => hyper::body::SizeHint::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_upstream_must_be_an_http_origin() {
        assert_eq!(upstream_origin("http://localhost:5000").unwrap(), "http://localhost:5000");
        assert_eq!(upstream_origin("http://localhost:5000/").unwrap(), "http://localhost:5000");
        assert_eq!(upstream_origin("https://example.com:443").unwrap(), "https://example.com");
        for bad in [
            "localhost:5000",
            "ftp://localhost:5000",
            "http://localhost:5000/heroku/resources",
            "http://localhost:5000/?a=1",
            "http://user:pw@localhost:5000",
            "not a url",
        ] {
            assert!(upstream_origin(bad).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn hop_by_hop_headers_and_host_are_not_forwarded() {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_static("127.0.0.1:5001"));
        headers.insert(header::CONNECTION, HeaderValue::from_static("keep-alive, x-private"));
        headers.insert(HeaderName::from_static("x-private"), HeaderValue::from_static("1"));
        headers.insert(header::TRANSFER_ENCODING, HeaderValue::from_static("chunked"));
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic eDp5"));
        headers.append(header::ACCEPT, HeaderValue::from_static("application/json"));
        headers.append(header::ACCEPT, HeaderValue::from_static("text/plain"));
        let kept = forwarded(&headers);
        let names: Vec<&str> = kept.keys().map(HeaderName::as_str).collect();
        assert_eq!(names, ["authorization", "accept"]);
        assert_eq!(kept.get_all(header::ACCEPT).iter().count(), 2);
    }

    #[test]
    fn answers_allow_the_origin_and_expose_their_headers() {
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        headers.insert(header::LOCATION, HeaderValue::from_static("/dashboard"));
        allow_origin(&mut headers, Some(HeaderValue::from_static("http://127.0.0.1:8080")));
        assert_eq!(headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "http://127.0.0.1:8080");
        assert_eq!(headers[header::ACCESS_CONTROL_EXPOSE_HEADERS], "content-type, location");
        assert_eq!(headers[header::VARY], "Origin");

        let mut headers = HeaderMap::new();
        allow_origin(&mut headers, None);
        assert_eq!(headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    }
}
