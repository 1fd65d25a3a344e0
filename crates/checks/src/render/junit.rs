//! JUnit XML: one test suite per group, one test case per check, for CI dashboards.

use crate::encoding::escape_markup;
use crate::report::{Outcome, Report};
use std::fmt::Write;

pub fn junit(report: &Report) -> String {
    let summary = report.summary();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"kensa\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{}\">",
        summary.total,
        summary.failed,
        summary.errored,
        summary.skipped,
        seconds(report.checks().filter_map(|check| check.duration_ms).sum()),
    );
    for (index, group) in report.groups.iter().enumerate() {
        let count = |outcome: Outcome| group.checks.iter().filter(|check| check.outcome == outcome).count();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" id=\"{index}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{}\">",
            // The route, not the heading: a resource's key changes every run, and CI
            // dashboards follow a suite by its name.
            escape_markup(group.route.as_deref().unwrap_or(&group.heading)),
            group.checks.len(),
            count(Outcome::Failed),
            count(Outcome::Errored),
            count(Outcome::Skipped),
            seconds(group.checks.iter().filter_map(|check| check.duration_ms).sum()),
        );
        for check in &group.checks {
            let _ = write!(
                out,
                "    <testcase classname=\"kensa.{}\" name=\"{} {}\" time=\"{}\"",
                escape_markup(&check.name.split('/').next().unwrap_or("kensa").replace(' ', "_")),
                escape_markup(&check.code),
                escape_markup(&check.label),
                seconds(check.duration_ms.unwrap_or(0)),
            );
            let details: Vec<String> = check
                .findings
                .iter()
                .map(|finding| match &finding.pointer {
                    Some(pointer) if !pointer.is_empty() => {
                        format!("{} (at {pointer})", finding.message)
                    }
                    _ => finding.message.clone(),
                })
                .collect();
            let first = details.first().cloned().or_else(|| check.reason.clone()).unwrap_or_default();
            match check.outcome {
                Outcome::Passed => out.push_str(" />\n"),
                Outcome::Warning => {
                    let _ = write!(
                        out,
                        ">\n      <system-out>{}</system-out>\n    </testcase>\n",
                        escape_markup(&details.join("\n"))
                    );
                }
                Outcome::Failed => {
                    let _ = write!(
                        out,
                        ">\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>\n",
                        escape_markup(&first),
                        escape_markup(&check.name),
                        escape_markup(&details.join("\n")),
                    );
                }
                Outcome::Errored => {
                    let _ = write!(out, ">\n      <error message=\"{}\" />\n    </testcase>\n", escape_markup(&first));
                }
                Outcome::Skipped => {
                    let _ =
                        write!(out, ">\n      <skipped message=\"{}\" />\n    </testcase>\n", escape_markup(&first));
                }
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

fn seconds(milliseconds: u64) -> String {
    format!("{}.{:03}", milliseconds / 1000, milliseconds % 1000)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NoEvents;
    use crate::manifest::reported;

    #[test]
    fn writes_one_test_case_per_check() {
        let report = reported(br#"{"id": "a<b", "api": []}"#, &mut NoEvents);
        let xml = junit(&report);
        assert_eq!(xml.matches("<testcase ").count(), report.summary().total);
        assert!(xml.contains("name=\"M05 uses only lower-case letters, digits and dashes\""), "{xml}");
        assert!(xml.contains("<failure message=\"`a&lt;b` is not a valid add-on id (at /id)\""), "{xml}");
        assert!(xml.contains("failures=\"2\""), "{xml}");
    }

    /// XML 1.0 forbids most C0 controls: the JUnit report drops them and every other control
    /// character (CR, DEL, C1) and bidi override a hostile provider sends, and keeps newlines
    /// as `&#10;`.
    #[test]
    fn control_characters_are_dropped() {
        let xml = junit(&crate::render::hostile_report());
        assert!(!xml.chars().any(|c| (c.is_control() && c != '\n') || c == '\u{202e}'), "{xml:?}");
        assert!(xml.contains("name=\"P05 id[2J]0;owned  Check fake [PASS]&#10;  Check fake too [PASS]31m\""), "{xml}");
    }

    /// A suite about one resource is named by its route, the same in every run, not by its
    /// heading, which holds the resource's uuid: two runs' reports compare equal.
    #[test]
    fn a_resource_suite_is_named_by_its_route() {
        let group = |uuid: &str| {
            let mut group = crate::GroupReport::new(
                format!("PUT /heroku/resources/{uuid}"),
                Some("PUT /heroku/resources/{uuid}".to_string()),
            );
            group.checks.push(crate::render::hostile_report().groups[0].checks[0].clone());
            group
        };
        let first = junit(&Report { groups: vec![group("0b1e")] });
        let second = junit(&Report { groups: vec![group("9f3c")] });
        assert!(first.contains(r#"<testsuite name="PUT /heroku/resources/{uuid}""#), "{first}");
        assert_eq!(first, second);
    }
}
