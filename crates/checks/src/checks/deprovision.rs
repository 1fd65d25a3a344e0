//! Deprovision (`DELETE <base path>/<key>`), and the retry by the provider's id that a plan
//! change makes too.

use crate::checks::provision::{api_headers, provider_message, refused_manifest_credentials};
use crate::engine::{CheckRun, Pending, Stop};
use crate::event::ResourceEvent;
use crate::keys::{ResourceKeys, missed_by_uuid};
use crate::transport::{Method, Response, Transport, TransportError};
use kensa_manifest::Manifest;
use kensa_manifest::references::PARTNER_API_ARTICLE;

kensa_manifest::checks! {
    /// Deprovision's checks (it makes the authentication probes first, on the live resource,
    /// and the repeat last).
    pub(crate) const CHECKS;
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
    DEPROVISION_REPEAT {
        code: "X03",
        name: "deprovision/repeat-is-harmless",
        label: "repeated deprovision",
        summary: "The same DELETE again, after the resource was removed, answers 410 Gone (404 or success also do).",
        why: "Heroku delivers at least once, so a deprovision can arrive again when the first answer was lost or \
              late. The resource is gone either way; an error makes Heroku think it could not be removed.",
        example: "a repeated DELETE got 500: Heroku delivers at least once, so a deprovision may come again after \
                  it succeeded; answer a repeat with 410 Gone (404 or success also do), not an error",
        fix: "Look the resource up before removing it and, when it is already gone, answer 410 Gone instead of \
              failing on the missing record (keep a tombstone of removed uuids, or treat \"not found\" as done).",
        reference: PARTNER_API_ARTICLE,
    }
}

impl<T: Transport> CheckRun<'_, T> {
    /// The deprovision group, in the order it runs, skipped because of `stop`; `manifest`
    /// is `None` when it is not valid.
    pub(crate) fn skip_deprovision(&mut self, manifest: Option<&Manifest>, stop: Stop) {
        self.resource_route_group(Method::Delete, manifest);
        self.skip_after(
            &[&DEPROVISION_AUTH, &DEPROVISION_RESPONSE, &DEPROVISION_REPEAT],
            stop,
            "there is no resource to deprovision",
        );
    }

    /// `kensa test deprovision KEY`: the authentication probes, then 200 or 204, then the
    /// same DELETE once more.
    pub async fn deprovision(&mut self, manifest: &Manifest, keys: &ResourceKeys) -> bool {
        let url = self.resource_group(Method::Delete, manifest, keys);
        // The wrong-credential probes go first, on the live resource: a provider that
        // ignores credentials then shows it here, not as a confusing 410 afterwards.
        let auth_passed = self.check_auth(&DEPROVISION_AUTH, manifest, Method::Delete, &url, false).await;
        let password = manifest.api.password.expose().to_string();
        let mut check = self.start(&DEPROVISION_RESPONSE);
        let headers = api_headers(manifest, &manifest.id, &password, false);
        let mut gone = false;
        // The repeat goes where the removal worked: by the provider's id when only that did.
        let mut removed_at = url.clone();
        match self.send(&mut check, Method::Delete, &url, headers, None).await {
            Ok(response) if matches!(response.status, 200 | 204) => gone = true,
            Ok(response)
                if missed_by_uuid(response.status)
                    && self.by_id_instead(&mut check, manifest, keys, Method::Delete, None, response.status).await =>
            {
                gone = true;
                if let Some(id) = keys.fallback_id(manifest.api.version) {
                    removed_at = self.resource_url(manifest, id).0;
                }
            }
            Ok(response) => {
                gone = response.status == 410;
                let mut message = format!("expected 200 or 204, got {}", response.status);
                if !auth_passed && matches!(response.status, 404 | 410) {
                    message.push_str(": a request with wrong credentials already deprovisioned it");
                }
                check.mismatch("200 or 204", response.status.to_string(), message);
                if response.status == 401 {
                    check.fail(refused_manifest_credentials(manifest));
                }
                if let Some(message) = provider_message(&response.body) {
                    check.fail(format!("the provider said: {message}"));
                }
            }
            Err(error) => check.fail(crate::engine::describe_error(&error, &url, self.settings.limits)),
        }
        let passed = !check.has_failed();
        self.finish(check);
        if gone {
            self.resource_event(ResourceEvent::Deprovisioned { keys: keys.clone() });
            self.check_repeated_deprovision(manifest, &removed_at).await;
        } else {
            self.skip(&DEPROVISION_REPEAT, "the deprovision did not remove the resource");
        }
        passed
    }

    /// X03: the DELETE that removed the resource, once more. Anything that says the resource
    /// is not there (410, 404) or success is harmless; an error or no answer is not.
    async fn check_repeated_deprovision(&mut self, manifest: &Manifest, url: &str) {
        let mut check = self.start(&DEPROVISION_REPEAT);
        let password = manifest.api.password.expose().to_string();
        let headers = api_headers(manifest, &manifest.id, &password, false);
        let advice = "Heroku delivers at least once, so a deprovision may come again after it succeeded; answer a \
                      repeat with 410 Gone (404 or success also do), not an error";
        match self.send(&mut check, Method::Delete, url, headers, None).await {
            Ok(response) if matches!(response.status, 404 | 410) || (200..300).contains(&response.status) => {}
            Ok(response) => {
                check.mismatch(
                    "410",
                    response.status.to_string(),
                    format!("a repeated DELETE got {}: {advice}", response.status),
                );
                if let Some(message) = provider_message(&response.body) {
                    check.fail(format!("the provider said: {message}"));
                }
            }
            Err(error) => check.fail(format!(
                "a repeated DELETE: {}; {advice}",
                crate::engine::describe_error(&error, url, self.settings.limits)
            )),
        }
        self.finish(check);
    }

    /// A v3 call by Heroku's uuid got `status` (404, or a 5xx from a lookup that found
    /// nothing). A service written for v1 (as the seed guide's `Database.find(params[:id])`)
    /// finds resources by its own id, so try that once: when it works, fail with what to
    /// change instead of a bare status. True when it worked.
    pub(crate) async fn by_id_instead(
        &mut self,
        check: &mut Pending,
        manifest: &Manifest,
        keys: &ResourceKeys,
        method: Method,
        body: Option<Vec<u8>>,
        status: u16,
    ) -> bool {
        let Some(id) = keys.fallback_id(manifest.api.version) else {
            return false;
        };
        let (_, by_uuid_path) = self.resource_url(manifest, keys.path_key(manifest.api.version));
        let (_, path) = self.resource_url(manifest, id);
        let answer = self.send_by_id(check, manifest, id, method, body).await;
        let worked = answer.is_ok_and(|response: Response| (200..300).contains(&response.status));
        if worked {
            check.mismatch(
                "200",
                status.to_string(),
                format!(
                    "{method} {by_uuid_path} got {status}, but {method} {path} (the provider's id) worked: this service \
                     finds resources by its own id, while v3 puts Heroku's uuid in the path; keep the `uuid` sent \
                     at provision with the resource and find it by that, or declare the manifest v1 (remove \
                     `api.version`) as the guide's era did"
                ),
            );
        }
        worked
    }

    /// The call once more, to the resource's path by the provider's `id` instead of Heroku's
    /// uuid, recorded under `check`.
    pub(crate) async fn send_by_id(
        &self,
        check: &mut Pending,
        manifest: &Manifest,
        id: &str,
        method: Method,
        body: Option<Vec<u8>>,
    ) -> Result<Response, TransportError> {
        let (url, _) = self.resource_url(manifest, id);
        let password = manifest.api.password.expose();
        let headers = api_headers(manifest, &manifest.id, password, body.is_some());
        self.send(check, method, &url, headers, body).await
    }
}
