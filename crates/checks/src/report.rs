//! What a run found: pure data, rendered by [`crate::render`], streamed as [`crate::Event`]s
//! and put together by the one [`ReportBuilder`](crate::ReportBuilder).

use kensa_manifest::{CheckDef, Severity};
use serde::Serialize;

// Defined beside `CheckDef`, so that manifest rules produce them too.
pub use kensa_manifest::{Finding, Outcome};

/// Everything one run checked, group by group, in order.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Report {
    pub groups: Vec<GroupReport>,
}

/// One `Testing <heading>` block.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GroupReport {
    pub heading: String,
    /// For a group about one resource, its heading with the resource's key as a placeholder
    /// (`PUT /heroku/resources/{uuid}`): the same in every run, so JUnit names its suite so.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub route: Option<String>,
    pub checks: Vec<CheckReport>,
}

impl GroupReport {
    pub fn new(heading: impl Into<String>, route: Option<String>) -> GroupReport {
        GroupReport { heading: heading.into(), route, checks: Vec::new() }
    }
}

/// The result of one check.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CheckReport {
    /// Stable code, such as `M09` or `P01`.
    pub code: String,
    /// Kebab-case name of the behaviour verified, such as `manifest/regions-include-us`.
    pub name: String,
    /// The old gem's label, printed after `Check `.
    pub label: String,
    pub outcome: Outcome,
    /// Why the check was skipped or could not run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Problems found: the failure messages, or the warnings of a passing check.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<Finding>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub got: Option<String>,
    /// Text printed after the result, such as `(id 123)`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<u64>,
    /// The HTTP exchanges the check made, secrets redacted.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub exchanges: Vec<Exchange>,
}

impl CheckReport {
    /// `check` came out as `outcome`; the caller adds what it found.
    pub(crate) fn of(check: &CheckDef, outcome: Outcome) -> CheckReport {
        CheckReport {
            code: check.code.to_string(),
            name: check.name.to_string(),
            label: check.label.to_string(),
            outcome,
            reason: None,
            findings: Vec::new(),
            expected: None,
            got: None,
            note: None,
            duration_ms: None,
            exchanges: Vec::new(),
        }
    }
}

/// A check keeps this many findings, the last of them counting the rest: a provider's
/// answer (or a manifest) may name thousands of keys, each a finding of its own.
const KEEP_FINDINGS: usize = 100;

/// `findings`, or the first 99 of them and one that counts the rest, as severe as the worst.
pub(crate) fn bounded(mut findings: Vec<Finding>) -> Vec<Finding> {
    if findings.len() <= KEEP_FINDINGS {
        return findings;
    }
    let rest = findings.split_off(KEEP_FINDINGS - 1);
    let severity = rest.iter().map(|finding| finding.severity).max().unwrap_or(Severity::Warning);
    findings.push(Finding {
        severity,
        message: format!("... and {} more like these", rest.len()),
        pointer: None,
        position: None,
        hint: None,
    });
    findings
}

/// One HTTP request a check made and what came back, with secrets redacted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Exchange {
    pub method: String,
    pub url: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub request_headers: Vec<(String, String)>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_body: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub response_headers: Vec<(String, String)>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_body: Option<String>,
    /// Why no response arrived.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// When the request went out and how long it took, for a HAR. Not in the JSON report,
    /// whose shape came first, so a report read back from JSON has none.
    #[serde(skip)]
    pub timing: Option<Timing>,
}

/// When an exchange happened, by the engine's [`Clock`](crate::Clock).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Timing {
    /// When the request went out, in milliseconds since the Unix epoch.
    pub started_ms: u64,
    /// From then until the whole answer (or the error) arrived.
    pub elapsed_ms: u64,
}

/// How many checks came out each way.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub total: usize,
    pub passed: usize,
    pub warnings: usize,
    pub failed: usize,
    pub skipped: usize,
    pub errored: usize,
}

impl Report {
    pub fn checks(&self) -> impl Iterator<Item = &CheckReport> {
        self.groups.iter().flat_map(|group| &group.checks)
    }

    pub fn summary(&self) -> Summary {
        let mut summary = Summary::default();
        for check in self.checks() {
            summary.total += 1;
            match check.outcome {
                Outcome::Passed => summary.passed += 1,
                Outcome::Warning => summary.warnings += 1,
                Outcome::Failed => summary.failed += 1,
                Outcome::Skipped => summary.skipped += 1,
                Outcome::Errored => summary.errored += 1,
            }
        }
        summary
    }

    /// True when no check failed or errored (warnings and skips allowed).
    pub fn passed(&self) -> bool {
        self.checks().all(|check| !matches!(check.outcome, Outcome::Failed | Outcome::Errored))
    }
}
