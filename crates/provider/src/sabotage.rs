//! The fault switches at work. Each function takes what the correct provider does and
//! breaks it the way the switched-on faults ask; with no fault on, it changes nothing.
//! Handlers stay correct and call in here at their edges: before they act, when they
//! store, and on their answer.

use std::convert::Infallible;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Extension;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use http_body::Frame;
use serde_json::{Map, Value, json};

use crate::config_vars;
use crate::fault::Fault;
use crate::request::is_v3_accept;
use crate::responses::{empty, html_message, json_response, message};
use crate::server::ConnKill;
use crate::state::App;
use crate::store::{Found, NewResource, Resource};

/// The `PATH` the `config-exports-path` fault returns in the provision config: a folder
/// that does not exist, so a command looked up on it is not found.
pub const CONFIG_FAULT_PATH: &str = "/kensa-provider-fault/bin";

/// Size of the padding sent by the oversized-body fault.
const OVERSIZED_BYTES: usize = 50 * 1024 * 1024;

/// Fields of v1 and v3 provision bodies (used only by the reject-unknown-fields fault).
const KNOWN_FIELDS: &[&str] = &[
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

// ---------- provision ----------

/// Refusals of an authorized provision before its body is read: reject-v3-accept,
/// reject-unknown-fields, null-oauth-grant-crash and reject-region-eu.
pub(crate) fn refuse_provision(app: &App, headers: &HeaderMap, body: &[u8]) -> Option<Response> {
    if app.has(Fault::RejectV3Accept) && is_v3_accept(headers) {
        return Some(message(StatusCode::NOT_ACCEPTABLE, "only application/json is supported"));
    }
    let Ok(Value::Object(obj)) = serde_json::from_slice::<Value>(body) else {
        return None;
    };
    if app.has(Fault::RejectUnknownFields)
        && let Some(unknown) = obj.keys().find(|k| !KNOWN_FIELDS.contains(&k.as_str()))
    {
        return Some(message(StatusCode::UNPROCESSABLE_ENTITY, &format!("unknown field {unknown}")));
    }
    if app.has(Fault::NullOauthGrantCrash) && obj.get("oauth_grant") == Some(&Value::Null) {
        // What an uncaught `nil['code']` looks like from outside.
        return Some(message(StatusCode::INTERNAL_SERVER_ERROR, "undefined method '[]' for nil"));
    }
    if app.has(Fault::RejectRegionEu)
        && let Some(region) = obj.get("region").and_then(Value::as_str)
        && region.strip_prefix("amazon-web-services::").is_some_and(|aws| aws.starts_with("eu-"))
    {
        return Some(message(StatusCode::UNPROCESSABLE_ENTITY, &format!("region {region} is not supported")));
    }
    None
}

/// Failures of a valid provision before anything is stored, so an abandoned request leaves
/// nothing behind: drop-connection, slow-provision (a wait, then the answer) and
/// provision-status-422.
pub(crate) async fn interrupt_provision(app: &App, kill: Option<Extension<ConnKill>>) -> Option<Response> {
    if app.has(Fault::DropConnection)
        && let Some(Extension(kill)) = kill
    {
        return Some(kill.drop_connection().await);
    }
    if app.has(Fault::SlowProvision) {
        tokio::time::sleep(app.options.slow_provision).await;
    }
    if app.has(Fault::ProvisionStatus422) {
        return Some(message(StatusCode::UNPROCESSABLE_ENTITY, "this add-on cannot be provisioned right now"));
    }
    None
}

/// The id of a new resource: id-contains-heroku-id builds it from the v1 `heroku_id`.
pub(crate) fn resource_id(app: &App, random: String, heroku_id: Option<&str>) -> String {
    match heroku_id {
        Some(hid) if app.has(Fault::IdContainsHerokuId) => {
            let local = hid.split('@').next().unwrap_or(hid);
            format!("{local}-{random}")
        }
        _ => random,
    }
}

/// How long duplicate-overlapping-provisions waits between its lookup and its insert: the
/// time a real service spends creating the resource, in which a repeat can overlap.
const LOOKUP_TO_INSERT: Duration = Duration::from_millis(50);

/// Stores a provision as [`crate::store::Store::insert`] does (the resource, and whether it
/// is new), except that same-id-for-every-uuid hands back the newest live resource,
/// new-id-for-repeated-uuid makes a second resource for a repeated uuid, and
/// duplicate-overlapping-provisions makes one for a uuid another request is still creating.
pub(crate) async fn store(app: &App, new: &NewResource<'_>) -> io::Result<(Resource, bool)> {
    if app.has(Fault::DuplicateOverlappingProvisions)
        && let Some(uuid) = new.uuid
    {
        return lookup_then_insert(app, uuid, new).await;
    }
    let newest = if app.has(Fault::SameIdForEveryUuid) { app.store.newest_live()? } else { None };
    let (resource, created) = match newest {
        Some(existing) => (existing, false),
        None => app.store.insert(new)?,
    };
    if !created && resource.live && app.has(Fault::NewIdForRepeatedUuid) {
        return Ok((app.store.insert_duplicate(new)?, true));
    }
    Ok((resource, created))
}

/// duplicate-overlapping-provisions: the lookup and the insert are apart, and the insert
/// ignores the unique constraint, so a request that arrives while another with the same uuid
/// is between the two makes a second row. A repeat after both finished finds the first.
async fn lookup_then_insert(app: &App, uuid: &str, new: &NewResource<'_>) -> io::Result<(Resource, bool)> {
    match app.store.find(uuid, true)? {
        Found::Live(resource) | Found::Gone(resource) => return Ok((resource, false)),
        Found::Missing => {}
    }
    tokio::time::sleep(LOOKUP_TO_INSERT).await;
    match app.store.insert(new)? {
        (resource, true) => Ok((resource, true)),
        (_, false) => Ok((app.store.insert_duplicate(new)?, true)),
    }
}

/// async-never-callback: a new asynchronous provision is never finished.
pub(crate) fn never_calls_back(app: &App) -> bool {
    app.has(Fault::AsyncNeverCallback)
}

/// The answer to a provision of resource `id`, from the correct `status` and body: the
/// id, config, log-drain, status and body-shape faults.
pub(crate) fn provision_answer(app: &App, status: StatusCode, mut answer: Map<String, Value>, id: &str) -> Response {
    if app.has(Fault::ProvisionMissingId) {
        answer.shift_remove("id");
    } else if app.has(Fault::ProvisionEmptyId)
        && let Some(given) = answer.get_mut("id")
    {
        *given = json!("");
    }
    if let Some(Value::Object(config)) = answer.get_mut("config") {
        let correct = std::mem::take(config);
        answer["config"] = provision_config(app, id, correct);
    }
    if app.has(Fault::MissingLogDrainUrl) {
        answer.shift_remove("log_drain_url");
    }
    let status = match status {
        StatusCode::OK if app.has(Fault::ProvisionStatus202) => StatusCode::ACCEPTED,
        StatusCode::OK if app.has(Fault::ProvisionStatus201) => StatusCode::CREATED,
        status => status,
    };
    if app.has(Fault::ProvisionNotJson) {
        let mut response = json_response(status, &Value::Null);
        *response.body_mut() = Body::from(format!("provisioned {id}, thanks!"));
        return response;
    }
    if app.has(Fault::ProvisionNull) {
        return json_response(status, &Value::Null);
    }
    if app.has(Fault::OversizedBody) {
        return oversized(status, answer);
    }
    let body = Value::Object(answer);
    if app.has(Fault::ProvisionJsonArray) {
        return json_response(status, &Value::Array(vec![body]));
    }
    json_response(status, &body)
}

/// The provision config of resource `id`, from the correct one: the config faults.
/// (A plan change answers the correct config.)
pub(crate) fn provision_config(app: &App, id: &str, mut config: Map<String, Value>) -> Value {
    let declared = &app.options.config_vars;
    if app.has(Fault::MissingDeclaredConfigVar)
        && let Some((last, earlier)) = declared.split_last()
        && !earlier.contains(last)
    {
        config.shift_remove(last);
    }
    let url = if app.has(Fault::InvalidConfigUrl) {
        Some(format!("/resources/{id}"))
    } else if app.has(Fault::LocalhostConfigUrl) {
        Some(format!("http://localhost:{}/resources/{id}", app.addr.port()))
    } else {
        None
    };
    if let Some(url) = url {
        for (_, value) in config.iter_mut().filter(|(name, _)| name.ends_with("_URL")) {
            *value = json!(url);
        }
    }
    if app.has(Fault::NonStringConfigValue)
        && let Some(value) = declared.first().and_then(|first| config.get_mut(first))
    {
        *value = json!(5432);
    }
    if app.has(Fault::UndeclaredConfigVar) {
        config.insert(format!("{}_UNDECLARED", config_vars::prefix(&app.options)), json!("surprise"));
    }
    if app.has(Fault::ConfigExportsPath) {
        // What would take over `kensa run`'s command if kensa exported it.
        config.insert("PATH".to_owned(), json!(CONFIG_FAULT_PATH));
        config.insert("LD_PRELOAD".to_owned(), json!("/kensa-provider-fault/preload.so"));
        config.insert("BASH_ENV".to_owned(), json!("/kensa-provider-fault/bash_env"));
    }
    if app.has(Fault::ConfigNotObject) {
        // The shape of the Platform API's config PATCH: a plausible mistake.
        return Value::Array(config.into_iter().map(|(name, value)| json!({"name": name, "value": value})).collect());
    }
    Value::Object(config)
}

/// The config an asynchronous provision sends back: the provision config, plus an
/// undeclared var under async-undeclared-config-var.
pub(crate) fn callback_config(app: &App, id: &str) -> Value {
    let mut config = provision_config(app, id, config_vars::config(app, id));
    if app.has(Fault::AsyncUndeclaredConfigVar) {
        let name = format!("{}_UNDECLARED", config_vars::prefix(&app.options));
        match &mut config {
            Value::Object(map) => {
                map.insert(name, json!("surprise"));
            }
            Value::Array(pairs) => pairs.push(json!({"name": name, "value": "surprise"})),
            _ => {}
        }
    }
    config
}

/// The client secret the token exchange sends: none under async-no-client-secret.
pub(crate) fn client_secret(app: &App) -> Option<&str> {
    (!app.has(Fault::AsyncNoClientSecret)).then_some(app.options.oauth_client_secret.as_str())
}

/// The `Accept` header of Platform API calls (`correct`): none under async-no-accept.
pub(crate) fn platform_accept(app: &App, correct: &'static str) -> Option<&'static str> {
    (!app.has(Fault::AsyncNoAccept)).then_some(correct)
}

/// The normal answer with a 50 MB `message`: valid JSON if read to the end, but never held
/// in memory here (the padding is one static buffer, and hyper pulls chunks as the socket drains).
fn oversized(status: StatusCode, mut answer: Map<String, Value>) -> Response {
    answer.insert("message".into(), json!(""));
    let text = Value::Object(answer).to_string();
    // `message` is the last field, so the text ends with `""}`.
    let split = text.len().saturating_sub(2);
    let (head, tail) = text.split_at(split);
    let body = Padded {
        head: Some(Bytes::from(head.to_owned())),
        remaining: OVERSIZED_BYTES,
        tail: Some(Bytes::from(tail.to_owned())),
    };
    let mut response = json_response(status, &Value::Null);
    *response.body_mut() = Body::new(body);
    response
}

static PADDING: [u8; 64 * 1024] = [b'x'; 64 * 1024];

struct Padded {
    head: Option<Bytes>,
    remaining: usize,
    tail: Option<Bytes>,
}

impl http_body::Body for Padded {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let this = self.get_mut();
        if let Some(head) = this.head.take() {
            return Poll::Ready(Some(Ok(Frame::data(head))));
        }
        if this.remaining > 0 {
            let n = this.remaining.min(PADDING.len());
            this.remaining -= n;
            return Poll::Ready(Some(Ok(Frame::data(Bytes::from_static(&PADDING[..n])))));
        }
        Poll::Ready(this.tail.take().map(|tail| Ok(Frame::data(tail))))
    }
}

// ---------- plan change, deprovision, sign-in ----------

/// Refusals of every authorized plan change: planchange-status-500, planchange-503-message.
pub(crate) fn refuse_plan_change(app: &App) -> Option<Response> {
    if app.has(Fault::PlanchangeStatus500) {
        return Some(empty(StatusCode::INTERNAL_SERVER_ERROR));
    }
    if app.has(Fault::Planchange503Message) {
        return Some(message(
            StatusCode::SERVICE_UNAVAILABLE,
            "this plan change needs a manual step: see https://example.com/docs/plan-changes",
        ));
    }
    None
}

/// planchange-repeat-error: a change to the plan `resource` is already on is refused.
pub(crate) fn refuse_repeat_plan_change(app: &App, resource: &Resource, plan: &str) -> Option<Response> {
    (app.has(Fault::PlanchangeRepeatError) && resource.plan == plan)
        .then(|| message(StatusCode::UNPROCESSABLE_ENTITY, &format!("the resource is already on plan {plan}")))
}

/// Refusals of every authorized deprovision: deprovision-status-500,
/// deprovision-with-message-500.
pub(crate) fn refuse_deprovision(app: &App) -> Option<Response> {
    if app.has(Fault::DeprovisionStatus500) {
        return Some(empty(StatusCode::INTERNAL_SERVER_ERROR));
    }
    if app.has(Fault::DeprovisionWithMessage500) {
        return Some(message(StatusCode::INTERNAL_SERVER_ERROR, "deprovisioning failed, please try again later"));
    }
    None
}

/// sso-login-fails: a valid sign-in to a live resource is refused.
pub(crate) fn refuse_sign_in(app: &App) -> Option<Response> {
    app.has(Fault::SsoLoginFails).then(|| html_message(StatusCode::FORBIDDEN, "Forbidden", "token is invalid"))
}

/// The Heroku header of the dashboard, from the correct one: sso-no-layout leaves it out.
pub(crate) fn dashboard_header(app: &App, header: String) -> String {
    if app.has(Fault::SsoNoLayout) { String::new() } else { header }
}

/// deprovision-repeat-500: a repeated deprovision fails instead of answering 410.
pub(crate) fn refuse_repeat_deprovision(app: &App) -> Option<Response> {
    app.has(Fault::DeprovisionRepeat500).then(|| empty(StatusCode::INTERNAL_SERVER_ERROR))
}

/// deprovision-repeat-success: a repeated deprovision succeeds instead of answering 410.
pub(crate) fn repeat_deprovision_succeeds(app: &App) -> bool {
    app.has(Fault::DeprovisionRepeatSuccess)
}

/// The `heroku-nav-data` cookie value of a sign-in, from the one sent: sso-no-cookie sets
/// none, sso-bad-cookie another value.
pub(crate) fn nav_cookie(app: &App, sent: Option<String>) -> Option<String> {
    if app.has(Fault::SsoNoCookie) {
        None
    } else if app.has(Fault::SsoBadCookie) {
        Some("wrong-value".to_owned())
    } else {
        sent
    }
}
