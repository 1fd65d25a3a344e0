//! A small parser for the absolute http(s) URLs a manifest holds. It splits what kensa
//! needs (origin, path, query) without pulling a full WHATWG URL implementation into the
//! browser bundle.

use std::fmt;

/// An absolute `http` or `https` URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpUrl {
    /// `http` or `https`, lower-cased.
    pub scheme: String,
    /// Host name or address, without brackets for IPv6.
    pub host: String,
    /// Port when written in the URL.
    pub port: Option<u16>,
    /// Path, always starting with `/` (an empty path becomes `/`).
    pub path: String,
    /// Query without the leading `?`.
    pub query: Option<String>,
    has_userinfo: bool,
}

/// Why a string is not an absolute http(s) URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UrlError {
    MissingScheme,
    UnsupportedScheme(String),
    MissingHost,
    InvalidPort(String),
    Whitespace,
}

impl fmt::Display for UrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UrlError::MissingScheme => f.write_str("missing scheme (expected http:// or https://)"),
            UrlError::UnsupportedScheme(scheme) => {
                write!(f, "unsupported scheme `{scheme}:` (expected http or https)")
            }
            UrlError::MissingHost => f.write_str("missing host"),
            UrlError::InvalidPort(port) => write!(f, "invalid port `{port}` (expected a number from 1 to 65535)"),
            UrlError::Whitespace => f.write_str("contains whitespace"),
        }
    }
}

impl HttpUrl {
    pub fn parse(input: &str) -> Result<HttpUrl, UrlError> {
        if input.chars().any(char::is_whitespace) {
            return Err(UrlError::Whitespace);
        }
        let Some((scheme, rest)) = input.split_once("://") else {
            return Err(scheme_error(input));
        };
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "http" && scheme != "https" {
            return Err(UrlError::UnsupportedScheme(scheme));
        }
        let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, after) = rest.split_at(authority_end);
        let (has_userinfo, host_port) = match authority.rsplit_once('@') {
            Some((_, host_port)) => (true, host_port),
            None => (false, authority),
        };
        let (host, port) = split_host_port(host_port)?;
        if host.is_empty() {
            return Err(UrlError::MissingHost);
        }
        let after = after.split('#').next().unwrap_or_default();
        let (path, query) = match after.split_once('?') {
            Some((path, query)) => (path, Some(query.to_string())),
            None => (after, None),
        };
        let path = if path.is_empty() { "/".to_string() } else { path.to_string() };
        Ok(HttpUrl { scheme, host: host.to_string(), port, path, query, has_userinfo })
    }

    pub fn is_https(&self) -> bool {
        self.scheme == "https"
    }

    /// The port actually used: the written one or the scheme's default.
    pub fn port_or_default(&self) -> u16 {
        self.port.unwrap_or(if self.is_https() { 443 } else { 80 })
    }

    /// Scheme, host and (non-default) port, with no trailing slash: `http://localhost:4567`.
    pub fn origin(&self) -> String {
        let host = if self.host.contains(':') { format!("[{}]", self.host) } else { self.host.clone() };
        match self.port {
            Some(port) if port != self.port_or_default_for_scheme() => {
                format!("{}://{host}:{port}", self.scheme)
            }
            _ => format!("{}://{host}", self.scheme),
        }
    }

    /// Whether the host is loopback: `localhost`, a `*.localhost` name, `127.0.0.0/8` or
    /// `::1`. Browsers treat such an origin as potentially trustworthy: an https page may
    /// call it over http (no mixed content) and `Secure` cookies go to it.
    pub fn is_loopback(&self) -> bool {
        let host = self.host.trim_end_matches('.').to_ascii_lowercase();
        host == "localhost"
            || host.ends_with(".localhost")
            || host.parse::<std::net::IpAddr>().is_ok_and(|address| address.is_loopback())
    }

    /// Whether the host is an address on a private network: `10/8`, `172.16/12`, `192.168/16`,
    /// carrier-grade NAT `100.64/10`, link-local `169.254/16` and `fe80::/10`, unique local
    /// `fc00::/7`. Local Network Access gates a public page's requests to these (the browser's
    /// "local" address space). Names are not resolved: only address literals count.
    pub fn is_private(&self) -> bool {
        match self.host.parse::<std::net::IpAddr>() {
            Ok(std::net::IpAddr::V4(address)) => {
                let [first, second, ..] = address.octets();
                address.is_private() || address.is_link_local() || (first == 100 && second & 0xc0 == 64)
            }
            Ok(std::net::IpAddr::V6(address)) => address.is_unique_local() || address.is_unicast_link_local(),
            Err(_) => false,
        }
    }

    /// True when the URL carries `user:password@`, which must never be printed.
    pub fn has_userinfo(&self) -> bool {
        self.has_userinfo
    }

    fn port_or_default_for_scheme(&self) -> u16 {
        if self.is_https() { 443 } else { 80 }
    }
}

fn split_host_port(host_port: &str) -> Result<(&str, Option<u16>), UrlError> {
    // IPv6 literal: [::1]:8080
    if let Some(rest) = host_port.strip_prefix('[') {
        let Some((host, after)) = rest.split_once(']') else {
            return Err(UrlError::MissingHost);
        };
        return match after.strip_prefix(':') {
            Some(port) => Ok((host, Some(parse_port(port)?))),
            None if after.is_empty() => Ok((host, None)),
            None => Err(UrlError::InvalidPort(after.to_string())),
        };
    }
    match host_port.rsplit_once(':') {
        Some((host, port)) => Ok((host, Some(parse_port(port)?))),
        None => Ok((host_port, None)),
    }
}

/// `scheme://host[:port]` of an http(s) URL, the way kensa names a provider in messages (never
/// with the `user:password@` a manifest URL may carry), or the text itself when it is no such
/// URL.
pub fn origin_of(url: &str) -> String {
    HttpUrl::parse(url).map_or_else(|_| url.to_string(), |url| url.origin())
}

/// Whether `text` has the shape of a URI scheme (RFC 3986): a letter, then letters, digits,
/// `+`, `-` or `.`.
pub fn is_scheme(text: &str) -> bool {
    text.starts_with(|c: char| c.is_ascii_alphabetic())
        && text.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// Why a string without `://` is not an http(s) URL: `javascript:alert(1)` names a scheme of
/// its own, `http:x` lacks the `//` before the host, and `localhost:4567/x` lacks a scheme.
fn scheme_error(input: &str) -> UrlError {
    let Some((scheme, rest)) = input.split_once(':') else {
        return UrlError::MissingScheme;
    };
    // `host:port` looks like a scheme too; digits up to the path mean a port.
    let port_digits = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let is_port = !port_digits.is_empty() && port_digits.chars().all(|c| c.is_ascii_digit());
    if !is_scheme(scheme) || is_port {
        return UrlError::MissingScheme;
    }
    let scheme = scheme.to_ascii_lowercase();
    if scheme == "http" || scheme == "https" { UrlError::MissingHost } else { UrlError::UnsupportedScheme(scheme) }
}

/// Ports are 1 to 65535 written in decimal digits: port 0 cannot be connected to, and Rust's
/// integer parser would also accept `+80`.
fn parse_port(port: &str) -> Result<u16, UrlError> {
    let invalid = || UrlError::InvalidPort(port.to_string());
    if port.is_empty() || !port.chars().all(|c| c.is_ascii_digit()) {
        return Err(invalid());
    }
    match port.parse::<u16>() {
        Ok(0) | Err(_) => Err(invalid()),
        Ok(number) => Ok(number),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_base_url() {
        let url = HttpUrl::parse("http://localhost:4567/heroku/resources").unwrap();
        assert_eq!(url.origin(), "http://localhost:4567");
        assert_eq!(url.path, "/heroku/resources");
        assert!(!url.is_https());
    }

    #[test]
    fn keeps_path_prefixes_and_queries() {
        let url = HttpUrl::parse("https://Example.com/heroku?x=1#frag").unwrap();
        assert_eq!(url.origin(), "https://Example.com");
        assert_eq!(url.path, "/heroku");
        assert_eq!(url.query.as_deref(), Some("x=1"));
    }

    #[test]
    fn drops_default_ports_from_the_origin() {
        assert_eq!(HttpUrl::parse("https://a.io:443/").unwrap().origin(), "https://a.io");
        assert_eq!(HttpUrl::parse("http://[::1]:8080").unwrap().origin(), "http://[::1]:8080");
    }

    #[test]
    fn an_origin_is_named_without_credentials_path_or_query() {
        assert_eq!(origin_of("HTTP://127.0.0.1:4567/heroku/resources?x#y"), "http://127.0.0.1:4567");
        assert_eq!(origin_of("http://admin:s3cret@127.0.0.1:4567/heroku/resources"), "http://127.0.0.1:4567");
        assert_eq!(origin_of("https://a.example:443/x"), "https://a.example");
        assert_eq!(origin_of("http://[::1]:8080/"), "http://[::1]:8080");
        // What is no http(s) URL is named as written.
        assert_eq!(origin_of("not a url"), "not a url");
        assert_eq!(origin_of("ftp://files.example"), "ftp://files.example");
    }

    #[test]
    fn notes_credentials() {
        let url = HttpUrl::parse("https://user:pw@host.io/db").unwrap();
        assert!(url.has_userinfo());
        assert_eq!(url.host, "host.io");
    }

    #[test]
    fn rejects_what_is_not_an_absolute_http_url() {
        assert_eq!(HttpUrl::parse("localhost:4567"), Err(UrlError::MissingScheme));
        assert_eq!(HttpUrl::parse("ftp://x"), Err(UrlError::UnsupportedScheme("ftp".into())));
        assert_eq!(HttpUrl::parse("http:///path"), Err(UrlError::MissingHost));
        assert_eq!(HttpUrl::parse("http://x:99999"), Err(UrlError::InvalidPort("99999".into())));
        assert_eq!(HttpUrl::parse("http://a b"), Err(UrlError::Whitespace));
    }

    #[test]
    fn names_the_scheme_of_urls_without_slashes() {
        let unsupported = |scheme: &str| Err(UrlError::UnsupportedScheme(scheme.into()));
        assert_eq!(HttpUrl::parse("javascript:alert(1)"), unsupported("javascript"));
        assert_eq!(HttpUrl::parse("JavaScript:void(0)"), unsupported("javascript"));
        assert_eq!(HttpUrl::parse("mailto:me@example.com"), unsupported("mailto"));
        assert_eq!(HttpUrl::parse("data:text/html,hi"), unsupported("data"));
        assert_eq!(HttpUrl::parse("http:example.com"), Err(UrlError::MissingHost));
        assert_eq!(HttpUrl::parse("example.com:8080/x"), Err(UrlError::MissingScheme));
        assert_eq!(HttpUrl::parse("/heroku/resources"), Err(UrlError::MissingScheme));
    }

    #[test]
    fn loopback_hosts_are_names_and_addresses_not_lookalikes() {
        for url in [
            "http://localhost:5000",
            "http://LOCALHOST./x",
            "http://app.localhost",
            "http://127.8.9.10",
            "http://[::1]:1",
            "http://u:p@127.0.0.1",
        ] {
            assert!(HttpUrl::parse(url).unwrap().is_loopback(), "{url}");
        }
        for url in ["http://127.example.com", "http://localhost.example.com", "http://192.168.1.5", "http://[::2]"] {
            assert!(!HttpUrl::parse(url).unwrap().is_loopback(), "{url}");
        }
    }

    /// The playground tells a private target (Local Network Access's "local" space) from
    /// loopback and from public hosts, by address only.
    #[test]
    fn private_hosts_are_address_literals_on_private_networks() {
        for url in [
            "http://10.0.0.1",
            "http://172.16.0.1:8080",
            "http://172.31.255.255",
            "http://192.168.1.5:5000/heroku/resources",
            "http://100.64.0.1",
            "http://100.127.255.255",
            "http://169.254.1.1",
            "http://[fd00::1]:4567",
            "http://[fe80::1]",
        ] {
            assert!(HttpUrl::parse(url).unwrap().is_private(), "{url}");
        }
        for url in [
            "http://127.0.0.1",
            "http://localhost",
            "http://[::1]",
            "http://172.32.0.1",
            "http://100.128.0.1",
            "http://8.8.8.8",
            "http://192.168.example.com",
            "http://printer.local",
            "http://[2001:db8::1]",
        ] {
            assert!(!HttpUrl::parse(url).unwrap().is_private(), "{url}");
        }
    }

    #[test]
    fn ports_are_1_to_65535_in_digits() {
        for port in ["0", "00", "65536", "+80", "-1", "8o"] {
            let url = format!("http://x:{port}/");
            assert_eq!(HttpUrl::parse(&url), Err(UrlError::InvalidPort(port.into())), "{url}");
        }
        assert_eq!(HttpUrl::parse("http://x:1/").unwrap().port, Some(1));
        assert_eq!(HttpUrl::parse("http://x:65535/").unwrap().port, Some(65535));
    }
}
