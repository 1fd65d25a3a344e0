//! `--async`: kensa expects a 202 and waits, through its local stand-in for Heroku, for the
//! reference provider (in async mode, pointed at the stand-in) to finish: the OAuth grant
//! exchange, the config PATCH and `actions/provision` for v3, the legacy PUT for v1. It
//! gives up in time, and a synchronous answer fails.
//!
//! The stand-in is as strict as Heroku (token exchange rules, the Platform API's Accept and
//! Bearer rules) and runs for every provision, so that `callback_url` never names Heroku's
//! real API. What each `async-*` fault switch does is in `faults.rs`.

use kensa_e2e::hostile::{HostileServer, Reply};
use kensa_e2e::{
    Fault, Kensa, Outcome, Provider, Report, Run, async_options, callback_port, check, form_encode, free_port, http,
    messages, text, write_json,
};
use serde_json::{Value, json};
use std::time::Duration;

/// `kensa test provision --async --async-timeout SECS --callback-port PORT --format json`,
/// with the port the provider was told to call.
pub(crate) fn provision_async(provider: &Provider, timeout_secs: u64) -> (Run, Report) {
    let run = provider
        .kensa(["test", "provision", "--async", "--format", "json", "--async-timeout"])
        .arg(timeout_secs.to_string())
        .arg("--callback-port")
        .arg(callback_port(provider).to_string())
        .run();
    let report = run.report();
    (run, report)
}

/// Every resource is provisioned. No waiting: the provider marks a resource provisioned
/// before its last callback goes out, and kensa's run ends only after that callback came.
fn all_provisioned(provider: &Provider) -> bool {
    provider.running().resources().unwrap().iter().all(|resource| !resource.provisioning)
}

#[track_caller]
fn assert_outcomes(report: &Report, codes: &[&str], outcome: Outcome) {
    for code in codes {
        assert_eq!(check(report, code).outcome, outcome, "{code}\n{}", text(report));
    }
}

const CONFIG_CODES: [&str; 5] = ["R04", "R05", "R06", "R07", "R08"];

/// v3: exchange the grant, PATCH the config, POST actions/provision, all with the token.
#[test]
fn v3_async_provision_passes() {
    let provider = Provider::with_options(async_options(free_port()));
    let (run, report) = provision_async(&provider, 10);
    run.assert_code(0);
    assert_outcomes(&report, &["P01", "P02", "P03", "R01", "A01", "A02", "D01", "D02"], Outcome::Passed);
    assert_outcomes(&report, &CONFIG_CODES, Outcome::Passed);
    assert!(report.passed());
    let resources = provider.running().resources().unwrap();
    assert_eq!(resources.len(), 1, "{resources:?}");
    assert_eq!(resources[0].api_version, 3);
    assert!(all_provisioned(&provider), "the provider's callbacks did not all succeed: {resources:?}");
}

/// v1 (no `api.version`): no grant is sent, so the provider finishes with the legacy PUT
/// and A02 is skipped.
#[test]
fn v1_async_provision_finishes_with_the_legacy_put() {
    let provider = Provider::with_manifest(async_options(free_port()), |manifest: &mut Value| {
        manifest["api"].as_object_mut().unwrap().remove("version");
    });
    let (run, report) = provision_async(&provider, 10);
    run.assert_code(0);
    assert_outcomes(&report, &["P01", "R01", "A01", "D01", "D02"], Outcome::Passed);
    assert_outcomes(&report, &CONFIG_CODES, Outcome::Passed);
    let a02 = check(&report, "A02");
    assert_eq!(a02.outcome, Outcome::Skipped, "{}", text(&report));
    assert_eq!(a02.reason.as_deref(), Some("no oauth_grant is sent to v1 add-ons"));
    let resources = provider.running().resources().unwrap();
    assert_eq!(resources.len(), 1, "{resources:?}");
    assert_eq!(resources[0].api_version, 1);
    assert!(all_provisioned(&provider), "the legacy PUT did not succeed: {resources:?}");
}

/// 202 and then silence: A01 fails after the timeout (3 s here), well within a second
/// more, saying how long it waited; never a hang.
#[test]
fn never_calling_back_fails_within_the_timeout_plus_one_second() {
    let provider = Provider::with_options(async_options(free_port()).with_fault(Fault::AsyncNeverCallback));
    let (run, report) = provision_async(&provider, 3);
    run.assert_code(1);
    // kensa's process start and its other requests are inside the measured time too.
    assert!(run.elapsed < Duration::from_secs(5), "took {:?}\n{}", run.elapsed, run.describe());
    assert!(run.elapsed >= Duration::from_secs(3), "gave up after {:?}, before the timeout", run.elapsed);
    assert_eq!(check(&report, "P01").outcome, Outcome::Passed, "the 202 itself is right\n{}", text(&report));
    let a01 = check(&report, "A01");
    assert_eq!(a01.outcome, Outcome::Failed, "{}", text(&report));
    let said = messages(a01);
    assert!(said.contains("the provider did not finish provisioning within 3 s"), "{said}");
    assert!(said.contains("/actions/provision"), "{said}");
    assert_eq!(check(&report, "A02").outcome, Outcome::Skipped);
    for code in CONFIG_CODES {
        let skipped = check(&report, code);
        assert_eq!(skipped.outcome, Outcome::Skipped, "{code}\n{}", text(&report));
        assert_eq!(skipped.reason.as_deref(), Some("not run: A01 failed, so there are no config vars to check"));
    }
    eprintln!("never calling back: kensa gave up after {:?}", run.elapsed);
}

/// A provider that is not asynchronous answers 200: P01 fails under --async.
#[test]
fn a_synchronous_200_fails_p01_under_async() {
    let port = free_port();
    let provider = Provider::with_options(async_options(port).with_async_provisioning(false));
    assert!(!provider.running().options().async_mode());
    let (run, report) = provision_async(&provider, 1);
    run.assert_code(1);
    let p01 = check(&report, "P01");
    assert_eq!(p01.outcome, Outcome::Failed, "{}", text(&report));
    let said = messages(p01);
    assert!(said.starts_with("expected 202, got 200"), "{said}");
    assert!(said.contains("under --async the provider must answer 202 Accepted"), "{said}");
    assert!(run.elapsed < Duration::from_secs(3), "took {:?}", run.elapsed);
}

/// A provider that answers 202 without being asynchronous (the provision-status-202
/// fault) never finishes: A01 fails, P01 is content.
#[test]
fn a_202_that_never_completes_fails_a01() {
    let provider = Provider::with_options(
        async_options(free_port()).with_async_provisioning(false).with_fault(Fault::ProvisionStatus202),
    );
    let (run, report) = provision_async(&provider, 1);
    run.assert_code(1);
    assert_eq!(check(&report, "P01").outcome, Outcome::Passed, "{}", text(&report));
    assert_eq!(check(&report, "A01").outcome, Outcome::Failed, "{}", text(&report));
    assert!(messages(check(&report, "A01")).contains("within 1 s"), "{}", text(&report));
}

/// `test all --async --with-sso`: the whole life of an asynchronously provisioned resource,
/// with the human progress naming the stand-in and the JSON report in a file.
#[test]
fn test_all_async_with_sso_passes_and_cleans_up() {
    let port = free_port();
    let provider = Provider::with_options(async_options(port));
    let report_path = provider.dir().join("report.json");
    let run = provider
        .kensa(["test", "all", "--async", "--with-sso", "--color", "never", "--format", "json", "--output"])
        .arg(&report_path)
        .args(["--async-timeout", "10", "--callback-port", &port.to_string()])
        .run();
    run.assert_code(0);
    assert!(
        run.stdout
            .contains(&format!("Heroku stand-in for asynchronous provisioning listening on http://127.0.0.1:{port}\n")),
        "{}",
        run.describe()
    );
    assert!(run.stdout.contains("Testing asynchronous provisioning\n"), "{}", run.describe());
    let report = kensa_checks::render::from_json(&std::fs::read_to_string(&report_path).unwrap()).unwrap();
    assert_outcomes(&report, &["A01", "A02", "S05", "S06", "S07", "C01", "X01"], Outcome::Passed);
    assert!(report.passed(), "{}", text(&report));
    assert_eq!(provider.resource_count(), 0);
}

/// The client secret the provider in these tests sends at the token exchange.
const PROVIDER_SECRET: &str = "provider-client-secret-7f3a";

/// `--client-secret` (or `KENSA_OAUTH_CLIENT_SECRET`) makes the token endpoint insist on
/// that secret: the provider's other one is refused and A03 says so, without either
/// secret reaching the screen or the report. The right one passes.
#[test]
fn the_token_endpoint_insists_on_the_client_secret_the_user_gave() {
    let given = "kensa-was-told-another-91c2";
    let port = free_port();
    let provider = Provider::with_options(async_options(port).with_oauth_client_secret(PROVIDER_SECRET));
    let run = provider
        .kensa(["test", "provision", "--async", "--format", "json", "--async-timeout", "10", "--callback-port"])
        .arg(port.to_string())
        .env("KENSA_OAUTH_CLIENT_SECRET", given)
        .run();
    run.assert_code(1);
    let report = run.report();
    let a03 = check(&report, "A03");
    assert_eq!(a03.outcome, Outcome::Failed, "{}", text(&report));
    assert!(
        messages(a03).contains("POST /oauth/token carried a client_secret that is not the one given to kensa"),
        "{}",
        text(&report)
    );
    for secret in [given, PROVIDER_SECRET] {
        assert!(!run.stdout.contains(secret) && !run.stderr.contains(secret), "{secret} shown\n{}", run.describe());
    }
    drop(provider);

    let port = free_port();
    let provider = Provider::with_options(async_options(port).with_oauth_client_secret(PROVIDER_SECRET));
    let run = provider
        .kensa(["test", "provision", "--async", "--format", "json", "--async-timeout", "10", "--callback-port"])
        .arg(port.to_string())
        .args(["--client-secret", PROVIDER_SECRET])
        .run();
    run.assert_code(0);
    let report = run.report();
    assert_outcomes(&report, &["A01", "A02", "A03", "A04"], Outcome::Passed);
    assert!(!run.stdout.contains(PROVIDER_SECRET), "{}", run.describe());
}

/// A provider that refuses nothing and stops after the stand-in refused its exchange ends
/// the wait within about a second of going quiet, not at the timeout.
#[test]
fn a_provider_stopped_by_a_refusal_does_not_cost_the_whole_timeout() {
    let provider = Provider::with_options(async_options(free_port()).with_fault(Fault::AsyncNoClientSecret));
    let (run, report) = provision_async(&provider, 20);
    run.assert_code(1);
    assert!(run.elapsed < Duration::from_secs(10), "took {:?}\n{}", run.elapsed, run.describe());
    let said = messages(check(&report, "A01"));
    assert!(said.contains("it stopped after Heroku's API refused POST /oauth/token"), "{said}");
}

/// A service that answers 200 but calls Heroku's API while it provisions: the calls reach
/// kensa's stand-in (its URL is the `callback_url`, never api.heroku.com), and P01 warns,
/// naming each one; the run still passes.
#[test]
fn calls_back_during_a_synchronous_run_are_a_warning_on_p01() {
    let manifest_auth = kensa_checks::encoding::basic_auth("myaddon", &kensa_e2e::options().password);
    let provider = HostileServer::start(move |request| {
        if request.header("authorization") != Some(manifest_auth.as_str()) {
            return Reply::json(401, &json!({"message": "invalid credentials"}));
        }
        if request.method != "POST" {
            return Reply::new(204);
        }
        let body = request.json();
        let uuid = body["uuid"].as_str().unwrap_or_default().to_string();
        let callback_url = body["callback_url"].as_str().unwrap_or_default().to_string();
        assert!(callback_url.starts_with("http://127.0.0.1:"), "{callback_url}");
        assert!(callback_url.ends_with(&format!("/addons/{uuid}")), "{callback_url}");
        let origin = callback_url.split("/addons/").next().unwrap_or_default();
        let code = body["oauth_grant"]["code"].as_str().unwrap_or_default();
        let form = form_encode(&[("grant_type", "authorization_code"), ("code", code), ("client_secret", "s3cret-x")]);
        let headers = [("Content-Type", "application/x-www-form-urlencoded")];
        http("POST", &format!("{origin}/oauth/token"), &headers, form.as_bytes());
        Reply::json(200, &json!({"id": format!("sync-{uuid}"), "config": {"MYADDON_URL": "https://x.example.com/1"}}))
    });
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("addon-manifest.json");
    write_json(&manifest, &kensa_e2e::options().manifest(provider.origin()));
    let run = Kensa::new(dir.path()).arg("-f").arg(&manifest).args(["test", "provision", "--format", "json"]).run();
    run.assert_code(0);
    let report = run.report();
    let p01 = check(&report, "P01");
    assert_eq!(p01.outcome, Outcome::Warning, "{}", text(&report));
    let said = messages(p01);
    assert!(
        said.contains("the provider called Heroku's API during a synchronous provision: POST /oauth/token"),
        "{said}"
    );
    assert!(said.contains("answers 202 (test it with --async)"), "{said}");
}
