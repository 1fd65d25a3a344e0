//! Renderers: pure functions from a [`Report`](crate::Report) to text.
//!
//! Colour is not decided here: the text renderer marks spans with a [`Tone`] and the host
//! paints them (ANSI in the terminal, nothing in files, classes in the browser).

mod annotation;
mod github;
mod har;
mod json;
mod junit;
mod sarif;
mod text;

pub use github::github;
pub use har::har;
pub use json::{from_json, json};
pub use junit::junit;
pub use sarif::{SarifManifest, sarif};
pub use text::{Paint, TextWriter, Tone, check_lines, done_line, group_line, plain, text, visible};

/// Text a hostile provider or manifest could put anywhere in a report: screen clear, window
/// title, a carriage return and newline faking a passing check, NUL, DEL and C1 CSI.
#[cfg(test)]
pub(crate) const HOSTILE: &str =
    "id\x1b[2J\x1b]0;owned\x07\r  Check fake [PASS]\n  Check fake too [PASS]\0\x7f\u{9b}31m\u{202e}";

/// P01 come out as `outcome`, expecting 200 and given 500, without findings: the live check
/// of the renderers' tests.
#[cfg(test)]
pub(crate) fn live_check(outcome: crate::report::Outcome) -> crate::report::CheckReport {
    crate::report::CheckReport {
        code: "P01".to_string(),
        name: "provision/status-200".to_string(),
        label: "returns 200".to_string(),
        outcome,
        reason: None,
        findings: Vec::new(),
        expected: Some("200".to_string()),
        got: Some("500".to_string()),
        note: None,
        duration_ms: Some(3),
        exchanges: Vec::new(),
    }
}

/// A report with [`HOSTILE`] in every text field, for the renderers' escaping tests.
#[cfg(test)]
pub(crate) fn hostile_report() -> crate::Report {
    use crate::report::{CheckReport, Finding, GroupReport, Outcome};
    let check = |outcome: Outcome| CheckReport {
        code: "P05".to_string(),
        name: format!("response/{HOSTILE}"),
        label: HOSTILE.to_string(),
        outcome,
        reason: (outcome == Outcome::Skipped).then(|| HOSTILE.to_string()),
        findings: match outcome {
            Outcome::Skipped | Outcome::Passed => Vec::new(),
            _ => vec![Finding {
                pointer: Some(HOSTILE.to_string()),
                position: Some(kensa_manifest::Position { line: 1, column: 2 }),
                hint: Some(HOSTILE.to_string()),
                ..Finding::error(HOSTILE)
            }],
        },
        expected: Some(HOSTILE.to_string()),
        got: Some(HOSTILE.to_string()),
        note: Some(HOSTILE.to_string()),
        duration_ms: Some(1),
        exchanges: vec![crate::report::Exchange {
            method: "POST".to_string(),
            url: HOSTILE.to_string(),
            request_headers: vec![(HOSTILE.to_string(), HOSTILE.to_string())],
            request_body: Some(HOSTILE.to_string()),
            status: Some(200),
            response_headers: vec![(HOSTILE.to_string(), HOSTILE.to_string())],
            response_body: Some(HOSTILE.to_string()),
            error: Some(HOSTILE.to_string()),
            timing: None,
        }],
    };
    let mut no_findings = check(Outcome::Failed);
    no_findings.findings.clear();
    crate::Report {
        groups: vec![GroupReport {
            heading: HOSTILE.to_string(),
            route: Some(HOSTILE.to_string()),
            checks: vec![
                check(Outcome::Passed),
                check(Outcome::Skipped),
                check(Outcome::Warning),
                check(Outcome::Failed),
                no_findings,
                check(Outcome::Errored),
                check(Outcome::Skipped),
                check(Outcome::Skipped),
                check(Outcome::Skipped),
            ],
        }],
    }
}
