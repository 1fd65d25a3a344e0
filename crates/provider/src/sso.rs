//! SSO tokens, written apart from kensa's signer on purpose: two implementations that must agree are a test.
//!
//! The tokens of protocol §4.3 and the checks a provider makes on a login. Sharing the token
//! recipe with `kensa_checks::sso` would let one mistake pass on both sides. Hex comes from
//! `kensa_checks::encoding`, as the signer's does: it is not what is verified, and
//! `protocol_test_vectors` below pins its output to known tokens.

use kensa_checks::encoding::hex;
use sha1::Sha1;
use sha2::{Digest, Sha256};

use crate::auth::constant_time_eq;
use crate::fault::{Fault, Faults};

/// How old a timestamp may be: the documented 5 minutes.
pub const MAX_AGE_SECS: i64 = 5 * 60;

/// How far ahead of our clock a timestamp may be. A little slack for clock skew
/// between Heroku and the provider; a checker's "future" probe should use a minute or more.
pub const MAX_FUTURE_SKEW_SECS: i64 = 30;

/// Legacy (v1) token: `hex(sha1(id:salt:timestamp))`, where `id` is the provider's resource id.
pub fn token(id: &str, salt: &str, timestamp: &str) -> String {
    hex(&Sha1::digest(format!("{id}:{salt}:{timestamp}").as_bytes()))
}

/// v3 token: `hex(sha1(uuid:salt:timestamp))`, where `uuid` is Heroku's resource uuid.
pub fn resource_token(uuid: &str, salt: &str, timestamp: &str) -> String {
    hex(&Sha1::digest(format!("{uuid}:{salt}:{timestamp}").as_bytes()))
}

/// Newest v3 token: `hex(sha256(uuid:salt:timestamp:user_id:email))`.
pub fn user_scoped_resource_token(uuid: &str, salt: &str, timestamp: &str, user_id: &str, email: &str) -> String {
    hex(&Sha256::digest(format!("{uuid}:{salt}:{timestamp}:{user_id}:{email}").as_bytes()))
}

/// The login parameters, from a query string (legacy GET) or a form (POST).
#[derive(Debug, Default, Clone)]
pub(crate) struct Params {
    pub(crate) id: Option<String>,
    pub(crate) token: Option<String>,
    pub(crate) timestamp: Option<String>,
    pub(crate) nav_data: Option<String>,
    pub(crate) email: Option<String>,
    pub(crate) app: Option<String>,
    pub(crate) context_app: Option<String>,
    pub(crate) resource_id: Option<String>,
    pub(crate) resource_token: Option<String>,
    pub(crate) user_id: Option<String>,
    pub(crate) user_scoped_resource_token: Option<String>,
}

impl Params {
    /// Reads `application/x-www-form-urlencoded` text; unknown keys are ignored.
    pub(crate) fn parse(encoded: &[u8]) -> Params {
        let mut p = Params::default();
        for (key, value) in form_urlencoded::parse(encoded) {
            let slot = match key.as_ref() {
                "id" => &mut p.id,
                "token" => &mut p.token,
                "timestamp" => &mut p.timestamp,
                "nav-data" => &mut p.nav_data,
                "email" => &mut p.email,
                "app" => &mut p.app,
                "context_app" => &mut p.context_app,
                "resource_id" => &mut p.resource_id,
                "resource_token" => &mut p.resource_token,
                "user_id" => &mut p.user_id,
                "user_scoped_resource_token" => &mut p.user_scoped_resource_token,
                _ => continue,
            };
            *slot = Some(value.into_owned());
        }
        p
    }
}

/// Which resource a valid login is for.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Key {
    /// Provider id, proven by the legacy `token`.
    ProviderId(String),
    /// Heroku uuid, proven by `resource_token` or `user_scoped_resource_token`.
    Uuid(String),
}

impl Key {
    pub(crate) fn as_str(&self) -> &str {
        match self {
            Key::ProviderId(s) | Key::Uuid(s) => s,
        }
    }
}

/// Why a login was refused (all answered 403).
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Reject {
    MissingTimestamp,
    TimestampTooOld,
    TimestampInFuture,
    BadToken,
}

impl Reject {
    pub(crate) fn message(&self) -> &'static str {
        match self {
            Reject::MissingTimestamp => "timestamp is missing or not a number",
            Reject::TimestampTooOld => "timestamp is more than 5 minutes old",
            Reject::TimestampInFuture => "timestamp is in the future",
            Reject::BadToken => "token is invalid",
        }
    }
}

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().filter(|s| !s.is_empty())
}

/// Checks the timestamp window and the tokens; any one valid token is enough.
pub(crate) fn verify(p: &Params, salt: &str, now: i64, faults: Faults) -> Result<Key, Reject> {
    let ts_text = p.timestamp.as_deref().unwrap_or("").trim();
    let ts: i64 = ts_text.parse().map_err(|_| Reject::MissingTimestamp)?;
    if now.saturating_sub(ts) > MAX_AGE_SECS && !faults.contains(Fault::SsoIgnoreTimestamp) {
        return Err(Reject::TimestampTooOld);
    }
    if ts.saturating_sub(now) > MAX_FUTURE_SKEW_SECS && !faults.contains(Fault::SsoAcceptFutureTimestamp) {
        return Err(Reject::TimestampInFuture);
    }

    if faults.contains(Fault::SsoIgnoreToken) {
        return match (given(&p.resource_id), given(&p.id)) {
            (Some(uuid), _) => Ok(Key::Uuid(uuid.to_owned())),
            (None, Some(id)) => Ok(Key::ProviderId(id.to_owned())),
            (None, None) => Err(Reject::BadToken),
        };
    }

    // The token is hashed from the timestamp text exactly as sent.
    if let Some(uuid) = given(&p.resource_id) {
        if let (Some(sent), Some(user_id), Some(email)) =
            (given(&p.user_scoped_resource_token), given(&p.user_id), given(&p.email))
        {
            let expected = user_scoped_resource_token(uuid, salt, ts_text, user_id, email);
            if constant_time_eq(&sent.to_ascii_lowercase(), &expected) {
                return Ok(Key::Uuid(uuid.to_owned()));
            }
        }
        if let Some(sent) = given(&p.resource_token) {
            let expected = resource_token(uuid, salt, ts_text);
            if constant_time_eq(&sent.to_ascii_lowercase(), &expected) {
                return Ok(Key::Uuid(uuid.to_owned()));
            }
        }
    }
    if let (Some(id), Some(sent)) = (given(&p.id), given(&p.token)) {
        let expected = token(id, salt, ts_text);
        if constant_time_eq(&sent.to_ascii_lowercase(), &expected) {
            return Ok(Key::ProviderId(id.to_owned()));
        }
    }
    Err(Reject::BadToken)
}

#[cfg(test)]
mod tests {
    use super::*;

    const UUID: &str = "01234567-89ab-cdef-0123-456789abcdef";
    const USER: &str = "fedcba98-7654-3210-fedc-ba9876543210";

    #[test]
    fn protocol_test_vectors() {
        assert_eq!(token("1", "SSO_SALT", "1262304000"), "b6010f6fbb850887a396c2bc0ab23974003008f6");
        assert_eq!(
            token("123", "2f97bfa52ca102f8874716e2eb1d3b4920ad0be4", "1267597772"),
            "bb466eb1d6bc345d11072c3cd25c311f21be130d"
        );
        assert_eq!(resource_token(UUID, "SSO_SALT", "1262304000"), "094733ee718bbb40f4741b03341be3630b127a2f");
        assert_eq!(
            user_scoped_resource_token(UUID, "SSO_SALT", "1262304000", USER, "user@example.com"),
            "b345e31bcdaecd27ab7088659496d281b1c6a2feffb0aea62c136036ec6294fb"
        );
    }

    const NOW: i64 = 1_262_304_000;

    fn legacy(id: &str, ts: i64) -> Params {
        let ts = ts.to_string();
        Params {
            id: Some(id.into()),
            token: Some(token(id, "SSO_SALT", &ts)),
            timestamp: Some(ts),
            ..Params::default()
        }
    }

    #[test]
    fn legacy_token_window() {
        let none = Faults::NONE;
        let ok = Ok(Key::ProviderId("abc".into()));
        assert_eq!(verify(&legacy("abc", NOW), "SSO_SALT", NOW, none), ok);
        assert_eq!(verify(&legacy("abc", NOW - 300), "SSO_SALT", NOW, none), ok);
        assert_eq!(verify(&legacy("abc", NOW - 360), "SSO_SALT", NOW, none), Err(Reject::TimestampTooOld));
        assert_eq!(verify(&legacy("abc", NOW + 60), "SSO_SALT", NOW, none), Err(Reject::TimestampInFuture));
        assert_eq!(verify(&legacy("abc", NOW), "OTHER_SALT", NOW, none), Err(Reject::BadToken));
        let mut missing = legacy("abc", NOW);
        missing.timestamp = None;
        assert_eq!(verify(&missing, "SSO_SALT", NOW, none), Err(Reject::MissingTimestamp));
    }

    #[test]
    fn v3_tokens() {
        let ts = NOW.to_string();
        let mut p = Params {
            resource_id: Some(UUID.into()),
            resource_token: Some(resource_token(UUID, "SSO_SALT", &ts)),
            timestamp: Some(ts.clone()),
            email: Some("user@example.com".into()),
            user_id: Some(USER.into()),
            ..Params::default()
        };
        let uuid = Ok(Key::Uuid(UUID.into()));
        assert_eq!(verify(&p, "SSO_SALT", NOW, Faults::NONE), uuid);
        p.resource_token = Some("bad".into());
        assert_eq!(verify(&p, "SSO_SALT", NOW, Faults::NONE), Err(Reject::BadToken));
        p.user_scoped_resource_token =
            Some(user_scoped_resource_token(UUID, "SSO_SALT", &ts, USER, "user@example.com"));
        assert_eq!(verify(&p, "SSO_SALT", NOW, Faults::NONE), uuid);
        // The user-scoped token binds the email: another email is refused.
        p.email = Some("someone@example.com".into());
        assert_eq!(verify(&p, "SSO_SALT", NOW, Faults::NONE), Err(Reject::BadToken));
    }

    #[test]
    fn faults_loosen_the_checks() {
        let mut bad = legacy("abc", NOW);
        bad.token = Some("invalid".into());
        assert_eq!(verify(&bad, "SSO_SALT", NOW, Fault::SsoIgnoreToken.into()), Ok(Key::ProviderId("abc".into())));
        assert!(verify(&legacy("abc", NOW - 3600), "SSO_SALT", NOW, Fault::SsoIgnoreTimestamp.into()).is_ok());
        assert!(verify(&legacy("abc", NOW + 3600), "SSO_SALT", NOW, Fault::SsoAcceptFutureTimestamp.into()).is_ok());
        // Each timestamp fault loosens only its own side.
        assert_eq!(
            verify(&legacy("abc", NOW + 3600), "SSO_SALT", NOW, Fault::SsoIgnoreTimestamp.into()),
            Err(Reject::TimestampInFuture)
        );
    }

    #[test]
    fn parses_form_fields() {
        let p = Params::parse(b"id=1&token=t&timestamp=5&nav-data=abc%3D&email=a%40b.c&extra=x&resource_id=u");
        assert_eq!(p.id.as_deref(), Some("1"));
        assert_eq!(p.nav_data.as_deref(), Some("abc="));
        assert_eq!(p.email.as_deref(), Some("a@b.c"));
        assert_eq!(p.resource_id.as_deref(), Some("u"));
    }
}
