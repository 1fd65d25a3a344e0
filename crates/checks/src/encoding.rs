//! The house's small encoders and text helpers, each written once: hex, base64 (both
//! alphabets, both ways), percent and form encoding, markup escaping, times and durations.
//! Kept here rather than pulling crates into the browser bundle; the CLI, the provider and the
//! playground use these too, so what kensa sends and what its tools read agree.

/// A duration for people: whole seconds as `25 s`, others to a tenth as `1.5 s`. Integer
/// arithmetic on purpose: float formatting would add ~10 KB to the playground's download.
pub fn seconds(milliseconds: u64) -> String {
    if milliseconds.is_multiple_of(1000) {
        return format!("{} s", milliseconds / 1000);
    }
    let tenths = (milliseconds + 50) / 100;
    format!("{}.{} s", tenths / 10, tenths % 10)
}

/// Lower-case hex, two digits a byte: SSO tokens are the hex of a digest, and uuids and
/// generated secrets are written in it.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(char::from(DIGITS[usize::from(byte >> 4)]));
        out.push(char::from(DIGITS[usize::from(byte & 15)]));
    }
    out
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const BASE64URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Standard base64 with padding (RFC 4648 §4), as HTTP Basic credentials use.
pub fn base64(input: &[u8]) -> String {
    encode(BASE64, input, true)
}

/// Standard base64, padding optional: what a server reads from `Authorization: Basic`.
/// `None` for any byte outside the alphabet, more than two `=`, or a length no encoding has.
pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    decode(BASE64, text)
}

/// Base64 with the URL-safe alphabet and no padding (RFC 4648 §5), as the playground's share
/// links use.
pub fn base64url(input: &[u8]) -> String {
    encode(BASE64URL, input, false)
}

/// The inverse of [`base64url`]; also accepts `=` padding. `None` as for [`base64_decode`].
pub fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    decode(BASE64URL, text)
}

fn encode(alphabet: &[u8; 64], input: &[u8], pad: bool) -> String {
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let triple = chunk.iter().enumerate().fold(0u32, |n, (i, byte)| n | (u32::from(*byte) << (16 - 8 * i)));
        for index in 0..4 {
            if index <= chunk.len() {
                out.push(char::from(alphabet[((triple >> (18 - 6 * index)) & 0x3f) as usize]));
            } else if pad {
                out.push('=');
            }
        }
    }
    out
}

fn decode(alphabet: &[u8; 64], text: &str) -> Option<Vec<u8>> {
    let unpadded = text.trim_end_matches('=');
    if text.len() - unpadded.len() > 2 || unpadded.len() % 4 == 1 {
        return None;
    }
    let digits: Vec<u32> = unpadded
        .bytes()
        .map(|byte| alphabet.iter().position(|&c| c == byte).and_then(|value| u32::try_from(value).ok()))
        .collect::<Option<_>>()?;
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for chunk in digits.chunks(4) {
        let triple = chunk.iter().enumerate().fold(0u32, |n, (i, digit)| n | (digit << (18 - 6 * i)));
        let [_, first, second, third] = triple.to_be_bytes();
        out.extend_from_slice(&[first, second, third][..chunk.len() - 1]);
    }
    Some(out)
}

/// `Basic <base64(user:password)>`.
pub fn basic_auth(user: &str, password: &str) -> String {
    format!("Basic {}", base64(format!("{user}:{password}").as_bytes()))
}

/// Percent-encodes one path segment (like Ruby's `CGI.escape`, but `%20` for spaces).
pub fn path_segment(segment: &str) -> String {
    percent_encode(segment, b"-_.~")
}

/// `text` with every byte but ASCII letters, digits and those in `kept` written `%XX`.
pub fn percent_encode(text: &str, kept: &[u8]) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || kept.contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Why a dot-segment or empty key is refused, for messages: "`..` is unusable as a path segment: ...".
pub const DOT_SEGMENT_REASON: &str =
    "`.`, `..` (however percent-encoded) and the empty key address the collection or its parent, not one item in it";

/// True when `segment`, put last in a path, would not name one thing under the path before
/// it: empty, or `.` or `..` once percent-decoded. URL parsers resolve `%2e` as a dot, and a
/// server may decode a path twice, so decoding repeats until nothing changes (`%252e` too).
/// Every key or slug kensa puts in a path passes through here first.
pub fn is_dot_or_empty_segment(segment: &str) -> bool {
    let mut bytes = segment.as_bytes().to_vec();
    loop {
        if matches!(bytes.as_slice(), b"" | b"." | b"..") {
            return true;
        }
        // Two dots percent-encoded whole four times over are 162 bytes: no server decodes
        // more often than that. (Each round that changes something shortens the key.)
        if bytes.len() > 2 * 3usize.pow(4) {
            return false;
        }
        let decoded = percent_decode(&bytes);
        if decoded == bytes {
            return false;
        }
        bytes = decoded;
    }
}

/// `%XX` escapes decoded; anything else, malformed escapes included, kept as it is.
pub fn percent_decode(bytes: &[u8]) -> Vec<u8> {
    let hex = |byte: u8| char::from(byte).to_digit(16).and_then(|digit| u8::try_from(digit).ok());
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let escaped = bytes.get(index + 1..index + 3).and_then(|pair| Some(hex(pair[0])? * 16 + hex(pair[1])?));
        match (bytes[index], escaped) {
            (b'%', Some(byte)) => {
                out.push(byte);
                index += 3;
            }
            (byte, _) => {
                out.push(byte);
                index += 1;
            }
        }
    }
    out
}

/// `application/x-www-form-urlencoded` encoding of one value.
pub fn form_value(value: &str) -> String {
    path_segment(value).replace("%20", "+")
}

/// Escapes text for XML or HTML attributes and content, dropping control characters: the
/// escape of the JUnit report, of the CLI's SSO form page and of the provider's pages.
pub fn escape_markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\t' => out.push(c),
            // Forbidden by XML 1.0 (most C0, U+FFFE, U+FFFF) or able to drive a terminal
            // that shows the file (CR, DEL, C1, bidi overrides).
            c if is_unsafe_char(c) || matches!(c, '\u{fffe}' | '\u{ffff}') => {}
            c => out.push(c),
        }
    }
    out
}

/// Whether `c` must not reach a terminal as it is: C0 and C1 control characters, DEL, and
/// every character a terminal does not show, with which text can be hidden, reordered or
/// disguised ([`INVISIBLE`]). The text renderers escape these and [`escape_markup`] drops them.
pub fn is_unsafe_char(c: char) -> bool {
    if c.is_control() {
        return true;
    }
    let code = u32::from(c);
    code >= 0xad && INVISIBLE.iter().any(|&(first, last)| (first..=last).contains(&code))
}

/// `c` as a JSON `\uXXXX` escape, which reads back as the same character (past U+FFFF, as
/// JSON needs, a surrogate pair): how the JSON and HAR reports write what [`is_unsafe_char`] finds.
pub(crate) fn json_escape(out: &mut String, c: char) {
    use std::fmt::Write;
    for unit in c.encode_utf16(&mut [0; 2]) {
        let _ = write!(out, "\\u{unit:04x}");
    }
}

/// The characters no terminal shows, as sorted inclusive ranges (Unicode 16, no Unicode
/// crate in the playground's download): every format character (general category Cf: soft
/// hyphen, zero-width space and joiners, direction marks and the bidi overrides and
/// isolates, the byte-order mark, tags), the line and paragraph separators (Zl, Zp), and
/// the other default-ignorable code points (combining grapheme joiner, hangul fillers,
/// Khmer inherent vowels, Mongolian and other variation selectors).
const INVISIBLE: [(u32, u32); 25] = [
    (0xad, 0xad),
    (0x34f, 0x34f),
    (0x600, 0x605),
    (0x61c, 0x61c),
    (0x6dd, 0x6dd),
    (0x70f, 0x70f),
    (0x890, 0x891),
    (0x8e2, 0x8e2),
    (0x115f, 0x1160),
    (0x17b4, 0x17b5),
    (0x180b, 0x180f),
    (0x200b, 0x200f),
    (0x2028, 0x202e),
    (0x2060, 0x206f),
    (0x3164, 0x3164),
    (0xfe00, 0xfe0f),
    (0xfeff, 0xfeff),
    (0xffa0, 0xffa0),
    (0xfff0, 0xfffb),
    (0x110bd, 0x110bd),
    (0x110cd, 0x110cd),
    (0x13430, 0x1343f),
    (0x1bca0, 0x1bca3),
    (0x1d173, 0x1d17a),
    (0xe0000, 0xe0fff),
];

/// RFC 3339 UTC time for a Unix time in milliseconds: `2026-11-26T23:21:14Z`.
pub fn rfc3339(unix_ms: u64) -> String {
    let seconds = unix_ms / 1000;
    let days = i64::try_from(seconds / 86_400).unwrap_or(0);
    let rest = seconds % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 { month_index + 3 } else { month_index - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", rest / 3600, (rest % 3600) / 60, rest % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_is_two_lower_case_digits_a_byte() {
        assert_eq!(hex(b""), "");
        assert_eq!(hex(&[0x00, 0x0f, 0x10, 0xab, 0xff]), "000f10abff");
        assert_eq!(hex(b"kensa"), "6b656e7361");
        let every_byte: Vec<u8> = (0..=255).collect();
        let all = hex(&every_byte);
        assert_eq!(all.len(), 512);
        assert!(all.chars().all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)), "{all}");
        assert_eq!(&all[..8], "00010203");
        assert_eq!(&all[all.len() - 4..], "feff");
    }

    #[test]
    fn encodes_basic_credentials_like_the_v3_docs() {
        assert_eq!(basic_auth("addon-slug", "super-secret"), "Basic YWRkb24tc2x1ZzpzdXBlci1zZWNyZXQ=");
        assert_eq!(base64_decode("YWRkb24tc2x1ZzpzdXBlci1zZWNyZXQ="), Some(b"addon-slug:super-secret".to_vec()));
    }

    /// RFC 4648 §10's test vectors, in both alphabets (they differ only in `+/` and `-_`).
    #[test]
    fn base64_matches_rfc_4648_vectors() {
        for (plain, padded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            let unpadded = padded.trim_end_matches('=');
            assert_eq!(base64(plain.as_bytes()), padded);
            assert_eq!(base64url(plain.as_bytes()), unpadded);
            for text in [padded, unpadded] {
                assert_eq!(base64_decode(text).as_deref(), Some(plain.as_bytes()), "{text:?}");
                assert_eq!(base64url_decode(text).as_deref(), Some(plain.as_bytes()), "{text:?}");
            }
        }
        assert_eq!(base64(&[0xfb, 0xff, 0xfe]), "+//+");
        assert_eq!(base64url(&[0xfb, 0xff, 0xfe]), "-__-");
        assert_eq!(base64_decode("+//+"), Some(vec![0xfb, 0xff, 0xfe]));
        assert_eq!(base64url_decode("-__-"), Some(vec![0xfb, 0xff, 0xfe]));
    }

    #[test]
    fn base64_round_trips_every_length_and_byte() {
        let bytes: Vec<u8> = (0..=255).rev().collect();
        for len in 0..bytes.len() {
            let data = &bytes[..len];
            assert_eq!(base64_decode(&base64(data)).as_deref(), Some(data), "len {len}");
            assert_eq!(base64_decode(base64(data).trim_end_matches('=')).as_deref(), Some(data), "len {len}");
            assert_eq!(base64url_decode(&base64url(data)).as_deref(), Some(data), "len {len}");
        }
    }

    #[test]
    fn base64_refuses_what_no_encoder_writes() {
        for text in ["a", "Zm9vY", "ab!d", "ab d", "ab===", "Zg===", "é"] {
            assert_eq!(base64_decode(text), None, "{text:?}");
            assert_eq!(base64url_decode(text), None, "{text:?}");
        }
        // Each alphabet refuses the other's two digits.
        for text in ["Zm9v+w", "Zm9v/w", "-_8", "Zm9v_w"] {
            let std = text.contains(['+', '/']);
            assert_eq!(base64_decode(text).is_some(), std, "{text:?}");
            assert_eq!(base64url_decode(text).is_some(), !std, "{text:?}");
        }
    }

    #[test]
    fn markup_is_escaped_for_xml_and_html() {
        assert_eq!(escape_markup("plain text, é 中文"), "plain text, é 中文");
        assert_eq!(escape_markup("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&apos;");
        assert_eq!(escape_markup("a\nb\tc"), "a&#10;b\tc");
        // Characters XML forbids or a terminal would obey are dropped, not escaped.
        assert_eq!(escape_markup("a\0b\x1b[2J\rc\x7f\u{9b}\u{202e}\u{fffe}\u{ffff}d"), "ab[2Jcd");
        assert_eq!(escape_markup("&amp;"), "&amp;amp;");
    }

    #[test]
    fn invisible_ranges_are_sorted_and_apart() {
        assert!(INVISIBLE.windows(2).all(|pair| pair[0].1 < pair[1].0));
        assert!(INVISIBLE.iter().all(|(first, last)| first <= last));
    }

    #[test]
    fn escapes_path_segments() {
        assert_eq!(path_segment("abc-123_x.y"), "abc-123_x.y");
        assert_eq!(path_segment("a/b c@d"), "a%2Fb%20c%40d");
        assert_eq!(form_value("a b&c"), "a+b%26c");
    }

    #[test]
    fn dot_and_empty_segments_are_found_however_encoded() {
        for segment in ["", ".", "..", "%2e", "%2E", ".%2e", "%2e.", "%2E%2e", "%252e%252e", "%25252E"] {
            assert!(is_dot_or_empty_segment(segment), "{segment:?}");
        }
        for segment in ["...", ". ", " ", "a.", "..a", "%2e%2e%2e", "%2", "%zz", "%", "res-1", "%2f", "%00"] {
            assert!(!is_dot_or_empty_segment(segment), "{segment:?}");
        }
        // A long key is decoded no further than a dot segment could need.
        assert!(!is_dot_or_empty_segment(&"%25".repeat(10_000)));
    }

    #[test]
    fn formats_utc_times() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_262_304_000_000), "2010-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_798_327_274_000), "2026-12-26T23:21:14Z");
        assert_eq!(rfc3339(951_782_400_000), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn seconds_are_whole_or_tenths() {
        assert_eq!(seconds(25_000), "25 s");
        assert_eq!(seconds(1_500), "1.5 s");
        assert_eq!(seconds(1_949), "1.9 s");
        assert_eq!(seconds(1_950), "2.0 s");
        assert_eq!(seconds(40), "0.0 s");
    }
}
