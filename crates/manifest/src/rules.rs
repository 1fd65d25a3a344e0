//! The manifest rules, in the order the old gem ran them (plus kensa's own), and the
//! validator that runs every one of them and reports every problem.

use crate::diagnostic::{Diagnostic, Position, Severity};
use crate::document::{Document, SyntaxError, SyntaxErrorKind, kind_of};
use crate::references::*;
use crate::regions::{self, REQUIRED_REGIONS};
use crate::suggest::closest;
use crate::url::HttpUrl;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::HashMap;

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

/// One manifest rule, documented where it is defined: `kensa explain` prints these
/// sections and the playground shows them.
#[derive(Debug)]
pub struct Rule {
    /// Stable code, quoted by users and `kensa explain`.
    pub code: &'static str,
    /// Kebab-case name of the behaviour verified.
    pub name: &'static str,
    pub group: RuleGroup,
    /// The old gem's label, printed after `Check `.
    pub label: &'static str,
    /// What the rule checks, in one sentence.
    pub summary: &'static str,
    /// Why Heroku needs it.
    pub why: &'static str,
    /// A message the rule reports, exactly as kensa prints it after `! `.
    pub example: &'static str,
    /// How to fix the manifest.
    pub fix: &'static str,
    /// The Dev Center article that defines the requirement.
    pub reference: &'static str,
}

macro_rules! rules {
    ($($ident:ident {
        code: $code:literal,
        name: $name:literal,
        group: $group:ident,
        label: $label:literal,
        summary: $summary:literal,
        why: $why:literal,
        example: $example:literal,
        fix: $fix:literal,
        reference: $reference:expr,
    })*) => {
        $(pub(crate) static $ident: Rule = Rule {
            code: $code,
            name: $name,
            group: RuleGroup::$group,
            label: $label,
            summary: $summary,
            why: $why,
            example: $example,
            fix: $fix,
            reference: $reference,
        };)*
        /// Every manifest rule, in the order they run and print.
        pub static RULES: &[&Rule] = &[$(&$ident),*];
    };
}

rules! {
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
    ID_PRESENT {
        code: "M02",
        name: "manifest/id-present",
        group: IdKey,
        label: "if exists",
        summary: "The manifest has an `id`, the add-on's slug.",
        why: "The id is the add-on's slug: users type it in `heroku addons:create`, and Heroku sends it as the \
              Basic auth username on every provisioning call.",
        example: "`id` is missing",
        fix: "Add `\"id\": \"myaddon\"` at the top level, with your add-on's slug.",
        reference: MANIFEST_ARTICLE,
    }
    ID_STRING {
        code: "M03",
        name: "manifest/id-string",
        group: IdKey,
        label: "is a string",
        summary: "`id` is a string.",
        why: "Heroku uses the id as a slug in commands and as a username, and both are strings.",
        example: "`id` must be a string, found a number",
        fix: "Quote the id: `\"id\": \"myaddon\"`.",
        reference: MANIFEST_ARTICLE,
    }
    ID_NOT_BLANK {
        code: "M04",
        name: "manifest/id-not-blank",
        group: IdKey,
        label: "is not blank",
        summary: "`id` is not empty or whitespace.",
        why: "A blank id gives users nothing to type in `heroku addons:create` and Heroku no username to \
              authenticate with.",
        example: "`id` is blank",
        fix: "Set `id` to your add-on's slug.",
        reference: MANIFEST_ARTICLE,
    }
    ID_CHARSET {
        code: "M05",
        name: "manifest/id-charset",
        group: IdKey,
        label: "uses only lower-case letters, digits and dashes",
        summary: "`id` is a slug: lower-case letters, digits and dashes, starting with a letter.",
        why: "The id appears in CLI commands and URLs and cannot change after the first push, so Heroku allows \
              only lower-case letters, digits and dashes.",
        example: "`My Addon` is not a valid add-on id",
        fix: "Use a slug such as `my-addon`; kensa's hint suggests one made from the current id.",
        reference: MANIFEST_ARTICLE,
    }
    API_PRESENT {
        code: "M06",
        name: "manifest/api-present",
        group: ApiKey,
        label: "if exists",
        summary: "The manifest has an `api` block.",
        why: "`api` holds everything Heroku needs to call your service: credentials, URLs, config vars and \
              regions.",
        example: "`api` is missing",
        fix: "Add an `api` object; `kensa init` writes a complete one to start from.",
        reference: MANIFEST_ARTICLE,
    }
    API_OBJECT {
        code: "M07",
        name: "manifest/api-object",
        group: ApiKey,
        label: "is a hash",
        summary: "`api` is a JSON object.",
        why: "Heroku reads `api.password`, `api.production` and the other settings as keys of an object.",
        example: "`api` must be an object, found an array",
        fix: "Make `api` a `{ ... }` object holding the settings.",
        reference: MANIFEST_ARTICLE,
    }
    REGIONS_LIST {
        code: "M08",
        name: "manifest/regions-list",
        group: ApiKey,
        label: "has a list of regions",
        summary: "`api.regions` is an array.",
        why: "Heroku offers the add-on only to apps in the regions `api.regions` lists.",
        example: "`api.regions` is missing",
        fix: "Add `\"regions\": [\"us\"]` to `api`, or `[\"*\"]` if the add-on serves every region.",
        reference: MANIFEST_ARTICLE,
    }
    REGIONS_INCLUDE_US {
        code: "M09",
        name: "manifest/regions-include-us",
        group: ApiKey,
        label: "contains at least the US region",
        summary: "`api.regions` contains `us` or `*`.",
        why: "Heroku requires every add-on to be available in the `us` region, where most apps run; `*` covers \
              it.",
        example: "`api.regions` must include `us` or `*`",
        fix: "Add `\"us\"` to `api.regions`, or use `[\"*\"]` if the add-on works from every region.",
        reference: MANIFEST_ARTICLE,
    }
    REGIONS_KNOWN {
        code: "M10",
        name: "manifest/regions-known",
        group: ApiKey,
        label: "contains only valid region names",
        summary: "Every entry of `api.regions` is a known region name or `*`.",
        why: "A name Heroku does not know matches no app's region, so the add-on is never offered there; it is \
              usually a typo.",
        example: "`mars` is not a known region",
        fix: "Use Heroku region names such as `us`, `eu`, `frankfurt` or `tokyo`, or `*`; kensa suggests the \
              closest one.",
        reference: MANIFEST_ARTICLE,
    }
    PASSWORD_PRESENT {
        code: "M11",
        name: "manifest/password-present",
        group: ApiKey,
        label: "contains password",
        summary: "`api.password` is a non-empty string.",
        why: "Heroku signs every provisioning call with HTTP Basic auth, the id as username and `api.password` as \
              password; it is how your service tells Heroku from anyone else.",
        example: "`api.password` is missing",
        fix: "Set `api.password` to a long random string (`kensa init` generates 32 hex characters) and check \
              it in your service.",
        reference: MANIFEST_ARTICLE,
    }
    TEST_URL_PRESENT {
        code: "M12",
        name: "manifest/test-url-present",
        group: ApiKey,
        label: "contains test url",
        summary: "`api.test` is present.",
        why: "kensa calls `api.test`, your service running locally, in every test; Heroku itself only calls \
              `api.production`.",
        example: "`api.test` is missing",
        fix: "Add `\"test\": {\"base_url\": \"http://localhost:4567/heroku/resources\", \"sso_url\": \
              \"http://localhost:4567/sso/login\"}`, pointing at your local service.",
        reference: GUIDE_ARTICLE,
    }
    TEST_URL_VALID {
        code: "M13",
        name: "manifest/test-url-valid",
        group: ApiKey,
        label: "test urls are absolute http(s) URLs",
        summary: "`api.test` (a URL, or `base_url` and `sso_url`) holds absolute http or https URLs.",
        why: "kensa takes the origin and the provisioning path from these URLs; a relative or non-http URL \
              cannot be called.",
        example: "`localhost:4567/heroku/resources` is not an absolute http(s) URL: missing scheme (expected \
                  http:// or https://)",
        fix: "Write whole URLs with scheme and host, such as `http://localhost:4567/heroku/resources`.",
        reference: GUIDE_ARTICLE,
    }
    PRODUCTION_URL_PRESENT {
        code: "M14",
        name: "manifest/production-url-present",
        group: ApiKey,
        label: "contains production url",
        summary: "`api.production` is present.",
        why: "`api.production` is where Heroku sends the provision, deprovision, plan change and single sign-on \
              requests of real apps.",
        example: "`api.production` is missing",
        fix: "Add `\"production\": {\"base_url\": \"https://yourapp.com/heroku/resources\", \"sso_url\": \
              \"https://yourapp.com/sso/login\"}`.",
        reference: MANIFEST_ARTICLE,
    }
    PRODUCTION_URL_HTTPS {
        code: "M15",
        name: "manifest/production-url-https",
        group: ApiKey,
        label: "production url uses SSL",
        summary: "The production provisioning URL is an https URL.",
        why: "Provisioning calls carry your add-on password and return customers' credentials in config vars, \
              so Heroku requires `base_url` to be HTTPS with a valid certificate.",
        example: "`http://yourapp.com/heroku/resources` must use https in production",
        fix: "Serve the provisioning API over TLS and change the production URL to `https://`.",
        reference: PARTNER_API_ARTICLE,
    }
    SSO_URL_HTTPS {
        code: "M16",
        name: "manifest/sso-url-https",
        group: ApiKey,
        label: "sso url uses SSL",
        summary: "The production `sso_url`, when there is one, is an https URL.",
        why: "Single sign-on posts signed tokens and the user's email to `sso_url` from the browser; over plain \
              http anyone on the way can read and replay them.",
        example: "`http://yourapp.com/sso/login` must use https in production",
        fix: "Serve the sign-in page over TLS and change `api.production.sso_url` to `https://`.",
        reference: SSO_ARTICLE,
    }
    CONFIG_VARS_ARRAY {
        code: "M17",
        name: "manifest/config-vars-array",
        group: ApiKey,
        label: "contains config_vars array",
        summary: "`api.config_vars`, when present, is an array.",
        why: "Heroku reads `api.config_vars` as the list of variable names your service returns and sets on the \
              app.",
        example: "`api.config_vars` must be an array, found a string",
        fix: "Write a list, even for one name: `\"config_vars\": [\"MYADDON_URL\"]`.",
        reference: MANIFEST_ARTICLE,
    }
    CONFIG_VARS_UPPERCASE {
        code: "M18",
        name: "manifest/config-vars-uppercase",
        group: ApiKey,
        label: "all config vars are uppercase strings",
        summary: "Every config var is a string matching `^[A-Z][0-9A-Z_]+$`.",
        why: "Config vars become environment variables of the app, and Heroku accepts only upper-case letters, \
              digits and underscores, starting with a letter.",
        example: "\"myaddon_url\" is not a valid ENV key",
        fix: "Write the name in upper case, such as `MYADDON_URL`, in the manifest and in what your service \
              returns.",
        reference: MANIFEST_ARTICLE,
    }
    CONFIG_VARS_PREFIXED {
        code: "M19",
        name: "manifest/config-vars-prefixed",
        group: ApiKey,
        label: "all config vars are prefixed with the addon id",
        summary: "Every config var starts with `config_vars_prefix` (or the upper-cased id) and `_`.",
        why: "Heroku namespaces an add-on's vars by its prefix, and swaps the prefix for the attachment name when \
              the add-on is attached under another name; a var outside the prefix would clash with the app's \
              own.",
        example: "DATABASE_URL is not a valid ENV key - must be prefixed with MYADDON_",
        fix: "Rename the var to start with the prefix (`MYADDON_DATABASE_URL`), or set `api.config_vars_prefix` \
              to the prefix your vars use.",
        reference: MANIFEST_ARTICLE,
    }
    CONFIG_VARS_UNIQUE {
        code: "M20",
        name: "manifest/config-vars-unique",
        group: ApiKey,
        label: "all config vars are unique",
        summary: "No config var is listed twice.",
        why: "Each name is one environment variable of the app; a repeat is a slip that hides which vars your \
              service really returns.",
        example: "MYADDON_URL is listed twice (first at /api/config_vars/0)",
        fix: "Remove the repeated entry.",
        reference: MANIFEST_ARTICLE,
    }
    DEPRECATED_FIELDS {
        code: "M21",
        name: "manifest/no-deprecated-fields",
        group: ApiKey,
        label: "deprecated fields",
        summary: "`api.username` is absent: the add-on id is the username.",
        why: "Heroku always sends the add-on id as the Basic auth username; a separate `username` is ignored and \
              misleads whoever reads the manifest.",
        example: "username is deprecated: Please authenticate using the add-on id.",
        fix: "Delete `api.username`, and have your service check the username against the add-on id.",
        reference: MANIFEST_ARTICLE,
    }
    REQUIRES_KNOWN {
        code: "M22",
        name: "manifest/requires-known",
        group: ApiKey,
        label: "requires only known features",
        summary: "`api.requires` is an array of known feature names.",
        why: "`api.requires` opts in to platform features (`syslog_drain`, `log_input`, `many_per_app`, \
              `attachable`); a name Heroku does not know is usually a typo that leaves the feature off.",
        example: "`syslog-drain` is not a feature kensa knows; Heroku may reject it",
        fix: "Use one of the known names (kensa suggests the closest), or remove the entry.",
        reference: MANIFEST_ARTICLE,
    }
    SSO_SALT_PRESENT {
        code: "M23",
        name: "manifest/sso-salt-present",
        group: ApiKey,
        label: "contains sso salt",
        summary: "`api.sso_salt` is set, so single sign-on can be tested.",
        why: "Heroku signs every single sign-on request with `api.sso_salt`; without it neither Heroku nor kensa \
              can sign a user in to your service.",
        example: "no `api.sso_salt`: single sign-on cannot be tested",
        fix: "Set `api.sso_salt` to a long random string that your service also knows (`kensa init` generates \
              one).",
        reference: SSO_ARTICLE,
    }
    API_VERSION_CURRENT {
        code: "M24",
        name: "manifest/api-version-current",
        group: ApiKey,
        label: "uses version 3 of the Add-on Partner API",
        summary: "`api.version` is `\"3\"`; v1 reached end of life on 2023-07-03.",
        why: "Heroku ended the v1 Add-on Partner API on 2023-07-03; add-ons now speak v3, which names resources \
              by Heroku's uuid and sends an OAuth grant with each provision.",
        example: "no `api.version`: this manifest uses the v1 Add-on Partner API, which reached end of life on \
                  2023-07-03",
        fix: "Handle the v3 requests (the versioned Accept header, `uuid` path keys, `resource_token` at sign-in) \
              and add `\"version\": \"3\"` to `api`.",
        reference: V3_MIGRATION_ARTICLE,
    }
}

/// Features `api.requires` may ask for.
pub const KNOWN_REQUIREMENTS: &[&str] = &["syslog_drain", "log_input", "many_per_app", "attachable"];

/// Keys of `api` that kensa knows; a missing one is only suggested from the others.
const API_KEYS: &[&str] = &[
    "config_vars_prefix",
    "config_vars",
    "password",
    "sso_salt",
    "regions",
    "requires",
    "production",
    "test",
    "version",
    "username",
];

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

/// Runs every rule over `source`. Every rule takes time linear in the size of the file.
pub(crate) fn run(source: &[u8]) -> (Vec<RuleResult>, Option<Document>) {
    match Document::parse(source) {
        Ok(document) => {
            let mut checker = Checker { document: Some(&document), results: Vec::with_capacity(RULES.len()) };
            checker.record(&VALID_JSON, duplicate_key_findings(&document));
            checker.record(&TOP_LEVEL_OBJECT, Vec::new());
            checker.check_id();
            checker.check_api();
            (checker.results, Some(document))
        }
        Err(error) => {
            let mut checker = Checker { document: None, results: Vec::with_capacity(RULES.len()) };
            checker.syntax_failed(&error);
            (checker.results, None)
        }
    }
}

/// One warning per repeated key, at the repeat, naming where the key was first written.
fn duplicate_key_findings(document: &Document) -> Vec<Finding> {
    let mut findings: Vec<Finding> = document
        .duplicate_keys()
        .iter()
        .map(|duplicate| {
            warning(
                duplicate.pointer.clone(),
                format!(
                    "key `{}` is repeated: at {} and again at {}; only the last one counts",
                    duplicate.key, duplicate.first, duplicate.repeat
                ),
            )
            .hint(Some("delete the copy you do not mean".to_string()))
            .at(duplicate.repeat)
        })
        .collect();
    let unlisted = document.unlisted_duplicate_keys();
    if unlisted > 0 {
        findings.push(warning("", format!("{unlisted} more repeated keys are not listed")));
    }
    findings
}

/// A problem before it is stamped with its rule's code.
struct Finding {
    severity: Severity,
    pointer: String,
    message: String,
    hint: Option<String>,
    /// Where to point instead of the value at `pointer`.
    position: Option<Position>,
}

fn error(pointer: impl Into<String>, message: impl Into<String>) -> Finding {
    Finding { severity: Severity::Error, pointer: pointer.into(), message: message.into(), hint: None, position: None }
}

fn warning(pointer: impl Into<String>, message: impl Into<String>) -> Finding {
    Finding { severity: Severity::Warning, ..error(pointer, message) }
}

impl Finding {
    fn hint(mut self, hint: Option<String>) -> Finding {
        self.hint = hint;
        self
    }

    fn at(mut self, position: Position) -> Finding {
        self.position = Some(position);
        self
    }
}

/// Runs the rules over a parsed document it borrows, so no rule copies part of the file.
struct Checker<'d> {
    document: Option<&'d Document>,
    results: Vec<RuleResult>,
}

impl<'d> Checker<'d> {
    fn record(&mut self, rule: &'static Rule, findings: Vec<Finding>) {
        let diagnostics: Vec<Diagnostic> = findings
            .into_iter()
            .map(|finding| Diagnostic {
                code: rule.code.to_string(),
                severity: finding.severity,
                position: finding
                    .position
                    .or_else(|| self.document.and_then(|document| document.position(&finding.pointer))),
                pointer: finding.pointer,
                message: finding.message,
                hint: finding.hint,
            })
            .collect();
        let outcome = if diagnostics.iter().any(|d| d.severity == Severity::Error) {
            RuleOutcome::Failed
        } else if diagnostics.is_empty() {
            RuleOutcome::Passed
        } else {
            RuleOutcome::Warning
        };
        self.results.push(RuleResult { rule, outcome, diagnostics });
    }

    fn check(&mut self, rule: &'static Rule, finding: Option<Finding>) {
        self.record(rule, finding.into_iter().collect());
    }

    fn skip(&mut self, rules: &[&'static Rule], reason: &str) {
        for rule in rules {
            self.results.push(RuleResult {
                rule,
                outcome: RuleOutcome::Skipped(reason.to_string()),
                diagnostics: Vec::new(),
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

    fn syntax_failed(&mut self, error: &SyntaxError) {
        let diagnostic = |rule: &Rule, hint: Option<String>| Diagnostic {
            code: rule.code.to_string(),
            severity: Severity::Error,
            pointer: String::new(),
            message: error.kind.to_string(),
            hint,
            position: error.position,
        };
        if let SyntaxErrorKind::NotAnObject(_) = error.kind {
            self.check(&VALID_JSON, None);
            let hint = Some("start from `kensa init`, which writes a valid manifest".to_string());
            self.results.push(RuleResult {
                rule: &TOP_LEVEL_OBJECT,
                outcome: RuleOutcome::Failed,
                diagnostics: vec![diagnostic(&TOP_LEVEL_OBJECT, hint)],
            });
        } else {
            let hint = match error.kind {
                SyntaxErrorKind::Empty => Some("run `kensa init` to write a manifest".to_string()),
                SyntaxErrorKind::NotUtf8 => Some("save the file as UTF-8".to_string()),
                _ => None,
            };
            self.results.push(RuleResult {
                rule: &VALID_JSON,
                outcome: RuleOutcome::Failed,
                diagnostics: vec![diagnostic(&VALID_JSON, hint)],
            });
        }
        self.skip_rest("the manifest could not be read as a JSON object");
    }

    fn check_id(&mut self) {
        let Some(id) = self.root().get("id") else {
            let hint = missing_key_hint(self.root(), "id", &["name", "api"]);
            self.check(&ID_PRESENT, Some(error("/id", "`id` is missing").hint(hint)));
            self.skip(&[&ID_STRING, &ID_NOT_BLANK, &ID_CHARSET], "`id` is missing");
            return;
        };
        self.check(&ID_PRESENT, None);
        let Value::String(id) = id else {
            let message = format!("`id` must be a string, found {}", kind_of(id));
            self.check(&ID_STRING, Some(error("/id", message)));
            self.skip(&[&ID_NOT_BLANK, &ID_CHARSET], "`id` is not a string");
            return;
        };
        self.check(&ID_STRING, None);
        if id.trim().is_empty() {
            self.check(&ID_NOT_BLANK, Some(error("/id", "`id` is blank")));
            self.skip(&[&ID_CHARSET], "`id` is blank");
            return;
        }
        self.check(&ID_NOT_BLANK, None);
        let finding = (!is_slug(id)).then(|| {
            let suggestion = slugify(id);
            error("/id", format!("`{id}` is not a valid add-on id"))
                .hint(Some(format!("use lower-case letters, digits and dashes, such as `{suggestion}`")))
        });
        self.check(&ID_CHARSET, finding);
    }

    fn check_api(&mut self) {
        let Some(api) = self.root().get("api") else {
            let hint = missing_key_hint(self.root(), "api", &["id", "name"]);
            self.check(&API_PRESENT, Some(error("/api", "`api` is missing").hint(hint)));
            self.skip_rest("`api` is missing");
            return;
        };
        self.check(&API_PRESENT, None);
        let Value::Object(api) = api else {
            let message = format!("`api` must be an object, found {}", kind_of(api));
            self.check(&API_OBJECT, Some(error("/api", message)));
            self.skip_rest("`api` is not an object");
            return;
        };
        self.check(&API_OBJECT, None);
        self.check_regions(api);
        self.check_password(api);
        self.check_test_url(api);
        self.check_production_url(api);
        self.check_config_vars(api);
        let finding = api.contains_key("username").then(|| {
            error("/api/username", "username is deprecated: Please authenticate using the add-on id.")
                .hint(Some("remove `api.username`; Heroku sends the add-on id as the username".to_string()))
        });
        self.check(&DEPRECATED_FIELDS, finding);
        self.check_requires(api);
        self.check_sso_salt(api);
        self.check_version(api);
    }

    fn check_regions(&mut self, api: &Map<String, Value>) {
        let regions = match api.get("regions") {
            Some(Value::Array(regions)) => regions,
            other => {
                let finding = match other {
                    None => error("/api/regions", "`api.regions` is missing").hint(
                        missing_key_hint(api, "regions", API_KEYS).or(Some("add `\"regions\": [\"us\"]`".to_string())),
                    ),
                    Some(value) => error(
                        "/api/regions",
                        format!("`api.regions` must be an array of region names, found {}", kind_of(value)),
                    )
                    .hint(value.as_str().map(|name| format!("did you mean `[\"{name}\"]`?"))),
                };
                self.check(&REGIONS_LIST, Some(finding));
                self.skip(&[&REGIONS_INCLUDE_US, &REGIONS_KNOWN], "`api.regions` is not a list");
                return;
            }
        };
        self.check(&REGIONS_LIST, None);
        let includes_us =
            regions.iter().any(|region| region.as_str().is_some_and(|name| REQUIRED_REGIONS.contains(&name)));
        let finding = (!includes_us).then(|| {
            error("/api/regions", "`api.regions` must include `us` or `*`")
                .hint(Some("Heroku requires every add-on to be available in the `us` region".to_string()))
        });
        self.check(&REGIONS_INCLUDE_US, finding);
        let findings = regions
            .iter()
            .enumerate()
            .filter_map(|(index, region)| {
                let pointer = format!("/api/regions/{index}");
                match region.as_str() {
                    Some(name) if regions::is_known(name) => None,
                    Some(name) => Some(
                        error(pointer, format!("`{name}` is not a known region"))
                            .hint(closest(name, regions::names()).map(|known| format!("did you mean `{known}`?"))),
                    ),
                    None => Some(error(pointer, format!("a region name must be a string, found {}", kind_of(region)))),
                }
            })
            .collect();
        self.record(&REGIONS_KNOWN, findings);
    }

    fn check_password(&mut self, api: &Map<String, Value>) {
        let finding = match api.get("password") {
            None => Some(
                error("/api/password", "`api.password` is missing").hint(
                    missing_key_hint(api, "password", API_KEYS)
                        .or(Some("run `kensa init` in an empty folder to generate one".to_string())),
                ),
            ),
            Some(Value::String(password)) if password.is_empty() => {
                Some(error("/api/password", "`api.password` is empty"))
            }
            Some(Value::String(_)) => None,
            Some(other) => Some(error(
                "/api/password",
                format!("`api.password` must be a non-empty string, found {}", kind_of(other)),
            )),
        };
        self.check(&PASSWORD_PRESENT, finding);
    }

    fn check_test_url(&mut self, api: &Map<String, Value>) {
        let Some(test) = api.get("test") else {
            let hint = missing_key_hint(api, "test", API_KEYS)
                .or(Some("add `\"test\": {\"base_url\": \"http://localhost:4567/heroku/resources\"}`".to_string()));
            self.check(&TEST_URL_PRESENT, Some(error("/api/test", "`api.test` is missing").hint(hint)));
            self.skip(&[&TEST_URL_VALID], "`api.test` is missing");
            return;
        };
        self.check(&TEST_URL_PRESENT, None);
        let findings = endpoint_urls(test, "/api/test")
            .into_iter()
            .filter_map(|(pointer, url)| match url {
                Ok(text) => HttpUrl::parse(text)
                    .err()
                    .map(|reason| error(pointer, format!("`{text}` is not an absolute http(s) URL: {reason}"))),
                Err(problem) => Some(error(pointer, problem)),
            })
            .collect();
        self.record(&TEST_URL_VALID, findings);
    }

    fn check_production_url(&mut self, api: &Map<String, Value>) {
        let Some(production) = api.get("production") else {
            let hint = missing_key_hint(api, "production", API_KEYS)
                .or(Some("add `\"production\": {\"base_url\": \"https://yourapp.com/heroku/resources\"}`".to_string()));
            self.check(
                &PRODUCTION_URL_PRESENT,
                Some(error("/api/production", "`api.production` is missing").hint(hint)),
            );
            self.skip(&[&PRODUCTION_URL_HTTPS, &SSO_URL_HTTPS], "`api.production` is missing");
            return;
        };
        self.check(&PRODUCTION_URL_PRESENT, None);
        let mut base_findings = Vec::new();
        let mut sso_findings = Vec::new();
        for (pointer, url) in endpoint_urls(production, "/api/production") {
            let findings = if pointer.ends_with("/sso_url") { &mut sso_findings } else { &mut base_findings };
            match url {
                Ok(text) => match HttpUrl::parse(text) {
                    Ok(parsed) if parsed.is_https() => {}
                    Ok(_) => findings.push(
                        error(pointer, format!("`{text}` must use https in production"))
                            .hint(Some(format!("did you mean `{}`?", to_https(text)))),
                    ),
                    Err(reason) => {
                        findings.push(error(pointer, format!("`{text}` is not an absolute https URL: {reason}")))
                    }
                },
                Err(problem) => findings.push(error(pointer, problem)),
            }
        }
        self.record(&PRODUCTION_URL_HTTPS, base_findings);
        self.record(&SSO_URL_HTTPS, sso_findings);
    }

    fn check_config_vars(&mut self, api: &Map<String, Value>) {
        let config_vars = match api.get("config_vars") {
            None => {
                self.check(&CONFIG_VARS_ARRAY, None);
                self.skip(
                    &[&CONFIG_VARS_UPPERCASE, &CONFIG_VARS_PREFIXED, &CONFIG_VARS_UNIQUE],
                    "no `api.config_vars`",
                );
                return;
            }
            Some(Value::Array(config_vars)) => config_vars,
            Some(other) => {
                let message = format!("`api.config_vars` must be an array, found {}", kind_of(other));
                let hint = other.as_str().map(|name| format!("did you mean `[\"{name}\"]`?"));
                self.check(&CONFIG_VARS_ARRAY, Some(error("/api/config_vars", message).hint(hint)));
                self.skip(
                    &[&CONFIG_VARS_UPPERCASE, &CONFIG_VARS_PREFIXED, &CONFIG_VARS_UNIQUE],
                    "`api.config_vars` is not an array",
                );
                return;
            }
        };
        self.check(&CONFIG_VARS_ARRAY, None);

        let pointer = |index: usize| format!("/api/config_vars/{index}");
        let mut uppercase_findings = Vec::new();
        let mut valid_names = Vec::new();
        for (index, entry) in config_vars.iter().enumerate() {
            match entry.as_str() {
                Some(name) if is_env_key(name) => valid_names.push((index, name)),
                Some(name) => {
                    let upper = name.to_ascii_uppercase().replace('-', "_");
                    let hint = is_env_key(&upper).then(|| format!("did you mean `{upper}`?"));
                    uppercase_findings
                        .push(error(pointer(index), format!("{entry} is not a valid ENV key")).hint(hint));
                }
                None => uppercase_findings.push(error(pointer(index), format!("{entry} is not a valid ENV key"))),
            }
        }
        self.record(&CONFIG_VARS_UPPERCASE, uppercase_findings);

        match self.config_var_prefix(api) {
            Ok(prefix) => {
                let with_underscore = format!("{prefix}_");
                let findings = valid_names
                    .iter()
                    .filter(|(_, name)| !name.starts_with(&with_underscore))
                    .map(|(index, name)| {
                        error(
                            pointer(*index),
                            format!("{name} is not a valid ENV key - must be prefixed with {prefix}_"),
                        )
                        .hint(Some(format!("rename it to `{prefix}_{name}` or set `api.config_vars_prefix`")))
                    })
                    .collect();
                self.record(&CONFIG_VARS_PREFIXED, findings);
            }
            Err(Some(finding)) => self.check(&CONFIG_VARS_PREFIXED, Some(finding)),
            Err(None) => self
                .skip(&[&CONFIG_VARS_PREFIXED], "no prefix: `id` is invalid and `api.config_vars_prefix` is not set"),
        }

        // Issue 10: one pass with a map; comparing each name with every earlier one took
        // minutes for 200k names.
        let mut first_seen: HashMap<&str, usize> = HashMap::with_capacity(valid_names.len());
        let mut findings = Vec::new();
        for &(index, name) in &valid_names {
            match first_seen.get(name) {
                Some(&first) => findings
                    .push(error(pointer(index), format!("{name} is listed twice (first at {})", pointer(first)))),
                None => {
                    first_seen.insert(name, index);
                }
            }
        }
        self.record(&CONFIG_VARS_UNIQUE, findings);
    }

    /// The prefix config vars must carry; `Err(None)` when there is no way to tell.
    fn config_var_prefix(&self, api: &Map<String, Value>) -> Result<String, Option<Finding>> {
        match api.get("config_vars_prefix") {
            Some(Value::String(prefix)) if !prefix.is_empty() => Ok(prefix.clone()),
            Some(other) => Err(Some(error(
                "/api/config_vars_prefix",
                format!("`api.config_vars_prefix` must be a non-empty string, found {}", describe(other)),
            ))),
            None => match self.root().get("id") {
                Some(Value::String(id)) if !id.trim().is_empty() => Ok(default_prefix(id)),
                _ => Err(None),
            },
        }
    }

    fn check_requires(&mut self, api: &Map<String, Value>) {
        let findings = match api.get("requires") {
            None => Vec::new(),
            Some(Value::Array(requires)) => requires
                .iter()
                .enumerate()
                .filter_map(|(index, feature)| {
                    let pointer = format!("/api/requires/{index}");
                    match feature.as_str() {
                        Some(name) if KNOWN_REQUIREMENTS.contains(&name) => None,
                        Some(name) => Some(
                            warning(pointer, format!("`{name}` is not a feature kensa knows; Heroku may reject it"))
                                .hint(
                                    closest(name, KNOWN_REQUIREMENTS.iter().copied())
                                        .map(|known| format!("did you mean `{known}`?")),
                                ),
                        ),
                        None => Some(error(
                            pointer,
                            format!("a required feature must be a string, found {}", kind_of(feature)),
                        )),
                    }
                })
                .collect(),
            Some(other) => vec![error(
                "/api/requires",
                format!("`api.requires` must be an array of feature names, found {}", kind_of(other)),
            )],
        };
        self.record(&REQUIRES_KNOWN, findings);
    }

    fn check_sso_salt(&mut self, api: &Map<String, Value>) {
        let finding = match api.get("sso_salt") {
            Some(Value::String(salt)) if !salt.is_empty() => None,
            None | Some(Value::Null) => Some(
                warning("/api/sso_salt", "no `api.sso_salt`: single sign-on cannot be tested")
                    .hint(missing_key_hint(api, "sso_salt", API_KEYS)),
            ),
            Some(Value::String(_)) => {
                Some(warning("/api/sso_salt", "`api.sso_salt` is empty: single sign-on cannot be tested"))
            }
            Some(other) => {
                Some(error("/api/sso_salt", format!("`api.sso_salt` must be a string, found {}", kind_of(other))))
            }
        };
        self.check(&SSO_SALT_PRESENT, finding);
    }

    fn check_version(&mut self, api: &Map<String, Value>) {
        let finding = match api.get("version") {
            Some(Value::String(version)) if version == "3" => None,
            None => Some(
                warning("/api/version", "no `api.version`: this manifest uses the v1 Add-on Partner API, which reached end of life on 2023-07-03")
                    .hint(missing_key_hint(api, "version", API_KEYS).or(Some("add `\"version\": \"3\"` to `api` once your service speaks v3".to_string()))),
            ),
            Some(Value::String(version)) if version == "1" => Some(warning(
                "/api/version",
                "version 1 of the Add-on Partner API reached end of life on 2023-07-03",
            )),
            Some(other) => Some(
                error("/api/version", format!("`api.version` must be the string \"3\", found {}", describe(other)))
                    .hint(Some("write `\"version\": \"3\"`".to_string())),
            ),
        };
        self.check(&API_VERSION_CURRENT, finding);
    }
}

/// The URLs of an endpoint block, each with its pointer, or why the block is malformed.
fn endpoint_urls<'v>(block: &'v Value, pointer: &str) -> Vec<(String, Result<&'v str, String>)> {
    match block {
        Value::String(url) => vec![(pointer.to_string(), Ok(url.as_str()))],
        Value::Object(urls) => {
            let mut found = Vec::new();
            for key in ["base_url", "sso_url"] {
                let child = format!("{pointer}/{key}");
                match urls.get(key) {
                    Some(Value::String(url)) => found.push((child, Ok(url.as_str()))),
                    None if key == "sso_url" => {}
                    None => found.push((child, Err(format!("`{}` is missing", dotted(pointer, key))))),
                    Some(other) => found.push((
                        child,
                        Err(format!("`{}` must be a URL string, found {}", dotted(pointer, key), kind_of(other))),
                    )),
                }
            }
            found
        }
        other => vec![(
            pointer.to_string(),
            Err(format!(
                "`{}` must be a URL or an object with `base_url`, found {}",
                dotted(pointer, ""),
                kind_of(other)
            )),
        )],
    }
}

/// `/api/test` and `base_url` become `api.test.base_url`.
fn dotted(pointer: &str, key: &str) -> String {
    let mut path: Vec<&str> = pointer.split('/').filter(|part| !part.is_empty()).collect();
    if !key.is_empty() {
        path.push(key);
    }
    path.join(".")
}

fn to_https(url: &str) -> String {
    match url.split_once("://") {
        Some((_, rest)) => format!("https://{rest}"),
        None => format!("https://{url}"),
    }
}

fn describe(value: &Value) -> String {
    match value {
        Value::String(text) => format!("\"{text}\""),
        Value::Number(number) => number.to_string(),
        other => kind_of(other).to_string(),
    }
}

/// "did you mean `regions`?" when the object has a key that looks like a typo of `key`.
fn missing_key_hint(object: &Map<String, Value>, key: &str, known: &[&str]) -> Option<String> {
    let unknown_keys = object.keys().map(String::as_str).filter(|candidate| !known.contains(candidate));
    closest(key, unknown_keys).map(|candidate| format!("did you mean `{key}`? found `{candidate}`"))
}

/// `^[A-Z][0-9A-Z_]+$`, as Heroku requires of config var names.
pub(crate) fn is_env_key(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|first| first.is_ascii_uppercase())
        && name.len() >= 2
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

fn is_slug(id: &str) -> bool {
    id.chars().next().is_some_and(|first| first.is_ascii_lowercase())
        && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

fn slugify(id: &str) -> String {
    let mut slug = String::new();
    for c in id.trim().chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-').trim_start_matches(|c: char| c.is_ascii_digit()).to_string();
    if slug.is_empty() { "myaddon".to_string() } else { slug }
}

/// The prefix config vars get when `config_vars_prefix` is not set: `fast-db` gives `FAST_DB`.
pub fn default_prefix(id: &str) -> String {
    id.to_uppercase().replace('-', "_")
}
