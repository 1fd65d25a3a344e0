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
    let (report, provider) = run_suite(&[], Suite::All { plan: "foo".into(), with_sso: false });
    assert!(report.passed(), "{}", kensa_checks::render::text(&report, &kensa_checks::render::plain));
    assert_eq!(provider.live_resources(), 0);
}

#[wasm_bindgen_test]
fn faults_fail_their_checks_in_the_browser() {
    for (fault, code) in
        [(Fault::PasswordOnly, "P03"), (Fault::UndeclaredVar, "R05"), (Fault::SameIdForEveryUuid, "D02")]
    {
        let (report, _) = run_suite(&[fault], Suite::All { plan: "foo".into(), with_sso: false });
        let check = report.checks().find(|check| check.code == code).unwrap();
        assert_eq!(check.outcome, Outcome::Failed, "{fault:?}");
    }
}

#[wasm_bindgen_test]
fn the_report_round_trips_through_json_in_the_browser() {
    let (report, _) = run_suite(&[Fault::NoAuth], Suite::Provision);
    let json = kensa_checks::render::json(&report);
    // Exchange timings are for the HAR; the JSON report does not carry them.
    let mut untimed = report.clone();
    let exchanges =
        untimed.groups.iter_mut().flat_map(|group| &mut group.checks).flat_map(|check| &mut check.exchanges);
    for exchange in exchanges {
        assert!(exchange.timing.take().is_some(), "every exchange the engine makes is timed");
    }
    assert_eq!(kensa_checks::render::from_json(&json).unwrap(), untimed);
    assert!(kensa_checks::render::junit(&report).contains("<failure"));
}

#[wasm_bindgen_test]
fn sso_tokens_match_the_protocol_vectors_in_the_browser() {
    use kensa_checks::sso::{resource_token, token, user_scoped_resource_token};
    assert_eq!(token("1", "SSO_SALT", 1_262_304_000), "b6010f6fbb850887a396c2bc0ab23974003008f6");
    assert_eq!(
        token("123", "2f97bfa52ca102f8874716e2eb1d3b4920ad0be4", 1_267_597_772),
        "bb466eb1d6bc345d11072c3cd25c311f21be130d"
    );
    let uuid = "01234567-89ab-cdef-0123-456789abcdef";
    assert_eq!(resource_token(uuid, "SSO_SALT", 1_262_304_000), "094733ee718bbb40f4741b03341be3630b127a2f");
    assert_eq!(
        user_scoped_resource_token(
            uuid,
            "SSO_SALT",
            1_262_304_000,
            "fedcba98-7654-3210-fedc-ba9876543210",
            "user@example.com"
        ),
        "b345e31bcdaecd27ab7088659496d281b1c6a2feffb0aea62c136036ec6294fb"
    );
}
