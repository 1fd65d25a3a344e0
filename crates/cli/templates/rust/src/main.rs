//! A Heroku add-on provider service: the provisioning API (provision, deprovision, plan
//! change) and single sign-on, on axum.
//!
//! Start it with `cargo run`; it reads `.env` in the current folder (variables already set
//! in the environment win). Check it with `kensa test all --with-sso`.
//!
//! Where things are:
//!
//! - `main.rs`: start-up and the table of routes.
//! - `config.rs`: the settings, from the environment and `.env`.
//! - `app.rs`: what every request shares, and the config vars a resource gets.
//! - `store.rs`: resources and sign-in sessions (in memory: put your database here).
//! - `provisioning.rs`: provision, plan change and deprovision.
//! - `sso.rs`: single sign-on and the dashboard it leads to.
//! - `auth.rs`, `ids.rs`, `http.rs`: Basic auth, random ids, responses and CORS.

mod app;
mod auth;
mod config;
mod http;
mod ids;
mod provisioning;
mod sso;
mod store;

use app::App;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::middleware;
use axum::response::Response;
use axum::routing::{get, post};
use config::Config;
use serde_json::json;
use std::sync::Arc;

fn main() {
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(problem) => {
            eprintln!("{problem}");
            std::process::exit(1);
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("cannot start the async runtime: {error}");
            std::process::exit(1);
        }
    };
    runtime.block_on(serve(config));
}

async fn serve(config: Config) {
    println!(
        "{} add-on listening on port {} (config vars {}, SSO {})",
        config.username,
        config.port,
        config.config_vars.join(", "),
        if config.sso_salt.is_some() {
            "on"
        } else {
            "off"
        }
    );
    let port = config.port;
    let app = Arc::new(App::new(config));
    let router = Router::new()
        .route("/", get(index))
        .route("/heroku/resources", post(provisioning::provision))
        .route(
            "/heroku/resources/{key}",
            get(sso::sso_get)
                .put(provisioning::plan_change)
                .delete(provisioning::deprovision),
        )
        .route("/sso/login", post(sso::sso_post))
        .route("/dashboard", get(sso::dashboard))
        .route("/resources/{id}", get(provisioning::resource_page))
        .fallback(not_found)
        .layer(middleware::from_fn(http::cors_and_log))
        .with_state(app);
    let listener = match tokio::net::TcpListener::bind(("0.0.0.0", port)).await {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("cannot listen on port {port}: {error}");
            std::process::exit(1);
        }
    };
    if let Err(error) = axum::serve(listener, router).await {
        eprintln!("server error: {error}");
        std::process::exit(1);
    }
}

async fn index(State(app): State<Arc<App>>) -> Response {
    http::json_response(
        StatusCode::OK,
        &json!({"addon": app.config.username, "status": "running"}),
    )
}

async fn not_found() -> Response {
    http::message(StatusCode::NOT_FOUND, "not found")
}
