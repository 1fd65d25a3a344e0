//! The native effects the engine needs: HTTP through reqwest (rustls, no redirects
//! followed), the system clock and the OS random source.

use kensa_checks::{Capabilities, Clock, IdSource, Method, Request, Response, Transport, TransportError};
use std::cell::OnceCell;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub(crate) struct ReqwestTransport {
    /// For `http:` URLs; built on first use, without loading any certificates.
    plain: OnceCell<reqwest::Client>,
    /// For `https:` URLs; built on first use, with the system's certificates.
    tls: OnceCell<reqwest::Client>,
    insecure: bool,
}

impl ReqwestTransport {
    pub(crate) fn new(insecure: bool) -> ReqwestTransport {
        ReqwestTransport { plain: OnceCell::new(), tls: OnceCell::new(), insecure }
    }

    /// The client for `url`. Loading the system's certificates costs more than a whole
    /// loopback run, so an all-http run never does it.
    fn client(&self, url: &str) -> Result<&reqwest::Client, TransportError> {
        let https = kensa_manifest::url::HttpUrl::parse(url).is_ok_and(|url| url.is_https());
        let cell = if https { &self.tls } else { &self.plain };
        if let Some(client) = cell.get() {
            return Ok(client);
        }
        let client = client_builder(https, self.insecure)
            .build()
            .map_err(|error| TransportError::Other(format!("cannot set up HTTP: {error}")))?;
        Ok(cell.get_or_init(|| client))
    }
}

/// Connection policy: a fresh connection for every exchange, never a pooled one.
///
/// Heroku's own calls arrive on fresh connections, so that is what a provider must answer
/// well. Reusing a keep-alive connection is slower, not faster, against the servers
/// providers really run: one that writes headers and body in two writes with Nagle on
/// (Python's `http.server`, many small frameworks) meets our delayed ACK and each exchange
/// stalls about 40 ms, while a new connection is in quick-ACK mode. And a server may close
/// an idle keep-alive connection just as we reuse it, which would fail a check for
/// nothing. A loopback connect costs tens of microseconds.
fn client_builder(https: bool, insecure: bool) -> reqwest::ClientBuilder {
    let builder = crate::http::client_builder().pool_max_idle_per_host(0).tcp_nodelay(true);
    if https {
        builder.tls_danger_accept_invalid_certs(insecure)
    } else {
        // Never used for TLS: no certificate store to load.
        builder.tls_certs_only(std::iter::empty())
    }
}

impl Transport for ReqwestTransport {
    fn capabilities(&self) -> Capabilities {
        Capabilities::FULL
    }

    async fn send(&self, request: Request) -> Result<Response, TransportError> {
        let timeout = Duration::from_millis(request.timeout_ms);
        // The deadline covers the body too, so a provider that trickles bytes cannot hold us.
        match tokio::time::timeout(timeout, self.exchange(request)).await {
            Ok(result) => result,
            Err(_) => Err(TransportError::Timeout),
        }
    }
}

impl ReqwestTransport {
    async fn exchange(&self, request: Request) -> Result<Response, TransportError> {
        let method = match request.method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            Method::Patch => reqwest::Method::PATCH,
            Method::Delete => reqwest::Method::DELETE,
        };
        let mut builder = self.client(&request.url)?.request(method, &request.url);
        for (name, value) in &request.headers {
            builder = builder.header(name, value);
        }
        if let Some(body) = request.body {
            builder = builder.body(body);
        }
        let mut response = builder.send().await.map_err(classify)?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(name, value)| (name.to_string(), String::from_utf8_lossy(value.as_bytes()).into_owned()))
            .collect();
        let body = crate::http::read_body(&mut response, request.max_body_bytes)
            .await
            .map_err(classify)?
            .ok_or(TransportError::BodyTooLarge)?;
        Ok(Response { status, headers, body })
    }
}

/// Sorts a reqwest failure into what the checks report.
fn classify(error: reqwest::Error) -> TransportError {
    let causes = crate::http::causes(&error);
    let detail = causes.last().cloned().unwrap_or_default();
    if error.is_timeout() {
        TransportError::Timeout
    } else if error.is_connect() {
        TransportError::Connect(detail)
    } else if causes
        .iter()
        .any(|cause| cause.contains("closed") || cause.contains("reset") || cause.contains("incomplete"))
    {
        TransportError::Closed(String::new())
    } else if error.is_body() || error.is_decode() {
        TransportError::Closed(detail)
    } else {
        TransportError::Other(if detail.is_empty() { error.to_string() } else { detail })
    }
}

pub(crate) struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX))
    }
}

/// Random ids from the OS; a counter keeps them distinct should the OS source fail.
#[derive(Default)]
pub(crate) struct OsRandom {
    fallback: u64,
}

impl IdSource for OsRandom {
    fn random_bytes(&mut self) -> [u8; 16] {
        let mut bytes = [0u8; 16];
        if getrandom::fill(&mut bytes).is_err() {
            self.fallback += 1;
            bytes[..8].copy_from_slice(&SystemClock.now_ms().to_le_bytes());
            bytes[8..].copy_from_slice(&self.fallback.to_le_bytes());
        }
        bytes
    }
}
