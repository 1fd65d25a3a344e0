//! One JSON document per run: a summary, then every group and check.

use crate::report::{GroupReport, Report, Summary};
use serde::Serialize;

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
    serde_json::to_string_pretty(&document).unwrap_or_default()
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
}
