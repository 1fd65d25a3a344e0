//! `--async`: kensa expects a 202 and waits, through its local stand-in for Heroku, for the
//! reference provider (in async mode, pointed at the stand-in) to finish: the OAuth grant
//! exchange, the config PATCH and `actions/provision` for v3, the legacy PUT for v1. It
//! gives up in time, and a synchronous answer fails.
//!
//! What each `async-*` fault switch does is in `faults.rs`.

use kensa_e2e::{
    Fault, Outcome, Provider, Report, Run, async_options, callback_port, check, free_port, messages, text,
};
use serde_json::Value;
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
        assert_eq!(skipped.reason.as_deref(), Some("the provider did not finish provisioning"));
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
