//! A deliberately small HTTP/1.1 client over std TcpStream, so the tests need no HTTP crate.
#![allow(dead_code, unreachable_pub, reason = "shared by several test crates")]

pub mod heroku;

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use kensa_provider::{RunningProvider, basic_auth_header};
use serde_json::Value;

pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn all(&self, name: &str) -> Vec<&str> {
        self.headers.iter().filter(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str()).collect()
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.text()))
    }

    /// Value of a cookie set by this reply.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.all("set-cookie").into_iter().find_map(|c| {
            let (pair, _) = c.split_once(';').unwrap_or((c, ""));
            let (k, v) = pair.split_once('=')?;
            (k.trim() == name).then(|| v.trim().to_owned())
        })
    }
}

/// Sends one request on a fresh connection and reads the whole answer.
pub fn raw(addr: SocketAddr, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> io::Result<Vec<u8>> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    let mut head =
        format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)?;
    let mut out = Vec::new();
    stream.read_to_end(&mut out)?;
    Ok(out)
}

pub fn parse(bytes: &[u8]) -> Reply {
    let split = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no header end in {:?}", String::from_utf8_lossy(bytes)));
    let head = String::from_utf8_lossy(&bytes[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap();
    let status = status_line.split(' ').nth(1).unwrap().parse().unwrap();
    let headers: Vec<(String, String)> =
        lines.filter_map(|l| l.split_once(':')).map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned())).collect();
    let mut body = bytes[split + 4..].to_vec();
    let chunked =
        headers.iter().any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.eq_ignore_ascii_case("chunked"));
    if chunked {
        body = dechunk(&body);
    }
    Reply { status, headers, body }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line_end = data.windows(2).position(|w| w == b"\r\n").unwrap();
        let size_text = String::from_utf8_lossy(&data[..line_end]).into_owned();
        let size = usize::from_str_radix(size_text.split(';').next().unwrap().trim(), 16).unwrap();
        data = &data[line_end + 2..];
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&data[..size]);
        data = &data[size + 2..];
    }
}

pub fn send(p: &RunningProvider, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Reply {
    parse(&raw(p.addr(), method, path, headers, body.as_bytes()).unwrap())
}

pub fn auth() -> String {
    basic_auth_header("myaddon", "secret")
}

pub const V3_ACCEPT: &str = "application/vnd.heroku-addons+json; version=3";

/// POST to the provisioning API with the right credentials.
pub fn provision(p: &RunningProvider, body: &Value) -> Reply {
    provision_as(p, Some(&auth()), body)
}

pub fn provision_as(p: &RunningProvider, authorization: Option<&str>, body: &Value) -> Reply {
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

pub fn provision_v1(p: &RunningProvider, body: &Value) -> Reply {
    let a = auth();
    send(
        p,
        "POST",
        "/heroku/resources",
        &[("Content-Type", "application/json"), ("Accept", "application/json"), ("Authorization", &a)],
        &body.to_string(),
    )
}

pub fn with_auth(p: &RunningProvider, method: &str, path: &str, body: &str) -> Reply {
    let a = auth();
    send(p, method, path, &[("Content-Type", "application/json"), ("Accept", V3_ACCEPT), ("Authorization", &a)], body)
}

#[allow(clippy::disallowed_methods, reason = "host test: SSO timestamps are wall-clock seconds")]
pub fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs().try_into().unwrap()
}

pub fn form(pairs: &[(&str, &str)]) -> String {
    pairs.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect::<Vec<_>>().join("&")
}

fn encode(v: &str) -> String {
    v.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

pub fn sso_post(p: &RunningProvider, pairs: &[(&str, &str)]) -> Reply {
    send(p, "POST", "/sso/login", &[("Content-Type", "application/x-www-form-urlencoded")], &form(pairs))
}

/// Follows an SSO redirect with the session cookie, as a browser would.
pub fn dashboard(p: &RunningProvider, login: &Reply) -> Reply {
    let session = login.cookie("kensa-provider-session").expect("session cookie");
    let cookie = format!("kensa-provider-session={session}");
    send(p, "GET", "/dashboard", &[("Cookie", &cookie)], "")
}

pub const NAV: &str = "eyJhZGRvbiI6IllvdXIgQWRkb24iLCJhcHBuYW1lIjoibXlhcHAifQ";
