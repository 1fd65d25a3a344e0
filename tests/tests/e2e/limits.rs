//! A provider that is slow, hangs up, or answers without end: kensa gives up in time, says
//! why in one line, and stays small.

use kensa_e2e::{Fault, Outcome, Provider, Run, check, messages, text};
use std::time::Duration;

/// `kensa test provision` with the human progress on stdout and the JSON report in a file.
fn provision(provider: &Provider, timeout: Duration, measure_memory: bool) -> (Run, kensa_e2e::Report) {
    let report_path = provider.dir().join("report.json");
    let mut kensa = provider
        .kensa(["test", "provision", "--color", "never", "--format", "json", "--output"])
        .arg(&report_path)
        .timeout(timeout);
    if measure_memory {
        kensa = kensa.measure_peak_memory();
    }
    let run = kensa.run();
    let json = std::fs::read_to_string(&report_path)
        .unwrap_or_else(|error| panic!("no report file: {error}\n{}", run.describe()));
    let report = kensa_checks::render::from_json(&json).unwrap();
    (run, report)
}

/// P01 failed with `reason`; the checks that need an answer were skipped; the human output
/// shows the reason as one `!` line under `Check response [FAIL]`.
fn assert_failed_with(run: &Run, report: &kensa_e2e::Report, reason: &str) {
    run.assert_code(1);
    let p01 = check(report, "P01");
    assert_eq!(p01.outcome, Outcome::Failed, "{}", text(report));
    let said = messages(p01);
    assert!(said.contains(reason), "P01 should say {reason:?}, said {said:?}");
    assert!(!said.contains('\n'), "one line only: {said:?}");
    for code in ["P02", "P03"] {
        assert_eq!(check(report, code).outcome, Outcome::Skipped, "{code}");
    }
    let lines: Vec<&str> = run.stdout.lines().collect();
    let at = lines
        .iter()
        .position(|line| *line == "  Check response [FAIL]")
        .unwrap_or_else(|| panic!("no failed response check\n{}", run.describe()));
    let reason_line = lines[at + 1];
    assert!(
        reason_line.starts_with("    ! ") && reason_line.contains(reason),
        "the line after the failed check should give the reason:\n{}",
        run.describe()
    );
}

/// Heroku gives up after 25 s, so kensa must too: a provider sleeping 30 s fails P01 with
/// kensa's timeout, well before the provider's 30 s. The only slow test.
#[test]
fn slow_provision_fails_at_kensas_25_second_deadline() {
    let provider = Provider::with_faults([Fault::SlowProvision]);
    assert_eq!(provider.running().options().slow_provision, Duration::from_secs(30));
    let (run, report) = provision(&provider, Duration::from_secs(40), false);
    let reason = format!("no answer from {} within 25 s", provider.origin());
    assert_failed_with(&run, &report, &reason);
    // 3 s of slack for process start on a loaded 2-core CI machine; the provider answers at 30 s.
    assert!(run.elapsed < Duration::from_secs(28), "took {:?}\n{}", run.elapsed, run.describe());
    // ...and not much sooner: 25 s is Heroku's limit, not a guess.
    assert!(run.elapsed >= Duration::from_secs(24), "gave up after {:?}", run.elapsed);
    eprintln!("slow provision: kensa gave up after {:?}", run.elapsed);
}

#[test]
fn dropped_connection_fails_promptly_with_one_line() {
    let provider = Provider::with_faults([Fault::DropConnection]);
    let (run, report) = provision(&provider, Duration::from_secs(30), false);
    let reason = format!("connection closed by {}", provider.origin());
    assert_failed_with(&run, &report, &reason);
    assert!(run.elapsed < Duration::from_secs(5), "took {:?}", run.elapsed);
    assert_eq!(provider.resource_count(), 0, "the fault stores nothing");
    eprintln!("dropped connection: kensa gave up after {:?}", run.elapsed);
}

/// A 50 MB body: kensa stops reading past 1 MiB, fails at once, and its peak memory (GNU
/// time's maximum RSS, or /proc's VmHWM polled while it runs) stays under 50 MB.
#[test]
fn oversized_body_fails_promptly_in_little_memory() {
    let provider = Provider::with_faults([Fault::OversizedBody]);
    let (run, report) = provision(&provider, Duration::from_secs(30), true);
    assert_failed_with(&run, &report, "the response body is larger than 1 MiB");
    assert!(run.elapsed < Duration::from_secs(5), "took {:?}", run.elapsed);
    let peak = run.peak_rss_kib.expect("peak memory measured");
    assert!(peak > 0);
    assert!(peak * 1024 < 50 * 1000 * 1000, "peak RSS {peak} KiB is not under 50 MB\n{}", run.describe());
    eprintln!("oversized body: peak RSS {peak} KiB in {:?}", run.elapsed);
}

/// Nothing listens: "unable to connect", at once.
#[test]
fn refused_connection_fails_promptly() {
    let provider = Provider::start();
    let origin = provider.origin().to_string();
    // Keep the manifest, stop the provider: its port now refuses connections.
    let manifest = std::fs::read(provider.manifest_path()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let manifest_path = dir.path().join("addon-manifest.json");
    std::fs::write(&manifest_path, manifest).unwrap();
    drop(provider);
    let run = kensa_e2e::Kensa::new(dir.path())
        .args(["test", "provision", "--format", "json", "-f"])
        .arg(&manifest_path)
        .run();
    run.assert_code(1);
    let report = run.report();
    let p01 = check(&report, "P01");
    assert_eq!(p01.outcome, Outcome::Failed);
    let said = messages(p01);
    assert!(said.starts_with(&format!("unable to connect to {origin}")), "{said}");
    assert!(run.elapsed < Duration::from_secs(5), "took {:?}", run.elapsed);
}
