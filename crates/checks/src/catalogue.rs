//! Every live check kensa makes against a provider, with its stable code and the old gem's
//! label. Manifest rules live in `kensa_manifest::RULES`.

/// One live check.
#[derive(Debug)]
pub struct CheckDef {
    /// Stable code, such as `P01`.
    pub code: &'static str,
    /// Kebab-case name of the behaviour verified.
    pub name: &'static str,
    /// The old gem's label, printed after `Check `.
    pub label: &'static str,
    /// One sentence: what the check verifies.
    pub summary: &'static str,
}

macro_rules! checks {
    ($($ident:ident = $code:literal, $name:literal, $label:literal, $summary:literal;)*) => {
        $(pub(crate) static $ident: CheckDef = CheckDef { code: $code, name: $name, label: $label, summary: $summary };)*
        /// Every live check, in the order a full run makes them.
        pub static CHECKS: &[&CheckDef] = &[$(&$ident),*];
    };
}

checks! {
    PROVISION_RESPONSE = "P01", "provision/responds-200", "response",
        "POST to the base URL with the manifest credentials answers exactly 200 (202 only for asynchronous provisioning).";
    PROVISION_JSON = "P02", "provision/valid-json", "valid JSON",
        "The provision response body is JSON.";
    PROVISION_AUTH = "P03", "provision/rejects-bad-credentials", "authentication",
        "A wrong username, a wrong password, or both, each get 401.";
    RESPONSE_ID = "R01", "provision/returns-id", "contains an id",
        "The provision response is a JSON object with a non-empty `id`.";
    RESPONSE_ID_NOT_HEROKU_ID = "R02", "provision/id-not-from-heroku-id", "id does not contain heroku_id",
        "The `id` is not derived from the app number in the `heroku_id` sent (v1).";
    RESPONSE_LOG_DRAIN = "R03", "provision/log-drain-url", "log_drain_url is returned if required",
        "With `requires: syslog_drain`, the response carries a `log_drain_url` of the form https:// or syslog://.";
    CONFIG_OBJECT = "R04", "config/is-object", "is a hash",
        "`config`, when present, is a JSON object.";
    CONFIG_KEYS_DECLARED = "R05", "config/keys-declared", "all config keys were previously defined in the manifest",
        "Every returned config var is declared in the manifest's `config_vars`.";
    CONFIG_KEYS_PRESENT = "R06", "config/declared-keys-present", "all keys in the manifest are present",
        "Every config var declared in the manifest is returned (a warning when not).";
    CONFIG_VALUES_STRINGS = "R07", "config/values-are-strings", "all config values are strings",
        "Every config value is a string.";
    CONFIG_URLS = "R08", "config/urls-valid", "URL configs vars",
        "Every `*_URL` value is an absolute URI with scheme and host, not localhost in production.";
    ASYNC_COMPLETES = "A01", "async/completes", "async provisioning completes",
        "Under --async, the provider finishes through Heroku's API (config PATCH then actions/provision, or the legacy PUT) in time.";
    ASYNC_OAUTH = "A02", "async/uses-oauth-token", "async calls use the OAuth token",
        "The provider exchanges the oauth_grant it was sent and authenticates its calls with that token.";
    IDEMPOTENT = "D01", "provision/idempotent-on-uuid", "repeated uuid returns the same id",
        "Heroku delivers at least once: a second POST with the same uuid returns the same resource.";
    DISTINCT_IDS = "D02", "provision/distinct-ids", "different uuids return different ids",
        "Two provisions with different uuids return different ids.";
    DEPROVISION_RESPONSE = "X01", "deprovision/responds-200-or-204", "response",
        "DELETE of the resource answers 200 or 204.";
    DEPROVISION_AUTH = "X02", "deprovision/rejects-bad-credentials", "authentication",
        "DELETE with a wrong username, a wrong password, or both, each get 401.";
    PLAN_CHANGE_RESPONSE = "C01", "planchange/responds-200", "response",
        "PUT of the new plan answers 200 with a JSON object.";
    PLAN_CHANGE_AUTH = "C02", "planchange/rejects-bad-credentials", "authentication",
        "PUT with a wrong username, a wrong password, or both, each get 401.";
    SSO_SALT = "S01", "sso/salt-present", "has an sso salt",
        "The manifest has `api.sso_salt`, without which no SSO request can be signed.";
    SSO_BAD_TOKEN = "S02", "sso/rejects-bad-token", "validates token",
        "A sign-in with wrong tokens gets 403.";
    SSO_OLD_TIMESTAMP = "S03", "sso/rejects-stale-timestamp", "validates timestamp",
        "A correctly signed sign-in whose timestamp is 6 minutes old gets 403.";
    SSO_FUTURE_TIMESTAMP = "S04", "sso/rejects-future-timestamp", "validates future timestamp",
        "A correctly signed sign-in whose timestamp is 6 minutes ahead gets 403.";
    SSO_LOGIN = "S05", "sso/logs-in", "logs in",
        "A correctly signed, fresh sign-in ends (after redirects) in a 2xx page.";
    SSO_COOKIE = "S06", "sso/sets-nav-data-cookie", "creates the heroku-nav-data cookie",
        "The sign-in sets cookie `heroku-nav-data` to the `nav-data` sent (legacy: a warning for v3).";
    SSO_LAYOUT = "S07", "sso/shows-heroku-layout", "displays the heroku layout",
        "The signed-in page shows `div#heroku-header` or the boomerang script (legacy: a warning for v3).";
    COMMAND_EXIT = "E01", "run/command-succeeds", "command exits with status 0",
        "`kensa run`: the command given, run with the provisioned config vars, exits with 0.";
}

pub fn find(code: &str) -> Option<&'static CheckDef> {
    CHECKS.iter().copied().find(|check| check.code.eq_ignore_ascii_case(code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_are_unique() {
        for (index, check) in CHECKS.iter().enumerate() {
            assert!(
                CHECKS[index + 1..].iter().all(|other| other.code != check.code && other.name != check.name),
                "{}",
                check.code
            );
            assert!(check.name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '/'));
        }
        assert_eq!(find("p01").map(|check| check.name), Some("provision/responds-200"));
    }
}
