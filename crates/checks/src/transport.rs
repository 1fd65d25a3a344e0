//! The effects the engine needs, as narrow traits the host implements: HTTP, a clock and
//! random ids. Futures carry no `Send` bound because browser futures are not `Send`.

use std::fmt;
use std::future::Future;
use std::pin::Pin;

/// An HTTP request the engine wants made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    pub method: Method,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
    /// Give up after this long, counting the whole exchange.
    pub timeout_ms: u64,
    /// Stop reading a body longer than this and fail with [`TransportError::BodyTooLarge`].
    pub max_body_bytes: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What came back. Redirects are not followed: a 3xx is a response like any other.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    /// The first header named `name`, compared case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)).map(|(_, value)| value.as_str())
    }
}

/// Why no response arrived.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportError {
    /// Nothing accepted the connection (refused, unknown host, blocked by the browser).
    Connect(String),
    /// The connection closed before a whole response arrived.
    Closed(String),
    /// No whole response within the request's timeout.
    Timeout,
    /// The body is longer than the request's limit; reading stopped there.
    BodyTooLarge,
    /// Anything else, described by the host.
    Other(String),
    /// Never returned by a host: the engine did not send the request because an earlier
    /// one to the same endpoint (named here, such as `DELETE http://host/resources/*`)
    /// timed out in this run.
    EndpointTimedOut(String),
}

/// What a host's transport can see. A browser cannot read `Set-Cookie` and cannot stop at
/// a redirect; checks needing those are skipped, not failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Capabilities {
    pub cookies: bool,
    pub redirects: bool,
}

impl Capabilities {
    pub const FULL: Capabilities = Capabilities { cookies: true, redirects: true };
    pub const BROWSER: Capabilities = Capabilities { cookies: false, redirects: false };
}

/// Sends HTTP requests for the engine.
#[expect(async_fn_in_trait, reason = "browser futures are not Send, so no Send bound is wanted")]
pub trait Transport {
    fn capabilities(&self) -> Capabilities;

    async fn send(&self, request: Request) -> Result<Response, TransportError>;
}

/// Receives the provider's calls back to Heroku during asynchronous provisioning: a host
/// that can listen runs a stand-in for Heroku's API. A browser cannot, and gives none.
pub trait CallbackReceiver {
    /// The `callback_url` to send for the resource `uuid`
    /// (`http://127.0.0.1:PORT/addons/<uuid>`).
    fn callback_url(&self, uuid: &str) -> String;

    /// Waits until the provider finishes provisioning `uuid` (or `timeout_ms` passes) and
    /// returns every call it made to the stand-in, in order. Boxed, so that the engine
    /// can hold any receiver as `&dyn CallbackReceiver`.
    fn wait_for_callbacks<'a>(
        &'a self,
        uuid: &'a str,
        timeout_ms: u64,
    ) -> Pin<Box<dyn Future<Output = CallbackLog> + 'a>>;
}

/// What a provider sent to the Heroku stand-in while provisioning asynchronously.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CallbackLog {
    pub calls: Vec<CallbackCall>,
    /// OAuth grants exchanged at the stand-in's token endpoint.
    pub grants: Vec<ExchangedGrant>,
    /// True when the wait ended because the time ran out.
    pub timed_out: bool,
}

/// One request the provider made to the stand-in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallbackCall {
    pub method: Method,
    /// Path relative to the stand-in's origin, such as `/addons/<uuid>/config`.
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl CallbackCall {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)).map(|(_, value)| value.as_str())
    }
}

/// An authorization code the provider exchanged, and the token it got for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExchangedGrant {
    pub code: String,
    pub access_token: String,
}

/// The wall clock, in milliseconds since the Unix epoch.
pub trait Clock {
    fn now_ms(&self) -> u64;
}

/// Random bytes for uuids and fake app names.
pub trait IdSource {
    fn random_bytes(&mut self) -> [u8; 16];
}

/// A version 4 UUID from 16 random bytes.
pub fn uuid_v4(mut bytes: [u8; 16]) -> String {
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex = crate::encoding::hex(&bytes);
    format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_a_version_4_uuid() {
        assert_eq!(uuid_v4([0xff; 16]), "ffffffff-ffff-4fff-bfff-ffffffffffff");
        assert_eq!(uuid_v4([0; 16]), "00000000-0000-4000-8000-000000000000");
    }
}
