//! HTTP Basic credentials: parsing and a constant-time comparison.

use kensa_checks::encoding::base64_decode;
use sha2::{Digest, Sha256};

use crate::fault::{Fault, Faults};

/// Decoded `Authorization: Basic` credentials.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Credentials {
    pub(crate) user: String,
    pub(crate) password: String,
}

/// The value of an `Authorization` header for Basic credentials: kensa's own encoding, so
/// that the provider's clients and tests send exactly what kensa sends.
pub fn basic_auth_header(user: &str, password: &str) -> String {
    kensa_checks::encoding::basic_auth(user, password)
}

/// Parses an `Authorization` header value. `None` for anything that is not well-formed
/// Basic credentials.
pub(crate) fn parse_basic(header: &str) -> Option<Credentials> {
    let (scheme, rest) = header.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64_decode(rest.trim())?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, password) = text.split_once(':')?;
    Some(Credentials { user: user.to_owned(), password: password.to_owned() })
}

/// Whether `given` satisfies the expected id and password, as bent by the auth faults.
pub(crate) fn authorized(given: Option<&Credentials>, id: &str, password: &str, faults: Faults) -> bool {
    if faults.contains(Fault::NoAuth) {
        return true;
    }
    let Some(given) = given else {
        return false;
    };
    // Both halves are always compared, so timing does not tell which one was wrong.
    let user_ok = constant_time_eq(&given.user, id);
    let password_ok = constant_time_eq(&given.password, password);
    if faults.contains(Fault::AuthPasswordOnly) {
        password_ok
    } else if faults.contains(Fault::AuthUserOnly) {
        user_ok
    } else {
        user_ok & password_ok
    }
}

/// Compares SHA-256 digests so that neither the content nor the length of the secret
/// leaks through timing.
pub(crate) fn constant_time_eq(a: &str, b: &str) -> bool {
    let da = Sha256::digest(a.as_bytes());
    let db = Sha256::digest(b.as_bytes());
    da.iter().zip(db.iter()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use kensa_checks::encoding::base64 as base64_encode;

    #[test]
    fn decodes_the_v3_reference_example() {
        // [V3]: addon-slug:super-secret
        let creds = parse_basic("Basic YWRkb24tc2x1ZzpzdXBlci1zZWNyZXQ=").unwrap();
        assert_eq!(creds.user, "addon-slug");
        assert_eq!(creds.password, "super-secret");
        assert_eq!(base64_encode(b"addon-slug:super-secret"), "YWRkb24tc2x1ZzpzdXBlci1zZWNyZXQ=");
    }

    #[test]
    fn rejects_malformed_headers() {
        assert_eq!(parse_basic("Bearer abc"), None);
        assert_eq!(parse_basic("Basic"), None);
        assert_eq!(parse_basic(&format!("Basic {}", base64_encode(b"nocolon"))), None);
        let password_with_colon = parse_basic(&format!("basic {}", base64_encode(b"a:b:c"))).unwrap();
        assert_eq!(password_with_colon.password, "b:c");
    }

    #[test]
    fn basic_header() {
        assert_eq!(basic_auth_header("addon-slug", "super-secret"), "Basic YWRkb24tc2x1ZzpzdXBlci1zZWNyZXQ=");
    }

    fn creds(user: &str, password: &str) -> Credentials {
        Credentials { user: user.into(), password: password.into() }
    }

    #[test]
    fn both_halves_are_checked() {
        let none = Faults::NONE;
        assert!(authorized(Some(&creds("myaddon", "pw")), "myaddon", "pw", none));
        assert!(!authorized(Some(&creds("other", "pw")), "myaddon", "pw", none));
        assert!(!authorized(Some(&creds("myaddon", "nope")), "myaddon", "pw", none));
        assert!(!authorized(Some(&creds("myaddon", "pw2")), "myaddon", "pw", none));
        assert!(!authorized(None, "myaddon", "pw", none));
    }

    #[test]
    fn auth_faults_bend_the_check() {
        let wrong_user = creds("other", "pw");
        let wrong_password = creds("myaddon", "nope");
        let f = Faults::from(Fault::AuthPasswordOnly);
        assert!(authorized(Some(&wrong_user), "myaddon", "pw", f));
        assert!(!authorized(Some(&wrong_password), "myaddon", "pw", f));
        let f = Faults::from(Fault::AuthUserOnly);
        assert!(!authorized(Some(&wrong_user), "myaddon", "pw", f));
        assert!(authorized(Some(&wrong_password), "myaddon", "pw", f));
        assert!(authorized(None, "myaddon", "pw", Faults::from(Fault::NoAuth)));
    }
}
