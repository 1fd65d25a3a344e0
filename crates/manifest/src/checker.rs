//! The validator: runs every rule of [`crate::rules`] over a manifest and reports every
//! problem at once, each at its place in the file.

use crate::diagnostic::{Diagnostic, Severity};
use crate::document::{Document, SyntaxError, SyntaxErrorKind, kind_of};
use crate::model::{API_KEYS, KNOWN_REQUIREMENTS, TOP_LEVEL_KEYS};
use crate::names::{changes_how_programs_start, default_prefix, is_env_key, is_slug, slug};
use crate::outcome::{Finding, RuleOutcome, RuleResult, error, warning};
use crate::regions::{self, REQUIRED_REGIONS};
use crate::rules::*;
use crate::suggest::closest;
use crate::url::HttpUrl;
use serde_json::{Map, Value};
use std::collections::HashMap;

/// The key rule M21 finds deprecated; known, so never taken for a typo of another.
const DEPRECATED_API_KEY: &str = "username";

fn known_api_key(key: &str) -> bool {
    API_KEYS.contains(&key) || key == DEPRECATED_API_KEY
}

fn known_top_level_key(key: &str) -> bool {
    TOP_LEVEL_KEYS.contains(&key)
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
                code: rule.check.code.to_string(),
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
            code: rule.check.code.to_string(),
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
            let hint = missing_key_hint(self.root(), "id", known_top_level_key);
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
            let suggestion = slug(id);
            error("/id", format!("`{id}` is not a valid add-on id"))
                .hint(Some(format!("use lower-case letters, digits and dashes, such as `{suggestion}`")))
        });
        self.check(&ID_CHARSET, finding);
    }

    fn check_api(&mut self) {
        let Some(api) = self.root().get("api") else {
            let hint = missing_key_hint(self.root(), "api", known_top_level_key);
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
        let finding = api.contains_key(DEPRECATED_API_KEY).then(|| {
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
                        missing_key_hint(api, "regions", known_api_key)
                            .or(Some("add `\"regions\": [\"us\"]`".to_string())),
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
                    missing_key_hint(api, "password", known_api_key)
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
            let hint = missing_key_hint(api, "test", known_api_key)
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
            let hint = missing_key_hint(api, "production", known_api_key)
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
                Some(name) if is_env_key(name) => match changes_how_programs_start(name) {
                    Some(why) => uppercase_findings.push(
                        error(
                            pointer(index),
                            format!("{name} is not a valid ENV key - {why}, so no add-on may set it"),
                        )
                        .hint(Some(
                            "rename it; when every name under the prefix is refused (as `LD_` for add-on `ld`), \
                                 set `api.config_vars_prefix` to another prefix"
                                .to_string(),
                        )),
                    ),
                    None => valid_names.push((index, name)),
                },
                Some(name) => {
                    let upper = default_prefix(name);
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
        let finding =
            match api.get("sso_salt") {
                Some(Value::String(salt)) if !salt.is_empty() => None,
                None | Some(Value::Null) => Some(
                    warning("/api/sso_salt", "no `api.sso_salt`: single sign-on cannot be tested")
                        .hint(missing_key_hint(api, "sso_salt", known_api_key)),
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
                    .hint(missing_key_hint(api, "version", known_api_key).or(Some("add `\"version\": \"3\"` to `api` once your service speaks v3".to_string()))),
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
fn missing_key_hint(object: &Map<String, Value>, key: &str, known: fn(&str) -> bool) -> Option<String> {
    let unknown_keys = object.keys().map(String::as_str).filter(|candidate| !known(candidate));
    closest(key, unknown_keys).map(|candidate| format!("did you mean `{key}`? found `{candidate}`"))
}
