//! `kensa checks` and `kensa explain CODE`: every listed code explains itself in every section.
#![allow(clippy::unwrap_used, reason = "test helpers panic on purpose")]

mod common;

use common::Run;
use std::path::Path;

fn kensa(args: &[&str]) -> Run {
    common::run(args, Path::new("."))
}

/// The codes `kensa checks` lists: the first word of each indented line.
fn listed_codes() -> Vec<String> {
    let checks = kensa(&["checks"]);
    assert_eq!((checks.code, checks.stderr.as_str()), (0, ""), "{}", checks.stdout);
    checks
        .stdout
        .lines()
        .filter(|line| line.starts_with("  "))
        .map(|line| line.split_whitespace().next().unwrap().to_string())
        .collect()
}

#[test]
fn checks_lists_every_manifest_rule_and_live_check() {
    let codes = listed_codes();
    let expected = kensa_manifest::RULES.len() + kensa_checks::CHECKS.len();
    assert_eq!(codes.len(), expected, "{codes:?}");
    for prefix in ["M", "P", "R", "A", "D", "X", "C", "S", "E"] {
        assert!(codes.iter().any(|code| code.starts_with(prefix)), "no {prefix} code in {codes:?}");
    }
    let checks = kensa(&["checks"]);
    assert!(checks.stdout.starts_with("manifest file\n  M00  manifest/valid-json "), "{}", checks.stdout);
    assert!(checks.stdout.contains("\nsingle sign-on\n  S01  sso/salt-present "), "{}", checks.stdout);
}

#[test]
fn explain_works_for_every_listed_code_with_every_section() {
    for code in listed_codes() {
        for asked in [code.clone(), code.to_lowercase()] {
            let run = kensa(&["explain", &asked]);
            assert_eq!((run.code, run.stderr.as_str()), (0, ""), "{asked}: {}", run.stdout);
            let out = &run.stdout;
            assert!(out.starts_with(&format!("{code} ")), "{asked}: {out}");
            let mut at = 0;
            for heading in ["\nWhat it checks\n  ", "\nWhy Heroku needs it\n  ", "\nExample failure\n    ! "] {
                let found = out[at..].find(heading).unwrap_or_else(|| panic!("{code}: no {heading:?} in\n{out}"));
                at += found + heading.len();
            }
            for heading in ["\nHow to fix it\n  ", "\nReference\n  https://"] {
                let found = out[at..].find(heading).unwrap_or_else(|| panic!("{code}: no {heading:?} in\n{out}"));
                at += found + heading.len();
            }
            assert!(!out[at..].trim().is_empty() && !out.contains("\n\n\n"), "{code}: {out}");
        }
    }
}

#[test]
fn explain_prints_the_example_the_report_prints() {
    let run = kensa(&["explain", "M09"]);
    assert!(run.stdout.contains("\nExample failure\n    ! `api.regions` must include `us` or `*`\n"), "{}", run.stdout);
    assert!(run.stdout.ends_with("\nReference\n  https://devcenter.heroku.com/articles/add-on-manifest\n"));
}

#[test]
fn an_unknown_code_is_exit_2_with_a_suggestion() {
    let close = kensa(&["explain", "m9"]);
    assert_eq!((close.code, close.stdout.as_str()), (2, ""));
    assert_eq!(
        close.stderr,
        "error: unknown check `m9`\nhint: did you mean `M09` (manifest/regions-include-us)? run `kensa checks` to list every code\n"
    );

    let far = kensa(&["explain", "Z42"]);
    assert_eq!((far.code, far.stdout.as_str()), (2, ""));
    assert_eq!(far.stderr, "error: unknown check `Z42`\nhint: run `kensa checks` to list every code\n");

    let missing = kensa(&["explain"]);
    assert_eq!(missing.code, 2, "{}", missing.stderr);
}

#[test]
fn json_output_carries_every_section() {
    let list = kensa(&["checks", "--format", "json"]);
    assert_eq!(list.code, 0);
    let docs: serde_json::Value = serde_json::from_str(&list.stdout).unwrap();
    assert_eq!(docs.as_array().unwrap().len(), listed_codes().len());
    let one = kensa(&["explain", "P03", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&one.stdout).unwrap();
    for field in ["code", "name", "label", "group", "what", "why", "example", "fix", "reference"] {
        assert!(doc[field].as_str().is_some_and(|text| !text.is_empty()), "{field}: {doc}");
    }
    assert_eq!(doc["code"], "P03");
}

/// A failed check in the human report points to its explanation.
#[test]
fn a_failed_check_points_to_kensa_explain() {
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/regions-without-us.json");
    let run = kensa(&["test", "manifest", "-f", fixture]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains(
            "  Check contains at least the US region [FAIL]\n    ! `api.regions` must include `us` or `*`\n      at /api/regions (line 11, column 16)\n      hint: Heroku requires every add-on to be available in the `us` region\n    see: kensa explain M09\n"
        ),
        "{}",
        run.stdout
    );
    let failed = run.stdout.matches("[FAIL]").count();
    assert_eq!(run.stdout.matches("    see: kensa explain ").count(), failed, "one per failure: {}", run.stdout);
}
