//! `--format sarif`: every log kensa writes validates against the OASIS SARIF 2.1.0 schema
//! (`tests/fixtures/sarif-schema-2.1.0.json`, see the README there), tells what the same
//! run's JSON report tells, and places each result where GitHub's code scanning can show it.

use boon::{Compiler, SchemaIndex, Schemas};
use kensa_e2e::{Fault, Kensa, Outcome, Provider, Report, text};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::sync::OnceLock;

/// The schema's own id, under which it is compiled (it refers to itself by it).
const SCHEMA_ID: &str = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The vendored schema, compiled once for every test.
fn schema() -> &'static (Schemas, SchemaIndex) {
    static SCHEMA: OnceLock<(Schemas, SchemaIndex)> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/sarif-schema-2.1.0.json");
        let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        assert_eq!(schema["id"], SCHEMA_ID, "the vendored schema is the OASIS one");
        let mut compiler = Compiler::new();
        compiler.add_resource(SCHEMA_ID, schema).unwrap();
        let mut schemas = Schemas::new();
        let index = compiler.compile(SCHEMA_ID, &mut schemas).unwrap_or_else(|error| panic!("{error:#}"));
        (schemas, index)
    })
}

/// `log` checked against the schema; the error lists every violation.
fn validate(log: &Value) -> Result<(), String> {
    let (schemas, index) = schema();
    schemas.validate(log, *index).map_err(|error| format!("{error:#}"))
}

/// `text` parsed as JSON, panicking unless it is a valid SARIF 2.1.0 log.
#[track_caller]
pub(crate) fn assert_valid(text: &str) -> Value {
    let log: Value = serde_json::from_str(text).unwrap_or_else(|error| panic!("not JSON: {error}\n{text}"));
    validate(&log).unwrap_or_else(|error| panic!("not SARIF 2.1.0: {error}\n{text}"));
    log
}

/// Panics unless `log` tells what `report` (the same run in JSON) tells: an error result for
/// each check that failed or errored and for no other, a warning for each that warned; every
/// rule of the catalogue, each result's index naming its rule, and a location in the
/// manifest on every result (GitHub shows none without).
#[track_caller]
pub(crate) fn assert_matches(log: &Value, report: &Report) {
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), kensa_checks::docs::all_docs().len());
    let results = run["results"].as_array().unwrap();
    let codes = |level: &str| -> BTreeSet<&str> {
        results
            .iter()
            .filter(|result| result["level"] == level)
            .map(|result| result["ruleId"].as_str().unwrap())
            .collect()
    };
    let checks = |outcomes: &[Outcome]| -> BTreeSet<&str> {
        report.checks().filter(|check| outcomes.contains(&check.outcome)).map(|check| check.code.as_str()).collect()
    };
    assert_eq!(codes("error"), checks(&[Outcome::Failed, Outcome::Errored]), "{}", text(report));
    assert!(checks(&[Outcome::Warning]).is_subset(&codes("warning")), "{}", text(report));
    for result in results {
        let index = result["ruleIndex"].as_u64().unwrap_or_else(|| panic!("no rule index: {result}"));
        assert_eq!(rules[index as usize]["id"], result["ruleId"], "{result}");
        let location = &result["locations"][0]["physicalLocation"];
        assert!(location["artifactLocation"]["uri"].as_str().is_some_and(|uri| uri.ends_with("addon-manifest.json")));
        assert!(location["region"]["startLine"].as_u64().is_some_and(|line| line >= 1), "{result}");
    }
}

/// The 1-based line and column where `needle` first starts in `source`.
fn position_of(source: &str, needle: &str) -> (u64, u64) {
    let (line, text) = source.lines().enumerate().find(|(_, text)| text.contains(needle)).unwrap();
    let column = text[..text.find(needle).unwrap()].chars().count() + 1;
    (line as u64 + 1, column as u64)
}

/// A correct provider and several faulty ones: each log validates and matches the JSON
/// report; a live check's result points at the manifest's test base URL.
#[test]
fn logs_of_passing_and_faulty_runs_validate() {
    let fault_sets =
        [vec![], vec![Fault::NoAuth, Fault::PlanchangeStatus500], vec![Fault::ProvisionStatus201, Fault::SsoNoCookie]];
    for faults in fault_sets {
        let provider = Provider::with_faults(faults.clone());
        let report = provider.run(["test", "all", "--with-sso", "--format", "json"]).report();
        let run = provider.run(["test", "all", "--with-sso", "--format", "sarif"]);
        run.assert_code(if faults.is_empty() { 0 } else { 1 });
        let log = assert_valid(&run.stdout);
        assert_matches(&log, &report);
        let results = log["runs"][0]["results"].as_array().unwrap();
        assert_eq!(results.is_empty(), faults.is_empty(), "{faults:?}: {}", run.stdout);
        let source = std::fs::read_to_string(provider.manifest_path()).unwrap();
        let (line, column) = position_of(&source, &format!("\"{}/heroku/resources\"", provider.origin()));
        for result in results {
            let region = &result["locations"][0]["physicalLocation"]["region"];
            assert_eq!(region, &json!({"startLine": line, "startColumn": column}), "{result}");
        }
    }
}

/// A manifest with errors: the results validate and each points at the line and column of
/// the value at fault, found here in the file itself, in the manifest named as given.
#[test]
fn a_manifest_error_points_at_its_line_and_column() {
    let provider = Provider::with_manifest(kensa_e2e::options(), |manifest| {
        manifest["api"]["regions"] = json!(["us", "mars"]);
        manifest["id"] = json!("My Addon");
    });
    let source = std::fs::read_to_string(provider.manifest_path()).unwrap();
    let run = Kensa::new(provider.dir()).args(["test", "all", "--format", "sarif", "-f", "addon-manifest.json"]).run();
    run.assert_code(1);
    let log = assert_valid(&run.stdout);
    let report = Kensa::new(provider.dir()).args(["test", "all", "--format", "json"]).run().report();
    assert_matches(&log, &report);
    let results = log["runs"][0]["results"].as_array().unwrap();
    let cases = [("M10", "\"mars\"", "`mars` is not a known region\nat /api/regions/1\nsee: kensa explain M10")];
    let id_message = "`My Addon` is not a valid add-on id\nat /id\nhint: use lower-case letters, digits and dashes, such as `my-addon`\nsee: kensa explain M05";
    for (code, needle, message) in cases.into_iter().chain([("M05", "\"My Addon\"", id_message)]) {
        let found: Vec<&Value> = results.iter().filter(|result| result["ruleId"] == code).collect();
        let [result] = found.as_slice() else { panic!("one {code} result: {}", run.stdout) };
        assert_eq!(result["level"], "error");
        assert_eq!(result["message"]["text"], message);
        let (line, column) = position_of(&source, needle);
        assert_eq!(
            result["locations"][0]["physicalLocation"],
            json!({"artifactLocation": {"uri": "addon-manifest.json"}, "region": {"startLine": line, "startColumn": column}})
        );
    }
}

/// The validator is live: a log kensa wrote passes, and each way of breaking it fails.
#[test]
fn a_broken_log_fails_validation() {
    let provider = Provider::with_faults([Fault::NoAuth]);
    let log = assert_valid(&provider.run(["test", "provision", "--format", "sarif"]).stdout);
    let result = |field: &str| format!("/runs/0/results/0/{field}");
    let breakages = [
        ("/version".to_string(), json!("2.0.0")),
        ("/runs/0/tool/driver/name".to_string(), json!(7)),
        (result("level"), json!("fatal")),
        (result("locations/0/physicalLocation/region/startLine"), json!(0)),
        (result("message"), json!({})),
    ];
    for (pointer, value) in breakages {
        let mut broken = log.clone();
        *broken.pointer_mut(&pointer).unwrap_or_else(|| panic!("{pointer} in {log}")) = value;
        assert!(validate(&broken).is_err(), "{pointer} broken and still valid");
    }
    let mut unknown = log.clone();
    unknown["runs"][0]["kensa"] = json!(true);
    assert!(validate(&unknown).is_err(), "a property the schema does not know is refused");
}
