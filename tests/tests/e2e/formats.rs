//! `--format junit|json|github|sarif` and `--output` (SARIF's schema: `sarif.rs`).

use kensa_e2e::{Fault, Kensa, Provider, Summary, parse_github, parse_junit, text};

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

/// `--format github`: an annotation per failed check, each titled with its code and label,
/// and a summary with the JSON report's counts, for a passing run (the summary alone) and a
/// failing one; with `--output FILE` the file gets the annotations and stdout the progress.
#[test]
fn github_annotates_each_failed_check() {
    for faults in [vec![], vec![Fault::NoAuth, Fault::PlanchangeStatus500]] {
        let provider = Provider::with_faults(faults.clone());
        let report = provider.run(["test", "all", "--format", "json"]).report();
        let path = provider.dir().join("annotations.txt");
        let run = provider.kensa(["test", "all", "--format", "github", "--output"]).arg(&path).run();
        run.assert_code(if faults.is_empty() { 0 } else { 1 });
        assert!(run.stdout.contains("Testing POST /heroku/resources\n"), "{}", run.describe());
        let written = std::fs::read_to_string(&path).unwrap();
        let github = parse_github(&written).unwrap_or_else(|error| panic!("{error}\n{written}"));
        github.assert_matches(&report);
        if faults.is_empty() {
            assert!(github.annotations.is_empty(), "{written}");
            assert!(github.summary.starts_with("kensa passed: "), "{written}");
            continue;
        }
        for title in ["P03 authentication", "C01 response"] {
            let annotation = github.annotations.iter().find(|annotation| annotation.title() == title);
            let annotation = annotation.unwrap_or_else(|| panic!("no annotation for {title}\n{written}"));
            assert_eq!((annotation.level.as_str(), annotation.property("file")), ("error", None), "{annotation:#?}");
        }
        let p03 = github.annotations.iter().find(|annotation| annotation.title().starts_with("P03")).unwrap();
        assert!(
            p03.message.starts_with("POST /heroku/resources: expected 401, got 200 with a wrong username\n"),
            "{p03:#?}"
        );
        assert!(p03.message.ends_with("\nsee: kensa explain P03"), "{p03:#?}");
    }
}

/// A manifest error is annotated on the manifest as given on the command line, at the line
/// and column of the value at fault, found here in the file itself.
#[test]
fn github_points_a_manifest_error_at_its_line_and_column() {
    let provider = Provider::with_manifest(kensa_e2e::options(), |manifest| {
        manifest["api"]["regions"] = serde_json::json!(["us", "mars"]);
    });
    let source = std::fs::read_to_string(provider.manifest_path()).unwrap();
    let (line, text) = source.lines().enumerate().find(|(_, text)| text.contains("\"mars\"")).unwrap();
    let column = text[..text.find("\"mars\"").unwrap()].chars().count() + 1;

    let run = Kensa::new(provider.dir()).args(["test", "all", "--format", "github", "-f", "addon-manifest.json"]).run();
    run.assert_code(1);
    let github = parse_github(&run.stdout).unwrap_or_else(|error| panic!("{error}\n{}", run.describe()));
    let [annotation] = github.annotations.as_slice() else { panic!("one annotation: {}", run.describe()) };
    assert_eq!(annotation.level, "error");
    assert_eq!(annotation.title(), "M10 contains only valid region names");
    let line = (line + 1).to_string();
    let column = column.to_string();
    let expected = [("file", "addon-manifest.json"), ("line", line.as_str()), ("col", column.as_str())];
    assert_eq!(&annotation.properties[..3], expected.map(|(key, value)| (key.to_string(), value.to_string())));
    assert_eq!(annotation.message, "`mars` is not a known region\nat /api/regions/1\nsee: kensa explain M10");
}

/// `--format sarif --output FILE`: the file gets the SARIF log (valid, telling what the JSON
/// report tells), stdout the human progress.
#[test]
fn sarif_goes_to_the_output_file_and_the_progress_to_stdout() {
    let provider = Provider::with_faults([Fault::NoAuth]);
    let report = provider.run(["test", "all", "--format", "json"]).report();
    let path = provider.dir().join("kensa.sarif");
    let run = provider.kensa(["test", "all", "--format", "sarif", "--output"]).arg(&path).run();
    run.assert_code(1);
    assert!(run.stdout.contains("Testing POST /heroku/resources\n"), "{}", run.describe());
    assert!(!run.stdout.contains("\"$schema\""), "{}", run.describe());
    let written = std::fs::read_to_string(&path).unwrap();
    assert!(written.ends_with("}\n"), "{written}");
    crate::sarif::assert_matches(&crate::sarif::assert_valid(&written), &report);
}
