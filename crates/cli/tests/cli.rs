//! Whole invocations of the `kensa` binary: exit code, stdout and stderr.
#![allow(clippy::unwrap_used, reason = "test helpers panic on purpose")]
#![allow(clippy::disallowed_methods, reason = "host-side test: reads and writes temporary files")]

mod common;

use common::{Run, kensa, run};
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(format!("{name}.json"))
}

fn test_manifest(name: &str) -> Run {
    run(&["test", "manifest", "-f", fixture(name).to_str().unwrap()], Path::new("."))
}

/// Each broken manifest of the foundation issue fails with its problem and JSON pointer.
#[test]
fn each_broken_manifest_fails_naming_the_problem_and_its_pointer() {
    let cases = [
        ("missing-id", "Check if exists [FAIL]", "! `id` is missing", "at /id"),
        ("blank-id", "Check is not blank [FAIL]", "! `id` is blank", "at /id (line 2, column 9)"),
        (
            "id-not-string",
            "Check is a string [FAIL]",
            "! `id` must be a string, found a number",
            "at /id (line 2, column 9)",
        ),
        ("no-api", "Check if exists [FAIL]", "! `api` is missing", "at /api"),
        (
            "api-not-object",
            "Check is a hash [FAIL]",
            "! `api` must be an object, found an array",
            "at /api (line 4, column 10)",
        ),
        ("no-regions", "Check has a list of regions [FAIL]", "! `api.regions` is missing", "at /api/regions"),
        (
            "unknown-region",
            "Check contains only valid region names [FAIL]",
            "! `mars` is not a known region",
            "at /api/regions/1 (line 13, column 7)",
        ),
        (
            "regions-without-us",
            "Check contains at least the US region [FAIL]",
            "! `api.regions` must include `us` or `*`",
            "at /api/regions (line 11, column 16)",
        ),
        ("no-password", "Check contains password [FAIL]", "! `api.password` is missing", "at /api/password"),
        (
            "empty-password",
            "Check contains password [FAIL]",
            "! `api.password` is empty",
            "at /api/password (line 9, column 17)",
        ),
        (
            "null-password",
            "Check contains password [FAIL]",
            "! `api.password` must be a non-empty string, found null",
            "at /api/password (line 9, column 17)",
        ),
        ("no-test", "Check contains test url [FAIL]", "! `api.test` is missing", "at /api/test"),
        (
            "no-production",
            "Check contains production url [FAIL]",
            "! `api.production` is missing",
            "at /api/production",
        ),
        (
            "production-base-url-http",
            "Check production url uses SSL [FAIL]",
            "must use https in production",
            "at /api/production/base_url",
        ),
        (
            "production-sso-url-http",
            "Check sso url uses SSL [FAIL]",
            "must use https in production",
            "at /api/production/sso_url",
        ),
        (
            "config-vars-not-array",
            "Check contains config_vars array [FAIL]",
            "! `api.config_vars` must be an array, found a string",
            "at /api/config_vars (line 6, column 20)",
        ),
        (
            "lowercase-config-var",
            "Check all config vars are uppercase strings [FAIL]",
            "! \"myaddon_url\" is not a valid ENV key",
            "at /api/config_vars/0",
        ),
        (
            "unprefixed-config-var",
            "Check all config vars are prefixed with the addon id [FAIL]",
            "! DATABASE_URL is not a valid ENV key - must be prefixed with MYADDON_",
            "at /api/config_vars/0",
        ),
        ("username-present", "Check deprecated fields [FAIL]", "! username is deprecated", "at /api/username"),
        ("invalid-json", "Check is valid JSON [FAIL]", "! invalid JSON: expected `,` or `}`", "at line 5, column 5"),
        (
            "array",
            "Check is a JSON object [FAIL]",
            "! the manifest must be a JSON object, found an array",
            "at line 1, column 1",
        ),
        ("empty", "Check is valid JSON [FAIL]", "! the manifest file is empty", "hint: run `kensa init`"),
    ];
    for (name, check, message, location) in cases {
        let run = test_manifest(name);
        assert_eq!(run.code, 1, "{name}: {}{}", run.stdout, run.stderr);
        for expected in [check, message, location] {
            assert!(run.stdout.contains(expected), "{name}: expected {expected:?} in\n{}", run.stdout);
        }
        assert!(run.stdout.ends_with("\ndone.\n"), "{name}");
        assert_eq!(run.stderr, "", "{name}");
    }
}

#[test]
fn accepted_variants_pass() {
    for name in ["valid", "custom-prefix", "dashed-id", "wildcard-region", "no-config-vars", "legacy-v1-get"] {
        let run = test_manifest(name);
        assert_eq!(run.code, 0, "{name}: {}", run.stdout);
        assert!(!run.stdout.contains("[FAIL]"), "{name}: {}", run.stdout);
    }
    let legacy = test_manifest("legacy-v1-get");
    assert!(legacy.stdout.contains("Check uses version 3 of the Add-on Partner API [WARN]"), "{}", legacy.stdout);
}

#[test]
fn five_errors_are_all_reported_in_one_run_in_both_formats() {
    let human = test_manifest("five-errors");
    assert_eq!(human.code, 1);
    assert_eq!(human.stdout.matches("[FAIL]").count(), 5, "{}", human.stdout);
    for message in [
        "`My Addon` is not a valid add-on id",
        "`api.regions` must include `us` or `*`",
        "`api.password` must be a non-empty string, found null",
        "`http://yourapp.com/sso/login` must use https in production",
        "OTHER_URL is not a valid ENV key - must be prefixed with MYADDON_",
    ] {
        assert!(human.stdout.contains(message), "{message}");
    }

    let path = fixture("five-errors");
    let json = run(&["--format", "json", "test", "manifest", "-f", path.to_str().unwrap()], Path::new("."));
    assert_eq!(json.code, 1);
    let document: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(document["summary"]["failed"], 5);
    let failures: Vec<(String, String)> = document["groups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|group| group["checks"].as_array().unwrap())
        .filter(|check| check["outcome"] == "failed")
        .map(|check| {
            (check["code"].as_str().unwrap().to_string(), check["findings"][0]["pointer"].as_str().unwrap().to_string())
        })
        .collect();
    let expected = [
        ("M05", "/id"),
        ("M09", "/api/regions"),
        ("M11", "/api/password"),
        ("M16", "/api/production/sso_url"),
        ("M19", "/api/config_vars/1"),
    ];
    assert_eq!(failures, expected.map(|(code, pointer)| (code.to_string(), pointer.to_string())));
}

#[test]
fn a_missing_file_is_exit_code_2() {
    let dir = tempfile::tempdir().unwrap();
    let run = run(&["test", "manifest"], dir.path());
    assert_eq!(run.code, 2);
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr.starts_with("error: cannot read addon-manifest.json: no such file\nhint: run `kensa init`"),
        "{}",
        run.stderr
    );
}

#[test]
fn init_then_test_manifest_passes_in_an_empty_folder() {
    let dir = tempfile::tempdir().unwrap();
    let init = run(&["init"], dir.path());
    assert_eq!((init.code, init.stdout.as_str()), (0, "Initialized new addon manifest in addon-manifest.json\n"));
    let written = std::fs::read_to_string(dir.path().join("addon-manifest.json")).unwrap();
    let manifest: serde_json::Value = serde_json::from_str(&written).unwrap();
    assert_eq!(manifest["api"]["version"], "3");
    assert_eq!(manifest["api"]["test"]["base_url"], "http://localhost:4567/heroku/resources");
    for secret in ["password", "sso_salt"] {
        let value = manifest["api"][secret].as_str().unwrap();
        assert!(value.len() == 32 && value.chars().all(|c| c.is_ascii_hexdigit()), "{secret}");
    }
    assert_ne!(manifest["api"]["password"], manifest["api"]["sso_salt"]);

    let test = run(&["test", "manifest"], dir.path());
    assert_eq!(test.code, 0, "{}", test.stdout);
    assert!(test.stdout.starts_with("\nTesting manifest file\n  Check is valid JSON [PASS]\n"));
    assert!(test.stdout.contains("\nTesting manifest id key\n  Check if exists [PASS]\n"));
    assert!(!test.stdout.contains('\x1b'), "no colour when not a terminal");
    // The secrets never reach the output.
    for secret in ["password", "sso_salt"] {
        assert!(!test.stdout.contains(manifest["api"][secret].as_str().unwrap()));
    }
}

#[test]
fn init_never_replaces_a_file_without_force() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("addon-manifest.json"), "keep me").unwrap();
    let refused = run(&["init"], dir.path());
    assert_eq!(refused.code, 2);
    assert!(refused.stderr.contains("addon-manifest.json already exists; not replacing it"), "{}", refused.stderr);
    assert_eq!(std::fs::read_to_string(dir.path().join("addon-manifest.json")).unwrap(), "keep me");

    let forced = run(&["init", "--force"], dir.path());
    assert_eq!(forced.code, 0);
    assert_ne!(std::fs::read_to_string(dir.path().join("addon-manifest.json")).unwrap(), "keep me");
}

#[test]
fn init_variants_write_what_they_say() {
    let dir = tempfile::tempdir().unwrap();
    let foreman = run(&["init", "--foreman", "-f", "custom.json"], dir.path());
    assert_eq!(
        foreman.stdout,
        "Initialized new addon manifest in custom.json\nInitialized new .env file for foreman\n"
    );
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("custom.json")).unwrap()).unwrap();
    assert_eq!(manifest["api"]["test"]["base_url"], "http://localhost:5000/heroku/resources");
    let dotenv = std::fs::read_to_string(dir.path().join(".env")).unwrap();
    assert_eq!(
        dotenv,
        format!(
            "SSO_SALT={}\nHEROKU_USERNAME=myaddon\nHEROKU_PASSWORD={}\n",
            manifest["api"]["sso_salt"].as_str().unwrap(),
            manifest["api"]["password"].as_str().unwrap()
        )
    );

    let get = run(&["init", "--sso", "get", "--without-sso", "-f", "get.json"], dir.path());
    assert_eq!(get.code, 0);
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("get.json")).unwrap()).unwrap();
    assert_eq!(manifest["api"]["test"], "http://localhost:4567/");
    assert!(manifest["api"].get("sso_salt").is_none());
    let test = run(&["test", "manifest", "--filename", "get.json"], dir.path());
    assert_eq!(test.code, 0, "{}", test.stdout);
    assert!(test.stdout.contains("Check contains sso salt [WARN]"));
}

#[test]
fn filename_is_accepted_anywhere_on_the_line() {
    let path = fixture("valid");
    let path = path.to_str().unwrap();
    for args in [
        vec!["-f", path, "test", "manifest"],
        vec!["test", "-f", path, "manifest"],
        vec!["test", "manifest", "--filename", path],
        vec!["--file", path, "test", "manifest"],
    ] {
        assert_eq!(run(&args, Path::new(".")).code, 0, "{args:?}");
    }
}

#[test]
fn colour_follows_the_flag_and_no_color() {
    let path = fixture("valid");
    let path = path.to_str().unwrap();
    let always = run(&["--color", "always", "test", "manifest", "-f", path], Path::new("."));
    assert!(always.stdout.contains("\x1b[32m[PASS]\x1b[0m"));
    let never = run(&["--color", "never", "test", "manifest", "-f", path], Path::new("."));
    assert!(!never.stdout.contains('\x1b'));
    let output = kensa().env("NO_COLOR", "1").args(["test", "manifest", "-f", path]).output().unwrap();
    assert!(!String::from_utf8(output.stdout).unwrap().contains('\x1b'));
}

#[test]
fn help_documents_exit_codes_and_bad_arguments_exit_2() {
    let help = run(&["--help"], Path::new("."));
    assert_eq!(help.code, 0);
    assert!(help.stdout.contains("Exit codes:\n  0  every check passed"), "{}", help.stdout);
    for command in [&["init", "--help"][..], &["test", "--help"], &["test", "manifest", "--help"]] {
        assert_eq!(run(command, Path::new(".")).code, 0, "{command:?}");
    }
    assert_eq!(run(&["--version"], Path::new(".")).stdout, format!("kensa {}\n", env!("CARGO_PKG_VERSION")));
    let bad = run(&["test", "manifest", "--format", "yaml"], Path::new("."));
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("invalid value 'yaml'"), "{}", bad.stderr);
    assert_eq!(run(&["frobnicate"], Path::new(".")).code, 2);
}
