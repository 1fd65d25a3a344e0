//! Asynchronous provisioning: after a 202, the provider finishes through Heroku's API. The
//! host's stand-in answers as strictly as Heroku and records each call with the rules it
//! broke; these checks judge what it recorded.

use crate::encoding::rfc3339;
use crate::engine::CheckRun;
use crate::transport::Transport;
use kensa_manifest::references::{ASYNC_ARTICLE, PLATFORM_API_ARTICLE};

kensa_manifest::checks! {
    /// The asynchronous provisioning checks, in the order they run.
    pub(crate) const CHECKS;
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
              `oauth_grant` code sent at provision; any other call gets 401 `unauthorized`.",
        example: "POST /addons/01234567-89ab-cdef-0123-456789abcdef/actions/provision carried a wrong bearer token \
                  (one the token endpoint never issued): Heroku's API answers 401 unauthorized",
        fix: "Exchange `oauth_grant.code` at `https://id.heroku.com/oauth/token` before it expires, keep the \
              tokens encrypted, and send `Authorization: Bearer <access_token>` on every call.",
        reference: PLATFORM_API_ARTICLE,
    }
    ASYNC_TOKEN_EXCHANGE {
        code: "A03",
        name: "async/token-exchange-rules",
        label: "the token exchange follows Heroku's rules",
        summary: "The grant exchange (and any refresh) at the token endpoint sends a supported grant_type, the \
                  code sent for this resource before it expires and only once, and the add-on's client_secret.",
        why: "Heroku's token endpoint refuses an exchange without the add-on's OAuth client secret, a code that \
              expired (after about 5 minutes) or was used before, and a missing grant_type; the provider is then \
              left without a token and cannot finish provisioning.",
        example: "POST /oauth/token carried no client_secret (or an empty one): Heroku's token endpoint refuses \
                  it; send the add-on's OAuth client secret from the Partner Portal as client_secret",
        fix: "POST `grant_type=authorization_code&code=<oauth_grant.code>&client_secret=<secret>` form-encoded to \
              `https://id.heroku.com/oauth/token` once, as soon as the provision arrives; keep the tokens, and \
              refresh with `grant_type=refresh_token&refresh_token=<token>&client_secret=<secret>`.",
        reference: PLATFORM_API_ARTICLE,
    }
    ASYNC_PLATFORM_API {
        code: "A04",
        name: "async/platform-api-rules",
        label: "Platform API calls follow Heroku's rules",
        summary: "Every call to Heroku's Platform API asks for version 3 with `Accept: \
                  application/vnd.heroku+json; version=3` and goes to an endpoint the API has.",
        why: "Heroku's Platform API answers 406 `not_acceptable` to a call without the versioned Accept header \
              and 404 `not_found` to an endpoint it does not have, so the config is never set and the add-on \
              never leaves `provisioning`.",
        example: "PATCH /addons/01234567-89ab-cdef-0123-456789abcdef/config carried no Accept header: Heroku's API \
                  answers 406 not_acceptable; send `Accept: application/vnd.heroku+json; version=3` with every \
                  Platform API call",
        fix: "Send `Accept: application/vnd.heroku+json; version=3` on every Platform API call, `PATCH \
              <callback_url>/config` to set config and `POST <callback_url>/actions/provision` to finish.",
        reference: PLATFORM_API_ARTICLE,
    }
}

/// How long a grant code is valid: Heroku's `expires_at` is about five minutes ahead.
const GRANT_LIFETIME_MS: u64 = 5 * 60 * 1000;

impl<T: Transport> CheckRun<'_, T> {
    /// The asynchronous group, skipped for `reason`.
    pub(crate) fn skip_async(&mut self, reason: &str) {
        self.group("asynchronous provisioning".to_string());
        for def in CHECKS {
            self.skip(def, reason);
        }
    }

    /// Tells the host's stand-in, if any, that `code` is the grant of the provision of
    /// `uuid`, and returns the `expires_at` to send with it.
    pub(crate) fn grant_sent(&self, uuid: &str, code: &str) -> String {
        let expires_at_ms = self.now_ms() + GRANT_LIFETIME_MS;
        if let Some(stand_in) = self.effects.callbacks {
            stand_in.grant_sent(uuid, code, expires_at_ms);
        }
        rfc3339(expires_at_ms)
    }
}

#[cfg(feature = "stand-in")]
mod judging;

/// Without the judging code, a stand-in's record cannot be read: the checks are skipped.
/// No host without the feature has a stand-in (the browser cannot listen).
#[cfg(not(feature = "stand-in"))]
impl<T: Transport> CheckRun<'_, T> {
    pub(crate) fn warn_of_synchronous_callbacks(&self, _check: &mut crate::engine::Pending) {}

    pub(crate) async fn check_async_completion(
        &mut self,
        _stand_in: &dyn crate::transport::CallbackReceiver,
        _manifest: &kensa_manifest::Manifest,
        _payload: &crate::checks::provision::Payload,
        _id: Option<&str>,
    ) -> Option<serde_json::Value> {
        self.skip_async("this build of kensa cannot judge Heroku callbacks (built without the `stand-in` feature)");
        None
    }
}
