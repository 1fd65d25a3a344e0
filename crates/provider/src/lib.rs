//! A reference Heroku add-on provider, for kensa's tests, `kensa demo` and the browser
//! playground.
//!
//! It speaks the provisioning API of v3 and v1 (protocol.md §2–§4), stores resources in
//! SQLite (in memory, or a file that survives restarts), and serves SSO in both flows.
//! With no faults it is correct; each [`Fault`] switch breaks one part of the contract on
//! purpose, so a checker can be shown to notice. `kensa-provider --list-faults` prints them.
//!
//! Endpoints (base path configurable, `/heroku/resources` by default):
//!
//! | Request | Answer |
//! | --- | --- |
//! | `POST /heroku/resources` | provision; Basic `id:password`; idempotent on `uuid`; 200 `{id, config, message[, log_drain_url]}`, or 202 `{id, message}` in async mode |
//! | `PUT /heroku/resources/:key` | plan change `{"plan"}`; 200 `{config, message}`; 404 unknown; 410 deprovisioned |
//! | `DELETE /heroku/resources/:key` | deprovision; 204 (v3) or 200 `{message}` (v1); 410 when repeated; 404 unknown |
//! | `GET /heroku/resources/:id?token&timestamp&…` | legacy SSO |
//! | `POST /sso/login` | form SSO: `token`, `resource_token` or `user_scoped_resource_token` |
//! | `GET /dashboard` | the page SSO redirects to, with `<div id="heroku-header">` |
//! | `GET /resources/:id` | what the `*_URL` config var points at |
//! | `GET /` | non-secret description of this provider |
//!
//! `:key` is the Heroku `uuid` (v3) or the provider id (v1); both are accepted. A v3 request is
//! one with `Accept: application/vnd.heroku-addons+json; version=3`, or a body with `uuid` and
//! no `heroku_id`. Deprovision answers 204 when the request or the resource is v3, else 200.
//! SSO accepts timestamps up to [`sso::MAX_AGE_SECS`] old and [`sso::MAX_FUTURE_SKEW_SECS`]
//! ahead, and answers 403 otherwise. CORS is on by default so a browser page on another origin
//! can call every endpoint.
//!
//! # Asynchronous provisioning
//!
//! With [`ProviderOptions::async_provisioning`] (`--async`), or any `async-*` fault, a
//! provision is stored as `provisioning` and answered **202** `{"id", "message":
//! "provisioning has started"}` with no config (protocol.md §5). After
//! [`ProviderOptions::async_delay`] a background task finishes it through Heroku's API:
//!
//! * v3 with an `oauth_grant`: `POST <heroku_id_url>/oauth/token` with the form
//!   `grant_type=authorization_code&code=<code>&client_secret=<oauth_client_secret>`, then
//!   `PATCH <callback_url>/config` with `{"config": [{"name", "value"}]}` and
//!   `POST <callback_url>/actions/provision` with `{}`, both carrying
//!   `Authorization: Bearer <access_token>`, `Accept: application/vnd.heroku+json; version=3`
//!   and `Content-Type: application/json`;
//! * v1, or v3 with `oauth_grant: null`: the legacy `PUT <callback_url>` with
//!   `{"id", "config"}` (and the add-on's Basic credentials, as the App Info API wanted).
//!
//! Once every call got a 2xx the resource is provisioned ([`Resource::provisioning`] turns
//! false). A failure is logged on stderr, without secrets, and leaves it `provisioning`.
//! A repeated provision of the same uuid answers 202 with the same id (also once provisioned,
//! as kensa's idempotency check expects under `--async`) and calls back no
//! second time. The client speaks plain HTTP/1.1 only: an `https` URL (such as the default
//! [`DEFAULT_HEROKU_ID_URL`]) fails with a log line saying so. Point `heroku_id_url` at
//! kensa's stand-in for Heroku (`kensa test provision --async --callback-port PORT` with
//! `kensa-provider --async --heroku-id-url http://127.0.0.1:PORT`), whose address kensa also
//! sends as `callback_url`.
//!
//! # Reading the code
//!
//! `routes` sends each request to a handler in `provisioning` or `sign_in`; those answer as
//! a correct provider does, and the fault switches are applied in `sabotage`, at their
//! edges. A few bend a check where it is made: the auth faults in `auth`, the SSO token
//! faults in `sso`, key-by-provider-id in `state`'s lookup, the async faults in `heroku`.
//! The state they share (`state`) depends on none of them; `heroku` finishes asynchronous
//! provisions as `background` tasks; `running` starts and stops the whole.
//!
//! ```no_run
//! # fn main() -> std::io::Result<()> {
//! use kensa_provider::{Fault, ProviderOptions};
//! let provider = kensa_provider::spawn_thread(ProviderOptions {
//!     sso_salt: Some("salt".into()),
//!     ..ProviderOptions::default().with_fault(Fault::NoAuth)
//! })?;
//! println!("{}", provider.resources_url());
//! assert_eq!(provider.resource_count()?, 0);
//! # Ok(())
//! # }
//! ```
#![allow(
    clippy::disallowed_methods,
    reason = "host crate: a real HTTP server needs the clock, the file system and the OS random source"
)]

mod auth;
mod background;
mod config_vars;
mod fault;
mod heroku;
mod options;
mod os;
mod provisioning;
mod request;
mod responses;
mod routes;
mod running;
mod sabotage;
mod server;
mod sessions;
mod sign_in;
pub mod sso;
mod state;
mod store;

pub use auth::basic_auth_header;
pub use fault::{Fault, Faults, UnknownFault};
pub use options::{
    DEFAULT_HEROKU_ID_URL, DEFAULT_OAUTH_CLIENT_SECRET, PLAYGROUND_PORT, PLAYGROUND_SSO_SALT, ProviderOptions,
};
pub use running::{RunningProvider, serve, serve_with_shutdown, spawn, spawn_thread};
pub use sabotage::CONFIG_FAULT_PATH;
pub use store::Resource;
