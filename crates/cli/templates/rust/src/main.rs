//! A Heroku add-on provider service: the provisioning API (provision, deprovision, plan
//! change) and single sign-on, on axum.
//!
//! Start it with `cargo run`; it reads `.env` in the current folder (variables already set
//! in the environment win). Check it with `kensa test all --with-sso`.

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::{Map, Value, json};
use sha1::Sha1;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

/// A sign-in is refused when its timestamp is older than 5 minutes...
const SSO_MAX_AGE_SECS: i64 = 5 * 60;
/// ...or more than a minute ahead of our clock.
const SSO_MAX_FUTURE_SECS: i64 = 60;

struct Config {
    /// Heroku signs every provisioning call with HTTP Basic auth: the add-on id and
    /// password from addon-manifest.json.
    username: String,
    password: String,
    /// The manifest's `api.sso_salt`; single sign-on is off without it.
    sso_salt: Option<String>,
    /// Where apps reach their resource; the config var URLs point here.
    public_url: String,
    /// The manifest's `api.config_vars`.
    config_vars: Vec<String>,
}

struct Resource {
    id: String,
    plan: String,
    live: bool,
}

struct Session {
    resource_id: String,
    email: String,
    app: String,
}

/// In memory: a real service keeps these in its database, with a unique index on uuid.
#[derive(Default)]
struct Store {
    /// By provider id.
    resources: HashMap<String, Resource>,
    /// Heroku's resource uuid to provider id.
    by_uuid: HashMap<String, String>,
    /// Session token to session.
    sessions: HashMap<String, Session>,
}

impl Store {
    /// A resource by the key Heroku uses: the uuid (v3) or the provider id (v1).
    fn find(&mut self, key: &str) -> Option<&mut Resource> {
        let id = self
            .by_uuid
            .get(key)
            .cloned()
            .unwrap_or_else(|| key.to_string());
        self.resources.get_mut(&id)
    }
}

struct App {
    config: Config,
    store: Mutex<Store>,
}

impl App {
    fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The config vars of a resource: `*_URL` vars point at it, others get a stable secret.
    fn config_for(&self, id: &str) -> Value {
        let mut config = Map::new();
        for name in &self.config.config_vars {
            let value = if name.ends_with("_URL") {
                format!("{}/resources/{id}", self.config.public_url)
            } else {
                hex(&Sha256::digest(format!(
                    "{id}:{name}:{}",
                    self.config.password
                )))[..32]
                    .to_string()
            };
            config.insert(name.clone(), Value::String(value));
        }
        Value::Object(config)
    }

    fn authorized(&self, headers: &HeaderMap) -> bool {
        let Some((user, password)) = headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.trim().strip_prefix("Basic "))
            .and_then(|encoded| base64_decode(encoded.trim()))
            .and_then(|decoded| String::from_utf8(decoded).ok())
            .and_then(|text| {
                text.split_once(':')
                    .map(|(user, password)| (user.to_string(), password.to_string()))
            })
        else {
            return false;
        };
        // Both halves are always compared, so timing does not tell which one was wrong.
        let user_ok = safe_equal(&user, &self.config.username);
        let password_ok = safe_equal(&password, &self.config.password);
        user_ok & password_ok
    }
}

// ---------- provisioning API ----------

async fn provision(State(app): State<Arc<App>>, headers: HeaderMap, body: Bytes) -> Response {
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
    let mut store = app.store();
    // Heroku delivers at least once: the same uuid again is the same resource.
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

async fn deprovision(
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

async fn plan_change(
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

// ---------- single sign-on ----------

/// Legacy single sign-on: the provider id in the path, the rest in the query.
async fn sso_get(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let mut params = parse_form(query.unwrap_or_default().as_bytes());
    params.insert("id".to_string(), id);
    sso_login(&app, &params)
}

async fn sso_post(State(app): State<Arc<App>>, body: Bytes) -> Response {
    sso_login(&app, &parse_form(&body))
}

fn sso_login(app: &App, params: &HashMap<String, String>) -> Response {
    let Some(salt) = app.config.sso_salt.as_deref() else {
        return html(
            StatusCode::NOT_FOUND,
            "Single sign-on is off",
            "<p>Set SSO_SALT to turn single sign-on on.</p>",
        );
    };
    let param = |name: &str| params.get(name).map(String::as_str).unwrap_or_default();
    let timestamp = param("timestamp");
    let Some(then) = timestamp
        .parse::<i64>()
        .ok()
        .filter(|_| timestamp.bytes().all(|b| b.is_ascii_digit()))
    else {
        return forbidden("the timestamp is missing or invalid");
    };
    let now = now_secs();
    if now - then > SSO_MAX_AGE_SECS {
        return forbidden("the timestamp is too old");
    }
    if then - now > SSO_MAX_FUTURE_SECS {
        return forbidden("the timestamp is in the future");
    }

    // Any one valid token will do; each is compared in constant time.
    let (id, uuid) = (param("id"), param("resource_id"));
    let legacy = !id.is_empty()
        && safe_equal(
            param("token"),
            &hex(&Sha1::digest(format!("{id}:{salt}:{timestamp}"))),
        );
    let resource_token = hex(&Sha1::digest(format!("{uuid}:{salt}:{timestamp}")));
    let user_token = hex(&Sha256::digest(format!(
        "{uuid}:{salt}:{timestamp}:{}:{}",
        param("user_id"),
        param("email")
    )));
    let v3 = !uuid.is_empty()
        && (safe_equal(param("resource_token"), &resource_token)
            | safe_equal(param("user_scoped_resource_token"), &user_token));
    let key = match (legacy, v3) {
        (true, _) => id,
        (false, true) => uuid,
        (false, false) => return forbidden("the token is invalid"),
    };
    let mut store = app.store();
    let resource_id = match store.find(key) {
        None => {
            return html(
                StatusCode::NOT_FOUND,
                "Not found",
                &format!("<p>No resource {}.</p>", escape(key)),
            );
        }
        Some(resource) if !resource.live => {
            return html(
                StatusCode::GONE,
                "Gone",
                "<p>This resource was deprovisioned.</p>",
            );
        }
        Some(resource) => resource.id.clone(),
    };
    let session = random_hex();
    let app_name = if param("context_app").is_empty() {
        param("app")
    } else {
        param("context_app")
    };
    store.sessions.insert(
        session.clone(),
        Session {
            resource_id,
            email: param("email").to_string(),
            app: app_name.to_string(),
        },
    );
    drop(store);

    let mut response = empty(StatusCode::FOUND);
    let headers = response.headers_mut();
    headers.insert(header::LOCATION, HeaderValue::from_static("/dashboard"));
    let mut cookies = vec![format!("session={session}; Path=/; HttpOnly; SameSite=Lax")];
    if !param("nav-data").is_empty() {
        cookies.push(format!(
            "heroku-nav-data={}; Path=/",
            cookie_value(param("nav-data"))
        ));
    }
    for cookie in cookies {
        if let Ok(value) = HeaderValue::try_from(cookie) {
            headers.append(header::SET_COOKIE, value);
        }
    }
    response
}

async fn dashboard(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    let store = app.store();
    let session = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == "session")
        .and_then(|(_, token)| store.sessions.get(token));
    let Some(session) = session else {
        return html(
            StatusCode::FORBIDDEN,
            "Not signed in",
            "<p>Open this add-on from the Heroku dashboard to sign in.</p>",
        );
    };
    let plan = store
        .resources
        .get(&session.resource_id)
        .map(|resource| resource.plan.as_str())
        .unwrap_or_default();
    let addon = escape(&app.config.username);
    html(
        StatusCode::OK,
        &format!("{addon} dashboard"),
        &format!(
            "<div id=\"heroku-header\"><strong>Heroku</strong> &middot; {} &middot; \
             <a href=\"https://dashboard.heroku.com/\">back to Heroku</a></div>\n<main>\n<h1>{addon}</h1>\n\
             <dl>\n<dt>Resource</dt><dd>{}</dd>\n<dt>Plan</dt><dd>{}</dd>\n\
             <dt>Signed in as</dt><dd>{}</dd>\n</dl>\n</main>",
            escape(&session.app),
            escape(&session.resource_id),
            escape(plan),
            escape(&session.email),
        ),
    )
}

/// What a config var URL points at: the service an app would use.
async fn resource_page(State(app): State<Arc<App>>, Path(id): Path<String>) -> Response {
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

async fn index(State(app): State<Arc<App>>) -> Response {
    json_response(
        StatusCode::OK,
        &json!({"addon": app.config.username, "status": "running"}),
    )
}

async fn not_found() -> Response {
    message(StatusCode::NOT_FOUND, "not found")
}

/// Any page may call us: the kensa playground runs in a browser on another origin.
/// Also logs each request (the path only: query strings carry SSO tokens).
async fn cors_and_log(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let mut response = if method == Method::OPTIONS {
        let requested = request
            .headers()
            .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
            .cloned();
        let mut response = empty(StatusCode::NO_CONTENT);
        let headers = response.headers_mut();
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, POST, PUT, DELETE, OPTIONS"),
        );
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            requested.unwrap_or(HeaderValue::from_static(
                "Authorization, Content-Type, Accept",
            )),
        );
        headers.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("600"),
        );
        response
    } else {
        next.run(request).await
    };
    let headers = response.headers_mut();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    headers.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static("Location, WWW-Authenticate, Content-Type, Content-Length"),
    );
    println!("{method} {path} -> {}", response.status().as_u16());
    response
}

// ---------- helpers ----------

fn json_response(status: StatusCode, value: &Value) -> Response {
    let mut response = Response::new(Body::from(value.to_string()));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
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

fn unauthorized(app: &App) -> Response {
    let mut response = message(StatusCode::UNAUTHORIZED, "invalid credentials");
    if let Ok(value) = HeaderValue::try_from(format!("Basic realm=\"{}\"", app.config.username)) {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, value);
    }
    response
}

fn html(status: StatusCode, title: &str, body: &str) -> Response {
    let page = format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>{}</title></head>\n<body>\n{body}\n</body></html>\n",
        escape(title)
    );
    let mut response = Response::new(Body::from(page));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response
}

fn forbidden(reason: &str) -> Response {
    html(
        StatusCode::FORBIDDEN,
        "Forbidden",
        &format!("<h1>Forbidden</h1>\n<p>{}</p>", escape(reason)),
    )
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

fn parse_form(encoded: &[u8]) -> HashMap<String, String> {
    form_urlencoded::parse(encoded)
        .map(|(key, value)| (key.into_owned(), value.into_owned()))
        .collect()
}

/// Compares digests, so neither the content nor the length of a secret leaks through timing.
fn safe_equal(a: &str, b: &str) -> bool {
    let (da, db) = (Sha256::digest(a.as_bytes()), Sha256::digest(b.as_bytes()));
    da.iter()
        .zip(db.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn random_bytes() -> [u8; 16] {
    let mut bytes = [0u8; 16];
    if let Err(error) = getrandom::fill(&mut bytes) {
        panic!("the system random source failed: {error}");
    }
    bytes
}

fn random_hex() -> String {
    hex(&random_bytes())
}

/// Letters only, so an id never contains the app number of a v1 heroku_id.
fn new_id() -> String {
    random_bytes()[..10]
        .iter()
        .map(|byte| char::from(b'a' + byte % 26))
        .collect()
}

fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX)
        })
}

fn escape(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '&' => "&amp;".to_string(),
            '<' => "&lt;".to_string(),
            '>' => "&gt;".to_string(),
            '"' => "&quot;".to_string(),
            '\'' => "&#39;".to_string(),
            c => c.to_string(),
        })
        .collect()
}

/// nav-data is base64url, which is cookie-safe; anything else is percent-encoded.
fn cookie_value(raw: &str) -> String {
    raw.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'=' | b'.' => {
                char::from(byte).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// Standard base64, padding optional.
fn base64_decode(input: &str) -> Option<Vec<u8>> {
    let mut bits = 0u32;
    let mut count = 0;
    let mut out = Vec::new();
    for byte in input.trim_end_matches('=').bytes() {
        let value = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        bits = (bits << 6) | u32::from(value);
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
        }
    }
    Some(out)
}

/// Reads `.env` in the current folder.
fn load_dotenv() -> HashMap<String, String> {
    let text = std::fs::read_to_string(".env").unwrap_or_default();
    let mut values = HashMap::new();
    for line in text
        .lines()
        .map(str::trim)
        .filter(|line| !line.starts_with('#'))
    {
        let line = line.strip_prefix("export ").unwrap_or(line);
        let Some((name, value)) = line.split_once('=') else {
            continue;
        };
        let value = value.trim();
        let unquoted = [('"', '"'), ('\'', '\'')].iter().find_map(|(open, close)| {
            value
                .strip_prefix(*open)
                .and_then(|rest| rest.strip_suffix(*close))
        });
        values.insert(
            name.trim().to_string(),
            unquoted.unwrap_or(value).to_string(),
        );
    }
    values
}

fn main() {
    let dotenv = load_dotenv();
    // Variables already set in the environment win over .env.
    let env = |name: &str| {
        std::env::var(name)
            .ok()
            .or_else(|| dotenv.get(name).cloned())
            .filter(|value| !value.is_empty())
    };
    let (Some(username), Some(password)) = (env("HEROKU_USERNAME"), env("HEROKU_PASSWORD")) else {
        eprintln!("set HEROKU_USERNAME and HEROKU_PASSWORD (see .env and addon-manifest.json)");
        std::process::exit(1);
    };
    let port: u16 = env("PORT")
        .and_then(|port| port.parse().ok())
        .unwrap_or(5000);
    let public_url = env("PUBLIC_URL").unwrap_or_else(|| format!("http://localhost:{port}"));
    let config_vars = env("ADDON_CONFIG_VARS")
        .unwrap_or_else(|| format!("{}_URL", username.to_uppercase().replace('-', "_")))
        .split(',')
        .map(|name| name.trim().to_string())
        .filter(|name| !name.is_empty())
        .collect();
    let config = Config {
        username,
        password,
        sso_salt: env("SSO_SALT"),
        public_url: public_url.trim_end_matches('/').to_string(),
        config_vars,
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
    runtime.block_on(serve(config, port));
}

async fn serve(config: Config, port: u16) {
    println!(
        "{} add-on listening on port {port} (config vars {}, SSO {})",
        config.username,
        config.config_vars.join(", "),
        if config.sso_salt.is_some() {
            "on"
        } else {
            "off"
        }
    );
    let app = Arc::new(App {
        config,
        store: Mutex::new(Store::default()),
    });
    let router = Router::new()
        .route("/", get(index))
        .route("/heroku/resources", post(provision))
        .route(
            "/heroku/resources/{key}",
            get(sso_get).put(plan_change).delete(deprovision),
        )
        .route("/sso/login", post(sso_post))
        .route("/dashboard", get(dashboard))
        .route("/resources/{id}", get(resource_page))
        .fallback(not_found)
        .layer(middleware::from_fn(cors_and_log))
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
