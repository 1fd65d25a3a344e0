//! The wire toolkit of kensa's tests, one of each: a server on a plain socket whose every
//! answer a test scripts ([`HostileServer`], with [`Reply`] and, for answers that take
//! their time, [`Slow`]), the request it records ([`Recorded`]), a raw HTTP/1.1 client
//! ([`HttpRequest`], [`http`]) and HTML forms as a browser submits them.
//!
//! The provider's, the CLI's and the end-to-end tests all use it, so it depends on no
//! workspace crate. Every helper panics with a readable message instead of returning
//! errors where a test has nothing better to do; [`HttpRequest::exchange`] is the one that
//! hands the failure back, for the tests that expect a connection to break.
#![allow(clippy::disallowed_methods, reason = "test-side toolkit: sockets, threads and sleeps that pace a slow answer")]

mod client;
mod forms;
mod recorded;
mod server;

pub use client::{HttpRequest, HttpResponse, http, parse_response};
pub use forms::{form_encode, form_fields, hidden_form};
pub use recorded::Recorded;
pub use server::{HostileServer, Reply, Slow};

/// The first of `headers` called `name` (any case): the one header lookup the request and
/// the answer share.
fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)).map(|(_, value)| value.as_str())
}

/// Standard base64 (padding optional) decoded as lossy UTF-8, or the empty string when it
/// is not base64: what a test needs to read `user:password` out of a Basic header.
pub fn base64_decode(text: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD_PAD_INDIFFERENT
        .decode(text)
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_basic_credentials() {
        assert_eq!(base64_decode("YWRkb24tc2x1ZzpzdXBlci1zZWNyZXQ="), "addon-slug:super-secret");
        assert_eq!(base64_decode("YWRkb24tc2x1ZzpzdXBlci1zZWNyZXQ"), "addon-slug:super-secret");
        assert_eq!(base64_decode("not base64!"), "");
    }
}
