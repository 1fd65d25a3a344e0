//! Where a secret is spelled in a provider's text: as it is, or with any of its characters
//! in an escape that a server stack writes: JSON (`\/`, `\"`, `\u002B` or `\u002b`, surrogate
//! pairs), JavaScript, Python and Rust (`\x2B`, `\U0000002B`, `\u{2b}`), percent-encoding of
//! either case (`+` for a space, as forms write it), HTML character references (`&#43;`,
//! `&#x2B;`, `&amp;`), and any of these escaped once more (`%252F`, `\\\/`, `&amp;#43;`).
//!
//! No regular expressions (the playground's download stays small): at each position of the
//! text the secret is matched unit by unit, every unit read in each way the text allows.

/// How many escapes may be stacked on one character: `%2F` is one, `%252F` two.
const LAYERS: u8 = 2;

/// One read of the text: a character, or one byte of a percent-encoded non-ASCII one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Unit {
    Char(char),
    Byte(u8),
}

impl Unit {
    fn of_byte(byte: u8) -> Unit {
        if byte.is_ascii() { Unit::Char(char::from(byte)) } else { Unit::Byte(byte) }
    }

    /// How many bytes of `secret` this unit spells, if it spells its start.
    fn spells(self, secret: &[u8]) -> Option<usize> {
        match self {
            Unit::Char(c) => {
                let mut buffer = [0; 4];
                let bytes = c.encode_utf8(&mut buffer).as_bytes();
                secret.starts_with(bytes).then_some(bytes.len())
            }
            Unit::Byte(byte) => (secret.first() == Some(&byte)).then_some(1),
        }
    }
}

/// Characters that can start an escape; any other character reads only as itself.
fn opens_escape(c: char) -> bool {
    matches!(c, '%' | '\\' | '&' | '+')
}

/// `text` with every spelling of each of `secrets` replaced by `with`: leftmost first, and
/// at one position the first secret that matches (put the longest first).
pub(crate) fn blank(text: &str, secrets: &[String], with: &str) -> String {
    let mut out = String::new();
    let mut copied = 0;
    let mut at = 0;
    while let Some(c) = text[at..].chars().next() {
        let found = if opens_escape(c) {
            let first = units(text, at, LAYERS);
            secrets
                .iter()
                .filter(|secret| first.iter().any(|(unit, _)| unit.spells(secret.as_bytes()).is_some()))
                .find_map(|secret| spelled_at(text, at, secret.as_bytes()))
        } else {
            secrets
                .iter()
                .filter(|secret| secret.starts_with(c))
                .find_map(|secret| spelled_at(text, at, secret.as_bytes()))
        };
        match found {
            Some(end) if end > at => {
                out.push_str(&text[copied..at]);
                out.push_str(with);
                copied = end;
                at = end;
            }
            _ => at += c.len_utf8(),
        }
    }
    if copied == 0 {
        return text.to_string();
    }
    out.push_str(&text[copied..]);
    out
}

/// Where a spelling of `secret` that starts at `at` ends. Only a secret that itself holds
/// escape syntax (`%25`) makes two readings both go on; then each is tried.
fn spelled_at(text: &str, mut at: usize, mut secret: &[u8]) -> Option<usize> {
    loop {
        if secret.is_empty() {
            return Some(at);
        }
        let c = text[at..].chars().next()?;
        if !opens_escape(c) {
            let taken = Unit::Char(c).spells(secret)?;
            secret = &secret[taken..];
            at += c.len_utf8();
            continue;
        }
        let readings = units(text, at, LAYERS);
        let mut matching = readings.iter().filter_map(|(unit, end)| unit.spells(secret).map(|taken| (taken, *end)));
        let (taken, end) = matching.next()?;
        for (other, other_end) in matching {
            if let Some(found) = spelled_at(text, other_end, &secret[other..]) {
                return Some(found);
            }
        }
        secret = &secret[taken..];
        at = end;
    }
}

/// Every way to read one unit at `at` with up to `layers` escapes stacked, each with where
/// it ends: the character itself, and what the escapes it starts decode to (whose own
/// characters are read with one layer less).
fn units(text: &str, at: usize, layers: u8) -> Vec<(Unit, usize)> {
    let Some(c) = text.get(at..).and_then(|rest| rest.chars().next()) else {
        return Vec::new();
    };
    let after = at + c.len_utf8();
    if layers == 0 || !opens_escape(c) || (c != '+' && !may_continue(c, text[after..].chars().next())) {
        return vec![(Unit::Char(c), after)];
    }
    let mut out = Vec::new();
    let below = layers - 1;
    for (unit, end) in units(text, at, below) {
        push_new(&mut out, (unit, end));
        match unit {
            Unit::Char('%') => {
                for (byte, end) in number(text, end, below, &Digits::fixed(16, 2)) {
                    push_new(&mut out, (Unit::of_byte(u8::try_from(byte).unwrap_or(0)), end));
                }
            }
            Unit::Char('+') => push_new(&mut out, (Unit::Char(' '), end)),
            Unit::Char('\\') => backslash(text, end, below, &mut out),
            Unit::Char('&') => reference(text, end, below, &mut out),
            _ => {}
        }
    }
    out
}

/// Whether `next` can follow `opener` in an escape (or start an escaped one): most `&` and
/// `%` in ordinary text are not escapes, and are read as themselves at once.
fn may_continue(opener: char, next: Option<char>) -> bool {
    let Some(next) = next else { return false };
    matches!(next, '%' | '\\' | '&')
        || match opener {
            '%' => next.is_ascii_hexdigit(),
            '\\' => matches!(next, '/' | '"' | '\'' | 'b' | 'f' | 'n' | 'r' | 't' | 'x' | 'u' | 'U'),
            '&' => matches!(next, '#' | 'a' | 'l' | 'g' | 'q'),
            _ => true,
        }
}

/// The characters that can be read at `at` (escape syntax is ASCII, never a lone byte).
fn chars(text: &str, at: usize, layers: u8) -> impl Iterator<Item = (char, usize)> {
    units(text, at, layers).into_iter().filter_map(|(unit, end)| match unit {
        Unit::Char(c) => Some((c, end)),
        Unit::Byte(_) => None,
    })
}

/// What follows a backslash: JSON's and JavaScript's escapes, `\x2B`, `\u{2b}`, `\U0000002B`.
fn backslash(text: &str, at: usize, layers: u8, out: &mut Vec<(Unit, usize)>) {
    let code = |value: u32, end: usize| char::from_u32(value).map(|c| (Unit::Char(c), end));
    for (c, end) in chars(text, at, layers) {
        let decoded: Vec<(Unit, usize)> = match c {
            '/' | '"' | '\\' | '\'' => vec![(Unit::Char(c), end)],
            'b' => vec![(Unit::Char('\u{8}'), end)],
            'f' => vec![(Unit::Char('\u{c}'), end)],
            'n' => vec![(Unit::Char('\n'), end)],
            'r' => vec![(Unit::Char('\r'), end)],
            't' => vec![(Unit::Char('\t'), end)],
            'x' => {
                number(text, end, layers, &Digits::fixed(16, 2)).into_iter().filter_map(|(v, e)| code(v, e)).collect()
            }
            'U' => {
                number(text, end, layers, &Digits::fixed(16, 8)).into_iter().filter_map(|(v, e)| code(v, e)).collect()
            }
            'u' => {
                let mut found: Vec<(Unit, usize)> = Vec::new();
                for (_, open) in chars(text, end, layers).filter(|(c, _)| *c == '{') {
                    let braced = Digits { radix: 16, min: 1, max: 6, close: Some('}') };
                    found.extend(number(text, open, layers, &braced).into_iter().filter_map(|(v, e)| code(v, e)));
                }
                for (high, end) in number(text, end, layers, &Digits::fixed(16, 4)) {
                    if !(0xd800..0xdc00).contains(&high) {
                        found.extend(code(high, end));
                        continue;
                    }
                    // A character past U+FFFF: `\uD83D\uDE00`.
                    for after in word(text, end, layers, b"\\u") {
                        for (low, end) in number(text, after, layers, &Digits::fixed(16, 4)) {
                            if (0xdc00..0xe000).contains(&low) {
                                found.extend(code(0x10000 + ((high - 0xd800) << 10) + (low - 0xdc00), end));
                            }
                        }
                    }
                }
                found
            }
            _ => Vec::new(),
        };
        for unit in decoded {
            push_new(out, unit);
        }
    }
}

/// What follows `&`: a decimal or hex character reference, or one of the names servers write.
fn reference(text: &str, at: usize, layers: u8, out: &mut Vec<(Unit, usize)>) {
    let decimal = Digits { radix: 10, min: 1, max: 8, close: Some(';') };
    let hex = Digits { radix: 16, min: 1, max: 8, close: Some(';') };
    for (c, end) in chars(text, at, layers) {
        if c != '#' {
            continue;
        }
        let mut values = number(text, end, layers, &decimal);
        for (_, after) in chars(text, end, layers).filter(|(x, _)| matches!(x, 'x' | 'X')) {
            values.extend(number(text, after, layers, &hex));
        }
        for (value, end) in values {
            if let Some(c) = char::from_u32(value) {
                push_new(out, (Unit::Char(c), end));
            }
        }
    }
    for (name, c) in [("amp;", '&'), ("lt;", '<'), ("gt;", '>'), ("quot;", '"'), ("apos;", '\'')] {
        for end in word(text, at, layers, name.as_bytes()) {
            push_new(out, (Unit::Char(c), end));
        }
    }
}

/// How a number is written in an escape.
struct Digits {
    radix: u32,
    min: u8,
    max: u8,
    /// The character that ends it (`;`, `}`), or `None` for exactly `max` digits.
    close: Option<char>,
}

impl Digits {
    fn fixed(radix: u32, count: u8) -> Digits {
        Digits { radix, min: count, max: count, close: None }
    }
}

/// Every number that can be read at `at`, with where it ends.
fn number(text: &str, at: usize, layers: u8, digits: &Digits) -> Vec<(u32, usize)> {
    let mut found = Vec::new();
    read_digits(text, at, layers, digits, (0, 0), &mut found);
    found
}

fn read_digits(
    text: &str,
    at: usize,
    layers: u8,
    digits: &Digits,
    (value, count): (u32, u8),
    found: &mut Vec<(u32, usize)>,
) {
    if digits.close.is_none() && count == digits.max {
        found.push((value, at));
        return;
    }
    for (c, end) in chars(text, at, layers) {
        if Some(c) == digits.close && count >= digits.min {
            found.push((value, end));
        } else if let Some(digit) = c.to_digit(digits.radix).filter(|_| count < digits.max) {
            read_digits(text, end, layers, digits, (value * digits.radix + digit, count + 1), found);
        }
    }
}

/// Where `word` (ASCII) ends when it is read at `at`.
fn word(text: &str, at: usize, layers: u8, word_bytes: &[u8]) -> Vec<usize> {
    let Some((&first, rest)) = word_bytes.split_first() else {
        return vec![at];
    };
    chars(text, at, layers)
        .filter(|(c, _)| *c == char::from(first))
        .flat_map(|(_, end)| word(text, end, layers, rest))
        .collect()
}

fn push_new(out: &mut Vec<(Unit, usize)>, reading: (Unit, usize)) {
    if !out.contains(&reading) {
        out.push(reading);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blanked(text: &str, secret: &str) -> String {
        blank(text, &[secret.to_string()], "[x]")
    }

    const PASSWORD: &str = "p/a+s=s €ü";

    #[test]
    fn blanks_the_secret_as_it_is() {
        assert_eq!(blanked(&format!("a {PASSWORD} b {PASSWORD}"), PASSWORD), "a [x] b [x]");
        assert_eq!(blanked("p/a+s=s €", PASSWORD), "p/a+s=s €", "a part is not the secret");
        assert_eq!(blanked("nothing here", PASSWORD), "nothing here");
    }

    #[test]
    fn blanks_json_escapes_of_any_character_in_either_case() {
        for spelled in [
            r"p\/a+s=s €ü",
            r"p\/a\u002Bs\u003ds \u20acü",
            r"p\/a\u002bs\u003Ds\u0020\u20AC\u00fc",
            r"\u0070\u002f\u0061\u002b\u0073\u003d\u0073\u0020\u20ac\u00fc",
            r"p/a+s=s €\u00FC",
            r"p\x2fa\x2Bs=s €ü",
            r"p\u{2f}a\u{2B}s=s\u{20}€ü",
            r"p\U0000002Fa+s=s €ü",
        ] {
            assert_eq!(blanked(&format!("<{spelled}>"), PASSWORD), "<[x]>", "{spelled}");
        }
        assert_eq!(blanked(r#"{"p": "a\"b\\c\nd"}"#, "a\"b\\c\nd"), r#"{"p": "[x]"}"#);
        assert_eq!(blanked(r"\uD83D\ude00!", "😀!"), "[x]");
    }

    #[test]
    fn blanks_percent_and_form_encoding_in_either_case() {
        for spelled in [
            "p%2Fa%2Bs%3Ds%20%E2%82%AC%C3%BC",
            "p%2fa%2bs%3ds+%e2%82%ac%c3%bc",
            "%70%2F%61%2B%73%3D%73%20%E2%82%AC%C3%BC",
            "p/a%2Bs=s %E2%82%ACü",
        ] {
            assert_eq!(blanked(&format!("?secret={spelled}&x=1"), PASSWORD), "?secret=[x]&x=1", "{spelled}");
        }
        assert_eq!(blanked("p%2Fa%2Bs%3Ds%20%E2%82", PASSWORD), "p%2Fa%2Bs%3Ds%20%E2%82", "a part is not the secret");
    }

    #[test]
    fn blanks_html_references() {
        for spelled in ["p&#47;a&#43;s&#61;s&#32;&#8364;&#252;", "p&#x2F;a&#X2b;s=s €&#xfc;", "p/a&#0043;s=s €ü"] {
            assert_eq!(blanked(&format!("<p>{spelled}</p>"), PASSWORD), "<p>[x]</p>", "{spelled}");
        }
        assert_eq!(blanked("a&amp;b&lt;c&quot;", "a&b<c\""), "[x]");
    }

    #[test]
    fn blanks_escapes_escaped_once_more() {
        for spelled in [
            "p%252Fa%252Bs%253Ds%2520%25E2%2582%25AC%25C3%25BC",
            r"p\\\/a\\u002Bs=s €ü",
            "p&amp;#47;a+s=s €ü",
            r"p\u0025\u0032Fa+s=s €ü",
            r"p%5C%2Fa+s=s €ü",
        ] {
            assert_eq!(blanked(&format!("[{spelled}]"), PASSWORD), "[[x]]", "{spelled}");
        }
    }

    #[test]
    fn a_secret_that_holds_escape_syntax_matches_both_ways() {
        for text in ["%25", "%2525", "\\u0025\\u0032\\u0035", "%\\u0032\\u0035"] {
            assert_eq!(blanked(text, "%25"), "[x]", "{text}");
        }
        assert_eq!(blanked("a+b", "a+b"), "[x]");
        assert_eq!(blanked("a+b", "a b"), "[x]");
        assert_eq!(blanked("a&b", "a&b"), "[x]");
    }

    #[test]
    fn leftmost_and_longest_first() {
        let secrets = ["abcdef".to_string(), "cdef".to_string()];
        assert_eq!(blank("xabcdefx cdef", &secrets, "[x]"), "x[x]x [x]");
        assert_eq!(blank("", &secrets, "[x]"), "");
    }

    /// Text of random escape pieces (cut escapes, surrogates, multi-byte characters) never
    /// panics the matcher, and every planted spelling is blanked.
    #[test]
    fn random_escape_soup_never_panics() {
        let pieces = [
            "%",
            "%2",
            "%2F",
            "%25",
            "%E2%82%AC",
            "\\",
            "\\u",
            "\\u002",
            "\\u002B",
            "\\uD83D",
            "\\ude00",
            "\\u{",
            "\\u{2b}",
            "\\x",
            "\\U0010FFFF",
            "&",
            "&#",
            "&#x",
            "&#43;",
            "&amp;",
            "&#99999999;",
            "+",
            "p",
            "/",
            "€",
            "ü",
            "😀",
            ";",
            "}",
        ];
        let secrets = [PASSWORD.to_string(), "%25\\".to_string()];
        let mut seed = 0x2545_f491_u32;
        for _ in 0..2000 {
            let mut text = String::new();
            for _ in 0..12 {
                seed ^= seed << 13;
                seed ^= seed >> 17;
                seed ^= seed << 5;
                text.push_str(pieces[seed as usize % pieces.len()]);
            }
            let planted = format!("{text}p%2Fa\\u002bs=s €\\u00fc{text}");
            assert!(blank(&planted, &secrets, "[x]").contains("[x]"), "{planted}");
        }
    }

    /// A megabyte of text made of escape openers is scanned in reasonable time.
    #[test]
    fn a_flood_of_escape_openers_is_cheap() {
        let text = "%\\&+%2".repeat(50_000);
        let secrets: Vec<String> = (0..20).map(|index| format!("secret-{index}/+=")).collect();
        assert_eq!(blank(&text, &secrets, "[x]"), text);
    }
}
