//! A reader of `--format github` as the Actions runner reads it: every line a workflow
//! command (`::error` or `::warning`, properties, message) but the summary line last,
//! decoded as the runner decodes it.

use crate::{Outcome, Report};
use std::collections::BTreeSet;

/// One `::error` or `::warning` line, decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Annotation {
    /// `error` or `warning`.
    pub level: String,
    /// `file`, `line`, `col` and `title`, in the order written, values decoded.
    pub properties: Vec<(String, String)>,
    /// The message, decoded (`%0A` is a line break again).
    pub message: String,
}

impl Annotation {
    /// The decoded value of property `name`.
    pub fn property(&self, name: &str) -> Option<&str> {
        self.properties.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str())
    }

    /// `title`: `<CODE> <label>`.
    pub fn title(&self) -> &str {
        self.property("title").unwrap_or_default()
    }
}

/// What [`parse_github`] found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Github {
    pub annotations: Vec<Annotation>,
    /// The last line, which is no command.
    pub summary: String,
}

impl Github {
    /// Panics unless these annotations tell what `report` (the same run in JSON) tells:
    /// an `::error` for each check that failed or errored and for no other, a `::warning`
    /// for each that warned, a file on manifest checks only, and the same counts.
    #[track_caller]
    pub fn assert_matches(&self, report: &Report) {
        let titles = |level: &str| -> BTreeSet<&str> {
            self.annotations.iter().filter(|annotation| annotation.level == level).map(Annotation::title).collect()
        };
        let titled = |outcomes: &[Outcome]| -> BTreeSet<String> {
            report
                .checks()
                .filter(|check| outcomes.contains(&check.outcome))
                .map(|check| format!("{} {}", check.code, check.label))
                .collect()
        };
        let failed = titled(&[Outcome::Failed, Outcome::Errored]);
        assert_eq!(titles("error"), failed.iter().map(String::as_str).collect(), "{self:#?}");
        let warned = titled(&[Outcome::Warning]);
        assert!(warned.iter().all(|title| titles("warning").contains(title.as_str())), "{warned:?}\n{self:#?}");
        for annotation in &self.annotations {
            let manifest_check = annotation.title().starts_with('M');
            assert_eq!(annotation.property("file").is_some(), manifest_check, "{annotation:#?}");
        }
        let summary = report.summary();
        let expected = format!(
            "kensa {}: {} checks, {} passed, {} passed with warnings, {} failed, {} skipped, {} errored",
            if report.passed() { "passed" } else { "failed" },
            summary.total,
            summary.passed,
            summary.warnings,
            summary.failed,
            summary.skipped,
            summary.errored
        );
        assert_eq!(self.summary, expected);
    }
}

/// Reads `text` strictly: each line but the last is `::error` or `::warning`, with only
/// the properties kensa writes, each once and each escaped (no raw `:` or `,` in a value,
/// no `%` that is not one of the runner's escapes); the last line is not a command.
pub fn parse_github(text: &str) -> Result<Github, String> {
    let body = text.strip_suffix('\n').ok_or("the output does not end with a line break")?;
    let mut lines: Vec<&str> = body.split('\n').collect();
    let summary = lines.pop().unwrap_or_default();
    if summary.starts_with("::") {
        return Err(format!("the last line is a command, not the summary: {summary:?}"));
    }
    if let Some(c) = text.chars().find(|c| c.is_control() && *c != '\n') {
        return Err(format!("a raw control character {c:?} in the output"));
    }
    let annotations = lines.iter().map(|line| annotation(line)).collect::<Result<_, _>>()?;
    Ok(Github { annotations, summary: summary.to_string() })
}

fn annotation(line: &str) -> Result<Annotation, String> {
    let command = line.strip_prefix("::").ok_or_else(|| format!("not a workflow command: {line:?}"))?;
    let (head, message) = command.split_once("::").ok_or_else(|| format!("no `::` before the message: {line:?}"))?;
    let (level, properties) = head.split_once(' ').unwrap_or((head, ""));
    if level != "error" && level != "warning" {
        return Err(format!("`{level}` is not an annotation kensa writes: {line:?}"));
    }
    let mut decoded: Vec<(String, String)> = Vec::new();
    for property in properties.split(',').filter(|property| !property.is_empty()) {
        let (key, value) = property.split_once('=').ok_or_else(|| format!("property without `=`: {line:?}"))?;
        if !["file", "line", "col", "title"].contains(&key) || decoded.iter().any(|(seen, _)| seen == key) {
            return Err(format!("unexpected or repeated property `{key}`: {line:?}"));
        }
        if value.contains(':') {
            return Err(format!("a raw `:` in property `{key}`: {line:?}"));
        }
        decoded.push((key.to_string(), decode(value, true)?));
    }
    Ok(Annotation { level: level.to_string(), properties: decoded, message: decode(message, false)? })
}

/// The runner's decoding: `%25`, `%0D` and `%0A` everywhere, `%3A` and `%2C` in properties.
fn decode(text: &str, property: bool) -> Result<String, String> {
    let mut escapes = vec![("%25", '%'), ("%0D", '\r'), ("%0A", '\n')];
    if property {
        escapes.extend([("%3A", ':'), ("%2C", ',')]);
    }
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        let (escape, c) = escapes
            .iter()
            .find(|(escape, _)| rest[at..].starts_with(escape))
            .ok_or_else(|| format!("`%` not escaped in {text:?}"))?;
        out.push(*c);
        rest = &rest[at + escape.len()..];
    }
    Ok(out + rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_the_runner_reads() {
        let github =
            parse_github("::error file=a%3Ab.json,line=2,col=9,title=M05 x%2C y::m%250A%0Anext\nkensa failed\n");
        let annotation = &github.unwrap().annotations[0];
        assert_eq!(annotation.property("file"), Some("a:b.json"));
        assert_eq!(annotation.title(), "M05 x, y");
        assert_eq!(annotation.message, "m%0A\nnext");
        assert!(parse_github("::error title=a:b::m\nsummary\n").is_err());
        assert!(parse_github("::error title=a::100%\nsummary\n").is_err());
        assert!(parse_github("::notice title=a::m\nsummary\n").is_err());
        assert!(parse_github("::error title=a::m\n::error title=b::m\n").is_err());
    }
}
