//! `--format junit|json` and `--output`.

use kensa_e2e::{Fault, Provider, Summary, parse_junit, text};

fn summary(provider: &Provider, args: &[&str]) -> (Option<i32>, Summary) {
    let run = provider.run(args.iter().copied().chain(["--format", "json"]));
    (run.code, run.report().summary())
}

/// One `<testcase>` per check, well-formed, with counts that match the JSON report, for a
/// passing run and a failing one.
#[test]
fn junit_has_one_test_case_per_check() {
    for faults in [vec![], vec![Fault::NoAuth, Fault::PlanchangeStatus500]] {
        let provider = Provider::with_faults(faults.clone());
        let run = provider.run(["test", "all", "--format", "junit"]);
        let expected_code = if faults.is_empty() { 0 } else { 1 };
        run.assert_code(expected_code);
        let junit = parse_junit(&run.stdout).unwrap_or_else(|error| panic!("not JUnit XML: {error}\n{}", run.stdout));

        let (code, summary) = summary(&provider, &["test", "all"]);
        assert_eq!(code, Some(expected_code));
        assert_eq!(junit.testcases, summary.total, "{faults:?}\n{}", run.stdout);
        assert_eq!(junit.tests_attribute, summary.total);
        assert_eq!(junit.suite_tests_sum, summary.total);
        assert_eq!(junit.failures, summary.failed);
        assert_eq!(junit.failures_attribute, summary.failed);
        assert_eq!(junit.errors, summary.errored);
        assert_eq!(junit.skipped, summary.skipped);
        if !faults.is_empty() {
            assert!(junit.failures >= 3, "P03, C01, C02, X02 fail: {junit:?}");
        }
    }
}

/// A provision that leaves no resource (refused, not JSON, no id) still lists every check a
/// passing run lists, skipped where there was nothing to check: JUnit's and JSON's totals
/// are the passing run's, so a CI dashboard sees no checks come and go.
#[test]
fn totals_are_the_same_whether_provision_passes_or_fails() {
    let args = ["test", "all", "--with-sso"];
    let (code, passing) = summary(&Provider::start(), &args);
    assert_eq!(code, Some(0));
    for fault in [Fault::ProvisionStatus422, Fault::ProvisionNotJson, Fault::ProvisionMissingId] {
        let provider = Provider::with_faults([fault]);
        let run = provider.run(args.iter().copied().chain(["--format", "junit"]));
        run.assert_code(1);
        let junit = parse_junit(&run.stdout).unwrap_or_else(|error| panic!("not JUnit XML: {error}\n{}", run.stdout));
        let (code, failing) = summary(&provider, &args);
        assert_eq!(code, Some(1));
        assert_eq!(failing.total, passing.total, "{fault:?}: JSON");
        assert_eq!(junit.tests_attribute, passing.total, "{fault:?}: JUnit\n{}", run.stdout);
        assert_eq!(junit.testcases, passing.total, "{fault:?}: JUnit");
        assert!(failing.skipped > passing.skipped, "{fault:?}");
        assert!(run.stdout.contains("not run: "), "{fault:?}: the skipped checks name what stopped them");
    }
}

/// `--output FILE` gets the report in `--format`; stdout keeps the human progress.
#[test]
fn output_file_gets_the_report_and_stdout_the_progress() {
    let provider = Provider::start();
    let path = provider.dir().join("report.xml");
    let run = provider.kensa(["test", "all", "--format", "junit", "--output"]).arg(&path).run();
    run.assert_code(0);
    assert!(run.stdout.contains("Testing POST /heroku/resources\n"), "{}", run.describe());
    assert!(!run.stdout.contains("<testsuites"), "{}", run.describe());
    let xml = std::fs::read_to_string(&path).unwrap();
    let junit = parse_junit(&xml).unwrap();
    assert_eq!(
        junit.testcases,
        run.stdout.lines().filter(|line| line.starts_with("  Check ")).count(),
        "one test case per `Check` line"
    );
}

/// The JSON document reads back into `kensa_checks::Report` and renders to the same text,
/// with or without failures (findings, expected/got, exchanges).
#[test]
fn json_round_trips_into_the_report_type() {
    for faults in [vec![], vec![Fault::ProvisionStatus201, Fault::UndeclaredConfigVar]] {
        let provider = Provider::with_faults(faults.clone());
        let run = provider.run(["test", "all", "--format", "json"]);
        let report = run.report();
        assert_eq!(
            kensa_checks::render::json(&report),
            run.stdout.trim_end(),
            "re-rendering the report read back changes it"
        );
        let json = run.json();
        assert_eq!(json["passed"], report.passed());
        assert_eq!(json["passed"], faults.is_empty());
        let summary = report.summary();
        let counts = [
            ("total", summary.total),
            ("passed", summary.passed),
            ("warnings", summary.warnings),
            ("failed", summary.failed),
            ("skipped", summary.skipped),
            ("errored", summary.errored),
        ];
        for (key, count) in counts {
            assert_eq!(json["summary"][key], count, "summary.{key}: {}", text(&report));
        }
        assert!(!report.groups.is_empty());
        let p01 = kensa_e2e::check(&report, "P01");
        assert!(!p01.exchanges.is_empty(), "exchanges are kept");
        assert!(
            !run.stdout.contains("\"secret\"") && !run.stdout.contains(":secret"),
            "the password leaked into the report"
        );
    }
}
