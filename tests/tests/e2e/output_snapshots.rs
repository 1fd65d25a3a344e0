//! The complete output of `kensa test all --with-sso` (command, exit code, stdout,
//! stderr) in the human, JSON, JUnit, GitHub and SARIF formats, as `insta` snapshots in
//! `snapshots/`: one for a correct reference provider (`passing.*`) and one per fault switch
//! and format (`<switch>.human`, `<switch>.json`, `<switch>.junit`, `<switch>.github`,
//! `<switch>.sarif`). A changed screen fails with a
//! diff; `INSTA_UPDATE=always` accepts it (see README.md). What varies from run to run is
//! replaced by `kensa_e2e::snapshot::normalise`, and nothing else.
//!
//! Each switch is run the way `faults.rs` reaches it (its manifest set-up; `--async` for
//! the async switches), and its snapshot must show the check that notices it: a snapshot in
//! which that check passes would pin down a switch that reached nothing.

use crate::faults::{self, Expect, Invocation, Setup};
use kensa_e2e::snapshot::{Known, screen};
use kensa_e2e::{Fault, Outcome, Provider, Report, Run, SSO_SALT, check, parse_github, parse_junit, text};
use std::time::Duration;

/// The report formats, by their `--format` value.
const FORMATS: [&str; 5] = ["human", "json", "junit", "github", "sarif"];

/// `--timeout` for slow-provision: kensa gives up on the hung provision after 1 s instead
/// of Heroku's 25, and says so with the value given.
const SLOW_TIMEOUT_SECS: &str = "1";

/// How long the slow-provision provider waits: longer than kensa does, but short, since
/// the provider finishes the request it holds before it stops.
const SLOW_PROVISION: Duration = Duration::from_secs(2);

/// `--async-timeout` for async-never-callback (the message names it) and for the other
/// async switches (far above the reference provider's 200 ms, so a busy machine does not
/// change the screen).
const NEVER_CALLBACK_TIMEOUT_SECS: &str = "1";
const ASYNC_TIMEOUT_SECS: &str = "10";

/// The callback port as the snapshots show it, in the command line and the output.
const CALLBACK_PORT: &str = "[callback-port]";

/// The Basic credentials of the reference provider, as sent and base64-encoded.
const CREDENTIALS: [&str; 2] = ["myaddon:secret", "bXlhZGRvbjpzZWNyZXQ="];

/// One `kensa test all` run in `format` against a fresh provider with `fault` switched on
/// (none: a correct provider), with its snapshot text.
struct Shot {
    format: &'static str,
    run: Run,
    screen: String,
}

/// A SARIF screen with its `rules` (every check's whole `kensa explain` text, twice: 160 KB
/// of each log, the same in every run) counted instead of shown; the SARIF unit tests in
/// kensa-checks and `sarif::assert_valid` check them.
fn without_rules(screen: &str) -> String {
    const OPEN: &str = "          \"rules\": [\n";
    const CLOSE: &str = "\n          ]";
    let Some(start) = screen.find(OPEN) else { return screen.to_string() };
    let Some(length) = screen[start..].find(CLOSE) else { return screen.to_string() };
    let rules = screen[start..start + length].matches("\n            {\n").count();
    format!("{}          \"rules\": \"[{rules} rules]\"{}", &screen[..start], &screen[start + length + CLOSE.len()..])
}

fn shoot(fault: Option<Fault>, format: &'static str) -> Shot {
    let case = fault.map(faults::expectation);
    let (invocation, setup) = case.as_ref().map_or((Invocation::All, Setup::V3), |case| (case.invocation, case.setup));
    let provider = match fault {
        Some(Fault::SlowProvision) => {
            let mut options = kensa_e2e::options().with_fault(Fault::SlowProvision);
            options.slow_provision = SLOW_PROVISION;
            Provider::with_options(options)
        }
        _ => faults::start(invocation, setup, fault.as_slice()),
    };
    let mut known = Known { ports: vec![(provider.running().port(), "[port]")], dirs: vec![provider.dir().into()] };
    let mut shown = vec!["test", "all", "--with-sso", "--format", format];
    match fault {
        Some(Fault::SlowProvision) => shown.extend(["--timeout", SLOW_TIMEOUT_SECS]),
        Some(fault) if matches!(invocation, Invocation::Async) => {
            let timeout =
                if fault == Fault::AsyncNeverCallback { NEVER_CALLBACK_TIMEOUT_SECS } else { ASYNC_TIMEOUT_SECS };
            shown.extend(["--async", "--async-timeout", timeout]);
        }
        _ => {}
    }
    // Every run's stand-in is the callback_url its provisions send, so its port is pinned
    // (the async provider's is the one it was told to call).
    let callback_port = match invocation {
        Invocation::Async => kensa_e2e::callback_port(&provider),
        Invocation::All | Invocation::Provision | Invocation::Sso => kensa_e2e::free_port(),
    };
    known.ports.push((callback_port, CALLBACK_PORT));
    shown.extend(["--callback-port", CALLBACK_PORT]);
    let args = shown.iter().map(|arg| match *arg {
        CALLBACK_PORT => callback_port.to_string(),
        arg => arg.to_string(),
    });
    let run = provider.run(args);
    let mut screen = screen(&run, &shown.join(" "), &known);
    if format == "sarif" {
        screen = without_rules(&screen);
    }
    Shot { format, run, screen }
}

/// Every format for `fault`, run side by side, each against its own provider.
fn shoot_all(fault: Option<Fault>) -> Vec<Shot> {
    std::thread::scope(|scope| {
        let runs: Vec<_> = FORMATS.map(|format| scope.spawn(move || shoot(fault, format))).into();
        runs.into_iter().map(|run| run.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))).collect()
    })
}

/// The check `fault` must show, by how `faults.rs` expects it to be noticed: every check
/// named there fails (or warns, or, for a switch no check can tell, passes).
#[track_caller]
fn assert_reached(fault: Fault, report: &Report) {
    let outcome_of = |code: &str| check(report, code).outcome;
    match faults::expectation(fault).expect {
        Expect::Fails(checks) => {
            for (code, _) in checks {
                let failed = kensa_e2e::checks(report, code).iter().any(|check| check.outcome == Outcome::Failed);
                assert!(failed, "{fault}: {code} did not fail\n{}", text(report));
            }
        }
        Expect::Warns(code, _) => assert_eq!(outcome_of(code), Outcome::Warning, "{fault}\n{}", text(report)),
        Expect::Passes(code, _) => assert_eq!(outcome_of(code), Outcome::Passed, "{fault}\n{}", text(report)),
        Expect::Elsewhere(_) => {
            let code = match fault {
                Fault::SlowProvision | Fault::DropConnection | Fault::OversizedBody => "P01",
                Fault::AsyncNeverCallback => "A01",
                other => panic!("{other}: say which check its snapshot must fail"),
            };
            assert_eq!(outcome_of(code), Outcome::Failed, "{fault}\n{}", text(report));
        }
    }
}

/// Runs every format and compares each with its snapshot, after checking that the runs
/// agree with each other: one exit code (1 exactly when a check failed), JUnit that parses,
/// GitHub annotations and SARIF results (valid against its schema) for exactly the checks
/// that failed, no credentials or SSO salt printed, and the switch reached.
fn snapshot(fault: Option<Fault>) {
    let shots = shoot_all(fault);
    let json = shots.iter().find(|shot| shot.format == "json").expect("a JSON run");
    let report = json.run.report();
    let expected_code = if report.passed() { 0 } else { 1 };
    for shot in &shots {
        shot.run.assert_code(expected_code);
        for secret in CREDENTIALS.iter().chain([&SSO_SALT]) {
            let printed = shot.run.stdout.contains(secret) || shot.run.stderr.contains(secret);
            assert!(!printed, "{secret} printed\n{}", shot.run.describe());
        }
    }
    let junit = shots.iter().find(|shot| shot.format == "junit").expect("a JUnit run");
    parse_junit(&junit.run.stdout).unwrap_or_else(|error| panic!("not JUnit: {error}\n{}", junit.run.describe()));
    let github = shots.iter().find(|shot| shot.format == "github").expect("a GitHub run");
    parse_github(&github.run.stdout)
        .unwrap_or_else(|error| panic!("not workflow commands: {error}\n{}", github.run.describe()))
        .assert_matches(&report);
    let sarif = shots.iter().find(|shot| shot.format == "sarif").expect("a SARIF run");
    crate::sarif::assert_matches(&crate::sarif::assert_valid(&sarif.run.stdout), &report);
    match fault {
        Some(fault) => assert_reached(fault, &report),
        None => {
            let summary = report.summary();
            assert_eq!((summary.failed, summary.warnings, summary.errored), (0, 0, 0), "{}", text(&report));
        }
    }

    let name = fault.map_or("passing", Fault::name);
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.set_description(fault.map_or("a correct provider", Fault::description));
    settings.bind(|| {
        for shot in &shots {
            insta::assert_snapshot!(format!("{name}.{}", shot.format), shot.screen);
        }
    });
}

macro_rules! snapshot_tests {
    ($($test:ident => $fault:ident,)*) => {
        $(
            #[test]
            fn $test() {
                snapshot(Some(Fault::$fault));
            }
        )*
        /// The faults that have a snapshot test above.
        const SNAPSHOTTED: &[Fault] = &[$(Fault::$fault),*];
    };
}

#[test]
fn passing() {
    snapshot(None);
}

snapshot_tests! {
    no_auth => NoAuth,
    auth_password_only => AuthPasswordOnly,
    auth_user_only => AuthUserOnly,
    provision_status_201 => ProvisionStatus201,
    provision_status_202 => ProvisionStatus202,
    async_never_callback => AsyncNeverCallback,
    async_skip_oauth => AsyncSkipOauth,
    async_wrong_token => AsyncWrongToken,
    async_legacy_callback => AsyncLegacyCallback,
    async_undeclared_config_var => AsyncUndeclaredConfigVar,
    async_no_client_secret => AsyncNoClientSecret,
    async_no_accept => AsyncNoAccept,
    provision_status_422 => ProvisionStatus422,
    provision_not_json => ProvisionNotJson,
    provision_json_array => ProvisionJsonArray,
    provision_null => ProvisionNull,
    provision_missing_id => ProvisionMissingId,
    provision_empty_id => ProvisionEmptyId,
    undeclared_config_var => UndeclaredConfigVar,
    config_exports_path => ConfigExportsPath,
    non_string_config_value => NonStringConfigValue,
    config_not_object => ConfigNotObject,
    invalid_config_url => InvalidConfigUrl,
    localhost_config_url => LocalhostConfigUrl,
    missing_declared_config_var => MissingDeclaredConfigVar,
    missing_log_drain_url => MissingLogDrainUrl,
    same_id_for_every_uuid => SameIdForEveryUuid,
    new_id_for_repeated_uuid => NewIdForRepeatedUuid,
    duplicate_overlapping_provisions => DuplicateOverlappingProvisions,
    id_contains_heroku_id => IdContainsHerokuId,
    slow_provision => SlowProvision,
    drop_connection => DropConnection,
    oversized_body => OversizedBody,
    reject_v3_accept => RejectV3Accept,
    reject_unknown_fields => RejectUnknownFields,
    null_oauth_grant_crash => NullOauthGrantCrash,
    reject_region_eu => RejectRegionEu,
    key_by_provider_id => KeyByProviderId,
    deprovision_status_500 => DeprovisionStatus500,
    deprovision_with_message_500 => DeprovisionWithMessage500,
    deprovision_repeat_success => DeprovisionRepeatSuccess,
    deprovision_repeat_500 => DeprovisionRepeat500,
    planchange_status_500 => PlanchangeStatus500,
    planchange_503_message => Planchange503Message,
    planchange_repeat_error => PlanchangeRepeatError,
    sso_ignore_token => SsoIgnoreToken,
    sso_ignore_timestamp => SsoIgnoreTimestamp,
    sso_accept_future_timestamp => SsoAcceptFutureTimestamp,
    sso_no_cookie => SsoNoCookie,
    sso_bad_cookie => SsoBadCookie,
    sso_no_layout => SsoNoLayout,
    sso_login_fails => SsoLoginFails,
}

#[test]
fn every_fault_has_a_snapshot_test() {
    let missing: Vec<&str> =
        Fault::ALL.iter().filter(|fault| !SNAPSHOTTED.contains(fault)).map(|fault| fault.name()).collect();
    assert!(missing.is_empty(), "no snapshot test for {missing:?}");
}

/// A snapshot whose switch was renamed or removed is deleted with it, not left behind.
#[test]
fn every_snapshot_file_belongs_to_a_test() {
    let names: Vec<&str> = std::iter::once("passing").chain(Fault::ALL.iter().map(|fault| fault.name())).collect();
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/e2e/snapshots");
    for entry in std::fs::read_dir(&folder).unwrap() {
        let file = entry.unwrap().file_name().to_string_lossy().into_owned();
        let Some(stem) = file.strip_suffix(".snap") else { continue };
        let known =
            stem.rsplit_once('.').is_some_and(|(name, format)| names.contains(&name) && FORMATS.contains(&format));
        assert!(known, "{} belongs to no snapshot test: delete it", folder.join(&file).display());
    }
}
