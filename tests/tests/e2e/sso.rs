//! Single sign-on: `kensa test sso ID` and `test all --with-sso` in both flows (form POST to
//! `sso_url`, legacy GET on a string-form manifest) for v3 and v1, and `kensa sso ID
//! --no-browser`, whose URL or one-shot form the reference provider must accept.
//!
//! What each SSO fault switch does to the S checks is in `faults.rs`.

use kensa_checks::sso::NAV_DATA;
use kensa_e2e::{
    HttpResponse, Outcome, Provider, ProviderOptions, Report, Resource, Run, SSO_SALT, check, hidden_form, http,
    messages, text,
};
use serde_json::{Value, json};
use std::time::Duration;

/// Every SSO check, in report order.
pub(crate) const SSO_CODES: [&str; 7] = ["S01", "S02", "S03", "S04", "S05", "S06", "S07"];

/// How the provider is described.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Flow {
    /// Object form with `sso_url`: a form POST to it.
    Post,
    /// String form (`"test": "http://127.0.0.1:PORT/"`, no `sso_url`): the legacy GET.
    Get,
}

/// The API version the manifest names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Api {
    V3,
    /// No `api.version` at all, as in the old gem's manifests.
    V1,
}

/// Rewrites the reference provider's own manifest for `flow` and `api`.
fn describe(manifest: &mut Value, flow: Flow, api: Api) {
    if flow == Flow::Get {
        let base_url = manifest["api"]["test"]["base_url"].as_str().unwrap().to_string();
        let origin = base_url.strip_suffix("/heroku/resources").unwrap();
        manifest["api"]["test"] = json!(format!("{origin}/"));
    }
    if api == Api::V1 {
        manifest["api"].as_object_mut().unwrap().remove("version");
    }
}

/// A reference provider with these options, described for `flow` and `api`.
fn start(options: ProviderOptions, flow: Flow, api: Api) -> Provider {
    Provider::with_manifest(options, |manifest| describe(manifest, flow, api))
}

/// `kensa test provision` (which keeps the resource it checked), and that resource.
#[track_caller]
pub(crate) fn provision(provider: &Provider) -> Resource {
    provider.run(["test", "provision", "--format", "json"]).assert_code(0);
    let mut resources = provider.running().resources().unwrap();
    assert_eq!(resources.len(), 1, "test provision keeps exactly the checked resource: {resources:?}");
    resources.remove(0)
}

/// The ID `kensa test sso` takes: Heroku's uuid for v3, the provider's id for v1.
pub(crate) fn key(resource: &Resource, api: Api) -> String {
    match api {
        Api::V3 => resource.uuid.clone().expect("a v3 resource has Heroku's uuid"),
        Api::V1 => resource.id.clone(),
    }
}

/// `kensa test sso ID [EXTRA...] --format json`; the report, checked to leak no salt.
#[track_caller]
pub(crate) fn test_sso(provider: &Provider, id: &str, extra: &[&str]) -> (Run, Report) {
    let run = provider.kensa(["test", "sso", id]).args(extra).args(["--format", "json"]).run();
    assert_no_salt(&run);
    let report = run.report();
    (run, report)
}

/// kensa never prints the SSO salt, whatever it does.
#[track_caller]
fn assert_no_salt(run: &Run) {
    assert!(!run.stdout.contains(SSO_SALT) && !run.stderr.contains(SSO_SALT), "the salt leaked\n{}", run.describe());
}

/// Every S check ran and passed, under the heading `heading`.
#[track_caller]
fn assert_sso_passed(report: &Report, heading: &str) {
    for code in SSO_CODES {
        assert_eq!(check(report, code).outcome, Outcome::Passed, "{code}\n{}", text(report));
    }
    let group = report
        .groups
        .iter()
        .find(|group| group.checks.iter().any(|check| check.code == "S01"))
        .unwrap_or_else(|| panic!("no SSO group\n{}", text(report)));
    assert_eq!(group.heading, heading, "{}", text(report));
}

#[test]
fn test_sso_passes_for_the_post_flow_by_uuid_and_by_provider_id() {
    let provider = start(kensa_e2e::options(), Flow::Post, Api::V3);
    let resource = provision(&provider);
    // README: the uuid for v3. The provider finds a resource by either key, so the
    // provider's own id (sent as `id` and `resource_id` alike) signs in as well.
    for id in [key(&resource, Api::V3), resource.id.clone()] {
        let (run, report) = test_sso(&provider, &id, &[]);
        run.assert_code(0);
        assert_sso_passed(&report, "POST /sso/login");
    }
}

#[test]
fn test_sso_passes_for_the_get_flow_and_post_when_forced() {
    let provider = start(kensa_e2e::options(), Flow::Get, Api::V3);
    let manifest: Value = serde_json::from_slice(&std::fs::read(provider.manifest_path()).unwrap()).unwrap();
    assert!(manifest["api"]["test"].is_string(), "string form: {manifest:#}");
    let resource = provision(&provider);
    let uuid = key(&resource, Api::V3);
    let (run, report) = test_sso(&provider, &uuid, &[]);
    run.assert_code(0);
    // kensa knows both keys from its ledger; the legacy URL carries the
    // provider's id, with the uuid as `resource_id`, as Heroku sends it.
    assert_sso_passed(&report, &format!("GET /heroku/resources/{}", resource.id));
    // --post, documented by the old gem: a form POST to <origin>/sso/login instead.
    let (run, report) = test_sso(&provider, &uuid, &["--post"]);
    run.assert_code(0);
    assert_sso_passed(&report, "POST /sso/login");
}

/// A v1 manifest (no `api.version`) in both flows, keyed by the provider's id: the
/// legacy `token` alone signs in.
#[test]
fn test_sso_passes_for_a_v1_manifest_in_both_flows() {
    for (flow, heading) in [(Flow::Post, "POST /sso/login"), (Flow::Get, "GET /heroku/resources/")] {
        let provider = start(kensa_e2e::options(), flow, Api::V1);
        let resource = provision(&provider);
        assert_eq!(resource.api_version, 1);
        let id = key(&resource, Api::V1);
        let (run, report) = test_sso(&provider, &id, &[]);
        run.assert_code(0);
        let heading = if flow == Flow::Get { format!("{heading}{id}") } else { heading.to_string() };
        assert_sso_passed(&report, &heading);
    }
}

/// `test all --with-sso`: the SSO group runs on the new resource after provisioning and
/// before the plan change, in both flows, and the resource is gone afterwards.
#[test]
fn test_all_with_sso_passes_in_both_flows() {
    for flow in [Flow::Post, Flow::Get] {
        let provider = start(kensa_e2e::options(), flow, Api::V3);
        let run = provider.run(["test", "all", "--with-sso", "--format", "json"]);
        run.assert_code(0);
        assert_no_salt(&run);
        let report = run.report();
        let codes: Vec<&str> = report.checks().map(|check| check.code.as_str()).collect();
        let at = |code: &str| codes.iter().position(|seen| *seen == code).unwrap_or_else(|| panic!("no {code}"));
        assert!(at("D02") < at("S01") && at("S07") < at("C01"), "{flow:?}: {codes:?}");
        for code in SSO_CODES {
            assert_eq!(check(&report, code).outcome, Outcome::Passed, "{flow:?} {code}\n{}", text(&report));
        }
        assert_eq!(provider.resource_count(), 0, "{flow:?}");
    }
    // Without --with-sso there is no SSO group.
    let provider = Provider::start();
    let report = provider.run(["test", "all", "--format", "json"]).report();
    assert!(report.checks().all(|check| !check.code.starts_with('S')), "{}", text(&report));
}

/// An ID the provider does not know: the probes still get 403, the real sign-in gets 404.
#[test]
fn an_unknown_id_fails_logs_in_with_the_status() {
    let provider = Provider::start();
    let (run, report) = test_sso(&provider, "no-such-resource", &[]);
    run.assert_code(1);
    for code in ["S01", "S02", "S03", "S04"] {
        assert_eq!(check(&report, code).outcome, Outcome::Passed, "{code}\n{}", text(&report));
    }
    let s05 = check(&report, "S05");
    assert_eq!(s05.outcome, Outcome::Failed);
    assert!(messages(s05).contains("expected 200, got 404"), "{}", text(&report));
    for code in ["S06", "S07"] {
        let skipped = check(&report, code);
        assert_eq!(skipped.outcome, Outcome::Skipped, "{code}\n{}", text(&report));
        assert_eq!(skipped.reason.as_deref(), Some("the sign-in failed"));
    }
}

/// No `sso_salt`: S01 fails at once with the old gem's words, the rest are skipped, and
/// no request is made.
#[test]
fn no_salt_fails_s01_at_once() {
    let provider = Provider::with_options(ProviderOptions::default());
    let (run, report) = test_sso(&provider, "anything", &[]);
    run.assert_code(1);
    let s01 = check(&report, "S01");
    assert_eq!(s01.outcome, Outcome::Failed);
    assert_eq!(messages(s01), "need an sso salt to perform sso test");
    for code in &SSO_CODES[1..] {
        let skipped = check(&report, code);
        assert_eq!(skipped.outcome, Outcome::Skipped, "{code}\n{}", text(&report));
        assert_eq!(skipped.reason.as_deref(), Some("the manifest has no sso_salt"));
    }
}

// ---------------------------------------------------------------------------------------
// `kensa sso ID --no-browser`

/// The answer to a signed sign-in: a redirect to the dashboard that sets the nav-data and
/// session cookies; with them, the dashboard shows the resource inside the Heroku layout.
#[track_caller]
fn assert_signed_in(provider: &Provider, answer: &HttpResponse, resource: &Resource) {
    assert_eq!(answer.status, 302, "{answer:?}\n{}", answer.text());
    assert_eq!(answer.header("location"), Some("/dashboard"), "{answer:?}");
    let cookies = answer.cookies();
    assert!(cookies.contains(&("heroku-nav-data".to_string(), NAV_DATA.to_string())), "{cookies:?}");
    let jar = cookies.iter().map(|(name, value)| format!("{name}={value}")).collect::<Vec<_>>().join("; ");
    let dashboard = http("GET", &format!("{}/dashboard", provider.origin()), &[("Cookie", &jar)], b"");
    assert_eq!(dashboard.status, 200, "{}", dashboard.text());
    let page = dashboard.text();
    assert!(page.contains("<div id=\"heroku-header\">"), "{page}");
    assert!(page.contains(&format!("<dd id=\"resource-id\">{}</dd>", resource.id)), "{page}");
    assert!(page.contains("<dd id=\"email\">username@example.com</dd>"), "{page}");
}

/// GET flow: one line, the signed URL, which the provider accepts; v3 by uuid, v1 by id.
#[test]
fn kensa_sso_prints_a_signed_url_the_provider_accepts() {
    for api in [Api::V3, Api::V1] {
        let provider = start(kensa_e2e::options(), Flow::Get, api);
        let resource = provision(&provider);
        let id = key(&resource, api);
        let run = provider.run(["sso", &id, "--no-browser"]);
        run.assert_code(0);
        assert_no_salt(&run);
        let url = run.stdout.trim_end();
        assert!(!url.contains('\n'), "one line, the URL:\n{}", run.describe());
        // The provider's id in the path for both APIs (v3 adds the uuid as `resource_id`).
        let prefix = format!("{}/heroku/resources/{}?", provider.origin(), resource.id);
        assert!(url.starts_with(&prefix), "{api:?}: {url}");
        for param in ["token=", "timestamp=", "nav-data=", "email="] {
            assert!(url.contains(param), "{api:?}: no {param} in {url}");
        }
        assert_eq!(url.contains("resource_token="), api == Api::V3, "{api:?}: {url}");
        let answer = http("GET", url, &[], b"");
        assert_signed_in(&provider, &answer, &resource);
    }
}

/// POST flow: kensa serves, once, a page whose form the provider accepts when posted as a
/// browser would post it, then exits 0.
#[test]
fn kensa_sso_serves_a_form_the_provider_accepts() {
    let provider = start(kensa_e2e::options(), Flow::Post, Api::V3);
    let resource = provision(&provider);
    let uuid = key(&resource, Api::V3);
    let sso_url = provider.running().sso_url();
    let mut kensa = provider.kensa(["sso", &uuid, "--no-browser"]).timeout(Duration::from_secs(20)).spawn();

    let first = kensa.next_line(Duration::from_secs(10));
    let page_url = first
        .strip_prefix(&format!("POSTing the signed sign-in form to {sso_url} via "))
        .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
        .to_string();
    assert!(page_url.starts_with("http://127.0.0.1:"), "{page_url}");
    assert_eq!(kensa.next_line(Duration::from_secs(5)), format!("Open {page_url} in a browser (it is served once)"));

    // A stray request (a browser's favicon) does not use up the one page.
    let origin = page_url.rsplit_once('/').unwrap().0;
    assert_eq!(http("GET", &format!("{origin}/favicon.ico"), &[], b"").status, 404);
    let page = http("GET", &page_url, &[], b"");
    assert_eq!(page.status, 200);
    assert!(page.header("content-type").is_some_and(|value| value.starts_with("text/html")), "{page:?}");
    let html = page.text();
    assert!(!html.contains(SSO_SALT), "the page carries the salt:\n{html}");
    assert!(html.contains("document.forms[0].submit()"), "the page submits itself:\n{html}");
    let (action, fields) = hidden_form(&html).unwrap_or_else(|problem| panic!("{problem}:\n{html}"));
    assert_eq!(action, sso_url);
    let names: Vec<&str> = fields.iter().map(|(name, _)| name.as_str()).collect();
    for wanted in [
        "id",
        "token",
        "timestamp",
        "nav-data",
        "email",
        "app",
        "resource_id",
        "resource_token",
        "user_id",
        "user_scoped_resource_token",
        "context_app",
    ] {
        assert!(names.contains(&wanted), "no {wanted} among {names:?}");
    }
    let field = |name: &str| fields.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str());
    assert_eq!(field("resource_id"), Some(uuid.as_str()));
    assert_eq!(field("nav-data"), Some(NAV_DATA));

    let body = kensa_e2e::form_encode(&fields);
    let answer = http("POST", &action, &[("Content-Type", "application/x-www-form-urlencoded")], body.as_bytes());
    assert_signed_in(&provider, &answer, &resource);

    let run = kensa.wait();
    run.assert_code(0);
    assert_no_salt(&run);
    assert!(run.stdout.contains("Served the sign-in form"), "{}", run.describe());
    assert!(run.elapsed < Duration::from_secs(10), "{}", run.describe());
}

/// GET flow with a browser: kensa opens a one-shot local page that redirects to the signed
/// URL, which the provider accepts. The token is on neither the opener's command line
/// (which any local user can list) nor the screen.
#[cfg(target_os = "linux")]
#[test]
fn kensa_sso_opens_the_browser_through_a_one_shot_redirect() {
    use std::os::unix::fs::PermissionsExt;
    let provider = start(kensa_e2e::options(), Flow::Get, Api::V3);
    let resource = provision(&provider);
    let uuid = key(&resource, Api::V3);
    let bin = provider.dir().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let opener = bin.join("xdg-open");
    std::fs::write(&opener, "#!/bin/sh\nprintf '%s\\n' \"$@\" > \"$0.args.tmp\" && mv \"$0.args.tmp\" \"$0.args\"\n")
        .unwrap();
    std::fs::set_permissions(&opener, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let mut kensa = provider.kensa(["sso", &uuid]).env("PATH", path).timeout(Duration::from_secs(20)).spawn();

    let first = kensa.next_line(Duration::from_secs(10));
    let said =
        format!("Signing in at {}/heroku/resources/{} (signed, query not shown) via ", provider.origin(), resource.id);
    let page_url = first.strip_prefix(&said).unwrap_or_else(|| panic!("unexpected first line {first:?}")).to_string();
    assert!(page_url.starts_with("http://127.0.0.1:"), "{page_url}");
    let args = opener.with_extension("args");
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !args.exists() {
        assert!(std::time::Instant::now() < deadline, "xdg-open was not run");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(std::fs::read_to_string(&args).unwrap(), format!("{page_url}\n"), "the opener gets only the page");

    let redirect = http("GET", &page_url, &[], b"");
    assert_eq!(redirect.status, 303, "{redirect:?}");
    assert_eq!(redirect.header("cache-control"), Some("no-store"), "{redirect:?}");
    let signed = redirect.header("location").unwrap_or_default().to_string();
    assert!(signed.starts_with(&format!("{}/heroku/resources/{}?", provider.origin(), resource.id)), "{signed}");
    let token = signed.split(['?', '&']).find_map(|pair| pair.strip_prefix("token=")).unwrap_or_default().to_string();
    assert!(token.len() >= 32, "{signed}");
    assert_signed_in(&provider, &http("GET", &signed, &[], b""), &resource);

    let run = kensa.wait();
    run.assert_code(0);
    assert_no_salt(&run);
    assert!(run.stdout.contains("Sent the browser on to the signed sign-in URL."), "{}", run.describe());
    assert!(!run.stdout.contains(&token) && !run.stderr.contains(&token), "the token is shown\n{}", run.describe());
}

/// No salt, nothing to sign: exit 2 with the reason, before anything is served.
#[test]
fn kensa_sso_without_a_salt_exits_2() {
    let provider = Provider::with_options(ProviderOptions::default());
    for flags in [&["--no-browser"][..], &["--no-browser", "--post"]] {
        let run = provider.kensa(["sso", "some-id"]).args(flags).run();
        run.assert_code(2);
        assert!(run.stderr.contains("the manifest has no `api.sso_salt`"), "{}", run.describe());
        assert!(run.stdout.is_empty(), "{}", run.describe());
    }
}
