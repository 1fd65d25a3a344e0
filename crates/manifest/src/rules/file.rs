//! `Testing manifest file`: the file is JSON, without repeated keys, holding one object.

use super::Checker;
use crate::check::Finding;
use crate::document::{Document, SyntaxError, SyntaxErrorKind};
use crate::references::MANIFEST_ARTICLE;

crate::checks! {
    VALID_JSON {
        code: "M00",
        name: "manifest/valid-json",
        group: File,
        label: "is valid JSON",
        summary: "The file is UTF-8 text holding well-formed JSON, with no key written twice in one object \
                  (a repeated key is a warning).",
        why: "Heroku reads the manifest as JSON when you push it; a file it cannot parse is rejected before any \
              field is looked at. When a key is written twice, JSON readers silently keep the last value, so an \
              edit to the first one changes nothing.",
        example: "invalid JSON: expected `,` or `}`",
        fix: "Fix the syntax at the line and column kensa reports (often a missing or trailing comma) and save the \
              file as UTF-8, or start again from `kensa init`. For a repeated key, delete the copy you do not \
              mean; kensa gives the line and column of both.",
        reference: MANIFEST_ARTICLE,
    }
    TOP_LEVEL_OBJECT {
        code: "M01",
        name: "manifest/top-level-object",
        group: File,
        label: "is a JSON object",
        summary: "The top level of the manifest is a JSON object.",
        why: "Every manifest field (`id`, `api`) is a key of one top-level object; an array or a bare value has \
              none of them.",
        example: "the manifest must be a JSON object, found an array",
        fix: "Put the fields in a single `{ ... }` object, as `kensa init` writes it.",
        reference: MANIFEST_ARTICLE,
    }
}

impl Checker<'_> {
    /// The file parsed as a JSON object: only repeated keys can be wrong.
    pub(super) fn check_file(&mut self, document: &Document) {
        self.record(&VALID_JSON, duplicate_key_findings(document));
        self.record(&TOP_LEVEL_OBJECT, Vec::new());
    }

    /// The file is not a JSON object: one rule fails, and every later one is skipped.
    pub(super) fn syntax_failed(&mut self, error: &SyntaxError) {
        let finding = |hint: Option<String>| Finding {
            position: error.position,
            ..Finding::error_at("", error.kind.to_string()).hint(hint)
        };
        if let SyntaxErrorKind::NotAnObject(_) = error.kind {
            self.check(&VALID_JSON, None);
            let hint = Some("start from `kensa init`, which writes a valid manifest".to_string());
            self.check(&TOP_LEVEL_OBJECT, Some(finding(hint)));
        } else {
            let hint = match error.kind {
                SyntaxErrorKind::Empty => Some("run `kensa init` to write a manifest".to_string()),
                SyntaxErrorKind::NotUtf8 => Some("save the file as UTF-8".to_string()),
                _ => None,
            };
            self.check(&VALID_JSON, Some(finding(hint)));
        }
        self.skip_rest("the manifest could not be read as a JSON object");
    }
}

/// One warning per repeated key, at the repeat, naming where the key was first written.
fn duplicate_key_findings(document: &Document) -> Vec<Finding> {
    let mut findings: Vec<Finding> = document
        .duplicate_keys()
        .iter()
        .map(|duplicate| {
            Finding::warning_at(
                duplicate.pointer.clone(),
                format!(
                    "key `{}` is repeated: at {} and again at {}; only the last one counts",
                    duplicate.key, duplicate.first, duplicate.repeat
                ),
            )
            .hint(Some("delete the copy you do not mean".to_string()))
            .at_position(duplicate.repeat)
        })
        .collect();
    let unlisted = document.unlisted_duplicate_keys();
    if unlisted > 0 {
        findings.push(Finding::warning_at("", format!("{unlisted} more repeated keys are not listed")));
    }
    findings
}
