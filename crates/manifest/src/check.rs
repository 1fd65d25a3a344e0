//! One vocabulary for every check, manifest rule ([`crate::RULES`]) or live check of
//! `kensa_checks` alike: its documentation ([`CheckDef`], declared with [`checks!`]), how it
//! came out ([`Outcome`]) and the problems it found ([`Finding`]).

use crate::diagnostic::{Diagnostic, Position, Severity};
use serde::Serialize;

/// The documentation of one check, written where the check is defined: the sections
/// `kensa explain` prints and the playground shows.
#[derive(Debug, PartialEq, Eq)]
pub struct CheckDef {
    /// Stable code, such as `M09` or `P01`, quoted by users and `kensa explain`.
    pub code: &'static str,
    /// Kebab-case name of the behaviour verified, `phase/behaviour`.
    pub name: &'static str,
    /// The old gem's label, printed after `Check `.
    pub label: &'static str,
    /// What the check verifies, in one sentence.
    pub summary: &'static str,
    /// Why Heroku needs it.
    pub why: &'static str,
    /// A message the check reports, exactly as kensa prints it after `! `.
    pub example: &'static str,
    /// How to fix it.
    pub fix: &'static str,
    /// The Dev Center article that defines the requirement.
    pub reference: &'static str,
}

/// Declares checks, each a `pub(crate) static` named by its entry: a [`CheckDef`], or a
/// [`crate::Rule`] when the entry names the `group` (after `name`) a manifest rule prints under.
/// Led by `const NAME;`, it also declares `NAME`, every check it declares in order.
///
/// ```
/// use kensa_manifest::references::PARTNER_API_ARTICLE;
///
/// kensa_manifest::checks! {
///     /// This phase's checks, in the order it makes them.
///     pub(crate) const CHECKS;
///     PROVISION_RESPONSE {
///         code: "P01",
///         name: "provision/responds-200",
///         label: "response",
///         summary: "POST to the base URL answers 200.",
///         why: "Heroku provisions with a POST to `base_url`.",
///         example: "expected 200, got 404",
///         fix: "Route `POST` on the path of `base_url` to your provisioning code.",
///         reference: PARTNER_API_ARTICLE,
///     }
/// }
///
/// assert_eq!(CHECKS.iter().map(|check| check.code).collect::<Vec<_>>(), ["P01"]);
/// assert_eq!(PROVISION_RESPONSE.label, "response");
/// ```
#[macro_export]
macro_rules! checks {
    (@def $ident:ident { code: $code:literal, name: $name:literal, group: $group:ident, $($rest:tt)* }) => {
        pub(crate) static $ident: $crate::Rule = $crate::Rule {
            group: $crate::RuleGroup::$group,
            check: $crate::checks!(@check code: $code, name: $name, $($rest)*),
        };
    };
    (@def $ident:ident { $($fields:tt)* }) => {
        pub(crate) static $ident: $crate::CheckDef = $crate::checks!(@check $($fields)*);
    };
    (@check
        code: $code:literal,
        name: $name:literal,
        label: $label:literal,
        summary: $summary:literal,
        why: $why:literal,
        example: $example:literal,
        fix: $fix:literal,
        reference: $reference:expr,
    ) => {
        $crate::CheckDef {
            code: $code,
            name: $name,
            label: $label,
            summary: $summary,
            why: $why,
            example: $example,
            fix: $fix,
            reference: $reference,
        }
    };
    ($(#[$attr:meta])* $vis:vis const $list:ident; $($ident:ident $body:tt)*) => {
        $($crate::checks!(@def $ident $body);)*
        $(#[$attr])*
        $vis const $list: &[&$crate::CheckDef] = &[$(&$ident),*];
    };
    ($($ident:ident $body:tt)*) => {
        $($crate::checks!(@def $ident $body);)*
    };
}

/// How a check came out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Passed,
    /// Passed, with something the provider should look at.
    Warning,
    /// The provider (or manifest) broke the contract.
    Failed,
    /// Not run: a check it depends on failed, or this host cannot observe what it needs.
    Skipped,
    /// kensa itself could not perform the check.
    Errored,
}

impl Outcome {
    pub const ALL: [Outcome; 5] =
        [Outcome::Passed, Outcome::Warning, Outcome::Failed, Outcome::Skipped, Outcome::Errored];

    /// The name JSON reports use: `passed`, `failed`, ...
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Passed => "passed",
            Outcome::Warning => "warning",
            Outcome::Failed => "failed",
            Outcome::Skipped => "skipped",
            Outcome::Errored => "errored",
        }
    }

    /// The tag printed after a check, as in the old gem: `[PASS]`.
    pub fn tag(self) -> &'static str {
        match self {
            Outcome::Passed => "PASS",
            Outcome::Warning => "WARN",
            Outcome::Failed => "FAIL",
            Outcome::Skipped => "SKIP",
            Outcome::Errored => "ERROR",
        }
    }
}

/// One problem under a check, with where it is when it concerns a JSON document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub severity: Severity,
    pub message: String,
    /// JSON pointer into the manifest, or into a response body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub position: Option<Position>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl Finding {
    /// This finding as a host lists it apart from a report, stamped with its rule's `code`.
    pub(crate) fn diagnostic(&self, code: &str) -> Diagnostic {
        Diagnostic {
            code: code.to_string(),
            severity: self.severity,
            pointer: self.pointer.clone().unwrap_or_default(),
            message: self.message.clone(),
            hint: self.hint.clone(),
            position: self.position,
        }
    }

    pub fn error(message: impl Into<String>) -> Finding {
        Finding { severity: Severity::Error, message: message.into(), pointer: None, position: None, hint: None }
    }

    pub fn warning(message: impl Into<String>) -> Finding {
        Finding { severity: Severity::Warning, ..Finding::error(message) }
    }

    /// An error about the value at `pointer` (for a missing key, the key it should have).
    pub fn error_at(pointer: impl Into<String>, message: impl Into<String>) -> Finding {
        Finding { pointer: Some(pointer.into()), ..Finding::error(message) }
    }

    /// A warning about the value at `pointer`.
    pub fn warning_at(pointer: impl Into<String>, message: impl Into<String>) -> Finding {
        Finding { severity: Severity::Warning, ..Finding::error_at(pointer, message) }
    }

    /// What to do about it, such as "did you mean `regions`?".
    pub fn hint(self, hint: Option<String>) -> Finding {
        Finding { hint, ..self }
    }

    /// Where in the source to point, instead of where the value at the pointer starts.
    pub fn at_position(self, position: Position) -> Finding {
        Finding { position: Some(position), ..self }
    }
}
