//! The SSO checks' cookie jar, scoped as RFC 6265 (section 5) says a browser scopes cookies:
//! per host (ports ignored, the host must domain-match), by path, `Secure` only over https
//! (or to a loopback host, as browsers treat it), gone once `Max-Age` or `Expires` passes.
//!
//! Hand-written rather than the `cookie_store` crate: that crate brings `url`, `idna` with
//! its Unicode tables, `time` and `publicsuffix` into the browser bundle, which has a few
//! KB to spare, and a browser never shows its cookies to this jar anyway. Without a public
//! suffix list, a `Domain` attribute naming a public suffix (`Domain=com`) is accepted; the
//! SSO checks talk to one provider, so that cannot leak anything to a stranger.

use crate::transport::Response;
use kensa_manifest::url::HttpUrl;

#[derive(Clone, Debug, PartialEq, Eq)]
struct Cookie {
    name: String,
    value: String,
    /// Lower-case host (host-only) or domain the cookie goes to.
    domain: String,
    /// Sent to `domain` alone, not to its subdomains: no `Domain` attribute was given.
    host_only: bool,
    path: String,
    secure: bool,
    /// Unix milliseconds after which the cookie is gone; `None` lasts the session.
    expires_ms: Option<u64>,
    /// Order of creation, for the order cookies are sent in.
    created: u64,
}

/// Cookies a provider set during the SSO checks.
#[derive(Clone, Debug, Default)]
pub(crate) struct CookieJar {
    cookies: Vec<Cookie>,
    created: u64,
}

impl CookieJar {
    /// Stores the `Set-Cookie` headers of `response`, the answer to a request for `url`.
    pub(crate) fn absorb(&mut self, url: &str, response: &Response, now_ms: u64) {
        let Ok(url) = HttpUrl::parse(url) else { return };
        for (name, value) in &response.headers {
            if name.eq_ignore_ascii_case("set-cookie") {
                self.set(&url, value, now_ms);
            }
        }
    }

    /// The `Cookie` header for a request to `url`: longer paths first, then older cookies.
    pub(crate) fn header(&self, url: &str, now_ms: u64) -> Option<String> {
        let url = HttpUrl::parse(url).ok()?;
        let mut matching: Vec<&Cookie> = Vec::new();
        for cookie in self.cookies.iter().filter(|cookie| cookie.goes_to(&url, now_ms)) {
            // Insertion keeps the order without a sort routine in the browser bundle.
            let at = matching.partition_point(|placed| send_order(placed, cookie).is_le());
            matching.insert(at, cookie);
        }
        (!matching.is_empty()).then(|| {
            matching.iter().map(|cookie| format!("{}={}", cookie.name, cookie.value)).collect::<Vec<_>>().join("; ")
        })
    }

    /// The value of the cookie `name` that a request to `url` would carry.
    pub(crate) fn get(&self, url: &str, name: &str, now_ms: u64) -> Option<&str> {
        let url = HttpUrl::parse(url).ok()?;
        self.cookies
            .iter()
            .filter(|cookie| cookie.name == name && cookie.goes_to(&url, now_ms))
            .min_by(|a, b| send_order(a, b))
            .map(|cookie| cookie.value.as_str())
    }

    /// RFC 6265 5.2 (parsing) and 5.3 (storage) for one `Set-Cookie` value.
    fn set(&mut self, url: &HttpUrl, header: &str, now_ms: u64) {
        let mut parts = header.split(';');
        let Some((name, value)) = parts.next().and_then(|pair| pair.split_once('=')) else { return };
        let (name, value) = (name.trim(), value.trim());
        if name.is_empty() {
            return;
        }
        let host = url.host.to_ascii_lowercase();
        let mut domain: Option<String> = None;
        let mut path: Option<String> = None;
        let mut secure = false;
        let mut max_age: Option<i64> = None;
        let mut expires: Option<u64> = None;
        for attribute in parts {
            let (key, value) = attribute.split_once('=').unwrap_or((attribute, ""));
            let value = value.trim();
            match key.trim().to_ascii_lowercase().as_str() {
                "domain" if !value.is_empty() => {
                    domain = Some(value.trim_start_matches('.').to_ascii_lowercase());
                }
                "path" if value.starts_with('/') => path = Some(value.to_string()),
                "path" => path = None,
                "secure" => secure = true,
                "max-age" => {
                    let digits = value.strip_prefix('-').unwrap_or(value);
                    if !digits.is_empty() && digits.bytes().all(|byte| byte.is_ascii_digit()) {
                        max_age = Some(value.parse().unwrap_or(if value.starts_with('-') { -1 } else { i64::MAX }));
                    }
                }
                "expires" => {
                    if let Some(at) = parse_cookie_date(value) {
                        expires = Some(at);
                    }
                }
                _ => {}
            }
        }
        let expires_ms = match (max_age, expires) {
            // Max-Age wins over Expires; zero or less means "delete now".
            (Some(seconds), _) if seconds <= 0 => Some(0),
            (Some(seconds), _) => {
                Some(now_ms.saturating_add(u64::try_from(seconds).unwrap_or(u64::MAX).saturating_mul(1000)))
            }
            (None, Some(at_ms)) => Some(at_ms),
            (None, None) => None,
        };
        let (domain, host_only) = match domain {
            Some(domain) if !domain_matches(&host, &domain) => return,
            Some(domain) => (domain, false),
            None => (host, true),
        };
        let cookie = Cookie {
            name: name.to_string(),
            value: value.to_string(),
            domain,
            host_only,
            path: path.unwrap_or_else(|| default_path(&url.path)),
            secure,
            expires_ms,
            created: self.created,
        };
        let same = |old: &Cookie| old.name == cookie.name && old.domain == cookie.domain && old.path == cookie.path;
        let created = self.cookies.iter().find(|old| same(old)).map(|old| old.created);
        self.cookies.retain(|old| !same(old));
        if cookie.expires_ms.is_some_and(|at| at <= now_ms) {
            return;
        }
        self.created += 1;
        self.cookies.push(Cookie { created: created.unwrap_or(cookie.created), ..cookie });
    }
}

impl Cookie {
    /// RFC 6265 5.4: whether a request to `url` carries this cookie.
    fn goes_to(&self, url: &HttpUrl, now_ms: u64) -> bool {
        let host = url.host.to_ascii_lowercase();
        let host_matches = if self.host_only { host == self.domain } else { domain_matches(&host, &self.domain) };
        host_matches
            && path_matches(&url.path, &self.path)
            && (!self.secure || url.is_https() || url.is_loopback())
            && self.expires_ms.is_none_or(|at| at > now_ms)
    }
}

/// RFC 6265 5.1.3: `host` is `domain` or a subdomain of it (never for an IP address).
fn domain_matches(host: &str, domain: &str) -> bool {
    host == domain
        || (host.len() > domain.len()
            && host.ends_with(domain)
            && host.as_bytes()[host.len() - domain.len() - 1] == b'.'
            && !is_ip_address(host))
}

fn is_ip_address(host: &str) -> bool {
    host.contains(':') || host.parse::<std::net::Ipv4Addr>().is_ok()
}

/// RFC 6265 5.1.4: the directory of the request path.
fn default_path(path: &str) -> String {
    match path.rfind('/') {
        Some(0) | None => "/".to_string(),
        Some(end) => path[..end].to_string(),
    }
}

/// RFC 6265 5.1.4: `path` is `cookie_path` or below it.
fn path_matches(path: &str, cookie_path: &str) -> bool {
    path == cookie_path
        || (path.starts_with(cookie_path) && (cookie_path.ends_with('/') || path[cookie_path.len()..].starts_with('/')))
}

/// RFC 6265 5.1.1: the forgiving date parser (`Wed, 21 Oct 2015 07:28:00 GMT` and the
/// other shapes servers send), in Unix milliseconds.
fn parse_cookie_date(text: &str) -> Option<u64> {
    let is_delimiter = |c: char| matches!(c, '\t' | ' '..='/' | ';'..='@' | '['..='`' | '{'..='~');
    let (mut time, mut day, mut month, mut year) = (None, None, None, None);
    for token in text.split(is_delimiter).filter(|token| !token.is_empty()) {
        if time.is_none()
            && let Some(found) = parse_time(token)
        {
            time = Some(found);
        } else if day.is_none()
            && let Some(found) = leading_number(token, 1, 2)
        {
            day = Some(found);
        } else if month.is_none()
            && let Some(found) = parse_month(token)
        {
            month = Some(found);
        } else if year.is_none()
            && let Some(found) = leading_number(token, 2, 4)
        {
            year = Some(found);
        }
    }
    let (hour, minute, second) = time?;
    let (day, month, mut year) = (day?, month?, year?);
    year += match year {
        70..=99 => 1900,
        0..=69 => 2000,
        _ => 0,
    };
    if !(1..=31).contains(&day) || year < 1601 || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let days = days_from_civil(i64::from(year), i64::from(month), i64::from(day));
    let seconds = days * 86_400 + i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second);
    // A date before 1970 has passed: the cookie is to be deleted.
    Some(u64::try_from(seconds).unwrap_or(0).saturating_mul(1000))
}

/// `hh:mm:ss` (each one or two digits), possibly followed by other characters.
fn parse_time(token: &str) -> Option<(u32, u32, u32)> {
    let mut fields = token.splitn(3, ':');
    let hour = leading_number(fields.next()?, 1, 2)?;
    let minute = leading_number(fields.next()?, 1, 2)?;
    let second = leading_number(fields.next()?, 1, 2)?;
    Some((hour, minute, second))
}

/// The number made by the leading digits of `token`, when there are `min` to `max` of them.
fn leading_number(token: &str, min: usize, max: usize) -> Option<u32> {
    let digits = token.bytes().take_while(u8::is_ascii_digit).count();
    (min..=max).contains(&digits).then(|| token[..digits].parse().ok()).flatten()
}

fn parse_month(token: &str) -> Option<u32> {
    let prefix = token.get(..3)?.to_ascii_lowercase();
    let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
    months.iter().position(|month| *month == prefix).and_then(|index| u32::try_from(index + 1).ok())
}

/// Days since 1970-01-01 (Howard Hinnant's days_from_civil).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400);
    let day_of_year = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The order cookies go out in (RFC 6265 5.4): longer paths first, then older ones.
fn send_order(a: &Cookie, b: &Cookie) -> std::cmp::Ordering {
    b.path.len().cmp(&a.path.len()).then(a.created.cmp(&b.created))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_790_000_000_000;

    fn jar(url: &str, set_cookies: &[&str]) -> CookieJar {
        let mut jar = CookieJar::default();
        let headers = set_cookies.iter().map(|value| ("Set-Cookie".to_string(), value.to_string())).collect();
        jar.absorb(url, &Response { status: 200, headers, body: Vec::new() }, NOW);
        jar
    }

    fn sent(jar: &CookieJar, url: &str) -> String {
        jar.header(url, NOW).unwrap_or_default()
    }

    /// A cookie from 127.0.0.1:P goes to no other host, localhost:Q included, as in a browser:
    /// a sign-in that works only because the cookie leaked across hosts must not pass.
    #[test]
    fn a_host_only_cookie_goes_to_its_host_alone_whatever_the_port() {
        let jar = jar("http://127.0.0.1:5000/sso/login", &["session=1; Path=/"]);
        assert_eq!(sent(&jar, "http://127.0.0.1:6000/dashboard"), "session=1", "ports do not scope cookies");
        assert_eq!(sent(&jar, "http://localhost:5000/dashboard"), "");
        let jar = jar_for_host("app.example.com");
        assert_eq!(sent(&jar, "https://app.example.com/"), "a=1");
        assert_eq!(sent(&jar, "https://sub.app.example.com/"), "", "host-only: no subdomains");
        assert_eq!(sent(&jar, "https://example.com/"), "");
        assert_eq!(sent(&jar, "https://APP.example.com/"), "a=1", "hosts compare without case");
    }

    fn jar_for_host(host: &str) -> CookieJar {
        jar(&format!("https://{host}/x"), &["a=1; Path=/"])
    }

    #[test]
    fn a_domain_cookie_goes_to_the_domain_and_its_subdomains() {
        let jar = jar("https://app.example.com/", &["d=1; Domain=.Example.com; Path=/"]);
        assert_eq!(sent(&jar, "https://example.com/"), "d=1");
        assert_eq!(sent(&jar, "https://other.example.com/"), "d=1");
        assert_eq!(sent(&jar, "https://badexample.com/"), "", "a suffix is not a subdomain");
    }

    #[test]
    fn a_domain_the_host_is_not_under_is_refused() {
        let refused = jar("https://app.example.com/", &["x=1; Domain=other.com", "y=1; Domain=sub.app.example.com"]);
        assert_eq!(sent(&refused, "https://other.com/"), "");
        assert_eq!(sent(&refused, "https://sub.app.example.com/"), "");
        // An IP address domain-matches only itself.
        let jar = jar("http://127.0.0.1/", &["ip=1; Domain=0.0.1"]);
        assert_eq!(sent(&jar, "http://127.0.0.1/"), "");
    }

    #[test]
    fn the_path_defaults_to_the_request_directory_and_scopes_the_cookie() {
        let jar = jar("http://h/sso/login?x=/y", &["default=1", "root=1; Path=/", "deep=1; Path=/sso/login/"]);
        assert_eq!(sent(&jar, "http://h/sso/login"), "default=1; root=1");
        assert_eq!(sent(&jar, "http://h/sso"), "default=1; root=1");
        assert_eq!(sent(&jar, "http://h/ssox"), "root=1", "/sso does not cover /ssox");
        assert_eq!(sent(&jar, "http://h/sso/login/more"), "deep=1; default=1; root=1", "longer paths first");
        assert_eq!(sent(&jar, "http://h/dashboard"), "root=1");
        let top = self::jar("http://h/login", &["top=1; Path=relative"]);
        assert_eq!(sent(&top, "http://h/anything"), "top=1", "a path not starting with / is the default, /");
    }

    #[test]
    fn a_secure_cookie_goes_over_https_or_to_loopback_only() {
        let jar = jar("https://app.example.com/", &["s=1; Secure; Path=/"]);
        assert_eq!(sent(&jar, "https://app.example.com/"), "s=1");
        assert_eq!(sent(&jar, "http://app.example.com/"), "");
        let local = self::jar("http://localhost:5000/", &["s=1; Secure; Path=/"]);
        assert_eq!(sent(&local, "http://localhost:5000/"), "s=1", "browsers treat loopback as secure");
        // A name that merely starts like a loopback address is a host like any other.
        let lookalike = self::jar("https://127.example.com/", &["s=1; Secure; Path=/"]);
        assert_eq!(sent(&lookalike, "http://127.example.com/"), "");
    }

    #[test]
    fn max_age_and_expires_end_a_cookie() {
        let mut jar = jar(
            "http://h/",
            &[
                "session=1",
                "short=1; Max-Age=60",
                "gone=1; Max-Age=0",
                "past=1; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
                "future=1; Expires=Wed, 21 Oct 2065 07:28:00 GMT",
                "wins=1; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=60",
                "bad=1; Max-Age=soon",
            ],
        );
        assert_eq!(sent(&jar, "http://h/"), "session=1; short=1; future=1; wins=1; bad=1");
        assert_eq!(jar.header("http://h/", NOW + 61_000).as_deref(), Some("session=1; future=1; bad=1"));
        let delete = Response {
            status: 200,
            headers: vec![("set-cookie".into(), "session=; Max-Age=0".into())],
            body: Vec::new(),
        };
        jar.absorb("http://h/", &delete, NOW);
        assert_eq!(jar.get("http://h/", "session", NOW), None);
    }

    #[test]
    fn a_cookie_replaces_the_one_with_the_same_name_domain_and_path() {
        let mut jar = jar("http://h/", &["a=1; Path=/", "b=1; Path=/"]);
        let again =
            Response { status: 200, headers: vec![("Set-Cookie".into(), "a=2; Path=/".into())], body: Vec::new() };
        jar.absorb("http://h/", &again, NOW);
        assert_eq!(sent(&jar, "http://h/"), "a=2; b=1", "keeps its place");
        assert_eq!(jar.get("http://h/", "a", NOW), Some("2"));
    }

    #[test]
    fn reads_the_date_shapes_servers_send() {
        let expected = Some(1_445_412_480_000);
        assert_eq!(parse_cookie_date("Wed, 21 Oct 2015 07:28:00 GMT"), expected);
        assert_eq!(parse_cookie_date("Wednesday, 21-Oct-15 07:28:00 GMT"), expected);
        assert_eq!(parse_cookie_date("Wed Oct 21 07:28:00 2015"), expected);
        assert_eq!(parse_cookie_date("Wed, 32 Oct 2015 07:28:00 GMT"), None);
        assert_eq!(parse_cookie_date("tomorrow"), None);
    }
}
