//! What the provider's tests share: requests to a running provider over `kensa_testkit`'s
//! raw client (so the tests need no HTTP crate), the bodies Heroku sends, SSO forms.
#![allow(dead_code, unreachable_pub, reason = "shared by several test crates")]

pub mod heroku;

use std::io;
use std::net::SocketAddr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use kensa_provider::{RunningProvider, basic_auth_header};
pub use kensa_testkit::HttpResponse;
use kensa_testkit::{HttpRequest, form_encode, parse_response};
use serde_json::Value;

/// Sends one request on a fresh connection and returns every byte answered, or the error
/// that cut the exchange short.
pub fn raw(addr: SocketAddr, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> io::Result<Vec<u8>> {
    HttpRequest::to(addr, method, path).headers(headers).body(body).timeout(Duration::from_secs(60)).exchange()
}

/// An answer read by [`raw`]; panics on one that is not HTTP.
#[track_caller]
pub fn parse(bytes: &[u8]) -> HttpResponse {
    parse_response(bytes).unwrap_or_else(|problem| panic!("{problem}: {:?}", String::from_utf8_lossy(bytes)))
}

#[track_caller]
pub fn send(p: &RunningProvider, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> HttpResponse {
    parse(&raw(p.addr(), method, path, headers, body.as_bytes()).unwrap())
}

pub fn auth() -> String {
    basic_auth_header("myaddon", "secret")
}

pub const V3_ACCEPT: &str = "application/vnd.heroku-addons+json; version=3";

/// POST to the provisioning API with the right credentials.
pub fn provision(p: &RunningProvider, body: &Value) -> HttpResponse {
    provision_as(p, Some(&auth()), body)
}

pub fn provision_as(p: &RunningProvider, authorization: Option<&str>, body: &Value) -> HttpResponse {
    let mut headers = vec![("Content-Type", "application/json"), ("Accept", V3_ACCEPT)];
    if let Some(a) = authorization {
        headers.push(("Authorization", a));
    }
    send(p, "POST", "/heroku/resources", &headers, &body.to_string())
}

pub fn v3_body(uuid: &str) -> Value {
    serde_json::json!({
        "uuid": uuid,
        "name": "acme-primary",
        "plan": "test",
        "region": "amazon-web-services::us-east-1",
        "callback_url": format!("https://api.heroku.com/addons/{uuid}"),
        "options": {},
        "oauth_grant": null
    })
}

/// What kensa sends (v1 shape, plain JSON Accept).
pub fn v1_body(uuid: &str) -> Value {
    serde_json::json!({
        "heroku_id": "app1234@kensa.heroku.com",
        "plan": "test",
        "callback_url": "http://localhost:7779/callback/999",
        "logplex_token": null,
        "region": "amazon-web-services::us-east-1",
        "options": {},
        "uuid": uuid
    })
}

pub fn provision_v1(p: &RunningProvider, body: &Value) -> HttpResponse {
    let a = auth();
    send(
        p,
        "POST",
        "/heroku/resources",
        &[("Content-Type", "application/json"), ("Accept", "application/json"), ("Authorization", &a)],
        &body.to_string(),
    )
}

pub fn with_auth(p: &RunningProvider, method: &str, path: &str, body: &str) -> HttpResponse {
    let a = auth();
    send(p, method, path, &[("Content-Type", "application/json"), ("Accept", V3_ACCEPT), ("Authorization", &a)], body)
}

#[allow(clippy::disallowed_methods, reason = "host test: SSO timestamps are wall-clock seconds")]
pub fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs().try_into().unwrap()
}

pub fn form(pairs: &[(&str, &str)]) -> String {
    form_encode(pairs)
}

pub fn sso_post(p: &RunningProvider, pairs: &[(&str, &str)]) -> HttpResponse {
    send(p, "POST", "/sso/login", &[("Content-Type", "application/x-www-form-urlencoded")], &form(pairs))
}

/// Follows an SSO redirect with the session cookie, as a browser would.
pub fn dashboard(p: &RunningProvider, login: &HttpResponse) -> HttpResponse {
    let session = login.cookie("kensa-provider-session").expect("session cookie");
    let cookie = format!("kensa-provider-session={session}");
    send(p, "GET", "/dashboard", &[("Cookie", &cookie)], "")
}

pub const NAV: &str = "eyJhZGRvbiI6IllvdXIgQWRkb24iLCJhcHBuYW1lIjoibXlhcHAifQ";
