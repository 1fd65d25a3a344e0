//! Asynchronous provisioning: after a 202, the provider finishes through Heroku's API,
//! which the host's stand-in records. These checks judge what it recorded.

use crate::checks::provision::Payload;
use crate::encoding::seconds;
use crate::engine::CheckRun;
use crate::transport::{CallbackCall, CallbackReceiver, Method, Transport};
use kensa_manifest::references::{ASYNC_ARTICLE, PLATFORM_API_ARTICLE};
use kensa_manifest::{ApiVersion, Manifest};
use serde_json::{Map, Value, json};

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
              `oauth_grant` code sent at provision.",
        example: "POST /addons/01234567-89ab-cdef-0123-456789abcdef/actions/provision carried a wrong bearer token",
        fix: "Exchange `oauth_grant.code` at `https://id.heroku.com/oauth/token` before it expires, keep the \
              tokens encrypted, and send `Authorization: Bearer <access_token>` on every call.",
        reference: PLATFORM_API_ARTICLE,
    }
}

impl<T: Transport> CheckRun<'_, T> {
    /// The asynchronous group, skipped for `reason`.
    pub(crate) fn skip_async(&mut self, reason: &str) {
        self.group("asynchronous provisioning".to_string());
        self.skip(&ASYNC_COMPLETES, reason);
        self.skip(&ASYNC_OAUTH, reason);
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
        let calls: Vec<&CallbackCall> = log.calls.iter().filter(|call| call.path.starts_with(&resource_path)).collect();
        let legacy =
            calls.iter().find(|call| call.path == resource_path && matches!(call.method, Method::Put | Method::Post));
        let patch = calls
            .iter()
            .rev()
            .find(|call| call.method == Method::Patch && call.path == format!("{resource_path}/config"));
        let finished = calls
            .iter()
            .any(|call| call.method == Method::Post && call.path == format!("{resource_path}/actions/provision"));

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
            let waited = if log.timed_out {
                format!("within {}", seconds(timeout_ms))
            } else {
                "before the wait ended".to_string()
            };
            check.fail(format!(
                "the provider did not finish provisioning {waited}: expected POST {resource_path}/actions/provision (v3) or a PUT to the callback URL"
            ));
            None
        };
        self.finish(check);

        let v3_calls: Vec<&CallbackCall> = calls.iter().copied().filter(|call| call.path != resource_path).collect();
        if manifest.api.version != ApiVersion::V3 || payload.grant_code.is_none() {
            self.skip(&ASYNC_OAUTH, "no oauth_grant is sent to v1 add-ons");
        } else if v3_calls.is_empty() {
            self.skip(&ASYNC_OAUTH, "the provider made no calls to Heroku's API");
        } else {
            let mut check = self.start(&ASYNC_OAUTH);
            let sent_code = payload.grant_code.as_deref().unwrap_or_default();
            let issued: Vec<&str> = log
                .grants
                .iter()
                .filter(|grant| grant.code == sent_code)
                .map(|grant| grant.access_token.as_str())
                .collect();
            if issued.is_empty() {
                check.warn("the provider finished without exchanging the oauth_grant; it cannot manage the add-on through Heroku's API later");
            }
            for call in &v3_calls {
                let described = format!("{} {}", call.method, call.path);
                match call.header("authorization").and_then(|value| value.strip_prefix("Bearer ")) {
                    Some(token) if issued.contains(&token) => {}
                    Some(_) if issued.is_empty() => {
                        check.fail(format!("{described} carried a token that was never issued"))
                    }
                    Some(_) => check.fail(format!("{described} carried a wrong bearer token")),
                    None if issued.is_empty() => {}
                    None => check.fail(format!("{described} carried no Authorization header")),
                }
            }
            self.finish(check);
        }
        body
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
