//! The provisioning API: provision, plan change and deprovision, and the page a resource's
//! config var URL points at.

use crate::app::App;
use crate::http::{empty, json_response, message, unauthorized};
use crate::ids::new_id;
use crate::store::Resource;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Map, Value, json};
use std::sync::Arc;

pub async fn provision(State(app): State<Arc<App>>, headers: HeaderMap, body: Bytes) -> Response {
    if !app.authorized(&headers) {
        return unauthorized(&app);
    }
    let (params, plan) = match plan_request(&body) {
        Ok(request) => request,
        Err((status, refusal)) => return message(status, refusal),
    };
    let uuid = params
        .get("uuid")
        .and_then(Value::as_str)
        .filter(|uuid| !uuid.is_empty());
    // Heroku delivers at least once: the same uuid again is the same resource. The store
    // stays locked from this lookup to the insert, so overlapping repeats make one.
    let mut store = app.store();
    let existing = uuid.and_then(|uuid| store.by_uuid.get(uuid).cloned());
    let (id, plan, verb) = match existing.and_then(|id| store.resources.get(&id)) {
        Some(resource) if !resource.live => {
            return message(StatusCode::GONE, "this resource was deprovisioned");
        }
        Some(resource) => (
            resource.id.clone(),
            resource.plan.clone(),
            "already provisioned",
        ),
        None => {
            let id = new_id();
            store.resources.insert(
                id.clone(),
                Resource {
                    id: id.clone(),
                    plan: plan.clone(),
                    live: true,
                },
            );
            if let Some(uuid) = uuid {
                store.by_uuid.insert(uuid.to_string(), id.clone());
            }
            (id, plan, "provisioned")
        }
    };
    drop(store);
    let config = app.config_for(&id);
    json_response(
        StatusCode::OK,
        &json!({"id": id, "config": config, "message": format!("{verb} on plan {plan}")}),
    )
}

pub async fn deprovision(
    State(app): State<Arc<App>>,
    Path(key): Path<String>,
    headers: HeaderMap,
) -> Response {
    if !app.authorized(&headers) {
        return unauthorized(&app);
    }
    let mut store = app.store();
    match store.find(&key) {
        None => message(StatusCode::NOT_FOUND, "no such resource"),
        Some(resource) if !resource.live => message(StatusCode::GONE, "already deprovisioned"),
        Some(resource) => {
            resource.live = false;
            empty(StatusCode::NO_CONTENT)
        }
    }
}

pub async fn plan_change(
    State(app): State<Arc<App>>,
    Path(key): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !app.authorized(&headers) {
        return unauthorized(&app);
    }
    let (_, plan) = match plan_request(&body) {
        Ok(request) => request,
        Err((status, refusal)) => return message(status, refusal),
    };
    let mut store = app.store();
    let (id, previous) = match store.find(&key) {
        None => return message(StatusCode::NOT_FOUND, "no such resource"),
        Some(resource) if !resource.live => {
            return message(StatusCode::GONE, "this resource was deprovisioned");
        }
        Some(resource) => (
            resource.id.clone(),
            std::mem::replace(&mut resource.plan, plan.clone()),
        ),
    };
    drop(store);
    let config = app.config_for(&id);
    json_response(
        StatusCode::OK,
        &json!({"config": config, "message": format!("plan changed from {previous} to {plan}")}),
    )
}

/// What a config var URL points at: the service an app would use.
pub async fn resource_page(State(app): State<Arc<App>>, Path(id): Path<String>) -> Response {
    match app.store().resources.get(&id) {
        None => message(StatusCode::NOT_FOUND, "no such resource"),
        Some(resource) if !resource.live => {
            message(StatusCode::GONE, "this resource was deprovisioned")
        }
        Some(resource) => json_response(
            StatusCode::OK,
            &json!({"id": resource.id, "plan": resource.plan}),
        ),
    }
}

/// A status and the message that explains it.
type Refusal = (StatusCode, &'static str);

/// The JSON object body of a provision or plan change, and its non-empty `plan`.
fn plan_request(body: &[u8]) -> Result<(Map<String, Value>, String), Refusal> {
    let Some(params) = json_object(body) else {
        return Err((StatusCode::BAD_REQUEST, "the body must be a JSON object"));
    };
    match params.get("plan").and_then(Value::as_str) {
        Some(plan) if !plan.is_empty() => {
            let plan = plan.to_string();
            Ok((params, plan))
        }
        _ => Err((StatusCode::UNPROCESSABLE_ENTITY, "plan is required")),
    }
}

fn json_object(body: &[u8]) -> Option<Map<String, Value>> {
    match serde_json::from_slice(body) {
        Ok(Value::Object(object)) => Some(object),
        _ => None,
    }
}
