//! Provision: `POST <base path>` and what comes back. What a repeat must do is
//! [`super::idempotency`]'s.

use crate::concurrent::join_all;
use crate::credentials::bad_credentials;
use crate::encoding::{DOT_SEGMENT_REASON, basic_auth, is_dot_or_empty_segment, path_segment};
use crate::engine::{CheckRun, Pending, Sent, Stop, describe_error};
use crate::event::ResourceEvent;
use crate::keys::{ResourceKeys, missed_by_uuid};
use crate::report::Outcome;
use crate::transport::{Method, Response, Transport};
use kensa_manifest::references::{LOG_ARTICLE, PARTNER_API_ARTICLE};
use kensa_manifest::{ApiVersion, CheckDef, Manifest};
use serde_json::{Map, Value, json};

kensa_manifest::checks! {
    /// Provision's checks, in the order it makes them: the call, then `Testing response`.
    pub(crate) const CHECKS;
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
}

/// A resource the provider created, and the key later calls use for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Provisioned {
    /// The provider's id.
    pub id: String,
    /// Heroku's uuid sent with the provision.
    pub uuid: String,
    /// Config vars returned (string values only), in the order received.
    pub config: Vec<(String, String)>,
}

/// One provision request body and what it carries that later checks need.
pub(crate) struct Payload {
    pub(crate) uuid: String,
    pub(crate) body: Vec<u8>,
    /// The `<n>` of `app<n>@kensa.heroku.com` in v1 payloads.
    pub(crate) app_number: Option<u32>,
    /// The OAuth grant code sent (v3).
    #[cfg_attr(not(feature = "stand-in"), expect(dead_code, reason = "only the stand-in's judging reads it"))]
    pub(crate) grant_code: Option<String>,
}

/// Headers for a provisioning-API call with the given credentials.
pub(crate) fn api_headers(manifest: &Manifest, user: &str, password: &str, has_body: bool) -> Vec<(String, String)> {
    let accept = match manifest.api.version {
        ApiVersion::V3 => "application/vnd.heroku-addons+json; version=3",
        ApiVersion::V1 => "application/json",
    };
    let mut headers = vec![
        ("Authorization".to_string(), basic_auth(user, password)),
        ("Accept".to_string(), accept.to_string()),
        ("User-Agent".to_string(), concat!("kensa/", env!("CARGO_PKG_VERSION")).to_string()),
    ];
    if has_body {
        headers.push(("Content-Type".to_string(), "application/json".to_string()));
    }
    headers
}

/// The `message` a provider put in a JSON error body, if any.
pub(crate) fn provider_message(body: &[u8]) -> Option<String> {
    let value: Value = serde_json::from_slice(body).ok()?;
    value.get("message")?.as_str().map(str::to_string).filter(|message| !message.trim().is_empty())
}

/// Why a 401 to the manifest's own credentials is the service's mistake, and what to
/// compare. The seed guide's `Rack::Auth::Basic` block hard-codes its own pair, which is
/// not the one `kensa init` wrote.
pub(crate) fn refused_manifest_credentials(manifest: &Manifest) -> String {
    format!(
        "the service refused the manifest's own credentials (user `{}` and the `api.password` of the manifest): \
         compare the username and password your Basic auth code accepts (the guide's `Rack::Auth::Basic` block) \
         with the manifest's `id` and `api.password`; they must be the same pair",
        manifest.id
    )
}

/// The id field as text: a non-empty string or a number.
pub(crate) fn declared_id(body: &Value) -> Option<String> {
    match body.get("id")? {
        Value::String(id) if !id.trim().is_empty() => Some(id.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

/// The id, when it can name the resource in a path (v1 calls, the legacy GET sign-in and
/// kensa's retry by id all put it there).
fn id_of(body: &Value) -> Option<String> {
    declared_id(body).filter(|id| !is_dot_or_empty_segment(id))
}

/// Why an id [`declared_id`] found is not usable.
pub(crate) fn unusable_id(id: &str) -> String {
    format!("`id` {id:?} is unusable as a path segment: {DOT_SEGMENT_REASON}; return an id such as a number or a uuid")
}

/// The parts of a provision, in the order it reports them. One cut short lists the parts
/// from where it stopped as skipped ([`CheckRun::skip_provision`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum ProvisionPart {
    /// The call itself: P01 to P03.
    Call,
    /// What its answer holds: the response, the asynchronous completion, the config data.
    Response,
    /// The further provisions made beside the resource: idempotency, tolerance, regions.
    SideProvisions,
}

/// What the config checks lack when there is no answer to read.
pub(crate) const NO_CONFIG: &str = "there are no config vars to check";

impl Provisioned {
    /// Both keys, for the calls that follow.
    pub fn keys(&self) -> ResourceKeys {
        ResourceKeys::both(&self.uuid, &self.id)
    }
}

impl<T: Transport> CheckRun<'_, T> {
    pub(crate) fn provision_url(&self, manifest: &Manifest) -> String {
        let endpoint = manifest.endpoint(self.settings.environment);
        format!("{}{}", endpoint.origin(), endpoint.base_path())
    }

    pub(crate) fn resource_url(&self, manifest: &Manifest, key: &str) -> (String, String) {
        let endpoint = manifest.endpoint(self.settings.environment);
        let path = format!("{}/{}", endpoint.base_path().trim_end_matches('/'), path_segment(key));
        (format!("{}{path}", endpoint.origin()), path)
    }

    /// The provision group's heading: `POST` and the base path (the manifest field's name
    /// when the manifest is not valid).
    pub(crate) fn provision_heading(&self, manifest: Option<&Manifest>) -> String {
        match manifest {
            Some(manifest) => format!("POST {}", manifest.endpoint(self.settings.environment).base_path()),
            None => "POST <base_url>".to_string(),
        }
    }

    /// The route of `method` calls on one resource, a placeholder where its key goes:
    /// `PUT /heroku/resources/{uuid}` (v3 addresses resources by Heroku's uuid) or
    /// `.../{id}` (v1, by the provider's id); `PUT <base_url>/{key}` when the manifest is
    /// not valid.
    pub(crate) fn resource_route(&self, method: Method, manifest: Option<&Manifest>) -> String {
        let Some(manifest) = manifest else {
            return format!("{method} <base_url>/{{key}}");
        };
        let base = manifest.endpoint(self.settings.environment).base_path().trim_end_matches('/').to_string();
        let key = if manifest.api.version == ApiVersion::V3 { "{uuid}" } else { "{id}" };
        format!("{method} {base}/{key}")
    }

    /// A group of `method` calls on a resource there is none of, headed by its route.
    pub(crate) fn resource_route_group(&mut self, method: Method, manifest: Option<&Manifest>) {
        let route = self.resource_route(method, manifest);
        self.group_with_route(route.clone(), Some(route));
    }

    /// Starts the group of `method` calls on the resource with `keys` and returns its URL.
    /// The heading names the resource's path; the route puts a placeholder where its key is:
    /// `/heroku/resources/{uuid}` (v3 addresses resources by Heroku's uuid) or `.../{id}`
    /// (v1, by the provider's id).
    pub(crate) fn resource_group(&mut self, method: Method, manifest: &Manifest, keys: &ResourceKeys) -> String {
        let (url, path) = self.resource_url(manifest, keys.path_key(manifest.api.version));
        let route = self.resource_route(method, Some(manifest));
        self.group_with_route(format!("{method} {path}"), Some(route));
        url
    }

    /// Whether a provision lists the asynchronous group: under `--async`, and on a host
    /// without a stand-in, which says so there.
    fn lists_async(&self) -> bool {
        self.settings.async_timeout_ms.is_some() || self.effects.callbacks.is_none()
    }

    /// A provision's parts from `from` on, each check skipped because of `stop`.
    /// `manifest` is `None` when the manifest is not valid.
    pub(crate) fn skip_provision(&mut self, manifest: Option<&Manifest>, from: ProvisionPart, stop: Stop) {
        if from <= ProvisionPart::Call {
            let heading = self.provision_heading(manifest);
            self.group(heading);
            self.skip_after(
                &[&PROVISION_RESPONSE, &PROVISION_JSON, &PROVISION_AUTH],
                stop,
                "there is nothing to provision with",
            );
        }
        if from <= ProvisionPart::Response {
            self.group("response".to_string());
            self.skip_after(
                &[&RESPONSE_ID, &RESPONSE_ID_NOT_HEROKU_ID, &RESPONSE_LOG_DRAIN],
                stop,
                "there is no JSON response to check",
            );
            if self.lists_async() {
                self.skip_async(&stop.reason("there is no asynchronous provision to follow"));
            }
            self.skip_config(&stop.reason(NO_CONFIG));
        }
        self.skip_idempotency(stop);
        self.skip_tolerance_and_regions(stop);
    }

    /// The stand-in's URL whenever the host runs one. Never Heroku's real API: a provider
    /// would call it with a grant kensa made up. Without a stand-in (a browser) it names the
    /// discard port on the provider's own machine, where nothing listens, so a call fails
    /// at once and reaches no one.
    fn callback_url(&self, uuid: &str) -> String {
        match self.effects.callbacks {
            Some(callbacks) => callbacks.callback_url(uuid),
            None => format!("http://127.0.0.1:9/addons/{uuid}"),
        }
    }

    pub(crate) fn provision_payload(&mut self, manifest: &Manifest, uuid: Option<&str>) -> Payload {
        let uuid = uuid.map_or_else(|| self.new_uuid(), str::to_string);
        let options: Map<String, Value> =
            self.settings.options.iter().map(|(key, value)| (key.clone(), Value::String(value.clone()))).collect();
        let region = self.region.clone();
        let plan = self.settings.plan.clone();
        let (mut body, app_number, grant_code) = match manifest.api.version {
            ApiVersion::V3 => {
                let grant_code = self.new_uuid();
                let callback_url = self.callback_url(&uuid);
                self.add_secret(grant_code.clone());
                let expires_at = self.grant_sent(&uuid, &grant_code);
                let body = json!({
                    "uuid": uuid,
                    "name": format!("{}-{}", manifest.id, &uuid[..8]),
                    "plan": plan,
                    "region": region,
                    "callback_url": callback_url,
                    "options": options,
                    "oauth_grant": {"code": grant_code, "expires_at": expires_at, "type": "authorization_code"},
                });
                (body, None, Some(grant_code))
            }
            ApiVersion::V1 => {
                let number = self.app_number();
                let heroku_id = format!("app{number}@kensa.heroku.com");
                let body = json!({
                    "heroku_id": heroku_id,
                    "plan": plan,
                    "region": region,
                    "callback_url": self.callback_url(&uuid),
                    "logplex_token": format!("t.{}", self.new_uuid()),
                    "options": options,
                    "uuid": uuid,
                });
                (body, Some(number), None)
            }
        };
        if let Some(object) = body.as_object_mut() {
            if manifest.requires("log_input") {
                let token = self.new_uuid();
                object.insert("log_input_url".into(), json!(format!("https://token:t.{token}@1.us.logplex.io/logs")));
                self.add_secret(format!("t.{token}"));
            }
            if manifest.requires("syslog_drain") {
                object.insert("log_drain_token".into(), json!(format!("d.{}", self.new_uuid())));
            }
        }
        let body = serde_json::to_vec(&body).unwrap_or_default();
        Payload { uuid, body, app_number, grant_code }
    }

    /// `kensa test provision`: returns the resource when the provider gave one, so later
    /// phases (and cleanup) can use it even if some checks failed; otherwise the check that
    /// stopped it, whose failure the checks of the resource are skipped with.
    pub(crate) async fn provision(&mut self, manifest: &Manifest) -> Result<Provisioned, Stop> {
        let url = self.provision_url(manifest);
        let heading = self.provision_heading(Some(manifest));
        self.group(heading);
        let asynchronous = self.settings.async_timeout_ms.is_some();
        let stand_in = match self.effects.callbacks {
            Some(callbacks) if asynchronous => Some(callbacks),
            None if asynchronous => {
                let reason =
                    "asynchronous provisioning needs a host that can receive Heroku's callbacks (the kensa CLI)";
                for def in [&PROVISION_RESPONSE, &PROVISION_JSON, &PROVISION_AUTH] {
                    self.skip(def, reason);
                }
                let stop = Stop::at(&PROVISION_RESPONSE, Outcome::Skipped);
                self.skip_provision(Some(manifest), ProvisionPart::Response, stop);
                return Err(stop);
            }
            _ => None,
        };
        let payload = self.provision_payload(manifest, None);
        let password = manifest.api.password.expose().to_string();

        let mut check = self.start(&PROVISION_RESPONSE);
        let headers = api_headers(manifest, &manifest.id, &password, true);
        let result = self.send(&mut check, Method::Post, &url, headers, Some(payload.body.clone())).await;
        let response = match result {
            Ok(response) => response,
            Err(error) => {
                check.fail(describe_error(&error, &url, self.settings.limits));
                self.finish(check);
                let reason = "no response from the provider";
                for def in [&PROVISION_JSON, &PROVISION_AUTH] {
                    self.skip(def, reason);
                }
                let stop = Stop::at(&PROVISION_RESPONSE, Outcome::Failed);
                self.skip_provision(Some(manifest), ProvisionPart::Response, stop);
                return Err(stop);
            }
        };
        let succeeded = (200..300).contains(&response.status);
        let expected = if asynchronous { 202 } else { 200 };
        if response.status != expected {
            let mut message = format!("expected {expected}, got {}", response.status);
            if asynchronous && response.status == 200 {
                message
                    .push_str(": under --async the provider must answer 202 Accepted and finish through the callback");
            } else if response.status == 202 {
                message.push_str(": 202 starts asynchronous provisioning; test it with --async");
            }
            check.mismatch(expected.to_string(), response.status.to_string(), message);
            if response.status == 401 {
                check.fail(refused_manifest_credentials(manifest));
            }
            if let Some(message) = provider_message(&response.body).filter(|_| !succeeded) {
                check.fail(format!("the provider said: {message}"));
            }
        }
        if !asynchronous {
            self.warn_of_synchronous_callbacks(&mut check);
        }
        self.finish(check);

        let body = self.check_json(&PROVISION_JSON, &response, succeeded);
        self.check_auth(&PROVISION_AUTH, manifest, Method::Post, &url, true).await;
        let Some(body) = body else {
            if succeeded && manifest.api.version == ApiVersion::V3 {
                self.clean_up(manifest, &payload.uuid).await;
            }
            // No body: P01 got no success to read, or P02 could not read it.
            let stop = Stop::at(if succeeded { &PROVISION_JSON } else { &PROVISION_RESPONSE }, Outcome::Failed);
            self.skip_provision(Some(manifest), ProvisionPart::Response, stop);
            return Err(stop);
        };

        let provisioned = self.check_response(manifest, &body, &payload);
        let config_body = if let Some(stand_in) = stand_in.filter(|_| response.status == 202) {
            let id = provisioned.as_ref().map(|p| p.id.as_str());
            self.check_async_completion(stand_in, manifest, &payload, id).await
        } else {
            if asynchronous {
                // P01 already failed; waiting for callbacks that will not come helps nobody.
                self.skip_async(&format!("the provider answered {} synchronously", response.status));
            } else if self.effects.callbacks.is_none() {
                // A host that cannot listen (the browser) says which checks it leaves out.
                self.skip_async(
                    "the stand-in for Heroku's API needs a host that can listen: run `kensa test provision \
                     --async` from the command line",
                );
            }
            Some(body)
        };
        match &config_body {
            Some(config_body) => self.check_config(manifest, config_body, true),
            None => {
                let stop = Stop::at(&crate::checks::async_provision::ASYNC_COMPLETES, Outcome::Failed);
                self.skip_config(&stop.reason(NO_CONFIG));
            }
        }
        let Some(mut provisioned) = provisioned else {
            if manifest.api.version == ApiVersion::V3 {
                self.clean_up(manifest, &payload.uuid).await;
            }
            let stop = Stop::at(&RESPONSE_ID, Outcome::Failed);
            self.skip_provision(Some(manifest), ProvisionPart::SideProvisions, stop);
            return Err(stop);
        };
        self.provisioned(&provisioned.uuid, &provisioned.id);
        if let Some(config) = config_body.as_ref().and_then(string_config) {
            provisioned.config = config;
        }
        self.check_idempotency(manifest, &provisioned, &payload).await;
        self.check_tolerance_and_regions(manifest, &provisioned).await;
        Ok(provisioned)
    }

    /// "valid JSON": parses the body when the call succeeded.
    pub(crate) fn check_json(&mut self, def: &'static CheckDef, response: &Response, succeeded: bool) -> Option<Value> {
        if !succeeded {
            self.skip(def, &format!("the provider answered {}", response.status));
            return None;
        }
        let mut check = self.start(def);
        let body = match serde_json::from_slice::<Value>(&response.body) {
            Ok(body) => Some(body),
            Err(_) if response.body.iter().all(u8::is_ascii_whitespace) => {
                check.fail("the response body is empty");
                None
            }
            Err(error) => {
                check.fail(format!("the response body is not JSON: {error}"));
                None
            }
        };
        self.finish(check);
        body
    }

    /// Three calls with bad credentials, each of which must get 401. They are independent,
    /// so they go out together; a provision one accepted is deprovisioned again.
    pub(crate) async fn check_auth(
        &mut self,
        def: &'static CheckDef,
        manifest: &Manifest,
        method: Method,
        url: &str,
        provision: bool,
    ) -> bool {
        let mut check = self.start(def);
        let mut probes = Vec::new();
        for (what, user, password) in bad_credentials(manifest) {
            let payload = provision.then(|| self.provision_payload(manifest, None));
            let body = match (&payload, method) {
                (Some(payload), _) => Some(payload.body.clone()),
                (None, Method::Put) => {
                    Some(serde_json::to_vec(&json!({"plan": self.settings.plan})).unwrap_or_default())
                }
                _ => None,
            };
            let headers = api_headers(manifest, &user, &password, body.is_some());
            probes.push((what, payload.map(|payload| payload.uuid), headers, body));
        }
        let this = &*self;
        let send = |(_, _, headers, body): &(_, _, Vec<(String, String)>, Option<Vec<u8>>)| {
            this.exchange(method, url, headers.clone(), body.clone())
        };
        // A probe the provider wrongly accepts changes the resource (its plan, or that it
        // exists), so the first goes alone: the others' answers then cannot depend on which
        // of them the provider happens to handle first.
        let mut sent = Vec::with_capacity(probes.len());
        let mut remaining = probes.iter();
        if let Some(first) = remaining.next() {
            sent.push(send(first).await);
        }
        sent.extend(join_all(remaining.map(send)).await);
        let mut accepted = Vec::new();
        for ((what, uuid, _, _), sent) in probes.into_iter().zip(sent) {
            match check.record(sent) {
                Ok(response) if response.status == 401 => {}
                Ok(response) => {
                    check.mismatch(
                        "401",
                        response.status.to_string(),
                        format!("expected 401, got {} with {what}", response.status),
                    );
                    // A provision it wrongly accepted made a resource: remove it again.
                    if let Some(keys) = uuid.and_then(|uuid| extra_keys(manifest, &uuid, &response)) {
                        self.provisioned(keys.sso_uuid(), keys.sso_id());
                        accepted.push(keys);
                    }
                }
                Err(error) => check.fail(format!("{what}: {}", describe_error(&error, url, self.settings.limits))),
            }
        }
        self.remove_extras(manifest, &mut check, &accepted).await;
        let passed = !check.has_failed();
        self.finish(check);
        passed
    }

    /// Deprovisions a resource no check owns (a v3 provision that succeeded but gave no
    /// usable id), so a failed run leaves nothing behind. Until then the ledger keeps it by
    /// its uuid, the one key v3 calls need, so a failed clean-up is not forgotten.
    async fn clean_up(&mut self, manifest: &Manifest, uuid: &str) {
        self.provisioned(uuid, uuid);
        let (url, _) = self.resource_url(manifest, uuid);
        let password = manifest.api.password.expose().to_string();
        let headers = api_headers(manifest, &manifest.id, &password, false);
        match self.exchange(Method::Delete, &url, headers, None).await.result {
            Ok(response) if matches!(response.status, 200 | 204 | 404 | 410) => {
                self.resource_event(ResourceEvent::Deprovisioned { keys: ResourceKeys::either(uuid) });
            }
            _ => self.message(&format!(
                "    (could not deprovision the resource with uuid {uuid}; it stays in the list of resources left behind)"
            )),
        }
    }

    /// Deprovisions resources the checks created on the side, all at once, warning for
    /// each one that could not be removed.
    pub(crate) async fn remove_extras(&mut self, manifest: &Manifest, check: &mut Pending, extras: &[ResourceKeys]) {
        let sent = self.send_removals(manifest, extras).await;
        self.record_removals(manifest, check, extras, sent).await;
    }

    /// The DELETEs of [`CheckRun::remove_extras`], all at once, not yet recorded: checks
    /// that made extras side by side remove them side by side too.
    pub(crate) async fn send_removals(&self, manifest: &Manifest, extras: &[ResourceKeys]) -> Vec<Sent> {
        let password = manifest.api.password.expose().to_string();
        let version = manifest.api.version;
        let urls: Vec<String> =
            extras.iter().map(|keys| self.resource_url(manifest, keys.path_key(version)).0).collect();
        join_all(
            urls.iter().map(|url| {
                self.exchange(Method::Delete, url, api_headers(manifest, &manifest.id, &password, false), None)
            }),
        )
        .await
    }

    /// Records the DELETEs [`CheckRun::send_removals`] sent for `extras` under `check`.
    pub(crate) async fn record_removals(
        &mut self,
        manifest: &Manifest,
        check: &mut Pending,
        extras: &[ResourceKeys],
        sent: Vec<Sent>,
    ) {
        let version = manifest.api.version;
        for (keys, sent) in extras.iter().zip(sent) {
            let key = keys.path_key(version);
            let url = self.resource_url(manifest, key).0;
            let mut result = check.record(sent);
            // A service that finds resources by its own id (C01 and X01 say so) still gets
            // its extra resource removed: the same misses as theirs, 404 or a crashed lookup.
            if let (Ok(response), Some(id)) = (&result, keys.fallback_id(version))
                && missed_by_uuid(response.status)
            {
                result = self.send_by_id(check, manifest, id, Method::Delete, None).await;
            }
            match result {
                Ok(response) if matches!(response.status, 200 | 204 | 410) => {
                    self.resource_event(ResourceEvent::Deprovisioned { keys: keys.clone() });
                }
                Ok(response) => {
                    check.warn(format!("could not deprovision the extra resource {key}: got {}", response.status))
                }
                Err(error) => check.warn(format!(
                    "could not deprovision the extra resource {key}: {}",
                    describe_error(&error, &url, self.settings.limits)
                )),
            }
        }
    }

    /// `Testing response`: the id, the id's origin, and the log drain.
    fn check_response(&mut self, manifest: &Manifest, body: &Value, payload: &Payload) -> Option<Provisioned> {
        self.group("response".to_string());
        let mut check = self.start(&RESPONSE_ID);
        let id = match body {
            Value::Object(_) => id_of(body),
            other => {
                check.fail(format!("the response must be a JSON object, found {}", kensa_manifest::kind_of(other)));
                None
            }
        };
        match &id {
            // The uuid is the key of every later call in v3, so show it.
            Some(id) if manifest.api.version == ApiVersion::V3 => {
                check.note(format!("(id {id}, uuid {})", payload.uuid))
            }
            Some(id) => check.note(format!("(id {id})")),
            None if body.is_object() => check.fail(match (body.get("id"), declared_id(body)) {
                (_, Some(unusable)) => unusable_id(&unusable),
                (None, _) => "the response has no `id`".to_string(),
                (Some(other), _) => {
                    format!("`id` must be a non-empty string or a number, found {}", describe_value(other))
                }
            }),
            None => {}
        }
        self.finish(check);

        match (&id, payload.app_number) {
            (Some(id), Some(number)) => {
                let mut check = self.start(&RESPONSE_ID_NOT_HEROKU_ID);
                if id.contains(&number.to_string()) {
                    check.fail(format!(
                        "id cannot include heroku_id: `{id}` contains the app number {number} that was sent"
                    ));
                }
                self.finish(check);
            }
            (None, _) => self.skip(&RESPONSE_ID_NOT_HEROKU_ID, "the response has no id"),
            (_, None) => self.skip(&RESPONSE_ID_NOT_HEROKU_ID, "v3 requests carry no heroku_id"),
        }

        if manifest.requires("syslog_drain") {
            let mut check = self.start(&RESPONSE_LOG_DRAIN);
            match body.get("log_drain_url") {
                None | Some(Value::Null) => check.fail("must return a log_drain_url"),
                Some(Value::String(url)) if is_log_drain_url(url) => {}
                Some(_) => check.fail("must return a syslog_drain_url like syslog://log.example.com:9999"),
            }
            self.finish(check);
        } else {
            self.skip(&RESPONSE_LOG_DRAIN, "the manifest does not require syslog_drain");
        }

        let config = string_config(body).unwrap_or_default();
        Some(Provisioned { id: id?, uuid: payload.uuid.clone(), config })
    }
}

/// The id a provision's JSON answer names, when usable.
pub(crate) fn response_id(response: &Response) -> Option<String> {
    serde_json::from_slice::<Value>(&response.body).ok().as_ref().and_then(id_of)
}

/// The keys of the resource a further provision with `uuid` made: both when the answer
/// names a usable id; only the uuid (as both) for a v3 success without one, since v3 calls
/// address resources by uuid and it can still be removed; none otherwise.
pub(crate) fn extra_keys(manifest: &Manifest, uuid: &str, response: &Response) -> Option<ResourceKeys> {
    match response_id(response) {
        Some(id) => Some(ResourceKeys::both(uuid, &id)),
        None if manifest.api.version == ApiVersion::V3 && (200..300).contains(&response.status) => {
            Some(ResourceKeys::either(uuid))
        }
        None => None,
    }
}

/// The string-valued config vars of a JSON body, in the order received.
fn string_config(body: &Value) -> Option<Vec<(String, String)>> {
    let config = body.get("config")?.as_object()?;
    Some(config.iter().filter_map(|(key, value)| Some((key.clone(), value.as_str()?.to_string()))).collect())
}

fn is_log_drain_url(url: &str) -> bool {
    ["https://", "syslog://"].iter().any(|scheme| {
        url.strip_prefix(scheme).is_some_and(|rest| !rest.is_empty() && !rest.chars().any(char::is_whitespace))
    })
}

/// A JSON value in a message, short: strings quoted, containers by kind.
pub(crate) fn describe_value(value: &Value) -> String {
    match value {
        Value::String(text) => format!("{text:?}"),
        Value::Number(number) => number.to_string(),
        Value::Bool(flag) => flag.to_string(),
        other => kensa_manifest::kind_of(other).to_string(),
    }
}
