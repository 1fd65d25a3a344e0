//! The manifest phase: runs [`kensa_manifest::validate`] and reports each rule as a check.

use crate::event::{Event, EventSink};
use crate::redact::cut;
use crate::report::{self, CheckReport, Finding, GroupReport, Report};
use kensa_manifest::{RuleResult, Validation};

/// Validates the manifest, reports every rule, and returns the validation for later phases.
pub(crate) fn check_manifest(source: &[u8], report: &mut Report, sink: &mut dyn EventSink) -> Validation {
    let validation = kensa_manifest::validate(source);
    let mut current: Option<GroupReport> = None;
    for result in &validation.results {
        let heading = result.rule.group.heading();
        if current.as_ref().is_none_or(|group| group.heading != heading) {
            report.groups.extend(current.take());
            sink.event(Event::GroupStarted { heading, route: None });
            current = Some(GroupReport::new(heading, None));
        }
        let check = check_report(result);
        sink.event(Event::CheckFinished { check: &check });
        if let Some(group) = current.as_mut() {
            group.checks.push(check);
        }
    }
    report.groups.extend(current);
    validation
}

fn check_report(result: &RuleResult) -> CheckReport {
    CheckReport {
        reason: result.reason.clone(),
        findings: report::bounded(result.findings.iter().cloned().map(cut_quotes).collect()),
        ..CheckReport::of(&result.rule.check, result.outcome)
    }
}

/// A finding may quote the manifest's own values at any length: cut its message and
/// hint as a provider's text is.
fn cut_quotes(finding: Finding) -> Finding {
    let whole = |text: String| {
        let total = text.len();
        cut(text, total)
    };
    Finding { message: whole(finding.message), hint: finding.hint.map(whole), ..finding }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::NoEvents;
    use crate::report::Outcome;

    #[test]
    fn groups_rules_under_the_old_headings() {
        let mut report = Report::default();
        let validation = check_manifest(b"{\"id\": \"\"}", &mut report, &mut NoEvents);
        assert!(!validation.is_ok());
        let headings: Vec<_> = report.groups.iter().map(|group| group.heading.as_str()).collect();
        assert_eq!(headings, ["manifest file", "manifest id key", "manifest api key"]);
        let failed: Vec<_> =
            report.checks().filter(|check| check.outcome == Outcome::Failed).map(|check| check.code.as_str()).collect();
        assert_eq!(failed, ["M04", "M06"]);
        assert_eq!(report.summary().total, kensa_manifest::RULES.len());
    }

    #[test]
    fn emits_an_event_per_group_and_check() {
        let mut events = Vec::new();
        let mut sink = |event: Event<'_>| {
            events.push(match event {
                Event::GroupStarted { heading, .. } => format!("group {heading}"),
                Event::CheckFinished { check } => format!("check {}", check.code),
                other => format!("{other:?}"),
            });
        };
        check_manifest(b"[]", &mut Report::default(), &mut sink);
        assert_eq!(events[..3], ["group manifest file", "check M00", "check M01"]);
        assert_eq!(events.len(), 3 + kensa_manifest::RULES.len());
    }

    /// Issue 10: a manifest is hostile input too. A 100 KB id is quoted by the config var
    /// rule's message and hint; both are cut like a provider's text, not printed whole.
    #[test]
    fn a_long_manifest_value_is_cut_in_findings() {
        let id = "a".repeat(100_000);
        let source = format!(r#"{{"id": "{id}", "api": {{"config_vars": ["MYADDON_URL"]}}}}"#);
        let mut report = Report::default();
        check_manifest(source.as_bytes(), &mut report, &mut NoEvents);
        let findings: Vec<_> = report.checks().flat_map(|check| &check.findings).collect();
        let quoting = findings.iter().find(|finding| finding.message.contains("AAAA")).unwrap();
        for text in findings.iter().flat_map(|finding| [Some(&finding.message), finding.hint.as_ref()]).flatten() {
            assert!(text.len() < 4200, "{} bytes: {}", text.len(), &text[..80]);
        }
        assert!(quoting.message.ends_with(" bytes in all)"), "{}", &quoting.message[quoting.message.len() - 80..]);
    }

    /// Issue 10: a manifest with thousands of bad config var names gives each rule at most
    /// a hundred findings, the last counting the rest.
    #[test]
    fn a_rule_keeps_at_most_a_hundred_findings() {
        let names: Vec<String> = (0..5_000).map(|n| format!("\"bad-{n}\"")).collect();
        let source = format!(r#"{{"id": "myaddon", "api": {{"config_vars": [{}]}}}}"#, names.join(","));
        let mut report = Report::default();
        check_manifest(source.as_bytes(), &mut report, &mut NoEvents);
        let most = report.checks().map(|check| check.findings.len()).max().unwrap_or_default();
        assert_eq!(most, 100);
        let flooded = report.checks().find(|check| check.findings.len() == 100).unwrap();
        assert_eq!(flooded.findings[99].message, "... and 4901 more like these", "{}", flooded.code);
    }
}
