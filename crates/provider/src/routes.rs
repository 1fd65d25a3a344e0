//! The provider's HTTP surface: provisioning API, SSO, dashboard and the resource page.

use std::collections::HashMap;
use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};

use axum::Extension;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::Response;
use axum::routing::{get, post};
use http_body::Frame;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use tokio::task::JoinSet;

use crate::auth::{authorized, parse_basic};
use crate::fault::{Fault, Faults};
use crate::heroku::{self, Finish, Job};
use crate::server::ConnKill;
use crate::sso::{self, Key, Params};
use crate::store::{Found, NewResource, Resource, Store};
use crate::{CONFIG_FAULT_PATH, ProviderOptions};

/// Name of the provider's own session cookie.
pub(crate) const SESSION_COOKIE: &str = "kensa-provider-session";

/// Size of the padding sent by the oversized-body fault.
const OVERSIZED_BYTES: usize = 50 * 1024 * 1024;

/// Sessions kept before the oldest half is forgotten; a test bench needs no more.
const MAX_SESSIONS: usize = 10_000;

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

struct Session {
    resource_id: String,
    email: String,
    app: String,
    created: u64,
}

pub(crate) struct App {
    pub(crate) options: ProviderOptions,
    pub(crate) store: Arc<Store>,
    /// Origin used in config vars, e.g. `http://127.0.0.1:4567`.
    pub(crate) public_url: String,
    addr: SocketAddr,
    sessions: Mutex<HashMap<String, Session>>,
    session_counter: AtomicU64,
    /// Asynchronous provisions being finished; aborted when the server stops.
    completions: Mutex<JoinSet<()>>,
}

impl App {
    pub(crate) fn new(options: ProviderOptions, store: Arc<Store>, addr: SocketAddr) -> App {
        let public_url = match &options.public_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => crate::origin_for(addr),
        };
        App {
            options,
            store,
            public_url,
            addr,
            sessions: Mutex::new(HashMap::new()),
            session_counter: AtomicU64::new(0),
            completions: Mutex::new(JoinSet::new()),
        }
    }

    fn authorized(&self, headers: &HeaderMap) -> bool {
        self.authorized_with(headers, self.options.faults)
    }

    /// Whether the request carries the right Basic credentials, with `faults` bending the check.
    fn authorized_with(&self, headers: &HeaderMap, faults: Faults) -> bool {
        let given = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(parse_basic);
        authorized(given.as_ref(), &self.options.id, &self.options.password, faults)
    }

    pub(crate) fn has(&self, fault: Fault) -> bool {
        self.options.faults.contains(fault)
    }

    /// Starts finishing an asynchronous provision in the background.
    fn spawn_completion(self: &Arc<Self>, job: Job) {
        let mut completions = self.completions.lock().unwrap_or_else(PoisonError::into_inner);
        // Forget the finished ones so the set does not grow.
        while completions.try_join_next().is_some() {}
        completions.spawn(heroku::complete(Arc::clone(self), job));
    }

    /// Aborts the asynchronous provisions still running (the server is stopping).
    pub(crate) fn stop_completions(&self) {
        self.completions.lock().unwrap_or_else(PoisonError::into_inner).abort_all();
    }

    /// The config sent with an asynchronous provision's callback: the provision config,
    /// plus an undeclared var under the async-undeclared-config-var fault.
    pub(crate) fn callback_config(&self, id: &str) -> Value {
        let mut config = self.config(id, true);
        if self.has(Fault::AsyncUndeclaredConfigVar) {
            let name = format!("{}_UNDECLARED", self.config_prefix());
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

    /// Config vars for a resource. `bent` applies the config faults (provision only).
    fn config(&self, id: &str, bent: bool) -> Value {
        let has = |fault| bent && self.has(fault);
        let vars = &self.options.config_vars;
        let mut map = Map::new();
        for (i, name) in vars.iter().enumerate() {
            if has(Fault::MissingDeclaredConfigVar) && i + 1 == vars.len() {
                continue;
            }
            let value = if has(Fault::NonStringConfigValue) && i == 0 {
                json!(5432)
            } else if name.ends_with("_URL") {
                if has(Fault::InvalidConfigUrl) {
                    json!(format!("/resources/{id}"))
                } else if has(Fault::LocalhostConfigUrl) {
                    json!(format!("http://localhost:{}/resources/{id}", self.addr.port()))
                } else {
                    json!(format!("{}/resources/{id}", self.public_url))
                }
            } else {
                // Stable per resource and var, so a repeated provision answers the same config.
                let digest = Sha256::digest(format!("{id}:{name}").as_bytes());
                json!(sso::hex(&digest[..16]))
            };
            map.insert(name.clone(), value);
        }
        if has(Fault::UndeclaredConfigVar) {
            map.insert(format!("{}_UNDECLARED", self.config_prefix()), json!("surprise"));
        }
        if has(Fault::ConfigExportsPath) {
            // What would take over `kensa run`'s command if kensa exported it.
            map.insert("PATH".to_owned(), json!(CONFIG_FAULT_PATH));
            map.insert("LD_PRELOAD".to_owned(), json!("/kensa-provider-fault/preload.so"));
            map.insert("BASH_ENV".to_owned(), json!("/kensa-provider-fault/bash_env"));
        }
        if has(Fault::ConfigNotObject) {
            // The shape of the Platform API's config PATCH: a plausible mistake.
            return Value::Array(map.into_iter().map(|(name, value)| json!({"name": name, "value": value})).collect());
        }
        Value::Object(map)
    }

    fn config_prefix(&self) -> String {
        self.options
            .config_vars
            .first()
            .and_then(|v| v.rsplit_once('_'))
            .map(|(prefix, _)| prefix.to_owned())
            .unwrap_or_else(|| self.options.id.to_ascii_uppercase().replace('-', "_"))
    }

    fn log_drain_url(&self) -> String {
        // Where a real provider's syslog drain would listen; nothing listens here.
        let host = self.public_url.split_once("://").map_or(self.public_url.as_str(), |(_, rest)| rest);
        let host = host.rsplit_once(':').map_or(host, |(h, _)| h);
        format!("syslog://{host}:6514")
    }

    fn new_session(&self, session: Session) -> io::Result<String> {
        let token = random_hex(16)?;
        let mut sessions = self.sessions.lock().unwrap_or_else(PoisonError::into_inner);
        if sessions.len() >= MAX_SESSIONS {
            let mut ages: Vec<u64> = sessions.values().map(|s| s.created).collect();
            ages.sort_unstable();
            let cutoff = ages[ages.len() / 2];
            sessions.retain(|_, s| s.created > cutoff);
        }
        sessions.insert(token.clone(), session);
        Ok(token)
    }

    fn next_session_number(&self) -> u64 {
        self.session_counter.fetch_add(1, Ordering::Relaxed)
    }
}

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

// ---------- responses ----------

fn json_response(status: StatusCode, body: &Value) -> Response {
    let mut response = Response::new(Body::from(body.to_string()));
    *response.status_mut() = status;
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json; charset=utf-8"));
    response
}

fn message(status: StatusCode, text: &str) -> Response {
    json_response(status, &json!({ "message": text }))
}

fn empty(status: StatusCode) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = status;
    response
}

fn unauthorized() -> Response {
    let mut response = message(StatusCode::UNAUTHORIZED, "invalid credentials");
    response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"kensa-provider\""));
    response
}

fn internal(error: &io::Error) -> Response {
    message(StatusCode::INTERNAL_SERVER_ERROR, &format!("internal error: {error}"))
}

fn html(status: StatusCode, body: String) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    response
}

fn html_message(status: StatusCode, title: &str, text: &str) -> Response {
    html(
        status,
        format!(
            "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>{t}</title></head>\
             <body><h1>{t}</h1><p>{m}</p></body></html>\n",
            t = escape(title),
            m = escape(text)
        ),
    )
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn is_v3_accept(headers: &HeaderMap) -> bool {
    headers.get_all(header::ACCEPT).iter().filter_map(|v| v.to_str().ok()).any(|v| {
        let v = v.to_ascii_lowercase();
        v.contains("application/vnd.heroku-addons+json") && v.contains("version=3")
    })
}

// ---------- ids, time ----------

/// Random lowercase letters (a–p, 4 bits each). Letters only, so an id can never
/// contain the digits of a `heroku_id` by chance.
pub(crate) fn random_id() -> io::Result<String> {
    let mut buf = [0u8; 10];
    getrandom::fill(&mut buf).map_err(|e| io::Error::other(format!("random source: {e}")))?;
    Ok(buf.iter().flat_map(|b| [b >> 4, b & 15]).map(|nibble| char::from(b'a' + nibble)).collect())
}

fn random_hex(bytes: usize) -> io::Result<String> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(|e| io::Error::other(format!("random source: {e}")))?;
    Ok(sso::hex(&buf))
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

// ---------- handlers ----------

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

/// Reads an optional string field; `Err` names the field when it has another type.
fn string_field<'a>(obj: &'a Map<String, Value>, key: &str) -> Result<Option<&'a str>, String> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(format!("{key} must be a string")),
    }
}

/// The string fields of a provision body that the provider uses.
struct ProvisionFields<'a> {
    plan: Option<&'a str>,
    uuid: Option<&'a str>,
    heroku_id: Option<&'a str>,
    region: Option<&'a str>,
    name: Option<&'a str>,
    log_drain_token: Option<&'a str>,
    log_input_url: Option<&'a str>,
}

impl<'a> ProvisionFields<'a> {
    fn read(obj: &'a Map<String, Value>) -> Result<Self, String> {
        Ok(ProvisionFields {
            plan: string_field(obj, "plan")?,
            uuid: string_field(obj, "uuid")?,
            heroku_id: string_field(obj, "heroku_id")?,
            region: string_field(obj, "region")?,
            name: string_field(obj, "name")?,
            log_drain_token: string_field(obj, "log_drain_token")?,
            log_input_url: string_field(obj, "log_input_url")?,
        })
    }
}

async fn provision(
    State(app): State<Arc<App>>,
    kill: Option<Extension<ConnKill>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !app.authorized(&headers) {
        return unauthorized();
    }
    let accept_v3 = is_v3_accept(&headers);
    if accept_v3 && app.has(Fault::RejectV3Accept) {
        return message(StatusCode::NOT_ACCEPTABLE, "only application/json is supported");
    }
    let Ok(Value::Object(obj)) = serde_json::from_slice::<Value>(&body) else {
        return message(StatusCode::BAD_REQUEST, "body must be a JSON object");
    };
    if app.has(Fault::RejectUnknownFields)
        && let Some(unknown) = obj.keys().find(|k| !KNOWN_FIELDS.contains(&k.as_str()))
    {
        return message(StatusCode::UNPROCESSABLE_ENTITY, &format!("unknown field {unknown}"));
    }
    let fields = match ProvisionFields::read(&obj) {
        Ok(fields) => fields,
        Err(text) => return message(StatusCode::UNPROCESSABLE_ENTITY, &text),
    };
    let ProvisionFields { plan, uuid, heroku_id, region, name, log_drain_token, log_input_url } = fields;
    let Some(plan) = plan.filter(|p| !p.is_empty()) else {
        return message(StatusCode::UNPROCESSABLE_ENTITY, "plan is required");
    };
    let uuid = uuid.filter(|u| !u.is_empty());
    let v3 = accept_v3 || (uuid.is_some() && heroku_id.is_none());
    if v3 && uuid.is_none() {
        return message(StatusCode::UNPROCESSABLE_ENTITY, "uuid is required");
    }
    // Read leniently: only async mode uses them, and a sync provision never rejected them.
    let callback_url = obj.get("callback_url").and_then(Value::as_str).map(str::to_owned);
    let grant_code = obj
        .get("oauth_grant")
        .and_then(|grant| grant.get("code"))
        .and_then(Value::as_str)
        .filter(|code| !code.is_empty())
        .map(str::to_owned);
    let async_mode = app.options.async_mode();
    let options = match obj.get("options") {
        None | Some(Value::Null) => Value::Object(Map::new()),
        Some(v @ Value::Object(_)) => v.clone(),
        Some(_) => {
            return message(StatusCode::UNPROCESSABLE_ENTITY, "options must be an object");
        }
    };

    // Faults that fail before anything is stored, so an abandoned request leaves nothing behind.
    if app.has(Fault::DropConnection)
        && let Some(Extension(kill)) = kill
    {
        return kill.drop_connection().await;
    }
    if app.has(Fault::SlowProvision) {
        tokio::time::sleep(app.options.slow_provision).await;
    }
    if app.has(Fault::ProvisionStatus422) {
        return message(StatusCode::UNPROCESSABLE_ENTITY, "this add-on cannot be provisioned right now");
    }

    let id = match random_id() {
        Ok(random) => match heroku_id {
            Some(hid) if app.has(Fault::IdContainsHerokuId) => {
                let local = hid.split('@').next().unwrap_or(hid);
                format!("{local}-{random}")
            }
            _ => random,
        },
        Err(e) => return internal(&e),
    };
    let options_json = options.to_string();
    let new = NewResource {
        id: &id,
        uuid,
        heroku_id,
        plan,
        region,
        name,
        api_version: if v3 { 3 } else { 1 },
        options_json: &options_json,
        log_drain_token,
        log_input_url,
        provisioning: async_mode,
        now: now(),
    };
    let stored = match app.store.newest_live() {
        Ok(Some(existing)) if app.has(Fault::SameIdForEveryUuid) => Ok((existing, false)),
        Ok(_) => app.store.insert(&new),
        Err(e) => Err(e),
    };
    let (resource, created) = match stored {
        Ok((existing, false)) if existing.live && app.has(Fault::NewIdForRepeatedUuid) => {
            match app.store.insert_duplicate(&new) {
                Ok(duplicate) => (duplicate, true),
                Err(e) => return internal(&e),
            }
        }
        Ok(pair) => pair,
        Err(e) => return internal(&e),
    };
    if !resource.live {
        // A late retry must not bring a deprovisioned resource back.
        return message(StatusCode::GONE, "this resource was deprovisioned");
    }
    // Only a new resource is finished: a repeat while provisioning must not call back twice.
    if async_mode && created && !app.has(Fault::AsyncNeverCallback) {
        let finish = match grant_code {
            Some(code) if v3 => Finish::Platform { code },
            _ => Finish::Legacy,
        };
        app.spawn_completion(Job {
            id: resource.id.clone(),
            callback_url,
            finish,
            basic: app.authorized_with(&headers, Faults::NONE),
        });
    }

    let mut answer = Map::new();
    if !app.has(Fault::ProvisionMissingId) {
        let id = if app.has(Fault::ProvisionEmptyId) { "" } else { resource.id.as_str() };
        answer.insert("id".into(), json!(id));
    }
    if !async_mode {
        answer.insert("config".into(), app.config(&resource.id, true));
    }
    if (log_drain_token.is_some() || resource.has_log_drain) && !app.has(Fault::MissingLogDrainUrl) {
        answer.insert("log_drain_url".into(), json!(app.log_drain_url()));
    }
    let text = if async_mode && created {
        "provisioning has started".to_owned()
    } else if async_mode && resource.provisioning {
        "provisioning has started and is not finished yet".to_owned()
    } else if created {
        format!("{} is ready on plan {}", app.options.id, resource.plan)
    } else {
        format!("{} was already provisioned on plan {}", app.options.id, resource.plan)
    };
    answer.insert("message".into(), json!(text));

    let status = if async_mode || app.has(Fault::ProvisionStatus202) {
        StatusCode::ACCEPTED
    } else if app.has(Fault::ProvisionStatus201) {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    if app.has(Fault::ProvisionNotJson) {
        let mut response = json_response(status, &Value::Null);
        *response.body_mut() = Body::from(format!("provisioned {}, thanks!", resource.id));
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

/// The normal answer with a 50 MB `message`: valid JSON if read to the end, but never held
/// in memory here (the padding is one static buffer, and hyper pulls chunks as the socket drains).
fn oversized(status: StatusCode, mut answer: Map<String, Value>) -> Response {
    answer.insert("message".into(), json!(""));
    let text = Value::Object(answer).to_string();
    // `message` was inserted last, so the text ends with `""}`.
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

fn lookup(app: &App, key: &str) -> io::Result<Found> {
    app.store.find(key, !app.has(Fault::KeyByProviderId))
}

async fn deprovision(State(app): State<Arc<App>>, Path(key): Path<String>, headers: HeaderMap) -> Response {
    if !app.authorized(&headers) {
        return unauthorized();
    }
    if app.has(Fault::DeprovisionStatus500) {
        return empty(StatusCode::INTERNAL_SERVER_ERROR);
    }
    if app.has(Fault::DeprovisionWithMessage500) {
        return message(StatusCode::INTERNAL_SERVER_ERROR, "deprovisioning failed, please try again later");
    }
    let success = |resource: &Resource| {
        // v3 answers 204 No Content; v1 answers 200 with a message.
        if is_v3_accept(&headers) || resource.api_version == 3 {
            empty(StatusCode::NO_CONTENT)
        } else {
            message(StatusCode::OK, "deprovisioned")
        }
    };
    match lookup(&app, &key) {
        Ok(Found::Live(resource)) => match app.store.deprovision(&resource, now()) {
            Ok(()) => success(&resource),
            Err(e) => internal(&e),
        },
        Ok(Found::Gone(resource)) if app.has(Fault::DeprovisionRepeatSuccess) => success(&resource),
        Ok(Found::Gone(_)) => message(StatusCode::GONE, "already deprovisioned"),
        Ok(Found::Missing) => message(StatusCode::NOT_FOUND, "no such resource"),
        Err(e) => internal(&e),
    }
}

async fn plan_change(
    State(app): State<Arc<App>>,
    Path(key): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !app.authorized(&headers) {
        return unauthorized();
    }
    if app.has(Fault::PlanchangeStatus500) {
        return empty(StatusCode::INTERNAL_SERVER_ERROR);
    }
    if app.has(Fault::Planchange503Message) {
        return message(
            StatusCode::SERVICE_UNAVAILABLE,
            "this plan change needs a manual step: see https://example.com/docs/plan-changes",
        );
    }
    let Ok(Value::Object(obj)) = serde_json::from_slice::<Value>(&body) else {
        return message(StatusCode::BAD_REQUEST, "body must be a JSON object");
    };
    let plan = match string_field(&obj, "plan") {
        Ok(Some(plan)) if !plan.is_empty() => plan,
        Ok(_) => return message(StatusCode::UNPROCESSABLE_ENTITY, "plan is required"),
        Err(text) => return message(StatusCode::UNPROCESSABLE_ENTITY, &text),
    };
    match lookup(&app, &key) {
        Ok(Found::Live(resource)) => match app.store.change_plan(&resource.id, plan) {
            Ok(()) => json_response(
                StatusCode::OK,
                &json!({
                    "config": app.config(&resource.id, false),
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

async fn sso_get(State(app): State<Arc<App>>, Path(key): Path<String>, uri: Uri) -> Response {
    let mut params = Params::parse(uri.query().unwrap_or("").as_bytes());
    // Legacy GET carries the provider id in the path.
    params.id = Some(key);
    sso_login(&app, params)
}

async fn sso_post(State(app): State<Arc<App>>, body: Bytes) -> Response {
    sso_login(&app, Params::parse(&body))
}

fn sso_login(app: &App, params: Params) -> Response {
    let Some(salt) = app.options.sso_salt.as_deref() else {
        return html_message(
            StatusCode::NOT_FOUND,
            "Single sign-on is off",
            "This provider was started without an SSO salt.",
        );
    };
    let key = match sso::verify(&params, salt, now(), app.options.faults) {
        Ok(key) => key,
        Err(reject) => return html_message(StatusCode::FORBIDDEN, "Forbidden", reject.message()),
    };
    let found = match &key {
        Key::Uuid(uuid) => lookup(app, uuid),
        Key::ProviderId(id) => app.store.find(id, false),
    };
    let resource = match found {
        Ok(Found::Live(resource)) => resource,
        Ok(Found::Gone(_)) => {
            return html_message(StatusCode::GONE, "Gone", "This resource was deprovisioned.");
        }
        Ok(Found::Missing) => {
            return html_message(StatusCode::NOT_FOUND, "Not found", &format!("No resource {}.", key.as_str()));
        }
        Err(e) => return internal(&e),
    };
    if app.has(Fault::SsoLoginFails) {
        return html_message(StatusCode::FORBIDDEN, "Forbidden", "token is invalid");
    }
    let session = Session {
        resource_id: resource.id,
        email: params.email.unwrap_or_default(),
        app: params.context_app.or(params.app).unwrap_or_default(),
        created: app.next_session_number(),
    };
    let token = match app.new_session(session) {
        Ok(token) => token,
        Err(e) => return internal(&e),
    };
    let mut response = empty(StatusCode::FOUND);
    let headers = response.headers_mut();
    headers.insert(header::LOCATION, HeaderValue::from_static("/dashboard"));
    let nav = if app.has(Fault::SsoNoCookie) {
        None
    } else if app.has(Fault::SsoBadCookie) {
        Some("wrong-value".to_owned())
    } else {
        params.nav_data.map(|n| cookie_value(&n))
    };
    if let Some(nav) = nav
        && let Ok(value) = HeaderValue::try_from(format!("heroku-nav-data={nav}; Path=/"))
    {
        headers.append(header::SET_COOKIE, value);
    }
    if let Ok(value) = HeaderValue::try_from(format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax")) {
        headers.append(header::SET_COOKIE, value);
    }
    response
}

/// nav-data is base64url, which is cookie-safe; anything else is percent-encoded so the
/// header stays valid.
fn cookie_value(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for b in raw.bytes() {
        let safe = matches!(b, 0x21 | 0x23..=0x2B | 0x2D..=0x3A | 0x3C..=0x5B | 0x5D..=0x7E) && b != b'%';
        if safe {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

async fn dashboard(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    let session = cookie(&headers, SESSION_COOKIE).and_then(|token| {
        let sessions = app.sessions.lock().unwrap_or_else(PoisonError::into_inner);
        sessions.get(token).map(|s| (s.resource_id.clone(), s.email.clone(), s.app.clone()))
    });
    let Some((resource_id, email, heroku_app)) = session else {
        return html_message(
            StatusCode::FORBIDDEN,
            "Not signed in",
            "Open this add-on from the Heroku dashboard to sign in.",
        );
    };
    let (plan, state) = match app.store.find(&resource_id, false) {
        Ok(Found::Live(r)) if r.provisioning => (r.plan, "provisioning"),
        Ok(Found::Live(r)) => (r.plan, "live"),
        Ok(Found::Gone(r)) => (r.plan, "deprovisioned"),
        Ok(Found::Missing) => (String::new(), "unknown"),
        Err(e) => return internal(&e),
    };
    let header_html = if app.has(Fault::SsoNoLayout) {
        String::new()
    } else {
        format!(
            "<div id=\"heroku-header\"><strong>Heroku</strong> &middot; {} &middot; \
             <a href=\"https://dashboard.heroku.com/\">back to Heroku</a></div>\n",
            escape(&heroku_app)
        )
    };
    let addon = escape(&app.options.id);
    html(
        StatusCode::OK,
        format!(
            "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>{addon} dashboard</title></head>\n\
             <body>\n{header_html}<main>\n<h1>{addon}</h1>\n<dl>\n\
             <dt>Resource</dt><dd id=\"resource-id\">{id}</dd>\n\
             <dt>Plan</dt><dd id=\"plan\">{plan}</dd>\n\
             <dt>State</dt><dd>{state}</dd>\n\
             <dt>Signed in as</dt><dd id=\"email\">{email}</dd>\n\
             <dt>App</dt><dd id=\"app\">{heroku_app}</dd>\n</dl>\n</main>\n</body></html>\n",
            id = escape(&resource_id),
            plan = escape(&plan),
            email = escape(&email),
            heroku_app = escape(&heroku_app),
        ),
    )
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_letters_only() {
        let a = random_id().unwrap();
        let b = random_id().unwrap();
        assert_eq!(a.len(), 20);
        assert!(a.bytes().all(|c| (b'a'..=b'p').contains(&c)));
        assert_ne!(a, b);
    }

    #[test]
    fn cookie_values_stay_valid() {
        assert_eq!(cookie_value("eyJh-_Zz09="), "eyJh-_Zz09=");
        assert_eq!(cookie_value("a b;c\"%"), "a%20b%3Bc%22%25");
    }

    #[test]
    fn reads_cookies() {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_static("a=1; kensa-provider-session=abc; b=2"));
        assert_eq!(cookie(&headers, SESSION_COOKIE), Some("abc"));
        assert_eq!(cookie(&headers, "c"), None);
    }

    #[test]
    fn escapes_html() {
        assert_eq!(escape("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
    }

    #[test]
    fn v3_accept_detection() {
        let mut headers = HeaderMap::new();
        assert!(!is_v3_accept(&headers));
        headers.insert(header::ACCEPT, HeaderValue::from_static("application/vnd.heroku-addons+json; version=3"));
        assert!(is_v3_accept(&headers));
    }
}
