//! One JSON document per run: a summary, then every group and check.

#[cfg(feature = "reproduce")]
use crate::curl::Reproducer;
use crate::encoding::{is_unsafe_char, json_escape};
use crate::read::{Object, string_pair};
use crate::report::{CheckReport, Exchange, Finding, GroupReport, Outcome, Report, Summary};
use kensa_manifest::{Position, Severity};
use serde::Serialize;
use serde_json::Value;

#[derive(Serialize)]
struct JsonReport<'a> {
    passed: bool,
    summary: Summary,
    groups: &'a [GroupReport],
}

/// The report as pretty-printed JSON; [`from_json`] reads it back.
pub fn json(report: &Report) -> String {
    let document = JsonReport { passed: report.passed(), summary: report.summary(), groups: &report.groups };
    escape_unsafe_chars(pretty_with_reproductions(&document, report))
}

/// The document with each failed check's `curl` command (and for SSO, `curl_sign`, the
/// command that signs the tokens it reads), derived like the summary, so [`from_json`]
/// does not read them.
#[cfg(feature = "reproduce")]
fn pretty_with_reproductions(document: &JsonReport<'_>, report: &Report) -> String {
    // Serializing plain data with string keys cannot fail.
    let mut document = serde_json::to_value(document).unwrap_or_default();
    add_reproductions(&mut document, report);
    serde_json::to_string_pretty(&document).unwrap_or_default()
}

/// Without reproductions (the browser build) the document is written as it is: going
/// through a `Value` would cost the page its serializer.
#[cfg(not(feature = "reproduce"))]
fn pretty_with_reproductions(document: &JsonReport<'_>, _report: &Report) -> String {
    serde_json::to_string_pretty(document).unwrap_or_default()
}

#[cfg(feature = "reproduce")]
fn add_reproductions(document: &mut Value, report: &Report) {
    let checks = document["groups"]
        .as_array_mut()
        .into_iter()
        .flatten()
        .flat_map(|group| group["checks"].as_array_mut().into_iter().flatten());
    let mut reproducer = Reproducer::default();
    for (value, check) in checks.zip(report.checks()) {
        let (Some(object), Some(reproduction)) = (value.as_object_mut(), reproducer.next(check)) else {
            continue;
        };
        object.insert("curl".to_string(), Value::String(reproduction.curl));
        if let Some(sign) = reproduction.sign {
            object.insert("curl_sign".to_string(), Value::String(sign));
        }
    }
}

/// serde_json escapes C0 controls but writes DEL, C1 controls (U+009B is CSI to some
/// terminals), bidi overrides and other invisible characters as they are. Outside strings
/// pretty JSON holds only ASCII punctuation, spaces and newlines, so every such character
/// left is inside a string, where its `\uXXXX` escape reads back as the same text.
pub(super) fn escape_unsafe_chars(json: String) -> String {
    if !json.chars().any(|c| c != '\n' && is_unsafe_char(c)) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if c != '\n' && is_unsafe_char(c) {
            json_escape(&mut out, c);
        } else {
            out.push(c);
        }
    }
    out
}

/// Reads a report written by [`json`] (the summary is derived, so it is not read); the
/// error names the first field that is missing or of the wrong kind.
pub fn from_json(text: &str) -> Result<Report, String> {
    let value: Value = serde_json::from_str(text).map_err(|error| error.to_string())?;
    Ok(Report { groups: Object::of(&value, "")?.list("groups", group)? })
}

fn group(value: &Value, path: &str) -> Result<GroupReport, String> {
    let group = Object::of(value, path)?;
    Ok(GroupReport {
        heading: group.string("heading")?,
        route: group.optional_string("route")?,
        checks: group.list("checks", check)?,
    })
}

fn check(value: &Value, path: &str) -> Result<CheckReport, String> {
    let check = Object::of(value, path)?;
    Ok(CheckReport {
        code: check.string("code")?,
        name: check.string("name")?,
        label: check.string("label")?,
        outcome: check.one_of("outcome", &Outcome::ALL.map(|outcome| (outcome.name(), outcome)))?,
        reason: check.optional_string("reason")?,
        findings: check.list("findings", finding)?,
        expected: check.optional_string("expected")?,
        got: check.optional_string("got")?,
        note: check.optional_string("note")?,
        duration_ms: check.optional_number("duration_ms")?,
        exchanges: check.list("exchanges", exchange)?,
    })
}

fn finding(value: &Value, path: &str) -> Result<Finding, String> {
    let finding = Object::of(value, path)?;
    let position = match finding.object("position")? {
        Some(position) => Some(Position { line: position.number("line")?, column: position.number("column")? }),
        None => None,
    };
    Ok(Finding {
        severity: finding.one_of("severity", &[("warning", Severity::Warning), ("error", Severity::Error)])?,
        message: finding.string("message")?,
        pointer: finding.optional_string("pointer")?,
        position,
        hint: finding.optional_string("hint")?,
    })
}

fn exchange(value: &Value, path: &str) -> Result<Exchange, String> {
    let exchange = Object::of(value, path)?;
    Ok(Exchange {
        method: exchange.string("method")?,
        url: exchange.string("url")?,
        request_headers: exchange.list("request_headers", string_pair)?,
        request_body: exchange.optional_string("request_body")?,
        status: exchange.optional_number("status")?,
        response_headers: exchange.list("response_headers", string_pair)?,
        response_body: exchange.optional_string("response_body")?,
        error: exchange.optional_string("error")?,
        timing: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NoEvents;
    use crate::manifest::reported;

    #[test]
    fn round_trips_into_the_report_type() {
        let report = reported(br#"{"id": "Bad Id", "api": {"regions": ["mars"]}}"#, &mut NoEvents);
        let text = json(&report);
        assert_eq!(from_json(&text).unwrap(), report);
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["passed"], false);
        assert_eq!(value["groups"][1]["checks"][3]["code"], "M05");
        assert_eq!(value["groups"][1]["checks"][3]["outcome"], "failed");
        assert_eq!(value["groups"][1]["checks"][3]["findings"][0]["pointer"], "/id");
    }

    /// serde_json escapes C0 controls but writes DEL and C1 (U+009B is a CSI to
    /// some terminals) and bidi overrides raw; the report escapes them too and still reads back.
    #[test]
    fn control_characters_are_escaped_and_round_trip() {
        let report = crate::render::hostile_report();
        let text = json(&report);
        assert!(!text.chars().any(|c| (c.is_control() && c != '\n') || c == '\u{202e}'), "{text:?}");
        assert!(text.contains(r#"\u0000\u007f\u009b31m\u202e"#), "{text}");
        assert_eq!(from_json(&text).unwrap(), report);
        let value: Value = serde_json::from_str(&text).unwrap();
        let curls: Vec<&Value> =
            value["groups"][0]["checks"].as_array().unwrap().iter().filter_map(|check| check.get("curl")).collect();
        assert_eq!(curls.len(), 2, "one per failed check: {text}");
        assert!(curls[0].as_str().unwrap().starts_with("curl -i --globoff -X 'POST' -H $'id\\x1b[2J"), "{text}");
    }

    /// Every field and every outcome is read back, so the hand-written reader cannot drift
    /// from the serialized names.
    #[test]
    fn every_field_and_outcome_round_trips() {
        let exchange = Exchange {
            method: "POST".to_string(),
            url: "http://127.0.0.1:4567/heroku/resources".to_string(),
            request_headers: vec![("Authorization".to_string(), "Basic [redacted]".to_string())],
            request_body: Some("{}".to_string()),
            status: Some(500),
            response_headers: vec![("Content-Type".to_string(), "text/plain".to_string())],
            response_body: Some("oops".to_string()),
            error: Some("connection reset".to_string()),
            timing: None,
        };
        let finding = Finding {
            severity: Severity::Warning,
            message: "m".to_string(),
            pointer: Some("/id".to_string()),
            position: Some(Position { line: 3, column: 9 }),
            hint: Some("h".to_string()),
        };
        let checks = Outcome::ALL
            .iter()
            .map(|&outcome| CheckReport {
                code: "P01".to_string(),
                name: outcome.name().to_string(),
                label: "label".to_string(),
                outcome,
                reason: Some("r".to_string()),
                findings: vec![finding.clone(), Finding::error("e")],
                expected: Some("200".to_string()),
                got: Some("500".to_string()),
                note: Some("(id 1)".to_string()),
                duration_ms: Some(12),
                exchanges: vec![exchange.clone()],
            })
            .collect();
        let group = GroupReport {
            heading: "PUT /heroku/resources/u-1".to_string(),
            route: Some("PUT /heroku/resources/{uuid}".to_string()),
            checks,
        };
        let report = Report { groups: vec![group] };
        assert_eq!(from_json(&json(&report)), Ok(report));
    }

    #[test]
    fn a_damaged_report_names_the_field() {
        let text = r#"{"groups": [{"heading": "h", "checks": [{"code": "P01", "name": "n", "label": "l", "outcome": "won"}]}]}"#;
        assert_eq!(from_json(text), Err("groups[0].checks[0].outcome is not one of the known values".to_string()));
        assert!(from_json("[").unwrap_err().contains("EOF"));
    }
}
