//! Every fault switch of the reference provider against the check that must notice it:
//! once with the fault off (kensa exits 0 and the check passes) and once with it on (kensa
//! exits 1 and the check fails with its message, read from `--format json`); for the SSO
//! and async faults, no check outside the expectation fails.
//!
//! `expectation` matches on `Fault` without a wildcard, so a new fault does not compile
//! until it is given an expectation here, and `every_fault_has_a_test_or_a_stated_reason`
//! fails until it has a test.

use crate::async_provision::provision_async;
use crate::sso::{Api, SSO_CODES, key, provision, test_sso};
use kensa_e2e::{Fault, Outcome, Provider, Report, Run, check, messages, text};
use serde_json::{Value, json};

/// The kensa command line (or two) a fault case runs against the provider.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Invocation {
    /// `kensa test all`: manifest, provision, plan change, deprovision.
    All,
    /// `kensa test provision`.
    Provision,
    /// `kensa test provision` (which keeps the resource), then `kensa test sso KEY` on it.
    /// Every SSO fault is also run with a v1 manifest (no `api.version`), where the legacy
    /// cookie and layout checks fail instead of warning.
    Sso,
    /// `kensa test provision --async` against the provider in async mode, its token
    /// endpoint pointed at kensa's Heroku stand-in.
    Async,
}

/// The manifest the provider is described with.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Setup {
    /// `running.manifest()` as it is: API v3.
    V3,
    /// API v1 (`"version": "1"`, a warning only), so kensa sends `heroku_id`.
    V1,
    /// `requires: ["syslog_drain"]`, so kensa sends a `log_drain_token`.
    SyslogDrain,
    /// No `api.version` at all: v1, as the old gem's manifests were.
    NoVersion,
    /// `regions: ["us", "eu"]`, so kensa provisions from `eu` as well.
    EuRegion,
}

/// What a fault must do to the run.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Expect {
    /// Each check fails with every fragment among its findings; kensa exits 1.
    Fails(&'static [(&'static str, &'static [&'static str])]),
    /// The check passes with a warning containing the fragment; kensa exits 0.
    Warns(&'static str, &'static str),
    /// No check can tell (the reason says why); the run passes, and so does this check.
    Passes(&'static str, &'static str),
    /// Tested on its own (timing, sockets, memory), in the test named.
    Elsewhere(&'static str),
}

pub(crate) struct Case {
    pub(crate) invocation: Invocation,
    pub(crate) setup: Setup,
    pub(crate) expect: Expect,
}

const fn case(invocation: Invocation, setup: Setup, expect: Expect) -> Case {
    Case { invocation, setup, expect }
}

/// What a legacy SSO check adds to its message when it only warns (v3).
const V3_LEGACY: &str = " (no longer required for v3 add-ons)";

/// How long `Invocation::Async` waits for the provider to finish: far more than the reference
/// provider needs (200 ms), so a busy machine does not make a passing run fail.
const ASYNC_TIMEOUT_SECS: u64 = 10;

pub(crate) fn expectation(fault: Fault) -> Case {
    use Expect::*;
    use Invocation::*;
    use Setup::*;
    match fault {
        // Authentication: three probes on every endpoint, each must get 401.
        Fault::NoAuth => case(
            All,
            V3,
            Fails(&[
                (
                    "P03",
                    &[
                        "expected 401, got 200 with a wrong username",
                        "expected 401, got 200 with a wrong password",
                        "expected 401, got 200 with a wrong username and password",
                    ],
                ),
                ("C02", &["expected 401, got 200 with a wrong username"]),
                // By then the resource is gone, so the probes get 410, still not 401.
                ("X02", &["expected 401, got ", " with a wrong username"]),
            ]),
        ),
        Fault::AuthPasswordOnly => case(
            All,
            V3,
            Fails(&[
                ("P03", &["expected 401, got 200 with a wrong username"]),
                ("C02", &["expected 401, got 200 with a wrong username"]),
            ]),
        ),
        Fault::AuthUserOnly => case(
            All,
            V3,
            Fails(&[
                ("P03", &["expected 401, got 200 with a wrong password"]),
                ("C02", &["expected 401, got 200 with a wrong password"]),
            ]),
        ),
        // Provision status and body.
        Fault::ProvisionStatus201 => case(All, V3, Fails(&[("P01", &["expected 200, got 201"])])),
        // Without --async a 202 is wrong. Under --async it is right but, as this provider
        // never finishes, A01 fails (async_provision::a_202_that_never_completes_fails_a01).
        Fault::ProvisionStatus202 => case(Provision, V3, Fails(&[("P01", &["expected 200, got 202"])])),
        Fault::ProvisionStatus422 => case(
            Provision,
            V3,
            Fails(&[(
                "P01",
                &["expected 200, got 422", "the provider said: this add-on cannot be provisioned right now"],
            )]),
        ),
        Fault::ProvisionNotJson => case(Provision, V3, Fails(&[("P02", &["the response body is not JSON"])])),
        Fault::ProvisionJsonArray => {
            case(Provision, V3, Fails(&[("R01", &["the response must be a JSON object, found an array"])]))
        }
        Fault::ProvisionNull => {
            case(Provision, V3, Fails(&[("R01", &["the response must be a JSON object, found null"])]))
        }
        Fault::ProvisionMissingId => case(Provision, V3, Fails(&[("R01", &["the response has no `id`"])])),
        Fault::ProvisionEmptyId => {
            case(Provision, V3, Fails(&[("R01", &["`id` must be a non-empty string or a number, found \"\""])]))
        }
        // Config vars.
        Fault::UndeclaredConfigVar => case(All, V3, Fails(&[("R05", &["MYADDON_UNDECLARED is not in the manifest"])])),
        Fault::ConfigExportsPath => case(
            All,
            V3,
            Fails(&[("R05", &["PATH is not in the manifest", "LD_PRELOAD is not in the manifest", "BASH_ENV is not"])]),
        ),
        Fault::NonStringConfigValue => {
            case(All, V3, Fails(&[("R07", &["the key MYADDON_URL doesn't contain a string (5432)"])]))
        }
        Fault::ConfigNotObject => case(All, V3, Fails(&[("R04", &["`config` must be an object, found an array"])])),
        Fault::InvalidConfigUrl => {
            case(All, V3, Fails(&[("R08", &["MYADDON_URL: /resources/", " is not a valid URI - missing scheme"])]))
        }
        // "pointing to localhost" fails only with --production, whose URLs the manifest
        // rules require to be https; the reference provider speaks plain http, so that half
        // cannot run end to end (the unit tests of config.rs cover it). When testing, a
        // localhost URL is right.
        Fault::LocalhostConfigUrl => {
            case(All, V3, Passes("R08", "localhost URLs are fine outside --production, which needs https"))
        }
        Fault::MissingDeclaredConfigVar => {
            case(All, V3, Warns("R06", "MYADDON_URL is missing from the provision response"))
        }
        Fault::MissingLogDrainUrl => case(Provision, SyslogDrain, Fails(&[("R03", &["must return a log_drain_url"])])),
        // Idempotency.
        Fault::SameIdForEveryUuid => {
            case(All, V3, Fails(&[("D02", &["multiple provisions cannot return the same id"])]))
        }
        Fault::NewIdForRepeatedUuid => case(All, V3, Fails(&[("D01", &["the same uuid returned a new id"])])),
        Fault::DuplicateOverlappingProvisions => case(
            All,
            V3,
            Fails(&[("D03", &["overlapping", "made 3 resources", "at least once", "unique constraint on uuid"])]),
        ),
        Fault::IdContainsHerokuId => case(All, V1, Fails(&[("R02", &["id cannot include heroku_id"])])),
        // Timing, sockets and memory need their own assertions.
        Fault::SlowProvision => {
            case(Provision, V3, Elsewhere("limits::slow_provision_fails_at_kensas_25_second_deadline"))
        }
        Fault::DropConnection => {
            case(Provision, V3, Elsewhere("limits::dropped_connection_fails_promptly_with_one_line"))
        }
        Fault::OversizedBody => {
            case(Provision, V3, Elsewhere("limits::oversized_body_fails_promptly_in_little_memory"))
        }
        // Request shape: the v3 Accept header, only documented fields, the uuid as key.
        Fault::RejectV3Accept => case(
            Provision,
            V3,
            Fails(&[("P01", &["expected 200, got 406", "the provider said: only application/json is supported"])]),
        ),
        // A tolerant reader: a field Heroku has not documented yet, a provision without a grant.
        Fault::RejectUnknownFields => case(
            All,
            SyslogDrain,
            Fails(&[(
                "T01",
                &[
                    "a provision with the extra field `\"kensa_probe\": \"an undocumented field\"`: expected 200, got 422",
                    "fields it does not document yet",
                    "such a request is valid",
                    "(the provider said: unknown field kensa_probe)",
                ],
            )]),
        ),
        Fault::NullOauthGrantCrash => case(
            All,
            V3,
            Fails(&[(
                "T02",
                &[
                    "a provision with `\"oauth_grant\": null`: expected 200, got 500",
                    "may come with no grant",
                    "(the provider said: undefined method '[]' for nil)",
                ],
            )]),
        ),
        // Every declared region: the main provision goes out from `us`, G01 adds `eu`.
        Fault::RejectRegionEu => case(
            All,
            EuRegion,
            Fails(&[(
                "G01",
                &[
                    "region `eu` (amazon-web-services::eu-west-1): expected 200, got 422",
                    "the manifest declares `eu`, so Heroku provisions apps there",
                    "(the provider said: region amazon-web-services::eu-west-1 is not supported)",
                ],
            )]),
        ),
        Fault::KeyByProviderId => case(
            All,
            V3,
            // Tried once by the provider's id, which works, and the failure says so.
            Fails(&[
                ("C01", &["got 404, but PUT /heroku/resources/", "finds resources by its own id"]),
                ("X01", &["got 404, but DELETE /heroku/resources/", "finds resources by its own id"]),
            ]),
        ),
        // Deprovision and plan change.
        Fault::DeprovisionStatus500 => case(All, V3, Fails(&[("X01", &["expected 200 or 204, got 500"])])),
        Fault::DeprovisionWithMessage500 => case(
            All,
            V3,
            Fails(&[(
                "X01",
                &["expected 200 or 204, got 500", "the provider said: deprovisioning failed, please try again later"],
            )]),
        ),
        // X03 repeats the deprovision and accepts 410, 404 or success: the resource is gone
        // either way (Heroku's rule for a repeat is unconfirmed), so success passes.
        Fault::DeprovisionRepeatSuccess => {
            case(All, V3, Passes("X03", "a repeated deprovision may succeed: the resource is gone either way"))
        }
        Fault::DeprovisionRepeat500 => {
            case(All, V3, Fails(&[("X03", &["a repeated DELETE got 500", "at least once", "410 Gone"])]))
        }
        Fault::PlanchangeStatus500 => case(All, V3, Fails(&[("C01", &["expected 200, got 500"])])),
        Fault::Planchange503Message => case(
            All,
            V3,
            Fails(&[(
                "C01",
                &[
                    "cannot change plans instantly: this plan change needs a manual step: see https://example.com/docs/plan-changes",
                ],
            )]),
        ),
        Fault::PlanchangeRepeatError => case(
            All,
            V3,
            Fails(&[(
                "C03",
                &[
                    "a repeated plan change got 422",
                    "at least once",
                    "the provider said: the resource is already on plan foo",
                ],
            )]),
        ),
        // Asynchronous provisioning: the 202, the wait, the OAuth grant and token.
        Fault::AsyncNeverCallback => {
            case(Async, V3, Elsewhere("async_provision::never_calling_back_fails_within_the_timeout_plus_one_second"))
        }
        // The stand-in refuses what Heroku refuses, so the provider cannot finish (A01) and
        // the refusal's own check names the rule.
        Fault::AsyncSkipOauth => case(
            Async,
            V3,
            Fails(&[
                ("A02", &["PATCH /addons/", "/config carried no Authorization header", "401 unauthorized"]),
                ("A01", &["it stopped after Heroku's API refused PATCH /addons/"]),
            ]),
        ),
        Fault::AsyncWrongToken => case(
            Async,
            V3,
            Fails(&[
                ("A02", &["PATCH /addons/", "/config carried a wrong bearer token", "401 unauthorized"]),
                ("A01", &["it stopped after Heroku's API refused PATCH /addons/"]),
            ]),
        ),
        Fault::AsyncLegacyCallback => case(
            Async,
            V3,
            Warns("A01", "the provider finished with the legacy PUT to the callback URL; v3 add-ons PATCH /addons/"),
        ),
        Fault::AsyncUndeclaredConfigVar => {
            case(Async, V3, Fails(&[("R05", &["MYADDON_UNDECLARED is not in the manifest"])]))
        }
        Fault::AsyncNoClientSecret => case(
            Async,
            V3,
            Fails(&[
                ("A03", &["POST /oauth/token carried no client_secret", "OAuth client secret from the Partner Portal"]),
                ("A01", &["it stopped after Heroku's API refused POST /oauth/token"]),
            ]),
        ),
        Fault::AsyncNoAccept => case(
            Async,
            V3,
            Fails(&[
                (
                    "A04",
                    &[
                        "/config carried no Accept header",
                        "406 not_acceptable",
                        "`Accept: application/vnd.heroku+json; version=3`",
                    ],
                ),
                ("A01", &["it stopped after Heroku's API refused PATCH /addons/"]),
            ]),
        ),
        // Single sign-on: each probe that must get 403 gets the provider's redirect instead.
        Fault::SsoIgnoreToken => case(Sso, V3, Fails(&[("S02", &["expected 403, got 302"])])),
        Fault::SsoIgnoreTimestamp => case(Sso, V3, Fails(&[("S03", &["expected 403, got 302"])])),
        Fault::SsoAcceptFutureTimestamp => case(Sso, V3, Fails(&[("S04", &["expected 403, got 302"])])),
        Fault::SsoLoginFails => case(Sso, V3, Fails(&[("S05", &["expected 200, got 403"])])),
        // The legacy cookie and layout: warnings for v3 (and failures for v1, see `run_sso_v1`).
        Fault::SsoNoCookie => {
            case(Sso, V3, Warns("S06", "could not find cookie heroku-nav-data (no longer required for v3 add-ons)"))
        }
        Fault::SsoBadCookie => case(Sso, V3, Warns("S06", ", got wrong-value (no longer required for v3 add-ons)")),
        Fault::SsoNoLayout => {
            case(Sso, V3, Warns("S07", "could not find Heroku layout (no longer required for v3 add-ons)"))
        }
    }
}

/// Resources the provider still holds after the run. `test provision` keeps the resource
/// it checked (as the old gem did), `test all` deprovisions it; every extra resource the
/// checks create is deprovisioned, unless the fault makes the provider refuse.
fn resources_left(fault: Option<Fault>, invocation: Invocation) -> Option<usize> {
    let kept = match invocation {
        Invocation::All => 0,
        Invocation::Provision | Invocation::Sso | Invocation::Async => 1,
    };
    match fault {
        // Every DELETE fails, so the checked resource and the extras of D02, D03, T01 and T02 stay.
        Some(Fault::DeprovisionStatus500 | Fault::DeprovisionWithMessage500) => Some(5),
        // The provider refuses the provision, so there is nothing to keep.
        Some(Fault::ProvisionStatus422 | Fault::RejectV3Accept) => Some(0),
        // A provision that succeeded without a usable body is deprovisioned by its uuid at
        // once: nobody could name it later.
        Some(
            Fault::ProvisionNotJson
            | Fault::ProvisionNull
            | Fault::ProvisionJsonArray
            | Fault::ProvisionMissingId
            | Fault::ProvisionEmptyId,
        ) => Some(0),
        _ => Some(kept),
    }
}

/// How many resources kensa's ledger next to the manifest lists (none without a file).
fn ledger_entries(provider: &Provider) -> usize {
    match std::fs::read_to_string(provider.dir().join(".kensa-resources.json")) {
        Ok(text) => serde_json::from_str::<Value>(&text).unwrap()["resources"].as_array().unwrap().len(),
        Err(_) => 0,
    }
}

pub(crate) fn start(invocation: Invocation, setup: Setup, faults: &[Fault]) -> Provider {
    let options = match invocation {
        Invocation::Async => kensa_e2e::async_options(kensa_e2e::free_port()),
        Invocation::All | Invocation::Provision | Invocation::Sso => kensa_e2e::options(),
    };
    let options = options.with_faults(faults.iter().copied().collect());
    Provider::with_manifest(options, |manifest: &mut Value| match setup {
        Setup::V3 => {}
        Setup::V1 => manifest["api"]["version"] = json!("1"),
        Setup::SyslogDrain => manifest["api"]["requires"] = json!(["syslog_drain"]),
        Setup::NoVersion => {
            manifest["api"].as_object_mut().unwrap().remove("version");
        }
        Setup::EuRegion => manifest["api"]["regions"] = json!(["us", "eu"]),
    })
}

/// Runs `invocation` against `provider`, always with `--format json`; the last kensa run.
fn invoke(provider: &Provider, invocation: Invocation, setup: Setup) -> Run {
    match invocation {
        Invocation::All => provider.run(["test", "all", "--format", "json"]),
        Invocation::Provision => provider.run(["test", "provision", "--format", "json"]),
        Invocation::Sso => {
            let resource = provision(provider);
            let api = if matches!(setup, Setup::V1 | Setup::NoVersion) { Api::V1 } else { Api::V3 };
            test_sso(provider, &key(&resource, api), &[]).0
        }
        Invocation::Async => provision_async(provider, ASYNC_TIMEOUT_SECS).0,
    }
}

/// The codes a case looks at.
fn codes(expect: Expect) -> Vec<&'static str> {
    match expect {
        Expect::Fails(checks) => checks.iter().map(|(code, _)| *code).collect(),
        Expect::Warns(code, _) | Expect::Passes(code, _) => vec![code],
        Expect::Elsewhere(_) => Vec::new(),
    }
}

/// Each of `checks` failed with all its fragments; kensa exited 1.
#[track_caller]
fn assert_fails(fault: Fault, run: &Run, report: &Report, checks: &[(&str, &[&str])]) {
    run.assert_code(1);
    assert!(!report.passed());
    for (code, fragments) in checks {
        let failed = kensa_e2e::checks(report, code)
            .into_iter()
            .find(|check| check.outcome == Outcome::Failed)
            .unwrap_or_else(|| panic!("{fault} on: {code} did not fail\n{}", text(report)));
        let found = messages(failed);
        for fragment in *fragments {
            assert!(found.contains(fragment), "{fault} on: {code} should say {fragment:?}, said:\n{found}");
        }
        // The JSON document itself names the code, outcome and message.
        let json = run.json();
        let raw = json["groups"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|group| group["checks"].as_array().unwrap())
            .find(|check| check["code"] == *code && check["outcome"] == "failed")
            .unwrap();
        assert!(raw["findings"][0]["message"].is_string(), "{raw:#}");
        assert_eq!(json["passed"], false);
    }
}

/// Outside the checks `named`, nothing failed, and every SSO check passed (only the
/// cookie and layout checks are skipped, after a failed sign-in).
#[track_caller]
fn assert_nothing_else_fails(fault: Fault, report: &Report, named: &[&str]) {
    for check in report.checks().filter(|check| !named.contains(&check.code.as_str())) {
        assert!(
            !matches!(check.outcome, Outcome::Failed | Outcome::Errored),
            "{fault} on: {} failed as well\n{}",
            check.code,
            text(report)
        );
        if SSO_CODES.contains(&check.code.as_str()) {
            let after_failed_sign_in = named.contains(&"S05") && matches!(check.code.as_str(), "S06" | "S07");
            let outcome = if after_failed_sign_in { Outcome::Skipped } else { Outcome::Passed };
            assert_eq!(check.outcome, outcome, "{fault} on: {}\n{}", check.code, text(report));
        }
    }
}

fn run_case(fault: Fault) {
    let Case { invocation, setup, expect } = expectation(fault);
    if matches!(expect, Expect::Elsewhere(_)) {
        return;
    }

    // Off: the same run against a correct provider passes every check involved.
    let provider = start(invocation, setup, &[]);
    let run = invoke(&provider, invocation, setup);
    run.assert_code(0);
    let report = run.report();
    for code in codes(expect) {
        let check = check(&report, code);
        assert_eq!(check.outcome, Outcome::Passed, "{fault} off: {code}\n{}", text(&report));
    }
    assert_eq!(Some(provider.resource_count()), resources_left(None, invocation), "{fault} off: resources left");
    assert_eq!(ledger_entries(&provider), provider.resource_count(), "{fault} off: the ledger lists what is left");
    drop(provider);

    // On.
    let provider = start(invocation, setup, &[fault]);
    let run = invoke(&provider, invocation, setup);
    let report = run.report();
    match expect {
        Expect::Fails(checks) => assert_fails(fault, &run, &report, checks),
        Expect::Warns(code, fragment) => {
            run.assert_code(0);
            let check = check(&report, code);
            assert_eq!(check.outcome, Outcome::Warning, "{}", text(&report));
            assert!(
                messages(check).contains(fragment),
                "{fault} on: {code} should warn {fragment:?}\n{}",
                text(&report)
            );
        }
        Expect::Passes(code, _why) => {
            run.assert_code(0);
            assert_eq!(check(&report, code).outcome, Outcome::Passed, "{}", text(&report));
        }
        Expect::Elsewhere(_) => unreachable!(),
    }
    // The older suites' faults may knock on (a probe that gets in deletes the resource, so
    // X01 fails too); SSO and async faults must hit exactly their checks.
    if matches!(invocation, Invocation::Sso | Invocation::Async) {
        assert_nothing_else_fails(fault, &report, &codes(expect));
    }
    if let Some(left) = resources_left(Some(fault), invocation) {
        assert_eq!(provider.resource_count(), left, "{fault} on: resources left\n{}", text(&report));
        assert_eq!(ledger_entries(&provider), left, "{fault} on: the ledger lists what is left\n{}", text(&report));
    }
    drop(provider);

    if matches!(invocation, Invocation::Sso) {
        run_sso_v1(fault, expect);
    }
}

/// An SSO fault against a v1 manifest: the same check fails, and the legacy checks that
/// only warn for v3 fail (with the same message, less the v3 note).
fn run_sso_v1(fault: Fault, expect: Expect) {
    let provider = start(Invocation::Sso, Setup::NoVersion, &[fault]);
    let run = invoke(&provider, Invocation::Sso, Setup::NoVersion);
    let report = run.report();
    match expect {
        Expect::Fails(checks) => assert_fails(fault, &run, &report, checks),
        Expect::Warns(code, fragment) => {
            let fragment = fragment.strip_suffix(V3_LEGACY).unwrap_or_else(|| panic!("{fragment:?} lacks the v3 note"));
            assert_fails(fault, &run, &report, &[(code, &[fragment])]);
            let said = messages(check(&report, code));
            assert!(!said.contains(V3_LEGACY), "v1 gets no v3 note: {said}");
        }
        Expect::Passes(..) | Expect::Elsewhere(_) => unreachable!("{fault}: every SSO fault fails or warns"),
    }
    assert_nothing_else_fails(fault, &report, &codes(expect));
}

macro_rules! fault_tests {
    ($($test:ident => $fault:ident,)*) => {
        $(
            #[test]
            fn $test() {
                run_case(Fault::$fault);
            }
        )*
        /// The faults that have a test above.
        const TESTED: &[Fault] = &[$(Fault::$fault),*];
    };
}

fault_tests! {
    no_auth_fails_p03_c02_x02 => NoAuth,
    auth_password_only_fails_p03_and_c02 => AuthPasswordOnly,
    auth_user_only_fails_p03_and_c02 => AuthUserOnly,
    provision_status_201_fails_p01 => ProvisionStatus201,
    provision_status_202_fails_p01_without_async => ProvisionStatus202,
    provision_status_422_fails_p01_with_the_message => ProvisionStatus422,
    provision_not_json_fails_p02 => ProvisionNotJson,
    provision_json_array_fails_r01 => ProvisionJsonArray,
    provision_null_fails_r01 => ProvisionNull,
    provision_missing_id_fails_r01 => ProvisionMissingId,
    provision_empty_id_fails_r01 => ProvisionEmptyId,
    undeclared_config_var_fails_r05 => UndeclaredConfigVar,
    config_exports_path_fails_r05 => ConfigExportsPath,
    non_string_config_value_fails_r07 => NonStringConfigValue,
    config_not_object_fails_r04 => ConfigNotObject,
    invalid_config_url_fails_r08 => InvalidConfigUrl,
    localhost_config_url_passes_r08_outside_production => LocalhostConfigUrl,
    missing_declared_config_var_warns_r06 => MissingDeclaredConfigVar,
    missing_log_drain_url_fails_r03 => MissingLogDrainUrl,
    same_id_for_every_uuid_fails_d02 => SameIdForEveryUuid,
    new_id_for_repeated_uuid_fails_d01 => NewIdForRepeatedUuid,
    duplicate_overlapping_provisions_fails_d03 => DuplicateOverlappingProvisions,
    id_contains_heroku_id_fails_r02 => IdContainsHerokuId,
    reject_v3_accept_fails_p01 => RejectV3Accept,
    reject_unknown_fields_fails_t01 => RejectUnknownFields,
    null_oauth_grant_crash_fails_t02 => NullOauthGrantCrash,
    reject_region_eu_fails_g01_naming_the_region => RejectRegionEu,
    key_by_provider_id_fails_c01_and_x01 => KeyByProviderId,
    deprovision_status_500_fails_x01 => DeprovisionStatus500,
    deprovision_with_message_500_fails_x01_with_the_message => DeprovisionWithMessage500,
    deprovision_repeat_success_passes_x03 => DeprovisionRepeatSuccess,
    deprovision_repeat_500_fails_x03 => DeprovisionRepeat500,
    planchange_status_500_fails_c01 => PlanchangeStatus500,
    planchange_503_message_fails_c01_as_not_instant => Planchange503Message,
    planchange_repeat_error_fails_c03 => PlanchangeRepeatError,
    async_skip_oauth_fails_a02_and_a01 => AsyncSkipOauth,
    async_wrong_token_fails_a02_and_a01 => AsyncWrongToken,
    async_legacy_callback_warns_a01_for_v3 => AsyncLegacyCallback,
    async_undeclared_config_var_fails_r05 => AsyncUndeclaredConfigVar,
    async_no_client_secret_fails_a03_and_a01 => AsyncNoClientSecret,
    async_no_accept_fails_a04_and_a01 => AsyncNoAccept,
    sso_ignore_token_fails_s02 => SsoIgnoreToken,
    sso_ignore_timestamp_fails_s03 => SsoIgnoreTimestamp,
    sso_accept_future_timestamp_fails_s04 => SsoAcceptFutureTimestamp,
    sso_login_fails_fails_s05_and_skips_s06_s07 => SsoLoginFails,
    sso_no_cookie_warns_s06_for_v3_fails_for_v1 => SsoNoCookie,
    sso_bad_cookie_warns_s06_for_v3_fails_for_v1 => SsoBadCookie,
    sso_no_layout_warns_s07_for_v3_fails_for_v1 => SsoNoLayout,
}

#[test]
fn every_fault_has_a_test_or_a_stated_reason() {
    for fault in Fault::ALL {
        let tested = TESTED.contains(fault);
        match expectation(*fault).expect {
            Expect::Elsewhere(test) => {
                assert!(!tested, "{fault} is tested in {test}");
            }
            _ => assert!(tested, "{fault} has an expectation but no test in TESTED"),
        }
    }
}

/// Every check the engine makes is failed (or, for R06, warned) by some fault here, or by
/// a test named below.
#[test]
fn every_provider_check_is_covered() {
    let elsewhere = [
        "E01", // run::a_failing_command_fails_e01_and_still_deprovisions
        "S01", // sso::no_salt_fails_s01_at_once
    ];
    for def in kensa_checks::CHECKS.iter() {
        let covered = elsewhere.contains(&def.code)
            || Fault::ALL.iter().any(|fault| match expectation(*fault).expect {
                Expect::Fails(checks) => checks.iter().any(|(code, _)| *code == def.code),
                Expect::Warns(code, _) => code == def.code,
                _ => false,
            });
        assert!(covered, "no end-to-end test makes {} fail", def.code);
    }
}
