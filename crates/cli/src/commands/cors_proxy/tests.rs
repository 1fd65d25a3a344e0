//! The proxy's pure parts: origins, `Host` checks, and the headers it forwards and adds.

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

    // No allowed page, no CORS headers; the answer still varies by Origin.
    let mut headers = HeaderMap::new();
    allow_origin(&mut headers, None);
    assert!(!headers.contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN));
    assert!(!headers.contains_key(header::ACCESS_CONTROL_EXPOSE_HEADERS));
    assert_eq!(headers[header::VARY], "Origin");
}

#[test]
fn only_the_proxys_own_loopback_address_is_its_host() {
    for own in ["127.0.0.1:5001", "localhost:5001", "LocalHost:5001"] {
        assert!(names_proxy(own, 5001), "{own}");
    }
    for other in ["127.0.0.1:5002", "attacker.example:5001", "127.0.0.1", "localhost:", "127.0.0.2:5001", "[::1]:5001"]
    {
        assert!(!names_proxy(other, 5001), "{other}");
    }
    assert!(names_proxy("127.0.0.1", 80) && names_proxy("localhost:80", 80));
}

#[test]
fn loopback_pages_are_allowed_and_others_only_when_added() {
    let defaults = default_allowed_origins();
    let allowed = |list: &[AllowedOrigin], origin: &str| {
        page_origin(origin).is_some_and(|page| list.iter().any(|allowed| allowed.matches(&page)))
    };
    for origin in ["http://127.0.0.1:8080", "http://localhost:3000", "http://[::1]:8080", "http://127.0.0.1"] {
        assert!(allowed(&defaults, origin), "{origin}");
    }
    for origin in [
        "https://attacker.example",
        "http://127.0.0.1.attacker.example",
        "https://127.0.0.1:8080",
        "null",
        "http://127.0.0.1:8080/",
        "*",
        "",
    ] {
        assert!(!allowed(&defaults, origin), "{origin}");
    }
    let mut list = defaults.clone();
    list.push(AllowedOrigin::parse("https://Example.org").unwrap());
    list.push(AllowedOrigin::parse("http://192.168.1.5:*").unwrap());
    list.push(AllowedOrigin::parse("http://pages.example:8080/").unwrap());
    assert!(allowed(&list, "https://example.org") && !allowed(&list, "https://example.org:8443"));
    assert!(allowed(&list, "http://192.168.1.5:1234") && allowed(&list, "http://192.168.1.5"));
    assert!(allowed(&list, "http://pages.example:8080") && !allowed(&list, "http://pages.example"));
    assert!(!allowed(&list, "http://example.org"));
    let shown: Vec<String> = list.iter().map(AllowedOrigin::to_string).collect();
    assert_eq!(
        shown,
        [
            "http://127.0.0.1:*",
            "http://localhost:*",
            "http://[::1]:*",
            "https://example.org",
            "http://192.168.1.5:*",
            "http://pages.example:8080"
        ]
    );
    for bad in [
        "*",
        "null",
        "example.org",
        "ftp://example.org",
        "https://example.org/page",
        "https://u:p@x.org",
        "https://x.org:8080:*",
        "https://x.org?a",
    ] {
        assert!(AllowedOrigin::parse(bad).is_err(), "{bad} was accepted");
    }
}
