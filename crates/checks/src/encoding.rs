//! Small encoders the requests need, kept here rather than pulling crates into the browser bundle.

/// A duration for people: whole seconds as `25 s`, others to a tenth as `1.5 s`. Integer
/// arithmetic on purpose: float formatting would add ~10 KB to the playground's download.
pub fn seconds(milliseconds: u64) -> String {
    if milliseconds.is_multiple_of(1000) {
        return format!("{} s", milliseconds / 1000);
    }
    let tenths = (milliseconds + 50) / 100;
    format!("{}.{} s", tenths / 10, tenths % 10)
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding, as HTTP Basic credentials use.
pub fn base64(input: &[u8]) -> String {
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let bytes = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let triple = (u32::from(bytes[0]) << 16) | (u32::from(bytes[1]) << 8) | u32::from(bytes[2]);
        for index in 0..4 {
            if index <= chunk.len() {
                out.push(char::from(BASE64[((triple >> (18 - 6 * index)) & 0x3f) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// `Basic <base64(user:password)>`.
pub fn basic_auth(user: &str, password: &str) -> String {
    format!("Basic {}", base64(format!("{user}:{password}").as_bytes()))
}

/// Percent-encodes one path segment (like Ruby's `CGI.escape`, but `%20` for spaces).
pub fn path_segment(segment: &str) -> String {
    let mut out = String::new();
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
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
    fn encodes_basic_credentials_like_the_v3_docs() {
        assert_eq!(basic_auth("addon-slug", "super-secret"), "Basic YWRkb24tc2x1ZzpzdXBlci1zZWNyZXQ=");
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
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
