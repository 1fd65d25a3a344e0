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
mod fault;
mod heroku;
mod routes;
mod server;
pub mod sso;
mod store;

use std::fmt;
use std::future::Future;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

pub use fault::{Fault, Faults, UnknownFault};
pub use store::Resource;

use routes::App;
use store::Store;

/// How the provider behaves. Build it with a struct literal over `..Default::default()`,
/// or with the `with_*` methods.
#[derive(Clone)]
pub struct ProviderOptions {
    /// Add-on id: the Basic-auth user. Default `myaddon`.
    pub id: String,
    /// Basic-auth password. Default `secret` (the password of kensa's own test server).
    pub password: String,
    /// SSO salt; `None` turns SSO off (its endpoints answer 404).
    pub sso_salt: Option<String>,
    /// Config vars returned at provision time. Names ending `_URL` get the resource URL.
    /// Default `["MYADDON_URL"]`.
    pub config_vars: Vec<String>,
    /// SQLite file; `None` keeps resources in memory.
    pub database: Option<PathBuf>,
    /// Deliberate contract violations; empty by default.
    pub faults: Faults,
    /// Answer CORS preflights and add `Access-Control-Allow-Origin: *`. Default true.
    pub cors: bool,
    /// Path of the provisioning API. Default `/heroku/resources`.
    pub base_path: String,
    /// Path of the POST SSO endpoint. Default `/sso/login`.
    pub sso_path: String,
    /// Origin used in config var URLs, e.g. `https://myaddon.example.com`. Default: the
    /// listening address (with `0.0.0.0` shown as `127.0.0.1`).
    pub public_url: Option<String>,
    /// How long the slow-provision fault waits. Default 30 s.
    pub slow_provision: Duration,
    /// Print one line per request (method, path, status) on stderr. Never prints
    /// credentials, bodies or query strings. Default false.
    pub log_requests: bool,
    /// Asynchronous provisioning: answer 202 and finish through Heroku's API (see the
    /// crate docs). Default false. Any `async-*` fault switches it on as well; see
    /// [`ProviderOptions::async_mode`].
    pub async_provisioning: bool,
    /// Base URL of Heroku's OAuth token endpoint; the code is exchanged at
    /// `<heroku_id_url>/oauth/token`. Default [`DEFAULT_HEROKU_ID_URL`]. Only `http://`
    /// URLs can be called.
    pub heroku_id_url: String,
    /// The add-on's OAuth client secret, sent only with the token exchange. Default
    /// [`DEFAULT_OAUTH_CLIENT_SECRET`], a dummy.
    pub oauth_client_secret: String,
    /// How long after the 202 the provider starts finishing a provision. Default 200 ms.
    pub async_delay: Duration,
}

/// Heroku's identity service, the default [`ProviderOptions::heroku_id_url`].
pub const DEFAULT_HEROKU_ID_URL: &str = "https://id.heroku.com";

/// The `PATH` the `config-exports-path` fault returns in the provision config: a folder
/// that does not exist, so a command looked up on it is not found.
pub const CONFIG_FAULT_PATH: &str = "/kensa-provider-fault/bin";

/// The default [`ProviderOptions::oauth_client_secret`]: a dummy, not a real secret.
pub const DEFAULT_OAUTH_CLIENT_SECRET: &str = "kensa-provider-dummy-client-secret";

impl Default for ProviderOptions {
    fn default() -> Self {
        ProviderOptions {
            id: "myaddon".into(),
            password: "secret".into(),
            sso_salt: None,
            config_vars: vec!["MYADDON_URL".into()],
            database: None,
            faults: Faults::NONE,
            cors: true,
            base_path: "/heroku/resources".into(),
            sso_path: "/sso/login".into(),
            public_url: None,
            slow_provision: Duration::from_secs(30),
            log_requests: false,
            async_provisioning: false,
            heroku_id_url: DEFAULT_HEROKU_ID_URL.into(),
            oauth_client_secret: DEFAULT_OAUTH_CLIENT_SECRET.into(),
            async_delay: Duration::from_millis(200),
        }
    }
}

/// Secrets are redacted.
impl fmt::Debug for ProviderOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProviderOptions")
            .field("id", &self.id)
            .field("password", &"<redacted>")
            .field("sso_salt", &self.sso_salt.as_ref().map(|_| "<redacted>"))
            .field("config_vars", &self.config_vars)
            .field("database", &self.database)
            .field("faults", &self.faults)
            .field("cors", &self.cors)
            .field("base_path", &self.base_path)
            .field("sso_path", &self.sso_path)
            .field("public_url", &self.public_url)
            .field("slow_provision", &self.slow_provision)
            .field("log_requests", &self.log_requests)
            .field("async_provisioning", &self.async_provisioning)
            .field("heroku_id_url", &self.heroku_id_url)
            .field("oauth_client_secret", &"<redacted>")
            .field("async_delay", &self.async_delay)
            .finish()
    }
}

impl ProviderOptions {
    /// Sets the add-on id (Basic user).
    #[must_use]
    pub fn with_id(mut self, id: impl Into<String>) -> Self {
        self.id = id.into();
        self
    }

    /// Sets the Basic password.
    #[must_use]
    pub fn with_password(mut self, password: impl Into<String>) -> Self {
        self.password = password.into();
        self
    }

    /// Turns SSO on with this salt.
    #[must_use]
    pub fn with_sso_salt(mut self, salt: impl Into<String>) -> Self {
        self.sso_salt = Some(salt.into());
        self
    }

    /// Replaces the config var names.
    #[must_use]
    pub fn with_config_vars<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.config_vars = names.into_iter().map(Into::into).collect();
        self
    }

    /// Keeps resources in this SQLite file.
    #[must_use]
    pub fn with_database(mut self, path: impl Into<PathBuf>) -> Self {
        self.database = Some(path.into());
        self
    }

    /// Switches one fault on.
    #[must_use]
    pub fn with_fault(mut self, fault: Fault) -> Self {
        self.faults.insert(fault);
        self
    }

    /// Replaces the set of faults.
    #[must_use]
    pub fn with_faults(mut self, faults: Faults) -> Self {
        self.faults = faults;
        self
    }

    /// Switches asynchronous provisioning on or off.
    #[must_use]
    pub fn with_async_provisioning(mut self, on: bool) -> Self {
        self.async_provisioning = on;
        self
    }

    /// Sets the base URL of the OAuth token endpoint (`<url>/oauth/token`).
    #[must_use]
    pub fn with_heroku_id_url(mut self, url: impl Into<String>) -> Self {
        self.heroku_id_url = url.into();
        self
    }

    /// Sets the OAuth client secret sent with the token exchange.
    #[must_use]
    pub fn with_oauth_client_secret(mut self, secret: impl Into<String>) -> Self {
        self.oauth_client_secret = secret.into();
        self
    }

    /// Sets how long after the 202 the provider starts finishing a provision.
    #[must_use]
    pub fn with_async_delay(mut self, delay: Duration) -> Self {
        self.async_delay = delay;
        self
    }

    /// Whether provisions are asynchronous: [`ProviderOptions::async_provisioning`], or
    /// any `async-*` fault.
    pub fn async_mode(&self) -> bool {
        self.async_provisioning || self.faults.any_async()
    }

    /// An `addon-manifest.json` (object form, API v3) whose `test` block points at `origin`,
    /// e.g. `http://127.0.0.1:4567`. It contains the password and salt.
    pub fn manifest(&self, origin: &str) -> Value {
        let origin = origin.trim_end_matches('/');
        let mut test = json!({ "base_url": format!("{origin}{}", self.base_path) });
        let mut production = json!({ "base_url": format!("https://{}.example.com{}", self.id, self.base_path) });
        if self.sso_salt.is_some() {
            test["sso_url"] = json!(format!("{origin}{}", self.sso_path));
            production["sso_url"] = json!(format!("https://{}.example.com{}", self.id, self.sso_path));
        }
        let mut api = json!({
            "config_vars": self.config_vars,
            "password": self.password,
            "regions": ["us"],
            "requires": [],
            "production": production,
            "test": test,
            "version": "3",
        });
        if let Some(salt) = &self.sso_salt {
            api["sso_salt"] = json!(salt);
        }
        json!({ "id": self.id, "name": self.id, "api": api })
    }

    /// Checks the paths so that building the router cannot panic.
    fn validate(&mut self) -> io::Result<()> {
        let invalid = |what: &str| io::Error::new(io::ErrorKind::InvalidInput, what.to_owned());
        for path in [&mut self.base_path, &mut self.sso_path] {
            while path.len() > 1 && path.ends_with('/') {
                path.pop();
            }
            let ok = path.starts_with('/')
                && path.len() > 1
                && !path.contains(['{', '}', '*', '?', '#'])
                && path != "/dashboard"
                && path != "/resources"
                && !path.starts_with("/resources/");
            if !ok {
                return Err(invalid(&format!(
                    "path {path:?} must start with '/', not be '/', '/dashboard' or under '/resources', \
                     and contain no '{{', '}}', '*', '?' or '#'"
                )));
            }
        }
        if self.base_path == self.sso_path {
            return Err(invalid("the base path and the SSO path must differ"));
        }
        if self.sso_path.starts_with(&format!("{}/", self.base_path)) {
            return Err(invalid("the SSO path must not be under the base path"));
        }
        let url = self.heroku_id_url.trim().trim_end_matches('/').to_owned();
        let scheme = url.split_once("://").map(|(scheme, _)| scheme.to_ascii_lowercase());
        if !matches!(scheme.as_deref(), Some("http" | "https")) || url.ends_with("://") {
            return Err(invalid(&format!("the Heroku id URL {url:?} must be an http:// or https:// URL")));
        }
        self.heroku_id_url = url;
        Ok(())
    }
}

/// `http://<addr>`, with an unspecified address shown as loopback.
fn origin_for(addr: SocketAddr) -> String {
    let mut addr = addr;
    if addr.ip().is_unspecified() {
        addr.set_ip(if addr.is_ipv4() { Ipv4Addr::LOCALHOST.into() } else { std::net::Ipv6Addr::LOCALHOST.into() });
    }
    format!("http://{addr}")
}

/// The value of an `Authorization` header for Basic credentials.
pub fn basic_auth_header(user: &str, password: &str) -> String {
    format!("Basic {}", auth::base64_encode(format!("{user}:{password}").as_bytes()))
}

struct Prepared {
    app: Arc<App>,
    store: Arc<Store>,
    addr: SocketAddr,
    origin: String,
    options: ProviderOptions,
}

fn prepare(mut options: ProviderOptions, addr: SocketAddr) -> io::Result<Prepared> {
    options.validate()?;
    let store = Arc::new(Store::open(options.database.as_deref())?);
    let app = Arc::new(App::new(options.clone(), Arc::clone(&store), addr));
    Ok(Prepared { origin: origin_for(addr), app, store, addr, options })
}

async fn run(listener: TcpListener, app: Arc<App>, shutdown: impl Future<Output = ()>) {
    let router = routes::router(Arc::clone(&app));
    server::run(listener, Arc::clone(&app), router, shutdown).await;
    app.stop_completions();
}

/// Serves on `listener` until the process ends. Fails only if the options are invalid or
/// the database cannot be opened.
pub async fn serve(listener: TcpListener, options: ProviderOptions) -> io::Result<()> {
    serve_with_shutdown(listener, options, std::future::pending()).await
}

/// Serves on `listener` until `shutdown` completes; in-flight requests are then cut off.
pub async fn serve_with_shutdown(
    listener: TcpListener,
    options: ProviderOptions,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()> {
    let prepared = prepare(options, listener.local_addr()?)?;
    run(listener, prepared.app, shutdown).await;
    Ok(())
}

/// Starts a provider on `127.0.0.1:<free port>` as a task on the current tokio runtime.
/// It stops when the handle is dropped or [`RunningProvider::shutdown`] is called.
pub async fn spawn(options: ProviderOptions) -> io::Result<RunningProvider> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
    let prepared = prepare(options, listener.local_addr()?)?;
    let (stop, stopped) = oneshot::channel::<()>();
    let app = Arc::clone(&prepared.app);
    tokio::spawn(run(listener, app, async {
        let _ = stopped.await;
    }));
    Ok(RunningProvider::new(prepared, stop, None))
}

/// Starts a provider on `127.0.0.1:<free port>` on a thread of its own (with its own
/// single-threaded runtime), for tests that are not async. Dropping the handle stops the
/// server and joins the thread.
pub fn spawn_thread(options: ProviderOptions) -> io::Result<RunningProvider> {
    let listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
    listener.set_nonblocking(true)?;
    let prepared = prepare(options, listener.local_addr()?)?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let (stop, stopped) = oneshot::channel::<()>();
    let app = Arc::clone(&prepared.app);
    let thread = std::thread::Builder::new().name("kensa-provider".into()).spawn(move || {
        runtime.block_on(async move {
            match TcpListener::from_std(listener) {
                Ok(listener) => {
                    run(listener, app, async {
                        let _ = stopped.await;
                    })
                    .await;
                }
                Err(e) => eprintln!("kensa-provider: cannot listen: {e}"),
            }
        });
    })?;
    Ok(RunningProvider::new(prepared, stop, Some(thread)))
}

/// A provider started by [`spawn`] or [`spawn_thread`].
pub struct RunningProvider {
    addr: SocketAddr,
    origin: String,
    options: ProviderOptions,
    store: Arc<Store>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl RunningProvider {
    fn new(prepared: Prepared, stop: oneshot::Sender<()>, thread: Option<std::thread::JoinHandle<()>>) -> Self {
        RunningProvider {
            addr: prepared.addr,
            origin: prepared.origin,
            options: prepared.options,
            store: prepared.store,
            stop: Some(stop),
            thread,
        }
    }

    /// The listening address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The listening port.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> &str {
        &self.origin
    }

    /// The provisioning API URL, `http://127.0.0.1:<port>/heroku/resources`.
    pub fn resources_url(&self) -> String {
        format!("{}{}", self.origin, self.options.base_path)
    }

    /// The POST SSO URL, `http://127.0.0.1:<port>/sso/login`.
    pub fn sso_url(&self) -> String {
        format!("{}{}", self.origin, self.options.sso_path)
    }

    /// The options the provider runs with (after path normalisation).
    pub fn options(&self) -> &ProviderOptions {
        &self.options
    }

    /// A manifest pointing at this provider; see [`ProviderOptions::manifest`].
    pub fn manifest(&self) -> Value {
        self.options.manifest(&self.origin)
    }

    /// How many resources are provisioned and not deprovisioned, read from the store.
    pub fn resource_count(&self) -> io::Result<usize> {
        self.store.live_count()
    }

    /// The live resources, oldest first.
    pub fn resources(&self) -> io::Result<Vec<Resource>> {
        self.store.live()
    }

    /// Stops the server (and joins its thread, for [`spawn_thread`]).
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for RunningProvider {
    fn drop(&mut self) {
        self.stop();
    }
}

impl fmt::Debug for RunningProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RunningProvider")
            .field("addr", &self.addr)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_debug_hides_secrets() {
        let options = ProviderOptions::default()
            .with_password("hunter2")
            .with_sso_salt("pepper")
            .with_oauth_client_secret("oauth-pepper");
        let text = format!("{options:?}");
        assert!(!text.contains("hunter2"));
        assert!(!text.contains("pepper"));
    }

    #[test]
    fn paths_are_validated_and_normalised() {
        let mut options = ProviderOptions { base_path: "/api/resources/".into(), ..ProviderOptions::default() };
        options.validate().unwrap();
        assert_eq!(options.base_path, "/api/resources");
        for bad in ["", "/", "x", "/dashboard", "/resources", "/a/{b}", "/sso/login"] {
            let mut options = ProviderOptions { base_path: bad.into(), ..ProviderOptions::default() };
            assert!(options.validate().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn heroku_id_url_is_validated_and_normalised() {
        let mut options = ProviderOptions::default().with_heroku_id_url("http://127.0.0.1:9/");
        options.validate().unwrap();
        assert_eq!(options.heroku_id_url, "http://127.0.0.1:9");
        let mut options = ProviderOptions::default();
        options.validate().unwrap();
        assert_eq!(options.heroku_id_url, DEFAULT_HEROKU_ID_URL);
        for bad in ["", "id.heroku.com", "ftp://x", "http://"] {
            let mut options = ProviderOptions::default().with_heroku_id_url(bad);
            assert!(options.validate().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn async_mode_follows_the_option_and_the_async_faults() {
        assert!(!ProviderOptions::default().async_mode());
        assert!(ProviderOptions::default().with_async_provisioning(true).async_mode());
        assert!(ProviderOptions::default().with_fault(Fault::AsyncNeverCallback).async_mode());
        assert!(!ProviderOptions::default().with_fault(Fault::ProvisionStatus202).async_mode());
    }

    #[test]
    fn origin_shows_loopback_for_unspecified() {
        assert_eq!(origin_for("0.0.0.0:80".parse().unwrap()), "http://127.0.0.1:80");
        assert_eq!(origin_for("[::]:80".parse().unwrap()), "http://[::1]:80");
    }

    #[test]
    fn manifest_points_at_the_origin() {
        let m = ProviderOptions::default().with_sso_salt("s").manifest("http://127.0.0.1:9/");
        assert_eq!(m["api"]["test"]["base_url"], "http://127.0.0.1:9/heroku/resources");
        assert_eq!(m["api"]["test"]["sso_url"], "http://127.0.0.1:9/sso/login");
        assert_eq!(m["api"]["sso_salt"], "s");
        assert_eq!(m["api"]["version"], "3");
    }

    #[test]
    fn basic_header() {
        assert_eq!(basic_auth_header("addon-slug", "super-secret"), "Basic YWRkb24tc2x1ZzpzdXBlci1zZWNyZXQ=");
    }
}
