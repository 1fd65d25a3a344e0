//! `kensa run`: provision, run a command with the config vars, change plan, deprovision.

use kensa_e2e::{Fault, Kensa, Outcome, Provider, check, messages, text};

/// The smallest consumer: a command that only needs its config var set passes, and the
/// resource is removed after it.
#[test]
fn a_command_that_sees_the_config_var_passes() {
    let provider = Provider::start();
    let run = Kensa::new(provider.dir())
        .arg("run")
        .arg("-f")
        .arg(provider.manifest_path())
        .args(["--", "sh", "-c", r#"test -n "$MYADDON_URL""#])
        .run();
    run.assert_code(0);
    assert!(run.stdout.contains("  Check command exits with status 0 [PASS]"), "{}", run.describe());
    assert_eq!(provider.resource_count(), 0, "the resource is deprovisioned");
}

#[test]
fn the_command_gets_the_provisioned_value() {
    let provider = Provider::start();
    let script = format!(
        r#"case "$MYADDON_URL" in {}/resources/?*) exit 0;; *) echo "got $MYADDON_URL" >&2; exit 1;; esac"#,
        provider.origin()
    );
    let run = provider.run(["run", "--", "sh", "-c", &script]);
    run.assert_code(0);
    assert_eq!(provider.resource_count(), 0);
}

/// A failing command fails E01 with its real exit code (not a wait status), and the plan
/// change and deprovision still run.
#[test]
fn a_failing_command_fails_e01_and_still_deprovisions() {
    let provider = Provider::start();
    let report_path = provider.dir().join("report.json");
    let run = Kensa::new(provider.dir())
        .arg("run")
        .arg("-f")
        .arg(provider.manifest_path())
        .args(["--format", "json", "--output"])
        .arg(&report_path)
        .args(["--", "sh", "-c", "exit 3"])
        .run();
    run.assert_code(1);
    assert!(run.stdout.contains("the command exited with 3"), "{}", run.describe());
    let report = kensa_checks::render::from_json(&std::fs::read_to_string(&report_path).unwrap()).unwrap();
    let e01 = check(&report, "E01");
    assert_eq!(e01.outcome, Outcome::Failed, "{}", text(&report));
    assert!(messages(e01).contains("the command exited with 3"), "{}", messages(e01));
    for code in ["P01", "C01", "X01"] {
        assert_eq!(check(&report, code).outcome, Outcome::Passed, "{code}\n{}", text(&report));
    }
    assert_eq!(provider.resource_count(), 0, "the resource is deprovisioned");
}

/// The command's own output must not spoil a machine-readable report on stdout.
#[test]
fn command_output_stays_out_of_a_json_report() {
    let provider = Provider::start();
    let run = provider.run(["run", "--format", "json", "--", "sh", "-c", "echo hello-from-the-command"]);
    run.assert_code(0);
    let report = run.report();
    assert_eq!(check(&report, "E01").outcome, Outcome::Passed);
    // (The command line itself is in the report, as the `run ...` heading.)
    assert!(!run.stdout.lines().any(|line| line == "hello-from-the-command"), "{}", run.describe());
    assert!(run.stderr.lines().any(|line| line == "hello-from-the-command"), "{}", run.describe());
    assert_eq!(provider.resource_count(), 0);
}

/// A provider returning `PATH`, `LD_PRELOAD` and `BASH_ENV` in its
/// config chose which program `kensa run` started (CMD was looked up on the provider's
/// `PATH`) and what it loaded. Now CMD is found on the user's `PATH`, only the declared
/// `MYADDON_URL` is exported, and kensa names the vars it left out; R05 still fails.
#[test]
fn a_provider_cannot_set_path_or_ld_preload_for_the_command() {
    let provider = Provider::with_faults([Fault::ConfigExportsPath]);
    let seen = provider.dir().join("seen.txt");
    let script = r#"printf '%s|%s|%s|%s' "$PATH" "${LD_PRELOAD-unset}" "${BASH_ENV-unset}" "$MYADDON_URL" > "$1""#;
    let run = provider.kensa(["run", "--", "sh", "-c", script, "sh"]).arg(&seen).run();
    run.assert_code(1);
    let seen = std::fs::read_to_string(&seen).unwrap_or_else(|_| panic!("the command did not run\n{}", run.describe()));
    let fields: Vec<&str> = seen.split('|').collect();
    let own = |name: &str| std::env::var(name).unwrap_or_else(|_| "unset".to_string());
    assert_eq!(fields[0], own("PATH"), "PATH");
    assert_eq!(fields[1], own("LD_PRELOAD"), "LD_PRELOAD");
    assert_eq!(fields[2], own("BASH_ENV"), "BASH_ENV");
    assert!(fields[3].starts_with(&format!("{}/resources/", provider.origin())), "MYADDON_URL: {seen}");
    assert!(
        run.stderr.contains("warning: not exporting PATH, LD_PRELOAD, BASH_ENV to the command"),
        "{}",
        run.describe()
    );
    assert!(run.stdout.contains("Check command exits with status 0 [PASS]"), "{}", run.describe());
    assert!(run.stdout.contains("PATH is not in the manifest"), "{}", run.describe());
    assert_eq!(provider.resource_count(), 0, "the resource is deprovisioned");
}

/// A provision that fails leaves nothing to run the command with: the command is not run,
/// and E01 is still listed, skipped, with the check that stopped it, so the report holds
/// the same checks as a passing run's.
#[test]
fn a_failed_provision_lists_e01_as_skipped_and_runs_nothing() {
    let marker = tempfile::tempdir().unwrap();
    let ran = marker.path().join("ran");
    let provider = Provider::with_faults([Fault::ProvisionStatus422]);
    let touch = format!("touch '{}'", ran.display());
    let run = provider.run(["run", "--format", "json", "--", "sh", "-c", &touch]);
    run.assert_code(1);
    let report = run.report();
    let e01 = check(&report, "E01");
    assert_eq!(e01.outcome, Outcome::Skipped, "{}", text(&report));
    let reason = e01.reason.as_deref().unwrap_or_default();
    assert!(reason.contains("not run: P01 failed, so there is no resource to run the command with"), "{reason}");
    assert!(!ran.exists(), "the command must not run without a resource");
    let passing = Provider::start().run(["run", "--format", "json", "--", "true"]).report();
    assert_eq!(report.summary().total, passing.summary().total, "the same checks as a passing run");
}

/// The command gets every word after it, the old gem's provision flags too: a
/// `test provision --x` inside CMD is CMD's, not a provision option of kensa's.
#[test]
fn the_command_gets_its_words_as_given() {
    let provider = Provider::start();
    let seen = provider.dir().join("words.txt");
    let script = r#"out=$1; shift; printf '%s\n' "$@" > "$out""#;
    let run =
        provider.kensa(["run", "sh", "-c", script, "sh"]).arg(&seen).args(["test", "provision", "--x", "--y=1"]).run();
    run.assert_code(0);
    let seen = std::fs::read_to_string(&seen).unwrap_or_else(|_| panic!("the command did not run\n{}", run.describe()));
    assert_eq!(seen, "test\nprovision\n--x\n--y=1\n", "{}", run.describe());
}
