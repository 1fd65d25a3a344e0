//! The SSO sign-in as a browser makes it, so a sign-in that passes here works for a user:
//! redirects keep or drop the form by status, cookies stay with their host, and the legacy GET
//! keeps the test URL's path.
#![allow(clippy::unwrap_used, reason = "tests panic on purpose")]

use kensa_checks::testing::{CountingIds, ManualClock, ScriptedTransport, block_on};
use kensa_checks::{CheckRun, Effects, Method, NoEvents, Outcome, Report, Request, Response, Settings, Suite};
use serde_json::json;

const NOW_MS: u64 = 1_790_000_000_000;

fn manifest(test: serde_json::Value) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "id": "myaddon",
        "api": {
            "config_vars": ["MYADDON_URL"],
            "password": "s3cr3t-password-0123",
            "sso_salt": "s3cr3t-salt-4567",
            "regions": ["us"],
            "requires": [],
            "production": {"base_url": "https://myaddon.example.com/heroku/resources", "sso_url": "https://myaddon.example.com/sso/login"},
            "test": test,
            "version": "3"
        }
    }))
    .unwrap()
}

fn answer(status: u16, headers: &[(&str, &str)], body: &str) -> Response {
    Response {
        status,
        headers: headers.iter().map(|(name, value)| (name.to_string(), value.to_string())).collect(),
        body: body.as_bytes().to_vec(),
    }
}

/// Whether a sign-in request is kensa's real one, not a bad-token or stale probe.
fn is_real_sign_in(request: &Request) -> bool {
    let text = match request.method {
        Method::Get => request.url.clone(),
        _ => String::from_utf8_lossy(request.body.as_deref().unwrap_or_default()).into_owned(),
    };
    !text.contains("token=invalid") && text.contains(&format!("timestamp={}", NOW_MS / 1000))
}

/// `kensa test sso res-1` against `provider`; the report and every request made.
fn sign_in(test: serde_json::Value, provider: impl FnMut(&Request) -> Response) -> (Report, Vec<Request>) {
    sign_in_to(kensa_checks::ResourceKeys::either("res-1"), test, provider)
}

/// A sign-in to the resource with `keys` against `provider`.
fn sign_in_to(
    keys: kensa_checks::ResourceKeys,
    test: serde_json::Value,
    provider: impl FnMut(&Request) -> Response,
) -> (Report, Vec<Request>) {
    let mut provider = provider;
    let transport = ScriptedTransport::new(move |request: &Request| Ok(provider(request)));
    let clock = ManualClock::at(NOW_MS);
    let (mut ids, mut sink) = (CountingIds::default(), NoEvents);
    let effects = Effects { transport: &transport, clock: &clock, ids: &mut ids, sink: &mut sink, callbacks: None };
    let suite = Suite::Sso { resource: keys, force_post: false };
    let report =
        block_on(CheckRun::new(effects, Settings::default()).run(&kensa_manifest::validate(&manifest(test)), suite));
    let requests = transport.requests.borrow().clone();
    (report, requests)
}

fn outcome(report: &Report, code: &str) -> Option<Outcome> {
    report.checks().find(|check| check.code == code).map(|check| check.outcome)
}

/// 307 and 308 repeat the POST with its form; 301, 302 and 303 turn it
/// into a GET without a body, as browsers do.
#[test]
fn a_sign_in_redirect_keeps_the_form_only_for_307_and_308() {
    let layout = "<div id=\"heroku-header\"></div>";
    for status in [301, 302, 303, 307, 308] {
        let test =
            json!({"base_url": "http://localhost:4567/heroku/resources", "sso_url": "http://localhost:4567/sso/login"});
        let (report, requests) = sign_in(test, |request| match request.url.as_str() {
            "http://localhost:4567/sso/login" if !is_real_sign_in(request) => answer(403, &[], ""),
            "http://localhost:4567/sso/login" => answer(status, &[("Location", "/sso/next")], ""),
            "http://localhost:4567/sso/next" => {
                answer(302, &[("Location", "/dashboard"), ("Set-Cookie", "heroku-nav-data=x")], "")
            }
            _ => answer(200, &[], layout),
        });
        let login = requests.iter().rfind(|request| request.url.ends_with("/sso/login")).unwrap();
        let next = requests.iter().find(|request| request.url.ends_with("/sso/next")).unwrap();
        if matches!(status, 307 | 308) {
            assert_eq!((next.method, &next.body), (Method::Post, &login.body), "{status}");
            assert!(next.headers.iter().any(|(name, _)| name == "Content-Type"), "{status}: the form keeps its type");
        } else {
            assert_eq!((next.method, &next.body), (Method::Get, &None), "{status}");
        }
        assert_eq!(outcome(&report, "S05"), Some(Outcome::Passed), "{status}");
    }
}

/// The session cookie 127.0.0.1 set does not go to localhost on the way (a browser would not
/// send it there), and comes back to 127.0.0.1.
#[test]
fn a_cookie_goes_back_only_to_the_host_that_set_it() {
    let test =
        json!({"base_url": "http://127.0.0.1:4567/heroku/resources", "sso_url": "http://127.0.0.1:4567/sso/login"});
    let (report, requests) = sign_in(test, |request| match request.url.as_str() {
        "http://127.0.0.1:4567/sso/login" if !is_real_sign_in(request) => answer(403, &[], ""),
        "http://127.0.0.1:4567/sso/login" => {
            answer(302, &[("Location", "http://localhost:5000/hop"), ("Set-Cookie", "session=1; Path=/")], "")
        }
        "http://localhost:5000/hop" => answer(302, &[("Location", "http://127.0.0.1:4567/dashboard")], ""),
        _ => answer(200, &[], "<div id=\"heroku-header\"></div>"),
    });
    let cookie = |suffix: &str| {
        let request = requests.iter().find(|request| request.url.ends_with(suffix)).unwrap();
        request.headers.iter().find(|(name, _)| name == "Cookie").map(|(_, value)| value.clone())
    };
    assert_eq!(cookie("/hop"), None);
    assert_eq!(cookie("/dashboard").as_deref(), Some("session=1"));
    assert_eq!(outcome(&report, "S05"), Some(Outcome::Passed));
}

/// `"test": "http://127.0.0.1:P/some/prefix/"` signs in at
/// `/some/prefix/heroku/resources/ID`, as provisioning goes to `/some/prefix/heroku/resources`.
#[test]
fn the_legacy_get_keeps_the_test_urls_path() {
    let (report, requests) = sign_in(json!("http://localhost:4567/some/prefix/"), |_| answer(403, &[], ""));
    assert!(!requests.is_empty());
    for request in &requests {
        assert!(
            request.url.starts_with("http://localhost:4567/some/prefix/heroku/resources/res-1?"),
            "{}",
            request.url
        );
    }
    let heading =
        &report.groups.iter().find(|group| group.checks.iter().any(|check| check.code == "S01")).unwrap().heading;
    assert_eq!(heading, "GET /some/prefix/heroku/resources/res-1");
}

/// A sign-in answered 404 says which keys named the resource, both in v3, so a provider that
/// looks up the wrong one can tell (found by the whole-output snapshots: key-by-provider-id
/// failed S05 with a bare "expected 200, got 404").
#[test]
fn a_sign_in_that_finds_no_resource_names_the_keys_it_sent() {
    let test =
        json!({"base_url": "http://127.0.0.1:4567/heroku/resources", "sso_url": "http://127.0.0.1:4567/sso/login"});
    let keys = kensa_checks::ResourceKeys::both("0b1e5c2a-uuid", "res-1");
    let (report, _) = sign_in_to(keys, test, |request| {
        if is_real_sign_in(request) { answer(404, &[], "not found") } else { answer(403, &[], "") }
    });
    let s05 = report.checks().find(|check| check.code == "S05").unwrap();
    assert_eq!(s05.outcome, Outcome::Failed);
    let said: Vec<&str> = s05.findings.iter().map(|finding| finding.message.as_str()).collect();
    assert!(
        said.iter().any(|message| message.contains(
            "the sign-in found no resource: it named the resource by `id` res-1 (your id for it) and `resource_id` \
             0b1e5c2a-uuid (Heroku's uuid)"
        )),
        "{said:#?}"
    );
}

/// The sign-in and its redirects share one deadline: each hop gets only what the earlier
/// ones left, and the sign-in fails once it is spent, instead of 11 hops of a whole
/// deadline each.
#[test]
fn a_sign_in_and_its_redirects_share_one_deadline() {
    let test =
        json!({"base_url": "http://localhost:4567/heroku/resources", "sso_url": "http://localhost:4567/sso/login"});
    let clock = ManualClock::at(NOW_MS);
    let hop_clock = clock.clone();
    let transport = ScriptedTransport::new(move |request: &Request| {
        if request.url.ends_with("/sso/login") && !is_real_sign_in(request) {
            return Ok(answer(403, &[], ""));
        }
        // Each hop answers a redirect after 10 s of the 25 s deadline.
        hop_clock.advance(10_000);
        Ok(answer(302, &[("Location", "/sso/next")], ""))
    });
    let (mut ids, mut sink) = (CountingIds::default(), NoEvents);
    let effects = Effects { transport: &transport, clock: &clock, ids: &mut ids, sink: &mut sink, callbacks: None };
    let suite = Suite::Sso { resource: kensa_checks::ResourceKeys::either("res-1"), force_post: false };
    let report =
        block_on(CheckRun::new(effects, Settings::default()).run(&kensa_manifest::validate(&manifest(test)), suite));
    let requests = transport.requests.borrow().clone();
    let hops: Vec<u64> = requests
        .iter()
        .filter(|request| is_real_sign_in(request) || request.url.ends_with("/sso/next"))
        .map(|request| request.timeout_ms)
        .collect();
    assert_eq!(hops, [25_000, 15_000, 5_000]);
    assert_eq!(outcome(&report, "S05"), Some(Outcome::Failed));
    let s05 = report.checks().find(|check| check.code == "S05").unwrap();
    let said: Vec<&str> = s05.findings.iter().map(|finding| finding.message.as_str()).collect();
    assert_eq!(
        said.last(),
        Some(
            &"the sign-in did not finish within 25 s, redirects included (3 followed): one deadline covers the whole sign-in"
        ),
        "{said:#?}"
    );
}
