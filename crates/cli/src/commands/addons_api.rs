//! `kensa push`, `kensa pull SLUG`, `kensa diff` and `kensa manifests [SLUG]`: the
//! manifest endpoints of the add-ons API that the Heroku CLI's addons-admin plugin uses.
//!
//! The token comes from `HEROKU_API_KEY`, else the `api.heroku.com` entry of `~/.netrc`.
//! It goes out only in the `Authorization` header, and every text kensa prints that came
//! from elsewhere passes through [`Api::redact`] first.

mod line_diff;
mod netrc;

use crate::args::{AddonsApiArgs, DiffArgs, Format, ManifestsArgs, PullArgs, PushArgs};
use crate::context::Context;
use crate::error::{CliError, ExitStatus, Result};
use crate::files::confirm_replace;
use crate::output::{eprint, print};
use kensa_checks::encoding::{DOT_SEGMENT_REASON, is_dot_or_empty_segment, path_segment};
use kensa_checks::render::visible;
use serde_json::{Map, Value, json};
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

const DEFAULT_HOST: &str = "https://addons.heroku.com";
const NETRC_MACHINE: &str = "api.heroku.com";
const ACCEPT: &str = "application/vnd.heroku+json; version=3";
/// Manifest fields whose values `diff` never prints.
const SECRET_FIELDS: [&str; 2] = ["password", "sso_salt"];

/// The most kensa reads of one answer: a manifest is at most 1 MiB (kensa reads no larger
/// one), and a list of pushed manifests holds a few dozen.
const MAX_ANSWER_BYTES: usize = 16 << 20;

/// `kensa push`: validate, send, and keep the server's copy (with its new `$base`).
pub(crate) fn push(context: &Context, args: &PushArgs) -> Result<ExitStatus> {
    let path = &context.manifest;
    let source = crate::files::read_input(path)?;
    let validation = kensa_manifest::validate(&source);
    let Some(manifest) = validation.manifest.as_ref().filter(|_| validation.is_ok()) else {
        let shown = visible(&path.display().to_string()).into_owned();
        let mut text = format!("error: {shown} is not a valid manifest; not pushing it:\n");
        for diagnostic in validation.errors() {
            // Messages, pointers and hints quote the manifest's own names and values.
            text.push_str(&format!("  ! {}\n", visible(&diagnostic.message)));
            let pointer = visible(&diagnostic.pointer);
            match &diagnostic.position {
                Some(position) => text.push_str(&format!("    at {pointer} ({position})\n")),
                None if !pointer.is_empty() => text.push_str(&format!("    at {pointer}\n")),
                None => {}
            }
            if let Some(hint) = &diagnostic.hint {
                text.push_str(&format!("    hint: {}\n", visible(hint)));
            }
        }
        text.push_str("Run `kensa test manifest` for the full report.\n");
        eprint(&text);
        return Ok(ExitStatus::Failed);
    };
    let slug = manifest.id.clone();
    let contents: Value = serde_json::from_slice(&source)
        .map_err(|error| CliError::new(format!("{} is not valid JSON: {error}", path.display())))?;
    let api_path = addon_path(&slug, "manifests")?;
    let api = Api::new(&args.api)?;
    let answer = match api.post(&api_path, &json!({ "contents": contents })) {
        Ok(answer) => answer,
        Err(ApiError::Status { status: 422, message }) => {
            eprint(&format!(
                "error: {}\nhint: if it mentions $base, someone pushed since your last pull: `kensa pull {slug}`, redo \
                 your changes, push again\n",
                visible(&api.status_message(Action::Push, &slug, 422, message.as_deref()))
            ));
            return Ok(ExitStatus::Failed);
        }
        Err(error) => return Err(api.error(Action::Push, &slug, error)),
    };
    let mut text = format!("-----> Manifest for \"{slug}\" was pushed successfully\n");
    match answer.get("contents").filter(|contents| contents.is_object()) {
        Some(pushed) => {
            write_manifest(path, pushed)?;
            text.push_str(&format!("       Updated {} with the pushed manifest\n", path.display()));
        }
        None => {
            crate::output::warn_line!("warning: the add-ons API returned no manifest; {} is unchanged", path.display())
        }
    }
    print(&text)?;
    Ok(ExitStatus::Passed)
}

/// `kensa pull SLUG`: the current manifest into the manifest file.
pub(crate) fn pull(context: &Context, args: &PullArgs) -> Result<ExitStatus> {
    let path = &context.manifest;
    let api_path = addon_path(&args.slug, "current_manifest")?;
    confirm_replace(path, "Manifest", args.force)?;
    let api = Api::new(&args.api)?;
    let contents = api.current_manifest(Action::Pull, &args.slug, &api_path)?;
    write_manifest(path, &contents)?;
    print(&format!("-----> Manifest for \"{}\" received successfully\n       Wrote {}\n", args.slug, path.display()))?;
    Ok(ExitStatus::Passed)
}

/// `kensa diff`: the pushed manifest against the local file, as a unified diff; exit 1 when
/// they differ. Secret values are never shown, only whether they differ.
pub(crate) fn diff(context: &Context, args: &DiffArgs) -> Result<ExitStatus> {
    let path = &context.manifest;
    let local = read_manifest(path)?;
    let slug = local_slug(&local, path)?;
    let api_path = addon_path(&slug, "current_manifest")?;
    let api = Api::new(&args.api)?;
    let remote = api.current_manifest(Action::Diff, &slug, &api_path)?;
    let (remote, local) = hide_secrets(remote, local);
    let remote_text = serde_json::to_string_pretty(&remote).unwrap_or_default();
    let local_text = serde_json::to_string_pretty(&local).unwrap_or_default();
    let old_name = format!("pushed manifest of \"{slug}\"");
    let new_name = path.display().to_string();
    match line_diff::unified(&old_name, &new_name, &remote_text, &local_text, 3, context.paint()) {
        None => {
            print(&format!("{new_name} matches the pushed manifest of \"{slug}\"\n"))?;
            Ok(ExitStatus::Passed)
        }
        Some(diff) => {
            print(&api.redact(&diff))?;
            Ok(ExitStatus::Failed)
        }
    }
}

/// `kensa manifests [SLUG]`: the manifests pushed for an add-on, newest first.
pub(crate) fn manifests(context: &Context, args: &ManifestsArgs) -> Result<ExitStatus> {
    let slug = match &args.slug {
        Some(slug) => slug.clone(),
        None => {
            let path = &context.manifest;
            local_slug(&read_manifest(path)?, path)?
        }
    };
    let api_path = addon_path(&slug, "manifests")?;
    let api = Api::new(&args.api)?;
    let answer = api.get(&api_path).map_err(|error| api.error(Action::History, &slug, error))?;
    let Value::Array(items) = answer else {
        return Err(CliError::new(format!("the add-ons API did not answer a list of manifests for \"{slug}\"")));
    };
    // Only these two fields: the list may carry whole manifests, secrets included.
    let field = |item: &Value, name: &str| match item.get(name) {
        Some(Value::String(text)) => api.redact(text),
        Some(Value::Null) | None => String::new(),
        Some(other) => api.redact(&other.to_string()),
    };
    let mut rows: Vec<(String, String)> =
        items.iter().map(|item| (field(item, "id"), field(item, "created_at"))).collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1));
    if context.format == Format::Json {
        let list: Vec<Value> = rows.iter().map(|(id, created)| json!({"id": id, "created_at": created})).collect();
        print(&(serde_json::to_string_pretty(&list).unwrap_or_default() + "\n"))?;
        return Ok(ExitStatus::Passed);
    }
    if rows.is_empty() {
        print(&format!("No manifests pushed for \"{slug}\" yet.\n"))?;
        return Ok(ExitStatus::Passed);
    }
    let width = rows.iter().map(|(id, _)| id.chars().count()).max().unwrap_or(0).max("Manifest".len());
    let mut text = format!("{:<width$}  Created At\n", "Manifest");
    for (id, created) in rows {
        text.push_str(&format!("{id:<width$}  {created}\n"));
    }
    print(&text)?;
    Ok(ExitStatus::Passed)
}

// ---------- files ----------

fn read_manifest(path: &Path) -> Result<Value> {
    let source = crate::files::read_input(path)?;
    serde_json::from_slice(&source).map_err(|error| {
        CliError::new(format!("{} is not valid JSON: {error}", path.display()))
            .hint("run `kensa test manifest` to see where")
    })
}

fn local_slug(manifest: &Value, path: &Path) -> Result<String> {
    match manifest.get("id") {
        Some(Value::String(id)) if !id.trim().is_empty() => Ok(id.clone()),
        _ => Err(CliError::new(format!("{} has no `id`, so kensa cannot tell which add-on it is", path.display()))
            .hint("give the slug on the command line, or `kensa pull SLUG` first")),
    }
}

fn write_manifest(path: &Path, manifest: &Value) -> Result<()> {
    let mut text = serde_json::to_string_pretty(manifest).unwrap_or_default();
    text.push('\n');
    // The manifest holds the password and SSO salt.
    crate::files::write_secret(path, &text)
}

/// Replaces `api.password` and `api.sso_salt` on both sides with markers that show only
/// whether they differ.
fn hide_secrets(mut remote: Value, mut local: Value) -> (Value, Value) {
    for field in SECRET_FIELDS {
        let pointer = format!("/api/{field}");
        let (theirs, ours) = (remote.pointer(&pointer).cloned(), local.pointer(&pointer).cloned());
        let same = theirs == ours;
        for (side, value, whose) in [(&mut remote, theirs, "pushed"), (&mut local, ours, "local")] {
            if let (Some(slot), Some(Value::String(_))) = (side.pointer_mut(&pointer), value) {
                *slot = Value::String(if same { "(hidden)".into() } else { format!("(hidden, the {whose} value)") });
            }
        }
    }
    (remote, local)
}

/// `/api/v3/addons/<slug>/<tail>`, the slug percent-encoded; a slug that would address the
/// add-ons collection (or its parent) instead of one add-on is refused before anything is sent.
fn addon_path(slug: &str, tail: &str) -> Result<String> {
    if is_dot_or_empty_segment(slug) {
        return Err(CliError::new(format!(
            "the add-on slug {slug:?} is unusable as a path segment: {DOT_SEGMENT_REASON}"
        ))
        .hint("an add-on slug is lower-case letters, digits and dashes, such as `myaddon`"));
    }
    Ok(format!("/api/v3/addons/{}/{tail}", path_segment(slug)))
}

// ---------- the API client ----------

/// The token, which no `Debug` or `Display` ever shows.
struct Token(String);

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token([redacted])")
    }
}

enum TokenSource {
    Env,
    Netrc(PathBuf),
}

impl fmt::Display for TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenSource::Env => f.write_str("HEROKU_API_KEY"),
            TokenSource::Netrc(path) => write!(f, "the {NETRC_MACHINE} entry of {}", path.display()),
        }
    }
}

#[derive(Clone, Copy)]
enum Action {
    Push,
    Pull,
    Diff,
    History,
}

impl Action {
    fn verb(self) -> &'static str {
        match self {
            Action::Push => "push the manifest of",
            Action::Pull | Action::Diff => "read the manifest of",
            Action::History => "list the manifests of",
        }
    }
}

enum ApiError {
    /// The API answered with an error status; `message` is its own text, redacted.
    Status { status: u16, message: Option<String> },
    /// No usable answer.
    Other(String),
}

struct Api {
    host: String,
    token: Token,
    source: TokenSource,
    client: reqwest::Client,
    runtime: tokio::runtime::Runtime,
}

impl Api {
    fn new(args: &AddonsApiArgs) -> Result<Api> {
        let host = api_host(args.host.as_deref())?;
        let (token, source) = find_token()?;
        let client = crate::http::client_builder()
            .timeout(Duration::from_secs(60))
            .user_agent(concat!("kensa/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|error| CliError::new(format!("cannot set up HTTP: {error}")))?;
        let runtime = crate::http::runtime()?;
        Ok(Api { host, token, source, client, runtime })
    }

    /// `text` with the token cut out, should anything have echoed it, in any encoding.
    fn redact(&self, text: &str) -> String {
        kensa_checks::redact_secrets(text, &[&self.token.0])
    }

    fn get(&self, path: &str) -> Result<Value, ApiError> {
        self.send(reqwest::Method::GET, path, None)
    }

    fn post(&self, path: &str, body: &Value) -> Result<Value, ApiError> {
        self.send(reqwest::Method::POST, path, Some(body))
    }

    fn send(&self, method: reqwest::Method, path: &str, body: Option<&Value>) -> Result<Value, ApiError> {
        let url = format!("{}{path}", self.host);
        let mut authorization = reqwest::header::HeaderValue::try_from(format!("Bearer {}", self.token.0))
            .map_err(|_| ApiError::Other("the token contains characters that cannot go in a header".into()))?;
        authorization.set_sensitive(true);
        let mut request = self
            .client
            .request(method, &url)
            .header(reqwest::header::AUTHORIZATION, authorization)
            .header(reqwest::header::ACCEPT, ACCEPT);
        if let Some(body) = body {
            request = request
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(serde_json::to_vec(body).unwrap_or_default());
        }
        let (status, bytes) = self
            .runtime
            .block_on(async {
                let mut response = request.send().await?;
                let status = response.status().as_u16();
                Ok::<_, reqwest::Error>((status, crate::http::read_body(&mut response, MAX_ANSWER_BYTES).await?))
            })
            .map_err(|error| ApiError::Other(self.redact(&describe(&error))))?;
        let Some(bytes) = bytes else {
            return Err(ApiError::Other(format!("it answered with more than {} MiB", MAX_ANSWER_BYTES >> 20)));
        };
        if !(200..300).contains(&status) {
            return Err(ApiError::Status { status, message: server_text(&bytes).map(|text| self.redact(&text)) });
        }
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Value::Null);
        }
        serde_json::from_slice(&bytes).map_err(|error| {
            ApiError::Other(format!("the add-ons API answered {status} with a body that is not JSON: {error}"))
        })
    }

    /// `contents` of `GET <api_path>`, `/api/v3/addons/<slug>/current_manifest`.
    fn current_manifest(&self, action: Action, slug: &str, api_path: &str) -> Result<Value> {
        let answer = self.get(api_path).map_err(|error| self.error(action, slug, error))?;
        match answer.get("contents") {
            Some(contents @ Value::Object(_)) => Ok(contents.clone()),
            _ => Err(CliError::new(format!("the add-ons API returned no manifest for \"{slug}\""))),
        }
    }

    fn error(&self, action: Action, slug: &str, error: ApiError) -> CliError {
        match error {
            ApiError::Status { status, message } => {
                let error = CliError::new(self.status_message(action, slug, status, message.as_deref()));
                if status == 401 {
                    error.hint(
                        "set HEROKU_API_KEY to a valid token (`heroku auth:token` prints one), or run `heroku login`",
                    )
                } else {
                    error
                }
            }
            ApiError::Other(detail) => {
                CliError::new(format!("cannot reach the add-ons API at {}: {detail}", self.host))
            }
        }
    }

    /// The one line that says what a status means here, with the server's own words.
    fn status_message(&self, action: Action, slug: &str, status: u16, message: Option<&str>) -> String {
        let said = message.map(|text| format!(": {text}")).unwrap_or_default();
        match status {
            401 => format!("the add-ons API did not accept the token from {} (401 Unauthorized){said}", self.source),
            403 => format!("not allowed to {} \"{slug}\" (403 Forbidden){said}", action.verb()),
            404 => format!("no add-on \"{slug}\" at {} (404 Not Found){said}", self.host),
            422 => match action {
                Action::Push => {
                    format!("the add-ons API rejected the manifest of \"{slug}\" (422 Unprocessable Entity){said}")
                }
                _ => format!("the add-ons API could not {} \"{slug}\" (422 Unprocessable Entity){said}", action.verb()),
            },
            other => format!("the add-ons API answered {other} when asked to {} \"{slug}\"{said}", action.verb()),
        }
    }
}

/// `--host`, else `HEROKU_ADDONS_HOST`, else addons.heroku.com; plain http only to this
/// machine, since the token travels with every request.
fn api_host(flag: Option<&str>) -> Result<String> {
    let env = std::env::var("HEROKU_ADDONS_HOST").ok().filter(|host| !host.trim().is_empty());
    let given = flag.map(str::to_string).or(env).unwrap_or_else(|| DEFAULT_HOST.to_string());
    let given = given.trim().trim_end_matches('/');
    let with_scheme = if given.contains("://") { given.to_string() } else { format!("https://{given}") };
    let url = reqwest::Url::parse(&with_scheme)
        .map_err(|error| CliError::new(format!("the add-ons API host `{given}` is not a valid URL: {error}")))?;
    let loopback = match url.host_str() {
        Some("localhost") => true,
        Some(host) => host.trim_matches(['[', ']']).parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback()),
        None => false,
    };
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => {
            return Err(CliError::new(format!("refusing to send your Heroku token over plain http to {given}"))
                .hint("use an https:// URL"));
        }
        other => return Err(CliError::new(format!("the add-ons API host must be an http(s) URL, not {other}:"))),
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(CliError::new(format!("the add-ons API host `{given}` has no host name")));
    }
    Ok(with_scheme)
}

/// `HEROKU_API_KEY`, else the password of `api.heroku.com` in `~/.netrc` (`_netrc` too on
/// Windows), as the Heroku CLI keeps it.
fn find_token() -> Result<(Token, TokenSource)> {
    if let Some(token) = std::env::var("HEROKU_API_KEY").ok().map(|token| token.trim().to_string())
        && !token.is_empty()
    {
        return Ok((Token(token), TokenSource::Env));
    }
    let home = std::env::var_os("HOME").or_else(|| std::env::var_os("USERPROFILE")).filter(|home| !home.is_empty());
    let mut unreadable = None;
    if let Some(home) = home {
        for name in [".netrc", "_netrc"] {
            let path = Path::new(&home).join(name);
            match crate::files::read_limited(&path) {
                Ok(bytes) => {
                    if let Some(password) = netrc::password_for(&String::from_utf8_lossy(&bytes), NETRC_MACHINE) {
                        return Ok((Token(password), TokenSource::Netrc(path)));
                    }
                }
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
                Err(error) => unreadable = Some(format!("cannot read {}: {error}", path.display())),
            }
        }
    }
    let error = CliError::new(format!(
        "no Heroku API token: HEROKU_API_KEY is not set and ~/.netrc has no {NETRC_MACHINE} entry{}",
        unreadable.map(|reason| format!(" ({reason})")).unwrap_or_default()
    ));
    Err(error.hint("run `heroku login`, or set HEROKU_API_KEY (`heroku auth:token` prints a token)"))
}

/// What the server said: `message`, `error` (a string, `{"base": [...]}` or field errors),
/// or the first line of a short plain-text body; always one line.
fn server_text(body: &[u8]) -> Option<String> {
    let text = match serde_json::from_slice::<Value>(body) {
        Ok(value) => json_text(&value)?,
        Err(_) => {
            let text = String::from_utf8_lossy(body);
            let line = text.lines().map(str::trim).find(|line| !line.is_empty())?;
            if line.starts_with('<') {
                return None;
            }
            line.chars().take(300).collect()
        }
    };
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (!line.is_empty()).then_some(line)
}

fn json_text(value: &Value) -> Option<String> {
    let object = value.as_object()?;
    for key in ["message", "error", "errors"] {
        match object.get(key) {
            Some(Value::String(text)) if !text.trim().is_empty() => return Some(text.clone()),
            Some(Value::Array(items)) => return Some(join_texts(items)),
            Some(Value::Object(fields)) => return Some(field_errors(fields)),
            _ => {}
        }
    }
    None
}

fn join_texts(items: &[Value]) -> String {
    items
        .iter()
        .map(|item| match item {
            Value::String(text) => text.clone(),
            other => json_text(other).unwrap_or_else(|| other.to_string()),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn field_errors(fields: &Map<String, Value>) -> String {
    fields
        .iter()
        .map(|(field, errors)| {
            let errors = match errors {
                Value::Array(items) => join_texts(items),
                Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            if field == "base" { errors } else { format!("{field} {errors}") }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// A reqwest failure's innermost cause, which names what went wrong without the request.
fn describe(error: &reqwest::Error) -> String {
    let detail = crate::http::causes(error).pop().unwrap_or_else(|| error.to_string());
    if error.is_timeout() { format!("timed out ({detail})") } else { detail }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_text_reads_every_error_shape() {
        assert_eq!(
            server_text(br#"{"id":"unauthorized","message":"Invalid credentials provided."}"#).as_deref(),
            Some("Invalid credentials provided.")
        );
        assert_eq!(server_text(br#"{"error":"Add-on not found"}"#).as_deref(), Some("Add-on not found"));
        assert_eq!(
            server_text(br#"{"error":{"base":["$base is stale"],"api.regions":["can't be blank"]}}"#).as_deref(),
            Some("$base is stale; api.regions can't be blank")
        );
        assert_eq!(server_text(b"Service Unavailable\nmore").as_deref(), Some("Service Unavailable"));
        assert_eq!(server_text(b"<html><body>502</body></html>"), None);
        assert_eq!(server_text(b"{\"message\": \"two\\nlines\"}").as_deref(), Some("two lines"));
        assert_eq!(server_text(b""), None);
    }

    #[test]
    fn secrets_are_hidden_but_their_difference_shows() {
        let remote = json!({"id": "a", "api": {"password": "p1", "sso_salt": "s"}});
        let local = json!({"id": "a", "api": {"password": "p2", "sso_salt": "s"}});
        let (remote, local) = hide_secrets(remote, local);
        assert_eq!(remote["api"]["password"], "(hidden, the pushed value)");
        assert_eq!(local["api"]["password"], "(hidden, the local value)");
        assert_eq!(remote["api"]["sso_salt"], "(hidden)");
        assert_eq!(local["api"]["sso_salt"], "(hidden)");
    }

    #[test]
    fn slugs_are_path_segments() {
        assert_eq!(addon_path("my-addon", "manifests").unwrap(), "/api/v3/addons/my-addon/manifests");
        assert_eq!(addon_path("a/b c", "manifests").unwrap(), "/api/v3/addons/a%2Fb%20c/manifests");
        for slug in ["..", ".", "%2e%2E", ""] {
            assert!(addon_path(slug, "manifests").unwrap_err().message.contains("path segment"), "{slug:?}");
        }
    }
}
