//! Whole suites against a correct provider: `test all`, bare `test`, the single-step
//! commands, provision options, `demo`, and the runs that must stop early.

use kensa_e2e::{Kensa, Outcome, Provider, Recorder, check, text, write_json};
use serde_json::json;

/// The old gem's screen, in order (each line found after the previous one).
fn assert_lines_in_order(stdout: &str, expected: &[&str]) {
    let lines: Vec<&str> = stdout.lines().collect();
    let mut at = 0;
    for want in expected {
        match lines[at..].iter().position(|line| line.starts_with(want)) {
            Some(offset) => at += offset + 1,
            None => panic!("no line starting {want:?} after line {at} in:\n{stdout}"),
        }
    }
}

#[test]
fn test_all_passes_leaves_nothing_and_prints_the_old_gem_screen() {
    let provider = Provider::start();
    let run = provider.run(["test", "all", "--color", "never"]);
    run.assert_code(0);
    assert_eq!(provider.resource_count(), 0, "the store still holds resources");
    let uuid = run
        .stdout
        .lines()
        .find_map(|line| line.strip_prefix("Testing PUT /heroku/resources/"))
        .unwrap_or_else(|| panic!("no plan change heading\n{}", run.describe()));
    let put = format!("Testing PUT /heroku/resources/{uuid}");
    let delete = format!("Testing DELETE /heroku/resources/{uuid}");
    assert_lines_in_order(
        &run.stdout,
        &[
            "Testing manifest",
            "Testing POST /heroku/resources",
            "  Check response [PASS]",
            "  Check valid JSON [PASS]",
            "  Check authentication [PASS]",
            "Testing response",
            "  Check contains an id [PASS] (id ",
            "Testing config data",
            "  Check is a hash [PASS]",
            "  Check all config keys were previously defined in the manifest [PASS]",
            "  Check all keys in the manifest are present [PASS]",
            "  Check all config values are strings [PASS]",
            "  Check URL configs vars [PASS]",
            "Testing idempotency",
            "  Check repeated uuid returns the same id [PASS]",
            "  Check different uuids return different ids [PASS]",
            &put,
            "  Check response [PASS]",
            "  Check authentication [PASS]",
            &delete,
            // The wrong-credential probes run first, while the resource still exists.
            "  Check authentication [PASS]",
            "  Check response [PASS]",
        ],
    );
    // Each heading follows a blank line, as in the gem; the run ends with "done.".
    assert!(
        run.stdout
            .contains("\nTesting POST /heroku/resources\n  Check response [PASS]\n  Check valid JSON [PASS]\n  Check authentication [PASS]\n\nTesting response\n  Check contains an id [PASS] (id "),
        "{}",
        run.describe()
    );
    assert!(run.stdout.ends_with("\ndone.\n"), "{}", run.describe());
    assert!(!run.stdout.contains("[FAIL]") && !run.stdout.contains("    ! "));
    assert!(!run.stdout.contains('\u{1b}'), "no colour when asked for none");
}

/// Bare `kensa test` is `kensa test all`.
#[test]
fn bare_test_runs_all() {
    let provider = Provider::start();
    let run = provider.run(["test", "--format", "json"]);
    run.assert_code(0);
    let report = run.report();
    for code in ["M00", "P01", "D02", "C01", "X01"] {
        assert_eq!(check(&report, code).outcome, Outcome::Passed, "{code}\n{}", text(&report));
    }
    assert_eq!(provider.resource_count(), 0);
}

/// `test provision` keeps the resource (as the gem did); `test planchange KEY PLAN` and
/// `test deprovision KEY` then act on it by its uuid.
#[test]
fn provision_planchange_deprovision_one_step_at_a_time() {
    let provider = Provider::start();
    provider.run(["test", "provision", "--plan", "basic"]).assert_code(0);
    let resources = provider.running().resources().unwrap();
    assert_eq!(resources.len(), 1, "only the checked resource stays: {resources:?}");
    let resource = &resources[0];
    assert_eq!(resource.plan, "basic", "--plan sets the provision plan");
    assert_eq!(resource.api_version, 3);
    let uuid = resource.uuid.clone().expect("a v3 resource has Heroku's uuid");

    // The guide's `kensa test planchange KEY PLAN` with the plan left out: as the old gem,
    // kensa says no plan was given (by the uuid, by the provider's id), and changes nothing.
    for key in [uuid.as_str(), resource.id.as_str()] {
        let run = provider.run(["test", "planchange", key]);
        run.assert_code(2);
        assert!(
            run.stderr.contains(&format!("no plan given: `{key}` names a resource, not a plan")),
            "{}",
            run.describe()
        );
        assert!(run.stderr.contains(&format!("kensa test planchange {key} PLAN")), "{}", run.describe());
    }
    assert_eq!(provider.running().resources().unwrap()[0].plan, "basic", "nothing was changed");

    let run = provider.run(["test", "planchange", &uuid, "premium", "--color", "never"]);
    run.assert_code(0);
    assert!(
        run.stdout.contains(&format!("Testing PUT /heroku/resources/{uuid}\n  Check response [PASS]")),
        "{}",
        run.describe()
    );
    assert_eq!(provider.running().resources().unwrap()[0].plan, "premium");

    let run = provider.run(["test", "deprovision", &uuid, "--color", "never"]);
    run.assert_code(0);
    assert!(
        run.stdout.contains(&format!(
            "Testing DELETE /heroku/resources/{uuid}\n  Check authentication [PASS]\n  Check response [PASS]"
        )),
        "{}",
        run.describe()
    );
    assert_eq!(provider.resource_count(), 0);

    // Again: the resource is gone, the provider says 410, the check fails.
    let run = provider.run(["test", "deprovision", &uuid, "--format", "json"]);
    run.assert_code(1);
    let report = run.report();
    assert!(kensa_e2e::messages(check(&report, "X01")).contains("expected 200 or 204, got 410"), "{}", text(&report));
}

/// Unknown flags after `test provision` become string options, a bare flag `"true"`, as
/// in the old gem. The reference provider keeps options to itself, so a recording
/// provider shows what went over the wire.
#[test]
fn provision_flags_become_options_on_the_wire() {
    for (flags, options) in [
        (vec!["--foo", "bar", "--baz"], json!({"foo": "bar", "baz": "true"})),
        (vec!["--qux=1", "--plan", "basic", "--size", "xl"], json!({"qux": "1", "size": "xl"})),
    ] {
        let recorder = Recorder::start();
        let dir = tempfile::tempdir().unwrap();
        let manifest = dir.path().join("addon-manifest.json");
        write_json(&manifest, &recorder.manifest());
        let run = Kensa::new(dir.path()).args(["test", "provision"]).args(&flags).arg("-f").arg(&manifest).run();
        run.assert_code(0);
        let requests = recorder.requests();
        let first = requests
            .iter()
            .find(|request| request.method == "POST")
            .unwrap_or_else(|| panic!("no provision request\n{}", run.describe()));
        let body = first.json();
        assert_eq!(body["options"], options, "{flags:?}: {body:#}");
        let plan = if flags.contains(&"basic") { "basic" } else { "test" };
        assert_eq!(body["plan"], plan);
        // The v3 shape: header and fields.
        assert_eq!(first.header("accept"), Some("application/vnd.heroku-addons+json; version=3"));
        let mut keys: Vec<&str> = body.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["callback_url", "name", "oauth_grant", "options", "plan", "region", "uuid"]);
        // Everything the checks created on the side was deprovisioned again: the repeated
        // uuid is the same resource, and the resources of the second uuid, of the overlapping
        // repeats, of the unknown field and of the null grant each got a DELETE.
        let deletes = requests.iter().filter(|request| request.method == "DELETE").count();
        assert_eq!(deletes, 4, "{requests:#?}");
    }
}

/// An invalid manifest stops the run before any request, with exit 1.
#[test]
fn an_invalid_manifest_stops_before_any_request() {
    let recorder = Recorder::start();
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("addon-manifest.json");
    let mut broken = recorder.manifest();
    broken["api"]["regions"] = json!(["mars"]);
    write_json(&manifest, &broken);
    let run = Kensa::new(dir.path()).args(["test", "all", "--format", "json", "-f"]).arg(&manifest).run();
    run.assert_code(1);
    let report = run.report();
    assert!(report.checks().any(|check| check.outcome == Outcome::Failed));
    // The live checks are listed, each skipped: the report has the checks of a passing run.
    let live: Vec<_> = report.checks().filter(|check| !check.code.starts_with('M')).collect();
    assert!(!live.is_empty());
    for check in live {
        assert_eq!(check.outcome, Outcome::Skipped, "{}", text(&report));
        let reason = check.reason.as_deref().unwrap_or_default();
        assert!(reason.ends_with("failed, and kensa calls the provider only with a valid manifest"), "{reason}");
    }
    assert!(recorder.requests().is_empty(), "{:#?}", recorder.requests());
}

/// kensa could not run: exit 2, with the reason on stderr.
#[test]
fn a_missing_manifest_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let run = Kensa::new(dir.path()).args(["test", "all"]).run();
    run.assert_code(2);
    assert!(run.stderr.contains("addon-manifest.json"), "{}", run.describe());
}

#[test]
fn demo_passes_with_zero_configuration() {
    let dir = tempfile::tempdir().unwrap();
    let run = Kensa::new(dir.path()).args(["demo", "--color", "never"]).run();
    run.assert_code(0);
    assert!(run.stdout.contains("Testing POST /heroku/resources\n"), "{}", run.describe());
    assert!(run.stdout.contains("\ndone.\n"), "{}", run.describe());
    assert!(!run.stdout.contains("[FAIL]"), "{}", run.describe());
    assert!(std::fs::read_dir(dir.path()).unwrap().next().is_none(), "demo writes nothing in the working directory");
}
