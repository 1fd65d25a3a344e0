//! GitHub Actions workflow commands: one `::error` or `::warning` line per finding, which
//! the runner shows as an annotation (on the manifest's line and column when the finding
//! has one), then a summary line.

use super::annotation::{Annotation, Place, annotations};
use crate::report::{CheckReport, Report};
use kensa_manifest::{Position, Severity};

use super::visible;

/// The report as workflow commands; `manifest` is the manifest's path as the user gave it,
/// which annotations of manifest findings name (GitHub matches it against the repository).
pub fn github(report: &Report, manifest: &str) -> String {
    let mut out = String::new();
    for group in &report.groups {
        for check in &group.checks {
            for annotation in annotations(check, &group.heading) {
                out.push_str(&annotation.command(check, manifest));
            }
        }
    }
    out.push_str(&summary_line(report));
    out
}

impl Annotation {
    fn command(&self, check: &CheckReport, manifest: &str) -> String {
        let mut properties = Vec::new();
        if let Place::Manifest | Place::ManifestAt(_) = self.place {
            properties.push(format!("file={}", escape_property(&visible(manifest))));
        }
        if let Place::ManifestAt(Position { line, column }) = self.place {
            properties.push(format!("line={line}"));
            properties.push(format!("col={column}"));
        }
        let title = format!("{} {}", visible(&check.code), visible(&check.label));
        properties.push(format!("title={}", escape_property(&title)));
        let command = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        format!("::{command} {}::{}\n", properties.join(","), escape_data(&self.lines.join("\n")))
    }
}

/// The last line: the counts, as plain text (not a command), so the log says how the run
/// ended even where annotations are folded away.
fn summary_line(report: &Report) -> String {
    let summary = report.summary();
    let verdict = if report.passed() { "passed" } else { "failed" };
    format!(
        "kensa {verdict}: {} checks, {} passed, {} passed with warnings, {} failed, {} skipped, {} errored\n",
        summary.total, summary.passed, summary.warnings, summary.failed, summary.skipped, summary.errored
    )
}

/// A command's message, as GitHub's toolkit escapes it (`escapeData`): the runner decodes
/// `%25`, `%0D` and `%0A`, so a message spans lines without ending the command.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// A property value (`escapeProperty`): as [`escape_data`], and `:` and `,` too, which
/// would otherwise end the value or the list of properties.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NoEvents;
    use crate::manifest::reported;
    use crate::render::live_check;
    use crate::report::{Finding, GroupReport, Outcome};

    #[test]
    fn data_and_properties_are_escaped_as_the_toolkit_does() {
        assert_eq!(escape_data("100% done\r\nnext: a, b"), "100%25 done%0D%0Anext: a, b");
        assert_eq!(escape_property("100% done\r\nnext: a, b"), "100%25 done%0D%0Anext%3A a%2C b");
        // Already-escaped text is escaped again, so it reads back as written, not decoded.
        assert_eq!(escape_data("%0A"), "%250A");
        assert_eq!(escape_property("%3A"), "%253A");
    }

    #[test]
    fn a_manifest_finding_names_the_file_line_and_column() {
        let report = reported(b"{\n  \"id\": \"Bad Id\",\n  \"api\": {\"region\": [\"us\"]}\n}", &mut NoEvents);
        let out = github(&report, "config/addon-manifest.json");
        assert!(
            out.contains(
                "::error file=config/addon-manifest.json,line=2,col=9,title=M05 uses only lower-case letters%2C digits and dashes::`Bad Id` is not a valid add-on id%0Aat /id%0Ahint: use lower-case letters, digits and dashes, such as `bad-id`%0Asee: kensa explain M05\n"
            ),
            "{out}"
        );
        assert!(
            out.contains(
                "::error file=config/addon-manifest.json,line=3,col=10,title=M08 has a list of regions::`api.regions` is missing%0Aat /api/regions%0Ahint: did you mean `regions`? found `region`%0Asee: kensa explain M08\n"
            ),
            "{out}"
        );
        assert!(
            out.contains("::warning file=config/addon-manifest.json,line=3,col=10,title=M23 contains sso salt::no `api.sso_salt`: single sign-on cannot be tested%0Aat /api/sso_salt\n"),
            "a warning names no explanation: {out}"
        );
        assert!(!out.contains("M01"), "a passing check has no annotation: {out}");
        let summary = report.summary();
        assert!(
            out.ends_with(&format!(
                "kensa failed: {} checks, {} passed, {} passed with warnings, {} failed, {} skipped, 0 errored\n",
                summary.total, summary.passed, summary.warnings, summary.failed, summary.skipped
            )),
            "{out}"
        );
    }

    #[test]
    fn a_manifest_path_is_escaped_as_a_property() {
        let report = reported(b"{\"id\": \"x\"", &mut NoEvents);
        let out = github(&report, "C:\\a,b%\n.json");
        assert!(
            out.starts_with("::error file=C%3A\\a%2Cb%25\\n.json,line=1,col=10,title=M00 is valid JSON::"),
            "{out}"
        );
    }

    /// A live check names no file, says which request it was about, and annotates by what
    /// it found: its failure, its findings' warnings, why it could not run.
    #[test]
    fn live_checks_are_annotated_without_a_file() {
        let mut warned = live_check(Outcome::Warning);
        warned.findings = vec![Finding { pointer: Some("/config/X".to_string()), ..Finding::warning("slow, 3.5 s") }];
        let mut errored = live_check(Outcome::Errored);
        (errored.expected, errored.got, errored.reason) = (None, None, Some("no transport".to_string()));
        let mut group = GroupReport::new("POST /heroku/resources", None);
        group.checks = vec![
            live_check(Outcome::Failed),
            warned,
            live_check(Outcome::Passed),
            live_check(Outcome::Skipped),
            errored,
        ];
        let out = github(&Report { groups: vec![group] }, "addon-manifest.json");
        assert_eq!(
            out,
            "::error title=P01 returns 200::POST /heroku/resources: expected 200, got 500%0Asee: kensa explain P01\n\
             ::warning title=P01 returns 200::POST /heroku/resources: slow, 3.5 s%0Aat /config/X\n\
             ::error title=P01 returns 200::POST /heroku/resources: no transport\n\
             kensa failed: 5 checks, 1 passed, 1 passed with warnings, 1 failed, 1 skipped, 1 errored\n"
        );
    }

    /// Provider text is made terminal-safe before it is escaped: no control or invisible
    /// character reaches the log, nothing starts a line of its own (a command GitHub would
    /// obey, such as `::add-mask::` or `::stop-commands::`), and `%0A` in the text stays text.
    #[test]
    fn hostile_text_cannot_start_a_command_of_its_own() {
        let mut report = crate::render::hostile_report();
        report.groups[0].checks[3].findings[0].message = "%0A::stop-commands::x\n::error::fake".to_string();
        let out = github(&report, "addon-manifest.json");
        assert!(!out.chars().any(|c| c != '\n' && crate::encoding::is_unsafe_char(c)), "{out:?}");
        let lines: Vec<&str> = out.lines().collect();
        let (summary, commands) = lines.split_last().unwrap();
        assert!(summary.starts_with("kensa failed: 9 checks, "), "{out}");
        // The warning check's error finding and its own warning, the two failures, the error.
        assert_eq!(commands.len(), 5, "{out}");
        for line in commands {
            assert!(line.starts_with("::error title=P05 ") || line.starts_with("::warning title=P05 "), "{line}");
        }
        assert!(out.contains(r"\u{202e}: %250A::stop-commands::x\n::error::fake%0Aat id\e[2J"), "{out}");
        assert!(out.contains(r"title=P05 id\e[2J\e]0;owned\x07\r  Check fake [PASS]\n  Check fake too [PASS]\x00\x7f\u{9b}31m\u{202e}::"), "{out}");
    }
}
