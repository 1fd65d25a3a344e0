//! A provider that hands every secret kensa sent it back, re-encoded the way common server
//! stacks write text: JSON with `\/` and `\u002B`-style escapes, percent-encoding of either
//! case in headers, inside URLs (`Location`, links in a body, a `return_to` encoded twice),
//! form encoding, and HTML character references.

use kensa_testkit::{Recorded, Reply, base64_decode, form_fields};
use serde_json::Value;
use std::fmt::Write;

/// A password with every character encoders treat specially: `/`, `+`, `=`, a space and
/// non-ASCII.
pub const ECHO_PASSWORD: &str = "p/a+s=s €ü-0123";

/// An SSO salt of the same kind (a provider knows its salt and can echo it).
pub const ECHO_SALT: &str = "s/a+l=t ü€-4567";

/// A manifest for an [`echo_provider`] at `origin`: add-on `myaddon`, [`ECHO_PASSWORD`] and
/// [`ECHO_SALT`], SSO at `/sso/login`; `version` "3" or, with `legacy`, none (v1 puts the
/// provider's id in paths and the legacy sign-in's query).
pub fn echo_manifest(origin: &str, legacy: bool) -> Value {
    let options = kensa_provider::ProviderOptions {
        password: ECHO_PASSWORD.to_string(),
        sso_salt: Some(ECHO_SALT.to_string()),
        ..Default::default()
    };
    let mut manifest = options.manifest(origin);
    if legacy && let Some(api) = manifest["api"].as_object_mut() {
        api.remove("version");
    }
    manifest
}

/// The secrets a request carried: the `Authorization` value, its base64 and its decoded
/// `user:password` and password, every SSO token field, the OAuth grant code; and the salt.
pub fn secrets_in(request: &Recorded) -> Vec<String> {
    let mut secrets = vec![ECHO_SALT.to_string()];
    if let Some(authorization) = request.header("authorization") {
        let bare = authorization.strip_prefix("Basic ").unwrap_or_default();
        let decoded = base64_decode(bare);
        let password = decoded.split_once(':').map(|(_, password)| password.to_string()).unwrap_or_default();
        secrets.extend([authorization.to_string(), bare.to_string()]);
        // The wrong-password probe's password is a fixed public value, not a secret.
        if password != "kensa-wrong-password" {
            secrets.extend([decoded, password]);
        }
    }
    let body = String::from_utf8_lossy(&request.body).into_owned();
    let query = request.path.split_once('?').map(|(_, query)| query.to_string()).unwrap_or_default();
    for (name, value) in form_fields(&body).into_iter().chain(form_fields(&query)) {
        if name.ends_with("token") {
            secrets.push(value);
        }
    }
    if let Some(code) = request.json()["oauth_grant"]["code"].as_str() {
        secrets.push(code.to_string());
    }
    // `invalid` is the bad-token probe's fixed value, not a secret.
    secrets.retain(|secret| secret.len() >= 4 && secret != "invalid");
    secrets
}

/// Answers every call (right credentials or not) with every secret of [`secrets_in`] in
/// every encoding, in the body, in headers and in URLs. Provisions succeed with the right
/// credentials (401 otherwise), with an id that carries the Basic credential, so that v1
/// paths and headings hold it too; the sign-in answers a page.
pub fn echo_provider(request: &Recorded) -> Reply {
    let secrets = secrets_in(request);
    let expected = kensa_provider::basic_auth_header("myaddon", ECHO_PASSWORD);
    let authorized = request.header("authorization") == Some(expected.as_str());
    let bare = expected.trim_start_matches("Basic ");
    let path = request.path.split('?').next().unwrap_or_default();
    let mut reply = if path == "/sso/login" || !path.starts_with("/heroku/resources") {
        Reply::html(200, &html_page(&secrets))
    } else if !authorized {
        json_reply(401, None, &secrets)
    } else if request.method == "POST" {
        let uuid = request.json()["uuid"].as_str().unwrap_or("none").to_string();
        json_reply(200, Some(&format!("echo-{bare}-{uuid}")), &secrets)
    } else {
        json_reply(200, None, &secrets)
    };
    for (index, secret) in secrets.iter().enumerate() {
        reply = reply
            .header(&format!("X-Echo-{index}"), percent(secret, Case::Upper))
            .header(&format!("X-Echo-Lower-{index}"), percent(secret, Case::Lower))
            .header(&format!("X-Echo-Json-{index}"), json_escaped(secret))
            .header("Link", format!("<http://127.0.0.1/next?secret={}>; rel=\"next\"", form(secret)));
    }
    let first = secrets.last().map(String::as_str).unwrap_or_default();
    reply.header(
        "Location",
        format!("/next?secret={}&return_to={}", form(first), percent(&percent(first, Case::Upper), Case::Upper)),
    )
}

/// A JSON body written by hand, the way PHP's `json_encode` and others do it: `\/`, and
/// `\uXXXX` for everything but letters and digits (hex in both cases), with the secrets in
/// `message`, in URLs and form-encoded.
fn json_reply(status: u16, id: Option<&str>, secrets: &[String]) -> Reply {
    let mut body = String::from("{");
    if let Some(id) = id {
        // A config var named after the password: `kensa run` names undeclared ones.
        let _ = write!(
            body,
            "\"id\": \"{}\", \"config\": {{\"MYADDON_URL\": \"https:\\/\\/db.example.com\\/1\", \"MYADDON_{}\": \"x\"}}, ",
            json_escaped(id),
            json_escaped(ECHO_PASSWORD)
        );
    }
    let message: Vec<String> = secrets.iter().map(|secret| json_escaped(secret)).collect();
    let _ = write!(body, "\"message\": \"you sent {}\"", message.join(" and "));
    for (index, secret) in secrets.iter().enumerate() {
        let _ = write!(
            body,
            ", \"upper_{index}\": \"{}\", \"url_{index}\": \"http:\\/\\/127.0.0.1\\/x?s={}&t={}\", \"form_{index}\": \"s={}\", \"html_{index}\": \"{}\"",
            json_escaped_upper(secret),
            percent(secret, Case::Upper),
            percent(secret, Case::Lower),
            form(secret),
            html(secret),
        );
    }
    body.push('}');
    Reply { body: body.into_bytes(), ..Reply::new(status) }.header("Content-Type", "application/json")
}

/// A sign-in page with the secrets as HTML character references, in a link and in an
/// inline script's JSON.
fn html_page(secrets: &[String]) -> String {
    let mut page = String::from("<html><body>");
    for secret in secrets {
        let _ = write!(
            page,
            "<p>{}</p><a href=\"/next?s={}\">next</a><script>var s = \"{}\";</script>",
            html(secret),
            percent(secret, Case::Lower),
            json_escaped(secret)
        );
    }
    page + "</body></html>"
}

#[derive(Clone, Copy)]
enum Case {
    Upper,
    Lower,
}

/// Every byte but ASCII letters and digits as `%XX`.
fn percent(text: &str, case: Case) -> String {
    text.bytes()
        .map(|byte| match (byte.is_ascii_alphanumeric(), case) {
            (true, _) => char::from(byte).to_string(),
            (false, Case::Upper) => format!("%{byte:02X}"),
            (false, Case::Lower) => format!("%{byte:02x}"),
        })
        .collect()
}

/// Form encoding: a space as `+`, the rest as [`percent`].
fn form(text: &str) -> String {
    text.split(' ').map(|part| percent(part, Case::Upper)).collect::<Vec<_>>().join("+")
}

/// JSON string content: `/` as `\/`, other characters but letters and digits as `\uxxxx`.
fn json_escaped(text: &str) -> String {
    json_escapes(text, |unit| format!("\\u{unit:04x}"))
}

/// As [`json_escaped`] with upper-case hex (`\u002B`).
fn json_escaped_upper(text: &str) -> String {
    json_escapes(text, |unit| format!("\\u{unit:04X}"))
}

fn json_escapes(text: &str, escape: impl Fn(u16) -> String) -> String {
    let mut out = String::new();
    for c in text.chars() {
        match c {
            c if c.is_ascii_alphanumeric() => out.push(c),
            '/' => out.push_str("\\/"),
            c => {
                let mut units = [0; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&escape(*unit));
                }
            }
        }
    }
    out
}

/// HTML: every character but letters and digits as a decimal character reference
/// (`&#43;`, as Go's html/template writes `+`).
fn html(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_string() } else { format!("&#{};", u32::from(c)) })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_as_server_stacks_do() {
        assert_eq!(json_escaped("a/+=€"), "a\\/\\u002b\\u003d\\u20ac");
        assert_eq!(json_escaped_upper("+😀"), "\\u002B\\uD83D\\uDE00");
        assert_eq!(percent("a/ü", Case::Lower), "a%2f%c3%bc");
        assert_eq!(form("a b+"), "a+b%2B");
        assert_eq!(html("a+€"), "a&#43;&#8364;");
    }
}
