//! Reading kensa's reports back: checks by code, their messages, the human rendering.

use crate::{CheckReport, Report};

/// Every check with this code, in report order (config checks appear once for the
/// provision and again for a plan change).
pub fn checks<'r>(report: &'r Report, code: &str) -> Vec<&'r CheckReport> {
    report.checks().filter(|check| check.code == code).collect()
}

/// The first check with this code; panics with the whole report when there is none.
#[track_caller]
pub fn check<'r>(report: &'r Report, code: &str) -> &'r CheckReport {
    report
        .checks()
        .find(|check| check.code == code)
        .unwrap_or_else(|| panic!("no check {code} in the report:\n{}", text(report)))
}

/// The report in the human format, for assertion messages.
pub fn text(report: &Report) -> String {
    kensa_checks::render::text(report, &kensa_checks::render::plain)
}

/// All finding messages of a check, one per line.
pub fn messages(check: &CheckReport) -> String {
    check.findings.iter().map(|finding| finding.message.as_str()).collect::<Vec<_>>().join("\n")
}
