//! The manifest rules, in the order the old gem ran them (plus kensa's own), and the
//! validator that runs them over a manifest and reports every problem at once, each at its
//! place in the file. Each group of rules is one file under `rules/`, holding the rules'
//! documentation (what `kensa explain` prints and the playground shows) and the checks
//! that apply them.

mod api;
mod config_vars;
mod file;
mod id;
mod platform;
mod urls;

use crate::check::{Finding, Outcome};
use crate::document::Document;
use crate::model::{API_KEYS, TOP_LEVEL_KEYS};
use crate::suggest::closest;
use crate::{CheckDef, Severity, kind_of};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Where a rule's result is printed: the old gem's `Testing <heading>` groups.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RuleGroup {
    File,
    IdKey,
    ApiKey,
}

impl RuleGroup {
    pub fn heading(self) -> &'static str {
        match self {
            RuleGroup::File => "manifest file",
            RuleGroup::IdKey => "manifest id key",
            RuleGroup::ApiKey => "manifest api key",
        }
    }
}

/// One manifest rule: where its result is printed, and its documentation.
#[derive(Debug)]
pub struct Rule {
    pub group: RuleGroup,
    pub check: CheckDef,
}

/// Every manifest rule, in the order they run and print.
pub static RULES: &[&Rule] = &[
    &file::VALID_JSON,
    &file::TOP_LEVEL_OBJECT,
    &id::ID_PRESENT,
    &id::ID_STRING,
    &id::ID_NOT_BLANK,
    &id::ID_CHARSET,
    &api::API_PRESENT,
    &api::API_OBJECT,
    &platform::REGIONS_LIST,
    &platform::REGIONS_INCLUDE_US,
    &platform::REGIONS_KNOWN,
    &api::PASSWORD_PRESENT,
    &urls::TEST_URL_PRESENT,
    &urls::TEST_URL_VALID,
    &urls::PRODUCTION_URL_PRESENT,
    &urls::PRODUCTION_URL_HTTPS,
    &urls::SSO_URL_HTTPS,
    &config_vars::CONFIG_VARS_ARRAY,
    &config_vars::CONFIG_VARS_UPPERCASE,
    &config_vars::CONFIG_VARS_PREFIXED,
    &config_vars::CONFIG_VARS_UNIQUE,
    &api::DEPRECATED_FIELDS,
    &platform::REQUIRES_KNOWN,
    &platform::SSO_SALT_PRESENT,
    &platform::API_VERSION_CURRENT,
];

/// How one rule came out, with what it found.
#[derive(Clone, Debug)]
pub struct RuleResult {
    pub rule: &'static Rule,
    /// Never [`Outcome::Errored`]: a rule needs nothing but the file.
    pub outcome: Outcome,
    /// Why the rule was skipped: something it needs is missing.
    pub reason: Option<String>,
    /// The problems found, each with its pointer and (when the file says) its position.
    pub findings: Vec<Finding>,
}

/// Runs every rule over `source`. Every rule takes time linear in the size of the file.
pub(crate) fn run(source: &[u8]) -> (Vec<RuleResult>, Option<Document>) {
    match Document::parse(source) {
        Ok(document) => {
            let mut checker = Checker { document: Some(&document), results: Vec::with_capacity(RULES.len()) };
            checker.check_file(&document);
            checker.check_id();
            if let Some(api) = checker.check_api() {
                checker.check_api_keys(api);
            }
            (checker.results, Some(document))
        }
        Err(error) => {
            let mut checker = Checker { document: None, results: Vec::with_capacity(RULES.len()) };
            checker.syntax_failed(&error);
            (checker.results, None)
        }
    }
}

/// Runs the rules over a parsed document it borrows, so no rule copies part of the file.
struct Checker<'d> {
    document: Option<&'d Document>,
    results: Vec<RuleResult>,
}

impl<'d> Checker<'d> {
    /// The rules on the keys of an `api` object, in the order they run.
    fn check_api_keys(&mut self, api: &Map<String, Value>) {
        self.check_regions(api);
        self.check_password(api);
        self.check_test_url(api);
        self.check_production_url(api);
        self.check_config_vars(api);
        self.check_deprecated_fields(api);
        self.check_requires(api);
        self.check_sso_salt(api);
        self.check_version(api);
    }

    /// `rule` ran and found `findings`; each points at its value's place in the file unless
    /// it says where itself.
    fn record(&mut self, rule: &'static Rule, findings: Vec<Finding>) {
        let findings: Vec<Finding> = findings
            .into_iter()
            .map(|finding| Finding {
                position: finding.position.or_else(|| {
                    let pointer = finding.pointer.as_deref()?;
                    self.document.and_then(|document| document.position(pointer))
                }),
                ..finding
            })
            .collect();
        let outcome = if findings.iter().any(|finding| finding.severity == Severity::Error) {
            Outcome::Failed
        } else if findings.is_empty() {
            Outcome::Passed
        } else {
            Outcome::Warning
        };
        self.results.push(RuleResult { rule, outcome, reason: None, findings });
    }

    fn check(&mut self, rule: &'static Rule, finding: Option<Finding>) {
        self.record(rule, finding.into_iter().collect());
    }

    fn skip(&mut self, rules: &[&'static Rule], reason: &str) {
        for rule in rules {
            self.results.push(RuleResult {
                rule,
                outcome: Outcome::Skipped,
                reason: Some(reason.to_string()),
                findings: Vec::new(),
            });
        }
    }

    fn skip_rest(&mut self, reason: &str) {
        let done = self.results.len();
        self.skip(&RULES[done..], reason);
    }

    fn root(&self) -> &'d Map<String, Value> {
        static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
        self.document.map_or_else(|| EMPTY.get_or_init(Map::new), Document::root)
    }
}

/// The key rule M21 finds deprecated; known, so never taken for a typo of another.
const DEPRECATED_API_KEY: &str = "username";

fn known_api_key(key: &str) -> bool {
    API_KEYS.contains(&key) || key == DEPRECATED_API_KEY
}

fn known_top_level_key(key: &str) -> bool {
    TOP_LEVEL_KEYS.contains(&key)
}

/// "did you mean `regions`?" when the object has a key that looks like a typo of `key`.
fn missing_key_hint(object: &Map<String, Value>, key: &str, known: fn(&str) -> bool) -> Option<String> {
    let unknown_keys = object.keys().map(String::as_str).filter(|candidate| !known(candidate));
    closest(key, unknown_keys).map(|candidate| format!("did you mean `{key}`? found `{candidate}`"))
}

/// A value in a message: strings quoted, numbers as written, anything else by kind.
fn describe(value: &Value) -> String {
    match value {
        Value::String(text) => format!("\"{text}\""),
        Value::Number(number) => number.to_string(),
        other => kind_of(other).to_string(),
    }
}
