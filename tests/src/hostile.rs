//! Hostile providers, so that nothing a provider sends can take over kensa's output: a
//! provisioning API that answers with terminal control sequences and echoes the
//! credentials kensa sent, and the sign-in helpers the hostile SSO pages share. They run
//! on `kensa_testkit`'s [`HostileServer`] (re-exported here), whose every answer a test
//! scripts, raw bytes allowed.

pub use kensa_testkit::{HostileServer, Reply, form_fields};
use kensa_testkit::{Recorded, base64_decode};
use serde_json::{Value, json};
use std::time::{SystemTime, UNIX_EPOCH};

/// Whether a sign-in form is one a correct provider accepts: a real token (kensa's bad-token
/// probe sends `invalid`) and a timestamp within Heroku's 5 minutes.
pub fn sso_form_is_fresh(fields: &[(String, String)]) -> bool {
    let field = |name: &str| fields.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str());
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |elapsed| elapsed.as_secs());
    let now = i64::try_from(now).unwrap_or(i64::MAX);
    let fresh = field("timestamp").and_then(|ts| ts.parse::<i64>().ok()).is_some_and(|ts| (ts - now).abs() <= 300);
    fresh && field("token").is_some_and(|token| !token.is_empty() && token != "invalid")
}

/// A page with the Heroku layout the SSO checks look for.
pub const DASHBOARD: &str = "<html><body><div id=\"heroku-header\"></div><p>signed in</p></body></html>";

// ---------------------------------------------------------------------------------------
// A provisioning API that attacks the terminal and echoes credentials

/// Screen clear, window title, a carriage return and newline faking passing checks, NUL,
/// DEL and the C1 CSI: what a hostile provider puts in every text it answers with.
pub const HOSTILE_TEXT: &str =
    "\u{1b}[2J\u{1b}]0;owned\u{7}\r  Check fake [PASS]\n  Check also fake [PASS]\0\u{7f}\u{9b}31m";

/// The password of [`hostile_manifest`]: long enough to be redacted wherever it appears.
pub const HOSTILE_PASSWORD: &str = "hostile-password-0123456789";

/// A v3 manifest for a [`hostile_provider`] at `origin` (add-on `myaddon`).
pub fn hostile_manifest(origin: &str) -> Value {
    let options = kensa_provider::ProviderOptions { password: HOSTILE_PASSWORD.to_string(), ..Default::default() };
    options.manifest(origin)
}

/// A provisioning API that puts [`HOSTILE_TEXT`] into ids, config keys and values and
/// `message`s, and echoes the `Authorization` kensa sent (whole, as bare base64 and decoded)
/// in its bodies, a header and its messages. Provisions succeed with the right credentials
/// (401 otherwise); plan changes answer 503 and deprovisions 500, each with a message.
pub fn hostile_provider(request: &Recorded) -> Reply {
    let authorization = request.header("authorization").unwrap_or_default().to_string();
    let bare = authorization.strip_prefix("Basic ").unwrap_or_default().to_string();
    let decoded = base64_decode(&bare);
    let echo = format!("you sent {authorization} ({bare}, {decoded})");
    let expected = kensa_provider::basic_auth_header("myaddon", HOSTILE_PASSWORD);
    let reply = if authorization != expected {
        Reply::json(401, &json!({"message": format!("{HOSTILE_TEXT} {echo}")}))
    } else {
        match request.method.as_str() {
            "POST" => {
                let uuid = request.json()["uuid"].as_str().unwrap_or("none").to_string();
                Reply::json(
                    200,
                    &json!({
                        "id": format!("{HOSTILE_TEXT}{bare}-{uuid}"),
                        "config": {
                            "MYADDON_URL": "https://db.example.com/1",
                            format!("MYADDON_{HOSTILE_TEXT}"): format!("{HOSTILE_TEXT}{echo}"),
                            format!("MYADDON_{HOSTILE_TEXT}_URL"): format!("{HOSTILE_TEXT}{bare}"),
                        },
                        "message": format!("{HOSTILE_TEXT} {echo}"),
                    }),
                )
            }
            "PUT" => Reply::json(503, &json!({"message": format!("{HOSTILE_TEXT} {echo}")})),
            _ => Reply::json(500, &json!({"message": format!("{HOSTILE_TEXT} {echo}")})),
        }
    };
    // A header may not carry C0 controls, but obs-text passes: U+009B as UTF-8.
    reply.header("X-Echo", &authorization).header("X-Hostile", "\u{9b}31m".as_bytes())
}
