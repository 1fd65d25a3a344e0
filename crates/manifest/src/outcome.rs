//! What validation produces: each rule's outcome with its diagnostics, and the findings
//! a check reports before they are stamped with the rule's code.

use crate::diagnostic::{Diagnostic, Position, Severity};
use crate::rules::Rule;
use serde::{Deserialize, Serialize};

/// How one rule came out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", content = "reason", rename_all = "lowercase")]
pub enum RuleOutcome {
    Passed,
    Warning,
    Failed,
    /// Not run because something it needs is missing; holds why.
    Skipped(String),
}

/// One rule's result with the diagnostics it produced.
#[derive(Clone, Debug)]
pub struct RuleResult {
    pub rule: &'static Rule,
    pub outcome: RuleOutcome,
    pub diagnostics: Vec<Diagnostic>,
}

/// A problem before it is stamped with its rule's code.
pub(crate) struct Finding {
    pub(crate) severity: Severity,
    pub(crate) pointer: String,
    pub(crate) message: String,
    pub(crate) hint: Option<String>,
    /// Where to point instead of the value at `pointer`.
    pub(crate) position: Option<Position>,
}

pub(crate) fn error(pointer: impl Into<String>, message: impl Into<String>) -> Finding {
    Finding { severity: Severity::Error, pointer: pointer.into(), message: message.into(), hint: None, position: None }
}

pub(crate) fn warning(pointer: impl Into<String>, message: impl Into<String>) -> Finding {
    Finding { severity: Severity::Warning, ..error(pointer, message) }
}

impl Finding {
    pub(crate) fn hint(mut self, hint: Option<String>) -> Finding {
        self.hint = hint;
        self
    }

    pub(crate) fn at(mut self, position: Position) -> Finding {
        self.position = Some(position);
        self
    }
}
