//! `Testing tolerance`: Heroku's provisions may carry fields no reference documents yet,
//! and a v3 provision may come without a grant; both are valid requests. These probes, and
//! the region probes of [`super::regions`], are provisions beside the resource under test:
//! they go out together, and what they made is removed together.

use crate::checks::provision::{
    Payload, Provisioned, api_headers, declared_id, extra_keys, provider_message, response_id, unusable_id,
};
use crate::concurrent::join_all;
use crate::engine::{CheckRun, Pending, Sent, Stop, describe_error};
use crate::keys::ResourceKeys;
use crate::transport::{Method, Transport};
use kensa_manifest::references::PARTNER_API_ARTICLE;
use kensa_manifest::{ApiVersion, CheckDef, Manifest};
use serde_json::Value;

kensa_manifest::checks! {
    /// The tolerance checks, in the order they run.
    pub(crate) const CHECKS;
    ACCEPTS_UNKNOWN_FIELDS {
        code: "T01",
        name: "provision/accepts-unknown-fields",
        label: "a field it does not know is accepted",
        summary: "A provision whose body carries an undocumented field (`kensa_probe`) succeeds like any other.",
        why: "Heroku adds fields to its requests before documenting them (it added `log_input_url`, `name` and \
              `oauth_grant` over the years), and its reference says such a request is valid: a provider that \
              refuses fields it does not know breaks on the day Heroku adds one.",
        example: "a provision with the extra field `\"kensa_probe\": \"an undocumented field\"`: expected 200, got \
                  422: Heroku adds fields it does not document yet to its requests, and such a request is valid; \
                  read the fields you know and ignore the rest",
        fix: "Read the fields you need from the body and ignore the others: no closed list of fields (serde's \
              `deny_unknown_fields`, a JSON schema with `additionalProperties: false`, a strict params filter \
              that raises).",
        reference: PARTNER_API_ARTICLE,
    }
    ACCEPTS_NULL_OAUTH_GRANT {
        code: "T02",
        name: "provision/accepts-null-oauth-grant",
        label: "a null oauth_grant is accepted",
        summary: "A v3 provision with `\"oauth_grant\": null` succeeds like any other.",
        why: "The v3 reference makes `oauth_grant` an object or null: a provision may come with no grant, and a \
              service that reads `oauth_grant.code` without looking crashes on it.",
        example: "a provision with `\"oauth_grant\": null`: expected 200, got 500: a provision may come with no \
                  grant, and such a request is valid; provision as usual and exchange a code only when one came",
        fix: "Treat a null (or missing) `oauth_grant` as no grant: provision as usual, and exchange \
              `oauth_grant.code` only when there is one.",
        reference: PARTNER_API_ARTICLE,
    }
}

/// The field T01 adds: clearly kensa's, so a provider's logs say where it came from.
const PROBE_FIELD: (&str, &str) = ("kensa_probe", "an undocumented field");

/// One provision a probe sends beside the resource under test.
pub(crate) struct SideProvision {
    pub(crate) payload: Payload,
    /// The `region` it carries (a request form), for the ledger.
    pub(crate) region: String,
    /// What it is, to start a finding: "a provision with `\"oauth_grant\": null`".
    pub(crate) what: String,
    /// Why a refusal is wrong and what to do, to end a finding.
    pub(crate) rule: String,
}

/// A check made of side provisions, each of which must succeed with a usable id; or the
/// reason it is skipped.
pub(crate) struct Probe {
    pub(crate) def: &'static CheckDef,
    /// The heading of its group.
    pub(crate) group: &'static str,
    pub(crate) sides: Result<Vec<SideProvision>, String>,
    /// What the report shows beside it, such as the regions it provisioned from.
    pub(crate) note: Option<String>,
}

/// `payload` with `key` set to `value` at the top of its body.
pub(crate) fn with_field(mut payload: Payload, key: &str, value: Value) -> Payload {
    if let Ok(Value::Object(mut body)) = serde_json::from_slice::<Value>(&payload.body) {
        body.insert(key.to_string(), value);
        payload.body = serde_json::to_vec(&body).unwrap_or_default();
    }
    payload
}

impl<T: Transport> CheckRun<'_, T> {
    /// The tolerance and region groups, skipped because `stop` left no resource to compare
    /// their provisions with.
    pub(crate) fn skip_tolerance_and_regions(&mut self, stop: Stop) {
        let lacking = "there is no resource to compare these provisions with";
        self.group("tolerance".to_string());
        self.skip_after(CHECKS, stop, lacking);
        self.group("regions".to_string());
        self.skip_after(crate::checks::regions::CHECKS, stop, lacking);
    }

    /// The tolerance checks, then the region checks: every provision they send goes out at
    /// once, each answer is judged under its check, and every resource they made is
    /// deprovisioned at once (and kept in the ledger until it is).
    pub(crate) async fn check_tolerance_and_regions(&mut self, manifest: &Manifest, under_test: &Provisioned) {
        let mut probes = self.tolerance_probes(manifest);
        probes.push(self.region_probe(manifest));
        let mut pending: Vec<Option<Pending>> =
            probes.iter().map(|probe| probe.sides.is_ok().then(|| self.start(probe.def))).collect();

        let url = self.provision_url(manifest);
        let password = manifest.api.password.expose().to_string();
        let sides: Vec<&SideProvision> = probes.iter().flat_map(|probe| probe.sides.iter().flatten()).collect();
        let this = &*self;
        let sent = join_all(sides.iter().map(|side| {
            let headers = api_headers(manifest, &manifest.id, &password, true);
            this.exchange(Method::Post, &url, headers, Some(side.payload.body.clone()))
        }))
        .await;

        let mut sent = sent.into_iter();
        let mut made: Vec<Vec<(ResourceKeys, String)>> = Vec::new();
        for (probe, check) in probes.iter().zip(&mut pending) {
            let mut extras = Vec::new();
            if let (Ok(sides), Some(check)) = (&probe.sides, check.as_mut()) {
                for (side, sent) in sides.iter().zip(sent.by_ref()) {
                    if let Some(keys) = self.judge_side_provision(manifest, check, side, sent, under_test) {
                        extras.push((keys, side.region.clone()));
                    }
                }
            }
            made.push(extras);
        }

        for (keys, region) in made.iter().flatten() {
            self.provisioned_in(keys.sso_uuid(), keys.sso_id(), region);
        }
        let all: Vec<ResourceKeys> = made.iter().flatten().map(|(keys, _)| keys.clone()).collect();
        let mut removals = self.send_removals(manifest, &all).await.into_iter();

        let mut group = None;
        for ((probe, check), extras) in probes.iter().zip(pending).zip(made) {
            if group != Some(probe.group) {
                self.group(probe.group.to_string());
                group = Some(probe.group);
            }
            match (check, &probe.sides) {
                (Some(mut check), _) => {
                    if let Some(note) = &probe.note {
                        check.note(note.clone());
                    }
                    let keys: Vec<ResourceKeys> = extras.into_iter().map(|(keys, _)| keys).collect();
                    let sent: Vec<Sent> = removals.by_ref().take(keys.len()).collect();
                    self.record_removals(manifest, &mut check, &keys, sent).await;
                    self.finish(check);
                }
                (None, Err(reason)) => self.skip(probe.def, reason),
                (None, Ok(_)) => {}
            }
        }
    }

    /// T01 always; T02 for v3, whose provisions carry a grant.
    fn tolerance_probes(&mut self, manifest: &Manifest) -> Vec<Probe> {
        let (field, value) = PROBE_FIELD;
        let unknown = SideProvision {
            payload: with_field(self.provision_payload(manifest, None), field, Value::from(value)),
            region: self.region.clone(),
            what: format!("a provision with the extra field `\"{field}\": \"{value}\"`"),
            rule: "Heroku adds fields it does not document yet to its requests, and such a request is valid; read \
                   the fields you know and ignore the rest"
                .to_string(),
        };
        let null_grant = match manifest.api.version {
            ApiVersion::V3 => Ok(vec![SideProvision {
                payload: with_field(self.provision_payload(manifest, None), "oauth_grant", Value::Null),
                region: self.region.clone(),
                what: "a provision with `\"oauth_grant\": null`".to_string(),
                rule: "a provision may come with no grant, and such a request is valid; provision as usual and \
                       exchange a code only when one came"
                    .to_string(),
            }]),
            ApiVersion::V1 => Err("v1 provisions carry no oauth_grant".to_string()),
        };
        vec![
            Probe { def: &ACCEPTS_UNKNOWN_FIELDS, group: "tolerance", sides: Ok(vec![unknown]), note: None },
            Probe { def: &ACCEPTS_NULL_OAUTH_GRANT, group: "tolerance", sides: null_grant, note: None },
        ]
    }

    /// Records one side provision's answer under `check`, failing it unless the answer is a
    /// success with a usable id; returns the keys of the resource it made, if any. An answer
    /// naming the resource under test made nothing new (D02 says so), and that resource must
    /// not be removed as an extra.
    fn judge_side_provision(
        &self,
        manifest: &Manifest,
        check: &mut Pending,
        side: &SideProvision,
        sent: Sent,
        under_test: &Provisioned,
    ) -> Option<ResourceKeys> {
        let what = &side.what;
        let response = match check.record(sent) {
            Ok(response) => response,
            Err(error) => {
                let url = self.provision_url(manifest);
                check.fail(format!("{what}: {}", describe_error(&error, &url, self.settings.limits)));
                return None;
            }
        };
        if !(200..300).contains(&response.status) {
            let expected = if self.settings.async_timeout_ms.is_some() { 202 } else { 200 };
            let mut message = format!("{what}: expected {expected}, got {}: {}", response.status, side.rule);
            if let Some(said) = provider_message(&response.body) {
                message.push_str(&format!(" (the provider said: {said})"));
            }
            check.mismatch(expected.to_string(), response.status.to_string(), message);
            return None;
        }
        match response_id(&response) {
            Some(id) if id == under_test.id => None,
            Some(_) => extra_keys(manifest, &side.payload.uuid, &response),
            None => {
                let declared = serde_json::from_slice::<Value>(&response.body).ok().as_ref().and_then(declared_id);
                check.fail(match declared {
                    Some(unusable) => format!("{what}: {}", unusable_id(&unusable)),
                    None => format!("{what}: the response has no usable `id`"),
                });
                extra_keys(manifest, &side.payload.uuid, &response)
            }
        }
    }
}
