//! A provider in a closure, with faults, for engine tests that need no network.
#![allow(dead_code, reason = "each test binary uses part of this")]

use kensa_checks::testing::{CountingIds, ManualClock, ScriptedTransport, block_on};
use kensa_checks::{
    Capabilities, CheckRun, Effects, EventSink, Method, NoEvents, Report, Request, Response, Settings, Suite,
    Transport, TransportError,
};
use kensa_manifest::Validation;
use serde_json::{Value, json};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

pub(crate) const PASSWORD: &str = "s3cr3t-password-0123";
pub(crate) const SALT: &str = "s3cr3t-salt-4567";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fault {
    NoAuth,
    PasswordOnly,
    UserOnly,
    Status201,
    NotJson,
    MissingId,
    NoConfig,
    UndeclaredVar,
    NonStringValue,
    BadUrl,
    SameIdForEveryUuid,
    NewIdForRepeatedUuid,
    DeprovisionStatus500,
    /// Every DELETE goes unanswered until the deadline.
    HangingDelete,
    /// Finds resources by its own id even in v3 (as the seed guide's service does); a
    /// missing resource gets 404.
    AddressesById,
    PlanChange503,
    /// Looks a provision's uuid up when the request arrives and stores the resource when it
    /// is answered, without a unique constraint: requests that overlap each make one.
    OverlappingDuplicates,
    /// As [`Fault::OverlappingDuplicates`], but with a unique constraint whose conflict it
    /// does not handle: the overlapping repeats get 409.
    ConflictOnOverlap,
    /// A DELETE of a resource it does not hold (any more) answers 500.
    RepeatedDeleteFails,
    /// A PUT to the plan the resource is already on answers 422.
    RepeatedPlanChangeFails,
    Slow,
    FourSeconds,
    Refused,
    Oversized,
    V1Manifest,
    InvalidManifest,
    /// 422 for a provision body with a field outside the documented ones.
    RejectsUnknownFields,
    /// 500 for a provision whose `oauth_grant` is null.
    CrashesOnNullGrant,
    /// 422 for a provision from an `eu-*` AWS region.
    RefusesEuRegions,
    /// The manifest declares `["us", "eu", "*"]`.
    ManyRegions,
}

/// The fields of a documented v1 or v3 provision body.
const DOCUMENTED_FIELDS: &[&str] = &[
    "heroku_id",
    "plan",
    "region",
    "callback_url",
    "log_input_url",
    "logplex_token",
    "options",
    "uuid",
    "log_drain_token",
    "name",
    "oauth_grant",
];

pub(crate) fn manifest(faults: &[Fault]) -> Vec<u8> {
    let mut manifest = json!({
        "id": "myaddon",
        "api": {
            "config_vars": ["MYADDON_URL"],
            "password": PASSWORD,
            "sso_salt": SALT,
            "regions": ["us"],
            "requires": [],
            "production": {"base_url": "https://myaddon.example.com/heroku/resources"},
            "test": {"base_url": "http://localhost:4567/heroku/resources"},
            "version": "3"
        }
    });
    if faults.contains(&Fault::V1Manifest) {
        manifest["api"].as_object_mut().unwrap().remove("version");
    }
    if faults.contains(&Fault::InvalidManifest) {
        manifest["api"]["regions"] = json!(["mars"]);
    }
    if faults.contains(&Fault::ManyRegions) {
        manifest["api"]["regions"] = json!(["us", "eu", "*"]);
    }
    serde_json::to_vec(&manifest).unwrap()
}

/// What the scripted provider holds: resources by key, and every request it saw.
#[derive(Default)]
pub(crate) struct State {
    resources: BTreeMap<String, String>,
    /// Further resources under one key, made by [`Fault::OverlappingDuplicates`]; a DELETE
    /// of the key removes them with the first.
    duplicates: BTreeMap<String, Vec<String>>,
    by_uuid: BTreeMap<String, String>,
    /// What the provision being answered found when it arrived ([`Fault::OverlappingDuplicates`]).
    found_on_arrival: Option<Option<String>>,
    /// Each resource's plan, by key.
    plans: BTreeMap<String, String>,
    next: u32,
    requests: Vec<Request>,
}

#[derive(Clone, Default)]
pub(crate) struct Provider(Rc<RefCell<State>>);

impl Provider {
    pub(crate) fn live_resources(&self) -> usize {
        let state = self.0.borrow();
        state.resources.len() + state.duplicates.values().map(Vec::len).sum::<usize>()
    }

    pub(crate) fn requests(&self) -> Vec<Request> {
        self.0.borrow().requests.clone()
    }
}

fn reply(status: u16, body: Value) -> Result<Response, TransportError> {
    Ok(Response {
        status,
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: serde_json::to_vec(&body).unwrap(),
    })
}

fn answer(
    state: &mut State,
    faults: &[Fault],
    clock: &ManualClock,
    request: &Request,
) -> Result<Response, TransportError> {
    let has = |fault| faults.contains(&fault);
    if has(Fault::Refused) {
        return Err(TransportError::Connect(String::new()));
    }
    let authorization = request
        .headers
        .iter()
        .find(|(name, _)| name == "Authorization")
        .map(|(_, value)| value.clone())
        .unwrap_or_default();
    let right_user = kensa_checks::encoding::basic_auth("myaddon", "kensa-wrong-password");
    let right_password = kensa_checks::encoding::basic_auth("myaddon-kensa-wrong-user", PASSWORD);
    let correct = authorization == kensa_checks::encoding::basic_auth("myaddon", PASSWORD);
    let accepted = correct
        || has(Fault::NoAuth)
        || (has(Fault::PasswordOnly) && authorization == right_password)
        || (has(Fault::UserOnly) && authorization == right_user);
    if !accepted {
        return reply(401, json!({"message": "unauthorized"}));
    }
    let path = request.url.trim_start_matches("http://localhost:4567");
    let body: Value = request.body.as_ref().map(|body| serde_json::from_slice(body).unwrap()).unwrap_or(Value::Null);
    match (request.method, path) {
        (kensa_checks::Method::Post, "/heroku/resources") => {
            if has(Fault::Slow) {
                clock.advance(25_000);
                return Err(TransportError::Timeout);
            }
            if has(Fault::FourSeconds) {
                clock.advance(4_000);
            }
            if has(Fault::Oversized) {
                return Err(TransportError::BodyTooLarge);
            }
            if has(Fault::NotJson) {
                return Ok(Response { status: 200, headers: Vec::new(), body: b"ok".to_vec() });
            }
            let fields = body.as_object().map(|body| body.keys().cloned().collect::<Vec<_>>()).unwrap_or_default();
            if has(Fault::RejectsUnknownFields)
                && let Some(unknown) = fields.iter().find(|field| !DOCUMENTED_FIELDS.contains(&field.as_str()))
            {
                return reply(422, json!({"message": format!("unknown field {unknown}")}));
            }
            if has(Fault::CrashesOnNullGrant) && body["oauth_grant"].is_null() && !has(Fault::V1Manifest) {
                return reply(500, json!({"message": "undefined method `[]' for nil"}));
            }
            if has(Fault::RefusesEuRegions) && body["region"].as_str().is_some_and(|region| region.contains("::eu-")) {
                return reply(422, json!({"message": "this region is not supported"}));
            }
            let uuid = body["uuid"].as_str().unwrap().to_string();
            let found = match state.found_on_arrival.take() {
                Some(found) => found,
                None => state.by_uuid.get(&uuid).cloned(),
            };
            if has(Fault::ConflictOnOverlap) && found.is_none() && state.by_uuid.contains_key(&uuid) {
                return reply(409, json!({"message": "duplicate key value violates unique constraint \"uuid\""}));
            }
            let id = match found {
                Some(id) if !has(Fault::NewIdForRepeatedUuid) => id,
                _ => {
                    state.next += 1;
                    let id = if has(Fault::SameIdForEveryUuid) {
                        "res-1".to_string()
                    } else {
                        format!("res-{}", state.next)
                    };
                    let key =
                        if has(Fault::V1Manifest) || has(Fault::AddressesById) { id.clone() } else { uuid.clone() };
                    if state.by_uuid.contains_key(&uuid) && state.resources.contains_key(&key) {
                        state.duplicates.entry(key).or_default().push(id.clone());
                    } else {
                        state.by_uuid.insert(uuid.clone(), id.clone());
                        state.plans.insert(key.clone(), body["plan"].as_str().unwrap_or_default().to_string());
                        state.resources.insert(key, id.clone());
                    }
                    id
                }
            };
            let config = if has(Fault::UndeclaredVar) {
                json!({"MYADDON_URL": "https://db.example.com/1", "MYADDON_OTHER_URL": "https://x.example.com"})
            } else if has(Fault::NonStringValue) {
                json!({"MYADDON_URL": 42})
            } else if has(Fault::BadUrl) {
                json!({"MYADDON_URL": "db.example.com/x"})
            } else {
                json!({"MYADDON_URL": format!("https://db.example.com/{id}")})
            };
            let mut answer = json!({"id": id, "config": config});
            if has(Fault::MissingId) {
                answer.as_object_mut().unwrap().remove("id");
            }
            if has(Fault::NoConfig) {
                answer.as_object_mut().unwrap().remove("config");
            }
            reply(if has(Fault::Status201) { 201 } else { 200 }, answer)
        }
        (kensa_checks::Method::Delete, path) => {
            let key = path.trim_start_matches("/heroku/resources/");
            if has(Fault::HangingDelete) {
                clock.advance(25_000);
                return Err(TransportError::Timeout);
            }
            if has(Fault::DeprovisionStatus500) {
                return reply(500, json!({"message": "boom"}));
            }
            let duplicates = state.duplicates.remove(key);
            match state.resources.remove(key).or(duplicates.map(|_| String::new())) {
                Some(_) => Ok(Response { status: 204, headers: Vec::new(), body: Vec::new() }),
                None if has(Fault::AddressesById) => reply(404, json!({"message": "not found"})),
                None if has(Fault::RepeatedDeleteFails) => reply(500, json!({"message": "RecordNotFound"})),
                None => reply(410, json!({"message": "gone"})),
            }
        }
        (kensa_checks::Method::Put, path) => {
            let key = path.trim_start_matches("/heroku/resources/");
            if has(Fault::PlanChange503) {
                return reply(503, json!({"message": "migrate by hand: https://example.com/docs"}));
            }
            let plan = body["plan"].as_str().unwrap_or_default().to_string();
            if has(Fault::RepeatedPlanChangeFails) && state.plans.get(key) == Some(&plan) {
                return reply(422, json!({"message": format!("already on plan {plan}")}));
            }
            match state.resources.get(key) {
                Some(_) => {
                    state.plans.insert(key.to_string(), plan);
                    reply(200, json!({"message": format!("now on {}", body["plan"])}))
                }
                None => reply(404, json!({"message": "no such resource"})),
            }
        }
        _ => reply(404, json!({})),
    }
}

/// Runs `suite` against the scripted provider with `faults` switched on.
pub(crate) fn run_suite(faults: &[Fault], suite: Suite) -> (Report, Provider) {
    run_suite_with_sink(faults, suite, &mut NoEvents)
}

/// [`run_suite`], with the engine's events going to `sink`.
pub(crate) fn run_suite_with_sink(faults: &[Fault], suite: Suite, sink: &mut dyn EventSink) -> (Report, Provider) {
    run_validated(faults, &kensa_manifest::validate(&manifest(faults)), vec![suite], sink)
}

/// The suites run on `validation` (as a host hands it over) against the scripted provider.
pub(crate) fn run_validated(
    faults: &[Fault],
    validation: &Validation,
    suites: Vec<Suite>,
    sink: &mut dyn EventSink,
) -> (Report, Provider) {
    let provider = Provider::default();
    let clock = ManualClock::at(1_790_000_000_000);
    let script_state = provider.clone();
    let script_clock = clock.clone();
    let faults_owned = faults.to_vec();
    let transport = Arriving {
        answering: ScriptedTransport::new(move |request: &Request| {
            let mut state = script_state.0.borrow_mut();
            state.requests.push(request.clone());
            answer(&mut state, &faults_owned, &script_clock, request)
        }),
        provider: provider.clone(),
        racy: faults.contains(&Fault::OverlappingDuplicates) || faults.contains(&Fault::ConflictOnOverlap),
    };
    let mut ids = CountingIds::default();
    let effects = Effects { transport: &transport, clock: &clock, ids: &mut ids, sink, callbacks: None };
    let report = block_on(CheckRun::new(effects, Settings::default()).run_each(validation, suites));
    (report, provider)
}

/// The scripted provider as a network shows it. With [`Fault::OverlappingDuplicates`] a
/// provision is looked up when it arrives and answered one poll later, so requests sent
/// side by side all arrive before any is answered, and all miss a uuid none has stored yet.
struct Arriving<F> {
    answering: ScriptedTransport<F>,
    provider: Provider,
    racy: bool,
}

impl<F: FnMut(&Request) -> Result<Response, TransportError>> Transport for Arriving<F> {
    fn capabilities(&self) -> Capabilities {
        self.answering.capabilities
    }

    async fn send(&self, request: Request) -> Result<Response, TransportError> {
        if !(self.racy && request.method == Method::Post) {
            return self.answering.send(request).await;
        }
        let sent: Value =
            request.body.as_deref().and_then(|body| serde_json::from_slice(body).ok()).unwrap_or_default();
        let found = sent["uuid"].as_str().and_then(|uuid| self.provider.0.borrow().by_uuid.get(uuid).cloned());
        let mut waited = false;
        std::future::poll_fn(|context| {
            if std::mem::replace(&mut waited, true) {
                return std::task::Poll::Ready(());
            }
            context.waker().wake_by_ref();
            std::task::Poll::Pending
        })
        .await;
        self.provider.0.borrow_mut().found_on_arrival = Some(found);
        self.answering.send(request).await
    }
}
