//! A provider whose every text carries characters a terminal does not show: format
//! characters (zero-width space and joiner, direction marks, the Arabic letter mark, the
//! byte-order mark, soft hyphen, word joiner, tags), the line and paragraph separators, and
//! other default-ignorable code points (combining grapheme joiner, variation selectors,
//! hangul fillers). They can hide or disguise text on screen.

use crate::hostile::DASHBOARD;
use kensa_testkit::{Recorded, Reply};
use serde_json::json;

/// Each invisible character the provider sends, one of a kind.
pub const INVISIBLE: [char; 22] = [
    '\u{200b}',
    '\u{200c}',
    '\u{200d}',
    '\u{200e}',
    '\u{200f}',
    '\u{061c}',
    '\u{feff}',
    '\u{2028}',
    '\u{2029}',
    '\u{034f}',
    '\u{00ad}',
    '\u{2060}',
    '\u{fe0f}',
    '\u{e0001}',
    '\u{e0041}',
    '\u{e0100}',
    '\u{115f}',
    '\u{1160}',
    '\u{3164}',
    '\u{ffa0}',
    '\u{180e}',
    '\u{0600}',
];

/// All of [`INVISIBLE`] around the word `hidden`.
pub fn invisible_text() -> String {
    let hidden: String = INVISIBLE.iter().collect();
    format!("a{hidden}hidden{hidden}b")
}

/// Answers with [`invisible_text`] in ids, config keys and values, `message`s, a header and
/// the sign-in's nav-data cookie (which a failing check quotes). Provisions succeed with
/// the right credentials (`myaddon:secret`, 401 otherwise); plan changes answer 503 and
/// deprovisions 500, each with a message.
pub fn invisible_provider(request: &Recorded) -> Reply {
    let text = invisible_text();
    let expected = kensa_provider::basic_auth_header("myaddon", "secret");
    let reply = if request.path.starts_with("/sso/login") {
        Reply::html(200, DASHBOARD).header("Set-Cookie", format!("heroku-nav-data={text}; Path=/"))
    } else if request.header("authorization") != Some(expected.as_str()) {
        Reply::json(401, &json!({"message": text}))
    } else {
        match request.method.as_str() {
            "POST" => {
                let uuid = request.json()["uuid"].as_str().unwrap_or("none").to_string();
                Reply::json(
                    200,
                    &json!({
                        "id": format!("{text}-{uuid}"),
                        "config": {"MYADDON_URL": format!("https://db.example.com/{text}"), format!("MYADDON_{text}"): text},
                        "message": text,
                    }),
                )
            }
            "PUT" => Reply::json(503, &json!({"message": text})),
            _ => Reply::json(500, &json!({"message": text})),
        }
    };
    reply.header("X-Invisible", text.as_bytes())
}
