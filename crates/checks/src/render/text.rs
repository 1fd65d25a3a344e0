//! The old gem's screen format: `Testing <heading>`, `  Check <label> [PASS]`, `done.`.

use crate::curl::{Reproducer, Reproduction, reproduction};
use crate::encoding::is_unsafe_char;
use crate::event::Event;
use crate::report::{CheckReport, Outcome, Report};
use kensa_manifest::Severity;
use std::borrow::Cow;
use std::fmt::Write;

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
        out.push_str(
            &writer.event(Event::GroupStarted { heading: &group.heading, route: group.route.as_deref() }, paint),
        );
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
    reproducer: Reproducer,
}

impl TextWriter {
    /// The text to print for `event` (possibly empty).
    pub fn event(&mut self, event: Event<'_>, paint: Paint<'_>) -> String {
        match event {
            Event::GroupStarted { heading, .. } => self.flush(paint) + &group_line(heading),
            Event::CheckStarted { .. } | Event::Resource(_) => String::new(),
            Event::CheckFinished { check } => {
                let reproduction = self.reproducer.next(check);
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
                    out.push_str(&lines_with(check, reproduction, paint));
                }
                out
            }
            Event::Message { text } => {
                // kensa lays messages out with line breaks of its own; keep those alone.
                let lines: Vec<Cow<'_, str>> = text.split('\n').map(visible).collect();
                self.flush(paint) + &lines.join("\n") + "\n"
            }
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
                let reason = visible(first.reason.as_deref().unwrap_or("not applicable"));
                let line = format!("Skipped {} checks: {reason}", skipped.len());
                format!("  {}\n", paint(Tone::Skip, &line))
            }
        }
    }
}

/// `\nTesting <heading>\n`: a blank line, then the heading.
pub fn group_line(heading: &str) -> String {
    format!("\nTesting {}\n", visible(heading))
}

/// The closing line of a run.
pub fn done_line() -> String {
    "\ndone.\n".to_string()
}

/// `  Check <label> [PASS]` and, under it, each finding with its location and hint; a
/// failure ends with `see: kensa explain CODE`.
pub fn check_lines(check: &CheckReport, paint: Paint<'_>) -> String {
    lines_with(check, reproduction(check), paint)
}

/// [`check_lines`], with the request a failure is re-made with (see [`Reproducer`]).
fn lines_with(check: &CheckReport, reproduction: Option<Reproduction>, paint: Paint<'_>) -> String {
    let tone = match check.outcome {
        Outcome::Passed => Tone::Pass,
        Outcome::Warning => Tone::Warn,
        Outcome::Failed | Outcome::Errored => Tone::Fail,
        Outcome::Skipped => Tone::Skip,
    };
    let mut out = format!("  Check {} {}", visible(&check.label), paint(tone, &format!("[{}]", check.outcome.tag())));
    if let Some(note) = &check.note {
        out.push(' ');
        out.push_str(&visible(note));
    }
    out.push('\n');
    if let Some(reason) = &check.reason {
        out.push_str(&format!("    {}\n", paint(Tone::Detail, &visible(reason))));
    }
    for finding in &check.findings {
        let tone = match finding.severity {
            Severity::Error => Tone::Fail,
            Severity::Warning => Tone::Warn,
        };
        out.push_str(&format!("    {}\n", paint(tone, &format!("! {}", visible(&finding.message)))));
        let location = match (&finding.pointer, finding.position) {
            (Some(pointer), Some(position)) if !pointer.is_empty() => {
                Some(format!("at {} ({position})", visible(pointer)))
            }
            (Some(pointer), None) if !pointer.is_empty() => Some(format!("at {}", visible(pointer))),
            (_, Some(position)) => Some(format!("at {position}")),
            _ => None,
        };
        if let Some(location) = location {
            out.push_str(&format!("      {}\n", paint(Tone::Detail, &location)));
        }
        if let Some(hint) = &finding.hint {
            out.push_str(&format!("      {}\n", paint(Tone::Detail, &format!("hint: {}", visible(hint)))));
        }
    }
    if let (true, Some(expected), Some(got)) =
        (check.findings.is_empty() && check.outcome == Outcome::Failed, &check.expected, &check.got)
    {
        let line = format!("! expected {}, got {}", visible(expected), visible(got));
        out.push_str(&format!("    {}\n", paint(Tone::Fail, &line)));
    }
    // Already terminal-safe: `quote` escapes what `visible` would.
    if let Some(reproduction) = reproduction {
        out.push_str(&format!("    {}\n", paint(Tone::Detail, &format!("reproduce: {}", reproduction.curl))));
        if let Some(sign) = reproduction.sign {
            out.push_str(&format!("    {}\n", paint(Tone::Detail, &format!("fresh SSO tokens: {sign}"))));
        }
    }
    if check.outcome == Outcome::Failed {
        out.push_str(&format!(
            "    {}\n",
            paint(Tone::Detail, &format!("see: kensa explain {}", visible(&check.code)))
        ));
    }
    out
}

/// Text from a provider, a manifest or the network, fit for a terminal: every character
/// [`is_unsafe_char`] is shown as an escape (`\e`, `\r`, `\n`, `\x00`, `\u{9b}`), so the text
/// cannot clear the screen, retitle the window, move the cursor or start a line of its own.
/// Every renderer of human output and every CLI line with such text goes through here.
pub fn visible(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x1b' => out.push_str("\\e"),
            c if c < '\u{80}' && is_unsafe_char(c) => {
                let _ = write!(out, "\\x{:02x}", u32::from(c));
            }
            c if is_unsafe_char(c) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NoEvents;
    use crate::manifest::reported;

    fn render(source: &[u8]) -> String {
        let report = reported(source, &mut NoEvents);
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
        let report = reported(br#"{"id": "myaddon", "api": {"regions": ["eu"]}}"#, &mut NoEvents);
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

    /// Provider and manifest text reaches the terminal with every control
    /// character shown as an escape, so it cannot clear the screen, retitle the window or
    /// start a line of its own (a fake `[PASS]`).
    #[test]
    fn control_characters_in_report_text_are_shown_escaped() {
        let report = crate::render::hostile_report();
        let out = text(&report, &plain);
        assert!(!out.chars().any(|c| c.is_control() && c != '\n'), "{out:?}");
        assert!(!out.contains('\u{202e}'), "{out:?}");
        assert!(!out.lines().any(|line| line.trim_start().starts_with("Check fake")), "{out}");
        let escaped = r"id\e[2J\e]0;owned\x07\r  Check fake [PASS]\n  Check fake too [PASS]\x00\x7f\u{9b}31m\u{202e}";
        for shown in [
            format!("Testing {escaped}\n"),
            format!("  Check {escaped} [PASS] {escaped}\n"),
            format!("    ! {escaped}\n      at {escaped} (line 1, column 2)\n      hint: {escaped}\n"),
            format!("    ! expected {escaped}, got {escaped}\n"),
            format!("  Skipped 3 checks: {escaped}\n"),
            "    reproduce: curl -i --globoff -X 'POST' -H $'id\\x1b[2J".to_string(),
            format!("  Check {escaped} [SKIP] {escaped}\n    {escaped}\n"),
        ] {
            assert!(out.contains(&shown), "{shown:?} not in\n{out}");
        }
    }

    /// A failed check that made a request ends with the curl line that re-makes it, then
    /// the pointer to its explanation; a warning gets none.
    #[test]
    fn a_failed_request_is_followed_by_its_curl_line() {
        let report = crate::render::hostile_report();
        let tagged = |tone: Tone, text: &str| format!("<{tone:?}>{text}");
        let out = text(&report, &tagged);
        assert_eq!(out.matches("\n    <Detail>reproduce: curl -i --globoff ").count(), 2, "two failed checks: {out}");
        assert!(out.contains("--url $'id\\x1b[2J"), "{out}");
        assert!(out.contains("'\n    <Detail>see: kensa explain P05\n"), "{out}");
    }

    /// Characters a terminal does not show (format characters, line and paragraph
    /// separators, default-ignorables) are escaped; visible text from any script is not.
    #[test]
    fn invisible_characters_are_shown_escaped() {
        for c in [
            '\u{ad}',
            '\u{34f}',
            '\u{61c}',
            '\u{115f}',
            '\u{1160}',
            '\u{180e}',
            '\u{200b}',
            '\u{200d}',
            '\u{200e}',
            '\u{200f}',
            '\u{2028}',
            '\u{2029}',
            '\u{202e}',
            '\u{2060}',
            '\u{2066}',
            '\u{3164}',
            '\u{fe0f}',
            '\u{feff}',
            '\u{ffa0}',
            '\u{fffb}',
            '\u{1d173}',
            '\u{e0001}',
            '\u{e007f}',
            '\u{e0100}',
        ] {
            assert!(is_unsafe_char(c), "U+{:04X}", u32::from(c));
            assert_eq!(visible(&format!("a{c}b")), format!("a\\u{{{:x}}}b", u32::from(c)));
        }
        let ordinary = "café ñ Straße Ωμέγα кириллица עברית العربية हिन्दी 中文 한국어 😀 ✓ € ¥ \u{a0}";
        assert_eq!(visible(ordinary), ordinary);
    }

    /// A message keeps its own line breaks (kensa lays it out) but shows every
    /// other control character escaped.
    #[test]
    fn messages_keep_their_line_breaks_and_escape_the_rest() {
        let mut writer = TextWriter::default();
        let out = writer.event(Event::Message { text: "\nStarting cmd\x1b]0;x\x07\r\u{9b}2J" }, &plain);
        assert_eq!(out, "\nStarting cmd\\e]0;x\\x07\\r\\u{9b}2J\n");
    }
}
