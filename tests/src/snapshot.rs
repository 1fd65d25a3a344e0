//! Whole-output snapshots: a kensa run as one text (command, exit code, stdout, stderr) with
//! what differs from run to run replaced by placeholders, so that `insta` can compare it
//! with the accepted screen and show a changed one as a readable diff.

use crate::Run;
use std::path::PathBuf;

/// Values a run prints that the test knew before it started and that differ from run to
/// run: the ports its servers listen on and its temporary folder.
#[derive(Clone, Debug, Default)]
pub struct Known {
    /// A port and its placeholder, e.g. `(41234, "[port]")`.
    pub ports: Vec<(u16, &'static str)>,
    /// A folder to print as `[tmp]`.
    pub dirs: Vec<PathBuf>,
}

/// `run` as the text a snapshot holds: the command line `shown` (without the `-f` the
/// harness adds), the exit code, then stdout and stderr in full, all through [`normalise`].
pub fn screen(run: &Run, shown: &str, known: &Known) -> String {
    let code = run.code.map_or_else(|| "none (killed by a signal)".to_string(), |code| code.to_string());
    let text = format!(
        "$ kensa {shown}\nexit code: {code}\n----- stdout -----\n{}\n----- stderr -----\n{}",
        run.stdout, run.stderr
    );
    normalise(&text, known)
}

/// The one place that decides what a snapshot may not pin down. Each replacement names what
/// it stands for and keeps everything around it, so a changed message, status, header or
/// check still shows in the diff:
///
/// * the `known` ports, written after `127.0.0.1:` or `localhost:`, become their placeholder
///   (`[port]`), and the `known` folders `[tmp]`;
/// * uuids (kensa's resource uuids, the SSO user id) become `[uuid-N]`, numbered in order of
///   first appearance, so that "the same uuid again" and "a new uuid" stay visible; the
///   first 8 digits of a uuid seen (kensa's `name` for a resource) become `[uuid-N:8]`;
/// * the reference provider's resource ids (20 letters a to p) become `[id-N]`, its session
///   tokens (32 hex digits) `[hex-N]`, and the app number of a v1 `heroku_id`
///   (`app123456@kensa.heroku.com`) `[app-N]` wherever the number appears;
/// * times: RFC 3339 (`[rfc3339]`) and HTTP dates (`[http-date]`), the Unix time after
///   `timestamp=` (`[unix-time]`), `"duration_ms": N` (`[ms]`) and JUnit's `time="S.SSS"`
///   (`[seconds]`).
///
/// A uuid, id or token is matched only as a whole word (no letter, digit or `_` on either
/// side), so it never eats into the text next to it.
pub fn normalise(text: &str, known: &Known) -> String {
    let mut text = text.to_string();
    for dir in &known.dirs {
        // The harness's folders are canonical on Linux; macOS adds /private in front.
        for shown in [dir.to_path_buf(), dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf())] {
            text = replace_whole(&text, &shown.display().to_string(), "[tmp]");
        }
    }
    for (port, placeholder) in &known.ports {
        for host in ["127.0.0.1", "localhost"] {
            text = replace_whole(&text, &format!("{host}:{port}"), &format!("{host}:{placeholder}"));
        }
    }
    text = replace_after(&text, "\"duration_ms\": ", digits_len, "[ms]");
    text = replace_after(&text, "time=\"", decimal_then_quote_len, "[seconds]\"");
    text = replace_after(&text, "timestamp=", digits_len, "[unix-time]");
    text = number_app_numbers(&text);
    let mut numbering = Numbering::default();
    text = numbering.replace_shapes(&text);
    numbering.replace_uuid_prefixes(&text)
}

/// Placeholders numbered by first appearance, one sequence per kind.
#[derive(Default)]
struct Numbering {
    uuids: Vec<String>,
    ids: Vec<String>,
    tokens: Vec<String>,
}

/// A character class of a [`Shape`].
#[derive(Clone, Copy)]
enum Class {
    Digit,
    /// Lower-case hexadecimal.
    Hex,
    /// `a` to `p`: the reference provider's id alphabet.
    AToP,
    Letter,
    Literal(u8),
}

/// A fixed-length pattern: one class per byte.
struct Shape(Vec<Class>);

impl Shape {
    /// `#` a digit, `%` a hex digit, `~` a letter a to p, `^` a letter, anything else itself.
    fn new(pattern: &str) -> Shape {
        Shape(
            pattern
                .bytes()
                .map(|byte| match byte {
                    b'#' => Class::Digit,
                    b'%' => Class::Hex,
                    b'~' => Class::AToP,
                    b'^' => Class::Letter,
                    other => Class::Literal(other),
                })
                .collect(),
        )
    }

    fn matches(&self, bytes: &[u8]) -> bool {
        bytes.len() >= self.0.len()
            && self.0.iter().zip(bytes).all(|(class, byte)| match class {
                Class::Digit => byte.is_ascii_digit(),
                Class::Hex => byte.is_ascii_digit() || (b'a'..=b'f').contains(byte),
                Class::AToP => (b'a'..=b'p').contains(byte),
                Class::Letter => byte.is_ascii_alphabetic(),
                Class::Literal(literal) => byte == literal,
            })
    }
}

#[derive(Clone, Copy)]
enum Kind {
    Uuid,
    Id,
    Token,
    Rfc3339,
    HttpDate,
}

impl Numbering {
    fn replace_shapes(&mut self, text: &str) -> String {
        let shapes = [
            (Kind::Uuid, Shape::new("%%%%%%%%-%%%%-%%%%-%%%%-%%%%%%%%%%%%")),
            (Kind::Token, Shape::new(&"%".repeat(32))),
            (Kind::Id, Shape::new(&"~".repeat(20))),
            (Kind::Rfc3339, Shape::new("####-##-##T##:##:##Z")),
            (Kind::HttpDate, Shape::new("^^^, ## ^^^ #### ##:##:## GMT")),
        ];
        let bytes = text.as_bytes();
        let mut out = String::with_capacity(text.len());
        let mut copied = 0;
        let mut at = 0;
        while at < bytes.len() {
            let starts_word = at == 0 || !is_word(bytes[at - 1]);
            let found = starts_word
                .then(|| {
                    shapes.iter().find(|(_, shape)| {
                        let end = at + shape.0.len();
                        shape.matches(&bytes[at..]) && bytes.get(end).is_none_or(|byte| !is_word(*byte))
                    })
                })
                .flatten();
            match found {
                Some((kind, shape)) => {
                    let end = at + shape.0.len();
                    out.push_str(&text[copied..at]);
                    out.push_str(&self.placeholder(*kind, &text[at..end]));
                    copied = end;
                    at = end;
                }
                None => at += 1,
            }
        }
        out.push_str(&text[copied..]);
        out
    }

    fn placeholder(&mut self, kind: Kind, value: &str) -> String {
        let (seen, name) = match kind {
            Kind::Uuid => (&mut self.uuids, "uuid"),
            Kind::Id => (&mut self.ids, "id"),
            Kind::Token => (&mut self.tokens, "hex"),
            Kind::Rfc3339 => return "[rfc3339]".to_string(),
            Kind::HttpDate => return "[http-date]".to_string(),
        };
        let number = match seen.iter().position(|known| known == value) {
            Some(index) => index + 1,
            None => {
                seen.push(value.to_string());
                seen.len()
            }
        };
        format!("[{name}-{number}]")
    }

    /// kensa names a v3 resource `<add-on id>-<the uuid's first 8 digits>`.
    fn replace_uuid_prefixes(&self, text: &str) -> String {
        let mut text = text.to_string();
        for (index, uuid) in self.uuids.iter().enumerate() {
            text = replace_whole(&text, &uuid[..8], &format!("[uuid-{}:8]", index + 1));
        }
        text
    }
}

/// The app number in a v1 `heroku_id` (`app123456@kensa.heroku.com`), which the
/// id-contains-heroku-id switch also puts in its resource ids (`app123456-abc...`): `app`
/// and six digits as a word, then that number wherever it appears, become `[app-N]`.
fn number_app_numbers(text: &str) -> String {
    let shape = Shape::new("app######");
    let bytes = text.as_bytes();
    let mut numbers: Vec<&str> = Vec::new();
    for (at, _) in text.match_indices("app") {
        let end = at + shape.0.len();
        let whole = (at == 0 || !is_word(bytes[at - 1])) && bytes.get(end).is_none_or(|byte| !byte.is_ascii_digit());
        if whole && shape.matches(&bytes[at..]) && !numbers.contains(&&text[at + 3..end]) {
            numbers.push(&text[at + 3..end]);
        }
    }
    let mut out = text.to_string();
    for (index, number) in numbers.iter().enumerate() {
        out = replace_bounded(&out, number, &format!("[app-{}]", index + 1), |byte| byte.is_ascii_digit());
    }
    out
}

/// Letters, digits and `_`: what may not stand next to a matched word.
fn is_word(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

/// `text` with every `needle` that no word character touches replaced.
fn replace_whole(text: &str, needle: &str, replacement: &str) -> String {
    replace_bounded(text, needle, replacement, is_word)
}

/// `text` with every `needle` that has no `joins` byte on either side replaced.
fn replace_bounded(text: &str, needle: &str, replacement: &str, joins: impl Fn(u8) -> bool) -> String {
    if needle.is_empty() {
        return text.to_string();
    }
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for (at, _) in text.match_indices(needle) {
        let end = at + needle.len();
        // An edge of the needle that would join its neighbour must not have one, so that
        // `127.0.0.1:4123` is not found in `127.0.0.1:41234`; an edge such as `/` may.
        let before_ok = at == 0 || !joins(bytes[at - 1]) || !joins(needle.as_bytes()[0]);
        let after_ok = end == bytes.len() || !joins(bytes[end]) || !joins(needle.as_bytes()[needle.len() - 1]);
        if before_ok && after_ok {
            out.push_str(&text[copied..at]);
            out.push_str(replacement);
            copied = end;
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// After each `prefix`, the text `value` measures (its length in bytes, 0 for none) becomes
/// `placeholder`.
fn replace_after(text: &str, prefix: &str, value: fn(&str) -> usize, placeholder: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(prefix) {
        let start = at + prefix.len();
        out.push_str(&rest[..start]);
        let length = value(&rest[start..]);
        if length > 0 {
            out.push_str(placeholder);
        }
        rest = &rest[start + length..];
    }
    out.push_str(rest);
    out
}

fn digits_len(text: &str) -> usize {
    text.bytes().take_while(u8::is_ascii_digit).count()
}

/// `12.345"`: digits, a dot, digits and the closing quote (the quote is measured too).
fn decimal_then_quote_len(text: &str) -> usize {
    let whole = digits_len(text);
    let Some(rest) = text[whole..].strip_prefix('.') else { return 0 };
    let fraction = digits_len(rest);
    if whole == 0 || fraction == 0 || !rest[fraction..].starts_with('"') {
        return 0;
    }
    whole + 1 + fraction + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalise_replaces_only_what_varies() {
        let known = Known { ports: vec![(41234, "[port]")], dirs: Vec::new() };
        let text = "POST http://127.0.0.1:41234/heroku/resources and 127.0.0.1:412345\n\
            uuid 0d5a8a3e-1111-4c2b-9a9a-0123456789ab, again 0d5a8a3e-1111-4c2b-9a9a-0123456789ab, \
            other f1541644-4846-42df-bad5-44eda28f126e, name myaddon-0d5a8a3e\n\
            id mgccjpcfdlgldobacggh x-mgccjpcfdlgldobacggha abcdefghijklmnopabcd\n\
            session=0123456789abcdef0123456789abcdef; \"duration_ms\": 17, time=\"0.068\" time=\"x\"\n\
            Date: Sun, 29 Nov 2026 14:53:56 GMT expires 2026-11-29T14:58:56Z timestamp=1795964036\n\
            heroku_id app123456@kensa.heroku.com: app number 123456, not 1234567, id app123456-x, app7654321\n";
        let expected = "POST http://127.0.0.1:[port]/heroku/resources and 127.0.0.1:412345\n\
            uuid [uuid-1], again [uuid-1], \
            other [uuid-2], name myaddon-[uuid-1:8]\n\
            id [id-1] x-mgccjpcfdlgldobacggha [id-2]\n\
            session=[hex-1]; \"duration_ms\": [ms], time=\"[seconds]\" time=\"x\"\n\
            Date: [http-date] expires [rfc3339] timestamp=[unix-time]\n\
            heroku_id app[app-1]@kensa.heroku.com: app number [app-1], not 1234567, id app[app-1]-x, app7654321\n";
        assert_eq!(normalise(text, &known), expected);
    }
}
