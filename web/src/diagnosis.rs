//! Why a browser request failed, in words a provider can act on. A failed `fetch` is
//! only a `TypeError`; the transport gathers a few facts (the page's origin, whether a
//! `no-cors` probe got through) and this module turns them into a diagnosis.
//! Pure, so the wording is tested on the host.

use kensa_manifest::url::HttpUrl;

/// What kind of failure it was; the UI shows it as `data-kind`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// The provider answers, but not to this page's origin.
    Cors,
    /// Nothing answered at that address.
    Unreachable,
    /// An https page may not call an http provider.
    MixedContent,
}

impl Kind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Kind::Cors => "cors",
            Kind::Unreachable => "unreachable",
            Kind::MixedContent => "mixed-content",
        }
    }
}

/// What the transport learned about a failed request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Facts {
    /// The page's origin, such as `http://127.0.0.1:8080`.
    pub(crate) page_origin: String,
    /// The URL the engine asked for.
    pub(crate) url: String,
    /// A `no-cors` GET to the same URL got an answer (opaque, but an answer).
    pub(crate) reachable: bool,
    /// A plain CORS GET (no custom headers, so no preflight) was allowed.
    pub(crate) simple_allowed: bool,
    /// The page is cross-origin isolated (COEP), so a `no-cors` probe fails on any
    /// provider that does not send `Cross-Origin-Resource-Policy`.
    pub(crate) isolated: bool,
}

/// A failed request, explained.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Diagnosis {
    pub(crate) kind: Kind,
    /// The provider's origin, such as `http://127.0.0.1:4568`.
    pub(crate) provider: String,
    pub(crate) page_origin: String,
    /// The origin allows simple requests, so only the preflight (or the connection) failed.
    pub(crate) preflight_only: bool,
    pub(crate) isolated: bool,
}

/// The methods and request headers the engine's calls use, hence what a preflight must allow.
pub(crate) const ALLOW_METHODS: &str = "GET, POST, PUT, DELETE, PATCH, OPTIONS";
pub(crate) const ALLOW_HEADERS: &str = "Authorization, Content-Type, Accept";

/// Port the suggested `kensa cors-proxy` listens on.
pub(crate) const PROXY_PORT: u16 = 5001;

impl Diagnosis {
    /// Mixed content is decided before any request; the others by the probes' results.
    pub(crate) fn from_facts(facts: &Facts) -> Diagnosis {
        let kind = if is_mixed_content(&facts.page_origin, &facts.url) {
            Kind::MixedContent
        } else if facts.reachable || facts.simple_allowed {
            Kind::Cors
        } else {
            Kind::Unreachable
        };
        Diagnosis {
            kind,
            provider: origin_of(&facts.url),
            page_origin: facts.page_origin.clone(),
            preflight_only: kind == Kind::Cors && facts.simple_allowed,
            isolated: facts.isolated,
        }
    }

    /// One sentence, for `TransportError::Connect`: the engine prints it as
    /// "unable to connect to <origin> (<this>)".
    pub(crate) fn reason(&self) -> String {
        match self.kind {
            Kind::Cors if self.preflight_only => format!(
                "the provider allows this page's origin for simple requests, but this one failed: either its \
                 answer to the CORS preflight (OPTIONS) does not allow the method or the headers \
                 (Access-Control-Allow-Methods: {ALLOW_METHODS}; Access-Control-Allow-Headers: {ALLOW_HEADERS}), \
                 or it closed the connection"
            ),
            Kind::Cors => format!(
                "the provider answers but does not allow this page's origin (CORS): it must send \
                 Access-Control-Allow-Origin: {} and answer the preflight OPTIONS with \
                 Access-Control-Allow-Headers: {ALLOW_HEADERS}; or run {}",
                self.allow_origin(),
                self.proxy_command()
            ),
            Kind::Unreachable if self.isolated => "nothing answered from the browser: the provider is not running \
                 at that address, or (this page being cross-origin isolated) it does not send \
                 Cross-Origin-Resource-Policy: cross-origin"
                .to_string(),
            Kind::Unreachable => {
                "nothing answered from the browser: is the provider running, and at this address?".to_string()
            }
            Kind::MixedContent => format!(
                "this page is {} and the provider is http, and browsers block http calls from https pages \
                 (mixed content): serve the provider over https, or open the playground over http",
                self.page_origin
            ),
        }
    }

    /// The value to put in `Access-Control-Allow-Origin`: this page's origin, or `*` when
    /// the page has none (a `file:` page reports `null`).
    pub(crate) fn allow_origin(&self) -> &str {
        if self.page_origin.is_empty() || self.page_origin == "null" { "*" } else { &self.page_origin }
    }

    /// The headers every answer must carry.
    pub(crate) fn response_headers(&self) -> String {
        format!("Access-Control-Allow-Origin: {}", self.allow_origin())
    }

    /// The answer to the preflight `OPTIONS` the browser sends first, because the calls
    /// carry `Authorization` and a JSON `Content-Type`.
    pub(crate) fn preflight_headers(&self) -> String {
        format!(
            "HTTP/1.1 204 No Content\nAccess-Control-Allow-Origin: {}\nAccess-Control-Allow-Methods: {ALLOW_METHODS}\n\
             Access-Control-Allow-Headers: {ALLOW_HEADERS}\nAccess-Control-Max-Age: 600",
            self.allow_origin()
        )
    }

    /// A proxy that adds CORS to the provider as it is.
    pub(crate) fn proxy_command(&self) -> String {
        format!("kensa cors-proxy --to {} --port {PROXY_PORT}", self.provider)
    }

    /// Where the manifest should point while the proxy runs.
    pub(crate) fn proxy_origin(&self) -> String {
        format!("http://127.0.0.1:{PROXY_PORT}")
    }
}

/// `https:` page, `http:` provider that is not loopback. Loopback hosts (`localhost`,
/// `*.localhost`, `127.0.0.0/8`, `[::1]`) are potentially trustworthy, so browsers do not
/// block them as mixed content (the W3C Mixed Content and Secure Contexts specifications).
pub(crate) fn is_mixed_content(page_origin: &str, url: &str) -> bool {
    page_origin.starts_with("https:")
        && url.get(..5).is_some_and(|scheme| scheme.eq_ignore_ascii_case("http:"))
        && !HttpUrl::parse(url).is_ok_and(|url| url.is_loopback())
}

/// `scheme://host[:port]` of an absolute URL, or the URL itself when it has no such prefix.
pub(crate) fn origin_of(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
            format!("{}://{authority}", scheme.to_ascii_lowercase())
        }
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(reachable: bool, simple_allowed: bool) -> Facts {
        Facts {
            page_origin: "http://127.0.0.1:8080".to_string(),
            url: "http://127.0.0.1:4568/heroku/resources".to_string(),
            reachable,
            simple_allowed,
            isolated: false,
        }
    }

    #[test]
    fn an_answering_provider_without_cors_is_a_cors_problem() {
        let diagnosis = Diagnosis::from_facts(&facts(true, false));
        assert_eq!(diagnosis.kind, Kind::Cors);
        assert_eq!(diagnosis.provider, "http://127.0.0.1:4568");
        assert!(!diagnosis.preflight_only);
        let reason = diagnosis.reason();
        assert!(reason.starts_with("the provider answers but does not allow this page's origin (CORS)"), "{reason}");
        assert!(reason.contains("Access-Control-Allow-Origin: http://127.0.0.1:8080"), "{reason}");
        assert!(reason.contains("kensa cors-proxy --to http://127.0.0.1:4568 --port 5001"), "{reason}");
        assert_eq!(diagnosis.response_headers(), "Access-Control-Allow-Origin: http://127.0.0.1:8080");
        let preflight = diagnosis.preflight_headers();
        assert!(preflight.contains("Access-Control-Allow-Methods: GET, POST, PUT, DELETE, PATCH, OPTIONS"));
        assert!(preflight.contains("Access-Control-Allow-Headers: Authorization, Content-Type, Accept"));
    }

    #[test]
    fn simple_requests_allowed_points_at_the_preflight() {
        let diagnosis = Diagnosis::from_facts(&facts(true, true));
        assert_eq!(diagnosis.kind, Kind::Cors);
        assert!(diagnosis.preflight_only);
        assert!(diagnosis.reason().contains("preflight (OPTIONS)"));
    }

    #[test]
    fn no_answer_at_all_is_unreachable() {
        let diagnosis =
            Diagnosis::from_facts(&Facts { url: "http://127.0.0.1:9/x".to_string(), ..facts(false, false) });
        assert_eq!(diagnosis.kind, Kind::Unreachable);
        assert_eq!(diagnosis.kind.as_str(), "unreachable");
        assert!(diagnosis.reason().starts_with("nothing answered"));
        let isolated = Diagnosis { isolated: true, ..diagnosis };
        assert!(isolated.reason().contains("Cross-Origin-Resource-Policy"));
    }

    #[test]
    fn https_page_and_http_provider_is_mixed_content_whatever_the_probe() {
        let facts = Facts {
            page_origin: "https://kensa.example".to_string(),
            url: "http://provider.example:5000/heroku/resources".to_string(),
            ..facts(false, false)
        };
        let diagnosis = Diagnosis::from_facts(&facts);
        assert_eq!(diagnosis.kind, Kind::MixedContent);
        assert!(diagnosis.reason().contains("mixed content"));
        assert!(!is_mixed_content("https://kensa.example", "https://provider.example/heroku/resources"));
        assert!(!is_mixed_content("http://127.0.0.1:8080", "http://127.0.0.1:4567"));
    }

    /// Issue 12: loopback is potentially trustworthy, never mixed content, even from an
    /// https page; a private address is (the fix there is the browser's permission and
    /// `targetAddressSpace`, not TLS).
    #[test]
    fn loopback_providers_are_not_mixed_content() {
        for url in [
            "http://127.0.0.1:4567/heroku/resources",
            "http://127.8.9.10/x",
            "http://localhost:5000/heroku/resources",
            "http://LOCALHOST./x",
            "http://app.localhost:3000",
            "http://[::1]:4567/heroku/resources",
            "http://user:pass@127.0.0.1:4567",
        ] {
            assert!(!is_mixed_content("https://kensa.example", url), "{url}");
            let facts =
                Facts { page_origin: "https://kensa.example".to_string(), url: url.to_string(), ..facts(false, false) };
            assert_ne!(Diagnosis::from_facts(&facts).kind, Kind::MixedContent, "{url}");
        }
        for url in
            ["http://192.168.1.5:5000", "http://localhost.example.com", "http://127.0.0.1.nip.io", "http://[::2]"]
        {
            assert!(is_mixed_content("https://kensa.example", url), "{url}");
        }
    }

    #[test]
    fn a_page_without_an_origin_allows_any() {
        let diagnosis = Diagnosis::from_facts(&Facts { page_origin: "null".to_string(), ..facts(true, false) });
        assert_eq!(diagnosis.allow_origin(), "*");
    }

    #[test]
    fn origins_drop_path_query_and_fragment() {
        assert_eq!(origin_of("HTTP://127.0.0.1:4567/heroku/resources?x#y"), "http://127.0.0.1:4567");
        assert_eq!(origin_of("https://a.example"), "https://a.example");
        assert_eq!(origin_of("not a url"), "not a url");
    }
}
