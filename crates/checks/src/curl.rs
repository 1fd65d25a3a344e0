//! The `curl` command that re-makes a failed check's request, from what the report keeps.
//!
//! The report's exchanges are already redacted, so the command is built from that record
//! and puts each secret back as a shell variable, never as a value: the Basic credential as
//! `-u "$KENSA_ADDON_ID:$KENSA_PASSWORD"`, each SSO token as `$KENSA_SSO_TOKEN` (and its
//! siblings) beside the `kensa sso` command that signs fresh ones. Everything else is
//! provider or manifest text, so it is quoted for the shell and shown terminal-safe.
//!
//! Without the feature `reproduce` (the browser build: its page download has a budget, and
//! a page has no shell to paste into) no failure gets a command, and the optimiser drops
//! the builder.

use crate::checks::config::{
    CONFIG_KEYS_DECLARED, CONFIG_KEYS_PRESENT, CONFIG_OBJECT, CONFIG_URLS, CONFIG_VALUES_STRINGS,
};
use crate::checks::deprovision::DEPROVISION_AUTH;
use crate::checks::plan_change::PLAN_CHANGE_AUTH;
use crate::checks::provision::{
    PROVISION_AUTH, PROVISION_JSON, PROVISION_RESPONSE, RESPONSE_ID, RESPONSE_ID_NOT_HEROKU_ID, RESPONSE_LOG_DRAIN,
};
use crate::encoding::is_unsafe_char;
use crate::redact::{REDACTED, TOKEN_FIELDS};
use crate::report::{CheckReport, Exchange, Outcome};
use kensa_manifest::CheckDef;

/// How to re-make a failed check's request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reproduction {
    /// The `curl` command line, safe to print and to paste into a POSIX shell.
    pub curl: String,
    /// For an SSO request: the command that signs fresh tokens (and a timestamp to go
    /// with them), whose values go into the `KENSA_SSO_*` variables the command reads.
    pub sign: Option<String>,
}

/// The request to re-make for `check`, if it failed after making one: the last exchange
/// whose status is the one the check complained about, else its last exchange.
pub fn reproduction(check: &CheckReport) -> Option<Reproduction> {
    if !cfg!(feature = "reproduce") || check.outcome != Outcome::Failed {
        return None;
    }
    let got = check.got.as_deref().and_then(|got| got.trim().parse::<u16>().ok());
    // The authentication checks record their three probes first, in `bad_credentials`
    // order; what follows is clean-up.
    let probes = if AUTH_CHECKS.iter().any(|def| def.code == check.code) { PROBE_CREDENTIALS.len() } else { 0 };
    if let Some(got) = got
        && let Some(index) = check.exchanges.iter().take(probes).rposition(|exchange| exchange.status == Some(got))
    {
        return Some(reproduce_with(&check.exchanges[index], PROBE_CREDENTIALS[index]));
    }
    let exchange = got
        .and_then(|got| check.exchanges.iter().rev().find(|exchange| exchange.status == Some(got)))
        .or_else(|| check.exchanges.last())?;
    Some(reproduce(exchange))
}

/// Finds each failed check's request as a report's checks go by, in order: a check that
/// judges the provision's answer without a request of its own (valid JSON, the id, the
/// config) re-makes the provision [`PROVISION_RESPONSE`] recorded.
#[derive(Clone, Debug, Default)]
pub struct Reproducer {
    provision: Option<Exchange>,
}

impl Reproducer {
    /// How to re-make the request `check` failed on, if it failed on one.
    pub fn next(&mut self, check: &CheckReport) -> Option<Reproduction> {
        if !cfg!(feature = "reproduce") {
            return None;
        }
        if check.code == PROVISION_RESPONSE.code {
            self.provision = check.exchanges.last().cloned();
        }
        let judges_the_provision =
            check.exchanges.is_empty() && JUDGES_THE_PROVISION.iter().any(|def| def.code == check.code);
        match &self.provision {
            Some(provision) if judges_the_provision && check.outcome == Outcome::Failed => Some(reproduce(provision)),
            _ => reproduction(check),
        }
    }
}

/// The checks that read the provision's answer and send nothing.
static JUDGES_THE_PROVISION: [&CheckDef; 9] = [
    &PROVISION_JSON,
    &RESPONSE_ID,
    &RESPONSE_ID_NOT_HEROKU_ID,
    &RESPONSE_LOG_DRAIN,
    &CONFIG_OBJECT,
    &CONFIG_KEYS_DECLARED,
    &CONFIG_KEYS_PRESENT,
    &CONFIG_VALUES_STRINGS,
    &CONFIG_URLS,
];

/// The checks that send [`crate::credentials::bad_credentials`].
static AUTH_CHECKS: [&CheckDef; 3] = [&PROVISION_AUTH, &PLAN_CHANGE_AUTH, &DEPROVISION_AUTH];

/// The `-u` value of each authentication probe, as shell text: the wrong username and
/// password are no secret, the right ones come from the environment. (A manifest whose
/// password is the wrong one itself is probed with another, which this cannot know.)
const PROBE_CREDENTIALS: [&str; 3] = [
    concat!("\"$KENSA_ADDON_ID", "-kensa-wrong-user", ":$KENSA_PASSWORD\""),
    concat!("\"$KENSA_ADDON_ID:", "kensa-wrong-password", "\""),
    concat!("\"$KENSA_ADDON_ID", "-kensa-wrong-user", ":", "kensa-wrong-password", "\""),
];

/// The credentials kensa sends with every other request.
const MANIFEST_CREDENTIALS: &str = r#""$KENSA_ADDON_ID:$KENSA_PASSWORD""#;

/// The command line re-making `exchange` with the manifest's credentials.
pub fn reproduce(exchange: &Exchange) -> Reproduction {
    reproduce_with(exchange, MANIFEST_CREDENTIALS)
}

/// The command line re-making `exchange`, a redacted Basic credential sent as `credentials`.
fn reproduce_with(exchange: &Exchange, credentials: &'static str) -> Reproduction {
    let mut words = vec![Word::literal("curl"), Word::literal("-i"), Word::literal("--globoff")];
    match exchange.method.as_str() {
        "GET" => {}
        // `-X HEAD` would wait for a body that never comes.
        "HEAD" => words.push(Word::literal("--head")),
        method => words.extend([Word::literal("-X"), Word::quoted(method)]),
    }
    let mut signs_in = false;
    for (name, value) in &exchange.request_headers {
        let basic = value.strip_prefix("Basic ").or_else(|| value.strip_prefix("basic "));
        if name.eq_ignore_ascii_case("authorization") && basic == Some(REDACTED) {
            words.push(Word::literal("-u"));
            words.push(Word::literal(credentials));
        } else if value.contains(REDACTED) {
            // A cookie or another credential the provider handed out: not kensa's to put back.
            continue;
        } else {
            words.push(Word::literal("-H"));
            // `Name;` is curl's spelling of a header sent with an empty value.
            let header = if value.is_empty() { format!("{name};") } else { format!("{name}: {value}") };
            words.push(Word::quoted(&header));
        }
    }
    if let Some(body) = &exchange.request_body {
        let (body, tokens) = with_token_variables(body);
        signs_in |= tokens;
        words.push(Word::literal("--data-raw"));
        words.push(body);
    }
    let (url, tokens) = with_token_variables(&exchange.url);
    signs_in |= tokens;
    // `--url` so that a URL starting with `-` is not read as an option.
    words.extend([Word::literal("--url"), url]);
    let curl = words.iter().map(Word::shell).collect::<Vec<_>>().join(" ");
    let sign = signs_in.then(|| sign_command(exchange));
    Reproduction { curl, sign }
}

/// `kensa sso KEY --no-browser`, KEY the resource the request signed in to: Heroku's
/// uuid (`resource_id`, v3), else the provider's id (a form's `id`, the legacy GET's path).
fn sign_command(exchange: &Exchange) -> String {
    let form = exchange.request_body.as_deref().unwrap_or_default();
    let id = form_value(form, "resource_id")
        .or_else(|| form_value(form, "id"))
        .or_else(|| {
            let path = exchange.url.split(['?', '#']).next().unwrap_or_default();
            path.rsplit_once("/heroku/resources/").map(|(_, id)| percent_decoded(id))
        })
        .filter(|id| !id.is_empty());
    match id {
        Some(id) => format!("kensa sso {} --no-browser", Word::quoted(&id).shell()),
        None => "kensa sso --no-browser".to_string(),
    }
}

fn form_value(form: &str, name: &str) -> Option<String> {
    form.split('&')
        .find_map(|pair| pair.split_once('=').filter(|(key, _)| *key == name).map(|(_, v)| percent_decoded(v)))
}

/// `%XX` and `+` decoded, as a form or path holds them.
fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let hex = |at: usize| bytes.get(at).and_then(|b| char::from(*b).to_digit(16));
        match (bytes[index], hex(index + 1), hex(index + 2)) {
            (b'%', Some(high), Some(low)) => {
                out.push(u8::try_from(high * 16 + low).unwrap_or_default());
                index += 3;
            }
            (b'+', ..) => {
                out.push(b' ');
                index += 1;
            }
            (byte, ..) => {
                out.push(byte);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `text` (a URL or form) with each redacted SSO token field's value read from its
/// `KENSA_SSO_*` variable instead; true when there was one.
fn with_token_variables(text: &str) -> (Word, bool) {
    let mut parts = Vec::new();
    let mut literal = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(REDACTED) {
        let before = &rest[..at];
        let field = TOKEN_FIELDS.iter().find(|name| {
            before
                .strip_suffix('=')
                .and_then(|before| before.strip_suffix(**name))
                .is_some_and(|start| start.is_empty() || start.ends_with(['&', '?']))
        });
        match field {
            Some(name) => {
                literal.push_str(before);
                parts.push(Part::Text(std::mem::take(&mut literal)));
                parts.push(Part::Variable(token_variable(name)));
            }
            None => literal.push_str(&rest[..at + REDACTED.len()]),
        }
        rest = &rest[at + REDACTED.len()..];
    }
    literal.push_str(rest);
    let replaced = parts.iter().any(|part| matches!(part, Part::Variable(_)));
    parts.push(Part::Text(literal));
    (Word(parts), replaced)
}

/// The variable that holds the SSO token field `name`: `KENSA_SSO_TOKEN`, ...
fn token_variable(name: &str) -> &'static str {
    match name {
        "resource_token" => "KENSA_SSO_RESOURCE_TOKEN",
        "user_scoped_resource_token" => "KENSA_SSO_USER_SCOPED_RESOURCE_TOKEN",
        _ => "KENSA_SSO_TOKEN",
    }
}

/// One shell word, made of literal text and variables expanded in place.
struct Word(Vec<Part>);

enum Part {
    /// kensa's own text, which needs no quoting.
    Bare(&'static str),
    Text(String),
    Variable(&'static str),
}

impl Word {
    /// A word kensa wrote itself, printed bare.
    fn literal(text: &'static str) -> Word {
        Word(vec![Part::Bare(text)])
    }

    fn quoted(text: &str) -> Word {
        Word(vec![Part::Text(text.to_string())])
    }

    /// The word as the shell reads it: text single-quoted, variables double-quoted.
    fn shell(&self) -> String {
        let word: String = self
            .0
            .iter()
            .map(|part| match part {
                Part::Bare(text) => (*text).to_string(),
                Part::Text(text) if text.is_empty() => String::new(),
                Part::Text(text) => quote(text),
                Part::Variable(name) => format!("\"${name}\""),
            })
            .collect();
        if word.is_empty() { "''".to_string() } else { word }
    }
}

/// `text` as one shell word that reads back as exactly `text` and prints safely:
/// `'...'` with each `'` as `'\''`, or, when `text` holds a character a terminal would act
/// on or not show, `$'...'` with such characters as `\xHH` escapes of their UTF-8 bytes
/// (bash, zsh, ksh and POSIX.1-2024 shells read both).
pub fn quote(text: &str) -> String {
    if text.is_empty() {
        return "''".to_string();
    }
    if !text.chars().any(is_unsafe_char) {
        return format!("'{}'", text.replace('\'', r"'\''"));
    }
    let mut out = String::from("$'");
    for c in text.chars() {
        match c {
            '\\' => out.push_str(r"\\"),
            '\'' => out.push_str(r"\'"),
            c if is_unsafe_char(c) => {
                for byte in c.encode_utf8(&mut [0; 4]).bytes() {
                    out.push_str(&format!("\\x{byte:02x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::HOSTILE;

    /// What a POSIX shell makes of `word` (single quotes and `'\''` only, the form every
    /// word without unsafe characters takes).
    fn unquoted(word: &str) -> String {
        let mut out = String::new();
        let mut quoted = false;
        let mut chars = word.chars();
        while let Some(c) = chars.next() {
            match (quoted, c) {
                (_, '\'') => quoted = !quoted,
                (false, '\\') => out.extend(chars.next()),
                (true, c) => out.push(c),
                (false, c) => panic!("{c:?} outside quotes in {word}"),
            }
        }
        assert!(!quoted, "unterminated: {word}");
        out
    }

    fn exchange(method: &str, url: &str) -> Exchange {
        Exchange {
            method: method.to_string(),
            url: url.to_string(),
            request_headers: Vec::new(),
            request_body: None,
            status: Some(422),
            response_headers: Vec::new(),
            response_body: None,
            error: None,
            timing: None,
        }
    }

    fn failed(exchanges: Vec<Exchange>, got: Option<&str>) -> CheckReport {
        CheckReport {
            code: "P01".to_string(),
            name: "provision/responds".to_string(),
            label: "response".to_string(),
            outcome: Outcome::Failed,
            reason: None,
            findings: Vec::new(),
            expected: Some("200".to_string()),
            got: got.map(str::to_string),
            note: None,
            duration_ms: None,
            exchanges,
        }
    }

    #[test]
    fn single_quotes_survive_as_quote_backslash_quote() {
        for text in ["it's", "'", "''", "a'b'c", "'; rm -rf ~ #", "$(id) `id` $HOME \"x\" \\ * ? [a] {b} ~ !"] {
            let word = quote(text);
            assert!(word.starts_with('\'') && word.ends_with('\''), "{word}");
            assert_eq!(unquoted(&word), text);
        }
        assert_eq!(quote("it's"), r"'it'\''s'");
        assert_eq!(quote(""), "''");
    }

    /// Escape sequences, carriage returns, newlines, C1 controls and bidi overrides reach
    /// the terminal only as `\xHH` text inside `$'...'`.
    #[test]
    fn unsafe_characters_are_quoted_as_escapes() {
        let word = quote(HOSTILE);
        assert!(!word.chars().any(is_unsafe_char), "{word:?}");
        assert!(word.starts_with("$'id\\x1b[2J\\x1b]0;owned\\x07\\x0d  Check fake [PASS]\\x0a"), "{word}");
        assert!(word.ends_with("\\x00\\x7f\\xc2\\x9b31m\\xe2\\x80\\xae'"), "{word}");
        assert_eq!(quote("a\n'b\\"), r"$'a\x0a\'b\\'");
    }

    #[test]
    fn basic_credentials_come_from_the_environment() {
        let mut sent = exchange("POST", "http://127.0.0.1:4567/heroku/resources");
        sent.request_headers = vec![
            ("Authorization".to_string(), "Basic [redacted]".to_string()),
            ("Content-Type".to_string(), "application/json".to_string()),
            ("Cookie".to_string(), "[redacted]".to_string()),
            ("X-Empty".to_string(), String::new()),
        ];
        sent.request_body = Some(r#"{"plan":"test","note":"it's"}"#.to_string());
        let reproduction = reproduce(&sent);
        assert_eq!(
            reproduction.curl,
            r#"curl -i --globoff -X 'POST' -u "$KENSA_ADDON_ID:$KENSA_PASSWORD" -H 'Content-Type: application/json' -H 'X-Empty;' --data-raw '{"plan":"test","note":"it'\''s"}' --url 'http://127.0.0.1:4567/heroku/resources'"#
        );
        assert_eq!(reproduction.sign, None);
        assert!(!reproduction.curl.contains("redacted"), "{}", reproduction.curl);
    }

    #[test]
    fn sso_tokens_are_variables_beside_the_command_that_signs_them() {
        let mut sent = exchange("POST", "http://127.0.0.1:4567/sso/login");
        sent.request_body = Some(
            "id=o'k%20id&token=[redacted]&resource_token=[redacted]&user_scoped_resource_token=[redacted]&timestamp=5"
                .to_string(),
        );
        let reproduction = reproduce(&sent);
        assert!(
            reproduction.curl.ends_with(
                r#"--data-raw 'id=o'\''k%20id&token='"$KENSA_SSO_TOKEN"'&resource_token='"$KENSA_SSO_RESOURCE_TOKEN"'&user_scoped_resource_token='"$KENSA_SSO_USER_SCOPED_RESOURCE_TOKEN"'&timestamp=5' --url 'http://127.0.0.1:4567/sso/login'"#
            ),
            "{}",
            reproduction.curl
        );
        assert_eq!(reproduction.sign.as_deref(), Some(r"kensa sso 'o'\''k id' --no-browser"));

        let legacy = reproduce(&exchange("GET", "http://h/heroku/resources/42?token=[redacted]&timestamp=1"));
        assert_eq!(
            legacy.curl,
            r#"curl -i --globoff --url 'http://h/heroku/resources/42?token='"$KENSA_SSO_TOKEN"'&timestamp=1'"#
        );
        assert_eq!(legacy.sign.as_deref(), Some("kensa sso '42' --no-browser"));
    }

    /// A redacted value that is no token field stays as the report shows it.
    #[test]
    fn other_redacted_text_is_kept_as_recorded() {
        let reproduction = reproduce(&exchange("GET", "http://h/x?note=[redacted]&mytoken=[redacted]"));
        assert!(reproduction.curl.ends_with("--url 'http://h/x?note=[redacted]&mytoken=[redacted]'"));
        assert_eq!(reproduction.sign, None);
    }

    #[test]
    fn hostile_requests_stay_one_safe_line() {
        let mut sent = exchange(HOSTILE, HOSTILE);
        sent.request_headers = vec![(HOSTILE.to_string(), HOSTILE.to_string())];
        sent.request_body = Some(HOSTILE.to_string());
        let curl = reproduce(&sent).curl;
        assert!(!curl.chars().any(is_unsafe_char), "{curl:?}");
        assert_eq!(curl.matches("$'id\\x1b[2J").count(), 4, "{curl}");
        assert_eq!(reproduce(&exchange("HEAD", "-x")).curl, "curl -i --globoff --head --url '-x'");
    }

    /// The literals in `PROBE_CREDENTIALS` are the ones the probes send.
    #[test]
    fn each_authentication_probe_is_reproduced_with_its_wrong_credentials() {
        use crate::credentials::{WRONG_PASSWORD, WRONG_USER_SUFFIX};
        assert_eq!(
            PROBE_CREDENTIALS.map(str::to_string),
            [
                format!("\"$KENSA_ADDON_ID{WRONG_USER_SUFFIX}:$KENSA_PASSWORD\""),
                format!("\"$KENSA_ADDON_ID:{WRONG_PASSWORD}\""),
                format!("\"$KENSA_ADDON_ID{WRONG_USER_SUFFIX}:{WRONG_PASSWORD}\""),
            ]
        );
        let probe = |status: u16| {
            let mut sent = exchange("DELETE", "http://h/heroku/resources/u");
            sent.request_headers = vec![("Authorization".to_string(), "Basic [redacted]".to_string())];
            sent.status = Some(status);
            sent
        };
        let clean_up = probe(200);
        let check = |statuses: [u16; 3]| CheckReport {
            code: DEPROVISION_AUTH.code.to_string(),
            expected: Some("401".to_string()),
            ..failed(statuses.map(probe).into_iter().chain([clean_up.clone()]).collect(), Some("200"))
        };
        let curl = |statuses| reproduction(&check(statuses)).unwrap().curl;
        assert!(
            curl([401, 200, 401]).contains(r#" -u "$KENSA_ADDON_ID:kensa-wrong-password" "#),
            "{}",
            curl([401, 200, 401])
        );
        assert!(curl([200, 401, 401]).contains(r#" -u "$KENSA_ADDON_ID-kensa-wrong-user:$KENSA_PASSWORD" "#));
        assert!(curl([200, 200, 200]).contains(r#" -u "$KENSA_ADDON_ID-kensa-wrong-user:kensa-wrong-password" "#));
        // Another check's exchanges carry the manifest's credentials.
        let other = CheckReport { code: "P01".to_string(), ..check([200, 200, 200]) };
        assert!(reproduction(&other).unwrap().curl.contains(r#" -u "$KENSA_ADDON_ID:$KENSA_PASSWORD" "#));
    }

    /// R04 sends nothing: it judges the provision's answer, so its line re-makes that.
    #[test]
    fn a_check_on_the_provision_answer_reproduces_the_provision() {
        let provision = CheckReport {
            outcome: Outcome::Passed,
            ..failed(vec![exchange("POST", "http://h/heroku/resources")], None)
        };
        let config = CheckReport { code: CONFIG_OBJECT.code.to_string(), ..failed(Vec::new(), None) };
        let mut reproducer = Reproducer::default();
        assert_eq!(reproducer.next(&config), None, "no provision seen yet");
        assert_eq!(reproducer.next(&provision), None, "it passed");
        let line = reproducer.next(&config).unwrap().curl;
        assert!(line.ends_with("--url 'http://h/heroku/resources'"), "{line}");
        let unrelated = CheckReport { code: "X01".to_string(), ..failed(Vec::new(), None) };
        assert_eq!(reproducer.next(&unrelated), None);
    }

    #[test]
    fn picks_the_exchange_whose_status_the_check_got() {
        let mut first = exchange("GET", "http://h/first");
        first.status = Some(500);
        let mut last = exchange("GET", "http://h/last");
        last.status = Some(401);
        let check = failed(vec![first.clone(), last.clone()], Some("500"));
        assert!(reproduction(&check).unwrap().curl.ends_with("'http://h/first'"));
        let check = failed(vec![first.clone(), last.clone()], Some("a list"));
        assert!(reproduction(&check).unwrap().curl.ends_with("'http://h/last'"));
        assert_eq!(reproduction(&failed(Vec::new(), Some("500"))), None);
        let passed = CheckReport { outcome: Outcome::Passed, ..failed(vec![first], None) };
        assert_eq!(reproduction(&passed), None);
    }
}
