//! What every check is for, in fixed sections: what it checks, why Heroku needs it, an
//! example failure, how to fix it, and a reference. The text lives beside the code of each
//! check (a manifest rule's group file, a live check's phase file under `checks/`), listed by
//! [`kensa_manifest::RULES`] and [`crate::CHECKS`]; this module gathers it for `kensa checks`,
//! `kensa explain CODE` and the playground.

use crate::catalogue::CHECKS;
use kensa_manifest::{CheckDef, RULES, Rule, edit_distance};
use serde::ser::{Serialize, SerializeStruct, Serializer};

/// One check's documentation, manifest rule or live check alike, with where it is listed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CheckDoc {
    /// The sections, as the check defines them.
    pub def: &'static CheckDef,
    /// Where `kensa checks` lists it: the manifest heading, or the phase of a live check.
    pub group: &'static str,
}

impl From<&'static Rule> for CheckDoc {
    fn from(rule: &'static Rule) -> CheckDoc {
        CheckDoc { def: &rule.check, group: rule.group.heading() }
    }
}

impl From<&'static CheckDef> for CheckDoc {
    fn from(def: &'static CheckDef) -> CheckDoc {
        CheckDoc { def, group: phase_title(def.name) }
    }
}

/// What `kensa checks --format json` and `kensa explain --format json` print, field by field.
impl Serialize for CheckDoc {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let def = self.def;
        let mut doc = serializer.serialize_struct("CheckDoc", 9)?;
        doc.serialize_field("code", def.code)?;
        doc.serialize_field("name", def.name)?;
        doc.serialize_field("label", def.label)?;
        doc.serialize_field("group", self.group)?;
        doc.serialize_field("what", def.summary)?;
        doc.serialize_field("why", def.why)?;
        doc.serialize_field("example", def.example)?;
        doc.serialize_field("fix", def.fix)?;
        doc.serialize_field("reference", def.reference)?;
        doc.end()
    }
}

/// The heading a live check is listed under, from the phase part of its name.
fn phase_title(name: &'static str) -> &'static str {
    let phase = name.split_once('/').map_or(name, |(phase, _)| phase);
    match phase {
        "config" => "config data",
        "async" => "asynchronous provisioning",
        "planchange" => "plan change",
        "sso" => "single sign-on",
        "run" => "kensa run",
        other => other,
    }
}

/// Every check kensa makes: the manifest rules, then the live checks, in the order they run.
pub fn all_docs() -> Vec<CheckDoc> {
    RULES.iter().copied().map(CheckDoc::from).chain(CHECKS.iter().copied().map(CheckDoc::from)).collect()
}

/// The check with this code (or name), ignoring case.
pub fn doc(code: &str) -> Option<CheckDoc> {
    let code = code.trim();
    all_docs()
        .into_iter()
        .find(|doc| doc.def.code.eq_ignore_ascii_case(code) || doc.def.name.eq_ignore_ascii_case(code))
}

/// The check a mistyped code or name most likely meant: `m9` is `M09`, and a name (or the
/// part after its `/`) one or two edits away is that check.
pub fn did_you_mean(query: &str) -> Option<CheckDoc> {
    let query = query.trim().to_ascii_lowercase();
    let mut chars = query.chars();
    let letter = chars.next()?;
    let digits = chars.as_str();
    if letter.is_ascii_alphabetic() && !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
        let number: u32 = digits.parse().ok()?;
        return doc(&format!("{letter}{number:02}"));
    }
    let budget = (query.chars().count() / 4).clamp(1, 3);
    all_docs()
        .into_iter()
        .filter_map(|doc| {
            let name = doc.def.name;
            let behaviour = name.split_once('/').map_or(name, |(_, behaviour)| behaviour);
            let distance = edit_distance(&query, name).min(edit_distance(&query, behaviour));
            (distance <= budget).then_some((distance, doc))
        })
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, doc)| doc)
}

/// Width prose is wrapped to, indent included.
const WIDTH: usize = 88;

/// The explanation `kensa explain CODE` prints: a title, then the sections.
pub fn explain_text(doc: &CheckDoc) -> String {
    let def = doc.def;
    let mut out = format!("{} {}\n", def.code, def.name);
    out.push_str(&format!("Check {} ({})\n", def.label, doc.group));
    for (heading, body) in sections(def) {
        let body = match body {
            Body::Prose(text) => wrap(text, "  "),
            Body::Example(message) => format!("    ! {message}\n"),
            Body::Link(url) => format!("  {url}\n"),
        };
        out.push_str(&format!("\n{heading}\n{body}"));
    }
    out
}

/// The same explanation in Markdown, for viewers that render it (SARIF's `help.markdown`,
/// which GitHub shows under an alert). The prose already marks code with backticks.
pub fn explain_markdown(doc: &CheckDoc) -> String {
    let def = doc.def;
    let mut out = format!("**{} {}**: check {} ({})\n", def.code, def.name, def.label, doc.group);
    for (heading, body) in sections(def) {
        let body = match body {
            Body::Prose(text) => text.to_string(),
            Body::Example(message) => format!("```text\n! {message}\n```"),
            Body::Link(url) => format!("<{url}>"),
        };
        out.push_str(&format!("\n## {heading}\n\n{body}\n"));
    }
    out
}

/// What a section of an explanation holds.
enum Body {
    Prose(&'static str),
    /// A message as a report prints it after `! `.
    Example(&'static str),
    Link(&'static str),
}

/// An explanation's sections, headed as `kensa explain` heads them.
fn sections(def: &'static CheckDef) -> Vec<(&'static str, Body)> {
    let mut sections = vec![
        ("What it checks", Body::Prose(def.summary)),
        ("Why Heroku needs it", Body::Prose(def.why)),
        ("Example failure", Body::Example(def.example)),
        ("How to fix it", Body::Prose(def.fix)),
        ("Reference", Body::Link(def.reference)),
    ];
    // Only a build that prints `reproduce:` lines (not the browser's) explains them.
    if cfg!(feature = "reproduce") && CHECKS.iter().any(|check| std::ptr::eq(*check, def)) {
        sections.push(("Reproduce a failure", Body::Prose(REPRODUCE)));
    }
    sections
}

/// How to use the `reproduce:` line a failed live check prints (and JSON's `curl`).
const REPRODUCE: &str = "Under the failure, `reproduce:` is the curl command that re-makes the request the check \
     complained about (JSON reports: the check's `curl` field), to replay it against the service \
     with a debugger attached. It reads the credentials from the environment instead of printing \
     them: set KENSA_ADDON_ID to the manifest's `id` and KENSA_PASSWORD to its `api.password` \
     first (for instance `export KENSA_ADDON_ID=$(jq -r .id addon-manifest.json) \
     KENSA_PASSWORD=$(jq -r .api.password addon-manifest.json)`). A check that sends wrong credentials on purpose is re-made with the wrong ones it \
     sent (the wrong parts are no secret and are printed). A replayed provision sends the run's \
     uuid again, which a provider that remembers it may refuse: change it to replay on a new \
     resource. An SSO request reads its tokens from \
     KENSA_SSO_TOKEN, KENSA_SSO_RESOURCE_TOKEN and KENSA_SSO_USER_SCOPED_RESOURCE_TOKEN: the \
     `fresh SSO tokens:` command (JSON: `curl_sign`) signs new ones; take them, and the \
     timestamp they were signed with, from its URL or form page. Any other value the report \
     redacts (an OAuth grant code) stays `[redacted]`.";

/// `text` in lines of at most [`WIDTH`] columns (a longer word gets a line of its own),
/// each starting with `indent`.
fn wrap(text: &str, indent: &str) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && indent.len() + line.len() + 1 + word.len() > WIDTH {
            out.push_str(&format!("{indent}{line}\n"));
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        out.push_str(&format!("{indent}{line}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use kensa_manifest::validate;

    /// The documentation contract: every check, manifest or live, has every section.
    #[test]
    fn every_check_has_every_section() {
        let docs = all_docs();
        assert_eq!(docs.len(), RULES.len() + CHECKS.len());
        for doc in &docs {
            let def = doc.def;
            let sections = [
                ("code", def.code),
                ("name", def.name),
                ("label", def.label),
                ("group", doc.group),
                ("what it checks", def.summary),
                ("why Heroku needs it", def.why),
                ("example failure", def.example),
                ("how to fix it", def.fix),
                ("reference", def.reference),
            ];
            for (section, text) in sections {
                assert!(!text.trim().is_empty(), "{}: no {section}", def.code);
                assert_eq!(text, text.trim(), "{}: {section} has stray whitespace", def.code);
            }
            let host = def.reference.strip_prefix("https://").map(|rest| rest.split('/').next().unwrap_or_default());
            assert!(
                host.is_some_and(|host| host.contains('.')) && !def.reference.contains(char::is_whitespace),
                "{}: the reference must be an https URL, is {:?}",
                def.code,
                def.reference
            );
            for (section, text) in [("what", def.summary), ("why", def.why), ("fix", def.fix)] {
                assert!(text.ends_with(['.', ')']), "{}: {section} should be sentences", def.code);
            }
            assert!(!def.example.contains('\n'), "{}: the example is one printed line", def.code);
        }
    }

    #[test]
    fn codes_and_names_are_unique_across_rules_and_live_checks() {
        let docs = all_docs();
        for (index, doc) in docs.iter().enumerate() {
            for other in &docs[index + 1..] {
                let (def, other) = (doc.def, other.def);
                assert!(!def.code.eq_ignore_ascii_case(other.code), "code {} is used twice", def.code);
                assert_ne!(def.name, other.name, "name {} is used twice", def.name);
            }
        }
    }

    /// Each manifest rule's example is what the rule really reports for a manifest that
    /// breaks it, so the docs cannot drift from the code.
    #[test]
    fn manifest_examples_are_what_the_rules_print() {
        let api = |fields: &str| format!(r#"{{"id": "myaddon", "api": {{{fields}}}}}"#);
        let valid = r#""regions": ["us"], "password": "p", "sso_salt": "s", "version": "3",
            "test": "http://localhost:4567/", "production": "https://yourapp.com/""#;
        let with = |field: &str| api(&format!("{valid}, {field}"));
        let cases = [
            ("M00", r#"{"id": "myaddon" "api": {}}"#.to_string()),
            ("M01", "[]".to_string()),
            ("M02", r#"{"api": {}}"#.to_string()),
            ("M03", r#"{"id": 7}"#.to_string()),
            ("M04", r#"{"id": " "}"#.to_string()),
            ("M05", r#"{"id": "My Addon"}"#.to_string()),
            ("M06", r#"{"id": "myaddon"}"#.to_string()),
            ("M07", r#"{"id": "myaddon", "api": []}"#.to_string()),
            ("M08", api("")),
            ("M09", api(r#""regions": ["eu"]"#)),
            ("M10", api(r#""regions": ["us", "mars"]"#)),
            ("M11", api("")),
            ("M12", api("")),
            ("M13", api(r#""test": {"base_url": "localhost:4567/heroku/resources"}"#)),
            ("M14", api("")),
            ("M15", api(r#""production": {"base_url": "http://yourapp.com/heroku/resources"}"#)),
            ("M16", api(r#""production": {"base_url": "https://a.com/", "sso_url": "http://yourapp.com/sso/login"}"#)),
            ("M17", with(r#""config_vars": "MYADDON_URL""#)),
            ("M18", with(r#""config_vars": ["myaddon_url"]"#)),
            ("M19", with(r#""config_vars": ["DATABASE_URL"]"#)),
            ("M20", with(r#""config_vars": ["MYADDON_URL", "MYADDON_URL"]"#)),
            ("M21", with(r#""username": "myaddon""#)),
            ("M22", with(r#""requires": ["syslog-drain"]"#)),
            ("M23", api("")),
            ("M24", api("")),
        ];
        assert_eq!(cases.len(), RULES.len(), "one case per manifest rule");
        for (rule, (code, source)) in RULES.iter().zip(&cases) {
            assert_eq!(rule.check.code, *code, "cases follow RULES order");
            let validation = validate(source.as_bytes());
            let result = validation.results.iter().find(|result| result.rule.check.code == *code);
            let messages: Vec<&str> =
                result.iter().flat_map(|result| &result.findings).map(|finding| finding.message.as_str()).collect();
            assert!(
                messages.contains(&rule.check.example),
                "{code}: example {:?} not among {messages:?}",
                rule.check.example
            );
        }
    }

    #[test]
    fn finds_checks_by_code_or_name_in_any_case() {
        assert_eq!(doc("m09").map(|doc| doc.def.name), Some("manifest/regions-include-us"));
        assert_eq!(doc(" P01 ").map(|doc| doc.group), Some("provision"));
        assert_eq!(doc("SSO/LOGS-IN").map(|doc| doc.def.code), Some("S05"));
        assert_eq!(doc("R05").map(|doc| doc.group), Some("config data"));
        assert_eq!(doc("M99"), None);
    }

    #[test]
    fn suggests_the_check_a_typo_meant() {
        assert_eq!(did_you_mean("m9").map(|doc| doc.def.code), Some("M09"));
        assert_eq!(did_you_mean("s007").map(|doc| doc.def.code), Some("S07"));
        assert_eq!(did_you_mean("regions-include-us").map(|doc| doc.def.code), Some("M09"));
        assert_eq!(did_you_mean("sso/logs-inn").map(|doc| doc.def.code), Some("S05"));
        assert_eq!(did_you_mean("M99"), None);
        assert_eq!(did_you_mean("frobnicate"), None);
    }

    #[test]
    fn explains_in_fixed_sections() {
        let text = explain_text(&doc("M09").unwrap_or_else(|| panic!("M09")));
        assert!(text.starts_with("M09 manifest/regions-include-us\nCheck contains at least the US region (manifest api key)\n\nWhat it checks\n  `api.regions` contains `us` or `*`.\n\nWhy Heroku needs it\n  "), "{text}");
        assert!(
            text.contains("\nExample failure\n    ! `api.regions` must include `us` or `*`\n\nHow to fix it\n  "),
            "{text}"
        );
        assert!(text.ends_with("\nReference\n  https://devcenter.heroku.com/articles/add-on-manifest\n"), "{text}");
        assert!(!text.contains("Reproduce a failure"), "a manifest rule makes no request: {text}");
        let live = explain_text(&doc("P01").unwrap_or_else(|| panic!("P01")));
        assert!(
            live.contains("\nReproduce a failure\n  Under the failure, `reproduce:` is the curl command"),
            "{live}"
        );
        assert!(live.contains("KENSA_ADDON_ID") && live.contains("KENSA_PASSWORD"), "{live}");
        for doc in all_docs() {
            let text = explain_text(&doc);
            let prose = text.lines().filter(|line| !line.starts_with("    ! ") && line.trim().contains(' '));
            assert!(prose.clone().all(|line| line.len() <= WIDTH), "{}: {text}", doc.def.code);
        }
    }

    /// The Markdown explanation has the same sections, unwrapped, the example as code.
    #[test]
    fn explains_in_markdown_with_the_same_sections() {
        let m09 = doc("M09").unwrap_or_else(|| panic!("M09"));
        let markdown = explain_markdown(&m09);
        assert!(
            markdown.starts_with("**M09 manifest/regions-include-us**: check contains at least the US region (manifest api key)\n\n## What it checks\n\n`api.regions` contains `us` or `*`.\n\n## Why Heroku needs it\n\n"),
            "{markdown}"
        );
        assert!(
            markdown.contains("\n## Example failure\n\n```text\n! `api.regions` must include `us` or `*`\n```\n"),
            "{markdown}"
        );
        assert!(
            markdown.ends_with("\n## Reference\n\n<https://devcenter.heroku.com/articles/add-on-manifest>\n"),
            "{markdown}"
        );
        for doc in all_docs() {
            let headings = |text: &str, prefix: &str| -> Vec<String> {
                text.lines().filter_map(|line| line.strip_prefix(prefix)).map(str::to_string).collect()
            };
            let text = explain_text(&doc);
            let text_headings: Vec<String> = text
                .lines()
                .filter(|line| !line.is_empty() && !line.starts_with(' '))
                .skip(2)
                .map(str::to_string)
                .collect();
            assert_eq!(headings(&explain_markdown(&doc), "## "), text_headings, "{}", doc.def.code);
            assert!(explain_markdown(&doc).contains(doc.def.fix), "{}", doc.def.code);
        }
    }

    #[test]
    fn wraps_prose_at_the_width() {
        let text = "word ".repeat(40);
        let wrapped = wrap(&text, "  ");
        assert!(wrapped.lines().all(|line| line.len() <= WIDTH && line.starts_with("  word")), "{wrapped}");
        assert_eq!(wrapped.split_whitespace().count(), 40);
    }
}
