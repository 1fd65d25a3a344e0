//! SARIF 2.1.0, the format code-scanning tools read (GitHub's code scanning tab among them):
//! every check of the catalogue as a rule, documented as `kensa explain` documents it, and
//! one result per finding of a check that failed, errored or warned, each placed in the
//! manifest.

use super::annotation::{Annotation, Place, annotations};
use super::json::escape_unsafe_chars;
use super::visible;
use crate::docs::{CheckDoc, all_docs, explain_markdown, explain_text};
use crate::report::Report;
use kensa_manifest::{Position, Severity};
use serde::Serialize;

/// The OASIS standard's schema (errata 01), the one the SARIF validators ask for.
const SCHEMA: &str = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// Where a report's results are placed: the manifest's path as the user gave it, and where
/// in it the base URL of the environment the run called is written (the live checks' results
/// point there: they are about the service at that URL).
#[derive(Clone, Copy, Debug)]
pub struct SarifManifest<'a> {
    pub path: &'a str,
    pub base_url: Option<Position>,
}

/// The report as one SARIF log, pretty-printed.
pub fn sarif(report: &Report, manifest: SarifManifest<'_>) -> String {
    let docs = all_docs();
    let uri = relative_uri(manifest.path);
    let mut results = Vec::new();
    for group in &report.groups {
        for check in &group.checks {
            let rule_index = docs.iter().position(|doc| doc.def.code == check.code);
            for annotation in annotations(check, &group.heading) {
                let region = region(annotation.place, manifest.base_url);
                results.push(SarifResult::new(visible(&check.code).into_owned(), rule_index, annotation, &uri, region));
            }
        }
    }
    let driver = Driver {
        name: "kensa",
        version: env!("CARGO_PKG_VERSION"),
        information_uri: env!("CARGO_PKG_REPOSITORY"),
        rules: docs.iter().map(Rule::from).collect(),
    };
    // Columns count characters, as the manifest's positions do.
    let run = Run { tool: Tool { driver }, results, column_kind: "unicodeCodePoints" };
    let log = Log { schema: SCHEMA, version: "2.1.0", runs: [run] };
    // Serializing plain data with string keys cannot fail.
    escape_unsafe_chars(serde_json::to_string_pretty(&log).unwrap_or_default())
}

/// Where in the manifest a result points. GitHub's code scanning refuses a result without a
/// location and places one by its start line, so every result has both: a finding at its
/// line and column, a live check at the base URL it called (line 1 when that is not known),
/// and a finding about the whole file at its first line.
fn region(place: Place, base_url: Option<Position>) -> Region {
    let at = |position: Position| Region { start_line: position.line, start_column: Some(position.column) };
    match (place, base_url) {
        (Place::ManifestAt(position), _) | (Place::Run, Some(position)) => at(position),
        (Place::Manifest, _) | (Place::Run, None) => Region { start_line: 1, start_column: None },
    }
}

/// `path` as a URI reference: a relative path stays relative (GitHub resolves it from the
/// repository's root, so give `-f` relative to it), an absolute one becomes a `file` URI.
/// Every byte outside a path's unreserved characters is percent-encoded, `:` too, so that no
/// first segment reads as a scheme, and a leading `./` is dropped.
fn relative_uri(path: &str) -> String {
    let mut relative = path;
    while let Some(rest) = relative.strip_prefix("./") {
        relative = rest.trim_start_matches('/');
    }
    let scheme = if path.starts_with('/') { "file://" } else { "" };
    format!("{scheme}{}", crate::encoding::percent_encode(relative, b"-._~!$&'()*+,;=@/"))
}

#[derive(Serialize)]
struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    tool: Tool,
    results: Vec<SarifResult>,
    column_kind: &'static str,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    information_uri: &'static str,
    rules: Vec<Rule>,
}

/// A check as a rule (`reportingDescriptor`): GitHub shows the short and full descriptions
/// atop an alert and the help below it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: &'static str,
    name: &'static str,
    short_description: Text,
    full_description: Text,
    help: Help,
    help_uri: &'static str,
    default_configuration: Configuration,
    properties: RuleProperties,
}

impl From<&CheckDoc> for Rule {
    fn from(doc: &CheckDoc) -> Rule {
        let def = doc.def;
        Rule {
            id: def.code,
            name: def.name,
            short_description: Text { text: def.summary.to_string() },
            full_description: Text { text: format!("{} {}", def.summary, def.why) },
            help: Help { text: explain_text(doc), markdown: explain_markdown(doc) },
            help_uri: def.reference,
            // A check that fails fails the run; a result that only warns says so itself.
            default_configuration: Configuration { level: "error" },
            properties: RuleProperties { tags: [doc.group] },
        }
    }
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

/// GitHub filters alerts by their rule's tags: the group `kensa checks` lists it under.
#[derive(Serialize)]
struct RuleProperties {
    tags: [&'static str; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: String,
    /// Absent for a code the catalogue does not have (a report read back from JSON).
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    level: &'static str,
    message: Text,
    locations: [Location; 1],
}

impl SarifResult {
    fn new(rule_id: String, rule_index: Option<usize>, annotation: Annotation, uri: &str, region: Region) -> Self {
        let level = match annotation.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let artifact_location = ArtifactLocation { uri: uri.to_string() };
        SarifResult {
            rule_id,
            rule_index,
            level,
            message: Text { text: annotation.lines.join("\n") },
            locations: [Location { physical_location: PhysicalLocation { artifact_location, region } }],
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_column: Option<u32>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NoEvents;
    use crate::manifest::reported;
    use crate::render::live_check;
    use crate::report::{Finding, GroupReport, Outcome};
    use serde_json::Value;

    fn parsed(report: &Report, manifest: SarifManifest<'_>) -> Value {
        let text = sarif(report, manifest);
        serde_json::from_str(&text).unwrap_or_else(|error| panic!("{error}: {text}"))
    }

    fn at(path: &str) -> SarifManifest<'_> {
        SarifManifest { path, base_url: None }
    }

    /// Every check of the catalogue is a rule, in `kensa checks` order, documented with what
    /// `kensa explain` prints.
    #[test]
    fn every_check_is_a_rule_with_its_explanation() {
        let log = parsed(&Report { groups: Vec::new() }, at("addon-manifest.json"));
        assert_eq!(log["$schema"], SCHEMA);
        assert_eq!(log["version"], "2.1.0");
        let driver = &log["runs"][0]["tool"]["driver"];
        assert_eq!(driver["name"], "kensa");
        assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
        assert_eq!(driver["informationUri"], "https://github.com/kensa-rs/kensa");
        let rules = driver["rules"].as_array().unwrap();
        let docs = all_docs();
        assert_eq!(rules.len(), docs.len());
        for (rule, doc) in rules.iter().zip(&docs) {
            assert_eq!(rule["id"], doc.def.code);
            assert_eq!(rule["name"], doc.def.name);
            assert_eq!(rule["shortDescription"]["text"], doc.def.summary);
            assert_eq!(rule["help"]["text"], explain_text(doc));
            assert_eq!(rule["helpUri"], doc.def.reference);
            assert_eq!(rule["defaultConfiguration"]["level"], "error");
        }
        let p01 = rules.iter().find(|rule| rule["id"] == "P01").unwrap();
        assert!(p01["help"]["markdown"].as_str().unwrap().contains("\n## Reproduce a failure\n"), "{p01}");
        assert_eq!(log["runs"][0]["results"], Value::Array(Vec::new()));
    }

    #[test]
    fn a_manifest_finding_points_at_its_line_and_column() {
        let report = reported(b"{\n  \"id\": \"Bad Id\",\n  \"api\": {\"region\": [\"us\"]}\n}", &mut NoEvents);
        let log = parsed(&report, at("./config/addon-manifest.json"));
        let results = log["runs"][0]["results"].as_array().unwrap();
        let m05 = results.iter().find(|result| result["ruleId"] == "M05").unwrap();
        let rules = &log["runs"][0]["tool"]["driver"]["rules"];
        assert_eq!(rules[m05["ruleIndex"].as_u64().unwrap() as usize]["id"], "M05");
        assert_eq!(m05["level"], "error");
        assert_eq!(
            m05["message"]["text"],
            "`Bad Id` is not a valid add-on id\nat /id\nhint: use lower-case letters, digits and dashes, such as `bad-id`\nsee: kensa explain M05"
        );
        let location = &m05["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uri"], "config/addon-manifest.json");
        assert_eq!(location["region"], serde_json::json!({"startLine": 2, "startColumn": 9}));
        let m23 = results.iter().find(|result| result["ruleId"] == "M23").unwrap();
        assert_eq!(m23["level"], "warning");
        assert!(results.iter().all(|result| result["ruleId"] != "M01"), "a passing check has no result");
    }

    /// A live check's results say which request they were about and point at the base URL
    /// the run called, or at the manifest's first line when its place is not known.
    #[test]
    fn live_checks_point_at_the_base_url() {
        let mut warned = live_check(Outcome::Warning);
        warned.findings = vec![Finding { pointer: Some("/config/X".to_string()), ..Finding::warning("slow, 3.5 s") }];
        let mut group = GroupReport::new("POST /heroku/resources", None);
        group.checks =
            vec![live_check(Outcome::Failed), warned, live_check(Outcome::Passed), live_check(Outcome::Skipped)];
        let report = Report { groups: vec![group] };
        let base_url = Some(Position { line: 7, column: 17 });
        let log = parsed(&report, SarifManifest { path: "addon-manifest.json", base_url });
        let results = log["runs"][0]["results"].as_array().unwrap();
        let summary: Vec<(&str, &str)> = results
            .iter()
            .map(|result| (result["level"].as_str().unwrap(), result["message"]["text"].as_str().unwrap()))
            .collect();
        assert_eq!(
            summary,
            [
                ("error", "POST /heroku/resources: expected 200, got 500\nsee: kensa explain P01"),
                ("warning", "POST /heroku/resources: slow, 3.5 s\nat /config/X"),
            ]
        );
        for result in results {
            let region = &result["locations"][0]["physicalLocation"]["region"];
            assert_eq!(region, &serde_json::json!({"startLine": 7, "startColumn": 17}), "{result}");
        }
        let unplaced = parsed(&report, at("addon-manifest.json"));
        let region = &unplaced["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"];
        assert_eq!(region, &serde_json::json!({"startLine": 1}));
    }

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(relative_uri("addon-manifest.json"), "addon-manifest.json");
        assert_eq!(relative_uri("././/config/a b.json"), "config/a%20b.json");
        assert_eq!(relative_uri("a:b/c%d#e?f\\g\n"), "a%3Ab/c%25d%23e%3Ff%5Cg%0A");
        assert_eq!(relative_uri("/tmp/é/addon-manifest.json"), "file:///tmp/%C3%A9/addon-manifest.json");
    }

    /// Provider text reaches no result raw: control and invisible characters are shown
    /// escaped as human output shows them, in valid JSON whose text has no unsafe character.
    #[test]
    fn hostile_text_is_made_visible() {
        let report = crate::render::hostile_report();
        let text = sarif(&report, at("addon-manifest.json"));
        assert!(!text.chars().any(|c| c != '\n' && crate::encoding::is_unsafe_char(c)), "{text:?}");
        let log: Value = serde_json::from_str(&text).unwrap();
        let results = log["runs"][0]["results"].as_array().unwrap();
        // As the GitHub format: the warning check's error finding and its own warning, the
        // two failures, the error.
        assert_eq!(results.len(), 5, "{text}");
        for result in results {
            let message = result["message"]["text"].as_str().unwrap();
            assert!(!message.chars().any(|c| c != '\n' && c.is_control()), "{message:?}");
            assert!(message.contains(r"id\e[2J\e]0;owned\x07\r  Check fake [PASS]\n"), "{message}");
            // P05 is no check of the catalogue: the result names it without an index.
            assert_eq!((result["ruleId"].as_str(), result.get("ruleIndex")), (Some("P05"), None), "{result}");
        }
    }
}
