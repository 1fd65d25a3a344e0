//! Every manifest rule with a manifest that passes it and manifests that fail it.
#![allow(clippy::unwrap_used, reason = "test helpers panic on purpose")]

use common::valid;
use kensa_manifest::{Outcome, RULES, Severity, validate};
use serde_json::{Value, json};

mod common;

fn with(change: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut manifest = valid();
    change(&mut manifest);
    serde_json::to_vec_pretty(&manifest).unwrap()
}

fn remove(pointer_parent: &str, key: &str) -> Vec<u8> {
    with(|manifest| {
        manifest.pointer_mut(pointer_parent).unwrap().as_object_mut().unwrap().remove(key);
    })
}

/// Asserts that exactly the rule `code` reports, at `pointer`, a message containing `message`.
#[track_caller]
fn fails(source: &[u8], code: &str, pointer: &str, message: &str) {
    let validation = validate(source);
    let errors: Vec<_> = validation.errors().collect();
    assert!(!validation.is_ok(), "expected {code} to fail");
    assert!(
        errors.iter().any(|d| d.code == code && d.pointer == pointer && d.message.contains(message)),
        "expected {code} at {pointer} containing {message:?}, got {errors:#?}"
    );
    assert!(errors.iter().all(|d| d.position.is_some()), "every diagnostic has a position: {errors:#?}");
    let failed = validation.results.iter().find(|r| r.rule.check.code == code).unwrap();
    assert_eq!(failed.outcome, Outcome::Failed);
}

#[track_caller]
fn passes(source: &[u8]) {
    let validation = validate(source);
    let errors: Vec<_> = validation.errors().collect();
    assert!(validation.is_ok(), "expected no errors, got {errors:#?}");
    assert!(validation.manifest.is_some());
}

#[test]
fn the_valid_manifest_passes_every_rule_without_a_warning() {
    let validation = validate(&with(|_| {}));
    assert_eq!(validation.results.len(), RULES.len());
    for result in &validation.results {
        assert_eq!(result.outcome, Outcome::Passed, "{} {}", result.rule.check.code, result.rule.check.label);
    }
}

#[test]
fn rule_codes_and_names_are_unique_and_kebab_case() {
    for (index, rule) in RULES.iter().enumerate() {
        assert_eq!(rule.check.code, format!("M{index:02}"));
        assert!(rule.check.name.starts_with("manifest/"));
        assert!(rule.check.name.chars().all(|c| c.is_ascii_lowercase() || c == '-' || c == '/'), "{}", rule.check.name);
    }
}

#[test]
fn m00_rejects_invalid_json_with_line_and_column() {
    let validation = validate(b"{\n  \"id\": \"myaddon\",\n  \"api\": {,}\n}");
    let diagnostic = validation.diagnostics().next().unwrap();
    assert_eq!(diagnostic.code, "M00");
    assert!(diagnostic.message.starts_with("invalid JSON"), "{}", diagnostic.message);
    let position = diagnostic.position.unwrap();
    assert_eq!((position.line, position.column), (3, 11));
    // Nothing else can be checked, and nothing else is reported.
    assert_eq!(validation.diagnostics().count(), 1);
    assert!(validation.results[1..].iter().all(|r| matches!(r.outcome, Outcome::Skipped)));
}

#[test]
fn m00_rejects_an_empty_file_and_invalid_utf8() {
    fails(b"", "M00", "", "empty");
    fails(b"\n \n", "M00", "", "empty");
    fails(b"{\"id\": \"caf\xe9\"}", "M00", "", "UTF-8");
}

#[test]
fn m01_rejects_arrays_and_scalars() {
    fails(b"[]", "M01", "", "found an array");
    fails(b"\"myaddon\"", "M01", "", "found a string");
    fails(b"null", "M01", "", "found null");
}

#[test]
fn m02_to_m05_check_the_id() {
    fails(&remove("", "id"), "M02", "/id", "`id` is missing");
    fails(&with(|m| m["id"] = json!(42)), "M03", "/id", "must be a string, found a number");
    fails(&with(|m| m["id"] = json!("")), "M04", "/id", "blank");
    fails(&with(|m| m["id"] = json!("   ")), "M04", "/id", "blank");
    fails(&with(|m| m["id"] = json!("My Addon")), "M05", "/id", "not a valid add-on id");
    passes(&with(|m| {
        m["id"] = json!("fast-db2");
        m["api"].as_object_mut().unwrap().remove("config_vars_prefix");
        m["api"]["config_vars"] = json!(["FAST_DB2_URL"]);
    }));
}

#[test]
fn missing_keys_suggest_the_typo_they_probably_are() {
    let source = with(|m| {
        let api = m["api"].as_object_mut().unwrap();
        let regions = api.remove("regions").unwrap();
        api.insert("region".into(), regions);
    });
    let validation = validate(&source);
    let diagnostic = validation.errors().find(|d| d.code == "M08").unwrap();
    assert_eq!(diagnostic.hint.as_deref(), Some("did you mean `regions`? found `region`"));
}

#[test]
fn m06_m07_check_the_api_block() {
    fails(&remove("", "api"), "M06", "/api", "`api` is missing");
    fails(&with(|m| m["api"] = json!("x")), "M07", "/api", "must be an object, found a string");
    let validation = validate(&with(|m| m["api"] = json!([])));
    assert!(
        validation.results.iter().filter(|r| r.rule.check.code > "M07").all(|r| matches!(r.outcome, Outcome::Skipped))
    );
}

#[test]
fn m08_to_m10_check_the_regions() {
    fails(&remove("/api", "regions"), "M08", "/api/regions", "missing");
    fails(&with(|m| m["api"]["regions"] = json!("us")), "M08", "/api/regions", "must be an array");
    fails(&with(|m| m["api"]["regions"] = json!(["eu"])), "M09", "/api/regions", "must include `us` or `*`");
    fails(&with(|m| m["api"]["regions"] = json!([])), "M09", "/api/regions", "must include");
    fails(
        &with(|m| m["api"]["regions"] = json!(["us", "mars"])),
        "M10",
        "/api/regions/1",
        "`mars` is not a known region",
    );
    fails(&with(|m| m["api"]["regions"] = json!(["us", 7])), "M10", "/api/regions/1", "must be a string");
    passes(&with(|m| m["api"]["regions"] = json!(["*"])));
    passes(&with(|m| m["api"]["regions"] = json!(["us", "dublin", "sydney", "virginia"])));
}

#[test]
fn m10_suggests_the_closest_region() {
    let validation = validate(&with(|m| m["api"]["regions"] = json!(["us", "frankfort"])));
    let diagnostic = validation.errors().next().unwrap();
    assert_eq!(diagnostic.hint.as_deref(), Some("did you mean `frankfurt`?"));
}

#[test]
fn m11_needs_a_non_empty_string_password() {
    fails(&remove("/api", "password"), "M11", "/api/password", "missing");
    fails(&with(|m| m["api"]["password"] = json!("")), "M11", "/api/password", "empty");
    fails(&with(|m| m["api"]["password"] = json!(null)), "M11", "/api/password", "found null");
    fails(&with(|m| m["api"]["password"] = json!(1234)), "M11", "/api/password", "found a number");
}

#[test]
fn passwords_and_salts_never_appear_in_diagnostics() {
    let validation = validate(&with(|m| {
        m["api"]["regions"] = json!(["mars"]);
        m["api"]["version"] = json!(3);
    }));
    for diagnostic in validation.diagnostics() {
        let text = serde_json::to_string(&diagnostic).unwrap();
        assert!(!text.contains("0123456789abcdef") && !text.contains("fedcba9876543210"), "{text}");
    }
    let manifest = validate(&with(|_| {})).manifest.unwrap();
    let debug = format!("{manifest:?}");
    assert!(!debug.contains("0123456789abcdef") && !debug.contains("fedcba9876543210"), "{debug}");
}

#[test]
fn m12_m13_check_the_test_urls() {
    fails(&remove("/api", "test"), "M12", "/api/test", "missing");
    fails(
        &with(|m| m["api"]["test"]["base_url"] = json!("localhost:4567/heroku")),
        "M13",
        "/api/test/base_url",
        "missing scheme",
    );
    fails(
        &with(|m| m["api"]["test"]["sso_url"] = json!("ftp://x/sso")),
        "M13",
        "/api/test/sso_url",
        "unsupported scheme",
    );
    fails(
        &with(|m| m["api"]["test"] = json!({"sso_url": "http://x"})),
        "M13",
        "/api/test/base_url",
        "`api.test.base_url` is missing",
    );
    fails(&with(|m| m["api"]["test"] = json!(5000)), "M13", "/api/test", "found a number");
    passes(&with(|m| m["api"]["test"] = json!("http://localhost:5000/")));
}

#[test]
fn m14_to_m16_check_the_production_urls() {
    fails(&remove("/api", "production"), "M14", "/api/production", "missing");
    fails(
        &with(|m| m["api"]["production"]["base_url"] = json!("http://yourapp.com/heroku/resources")),
        "M15",
        "/api/production/base_url",
        "must use https",
    );
    fails(&with(|m| m["api"]["production"] = json!("http://yourapp.com/")), "M15", "/api/production", "must use https");
    fails(
        &with(|m| m["api"]["production"]["sso_url"] = json!("http://yourapp.com/sso/login")),
        "M16",
        "/api/production/sso_url",
        "must use https",
    );
    // An add-on without SSO needs no sso_url (the old gem demanded one).
    passes(&with(|m| {
        m["api"]["production"].as_object_mut().unwrap().remove("sso_url");
    }));
    passes(&with(|m| m["api"]["production"] = json!("https://yourapp.com/")));
}

#[test]
fn m17_to_m20_check_the_config_vars() {
    fails(&with(|m| m["api"]["config_vars"] = json!("MYADDON_URL")), "M17", "/api/config_vars", "must be an array");
    fails(
        &with(|m| m["api"]["config_vars"] = json!(["myaddon_url"])),
        "M18",
        "/api/config_vars/0",
        "\"myaddon_url\" is not a valid ENV key",
    );
    fails(
        &with(|m| m["api"]["config_vars"] = json!(["MYADDON_URL", 7])),
        "M18",
        "/api/config_vars/1",
        "7 is not a valid ENV key",
    );
    fails(
        &with(|m| m["api"]["config_vars"] = json!(["OTHER_URL"])),
        "M19",
        "/api/config_vars/0",
        "OTHER_URL is not a valid ENV key - must be prefixed with MYADDON_",
    );
    fails(
        &with(|m| m["api"]["config_vars"] = json!(["MYADDON_URL", "MYADDON_URL"])),
        "M20",
        "/api/config_vars/1",
        "listed twice (first at /api/config_vars/0)",
    );
    fails(
        &with(|m| m["api"]["config_vars_prefix"] = json!(5)),
        "M19",
        "/api/config_vars_prefix",
        "must be a non-empty string",
    );
    passes(&remove("/api", "config_vars"));
    passes(&with(|m| {
        m["api"]["config_vars_prefix"] = json!("ACME");
        m["api"]["config_vars"] = json!(["ACME_URL", "ACME_TOKEN"]);
    }));
}

#[test]
fn m19_defaults_the_prefix_to_the_upper_cased_id() {
    let dashed = |vars: Value| {
        with(move |m| {
            m["id"] = json!("fast-db");
            m["api"].as_object_mut().unwrap().remove("config_vars_prefix");
            m["api"]["config_vars"] = vars;
        })
    };
    passes(&dashed(json!(["FAST_DB_URL"])));
    fails(&dashed(json!(["FASTDB_URL"])), "M19", "/api/config_vars/0", "must be prefixed with FAST_DB_");
}

/// A name that changes how programs load or start fails M18 even where the prefix allows it.
#[test]
fn m18_rejects_names_that_change_how_programs_start() {
    let declaring = |id: &str, prefix: Option<&str>, name: &str| {
        let (id, prefix, name) = (id.to_string(), prefix.map(str::to_string), name.to_string());
        with(move |m| {
            m["id"] = json!(id);
            match prefix {
                Some(prefix) => m["api"]["config_vars_prefix"] = json!(prefix),
                None => drop(m["api"].as_object_mut().unwrap().remove("config_vars_prefix")),
            }
            m["api"]["config_vars"] = json!([name]);
        })
    };
    let cases = [
        ("ld", None, "LD_PRELOAD", "the dynamic linker reads it"),
        ("ld", None, "LD_LIBRARY_PATH", "the dynamic linker reads it"),
        ("myaddon", Some("PATH"), "PATH", "shells read it"),
        ("node", None, "NODE_OPTIONS", "a language runtime reads it"),
        ("bash", None, "BASH_ENV", "shells read it"),
        ("git", None, "GIT_SSH_COMMAND", "git, ssh or another tool"),
    ];
    for (id, prefix, name, why) in cases {
        let source = declaring(id, prefix, name);
        fails(&source, "M18", "/api/config_vars/0", &format!("{name} is not a valid ENV key - {why}"));
        let validation = validate(&source);
        let m19 = validation.results.iter().find(|r| r.rule.check.code == "M19").unwrap();
        assert_eq!(m19.outcome, Outcome::Passed, "only M18 reports {name}");
    }
    // Names that merely look alike pass.
    passes(&declaring("ld", Some("LDB"), "LDB_URL"));
    passes(&declaring("pathfinder", None, "PATHFINDER_URL"));
    passes(&declaring("git", None, "GIT_URL"));
}

#[test]
fn m21_rejects_the_deprecated_username() {
    fails(&with(|m| m["api"]["username"] = json!("me")), "M21", "/api/username", "username is deprecated");
}

#[test]
fn m22_warns_about_unknown_requirements() {
    let validation = validate(&with(|m| m["api"]["requires"] = json!(["syslog_drain", "sysl0g_drain"])));
    assert!(validation.is_ok());
    let warning = validation.diagnostics().next().unwrap();
    assert_eq!(
        (warning.code.as_str(), warning.severity, warning.pointer.as_str()),
        ("M22", Severity::Warning, "/api/requires/1")
    );
    assert_eq!(warning.hint.as_deref(), Some("did you mean `syslog_drain`?"));
    fails(&with(|m| m["api"]["requires"] = json!("syslog_drain")), "M22", "/api/requires", "must be an array");
    passes(&with(|m| m["api"]["requires"] = json!(["syslog_drain", "log_input", "many_per_app", "attachable"])));
}

#[test]
fn m23_warns_without_an_sso_salt() {
    let validation = validate(&remove("/api", "sso_salt"));
    assert!(validation.is_ok());
    let warning = validation.diagnostics().next().unwrap();
    assert_eq!((warning.code.as_str(), warning.severity), ("M23", Severity::Warning));
    assert!(warning.message.contains("single sign-on cannot be tested"));
    fails(&with(|m| m["api"]["sso_salt"] = json!(12)), "M23", "/api/sso_salt", "must be a string");
}

#[test]
fn m24_warns_about_v1_and_rejects_unknown_versions() {
    let validation = validate(&remove("/api", "version"));
    assert!(validation.is_ok());
    let warning = validation.diagnostics().next().unwrap();
    assert_eq!((warning.code.as_str(), warning.severity), ("M24", Severity::Warning));
    assert!(warning.message.contains("end of life"));
    fails(&with(|m| m["api"]["version"] = json!(3)), "M24", "/api/version", "must be the string \"3\", found 3");
}

#[test]
fn reports_every_problem_at_once() {
    let validation = validate(&with(|m| {
        m["id"] = json!("");
        m["api"]["regions"] = json!(["eu", "mars"]);
        m["api"]["password"] = json!(null);
        m["api"]["production"]["base_url"] = json!("http://yourapp.com/heroku/resources");
        m["api"]["username"] = json!("me");
    }));
    let codes: Vec<_> = validation.errors().map(|d| d.code).collect();
    assert_eq!(codes, ["M04", "M09", "M10", "M11", "M15", "M21"]);
}

#[test]
fn unknown_fields_are_kept() {
    let validation = validate(&with(|m| {
        m["cli_plugin_name"] = json!("heroku-myaddon");
        m["$base"] = json!(1234);
        m["api"]["future_field"] = json!({"x": 1});
    }));
    let manifest = validation.manifest.unwrap();
    assert_eq!(manifest.extra["cli_plugin_name"], "heroku-myaddon");
    assert_eq!(manifest.extra["$base"], 1234);
    assert_eq!(manifest.api.extra["future_field"]["x"], 1);
}

#[test]
fn positions_point_into_the_source() {
    let source = b"{\n  \"id\": \"myaddon\",\n  \"api\": {\n    \"regions\": [\"us\", \"mars\"]\n  }\n}";
    let validation = validate(source);
    let diagnostic = validation.errors().find(|d| d.code == "M10").unwrap();
    let position = diagnostic.position.unwrap();
    assert_eq!((position.line, position.column), (4, 23));
    let missing = validation.errors().find(|d| d.code == "M11").unwrap();
    assert_eq!(missing.position.unwrap().line, 3, "a missing key points at its parent object");
}

/// The valid manifest as pretty JSON text, for tests that need to write what `json!` cannot
/// hold, such as a key twice.
fn valid_text() -> String {
    String::from_utf8(with(|_| {})).unwrap()
}

#[test]
fn m13_reports_a_javascript_url_as_an_unsupported_scheme_not_a_missing_one() {
    // `javascript:` has a scheme, just not http or https: calling it missing would point at
    // the wrong fix.
    let source = with(|m| m["api"]["test"]["base_url"] = json!("javascript:alert(1)"));
    fails(&source, "M13", "/api/test/base_url", "unsupported scheme `javascript:` (expected http or https)");
    let validation = validate(&source);
    assert!(validation.errors().all(|d| !d.message.contains("missing scheme")), "{:#?}", validation.results);
    fails(
        &with(|m| m["api"]["production"]["sso_url"] = json!("JavaScript:alert(document.cookie)")),
        "M16",
        "/api/production/sso_url",
        "unsupported scheme `javascript:`",
    );
    // A host and port without a scheme is still a missing scheme.
    fails(
        &with(|m| m["api"]["test"]["base_url"] = json!("localhost:4567/heroku/resources")),
        "M13",
        "/api/test/base_url",
        "missing scheme",
    );
}

#[test]
fn m13_rejects_port_zero_and_ports_that_are_not_plain_numbers() {
    // Nothing can be reached on port 0, so it is refused like any port out of range.
    for (url, port) in [
        ("http://localhost:0/heroku/resources", "0"),
        ("http://localhost:65536/heroku/resources", "65536"),
        ("http://localhost:+80/heroku/resources", "+80"),
        ("http://[::1]:0/heroku/resources", "0"),
    ] {
        fails(
            &with(|m| m["api"]["test"]["base_url"] = json!(url)),
            "M13",
            "/api/test/base_url",
            &format!("invalid port `{port}` (expected a number from 1 to 65535)"),
        );
    }
    fails(
        &with(|m| m["api"]["production"]["base_url"] = json!("https://yourapp.com:0/heroku/resources")),
        "M15",
        "/api/production/base_url",
        "invalid port `0`",
    );
    passes(&with(|m| m["api"]["test"]["base_url"] = json!("http://localhost:65535/heroku/resources")));
}

#[test]
fn m00_warns_about_a_repeated_key_with_the_position_of_both() {
    // JSON keeps the last of two equal keys, silently; kensa says where both are.
    let text = valid_text();
    let first_line = text.lines().position(|line| line.contains("\"password\"")).unwrap() + 1;
    let source = text.replacen(
        "\"password\": \"0123456789abcdef\",",
        "\"password\": \"0123456789abcdef\",\n    \"password\": \"second-password\",",
        1,
    );
    let validation = validate(source.as_bytes());
    assert!(validation.is_ok(), "a repeated key is a warning: {:#?}", validation.results);
    let warnings: Vec<_> = validation.diagnostics().filter(|d| d.code == "M00").collect();
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    let warning = &warnings[0];
    assert_eq!((warning.severity, warning.pointer.as_str()), (Severity::Warning, "/api/password"));
    let repeat_line = u32::try_from(first_line + 1).unwrap();
    assert_eq!(
        warning.message,
        format!(
            "key `password` is repeated: at line {first_line}, column 5 and again at line {repeat_line}, column 5; \
             only the last one counts"
        )
    );
    assert_eq!(warning.position.map(|p| (p.line, p.column)), Some((repeat_line, 5)));
    assert_eq!(validation.results[0].outcome, Outcome::Warning);
    assert!(!warning.message.contains("0123456789abcdef") && !warning.message.contains("second-password"));
    // The last value is the one kensa uses, as every JSON reader does.
    assert_eq!(validation.manifest.unwrap().api.password.expose(), "second-password");
}

#[test]
fn m00_warns_about_every_repeat_of_a_key_at_any_depth() {
    let source =
        "{\"id\": \"myaddon\",\n \"id\": \"myaddon\",\n \"api\": {\"x\": [{\"a/b\": 1, \"a/b\": 2, \"a/b\": 3}]}}";
    let validation = validate(source.as_bytes());
    let diagnostics: Vec<_> = validation.diagnostics().filter(|d| d.code == "M00").collect();
    let warnings: Vec<_> = diagnostics.iter().map(|d| (d.pointer.as_str(), d.message.as_str())).collect();
    assert_eq!(
        warnings,
        [
            (
                "/id",
                "key `id` is repeated: at line 1, column 2 and again at line 2, column 2; only the last one counts"
            ),
            (
                "/api/x/0/a~1b",
                "key `a/b` is repeated: at line 3, column 17 and again at line 3, column 27; only the last one counts"
            ),
            (
                "/api/x/0/a~1b",
                "key `a/b` is repeated: at line 3, column 17 and again at line 3, column 37; only the last one counts"
            ),
        ]
    );
}

#[test]
fn m00_lists_a_bounded_number_of_repeated_keys() {
    let members: Vec<String> = (0..300).map(|_| "\"k\": 1".to_string()).collect();
    let source = format!("{{\"id\": \"myaddon\", \"extra\": {{{}}}}}", members.join(", "));
    let validation = validate(source.as_bytes());
    let warnings: Vec<_> = validation.diagnostics().filter(|d| d.code == "M00").collect();
    assert_eq!(warnings.len(), 101, "100 listed and one line for the rest");
    assert_eq!(warnings[100].message, "199 more repeated keys are not listed");
    assert!(warnings.iter().all(|d| d.position.is_some()));
}

#[test]
fn many_config_vars_with_repeats_are_all_checked() {
    // Repeats are found in one pass: comparing each name with every earlier one took minutes
    // for this many names. The time is printed by scripts/fuzz, not asserted here.
    let count = 200_000;
    let mut names: Vec<String> = (0..count).map(|index| format!("MYADDON_VAR_{index}")).collect();
    let repeated: Vec<usize> = (0..count).step_by(1000).collect();
    names.extend(repeated.iter().map(|index| format!("MYADDON_VAR_{index}")));
    names.push("OTHER_URL".to_string());
    names.push("lower_case".to_string());
    let source = with(|m| m["api"]["config_vars"] = json!(names));
    let validation = validate(&source);
    let by_code = |code: &str| -> Vec<_> { validation.diagnostics().filter(|d| d.code == code).collect() };
    let unique = by_code("M20");
    assert_eq!(unique.len(), repeated.len());
    for (diagnostic, (offset, index)) in unique.iter().zip(repeated.iter().enumerate()) {
        assert_eq!(diagnostic.pointer, format!("/api/config_vars/{}", count + offset));
        assert_eq!(
            diagnostic.message,
            format!("MYADDON_VAR_{index} is listed twice (first at /api/config_vars/{index})")
        );
        assert!(diagnostic.position.is_some());
    }
    let prefixed = by_code("M19");
    assert_eq!(prefixed.len(), 1);
    assert_eq!(prefixed[0].pointer, format!("/api/config_vars/{}", count + repeated.len()));
    let uppercase = by_code("M18");
    assert_eq!(uppercase.len(), 1);
    assert_eq!(uppercase[0].pointer, format!("/api/config_vars/{}", count + repeated.len() + 1));
}

#[test]
fn deeply_nested_json_is_a_syntax_error_not_a_stack_overflow() {
    // Nesting is bounded by the parser, before any of kensa's own walking, so a hostile
    // manifest cannot overflow the stack.
    for source in ["[".repeat(100_000), "{\"a\":".repeat(100_000), format!("{{\"id\": {}", "[".repeat(100_000))] {
        let validation = validate(source.as_bytes());
        let diagnostic = validation.diagnostics().next().unwrap();
        assert_eq!(diagnostic.code, "M00");
        assert!(diagnostic.message.starts_with("invalid JSON: "), "{}", diagnostic.message);
        assert!(diagnostic.position.is_some());
    }
    // Within the limit, nested values are walked and located.
    let nested = format!("{{\"id\": \"myaddon\", \"deep\": {}1{}}}", "[".repeat(100), "]".repeat(100));
    let validation = validate(nested.as_bytes());
    assert_eq!(validation.results[0].outcome, Outcome::Passed);
    let pointer = format!("/deep{}", "/0".repeat(100));
    let document = validation.document.unwrap();
    assert_eq!(document.position(&pointer).map(|p| p.column), Some(127));
}

/// The id a host files resources under is read as validation reads the file: a manifest
/// saved with a byte-order mark validates, so its id is found too (it was not, so the CLI
/// ran only the manifest checks for `test deprovision KEY`).
#[test]
fn the_declared_id_of_a_manifest_with_a_byte_order_mark() {
    let declared_id = |source: &[u8]| validate(source).declared_id().map(str::to_string);
    assert_eq!(declared_id(b"\xEF\xBB\xBF{\"id\": \"myaddon\"}"), Some("myaddon".to_string()));
    assert_eq!(declared_id(br#"{"id": "Bad Id", "api": 1}"#), Some("Bad Id".to_string()));
    assert_eq!(declared_id(br#"{"id": 7}"#), None);
    assert_eq!(declared_id(b"[1]"), None);
    assert_eq!(declared_id(b"{"), None);
}
