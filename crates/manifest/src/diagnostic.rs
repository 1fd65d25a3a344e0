//! What validation says about a manifest, for a host that lists its problems apart from a
//! report: one diagnostic per problem, each with a stable code, a severity, where it is
//! (JSON pointer plus line and column) and an optional hint.

use serde::{Deserialize, Serialize};
use std::fmt;

/// How bad a problem is. Errors make the manifest invalid; warnings do not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// A place in the manifest source. Both numbers start at 1; the column counts characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Position {
    pub line: u32,
    pub column: u32,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

/// One problem found in a manifest: a rule's [`Finding`](crate::Finding), stamped with the
/// rule's code ([`Finding::diagnostic`](crate::Finding::diagnostic)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// Code of the rule that found it, such as `M09`.
    pub code: String,
    pub severity: Severity,
    /// JSON pointer (RFC 6901) to the value concerned; for a missing key, the key it should have.
    pub pointer: String,
    /// One lowercase phrase stating the fact. Never contains a secret.
    pub message: String,
    /// What to do about it, such as "did you mean `regions`?".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// Where the value is; for a missing key, where the object that lacks it starts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<Position>,
}
