//! The old gem's screen format: `Testing <heading>`, `  Check <label> [PASS]`, `done.`.

use crate::event::Event;
use crate::report::{CheckReport, Outcome, Report};
use kensa_manifest::Severity;

/// What a span of text means, so the host can colour it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    Pass,
    Fail,
    Warn,
    Skip,
    /// Secondary detail: locations and hints.
    Detail,
}

/// Paints a span in a tone; [`plain`] leaves it as it is.
pub type Paint<'a> = &'a dyn Fn(Tone, &str) -> String;

/// The no-colour painter.
pub fn plain(_: Tone, text: &str) -> String {
    text.to_string()
}

/// The whole report in the old gem's shape.
pub fn text(report: &Report, paint: Paint<'_>) -> String {
    let mut writer = TextWriter::default();
    let mut out = String::new();
    for group in &report.groups {
        out.push_str(&writer.event(Event::GroupStarted { heading: &group.heading }, paint));
        for check in &group.checks {
            out.push_str(&writer.event(Event::CheckFinished { check }, paint));
        }
    }
    out.push_str(&writer.finish(paint));
    out
}

/// Turns events into the old gem's screen format as they arrive, so a terminal can print
/// each check the moment it finishes. A run of checks skipped for the same reason is held
/// back and printed as one line instead of a wall of `[SKIP]`.
#[derive(Default)]
pub struct TextWriter {
    skipped: Vec<CheckReport>,
}

impl TextWriter {
    /// The text to print for `event` (possibly empty).
    pub fn event(&mut self, event: Event<'_>, paint: Paint<'_>) -> String {
        match event {
            Event::GroupStarted { heading } => self.flush(paint) + &group_line(heading),
            Event::CheckStarted { .. } => String::new(),
            Event::CheckFinished { check } => {
                let continues_run = check.outcome == Outcome::Skipped
                    && self.skipped.first().is_none_or(|first| first.reason == check.reason);
                if continues_run {
                    self.skipped.push(check.clone());
                    return String::new();
                }
                let mut out = self.flush(paint);
                if check.outcome == Outcome::Skipped {
                    self.skipped.push(check.clone());
                } else {
                    out.push_str(&check_lines(check, paint));
                }
                out
            }
            Event::Message { text } => self.flush(paint) + text + "\n",
        }
    }

    /// Whatever is held back, then `done.`.
    pub fn finish(&mut self, paint: Paint<'_>) -> String {
        self.flush(paint) + &done_line()
    }

    fn flush(&mut self, paint: Paint<'_>) -> String {
        let skipped = std::mem::take(&mut self.skipped);
        match skipped.as_slice() {
            [] => String::new(),
            [single] => check_lines(single, paint),
            [first, ..] => {
                let reason = first.reason.as_deref().unwrap_or("not applicable");
                let line = format!("Skipped {} checks: {reason}", skipped.len());
                format!("  {}\n", paint(Tone::Skip, &line))
            }
        }
    }
}

/// `\nTesting <heading>\n`: a blank line, then the heading.
pub fn group_line(heading: &str) -> String {
    format!("\nTesting {heading}\n")
}

/// The closing line of a run.
pub fn done_line() -> String {
    "\ndone.\n".to_string()
}

/// `  Check <label> [PASS]` and, under it, each finding with its location and hint; a
/// failure ends with `see: kensa explain CODE`.
pub fn check_lines(check: &CheckReport, paint: Paint<'_>) -> String {
    let tone = match check.outcome {
        Outcome::Passed => Tone::Pass,
        Outcome::Warning => Tone::Warn,
        Outcome::Failed | Outcome::Errored => Tone::Fail,
        Outcome::Skipped => Tone::Skip,
    };
    let mut out = format!("  Check {} {}", check.label, paint(tone, &format!("[{}]", check.outcome.tag())));
    if let Some(note) = &check.note {
        out.push(' ');
        out.push_str(note);
    }
    out.push('\n');
    if let Some(reason) = &check.reason {
        out.push_str(&format!("    {}\n", paint(Tone::Detail, reason)));
    }
    for finding in &check.findings {
        let tone = match finding.severity {
            Severity::Error => Tone::Fail,
            Severity::Warning => Tone::Warn,
        };
        out.push_str(&format!("    {}\n", paint(tone, &format!("! {}", finding.message))));
        let location = match (&finding.pointer, finding.position) {
            (Some(pointer), Some(position)) if !pointer.is_empty() => Some(format!("at {pointer} ({position})")),
            (Some(pointer), None) if !pointer.is_empty() => Some(format!("at {pointer}")),
            (_, Some(position)) => Some(format!("at {position}")),
            _ => None,
        };
        if let Some(location) = location {
            out.push_str(&format!("      {}\n", paint(Tone::Detail, &location)));
        }
        if let Some(hint) = &finding.hint {
            out.push_str(&format!("      {}\n", paint(Tone::Detail, &format!("hint: {hint}"))));
        }
    }
    if let (true, Some(expected), Some(got)) =
        (check.findings.is_empty() && check.outcome == Outcome::Failed, &check.expected, &check.got)
    {
        out.push_str(&format!("    {}\n", paint(Tone::Fail, &format!("! expected {expected}, got {got}"))));
    }
    if check.outcome == Outcome::Failed {
        out.push_str(&format!("    {}\n", paint(Tone::Detail, &format!("see: kensa explain {}", check.code))));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{NoEvents, check_manifest};

    fn render(source: &[u8]) -> String {
        let mut report = Report::default();
        check_manifest(source, &mut report, &mut NoEvents);
        text(&report, &plain)
    }

    #[test]
    fn prints_the_old_gem_shape() {
        let out = render(br#"{"id": "myaddon", "api": {"regions": ["us"], "password": "p", "test": "http://localhost:4567/", "production": "https://x.io/", "sso_salt": "s", "version": "3"}}"#);
        assert!(out.starts_with("\nTesting manifest file\n  Check is valid JSON [PASS]\n"), "{out}");
        assert!(out.contains("\nTesting manifest id key\n  Check if exists [PASS]\n  Check is a string [PASS]\n  Check is not blank [PASS]\n"), "{out}");
        assert!(out.contains("  Check deprecated fields [PASS]\n"), "{out}");
        assert!(out.ends_with("\ndone.\n"), "{out}");
        assert!(!out.contains("see: kensa explain"), "only failures point to an explanation: {out}");
    }

    #[test]
    fn prints_each_failure_with_its_location_and_hint() {
        let out = render(b"{\n  \"id\": \"myaddon\",\n  \"api\": {\"region\": [\"us\"]}\n}");
        assert!(out.contains(
            "  Check has a list of regions [FAIL]\n    ! `api.regions` is missing\n      at /api/regions (line 3, column 10)\n      hint: did you mean `regions`? found `region`\n    see: kensa explain M08\n"
        ), "{out}");
    }

    #[test]
    fn a_failure_points_to_its_explanation_as_detail() {
        let mut report = Report::default();
        check_manifest(br#"{"id": "myaddon", "api": {"regions": ["eu"]}}"#, &mut report, &mut NoEvents);
        let tagged = |tone: Tone, text: &str| format!("<{tone:?}>{text}");
        let out = text(&report, &tagged);
        assert!(out.contains("\n    <Detail>see: kensa explain M09\n"), "{out}");
        assert!(!out.contains("see: kensa explain M23"), "a warning is not a failure: {out}");
    }

    #[test]
    fn collapses_runs_of_skipped_checks() {
        let out = render(b"{\"id\": \"x\"");
        assert!(out.contains("  Check is valid JSON [FAIL]\n    ! invalid JSON: EOF while parsing an object\n      at line 1, column 10\n    see: kensa explain M00\n"), "{out}");
        assert!(
            out.contains(
                "\nTesting manifest api key\n  Skipped 19 checks: the manifest could not be read as a JSON object\n"
            ),
            "{out}"
        );
    }
}
