//! What the CI formats (`github`, `sarif`) point at: one annotation per finding of a check
//! that failed, errored or warned, with where it is and its message as the human report
//! words it, already terminal-safe.

use super::visible;
use crate::report::{CheckReport, Finding, Outcome};
use kensa_manifest::{Position, Severity};

/// What an annotation is attached to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Place {
    /// The run: a live check's finding is about the provider, not a file.
    Run,
    /// The manifest file, for a manifest finding without a position.
    Manifest,
    /// A line and column of the manifest.
    ManifestAt(Position),
}

/// One problem to point at: a GitHub workflow command, a SARIF result.
pub(super) struct Annotation {
    pub(super) severity: Severity,
    pub(super) place: Place,
    /// The lines of the message, each already terminal-safe.
    pub(super) lines: Vec<String>,
}

/// The annotations of `check`: one per finding, by its severity; and one of the check's own
/// when it failed, errored or warned and no finding says so (a failed status code carries
/// only what was expected and what came back). Passed checks without findings and skipped
/// checks have none.
pub(super) fn annotations(check: &CheckReport, heading: &str) -> Vec<Annotation> {
    let severity = match check.outcome {
        Outcome::Skipped => return Vec::new(),
        Outcome::Passed => None,
        Outcome::Failed | Outcome::Errored => Some(Severity::Error),
        Outcome::Warning => Some(Severity::Warning),
    };
    // Manifest findings point into the manifest; a live check's findings may point into a
    // response body, which is no file of the repository.
    let is_manifest_check = check.name.starts_with("manifest/");
    // A live check's label ("returns 200") says little without the request it was about.
    let about = |message: &str| {
        if is_manifest_check { message.to_string() } else { format!("{}: {message}", visible(heading)) }
    };
    let place = |position: Option<Position>| match (is_manifest_check, position) {
        (false, _) => Place::Run,
        (true, None) => Place::Manifest,
        (true, Some(position)) => Place::ManifestAt(position),
    };
    let explain = (check.outcome == Outcome::Failed).then(|| format!("see: kensa explain {}", visible(&check.code)));
    let mut annotations: Vec<Annotation> = check
        .findings
        .iter()
        .map(|finding| Annotation {
            severity: finding.severity,
            place: place(finding.position),
            lines: finding_lines(finding, &about, explain.as_deref().filter(|_| finding.severity == Severity::Error)),
        })
        .collect();
    if let Some(severity) = severity
        && !check.findings.iter().any(|finding| finding.severity == severity)
    {
        let message = match (&check.expected, &check.got, &check.reason) {
            (Some(expected), Some(got), _) => format!("expected {}, got {}", visible(expected), visible(got)),
            (_, _, Some(reason)) => visible(reason).into_owned(),
            _ => check.outcome.name().to_string(),
        };
        let mut lines = vec![about(&message)];
        lines.extend(explain);
        annotations.push(Annotation { severity, place: place(None), lines });
    }
    annotations
}

/// A finding as the human report prints it: the message, where (a JSON pointer) and the
/// hint, then for a failure where to read more.
fn finding_lines(finding: &Finding, about: &dyn Fn(&str) -> String, explain: Option<&str>) -> Vec<String> {
    let mut lines = vec![about(&visible(&finding.message))];
    if let Some(pointer) = finding.pointer.as_deref().filter(|pointer| !pointer.is_empty()) {
        lines.push(format!("at {}", visible(pointer)));
    }
    if let Some(hint) = &finding.hint {
        lines.push(format!("hint: {}", visible(hint)));
    }
    lines.extend(explain.map(str::to_string));
    lines
}
