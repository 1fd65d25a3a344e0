//! The engine in a browser: the same scripted-provider runs as tests/engine.rs, under
//! wasm-bindgen-test in headless Chromium (see scripts/test).
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, reason = "test helpers panic on purpose")]

mod scripted;

use kensa_checks::{Outcome, Suite};
use scripted::{Fault, run_suite};
use wasm_bindgen_test::wasm_bindgen_test;

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn a_correct_provider_passes_test_all_in_the_browser() {
    let (report, provider) = run_suite(&[], Suite::All { plan: "foo".into() });
    assert!(
        report.passed(),
        "{}",
        kensa_checks::render::text(&report, &kensa_checks::render::plain)
    );
    assert_eq!(provider.live_resources(), 0);
}

#[wasm_bindgen_test]
fn faults_fail_their_checks_in_the_browser() {
    for (fault, code) in [
        (Fault::PasswordOnly, "P03"),
        (Fault::UndeclaredVar, "R05"),
        (Fault::SameIdForEveryUuid, "D02"),
    ] {
        let (report, _) = run_suite(&[fault], Suite::All { plan: "foo".into() });
        let check = report.checks().find(|check| check.code == code).unwrap();
        assert_eq!(check.outcome, Outcome::Failed, "{fault:?}");
    }
}

#[wasm_bindgen_test]
fn the_report_round_trips_through_json_in_the_browser() {
    let (report, _) = run_suite(&[Fault::NoAuth], Suite::Provision);
    let json = kensa_checks::render::json(&report);
    assert_eq!(kensa_checks::render::from_json(&json).unwrap(), report);
    assert!(kensa_checks::render::junit(&report).contains("<failure"));
}
