//! The provisioning API: provision, plan change and deprovision, as a correct provider
//! answers them. Faults come in only through [`crate::sabotage`], at the edges.

use std::sync::Arc;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::config_vars;
use crate::fault::Faults;
use crate::heroku::{self, Completion, Finish};
use crate::os::{now, random_id};
use crate::request::{Provision, is_v3_accept, json_object, string_field};
use crate::responses::{empty, internal, json_response, message, unauthorized};
use crate::sabotage;
use crate::server::ConnKill;
use crate::state::App;
use crate::store::{Found, NewResource, Resource};

pub(crate) async fn provision(
    State(app): State<Arc<App>>,
    kill: Option<Extension<ConnKill>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !app.authorized(&headers) {
        return unauthorized();
    }
    if let Some(refusal) = sabotage::refuse_provision(&app, &headers, &body) {
        return refusal;
    }
    let obj = match json_object(&body) {
        Ok(obj) => obj,
        Err(refusal) => return refusal.into_response(),
    };
    let request = match Provision::read(&obj, is_v3_accept(&headers)) {
        Ok(request) => request,
        Err(refusal) => return refusal.into_response(),
    };
    if let Some(failure) = sabotage::interrupt_provision(&app, kill).await {
        return failure;
    }

    let async_mode = app.options.async_mode();
    let id = match random_id() {
        Ok(random) => sabotage::resource_id(&app, random, request.heroku_id),
        Err(e) => return internal(&e),
    };
    let options_json = request.options.to_string();
    let new = NewResource {
        id: &id,
        uuid: request.uuid,
        heroku_id: request.heroku_id,
        plan: request.plan,
        region: request.region,
        name: request.name,
        api_version: if request.v3 { 3 } else { 1 },
        options_json: &options_json,
        log_drain_token: request.log_drain_token,
        log_input_url: request.log_input_url,
        provisioning: async_mode,
        now: now(),
    };
    // A repeated uuid finds the resource it made before.
    let (resource, created) = match sabotage::store(&app, &new).await {
        Ok(stored) => stored,
        Err(e) => return internal(&e),
    };
    if !resource.live {
        // A late retry must not bring a deprovisioned resource back.
        return message(StatusCode::GONE, "this resource was deprovisioned");
    }
    // Only a new resource is finished: a repeat while provisioning must not call back twice.
    if async_mode && created && !sabotage::never_calls_back(&app) {
        let finish = match request.grant_code {
            Some(code) if request.v3 => Finish::Platform { code },
            _ => Finish::Legacy,
        };
        let completion = Completion {
            id: resource.id.clone(),
            callback_url: request.callback_url,
            finish,
            basic: app.authorized_with(&headers, Faults::NONE),
        };
        app.background.spawn(heroku::complete(Arc::clone(&app), completion));
    }

    let mut answer = Map::new();
    answer.insert("id".into(), json!(resource.id));
    if !async_mode {
        answer.insert("config".into(), Value::Object(config_vars::config(&app, &resource.id)));
    }
    if request.log_drain_token.is_some() || resource.has_log_drain {
        answer.insert("log_drain_url".into(), json!(log_drain_url(&app)));
    }
    // A repeat gets the answer the first request got: Heroku may retry while the first is
    // still running, and whichever answer arrives is the one it keeps.
    let text = if async_mode && (created || resource.provisioning) {
        "provisioning has started".to_owned()
    } else {
        format!("{} is ready on plan {}", app.options.id, resource.plan)
    };
    answer.insert("message".into(), json!(text));
    let status = if async_mode { StatusCode::ACCEPTED } else { StatusCode::OK };
    sabotage::provision_answer(&app, status, answer, &resource.id)
}

/// Where a real provider's syslog drain would listen; nothing listens here.
fn log_drain_url(app: &App) -> String {
    let host = app.public_url.split_once("://").map_or(app.public_url.as_str(), |(_, rest)| rest);
    let host = host.rsplit_once(':').map_or(host, |(h, _)| h);
    format!("syslog://{host}:6514")
}

pub(crate) async fn plan_change(
    State(app): State<Arc<App>>,
    Path(key): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !app.authorized(&headers) {
        return unauthorized();
    }
    if let Some(refusal) = sabotage::refuse_plan_change(&app) {
        return refusal;
    }
    let obj = match json_object(&body) {
        Ok(obj) => obj,
        Err(refusal) => return refusal.into_response(),
    };
    let plan = match string_field(&obj, "plan") {
        Ok(Some(plan)) if !plan.is_empty() => plan,
        Ok(_) => return message(StatusCode::UNPROCESSABLE_ENTITY, "plan is required"),
        Err(text) => return message(StatusCode::UNPROCESSABLE_ENTITY, &text),
    };
    match app.find(&key) {
        Ok(Found::Live(resource)) if let Some(refusal) = sabotage::refuse_repeat_plan_change(&app, &resource, plan) => {
            refusal
        }
        Ok(Found::Live(resource)) => match app.store.change_plan(&resource.id, plan) {
            Ok(()) => json_response(
                StatusCode::OK,
                &json!({
                    "config": config_vars::config(&app, &resource.id),
                    "message": format!("plan changed from {} to {plan}", resource.plan),
                }),
            ),
            Err(e) => internal(&e),
        },
        Ok(Found::Gone(_)) => message(StatusCode::GONE, "this resource was deprovisioned"),
        Ok(Found::Missing) => message(StatusCode::NOT_FOUND, "no such resource"),
        Err(e) => internal(&e),
    }
}

pub(crate) async fn deprovision(State(app): State<Arc<App>>, Path(key): Path<String>, headers: HeaderMap) -> Response {
    if !app.authorized(&headers) {
        return unauthorized();
    }
    if let Some(refusal) = sabotage::refuse_deprovision(&app) {
        return refusal;
    }
    let success = |resource: &Resource| {
        // v3 answers 204 No Content; v1 answers 200 with a message.
        if is_v3_accept(&headers) || resource.api_version == 3 {
            empty(StatusCode::NO_CONTENT)
        } else {
            message(StatusCode::OK, "deprovisioned")
        }
    };
    match app.find(&key) {
        Ok(Found::Live(resource)) => match app.store.deprovision(&resource, now()) {
            Ok(()) => success(&resource),
            Err(e) => internal(&e),
        },
        Ok(Found::Gone(resource)) => match sabotage::refuse_repeat_deprovision(&app) {
            Some(refusal) => refusal,
            None if sabotage::repeat_deprovision_succeeds(&app) => success(&resource),
            None => message(StatusCode::GONE, "already deprovisioned"),
        },
        Ok(Found::Missing) => message(StatusCode::NOT_FOUND, "no such resource"),
        Err(e) => internal(&e),
    }
}
