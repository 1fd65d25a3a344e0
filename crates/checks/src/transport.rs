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

/// Receives the provider's calls back to Heroku: a host that can listen runs a stand-in
/// for Heroku's token endpoint and Platform API, as strict as Heroku, for every provision.
/// A browser cannot, and gives none.
pub trait CallbackReceiver {
    /// The `callback_url` to send for the resource `uuid`
    /// (`http://127.0.0.1:PORT/addons/<uuid>`).
    fn callback_url(&self, uuid: &str) -> String;

    /// The engine sent `code` as the `oauth_grant` of the provision of `uuid`: the stand-in
    /// exchanges it once, before `expires_at_ms` (Unix milliseconds), for a token that
    /// works for that resource alone.
    fn grant_sent(&self, uuid: &str, code: &str, expires_at_ms: u64);

    /// Every call that has arrived so far, in order, without waiting.
    fn received(&self) -> Vec<CallbackCall>;

    /// Waits until the provider finishes provisioning `uuid`, stops after the stand-in
    /// refused one of its calls, or `timeout_ms` passes, and returns every call it made to
    /// the stand-in, in order. Boxed, so that the engine can hold any receiver as
    /// `&dyn CallbackReceiver`.
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
    /// True when the wait ended because the time ran out.
    pub timed_out: bool,
}

/// One request the provider made to the stand-in, and how the stand-in judged it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallbackCall {
    pub method: Method,
    /// Path relative to the stand-in's origin, such as `/addons/<uuid>/config`.
    pub path: String,
    /// The headers as sent; none for a token exchange, which carries the client secret.
    pub headers: Vec<(String, String)>,
    /// The body as sent; empty for a token exchange.
    pub body: Vec<u8>,
    /// The uuid of the resource the call was about, when the stand-in could tell (from the
    /// path, or from the grant code or refresh token a token exchange carried).
    pub resource: Option<String>,
    /// The rules of Heroku's the call broke, if any; the stand-in then refused it as
    /// Heroku would.
    pub refusals: Vec<Refusal>,
}

impl CallbackCall {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)).map(|(_, value)| value.as_str())
    }

    /// `POST /oauth/token`: the token endpoint, not the Platform API.
    pub fn is_token_exchange(&self) -> bool {
        self.path == TOKEN_PATH
    }
}

/// The path of the stand-in's token endpoint (Heroku's is `https://id.heroku.com/oauth/token`).
pub const TOKEN_PATH: &str = "/oauth/token";

/// The one `Accept` value Heroku's Platform API answers without a 406.
pub const PLATFORM_ACCEPT: &str = "application/vnd.heroku+json; version=3";

/// Why Heroku (and so the stand-in) refuses a call. Values the provider sent are kept only
/// where they are not secret.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Refusal {
    /// Token endpoint: `grant_type` missing (`None`) or neither `authorization_code` nor
    /// `refresh_token`.
    GrantType { sent: Option<String> },
    /// Token endpoint: no `client_secret`, or an empty one.
    ClientSecretMissing,
    /// Token endpoint: not the client secret the user gave kensa.
    ClientSecretMismatch,
    /// `grant_type=authorization_code` without a `code`.
    CodeMissing,
    /// A code the engine never sent.
    CodeNotIssued,
    /// A code that was exchanged already.
    CodeReused,
    /// A code exchanged after its `expires_at` (Unix milliseconds).
    CodeExpired { expired_at_ms: u64 },
    /// `grant_type=refresh_token` without a `refresh_token`.
    RefreshTokenMissing,
    /// A refresh token the stand-in never issued.
    RefreshTokenNotIssued,
    /// Platform API: no `Accept` (`None`) or not [`PLATFORM_ACCEPT`]; Heroku answers 406.
    NotAcceptable { sent: Option<String> },
    /// Platform API: no `Authorization: Bearer` token.
    BearerMissing,
    /// Platform API: a bearer token the stand-in never issued.
    BearerNotIssued,
    /// Platform API: a token issued for another resource than the one addressed.
    BearerForAnotherResource,
    /// A path or method Heroku's API does not have.
    UnknownEndpoint,
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
