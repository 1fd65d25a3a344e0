//! `Testing idempotency`: Heroku delivers a provision at least once, so a repeat with the
//! same uuid is the same resource (even while the first is still being handled), and
//! another uuid is another resource.

use crate::checks::provision::{
    Payload, Provisioned, api_headers, declared_id, extra_keys, provider_message, response_id, unusable_id,
};
use crate::concurrent::join_all;
use crate::engine::{CheckRun, Pending, Stop, describe_error};
use crate::event::ResourceEvent;
use crate::keys::{ResourceKeys, missed_by_uuid};
use crate::transport::{Method, Response, Transport};
use kensa_manifest::references::PARTNER_API_ARTICLE;
use kensa_manifest::{ApiVersion, Manifest};
use serde_json::Value;

kensa_manifest::checks! {
    /// The idempotency checks, in the order they run.
    pub(crate) const CHECKS;
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
    OVERLAPPING_REPEATS {
        code: "D03",
        name: "provision/overlapping-repeats",
        label: "overlapping repeats return one id",
        summary: "The same provision sent three times at once, then once more, gets 2xx every time and one id.",
        why: "Heroku delivers at least once: a repeat may arrive while the first request is still being handled. \
              A service that looks the uuid up and then inserts lets each overlapping request create a resource, \
              and all but one are orphaned.",
        example: "3 overlapping provisions with one uuid (and one more after them) made 3 resources: `res-4`, \
                  `res-5`, `res-6`: Heroku delivers a provision at least once, and a repeat may arrive while the \
                  first is still being handled, before a lookup could find it; put a unique constraint on uuid and, \
                  when an insert hits it, answer with the resource already made",
        fix: "Let the database decide: a unique constraint on the `uuid` column, an insert that does nothing on \
              conflict, then read the row back by uuid and answer with it (a lock held across the lookup and the \
              insert works only within one process). In the guide's Sinatra code, `Database.create!` runs for \
              every request: store the uuid in a column with a unique index, and when the create fails on it, \
              answer with the record that has that uuid.",
        reference: PARTNER_API_ARTICLE,
    }
}

/// How many copies of one provision D03 sends at the same time (one more follows them).
const OVERLAPPING: usize = 3;

impl<T: Transport> CheckRun<'_, T> {
    /// v3 delivers at least once: the same uuid again is the same resource; another uuid is
    /// another resource. Whatever these calls create is deprovisioned again.
    /// The idempotency group, skipped because `stop` left no resource.
    pub(crate) fn skip_idempotency(&mut self, stop: Stop) {
        self.group("idempotency".to_string());
        self.skip_after(CHECKS, stop, "there is no resource to provision again");
    }

    pub(crate) async fn check_idempotency(&mut self, manifest: &Manifest, first: &Provisioned, payload: &Payload) {
        self.group("idempotency".to_string());
        let url = self.provision_url(manifest);
        let password = manifest.api.password.expose().to_string();

        let mut check = self.start(&IDEMPOTENT);
        let headers = api_headers(manifest, &manifest.id, &password, true);
        match self.send(&mut check, Method::Post, &url, headers, Some(payload.body.clone())).await {
            Ok(response) => match self.second_id(&mut check, &response) {
                Some(id) if id == first.id => {}
                Some(id) => {
                    check.mismatch(
                        first.id.clone(),
                        id.clone(),
                        format!(
                            "the same uuid returned a new id `{id}` (the first call returned `{}`): Heroku may \
                             send a provision more than once, so keep its `uuid` with the resource (unique) and \
                             answer a repeat with the resource you already made",
                            first.id
                        ),
                    );
                    // In v3 the extra shares the uuid, the key of every later call: it cannot be
                    // told apart, so only v1 removes it.
                    if manifest.api.version == ApiVersion::V1 {
                        self.provisioned(&payload.uuid, &id);
                        self.remove_extras(manifest, &mut check, &[ResourceKeys::both(&payload.uuid, &id)]).await;
                    }
                }
                None => {}
            },
            Err(error) => check.fail(describe_error(&error, &url, self.settings.limits)),
        }
        self.finish(check);

        let mut check = self.start(&DISTINCT_IDS);
        let other = self.provision_payload(manifest, None);
        let headers = api_headers(manifest, &manifest.id, &password, true);
        match self.send(&mut check, Method::Post, &url, headers, Some(other.body.clone())).await {
            Ok(response) => match self.second_id(&mut check, &response) {
                Some(id) if id == first.id => {
                    // Removing "the other one" would remove the resource the later checks use.
                    check.fail(format!(
                        "multiple provisions cannot return the same id: two uuids both got `{id}` (kensa does \
                         not deprovision it here: it is the resource under test)"
                    ));
                }
                _ if (200..300).contains(&response.status) => {
                    if let Some(keys) = extra_keys(manifest, &other.uuid, &response) {
                        self.provisioned(keys.sso_uuid(), keys.sso_id());
                        self.remove_extras(manifest, &mut check, &[keys]).await;
                    }
                }
                _ => {}
            },
            Err(error) => check.fail(describe_error(&error, &url, self.settings.limits)),
        }
        self.finish(check);

        self.check_overlapping_repeats(manifest, first, &url, &password).await;
    }

    /// D03: one fresh provision sent [`OVERLAPPING`] times at once, then once more after
    /// them; every answer must succeed and name one resource. Whatever they made is removed,
    /// except the resource under test should a provider answer with that (D02's failure).
    async fn check_overlapping_repeats(&mut self, manifest: &Manifest, first: &Provisioned, url: &str, password: &str) {
        let mut check = self.start(&OVERLAPPING_REPEATS);
        let payload = self.provision_payload(manifest, None);
        let send = || {
            let headers = api_headers(manifest, &manifest.id, password, true);
            self.exchange(Method::Post, url, headers, Some(payload.body.clone()))
        };
        let mut sent = join_all((0..OVERLAPPING).map(|_| send())).await;
        sent.push(send().await);

        let mut answers = Vec::new();
        let mut extras: Vec<ResourceKeys> = Vec::new();
        let mut ids: Vec<String> = Vec::new();
        let mut failures = Vec::new();
        let mut without_id = false;
        // The repeat sent after the others made a resource of its own too: no lookup at all.
        let mut later_repeat_made_one = false;
        for (index, sent) in sent.into_iter().enumerate() {
            match check.record(sent) {
                Ok(response) => {
                    answers.push(response.status.to_string());
                    if !(200..300).contains(&response.status) {
                        failures.push(response);
                        continue;
                    }
                    match response_id(&response) {
                        Some(id) if !ids.contains(&id) => {
                            later_repeat_made_one = index == OVERLAPPING && !ids.is_empty();
                            ids.push(id);
                        }
                        Some(_) => {}
                        None => without_id = true,
                    }
                    if let Some(keys) = extra_keys(manifest, &payload.uuid, &response)
                        && keys.id.as_deref() != Some(first.id.as_str())
                        && !extras.contains(&keys)
                    {
                        extras.push(keys);
                    }
                }
                Err(error) => {
                    answers.push("no answer".to_string());
                    check.fail(format!("an overlapping repeat: {}", describe_error(&error, url, self.settings.limits)));
                }
            }
        }
        if without_id {
            check.fail("an answer to an overlapping repeat has no usable `id`");
        }
        if let Some(refused) = failures.first() {
            let answers = match answers.split_last() {
                Some((last, overlapping)) => format!("{}, then {last}", overlapping.join(", ")),
                None => String::new(),
            };
            check.mismatch(
                "200",
                refused.status.to_string(),
                format!(
                    "an overlapping repeat of one provision got {} (the answers: {answers}): Heroku delivers a \
                     provision at least once, and a repeat may arrive while the first is still being handled; \
                     answer every repeat with the resource its uuid names (a unique constraint on uuid, and when \
                     an insert hits it, the resource already made)",
                    refused.status
                ),
            );
            if let Some(message) = failures.iter().find_map(|response| provider_message(&response.body)) {
                check.fail(format!("the provider said: {message}"));
            }
        }
        if ids.len() > 1 {
            let listed = ids.iter().map(|id| format!("`{id}`")).collect::<Vec<_>>().join(", ");
            let cause = if later_repeat_made_one {
                "; the one sent after them made another, so a repeat is not looked up at all (D01 says how)"
            } else {
                ", before a lookup could find it"
            };
            check.mismatch(
                "1 resource",
                format!("{} resources", ids.len()),
                format!(
                    "{OVERLAPPING} overlapping provisions with one uuid (and one more after them) made {} \
                     resources: {listed}: Heroku delivers a provision at least once, and a repeat may arrive while \
                     the first is still being handled{cause}; put a unique constraint on uuid and, when an insert \
                     hits it, answer with the resource already made",
                    ids.len()
                ),
            );
        }
        for keys in &extras {
            self.provisioned(keys.sso_uuid(), keys.sso_id());
        }
        match manifest.api.version {
            ApiVersion::V1 => self.remove_extras(manifest, &mut check, &extras).await,
            ApiVersion::V3 => self.remove_by_uuid(manifest, &mut check, &payload.uuid, &extras).await,
        }
        self.finish(check);
    }

    /// Removes the resources `extras` that all share Heroku's `uuid`, the key of v3 calls:
    /// a DELETE by uuid removes one or all of them, so it is repeated until the provider
    /// says the uuid is gone (404 or 410), at most once per resource. A service that
    /// finds resources by its own id gets them removed by id, as [`CheckRun::remove_extras`] does.
    async fn remove_by_uuid(&mut self, manifest: &Manifest, check: &mut Pending, uuid: &str, extras: &[ResourceKeys]) {
        let (url, _) = self.resource_url(manifest, uuid);
        let password = manifest.api.password.expose().to_string();
        let mut removed = 0;
        while removed < extras.len() {
            let headers = api_headers(manifest, &manifest.id, &password, false);
            let sent = self.exchange(Method::Delete, &url, headers, None).await;
            match check.record(sent) {
                Ok(response) if matches!(response.status, 200 | 204) => removed += 1,
                Ok(response) if response.status == 410 || (response.status == 404 && removed > 0) => {
                    removed = extras.len();
                }
                Ok(response) if removed == 0 && missed_by_uuid(response.status) => {
                    let by_id: Vec<ResourceKeys> = extras
                        .iter()
                        .filter(|keys| keys.fallback_id(manifest.api.version).is_some())
                        .cloned()
                        .collect();
                    if by_id.is_empty() {
                        check.warn(format!("could not deprovision the extra resource {uuid}: got {}", response.status));
                    }
                    // By id only: remove_extras would send the DELETE by uuid again first.
                    for keys in by_id {
                        let id = keys.fallback_id(manifest.api.version).unwrap_or_default().to_string();
                        match self.send_by_id(check, manifest, &id, Method::Delete, None).await {
                            Ok(response) if matches!(response.status, 200 | 204 | 410) => {
                                self.resource_event(ResourceEvent::Deprovisioned { keys });
                            }
                            Ok(response) => check.warn(format!(
                                "could not deprovision the extra resource {id}: got {}",
                                response.status
                            )),
                            Err(error) => check.warn(format!(
                                "could not deprovision the extra resource {id}: {}",
                                describe_error(&error, &url, self.settings.limits)
                            )),
                        }
                    }
                    return;
                }
                Ok(response) => {
                    check.warn(format!("could not deprovision the extra resource {uuid}: got {}", response.status));
                    break;
                }
                Err(error) => {
                    check.warn(format!(
                        "could not deprovision the extra resource {uuid}: {}",
                        describe_error(&error, &url, self.settings.limits)
                    ));
                    break;
                }
            }
        }
        // Which resource each DELETE removed is unknowable by uuid; the count is what matters
        // to the ledger, whose entries all carry the uuid later calls need.
        for keys in &extras[..removed] {
            self.resource_event(ResourceEvent::Deprovisioned { keys: keys.clone() });
        }
    }

    /// The id of a further provision, failing the check when there is none. Whether the
    /// status is exactly 200 (or 202) is P01's business; here any success will do.
    fn second_id(&self, check: &mut Pending, response: &Response) -> Option<String> {
        if !(200..300).contains(&response.status) {
            check.mismatch("200", response.status.to_string(), format!("expected 200, got {}", response.status));
            return None;
        }
        let id = response_id(response);
        if id.is_none() {
            let declared = serde_json::from_slice::<Value>(&response.body).ok().as_ref().and_then(declared_id);
            check.fail(match declared {
                Some(unusable) => unusable_id(&unusable),
                None => "the response has no usable `id`".to_string(),
            });
        }
        id
    }
}
