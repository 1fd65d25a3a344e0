//! `kensa checks` (every check, one line each) and `kensa explain CODE` (one check's
//! documentation, the same text the playground shows).

use crate::args::Format;
use crate::context::Context;
use crate::error::{CliError, ExitStatus, Result};
use crate::output::print;
use kensa_checks::docs::{self, CheckDoc};

/// Every code, name and label, under the heading of its group, in columns.
pub(crate) fn checks(context: &Context) -> Result<ExitStatus> {
    let all = docs::all_docs();
    if context.format == Format::Json {
        print(&to_json(serde_json::to_value(&all))?)?;
        return Ok(ExitStatus::Passed);
    }
    print(&listing(&all))?;
    Ok(ExitStatus::Passed)
}

/// The documentation of the check `code`; an unknown code cannot run (exit 2).
pub(crate) fn explain(context: &Context, code: &str) -> Result<ExitStatus> {
    let Some(doc) = docs::doc(code) else {
        let list = "run `kensa checks` to list every code";
        let hint = match docs::did_you_mean(code) {
            Some(close) => format!("did you mean `{}` ({})? {list}", close.def.code, close.def.name),
            None => list.to_string(),
        };
        return Err(CliError::new(format!("unknown check `{}`", code.trim())).hint(hint));
    };
    if context.format == Format::Json {
        print(&to_json(serde_json::to_value(doc))?)?;
    } else {
        print(&docs::explain_text(&doc))?;
    }
    Ok(ExitStatus::Passed)
}

/// Groups in the order they first run; a group that runs again later (idempotency is part
/// of provision) is listed once.
fn listing(all: &[CheckDoc]) -> String {
    let name_width = all.iter().map(|doc| doc.def.name.len()).max().unwrap_or_default();
    let code_width = all.iter().map(|doc| doc.def.code.len()).max().unwrap_or_default();
    let mut groups: Vec<&str> = Vec::new();
    for doc in all {
        if !groups.contains(&doc.group) {
            groups.push(doc.group);
        }
    }
    let mut out = String::new();
    for group in groups {
        out.push_str(&format!("{group}\n"));
        for doc in all.iter().filter(|doc| doc.group == group) {
            out.push_str(&format!("  {:code_width$}  {:name_width$}  {}\n", doc.def.code, doc.def.name, doc.def.label));
        }
        out.push('\n');
    }
    out.push_str("run `kensa explain CODE` for what a check is for and how to fix a failure\n");
    out
}

fn to_json(value: serde_json::Result<serde_json::Value>) -> Result<String> {
    value
        .and_then(|value| serde_json::to_string_pretty(&value))
        .map(|json| json + "\n")
        .map_err(|error| CliError::new(format!("cannot write JSON: {error}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_one_aligned_line_per_check_under_its_group() {
        let all = docs::all_docs();
        let out = listing(&all);
        let rows: Vec<&str> = out.lines().filter(|line| line.starts_with("  ")).collect();
        assert_eq!(rows.len(), all.len());
        let name_width = all.iter().map(|doc| doc.def.name.len()).max().unwrap_or_default();
        let label_column = 2 + 3 + 2 + name_width + 2;
        for doc in &all {
            let row = rows.iter().find(|row| row[2..].starts_with(doc.def.code)).unwrap_or_else(|| panic!("{out}"));
            assert_eq!(row.get(label_column..), Some(doc.def.label), "{out}");
        }
        assert_eq!(out.matches("\nprovision\n").count(), 1, "each group once: {out}");
        assert!(out.contains("  R03  provision/log-drain-url "), "{out}");
        assert!(out.starts_with("manifest file\n  M00  manifest/valid-json "), "{out}");
        assert!(out.contains("\n\nsingle sign-on\n  S01  sso/salt-present "), "{out}");
    }
}
