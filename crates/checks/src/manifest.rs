//! The manifest phase: reports each rule of the host's [`kensa_manifest::validate`] as a check.

use crate::event::{Event, EventSink};
use crate::redact::cut;
use crate::report::{self, CheckReport, Finding};
use crate::report_builder::ReportBuilder;
use kensa_manifest::{RuleResult, Validation};

/// Reports every rule of `validation`, each group under the old gem's heading.
pub(crate) fn report_validation(validation: &Validation, report: &mut ReportBuilder, sink: &mut dyn EventSink) {
    let mut current = None;
    for result in &validation.results {
        let heading = result.rule.group.heading();
        if current != Some(heading) {
            sink.event(Event::GroupStarted { heading, route: None });
            report.group(heading, None);
            current = Some(heading);
        }
        let check = check_report(result);
        sink.event(Event::CheckFinished { check: &check });
        report.check(check);
    }
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

/// What the manifest phase reports for `source`, its events going to `sink`.
#[cfg(test)]
pub(crate) fn reported(source: &[u8], sink: &mut dyn EventSink) -> crate::report::Report {
    let mut report = ReportBuilder::default();
    report_validation(&kensa_manifest::validate(source), &mut report, sink);
    report.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::NoEvents;
    use crate::report::Outcome;

    #[test]
    fn groups_rules_under_the_old_headings() {
        let report = reported(b"{\"id\": \"\"}", &mut NoEvents);
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
        reported(b"[]", &mut sink);
        assert_eq!(events[..3], ["group manifest file", "check M00", "check M01"]);
        assert_eq!(events.len(), 3 + kensa_manifest::RULES.len());
    }

    /// The phase reports the validation it is given: it reads nothing itself.
    #[test]
    fn reporting_a_validation_parses_nothing() {
        let validation = kensa_manifest::validate(b"{\"id\": \"\"}");
        let before = kensa_manifest::documents_parsed();
        report_validation(&validation, &mut ReportBuilder::default(), &mut NoEvents);
        assert_eq!(kensa_manifest::documents_parsed(), before);
    }

    /// A manifest is hostile input too. A 100 KB id is quoted by the config var rule's
    /// message and hint; both are cut like a provider's text, not printed whole.
    #[test]
    fn a_long_manifest_value_is_cut_in_findings() {
        let id = "a".repeat(100_000);
        let source = format!(r#"{{"id": "{id}", "api": {{"config_vars": ["MYADDON_URL"]}}}}"#);
        let report = reported(source.as_bytes(), &mut NoEvents);
        let findings: Vec<_> = report.checks().flat_map(|check| &check.findings).collect();
        let quoting = findings.iter().find(|finding| finding.message.contains("AAAA")).unwrap();
        for text in findings.iter().flat_map(|finding| [Some(&finding.message), finding.hint.as_ref()]).flatten() {
            assert!(text.len() < 4200, "{} bytes: {}", text.len(), &text[..80]);
        }
        assert!(quoting.message.ends_with(" bytes in all)"), "{}", &quoting.message[quoting.message.len() - 80..]);
    }

    /// A manifest with thousands of bad config var names gives each rule at most a hundred
    /// findings, the last counting the rest.
    #[test]
    fn a_rule_keeps_at_most_a_hundred_findings() {
        let names: Vec<String> = (0..5_000).map(|n| format!("\"bad-{n}\"")).collect();
        let source = format!(r#"{{"id": "myaddon", "api": {{"config_vars": [{}]}}}}"#, names.join(","));
        let report = reported(source.as_bytes(), &mut NoEvents);
        let most = report.checks().map(|check| check.findings.len()).max().unwrap_or_default();
        assert_eq!(most, 100);
        let flooded = report.checks().find(|check| check.findings.len() == 100).unwrap();
        assert_eq!(flooded.findings[99].message, "... and 4901 more like these", "{}", flooded.code);
    }
}
