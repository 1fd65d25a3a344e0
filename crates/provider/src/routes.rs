//! The provider's HTTP surface: which request goes to which handler, and the small pages
//! that belong to no API.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::json;

use crate::fault::Fault;
use crate::provisioning::{deprovision, plan_change, provision};
use crate::responses::{internal, json_response, message};
use crate::sign_in::{dashboard, sso_get, sso_post};
use crate::state::App;
use crate::store::Found;

pub(crate) fn router(app: Arc<App>) -> Router {
    let base = app.options.base_path.clone();
    let sso_path = app.options.sso_path.clone();
    Router::new()
        .route("/", get(index))
        .route(&base, post(provision))
        .route(&format!("{base}/{{key}}"), get(sso_get).put(plan_change).delete(deprovision))
        .route(&sso_path, post(sso_post))
        .route("/dashboard", get(dashboard))
        .route("/resources/{id}", get(resource_page))
        .fallback(not_found)
        .with_state(app)
}

/// A non-secret description of this provider.
async fn index(State(app): State<Arc<App>>) -> Response {
    let o = &app.options;
    json_response(
        StatusCode::OK,
        &json!({
            "provider": "kensa-provider",
            "version": env!("CARGO_PKG_VERSION"),
            "addon_id": o.id,
            "base_url": format!("{}{}", app.public_url, o.base_path),
            "sso_url": o.sso_salt.as_ref().map(|_| format!("{}{}", app.public_url, o.sso_path)),
            "config_vars": o.config_vars,
            "async": o.async_mode(),
            "faults": o.faults.iter().map(Fault::name).collect::<Vec<_>>(),
        }),
    )
}

async fn not_found() -> Response {
    message(StatusCode::NOT_FOUND, "not found")
}

/// What a config var URL points at: the "service" an app would use.
async fn resource_page(State(app): State<Arc<App>>, Path(id): Path<String>) -> Response {
    match app.store.find(&id, false) {
        Ok(Found::Live(r)) => json_response(
            StatusCode::OK,
            &json!({
                "id": r.id,
                "plan": r.plan,
                "state": if r.provisioning { "provisioning" } else { "live" },
            }),
        ),
        Ok(Found::Gone(_)) => message(StatusCode::GONE, "this resource was deprovisioned"),
        Ok(Found::Missing) => message(StatusCode::NOT_FOUND, "no such resource"),
        Err(e) => internal(&e),
    }
}
