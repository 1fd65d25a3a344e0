//! `Testing idempotency`: Heroku delivers a provision at least once, so a repeat with the
//! same uuid is the same resource, and another uuid is another resource.

use crate::checks::provision::{Payload, Provisioned, api_headers, declared_id, extra_keys, response_id, unusable_id};
use crate::engine::{CheckRun, Pending, describe_error};
use crate::keys::ResourceKeys;
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
}

impl<T: Transport> CheckRun<'_, T> {
    /// v3 delivers at least once: the same uuid again is the same resource; another uuid is
    /// another resource. Whatever these calls create is deprovisioned again.
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
