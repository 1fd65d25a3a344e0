//! Every live check kensa makes against a provider, with its stable code and the old gem's
//! label. Manifest rules live in `kensa_manifest::RULES`.

use kensa_manifest::references::*;

pub use kensa_manifest::CheckDef;

macro_rules! checks {
    ($($ident:ident {
        code: $code:literal,
        name: $name:literal,
        label: $label:literal,
        summary: $summary:literal,
        why: $why:literal,
        example: $example:literal,
        fix: $fix:literal,
        reference: $reference:expr,
    })*) => {
        $(pub(crate) static $ident: CheckDef = CheckDef {
            code: $code,
            name: $name,
            label: $label,
            summary: $summary,
            why: $why,
            example: $example,
            fix: $fix,
            reference: $reference,
        };)*
        /// Every live check, in the order a full run makes them.
        pub static CHECKS: &[&CheckDef] = &[$(&$ident),*];
    };
}

checks! {
    PROVISION_RESPONSE {
        code: "P01",
        name: "provision/responds-200",
        label: "response",
        summary: "POST to the base URL with the manifest credentials answers exactly 200 (202 only for \
                  asynchronous provisioning).",
        why: "Heroku provisions with a POST to `base_url` and shows the user an error for anything but 200, or \
              202 when the add-on then finishes through Heroku's API.",
        example: "expected 200, got 404",
        fix: "Route `POST` on the path of `base_url` (usually `/heroku/resources`) to your provisioning code and \
              answer 200 with the new resource; answer 202 only if you finish asynchronously.",
        reference: PARTNER_API_ARTICLE,
    }
    PROVISION_JSON {
        code: "P02",
        name: "provision/valid-json",
        label: "valid JSON",
        summary: "The provision response body is JSON.",
        why: "Heroku reads the resource's `id`, `config` and `message` from a JSON body.",
        example: "the response body is not JSON: expected value at line 1 column 1",
        fix: "Answer with a JSON object such as `{\"id\": \"123\", \"config\": {\"MYADDON_URL\": \"...\"}}` and \
              `Content-Type: application/json`.",
        reference: PARTNER_API_ARTICLE,
    }
    PROVISION_AUTH {
        code: "P03",
        name: "provision/rejects-bad-credentials",
        label: "authentication",
        summary: "A wrong username, a wrong password, or both, each get 401.",
        why: "The provisioning API is reachable by anyone; Basic auth with the add-on id and password is all that \
              stops strangers from creating resources, and Heroku expects 401 when it fails.",
        example: "expected 401, got 200 with a wrong username",
        fix: "Check both the username (the add-on id) and the password from the manifest on every call, compare \
              them in constant time, and answer 401 when either is wrong.",
        reference: PARTNER_API_ARTICLE,
    }
    RESPONSE_ID {
        code: "R01",
        name: "provision/returns-id",
        label: "contains an id",
        summary: "The provision response is a JSON object with a non-empty `id` that can be a path segment.",
        why: "Heroku stores the id and shows it to the user; in v1 it is also the key of every later call and of \
              single sign-on, in paths such as `/heroku/resources/<id>`, where `.` or `..` would address the \
              collection or its parent instead.",
        example: "the response has no `id`",
        fix: "Return a unique, non-empty `id` (a string or a number, not `.` or `..`) for the resource you \
              created.",
        reference: PARTNER_API_ARTICLE,
    }
    RESPONSE_ID_NOT_HEROKU_ID {
        code: "R02",
        name: "provision/id-not-from-heroku-id",
        label: "id does not contain heroku_id",
        summary: "The `id` is not derived from the app number in the `heroku_id` sent (v1).",
        why: "A v1 `heroku_id` names the app, not the resource, so an id made from it is not unique: a second \
              resource for the same app would get the same id.",
        example: "id cannot include heroku_id: `app123456` contains the app number 123456 that was sent",
        fix: "Make the id yourself (a database key or a random token), or derive it only from the `uuid`.",
        reference: PARTNER_API_ARTICLE,
    }
    RESPONSE_LOG_DRAIN {
        code: "R03",
        name: "provision/log-drain-url",
        label: "log_drain_url is returned if required",
        summary: "With `requires: syslog_drain`, the response carries a `log_drain_url` of the form https:// or \
                  syslog://.",
        why: "With `syslog_drain` required, Heroku sends the app's logs to the `log_drain_url` you return; without \
              one the add-on gets no logs.",
        example: "must return a log_drain_url",
        fix: "Return `log_drain_url` beside `id`, as `https://...` or `syslog://host:port`, and match incoming \
              logs by the `log_drain_token` Heroku sent.",
        reference: LOG_ARTICLE,
    }
    CONFIG_OBJECT {
        code: "R04",
        name: "config/is-object",
        label: "is a hash",
        summary: "`config`, when present, is a JSON object.",
        why: "Heroku sets each key of `config` as an environment variable of the app, so it must map names to \
              values.",
        example: "`config` must be an object, found an array",
        fix: "Return `\"config\": {\"MYADDON_URL\": \"...\"}`.",
        reference: PARTNER_API_ARTICLE,
    }
    CONFIG_KEYS_DECLARED {
        code: "R05",
        name: "config/keys-declared",
        label: "all config keys were previously defined in the manifest",
        summary: "Every returned config var is declared in the manifest's `config_vars`.",
        why: "The manifest declares which variables your add-on sets on an app; a name it does not declare is \
              outside what Heroku expects from the add-on.",
        example: "MYADDON_OTHER_URL is not in the manifest",
        fix: "Add the name to `api.config_vars`, or stop returning it.",
        reference: PARTNER_API_ARTICLE,
    }
    CONFIG_KEYS_PRESENT {
        code: "R06",
        name: "config/declared-keys-present",
        label: "all keys in the manifest are present",
        summary: "Every config var declared in the manifest is returned (a warning when not).",
        why: "The app's code looks for the vars the manifest promises; one missing after provisioning is usually \
              a bug.",
        example: "MYADDON_URL is missing from the provision response",
        fix: "Return every declared var in `config`, or remove the ones you never set from `api.config_vars`.",
        reference: PARTNER_API_ARTICLE,
    }
    CONFIG_VALUES_STRINGS {
        code: "R07",
        name: "config/values-are-strings",
        label: "all config values are strings",
        summary: "Every config value is a string.",
        why: "Config vars become environment variables, and environment variables are strings.",
        example: "the key MYADDON_URL doesn't contain a string (42)",
        fix: "Send every value as a JSON string: `\"42\"`, not `42`.",
        reference: PARTNER_API_ARTICLE,
    }
    CONFIG_URLS {
        code: "R08",
        name: "config/urls-valid",
        label: "URL configs vars",
        summary: "Every `*_URL` value is an absolute URI with scheme and host, not localhost in production.",
        why: "Apps hand `*_URL` vars straight to client libraries, which need an absolute URI; a production \
              resource on localhost is unreachable from the app's dynos.",
        example: "MYADDON_URL: db.example.com/x is not a valid URI - missing scheme",
        fix: "Return a whole URI with scheme and host, such as `postgres://user:pass@db.example.com:5432/db`, on \
              a host apps can reach.",
        reference: PARTNER_API_ARTICLE,
    }
    ASYNC_COMPLETES {
        code: "A01",
        name: "async/completes",
        label: "async provisioning completes",
        summary: "Under --async, the provider finishes through Heroku's API (config PATCH then actions/provision, \
                  or the legacy PUT) in time.",
        why: "After a 202 the add-on stays `provisioning` until the provider says it is done; Heroku removes it, \
              unbilled, if that has not happened within 12 hours.",
        example: "the provider did not finish provisioning within 30 s: expected POST \
                  /addons/01234567-89ab-cdef-0123-456789abcdef/actions/provision (v3) or a PUT to the callback URL",
        fix: "When the resource is ready, set its config with `PATCH <callback_url>/config`, then call `POST \
              <callback_url>/actions/provision` with the token from the `oauth_grant`; answer 200 instead of 202 \
              if you provision synchronously.",
        reference: ASYNC_ARTICLE,
    }
    ASYNC_OAUTH {
        code: "A02",
        name: "async/uses-oauth-token",
        label: "async calls use the OAuth token",
        summary: "The provider exchanges the oauth_grant it was sent and authenticates its calls with that token.",
        why: "Heroku's API accepts calls about the resource only with the token got by exchanging the \
              `oauth_grant` code sent at provision.",
        example: "POST /addons/01234567-89ab-cdef-0123-456789abcdef/actions/provision carried a wrong bearer token",
        fix: "Exchange `oauth_grant.code` at `https://id.heroku.com/oauth/token` before it expires, keep the \
              tokens encrypted, and send `Authorization: Bearer <access_token>` on every call.",
        reference: PLATFORM_API_ARTICLE,
    }
    IDEMPOTENT {
        code: "D01",
        name: "provision/idempotent-on-uuid",
        label: "repeated uuid returns the same id",
        summary: "Heroku delivers at least once: a second POST with the same uuid returns the same resource.",
        why: "Heroku may send the same provision request more than once; a repeat must not create a second, \
              orphaned resource.",
        example: "the same uuid returned a new id `res-2` (the first call returned `res-1`): Heroku may send a \
                  provision more than once, so keep its `uuid` with the resource (unique) and answer a repeat with \
                  the resource you already made",
        fix: "Store the `uuid` Heroku sends with each resource, with a unique constraint, and when it comes again \
              answer with the resource already made. In the guide's Sinatra code, `Database.create!` makes a new \
              record on every call: read the uuid from the JSON body \
              (`uuid = JSON.parse(request.body.read)['uuid']`), look it up first and create only when there is \
              none.",
        reference: PARTNER_API_ARTICLE,
    }
    DISTINCT_IDS {
        code: "D02",
        name: "provision/distinct-ids",
        label: "different uuids return different ids",
        summary: "Two provisions with different uuids return different ids.",
        why: "Each provision is a separate resource (an app may even hold several), and Heroku tells them apart \
              by id.",
        example: "multiple provisions cannot return the same id: two uuids both got `res-1` (kensa does not deprovision it here: it is the resource under test)",
        fix: "Create a new resource with a fresh id for every new `uuid`.",
        reference: PARTNER_API_ARTICLE,
    }
    DEPROVISION_RESPONSE {
        code: "X01",
        name: "deprovision/responds-200-or-204",
        label: "response",
        summary: "DELETE of the resource answers 200 or 204.",
        why: "Heroku removes an add-on with a DELETE of the resource and takes anything but success as a failure \
              to remove it.",
        example: "expected 200 or 204, got 404",
        fix: "Route `DELETE <base_url>/KEY` (KEY is the uuid in v3, your id in v1), destroy the resource and \
              answer 204.",
        reference: PARTNER_API_ARTICLE,
    }
    DEPROVISION_AUTH {
        code: "X02",
        name: "deprovision/rejects-bad-credentials",
        label: "authentication",
        summary: "DELETE with a wrong username, a wrong password, or both, each get 401.",
        why: "Without authentication anyone could delete your customers' resources.",
        example: "expected 401, got 204 with a wrong password",
        fix: "Authenticate DELETE like provisioning: the add-on id and password from the manifest, 401 \
              otherwise.",
        reference: PARTNER_API_ARTICLE,
    }
    PLAN_CHANGE_RESPONSE {
        code: "C01",
        name: "planchange/responds-200",
        label: "response",
        summary: "PUT of the new plan answers 200 with a JSON object.",
        why: "Heroku changes plans with a PUT of `{\"plan\"}` to the resource and expects 200 with a JSON object \
              (new `config` and a `message` are optional); a change that cannot be instant answers 503 with a \
              `message`, which kensa reports as such.",
        example: "expected 200, got 404",
        fix: "Route `PUT <base_url>/KEY`, move the resource to the `plan` in the body and answer 200 with `{}` or \
              `{\"config\": {...}, \"message\": \"...\"}`.",
        reference: PARTNER_API_ARTICLE,
    }
    PLAN_CHANGE_AUTH {
        code: "C02",
        name: "planchange/rejects-bad-credentials",
        label: "authentication",
        summary: "PUT with a wrong username, a wrong password, or both, each get 401.",
        why: "Without authentication anyone could change your customers' plans, and their bills.",
        example: "expected 401, got 200 with a wrong username and password",
        fix: "Authenticate PUT like provisioning: the add-on id and password from the manifest, 401 otherwise.",
        reference: PARTNER_API_ARTICLE,
    }
    SSO_SALT {
        code: "S01",
        name: "sso/salt-present",
        label: "has an sso salt",
        summary: "The manifest has `api.sso_salt`, without which no SSO request can be signed.",
        why: "Heroku signs every single sign-on request with `api.sso_salt`, so kensa needs it to sign one too.",
        example: "need an sso salt to perform sso test",
        fix: "Add `api.sso_salt` to the manifest: a long random string your service also knows.",
        reference: SSO_ARTICLE,
    }
    SSO_BAD_TOKEN {
        code: "S02",
        name: "sso/rejects-bad-token",
        label: "validates token",
        summary: "A sign-in with wrong tokens gets 403.",
        why: "The token is the only proof that a sign-in comes from Heroku; a provider that ignores it lets \
              anyone who knows a resource id in.",
        example: "expected 403, got 200",
        fix: "Recompute the token (hex sha1 of `id:salt:timestamp`; in v3 also `resource_token` and \
              `user_scoped_resource_token`), compare in constant time, and answer 403 when it differs.",
        reference: SSO_ARTICLE,
    }
    SSO_OLD_TIMESTAMP {
        code: "S03",
        name: "sso/rejects-stale-timestamp",
        label: "validates timestamp",
        summary: "A correctly signed sign-in whose timestamp is 6 minutes old gets 403.",
        why: "Heroku's sign-in requests are valid for about 5 minutes; accepting older ones lets a leaked request \
              be replayed at any time.",
        example: "expected 403, got 302",
        fix: "Answer 403 when `timestamp` is more than 5 minutes old.",
        reference: SSO_ARTICLE,
    }
    SSO_FUTURE_TIMESTAMP {
        code: "S04",
        name: "sso/rejects-future-timestamp",
        label: "validates future timestamp",
        summary: "A correctly signed sign-in whose timestamp is 6 minutes ahead gets 403.",
        why: "A timestamp ahead of now keeps a sign-in request valid past Heroku's 5-minute window.",
        example: "expected 403, got 302",
        fix: "Answer 403 when `timestamp` is more than 5 minutes from now in either direction.",
        reference: SSO_ARTICLE,
    }
    SSO_LOGIN {
        code: "S05",
        name: "sso/logs-in",
        label: "logs in",
        summary: "A correctly signed, fresh sign-in ends (after redirects) in a 2xx page. Redirects are followed \
                  as a browser follows them: 307 and 308 repeat the form POST, 301, 302 and 303 become a GET, \
                  and each cookie goes back only to the host (any port) and path it was set for.",
        why: "Users reach the add-on's dashboard from Heroku through this sign-in; a valid one must let them in.",
        example: "expected 200, got 403",
        fix: "Accept a correctly signed, fresh request: start a session (a cookie) and redirect to, or render, \
              the resource's dashboard. Keep the session on one host: a cookie set by 127.0.0.1 is not sent \
              to localhost.",
        reference: SSO_ARTICLE,
    }
    SSO_COOKIE {
        code: "S06",
        name: "sso/sets-nav-data-cookie",
        label: "creates the heroku-nav-data cookie",
        summary: "The sign-in sets cookie `heroku-nav-data`, valid for the sign-in URL, to the `nav-data` sent \
                  (legacy: a warning for v3).",
        why: "Legacy: the Heroku header on add-on pages was built from the `nav-data` sent at sign-in, kept in \
              this cookie. v1 add-ons must still set it; for v3 it is only a warning.",
        example: "could not find cookie heroku-nav-data",
        fix: "On a successful sign-in, set cookie `heroku-nav-data` to the `nav-data` parameter, unchanged.",
        reference: SSO_ARTICLE,
    }
    SSO_LAYOUT {
        code: "S07",
        name: "sso/shows-heroku-layout",
        label: "displays the heroku layout",
        summary: "The signed-in page shows `div#heroku-header` or the boomerang script (legacy: a warning for \
                  v3).",
        why: "Legacy: pages reached through single sign-on showed the Heroku header so users could get back to \
              their app. v1 add-ons must still show it; for v3 it is only a warning.",
        example: "could not find Heroku layout",
        fix: "Render `<div id=\"heroku-header\">` or load the boomerang script on the page the sign-in lands on.",
        reference: SSO_ARTICLE,
    }
    COMMAND_EXIT {
        code: "E01",
        name: "run/command-succeeds",
        label: "command exits with status 0",
        summary: "`kensa run`: the command given, run with the provisioned config vars, exits with 0.",
        why: "Your customers' apps consume the add-on through the config vars a provision returns; this runs \
              your consumer code against them the way an app would.",
        example: "run exited abnormally: the command exited with 1",
        fix: "Make the command work with the config vars your service returns (their names and values), or fix \
              what the service returns.",
        reference: GUIDE_ARTICLE,
    }
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
