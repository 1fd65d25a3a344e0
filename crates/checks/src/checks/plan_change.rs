//! Plan change: `PUT <base path>/<key>` with the new plan.

use crate::checks::provision::{NO_CONFIG, api_headers, provider_message, refused_manifest_credentials};
use crate::engine::{CheckRun, Stop};
use crate::event::ResourceEvent;
use crate::keys::{ResourceKeys, missed_by_uuid};
use crate::report::Outcome;
use crate::transport::{Method, Transport};
use kensa_manifest::references::PARTNER_API_ARTICLE;
use kensa_manifest::{ApiVersion, Manifest};
use serde_json::{Value, json};

kensa_manifest::checks! {
    /// Plan change's checks, in the order it makes them.
    pub(crate) const CHECKS;
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
    PLAN_CHANGE_REPEAT {
        code: "C03",
        name: "planchange/repeat-answers-the-same",
        label: "repeated plan change",
        summary: "The same PUT again, after the plan change succeeded, answers 200 as well.",
        why: "Heroku delivers at least once, so a plan change can arrive again when the first answer was lost or \
              late. The resource is already on that plan: Heroku expects the same success, and shows the user an \
              error for anything else.",
        example: "a repeated plan change got 422: Heroku delivers at least once, so the same PUT may come again \
                  after it succeeded; the resource is already on that plan, so answer 200 as the first time",
        fix: "Treat a change to the plan the resource is already on as done: answer 200 (with the same `config`, if \
              you send one) instead of an error.",
        reference: PARTNER_API_ARTICLE,
    }
}

impl<T: Transport> CheckRun<'_, T> {
    /// `kensa test planchange KEY PLAN`: 200 with a JSON object, the authentication probes,
    /// the same change once more, and any config vars returned.
    pub async fn plan_change(&mut self, manifest: &Manifest, keys: &ResourceKeys, plan: &str) -> bool {
        let url = self.resource_group(Method::Put, manifest, keys);
        let password = manifest.api.password.expose().to_string();
        let mut body = json!({ "plan": plan });
        if manifest.api.version == ApiVersion::V1 {
            let number = self.app_number();
            body["heroku_id"] = json!(format!("app{number}@kensa.heroku.com"));
        }
        let body = serde_json::to_vec(&body).unwrap_or_default();
        let mut check = self.start(&PLAN_CHANGE_RESPONSE);
        let headers = api_headers(manifest, &manifest.id, &password, true);
        let mut answer = None;
        let mut changed = false;
        match self.send(&mut check, Method::Put, &url, headers, Some(body.clone())).await {
            Ok(response)
                if missed_by_uuid(response.status)
                    && response.status != 503
                    && self
                        .by_id_instead(&mut check, manifest, keys, Method::Put, Some(body.clone()), response.status)
                        .await =>
            {
                changed = true;
            }
            Ok(response) if response.status == 200 => match serde_json::from_slice::<Value>(&response.body) {
                Ok(value @ Value::Object(_)) => {
                    changed = true;
                    answer = Some(value);
                }
                Ok(other) => {
                    check.fail(format!("the response must be a JSON object, found {}", kensa_manifest::kind_of(&other)))
                }
                Err(_) if response.body.iter().all(u8::is_ascii_whitespace) => {
                    check.fail("the response body is empty; send a JSON object such as {}")
                }
                Err(error) => check.fail(format!("the response body is not JSON: {error}")),
            },
            Ok(response) => {
                let message = provider_message(&response.body);
                match (response.status, message) {
                    (503, Some(message)) => {
                        check.mismatch("200", "503", format!("cannot change plans instantly: {message}"));
                    }
                    (status, message) => {
                        check.mismatch("200", status.to_string(), format!("expected 200, got {status}"));
                        if status == 401 {
                            check.fail(refused_manifest_credentials(manifest));
                        }
                        if let Some(message) = message {
                            check.fail(format!("the provider said: {message}"));
                        }
                    }
                }
            }
            Err(error) => check.fail(crate::engine::describe_error(&error, &url, self.settings.limits)),
        }
        let passed = !check.has_failed();
        self.finish(check);
        if changed {
            self.resource_event(ResourceEvent::PlanChanged { keys: keys.clone(), plan: plan.to_string() });
        }
        self.check_auth(&PLAN_CHANGE_AUTH, manifest, Method::Put, &url, false).await;
        if passed {
            self.check_repeated_plan_change(manifest, &url, body).await;
        } else {
            self.skip(&PLAN_CHANGE_REPEAT, "the plan change itself did not succeed");
        }
        // Always listed: skipped when the answer holds no config (it may return only the
        // vars that changed, or none) or there was no answer to read.
        match answer {
            Some(answer) => self.check_config(manifest, &answer, false),
            None => self.skip_config(&Stop::at(&PLAN_CHANGE_RESPONSE, Outcome::Failed).reason(NO_CONFIG)),
        }
        passed
    }

    /// The plan change's groups (its own, then its config data), skipped because of `stop`;
    /// `manifest` is `None` when it is not valid.
    pub(crate) fn skip_plan_change(&mut self, manifest: Option<&Manifest>, stop: Stop) {
        self.resource_route_group(Method::Put, manifest);
        self.skip_after(CHECKS, stop, "there is no resource to change the plan of");
        self.skip_config(&stop.reason(NO_CONFIG));
    }

    /// C03: the PUT that C01 made, once more. The resource is on that plan already, and
    /// Heroku, delivering at least once, expects the same success.
    async fn check_repeated_plan_change(&mut self, manifest: &Manifest, url: &str, body: Vec<u8>) {
        let mut check = self.start(&PLAN_CHANGE_REPEAT);
        let password = manifest.api.password.expose().to_string();
        let headers = api_headers(manifest, &manifest.id, &password, true);
        match self.send(&mut check, Method::Put, url, headers, Some(body)).await {
            Ok(response) if (200..300).contains(&response.status) => {}
            Ok(response) => {
                check.mismatch(
                    "200",
                    response.status.to_string(),
                    format!(
                        "a repeated plan change got {}: Heroku delivers at least once, so the same PUT may come \
                         again after it succeeded; the resource is already on that plan, so answer 200 as the \
                         first time",
                        response.status
                    ),
                );
                if let Some(message) = provider_message(&response.body) {
                    check.fail(format!("the provider said: {message}"));
                }
            }
            Err(error) => check.fail(format!(
                "a repeated plan change: {}; Heroku delivers at least once, so the same PUT may come again after \
                 it succeeded, and must get 200 as the first time",
                crate::engine::describe_error(&error, url, self.settings.limits)
            )),
        }
        self.finish(check);
    }
}
