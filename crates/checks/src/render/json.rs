//! One JSON document per run: a summary, then every group and check.

use crate::render::is_unsafe_char;
use crate::report::{GroupReport, Report, Summary};
use serde::Serialize;
use std::fmt::Write;

#[derive(Serialize)]
struct JsonReport<'a> {
    passed: bool,
    summary: Summary,
    groups: &'a [GroupReport],
}

/// The report as pretty-printed JSON; [`from_json`] reads it back.
pub fn json(report: &Report) -> String {
    let document = JsonReport { passed: report.passed(), summary: report.summary(), groups: &report.groups };
    // Serializing plain data with string keys cannot fail.
    escape_unsafe_chars(serde_json::to_string_pretty(&document).unwrap_or_default())
}

/// serde_json escapes C0 controls but writes DEL, C1 controls (U+009B is CSI to some
/// terminals) and bidi overrides as they are. Outside strings pretty JSON holds only ASCII
/// punctuation, spaces and newlines, so every such character left is inside a string, where
/// its `\uXXXX` escape reads back as the same text.
fn escape_unsafe_chars(json: String) -> String {
    if !json.chars().any(|c| c != '\n' && is_unsafe_char(c)) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if c != '\n' && is_unsafe_char(c) {
            let _ = write!(out, "\\u{:04x}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    out
}

/// Reads a report written by [`json`] (the summary is derived, so it is not read).
pub fn from_json(text: &str) -> Result<Report, serde_json::Error> {
    serde_json::from_str(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{NoEvents, check_manifest};

    #[test]
    fn round_trips_into_the_report_type() {
        let mut report = Report::default();
        check_manifest(br#"{"id": "Bad Id", "api": {"regions": ["mars"]}}"#, &mut report, &mut NoEvents);
        let text = json(&report);
        assert_eq!(from_json(&text).unwrap(), report);
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["passed"], false);
        assert_eq!(value["groups"][1]["checks"][3]["code"], "M05");
        assert_eq!(value["groups"][1]["checks"][3]["outcome"], "failed");
        assert_eq!(value["groups"][1]["checks"][3]["findings"][0]["pointer"], "/id");
    }

    /// issue 10: serde_json escapes C0 controls but writes DEL and C1 (U+009B is a CSI to
    /// some terminals) and bidi overrides raw; the report escapes them too and still reads back.
    #[test]
    fn control_characters_are_escaped_and_round_trip() {
        let report = crate::render::hostile_report();
        let text = json(&report);
        assert!(!text.chars().any(|c| (c.is_control() && c != '\n') || c == '\u{202e}'), "{text:?}");
        assert!(text.contains(r#"\u0000\u007f\u009b31m\u202e"#), "{text}");
        assert_eq!(from_json(&text).unwrap(), report);
    }
}
