//! Why a browser request failed, in words a provider can act on. A failed `fetch` is
//! only a `TypeError`; the transport gathers a few facts (the page's origin, the Local
//! Network Access permission, whether a `no-cors` probe got through) and this module turns
//! them into one diagnosis per cause.
//! Pure, so the wording is tested on the host.

use crate::local_network::{self, Access, Space};
use kensa_checks::cors::{ALLOW_HEADERS, ALLOW_METHODS, MAX_AGE_SECS};
use kensa_manifest::origin_of;
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
    /// Local Network Access: the visitor has not (or not yet) allowed this site to reach
    /// the provider's address space.
    PermissionDenied,
    /// Local Network Access: the page is in an iframe that was not delegated the permission.
    NotDelegated,
    /// An https provider that does not connect: often a certificate the browser does not trust.
    Tls,
}

impl Kind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Kind::Cors => "cors",
            Kind::Unreachable => "unreachable",
            Kind::MixedContent => "mixed-content",
            Kind::PermissionDenied => "permission-denied",
            Kind::NotDelegated => "not-delegated",
            Kind::Tls => "tls",
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
    /// The Local Network Access permission as the browser reported it after the failure;
    /// `None` when it does not gate this request (a local page, or a public provider).
    pub(crate) access: Option<Access>,
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
    pub(crate) access: Option<Access>,
}

/// Port the suggested `kensa cors-proxy` listens on.
pub(crate) const PROXY_PORT: u16 = 5001;

impl Diagnosis {
    /// The iframe's delegation and mixed content are decided before any request; the
    /// others by the permission's state and the probes' results.
    pub(crate) fn from_facts(facts: &Facts) -> Diagnosis {
        let answered = facts.reachable || facts.simple_allowed;
        let kind = match facts.access {
            Some(Access::NotDelegated) => Kind::NotDelegated,
            _ if is_mixed_content(&facts.page_origin, &facts.url, facts.access) => Kind::MixedContent,
            // Chromium turns a refused prompt into "denied"; a "prompt" still standing means the
            // browser never asked (Firefox), so the cause lies elsewhere. The permission stops the
            // no-cors probe too: an answer proves it let the request through.
            Some(Access::Denied) if !answered => Kind::PermissionDenied,
            _ if answered => Kind::Cors,
            _ if HttpUrl::parse(&facts.url).is_ok_and(|url| url.is_https()) => Kind::Tls,
            _ => Kind::Unreachable,
        };
        Diagnosis {
            kind,
            provider: origin_of(&facts.url),
            page_origin: facts.page_origin.clone(),
            preflight_only: kind == Kind::Cors && facts.simple_allowed,
            isolated: facts.isolated,
            access: facts.access,
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
            Kind::Unreachable if self.access == Some(Access::Prompt) => {
                "nothing answered from the browser: is the provider running, and at this address? If the browser \
                 asked for Local network access, allow it"
                    .to_string()
            }
            Kind::Unreachable => {
                "nothing answered from the browser: is the provider running, and at this address?".to_string()
            }
            Kind::MixedContent => format!(
                "this page is {} and the provider is http, and browsers block http calls from https pages \
                 (mixed content): serve the provider over https, or open the playground over http",
                self.page_origin
            ),
            Kind::PermissionDenied | Kind::NotDelegated => local_network::blocked_reason(
                Space::of(&self.provider).unwrap_or(Space::Loopback),
                self.access.unwrap_or(Access::Denied),
            ),
            Kind::Tls => format!(
                "nothing answered over https: if the provider uses a self-signed certificate, open {} once in a \
                 tab and accept it, then run again (or use http on localhost); otherwise check that it is \
                 running",
                self.provider
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
             Access-Control-Allow-Headers: {ALLOW_HEADERS}\nAccess-Control-Max-Age: {MAX_AGE_SECS}",
            self.allow_origin()
        )
    }

    /// A proxy that adds CORS to the provider as it is. It allows loopback http pages on
    /// its own; this page, hosted elsewhere, must be named.
    pub(crate) fn proxy_command(&self) -> String {
        let command = format!("kensa cors-proxy --to {} --port {PROXY_PORT}", self.provider);
        if is_loopback_http_page(&self.page_origin) || self.page_origin.is_empty() || self.page_origin == "null" {
            command
        } else {
            format!("{command} --allow-origin {}", self.page_origin)
        }
    }

    /// Where the manifest should point while the proxy runs.
    pub(crate) fn proxy_origin(&self) -> String {
        format!("http://127.0.0.1:{PROXY_PORT}")
    }
}

/// Whether `origin` is a page `kensa cors-proxy` allows without `--allow-origin`: http on
/// 127.0.0.1, localhost or [::1], any port.
fn is_loopback_http_page(origin: &str) -> bool {
    ["http://127.0.0.1", "http://localhost", "http://[::1]"]
        .iter()
        .any(|loopback| origin.strip_prefix(loopback).is_some_and(|rest| rest.is_empty() || rest.starts_with(':')))
}

/// `https:` page, `http:` provider that is not loopback. Loopback hosts (`localhost`,
/// `*.localhost`, `127.0.0.0/8`, `[::1]`) are potentially trustworthy, so browsers do not
/// block them as mixed content (the W3C Mixed Content and Secure Contexts specifications).
/// A private address is exempt too where the browser has Local Network Access (`access` is
/// a state it reported), because the page passes `targetAddressSpace` to such requests.
pub(crate) fn is_mixed_content(page_origin: &str, url: &str, access: Option<Access>) -> bool {
    let local_network_access = access.is_some_and(|access| access != Access::Unknown);
    page_origin.starts_with("https:")
        && HttpUrl::parse(url).is_ok_and(|url| !url.is_https())
        && match Space::of(url) {
            Some(Space::Loopback) => false,
            Some(Space::Local) => !local_network_access,
            None => true,
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
            access: None,
        }
    }

    const HOSTED: &str = "https://kensa.example";

    /// `kensa cors-proxy` allows only loopback pages unless told: a hosted page is named.
    #[test]
    fn the_proxy_advice_for_a_hosted_page_allows_that_page() {
        let diagnosis = Diagnosis::from_facts(&hosted("http://127.0.0.1:4568/heroku/resources", Access::Granted, true));
        assert_eq!(diagnosis.kind, Kind::Cors);
        assert_eq!(
            diagnosis.proxy_command(),
            "kensa cors-proxy --to http://127.0.0.1:4568 --port 5001 --allow-origin https://kensa.example"
        );
        for page in ["http://localhost:8080", "http://[::1]:3000", "http://127.0.0.1"] {
            let diagnosis = Diagnosis::from_facts(&Facts { page_origin: page.to_string(), ..facts(true, false) });
            assert!(!diagnosis.proxy_command().contains("--allow-origin"), "{page}");
        }
        let lookalike = Facts { page_origin: "http://localhost.attacker.example".to_string(), ..facts(true, false) };
        assert!(
            Diagnosis::from_facts(&lookalike)
                .proxy_command()
                .ends_with("--allow-origin http://localhost.attacker.example")
        );
    }

    /// `facts` for a request from a hosted page with the permission in state `access`.
    fn hosted(url: &str, access: Access, reachable: bool) -> Facts {
        Facts { page_origin: HOSTED.to_string(), url: url.to_string(), access: Some(access), ..facts(reachable, false) }
    }

    /// Headless Chromium's "no" to the prompt fails every request and probe, as if
    /// nothing listened; the permission then reads "denied" (measured in Chromium 156), and
    /// the page says permission, not unreachable.
    #[test]
    fn a_hosted_page_refused_the_permission_is_told_permission_not_unreachable() {
        let diagnosis = Diagnosis::from_facts(&hosted("http://127.0.0.1:4567/heroku/resources", Access::Denied, false));
        assert_eq!(diagnosis.kind, Kind::PermissionDenied);
        assert_eq!(diagnosis.kind.as_str(), "permission-denied");
        let reason = diagnosis.reason();
        assert!(
            reason.starts_with("the browser blocked the request (Local network access, loopback-network"),
            "{reason}"
        );
        assert!(reason.contains("re-allow it in the site settings"), "{reason}");
    }

    /// Firefox ESR 153 answers "prompt" for `loopback-network` yet never asks (measured:
    /// from an https page on 127.0.0.1 its requests go through), so a "prompt" still standing
    /// after a failure is no refusal: the cause is the provider, with a word on the prompt.
    #[test]
    fn a_prompt_still_standing_after_a_failure_is_not_a_refusal() {
        let diagnosis = Diagnosis::from_facts(&hosted("http://127.0.0.1:9/heroku/resources", Access::Prompt, false));
        assert_eq!(diagnosis.kind, Kind::Unreachable);
        let reason = diagnosis.reason();
        assert!(reason.starts_with("nothing answered from the browser"), "{reason}");
        assert!(reason.ends_with("If the browser asked for Local network access, allow it"), "{reason}");
        let local = Diagnosis::from_facts(&facts(false, false));
        assert!(!local.reason().contains("Local network access"), "{}", local.reason());
    }

    /// A private http target from an https page is the permission's business in a
    /// browser with Local Network Access (the page passes `targetAddressSpace`), not mixed content.
    #[test]
    fn a_private_target_needs_the_permission_not_mixed_content() {
        let diagnosis =
            Diagnosis::from_facts(&hosted("http://192.168.1.5:5000/heroku/resources", Access::Denied, false));
        assert_eq!(diagnosis.kind, Kind::PermissionDenied);
        assert!(diagnosis.reason().contains("local-network-access"), "{}", diagnosis.reason());
        let granted = Diagnosis::from_facts(&hosted("http://192.168.1.5:5000/x", Access::Granted, false));
        assert_eq!(granted.kind, Kind::Unreachable);
    }

    /// Firefox has no `local-network-access`, so it blocks an http private target
    /// from an https page as mixed content; a public http target is mixed content everywhere.
    #[test]
    fn a_browser_without_the_permission_still_blocks_mixed_content() {
        let private = Diagnosis::from_facts(&hosted("http://192.168.1.5:5000/x", Access::Unknown, false));
        assert_eq!(private.kind, Kind::MixedContent);
        let public = Facts {
            page_origin: HOSTED.to_string(),
            url: "http://provider.example/x".to_string(),
            ..facts(false, false)
        };
        assert_eq!(Diagnosis::from_facts(&public).kind, Kind::MixedContent);
        let loopback = Diagnosis::from_facts(&hosted("http://127.0.0.1:4567/x", Access::Unknown, false));
        assert_eq!(loopback.kind, Kind::Unreachable, "loopback is never mixed content");
    }

    #[test]
    fn an_undelegated_frame_is_told_the_attribute_to_add() {
        for reachable in [false, true] {
            let diagnosis = Diagnosis::from_facts(&hosted("http://127.0.0.1:4567/x", Access::NotDelegated, reachable));
            assert_eq!(diagnosis.kind, Kind::NotDelegated);
            assert_eq!(diagnosis.kind.as_str(), "not-delegated");
            let attribute = r#"allow="local-network-access; loopback-network; local-network""#;
            assert!(diagnosis.reason().contains(attribute), "{}", diagnosis.reason());
        }
    }

    /// A probe that got through proves the permission did not stop it: then it is CORS.
    #[test]
    fn a_provider_that_answers_is_cors_whatever_the_permission() {
        for access in [Access::Prompt, Access::Denied, Access::Granted, Access::Unknown] {
            assert_eq!(Diagnosis::from_facts(&hosted("http://127.0.0.1:4567/x", access, true)).kind, Kind::Cors);
        }
        let granted = Diagnosis::from_facts(&hosted("http://127.0.0.1:4567/x", Access::Granted, false));
        assert_eq!(granted.kind, Kind::Unreachable);
    }

    #[test]
    fn an_https_provider_that_does_not_connect_is_a_tls_problem() {
        let diagnosis = Diagnosis::from_facts(&Facts {
            url: "https://127.0.0.1:4567/heroku/resources".to_string(),
            ..facts(false, false)
        });
        assert_eq!(diagnosis.kind, Kind::Tls);
        assert_eq!(diagnosis.kind.as_str(), "tls");
        let reason = diagnosis.reason();
        assert!(reason.contains("open https://127.0.0.1:4567 once in a tab and accept it"), "{reason}");
        assert!(reason.contains("http on localhost"), "{reason}");
        let answering = Facts { url: "https://127.0.0.1:4567/x".to_string(), ..facts(true, false) };
        assert_eq!(Diagnosis::from_facts(&answering).kind, Kind::Cors);
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
        assert!(!reason.contains("--allow-origin"), "the proxy allows a loopback page itself: {reason}");
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
        assert!(!is_mixed_content("https://kensa.example", "https://provider.example/heroku/resources", None));
        assert!(!is_mixed_content("http://127.0.0.1:8080", "http://127.0.0.1:4567", None));
    }

    /// Loopback is potentially trustworthy, never mixed content, even from an
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
            assert!(!is_mixed_content("https://kensa.example", url, None), "{url}");
            let facts =
                Facts { page_origin: "https://kensa.example".to_string(), url: url.to_string(), ..facts(false, false) };
            assert_ne!(Diagnosis::from_facts(&facts).kind, Kind::MixedContent, "{url}");
        }
        for url in
            ["http://192.168.1.5:5000", "http://localhost.example.com", "http://127.0.0.1.nip.io", "http://[::2]"]
        {
            assert!(is_mixed_content("https://kensa.example", url, None), "{url}");
        }
    }

    #[test]
    fn a_page_without_an_origin_allows_any() {
        let diagnosis = Diagnosis::from_facts(&Facts { page_origin: "null".to_string(), ..facts(true, false) });
        assert_eq!(diagnosis.allow_origin(), "*");
    }
}
