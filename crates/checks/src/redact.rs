//! What never reaches a report: the secrets kensa holds or sends (the manifest's password
//! and salt, every Basic credential it sends, grant codes, SSO tokens), wherever a provider
//! echoes them and in whatever form kensa sent them.

use crate::encoding::base64;
use crate::report::Exchange;
use crate::transport::{Request, Response};
use kensa_manifest::Manifest;

pub(crate) const REDACTED: &str = "[redacted]";

/// Form fields, query parameters and JSON keys that carry a signed SSO token.
pub(crate) const TOKEN_FIELDS: [&str; 3] = ["token", "resource_token", "user_scoped_resource_token"];

/// Headers whose whole value is a credential.
const CREDENTIAL_HEADERS: [&str; 4] = ["authorization", "proxy-authorization", "cookie", "set-cookie"];

/// Shorter values are not redacted: they would blank ordinary words.
const MIN_SECRET_LEN: usize = 4;

/// Bodies and messages are kept short in the report; anything past this is cut (after
/// redaction, so a cut never leaves part of a secret).
const KEEP_BYTES: usize = 4096;

/// The secrets of one run, and the rules that blank them.
#[derive(Clone, Debug, Default)]
pub(crate) struct Redactor {
    /// Longest first, so that a secret inside another never leaves the rest of it behind.
    secrets: Vec<String>,
}

impl Redactor {
    /// The manifest's password and salt, and each Basic credential kensa sends with them:
    /// the real one and the three wrong-credential probes (two of which carry the real
    /// password), as bare base64 (which also covers `Basic <base64>`) with and without its
    /// padding, and decoded when the password is too short to be blanked alone.
    pub(crate) fn learn_manifest(&mut self, manifest: &Manifest) {
        let password = manifest.api.password.expose();
        self.add(password);
        if let Some(salt) = &manifest.api.sso_salt {
            self.add(salt.expose());
        }
        let probes = crate::credentials::bad_credentials(manifest).map(|(_, user, password)| (user, password));
        for (user, password) in [(manifest.id.clone(), password.to_string())].into_iter().chain(probes) {
            let pair = format!("{user}:{password}");
            let encoded = base64(pair.as_bytes());
            self.add(encoded.trim_end_matches('='));
            self.add(&encoded);
            if password.len() < MIN_SECRET_LEN {
                self.add(&pair);
            }
        }
    }

    /// Adds a value that must never appear in the report, such as a token. Every spelling
    /// of it is blanked (see [`crate::spellings`]), so one entry covers its escapes.
    pub(crate) fn add(&mut self, secret: &str) {
        if secret.len() < MIN_SECRET_LEN || self.secrets.iter().any(|known| known == secret) {
            return;
        }
        self.keep(secret.to_string());
    }

    /// Inserts where the longest-first order keeps it (no sort routine in the bundle).
    fn keep(&mut self, secret: String) {
        let at = self.secrets.partition_point(|known| known.len() >= secret.len());
        self.secrets.insert(at, secret);
    }

    /// `text` with every known secret, in any spelling, and every SSO token field's value
    /// blanked.
    pub(crate) fn text(&self, text: &str) -> String {
        crate::spellings::blank(&blank_token_fields(text), &self.secrets, REDACTED)
    }

    /// A header value: credentials whole (keeping an Authorization scheme), others as text.
    pub(crate) fn header(&self, name: &str, value: &str) -> String {
        let name = name.to_ascii_lowercase();
        if !CREDENTIAL_HEADERS.contains(&name.as_str()) {
            return self.text(value);
        }
        match value.split_once(' ') {
            Some((scheme, _)) if name.ends_with("authorization") => format!("{} {REDACTED}", self.text(scheme)),
            _ => REDACTED.to_string(),
        }
    }

    /// A body as text, redacted, then cut to its first 4 KiB.
    pub(crate) fn body(&self, body: &[u8]) -> String {
        cut(self.text(&String::from_utf8_lossy(body)), body.len())
    }

    /// A check's message (or expected, got, note), redacted, then cut like a body: it may
    /// quote a provider's text (its `message`, an id, a config key) of any length.
    pub(crate) fn message(&self, message: &str) -> String {
        cut(self.text(message), message.len())
    }

    /// The report's record of `request`, before any answer.
    pub(crate) fn request(&self, request: &Request) -> Exchange {
        Exchange {
            method: request.method.to_string(),
            url: self.text(&request.url),
            request_headers: self.headers(&request.headers),
            request_body: request.body.as_deref().map(|body| self.body(body)),
            status: None,
            response_headers: Vec::new(),
            response_body: None,
            error: None,
            timing: None,
        }
    }

    /// Adds `response` to the record of its request.
    pub(crate) fn response(&self, exchange: &mut Exchange, response: &Response) {
        exchange.status = Some(response.status);
        exchange.response_headers = self.headers(&response.headers);
        exchange.response_body = Some(self.body(&response.body));
    }

    fn headers(&self, headers: &[(String, String)]) -> Vec<(String, String)> {
        headers.iter().map(|(name, value)| (self.text(name), self.header(name, value))).collect()
    }
}

/// The secrets a run with `manifest` sends: its password and salt and each Basic
/// credential, real and wrong, for [`redact_secrets`].
pub fn manifest_secrets(manifest: &Manifest) -> Vec<String> {
    let mut redactor = Redactor::default();
    redactor.learn_manifest(manifest);
    redactor.secrets
}

/// `text` with every spelling of each of `secrets` (as sent, escaped or encoded, see
/// [`crate::spellings`]) shown as `[redacted]`: for what a host prints outside a report,
/// such as an API's answer to a request that carried a token.
pub fn redact_secrets(text: &str, secrets: &[impl AsRef<str>]) -> String {
    let mut redactor = Redactor::default();
    for secret in secrets.iter().map(AsRef::as_ref).filter(|secret| !secret.is_empty()) {
        redactor.keep(secret.to_string());
    }
    crate::spellings::blank(text, &redactor.secrets, REDACTED)
}

/// `text` cut to its first [`KEEP_BYTES`], saying how long the original (`total` bytes) was.
pub(crate) fn cut(mut text: String, total: usize) -> String {
    if text.len() > KEEP_BYTES {
        let mut end = KEEP_BYTES;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        text.push_str(&format!("... ({total} bytes in all)"));
    }
    text
}

/// Blanks the value of every SSO token field: `token=VALUE` in a query string or form
/// (up to `&` or the end of the word) and `"token": "VALUE"` in JSON.
fn blank_token_fields(text: &str) -> String {
    if !text.contains("token") {
        return text.to_string();
    }
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut index = 0;
    while let Some(found) = text[index..].find("token") {
        let start = index + found;
        index = start + "token".len();
        // The field name ends here; find where it began.
        let Some(name) = TOKEN_FIELDS.iter().find(|name| {
            start + "token".len() >= name.len()
                && text[..start + "token".len()].ends_with(*name)
                && text[..start + "token".len() - name.len()]
                    .chars()
                    .next_back()
                    .is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        }) else {
            continue;
        };
        let name_start = start + "token".len() - name.len();
        let after = &text[index..];
        let value = if let Some(value) = after.strip_prefix('=') {
            let length = value.find(|c: char| matches!(c, '&' | '#' | '"' | '\'' | '<' | ')') || c.is_whitespace());
            Some((index + 1, index + 1 + length.unwrap_or(value.len())))
        } else if name_start > 0 && bytes[name_start - 1] == b'"' && after.starts_with('"') {
            json_string_value(text, index + 1)
        } else {
            None
        };
        if let Some((from, to)) = value.filter(|(from, to)| from < to && &text[*from..*to] != REDACTED) {
            out.push_str(&text[copied..from]);
            out.push_str(REDACTED);
            copied = to;
            index = to;
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// The byte range of the string value after a JSON key that ends just before `at`
/// (`: "VALUE"`), without its quotes.
fn json_string_value(text: &str, at: usize) -> Option<(usize, usize)> {
    let rest = &text[at..];
    let colon = rest.trim_start().strip_prefix(':')?;
    let value = colon.trim_start().strip_prefix('"')?;
    let from = text.len() - value.len();
    let mut escaped = false;
    for (offset, c) in value.char_indices() {
        match c {
            '\\' if !escaped => escaped = true,
            '"' if !escaped => return Some((from, from + offset)),
            _ => escaped = false,
        }
    }
    Some((from, text.len()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::basic_auth;
    use crate::transport::Method;

    fn manifest() -> Manifest {
        let source = br#"{"id": "myaddon", "api": {"config_vars": ["MYADDON_URL"], "password": "pa\"ss-word-1234",
            "sso_salt": "salt-salt-5678", "regions": ["us"], "requires": [],
            "production": {"base_url": "https://x.example.com/heroku/resources"},
            "test": {"base_url": "http://localhost:4567/heroku/resources"}}}"#;
        kensa_manifest::validate(source).manifest.expect("a valid manifest")
    }

    fn redactor() -> Redactor {
        let mut redactor = Redactor::default();
        redactor.learn_manifest(&manifest());
        redactor
    }

    /// A provider may echo any credential kensa sends, in any encoding, so every one is
    /// blanked, not only the password.
    #[test]
    fn blanks_the_password_salt_and_every_basic_credential_sent() {
        let redactor = redactor();
        let password = "pa\"ss-word-1234";
        for (user, sent) in [
            ("myaddon", password),
            ("myaddon-kensa-wrong-user", password),
            ("myaddon", "kensa-wrong-password"),
            ("myaddon-kensa-wrong-user", "kensa-wrong-password"),
        ] {
            let header = basic_auth(user, sent);
            let bare = header.trim_start_matches("Basic ");
            let echo = format!("you sent {header} ({bare}) as {user}:{sent}");
            let shown = redactor.text(&echo);
            assert!(!shown.contains(bare) && !shown.contains(password), "{shown}");
            assert!(shown.starts_with("you sent Basic [redacted] ([redacted])"), "{shown}");
        }
        assert_eq!(
            redactor.text("salt-salt-5678 and {\"p\": \"pa\\\"ss-word-1234\"}"),
            "[redacted] and {\"p\": \"[redacted]\"}"
        );
    }

    fn redactor_for(password: &str) -> Redactor {
        let source = serde_json::json!({"id": "myaddon", "api": {"config_vars": ["MYADDON_URL"], "password": password,
            "regions": ["us"], "requires": [], "production": {"base_url": "https://x.example.com/heroku/resources"},
            "test": {"base_url": "http://localhost:4567/heroku/resources"}}});
        let manifest = kensa_manifest::validate(source.to_string().as_bytes()).manifest.expect("a valid manifest");
        let mut redactor = Redactor::default();
        redactor.learn_manifest(&manifest);
        redactor
    }

    /// A provider that re-encodes what it echoes (JSON escapes, percent-encoding in a
    /// header, a URL, a form) gets the password and the Basic credential blanked all the same.
    #[test]
    fn blanks_credentials_a_provider_re_encodes() {
        let password = "p/a+s=s€ü";
        let redactor = redactor_for(password);
        let header = basic_auth("myaddon", password);
        let bare = header.trim_start_matches("Basic ");
        assert!(bare.contains(['+', '/', '=']), "the base64 needs escaping: {bare}");
        let json_escaped: String = header
            .chars()
            .map(|c| match c {
                '/' => "\\/".to_string(),
                '+' => "\\u002B".to_string(),
                '=' => "\\u003d".to_string(),
                c => c.to_string(),
            })
            .collect();
        let percent = |text: &str| -> String {
            text.bytes()
                .map(|b| if b.is_ascii_alphanumeric() { char::from(b).to_string() } else { format!("%{b:02x}") })
                .collect()
        };
        for echo in [
            format!("{{\"auth\": \"{json_escaped}\"}}"),
            percent(&header),
            format!("/next?auth={}&p={}", percent(bare), percent(password)),
            format!("p={}", percent(password).replace("%20", "+")),
            format!("unpadded {}", bare.trim_end_matches('=')),
            "p\\/a\\u002bs\\u003ds\\u20ac\\u00FC".to_string(),
        ] {
            let shown = redactor.header("X-Echo", &echo);
            assert!(!shown.contains("bXlhZGRvbj") && !shown.contains("a%2b") && !shown.contains("s\\u003d"), "{shown}");
            assert!(shown.contains("[redacted]"), "{echo} -> {shown}");
        }
    }

    /// A password too short to blank alone (it would blank ordinary words) is blanked as the
    /// decoded `user:password` of its Basic credential.
    #[test]
    fn blanks_a_short_password_as_its_decoded_credential() {
        let redactor = redactor_for("p/w");
        assert_eq!(redactor.text("you sent myaddon:p/w, or myaddon:p%2Fw"), "you sent [redacted], or [redacted]");
        assert_eq!(redactor.text("p/w alone"), "p/w alone");
    }

    /// A signed token is a credential: it is blanked by its field name wherever kensa sends it.
    #[test]
    fn blanks_sso_token_fields_in_queries_forms_and_json() {
        let redactor = Redactor::default();
        assert_eq!(
            redactor.text("http://h/heroku/resources/1?token=abc123&timestamp=1&resource_token=def#x"),
            "http://h/heroku/resources/1?token=[redacted]&timestamp=1&resource_token=[redacted]#x"
        );
        assert_eq!(
            redactor.text("id=1&user_scoped_resource_token=0f0f&app=myapp&token="),
            "id=1&user_scoped_resource_token=[redacted]&app=myapp&token="
        );
        assert_eq!(
            redactor.text(r#"{"token": "a\"b", "resource_token":"c", "tokens": "kept", "my_token": "kept"}"#),
            r#"{"token": "[redacted]", "resource_token":"[redacted]", "tokens": "kept", "my_token": "kept"}"#
        );
        assert_eq!(redactor.text("no tokens here, token but no value"), "no tokens here, token but no value");
    }

    #[test]
    fn records_an_exchange_without_credentials_or_tokens() {
        let redactor = redactor();
        let request = Request {
            method: Method::Post,
            url: "http://localhost:4567/sso/login".to_string(),
            headers: vec![
                ("Authorization".to_string(), basic_auth("myaddon", "pa\"ss-word-1234")),
                ("Cookie".to_string(), "session=1".to_string()),
            ],
            body: Some(b"id=1&token=0123abcd&timestamp=5".to_vec()),
            timeout_ms: 1,
            max_body_bytes: 1,
        };
        let mut exchange = redactor.request(&request);
        assert_eq!(exchange.request_headers[0].1, "Basic [redacted]");
        assert_eq!(exchange.request_headers[1].1, "[redacted]");
        assert_eq!(exchange.request_body.as_deref(), Some("id=1&token=[redacted]&timestamp=5"));
        let response = Response {
            status: 302,
            headers: vec![("Location".to_string(), "/next?token=0123abcd".to_string())],
            body: format!("{}salt-salt-5678", "x".repeat(4090)).into_bytes(),
        };
        redactor.response(&mut exchange, &response);
        assert_eq!(exchange.response_headers[0].1, "/next?token=[redacted]");
        let body = exchange.response_body.unwrap_or_default();
        assert!(body.ends_with("x[redac... (4104 bytes in all)"), "{body}");
        assert!(!body.contains("salt-s"), "a cut leaves no part of a secret: {body}");
    }
}
