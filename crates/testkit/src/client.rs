//! A raw HTTP/1.1 client: one request on a fresh connection (`Connection: close`), read to
//! the end, with every byte of the request under the test's control (the `Host` header,
//! an absolute-form target) and no HTTP crate in between.

use std::fmt::Display;
use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use serde_json::Value;

/// An answer read by [`HttpRequest`] or [`http`].
#[derive(Clone, Debug)]
pub struct HttpResponse {
    pub status: u16,
    /// Header names lower-cased, in arrival order.
    pub headers: Vec<(String, String)>,
    /// The body, de-chunked.
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// The first header called `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        crate::header(&self.headers, name)
    }

    /// The `name=value` pairs of every `Set-Cookie`, without their attributes.
    pub fn cookies(&self) -> Vec<(String, String)> {
        self.headers
            .iter()
            .filter(|(key, _)| key == "set-cookie")
            .filter_map(|(_, value)| value.split(';').next()?.split_once('='))
            .map(|(name, value)| (name.trim().to_string(), value.trim().to_string()))
            .collect()
    }

    /// The value of the cookie called `name` this answer sets.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies().into_iter().find(|(key, _)| key == name).map(|(_, value)| value)
    }

    /// The body as text (lossy UTF-8).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as JSON; panics, showing the body, when it is not.
    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|error| panic!("not JSON ({error}): {:?}", self.text()))
    }
}

/// One request, built up and then sent on a fresh connection.
#[derive(Clone, Debug)]
pub struct HttpRequest {
    /// `host:port` to connect to.
    address: String,
    method: String,
    target: String,
    host: Option<String>,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    timeout: Duration,
}

impl HttpRequest {
    /// `method` on a plain `http://host:port/path?query` URL, with `Host: host:port`.
    /// Panics on any other kind of URL.
    #[track_caller]
    pub fn new(method: &str, url: &str) -> HttpRequest {
        let rest = url.strip_prefix("http://").unwrap_or_else(|| panic!("not an http:// URL: {url}"));
        let (address, target) = match rest.find('/') {
            Some(slash) => (&rest[..slash], &rest[slash..]),
            None => (rest, "/"),
        };
        HttpRequest::to(address, method, target)
    }

    /// `method target` sent to `address` (`host:port`) with `Host: <address>`; the target
    /// goes out as given, so it may be absolute-form (`http://elsewhere/path`).
    pub fn to(address: impl Display, method: &str, target: &str) -> HttpRequest {
        let address = address.to_string();
        HttpRequest {
            host: Some(address.clone()),
            address,
            method: method.to_string(),
            target: target.to_string(),
            headers: Vec::new(),
            body: Vec::new(),
            timeout: Duration::from_secs(30),
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> HttpRequest {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    pub fn headers(self, headers: &[(&str, &str)]) -> HttpRequest {
        headers.iter().fold(self, |request, (name, value)| request.header(name, value))
    }

    /// Replaces the `Host` header; `None` sends none at all.
    pub fn host(mut self, host: Option<&str>) -> HttpRequest {
        self.host = host.map(str::to_string);
        self
    }

    /// The body. `Content-Length` goes with a body, and with every POST, PUT and PATCH.
    pub fn body(mut self, body: impl AsRef<[u8]>) -> HttpRequest {
        self.body = body.as_ref().to_vec();
        self
    }

    /// How long to wait for the answer to end (30 s unless set): a failure timeout.
    pub fn timeout(mut self, timeout: Duration) -> HttpRequest {
        self.timeout = timeout;
        self
    }

    /// The request's bytes as they go on the wire.
    fn bytes(&self) -> Vec<u8> {
        let mut head = format!("{} {} HTTP/1.1\r\n", self.method, self.target);
        if let Some(host) = &self.host {
            head.push_str(&format!("Host: {host}\r\n"));
        }
        head.push_str("Connection: close\r\n");
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        if !self.body.is_empty() || matches!(self.method.as_str(), "POST" | "PUT" | "PATCH") {
            head.push_str(&format!("Content-Length: {}\r\n", self.body.len()));
        }
        head.push_str("\r\n");
        let mut bytes = head.into_bytes();
        bytes.extend_from_slice(&self.body);
        bytes
    }

    /// Sends the request and returns every byte answered until the server closed the
    /// connection: the failure is the caller's to judge (a test of a dropped connection
    /// expects one).
    pub fn exchange(&self) -> io::Result<Vec<u8>> {
        let mut last = io::Error::new(io::ErrorKind::NotFound, format!("cannot resolve {}", self.address));
        for address in self.address.to_socket_addrs()? {
            match TcpStream::connect_timeout(&address, Duration::from_secs(5)) {
                Ok(mut stream) => {
                    stream.set_read_timeout(Some(self.timeout))?;
                    stream.write_all(&self.bytes())?;
                    let mut raw = Vec::new();
                    stream.read_to_end(&mut raw)?;
                    return Ok(raw);
                }
                Err(error) => last = error,
            }
        }
        Err(last)
    }

    /// Sends the request and reads the answer. Panics when the server cannot be reached
    /// or answers nonsense.
    #[track_caller]
    pub fn send(&self) -> HttpResponse {
        let (method, url) = (&self.method, format!("{}{}", self.address, self.target));
        let raw = self.exchange().unwrap_or_else(|error| panic!("{method} {url}: {error}"));
        parse_response(&raw).unwrap_or_else(|problem| {
            panic!("bad answer to {method} {url}: {problem}\n{}", String::from_utf8_lossy(&raw))
        })
    }
}

/// One request on a fresh connection, read to the end; plain `http://` URLs only. Panics
/// when the server cannot be reached or answers nonsense.
#[track_caller]
pub fn http(method: &str, url: &str, headers: &[(&str, &str)], body: &[u8]) -> HttpResponse {
    HttpRequest::new(method, url).headers(headers).body(body).send()
}

/// An answer as read off the wire: status line, headers (names lower-cased, values lossy
/// UTF-8), and the body
/// by `Content-Length`, de-chunked, or up to the end.
pub fn parse_response(raw: &[u8]) -> Result<HttpResponse, String> {
    let end = raw.windows(4).position(|window| window == b"\r\n\r\n").ok_or("no end of the header")?;
    // Lossy: a hostile header may carry obs-text.
    let head = String::from_utf8_lossy(&raw[..end]);
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .strip_prefix("HTTP/1.1 ")
        .or_else(|| status_line.strip_prefix("HTTP/1.0 "))
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| format!("bad status line {status_line:?}"))?;
    let mut headers = Vec::new();
    for line in lines {
        let (name, value) = line.split_once(':').ok_or_else(|| format!("bad header line {line:?}"))?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
    }
    let mut response = HttpResponse { status, headers, body: Vec::new() };
    let rest = &raw[end + 4..];
    response.body = if response.header("transfer-encoding").is_some_and(|value| value.contains("chunked")) {
        dechunk(rest)?
    } else if let Some(length) = response.header("content-length") {
        let length: usize = length.parse().map_err(|_| "bad Content-Length")?;
        rest.get(..length).ok_or("the body is shorter than its Content-Length")?.to_vec()
    } else {
        rest.to_vec()
    };
    Ok(response)
}

fn dechunk(mut rest: &[u8]) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    loop {
        let line_end = rest.windows(2).position(|window| window == b"\r\n").ok_or("unterminated chunk size")?;
        let size_text = std::str::from_utf8(&rest[..line_end]).map_err(|_| "bad chunk size")?;
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or_default().trim(), 16)
            .map_err(|_| format!("bad chunk size {size_text:?}"))?;
        rest = &rest[line_end + 2..];
        if size == 0 {
            return Ok(body);
        }
        body.extend_from_slice(rest.get(..size).ok_or("a chunk is cut short")?);
        rest = rest.get(size + 2..).ok_or("a chunk is not terminated")?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_http_answers() {
        let plain = parse_response(b"HTTP/1.1 302 Found\r\nLocation: /x\r\nSet-Cookie: a=1; Path=/\r\nSet-Cookie: b=2\r\nContent-Length: 2\r\n\r\nok").unwrap();
        assert_eq!((plain.status, plain.header("Location"), plain.text().as_str()), (302, Some("/x"), "ok"));
        assert_eq!(plain.cookies(), [("a".to_string(), "1".to_string()), ("b".to_string(), "2".to_string())]);
        assert_eq!(plain.cookie("b").as_deref(), Some("2"));
        let chunked =
            parse_response(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n")
                .unwrap();
        assert_eq!(chunked.text(), "abcde");
    }

    #[test]
    fn writes_the_request_the_test_asked_for() {
        let get = HttpRequest::new("GET", "http://127.0.0.1:9/a?b").header("Origin", "http://x");
        assert_eq!(
            get.bytes(),
            b"GET /a?b HTTP/1.1\r\nHost: 127.0.0.1:9\r\nConnection: close\r\nOrigin: http://x\r\n\r\n"
        );
        let post = HttpRequest::to("127.0.0.1:9", "POST", "http://elsewhere/x").host(None);
        assert_eq!(post.bytes(), b"POST http://elsewhere/x HTTP/1.1\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
        let put = HttpRequest::to("h:1", "DELETE", "/r").host(Some("other")).body("{}");
        assert_eq!(
            put.bytes(),
            b"DELETE /r HTTP/1.1\r\nHost: other\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}"
        );
    }
}
