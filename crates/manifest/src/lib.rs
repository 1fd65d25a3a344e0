//! The Heroku add-on manifest (`addon-manifest.json`): parsing with positions,
//! validation that reports every problem at once, the typed model, and the skeleton
//! `kensa init` writes.
//!
//! Pure: no I/O, no clock, no randomness. The host hands in bytes and secrets.
//!
//! ```
//! let validation = kensa_manifest::validate(br#"{"id": "myaddon"}"#);
//! assert!(!validation.is_ok());
//! let first = validation.diagnostics().next().unwrap();
//! assert_eq!((first.code.as_str(), first.pointer.as_str()), ("M06", "/api"));
//! ```

mod check;
mod diagnostic;
mod document;
mod model;
mod names;
pub mod references;
pub mod regions;
mod rules;
mod skeleton;
mod suggest;
pub mod url;

pub use check::{CheckDef, Finding, Outcome};
pub use diagnostic::{Diagnostic, Position, Severity};
pub use document::{Document, DuplicateKey, SyntaxError, SyntaxErrorKind, documents_parsed, kind_of, pointer_token};
pub use model::{
    API_KEYS, Api, ApiVersion, Endpoint, Environment, KNOWN_REQUIREMENTS, Manifest, Secret, SsoTarget, TOP_LEVEL_KEYS,
};
pub use names::{changes_how_programs_start, default_prefix, slug};
pub use rules::{RULES, Rule, RuleGroup, RuleResult};
pub use skeleton::{SKELETON_ID, Skeleton, SkeletonOptions, SsoStyle, skeleton};
pub use suggest::edit_distance;
pub use url::origin_of;

/// The outcome of validating one manifest file, and what hosts read from the file through
/// it: the host validates once and hands this to the engine, so nothing parses the file again.
#[derive(Clone, Debug)]
pub struct Validation {
    /// One result per rule in [`RULES`], in order.
    pub results: Vec<RuleResult>,
    /// The typed manifest, present when no rule found an error.
    pub manifest: Option<Manifest>,
    /// The parsed file, present when it was a JSON object; keeps unknown fields and positions.
    pub document: Option<Document>,
}

impl Validation {
    /// True when no rule found an error (warnings allowed).
    pub fn is_ok(&self) -> bool {
        self.results.iter().all(|result| result.outcome != Outcome::Failed)
    }

    /// Every problem found, errors and warnings, in rule order.
    pub fn diagnostics(&self) -> impl Iterator<Item = Diagnostic> + '_ {
        self.results
            .iter()
            .flat_map(|result| result.findings.iter().map(|finding| finding.diagnostic(result.rule.check.code)))
    }

    /// Where `environment`'s base URL is written: `api.<env>.base_url`, or (when that is
    /// missing, as in the string form `"test": URL`) its nearest ancestor that is there.
    pub fn base_url_position(&self, environment: Environment) -> Option<Position> {
        let pointer = format!("/api/{}/base_url", environment.key());
        self.document.as_ref()?.position(&pointer)
    }

    /// Only the errors.
    pub fn errors(&self) -> impl Iterator<Item = Diagnostic> + '_ {
        self.diagnostics().filter(|diagnostic| diagnostic.severity == Severity::Error)
    }

    /// The manifest's `id` when the file is a JSON object that has a string one, valid or
    /// not: the add-on a host files resources under, even while other rules fail.
    pub fn declared_id(&self) -> Option<&str> {
        self.document.as_ref()?.root().get("id")?.as_str()
    }

    /// The URL the checks call first, `api.test` (the legacy string form) or
    /// `api.test.base_url`, when the file is a JSON object that has one, valid or not.
    pub fn test_url(&self) -> Option<&str> {
        let test = self.document.as_ref()?.root().get("api")?.get("test")?;
        test.as_str().or_else(|| test.get("base_url")?.as_str())
    }
}

/// Validates a manifest file's bytes against every rule.
pub fn validate(source: &[u8]) -> Validation {
    let (results, document) = rules::run(source);
    let is_ok = results.iter().all(|result| result.outcome != Outcome::Failed);
    let manifest =
        if is_ok { document.as_ref().and_then(|document| Manifest::from_validated(document.root())) } else { None };
    Validation { results, manifest, document }
}
