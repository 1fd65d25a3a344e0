//! Judging what the stand-in recorded. Only hosts that can listen (the CLI) record
//! anything, so the browser build leaves this out (feature `stand-in`, on by default) and
//! keeps its page download small.

use super::{ASYNC_COMPLETES, ASYNC_OAUTH, ASYNC_PLATFORM_API, ASYNC_TOKEN_EXCHANGE};
use crate::checks::provision::Payload;
use crate::encoding::{rfc3339, seconds};
use crate::engine::{CheckRun, Pending};
use crate::transport::{CallbackCall, CallbackReceiver, Method, PLATFORM_ACCEPT, Refusal, Transport};
use kensa_manifest::{ApiVersion, CheckDef, Manifest};
use serde_json::{Map, Value, json};

/// At most this many calls are named in the warning about calls during a synchronous run.
const LISTED_CALLS: usize = 5;

impl<T: Transport> CheckRun<'_, T> {
    /// P01 without --async: a provider that calls Heroku's API although it answered
    /// synchronously is warned, naming each call the stand-in has received.
    pub(crate) fn warn_of_synchronous_callbacks(&self, check: &mut Pending) {
        let Some(stand_in) = self.effects.callbacks else { return };
        let calls = stand_in.received();
        if calls.is_empty() {
            return;
        }
        let mut listed: Vec<String> = calls.iter().take(LISTED_CALLS).map(described).collect();
        if calls.len() > LISTED_CALLS {
            listed.push(format!("and {} more", calls.len() - LISTED_CALLS));
        }
        check.warn(format!(
            "the provider called Heroku's API during a synchronous provision: {}; a 200 tells Heroku the resource \
             is ready, so a provider that finishes through the API answers 202 (test it with --async)",
            listed.join(", ")
        ));
    }

    /// Waits for the provider to finish and returns the config it set, as a provision
    /// response body (`{"config": {...}}`) for the config checks.
    pub(crate) async fn check_async_completion(
        &mut self,
        stand_in: &dyn CallbackReceiver,
        manifest: &Manifest,
        payload: &Payload,
        id: Option<&str>,
    ) -> Option<Value> {
        let timeout_ms = self.settings.async_timeout_ms.unwrap_or(30_000);
        self.group("asynchronous provisioning".to_string());
        let mut check = self.start(&ASYNC_COMPLETES);
        let log = stand_in.wait_for_callbacks(&payload.uuid, timeout_ms).await;
        let resource_path = format!("/addons/{}", payload.uuid);
        let is_legacy =
            |call: &CallbackCall| call.path == resource_path && matches!(call.method, Method::Put | Method::Post);
        let calls: Vec<&CallbackCall> = log.calls.iter().filter(|call| call.path.starts_with(&resource_path)).collect();
        let accepted: Vec<&CallbackCall> = calls.iter().copied().filter(|call| call.refusals.is_empty()).collect();
        let legacy = accepted.iter().find(|call| is_legacy(call));
        let patch = accepted
            .iter()
            .rev()
            .find(|call| call.method == Method::Patch && call.path == format!("{resource_path}/config"));
        let finished = accepted
            .iter()
            .any(|call| call.method == Method::Post && call.path == format!("{resource_path}/actions/provision"));
        let about_resource: Vec<&CallbackCall> =
            log.calls.iter().filter(|call| call.resource.as_deref().is_none_or(|uuid| uuid == payload.uuid)).collect();

        let body = if let Some(legacy) = legacy {
            match serde_json::from_slice::<Value>(&legacy.body) {
                Ok(body @ Value::Object(_)) => {
                    if manifest.api.version == ApiVersion::V3 {
                        check.warn(format!(
                            "the provider finished with the legacy {} to the callback URL; v3 add-ons PATCH {resource_path}/config and POST {resource_path}/actions/provision",
                            legacy.method
                        ));
                    }
                    if let Some((sent, id)) =
                        body.get("id").and_then(value_text).zip(id).filter(|(sent, id)| sent != id)
                    {
                        check.fail(format!("the callback names id `{sent}`, but the provision answered `{id}`"));
                    }
                    Some(body)
                }
                _ => {
                    check.fail(format!(
                        "the {} to the callback URL must carry a JSON object {{\"id\", \"config\"}}",
                        legacy.method
                    ));
                    None
                }
            }
        } else if finished {
            match patch.map(|call| config_from_patch(&call.body)) {
                Some(Ok(config)) => Some(json!({ "config": config })),
                Some(Err(problem)) => {
                    check.fail(problem);
                    None
                }
                None => Some(json!({})),
            }
        } else {
            let refused = about_resource.iter().rev().find(|call| !call.refusals.is_empty());
            match refused {
                Some(refused) if !log.timed_out => check.fail(format!(
                    "the provider did not finish provisioning: it stopped after Heroku's API refused {} (the \
                     checks below say why); expected POST {resource_path}/actions/provision",
                    described(refused)
                )),
                _ => {
                    let waited = if log.timed_out {
                        format!("within {}", seconds(timeout_ms))
                    } else {
                        "before the wait ended".to_string()
                    };
                    check.fail(format!(
                        "the provider did not finish provisioning {waited}: expected POST {resource_path}/actions/provision (v3) or a PUT to the callback URL"
                    ));
                }
            }
            None
        };
        self.finish(check);

        if manifest.api.version != ApiVersion::V3 || payload.grant_code.is_none() {
            let reason = "no oauth_grant is sent to v1 add-ons";
            for def in [&ASYNC_OAUTH, &ASYNC_TOKEN_EXCHANGE, &ASYNC_PLATFORM_API] {
                self.skip(def, reason);
            }
            return body;
        }
        let platform_calls: Vec<&CallbackCall> =
            about_resource.iter().copied().filter(|call| !call.is_token_exchange() && !is_legacy(call)).collect();
        let token_calls: Vec<&CallbackCall> =
            about_resource.iter().copied().filter(|call| call.is_token_exchange()).collect();
        let resource_calls: Vec<&CallbackCall> =
            platform_calls.iter().copied().filter(|call| call.path.starts_with(&resource_path)).collect();
        self.judge_refusals(&ASYNC_OAUTH, &resource_calls, "the provider made no calls to Heroku's API");
        self.judge_refusals(&ASYNC_TOKEN_EXCHANGE, &token_calls, "the provider did not call the token endpoint");
        self.judge_refusals(&ASYNC_PLATFORM_API, &platform_calls, "the provider made no calls to Heroku's API");
        body
    }

    /// `def` fails once for each refusal among `calls` that is its rule's; skipped for
    /// `none` when there are no calls to judge.
    fn judge_refusals(&mut self, def: &'static CheckDef, calls: &[&CallbackCall], none: &str) {
        if calls.is_empty() {
            self.skip(def, none);
            return;
        }
        let mut check = self.start(def);
        for call in calls {
            for refusal in &call.refusals {
                if check_of(refusal).code == def.code {
                    check.fail(broken_rule(call, refusal));
                }
            }
        }
        self.finish(check);
    }
}

/// `PATCH /addons/<uuid>/config`.
fn described(call: &CallbackCall) -> String {
    format!("{} {}", call.method, call.path)
}

/// The check that reports a refusal: bearer tokens are A02's, the token endpoint's rules
/// A03's, the Platform API's own A04's.
fn check_of(refusal: &Refusal) -> &'static CheckDef {
    match refusal {
        Refusal::BearerMissing | Refusal::BearerNotIssued | Refusal::BearerForAnotherResource => &ASYNC_OAUTH,
        Refusal::NotAcceptable { .. } | Refusal::UnknownEndpoint => &ASYNC_PLATFORM_API,
        Refusal::GrantType { .. }
        | Refusal::ClientSecretMissing
        | Refusal::ClientSecretMismatch
        | Refusal::CodeMissing
        | Refusal::CodeNotIssued
        | Refusal::CodeReused
        | Refusal::CodeExpired { .. }
        | Refusal::RefreshTokenMissing
        | Refusal::RefreshTokenNotIssued => &ASYNC_TOKEN_EXCHANGE,
    }
}

/// The rule `call` broke, what Heroku does about it, and the fix.
fn broken_rule(call: &CallbackCall, refusal: &Refusal) -> String {
    let call = described(call);
    match refusal {
        Refusal::GrantType { sent: None } => format!(
            "{call} carried no grant_type: Heroku's token endpoint refuses it; send grant_type=authorization_code \
             with the grant's code, or grant_type=refresh_token to refresh"
        ),
        Refusal::GrantType { sent: Some(sent) } => format!(
            "{call} sent grant_type {sent:?}, which Heroku's token endpoint does not support; send \
             grant_type=authorization_code with the grant's code, or grant_type=refresh_token to refresh"
        ),
        Refusal::ClientSecretMissing => format!(
            "{call} carried no client_secret (or an empty one): Heroku's token endpoint refuses it; send the \
             add-on's OAuth client secret from the Partner Portal as client_secret"
        ),
        Refusal::ClientSecretMismatch => format!(
            "{call} carried a client_secret that is not the one given to kensa (--client-secret or \
             KENSA_OAUTH_CLIENT_SECRET): send the add-on's OAuth client secret from the Partner Portal"
        ),
        Refusal::CodeMissing => format!(
            "{call} carried grant_type=authorization_code but no code: send the `oauth_grant.code` of the \
             provision request as code"
        ),
        Refusal::CodeNotIssued => format!(
            "{call} carried a code Heroku never sent: exchange the `oauth_grant.code` of this resource's \
             provision request, unchanged"
        ),
        Refusal::CodeReused => format!(
            "{call} exchanged a code that was exchanged before: a grant code is single-use; keep the tokens \
             the first exchange returned and get new ones with grant_type=refresh_token"
        ),
        Refusal::CodeExpired { expired_at_ms } => format!(
            "{call} exchanged a code that expired at {}: a grant code is valid until `oauth_grant.expires_at` \
             (about 5 minutes) and single-use; exchange it as soon as the provision arrives",
            rfc3339(*expired_at_ms)
        ),
        Refusal::RefreshTokenMissing => format!(
            "{call} carried grant_type=refresh_token but no refresh_token: send the refresh_token the exchange \
             returned"
        ),
        Refusal::RefreshTokenNotIssued => format!(
            "{call} carried a refresh_token Heroku never issued: send the refresh_token the exchange of this \
             resource's grant returned"
        ),
        Refusal::NotAcceptable { sent } => {
            let carried = match sent {
                None => "carried no Accept header".to_string(),
                Some(sent) => format!("carried `Accept: {sent}`"),
            };
            format!(
                "{call} {carried}: Heroku's API answers 406 not_acceptable; send `Accept: {PLATFORM_ACCEPT}` with \
                 every Platform API call"
            )
        }
        Refusal::UnknownEndpoint => format!(
            "{call} is not an endpoint of Heroku's API, which answers 404 not_found; PATCH <callback_url>/config \
             sets config and POST <callback_url>/actions/provision finishes"
        ),
        Refusal::BearerMissing => format!(
            "{call} carried no Authorization header: Heroku's API answers 401 unauthorized; send \
             `Authorization: Bearer <access_token>` from the grant's exchange"
        ),
        Refusal::BearerNotIssued => format!(
            "{call} carried a wrong bearer token (one the token endpoint never issued): Heroku's API answers 401 \
             unauthorized"
        ),
        Refusal::BearerForAnotherResource => format!(
            "{call} carried a token issued for another resource: Heroku's API answers 401 unauthorized; use the \
             token from the exchange of this resource's own grant"
        ),
    }
}

fn value_text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

/// `{"config": [{"name": "X", "value": "y"}]}` as a config object.
fn config_from_patch(body: &[u8]) -> Result<Map<String, Value>, String> {
    let value: Value =
        serde_json::from_slice(body).map_err(|error| format!("the config PATCH body is not JSON: {error}"))?;
    let Some(entries) = value.get("config").and_then(Value::as_array) else {
        return Err("the config PATCH body must be {\"config\": [{\"name\", \"value\"}]}".to_string());
    };
    let mut config = Map::new();
    for entry in entries {
        match (entry.get("name").and_then(Value::as_str), entry.get("value")) {
            (Some(name), Some(value)) => {
                config.insert(name.to_string(), value.clone());
            }
            _ => return Err("a config PATCH entry lacks `name` or `value`".to_string()),
        }
    }
    Ok(config)
}
