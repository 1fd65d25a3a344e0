//! A correct v3 provider on the standard library alone, written the way many small services
//! are: HTTP/1.1 keep-alive, one thread per connection, the status line and headers in one
//! write and the body in another, Nagle's algorithm left on. The reference provider (axum,
//! `TCP_NODELAY`) hides what such servers do to a client, so speed and reliability are
//! measured against this one too (`scripts/bench`, binary `plain-provider`).
//!
//! Misbehaviours a real server shows, by [`PlainBehaviour`]: dropping a kept-alive
//! connection when the next request arrives on it (an idle timeout that fires just then),
//! never answering a DELETE, finding resources by its own id instead of Heroku's uuid, and
//! misreading provisions (refusing fields it does not know, crashing on a null grant,
//! refusing regions in Europe), and mishandling the repeats at-least-once delivery brings
//! (overlapping provisions, a second DELETE, a second plan change).

use kensa_checks::encoding::basic_auth;
use kensa_checks::sso::{NAV_DATA, resource_token, token, user_scoped_resource_token};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

mod asynchronous;

/// How the plain provider behaves beyond the contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlainBehaviour {
    /// Answers every call correctly and keeps connections alive.
    Correct,
    /// Answers one request per connection without saying `Connection: close`, then closes
    /// the connection as soon as a second request arrives on it, unanswered.
    DropsReusedConnections,
    /// Holds every DELETE open without answering until the client gives up.
    HangsOnDelete,
    /// Finds resources by its own id in the path, as services written for v1 do, and
    /// answers 404 to Heroku's uuid.
    KeysByOwnId,
    /// As [`PlainBehaviour::KeysByOwnId`], but a lookup that finds nothing is an uncaught
    /// error, a 500: the seed guide's `Database.find(params[:id])` raises on a miss.
    KeysByOwnIdCrashingOnMiss,
    /// Checks the provision body against the fields it knows and refuses (422) any other.
    RejectsUnknownFields,
    /// Reads `oauth_grant.code` without looking: a null grant is an uncaught error, a 500.
    CrashesOnNullGrant,
    /// Serves the United States only: a provision from an `eu-*` AWS region gets 422.
    RefusesEuRegions,
    /// Provisions asynchronously and correctly: 202, then the grant exchanged at the token
    /// endpoint, the config PATCHed and `actions/provision` posted (`plain/asynchronous.rs`).
    Asynchronous,
    /// As [`PlainBehaviour::Asynchronous`], but the token exchange carries no client_secret.
    AsyncWithoutClientSecret,
    /// As [`PlainBehaviour::Asynchronous`], but the Platform API calls carry no
    /// `Accept: application/vnd.heroku+json; version=3`.
    AsyncWithoutAccept,
    /// Looks a provision's uuid up, spends a while creating the resource, then stores it,
    /// with no lock across the two: a repeat that arrives in between makes a second
    /// resource for the same uuid.
    DuplicatesOverlappingProvisions,
    /// A DELETE of a resource it does not hold (already deleted, or unknown) is an uncaught
    /// error, a 500.
    FailsRepeatedDelete,
    /// A plan change to the plan the resource is already on answers 422.
    FailsRepeatedPlanChange,
}

impl PlainBehaviour {
    /// Whether a provision is answered 202 and finished through Heroku's API.
    pub fn is_async(self) -> bool {
        matches!(
            self,
            PlainBehaviour::Asynchronous
                | PlainBehaviour::AsyncWithoutClientSecret
                | PlainBehaviour::AsyncWithoutAccept
        )
    }
}

/// The fields [`PlainBehaviour::RejectsUnknownFields`] knows: the documented v3 ones.
const KNOWN_FIELDS: &[&str] =
    &["uuid", "name", "plan", "region", "callback_url", "options", "oauth_grant", "log_input_url", "log_drain_token"];

/// How long [`PlainBehaviour::DuplicatesOverlappingProvisions`] spends between its lookup
/// and its insert.
const CREATING: Duration = Duration::from_millis(50);

/// Credentials and behaviour.
#[derive(Clone, Debug)]
pub struct PlainOptions {
    pub id: String,
    pub password: String,
    pub sso_salt: String,
    pub behaviour: PlainBehaviour,
    /// 0 for any free port.
    pub port: u16,
    /// The manifest's `api.regions`.
    pub regions: Vec<String>,
    /// The add-on's OAuth client secret, sent with the token exchange in async mode.
    pub client_secret: String,
    /// The token endpoint in async mode; `None` for `<callback_url's origin>/oauth/token`,
    /// where kensa's stand-in answers.
    pub token_url: Option<String>,
}

impl Default for PlainOptions {
    fn default() -> PlainOptions {
        PlainOptions {
            id: "myaddon".to_string(),
            password: "plain-password".to_string(),
            sso_salt: "plain-sso-salt".to_string(),
            behaviour: PlainBehaviour::Correct,
            port: 0,
            regions: vec!["us".to_string()],
            client_secret: "plain-client-secret".to_string(),
            token_url: None,
        }
    }
}

/// What the DELETEs held open say about the client's deadlines.
#[derive(Debug, Default)]
struct Holds {
    /// Held DELETEs the client has given up on (closed its end).
    abandoned: usize,
    /// Abandoned count when the current wave of DELETEs began.
    abandoned_at_wave_start: usize,
    /// Waves of DELETEs: a DELETE that arrives after the client abandoned one sent before
    /// it starts a new wave, so the client waited out another deadline first.
    waves: usize,
}

struct Shared {
    options: PlainOptions,
    origin: String,
    authorization: String,
    stopping: AtomicBool,
    next_id: AtomicU64,
    /// Heroku's uuid to the provider's ids: one, unless overlapping provisions made more;
    /// the first is the one a repeat gets.
    resources: Mutex<HashMap<String, Vec<String>>>,
    /// Heroku's uuid to the plan the last plan change moved it to.
    plans: Mutex<HashMap<String, String>>,
    holds: Mutex<Holds>,
    connections: AtomicU64,
}

/// A running plain provider; stops when dropped.
pub struct PlainProvider {
    shared: Arc<Shared>,
    address: SocketAddr,
    acceptor: Option<JoinHandle<()>>,
}

impl PlainProvider {
    pub fn start(options: PlainOptions) -> std::io::Result<PlainProvider> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, options.port))?;
        let address = listener.local_addr()?;
        let shared = Arc::new(Shared {
            origin: format!("http://{address}"),
            authorization: basic_auth(&options.id, &options.password),
            options,
            stopping: AtomicBool::new(false),
            next_id: AtomicU64::new(1),
            resources: Mutex::new(HashMap::new()),
            plans: Mutex::new(HashMap::new()),
            holds: Mutex::new(Holds::default()),
            connections: AtomicU64::new(0),
        });
        let acceptor = {
            let shared = Arc::clone(&shared);
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if shared.stopping.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    shared.connections.fetch_add(1, Ordering::SeqCst);
                    let shared = Arc::clone(&shared);
                    std::thread::spawn(move || serve(&shared, stream));
                }
            })
        };
        Ok(PlainProvider { shared, address, acceptor: Some(acceptor) })
    }

    pub fn origin(&self) -> &str {
        &self.shared.origin
    }

    /// A v3 manifest for this provider, with form-POST SSO.
    pub fn manifest(&self) -> Value {
        let options = &self.shared.options;
        let origin = &self.shared.origin;
        json!({
            "id": options.id,
            "api": {
                "config_vars": [config_var(&options.id)],
                "password": options.password,
                "sso_salt": options.sso_salt,
                "regions": options.regions,
                "requires": [],
                "production": {
                    "base_url": "https://plain.example.com/heroku/resources",
                    "sso_url": "https://plain.example.com/sso/login"
                },
                "test": {"base_url": format!("{origin}/heroku/resources"), "sso_url": format!("{origin}/sso/login")},
                "version": "3"
            }
        })
    }

    /// How many times the client waited out a deadline on a DELETE this provider held:
    /// 0 when none was held, else the number of waves of held DELETEs.
    pub fn delete_deadline_waves(&self) -> usize {
        self.shared.holds.lock().unwrap_or_else(PoisonError::into_inner).waves
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> u64 {
        self.shared.connections.load(Ordering::SeqCst)
    }

    /// Live resources.
    pub fn resource_count(&self) -> usize {
        self.shared.resources.lock().unwrap_or_else(PoisonError::into_inner).values().map(Vec::len).sum()
    }
}

impl Drop for PlainProvider {
    fn drop(&mut self) {
        self.shared.stopping.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.address);
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
    }
}

fn config_var(id: &str) -> String {
    format!("{}_URL", id.to_ascii_uppercase().replace('-', "_"))
}

struct PlainRequest {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl PlainRequest {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)).map(|(_, value)| value.as_str())
    }
}

struct Answer {
    status: &'static str,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

impl Answer {
    fn json(status: &'static str, body: &Value) -> Answer {
        Answer {
            status,
            headers: vec![("Content-Type", "application/json".to_string())],
            body: body.to_string().into_bytes(),
        }
    }

    fn html(status: &'static str, body: String) -> Answer {
        Answer {
            status,
            headers: vec![("Content-Type", "text/html; charset=utf-8".to_string())],
            body: body.into_bytes(),
        }
    }
}

/// One connection: requests in turn until the client closes it or the provider stops.
fn serve(shared: &Shared, stream: TcpStream) {
    let _ = stream.set_read_timeout(Some(Duration::from_millis(200)));
    let Ok(reading) = stream.try_clone() else { return };
    let mut reader = BufReader::new(reading);
    let mut writer = stream;
    let mut answered = 0;
    loop {
        let Some(request) = read_request(shared, &mut reader) else { return };
        let behaviour = shared.options.behaviour;
        if behaviour == PlainBehaviour::DropsReusedConnections && answered > 0 {
            return;
        }
        if behaviour == PlainBehaviour::HangsOnDelete && request.method == "DELETE" {
            hold(shared, &mut reader);
            return;
        }
        let answer = route(shared, &request);
        // Two writes, as servers that format the head first and then copy the body do.
        let mut head = format!("HTTP/1.1 {}\r\nContent-Length: {}\r\n", answer.status, answer.body.len());
        for (name, value) in &answer.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        if writer.write_all(head.as_bytes()).is_err() || writer.write_all(&answer.body).is_err() {
            return;
        }
        answered += 1;
    }
}

/// Reads one request; `None` when the connection closed, the provider is stopping, or the
/// request is malformed or too large.
fn read_request(shared: &Shared, reader: &mut BufReader<TcpStream>) -> Option<PlainRequest> {
    const MAX_HEAD: usize = 64 * 1024;
    const MAX_BODY: usize = 1024 * 1024;
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        let mut line = Vec::new();
        match reader.by_ref().take((MAX_HEAD - head.len()) as u64).read_until(b'\n', &mut line) {
            Ok(0) => return None,
            Ok(_) => head.extend_from_slice(&line),
            Err(error) if matches!(error.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {
                if shared.stopping.load(Ordering::SeqCst) {
                    return None;
                }
                head.extend_from_slice(&line);
            }
            Err(_) => return None,
        }
        if head.len() >= MAX_HEAD {
            return None;
        }
    }
    let head = String::from_utf8_lossy(&head);
    let mut lines = head.split("\r\n");
    let mut words = lines.next()?.split(' ');
    let (method, target) = (words.next()?.to_string(), words.next()?.to_string());
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_string(), value.trim().to_string()))
        .collect();
    let length = headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.parse::<usize>().ok())
        .unwrap_or(0);
    if length > MAX_BODY {
        return None;
    }
    let _ = reader.get_ref().set_read_timeout(Some(Duration::from_secs(5)));
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    let _ = reader.get_ref().set_read_timeout(Some(Duration::from_millis(200)));
    Some(PlainRequest { method, target, headers, body })
}

/// Holds a DELETE unanswered until the client closes the connection (its deadline passed)
/// or the provider stops, counting waves of held DELETEs.
fn hold(shared: &Shared, reader: &mut BufReader<TcpStream>) {
    {
        let mut holds = shared.holds.lock().unwrap_or_else(PoisonError::into_inner);
        if holds.waves == 0 || holds.abandoned > holds.abandoned_at_wave_start {
            holds.waves += 1;
            holds.abandoned_at_wave_start = holds.abandoned;
        }
    }
    let mut buffer = [0u8; 512];
    loop {
        match reader.get_mut().read(&mut buffer) {
            Ok(0) => break,
            Ok(_) => {}
            Err(error) if matches!(error.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {
                if shared.stopping.load(Ordering::SeqCst) {
                    return;
                }
            }
            Err(_) => break,
        }
    }
    shared.holds.lock().unwrap_or_else(PoisonError::into_inner).abandoned += 1;
}

fn route(shared: &Shared, request: &PlainRequest) -> Answer {
    let path = request.target.split('?').next().unwrap_or_default();
    let resource = path.strip_prefix("/heroku/resources/").filter(|key| !key.is_empty() && !key.contains('/'));
    match (request.method.as_str(), path, resource) {
        ("POST", "/sso/login", _) => sign_in(shared, &form(&request.body)),
        ("GET", "/dashboard", _) => dashboard(request),
        (_, "/heroku/resources", None) | (_, _, Some(_))
            if request.header("Authorization") != Some(shared.authorization.as_str()) =>
        {
            Answer::json("401 Unauthorized", &json!({"message": "invalid credentials"}))
        }
        ("POST", "/heroku/resources", None) if shared.options.behaviour.is_async() => {
            asynchronous::provision(shared, &request.body)
        }
        ("POST", "/heroku/resources", None) => provision(shared, &request.body),
        ("PUT", _, Some(key)) => match uuid_of(shared, key) {
            Some(uuid) => change_plan(shared, &uuid, &request.body),
            None => no_such_resource(shared),
        },
        ("DELETE", _, Some(key)) => match uuid_of(shared, key) {
            Some(uuid) => {
                shared.resources.lock().unwrap_or_else(PoisonError::into_inner).remove(&uuid);
                Answer { status: "204 No Content", headers: Vec::new(), body: Vec::new() }
            }
            None if shared.options.behaviour == PlainBehaviour::FailsRepeatedDelete => {
                Answer::json("500 Internal Server Error", &json!({"message": "RecordNotFound"}))
            }
            None => no_such_resource(shared),
        },
        _ => Answer::json("404 Not Found", &json!({"message": "no such endpoint"})),
    }
}

/// The answer to a call for a resource that is not there.
fn no_such_resource(shared: &Shared) -> Answer {
    if shared.options.behaviour == PlainBehaviour::KeysByOwnIdCrashingOnMiss {
        Answer::json("500 Internal Server Error", &json!({"message": "RecordNotFound"}))
    } else {
        Answer::json("404 Not Found", &json!({"message": "no such resource"}))
    }
}

/// Heroku's uuid of the live resource a path's `key` names: the uuid itself, or for a
/// service keyed by its own id ([`PlainBehaviour::KeysByOwnId`]) the provider's id.
fn uuid_of(shared: &Shared, key: &str) -> Option<String> {
    let resources = shared.resources.lock().unwrap_or_else(PoisonError::into_inner);
    if matches!(shared.options.behaviour, PlainBehaviour::KeysByOwnId | PlainBehaviour::KeysByOwnIdCrashingOnMiss) {
        resources.iter().find(|(_, ids)| ids.iter().any(|id| id == key)).map(|(uuid, _)| uuid.clone())
    } else {
        resources.contains_key(key).then(|| key.to_string())
    }
}

/// Idempotent on Heroku's uuid: a repeat gets the resource the first call made.
fn provision(shared: &Shared, body: &[u8]) -> Answer {
    let body = serde_json::from_slice::<Value>(body).unwrap_or(Value::Null);
    if let Some(refusal) = misread(shared.options.behaviour, &body) {
        return refusal;
    }
    let Some(uuid) = body.get("uuid").and_then(Value::as_str).map(str::to_string).filter(|uuid| !uuid.is_empty())
    else {
        return Answer::json("422 Unprocessable Entity", &json!({"message": "uuid is required"}));
    };
    let new_id = || format!("plain-{}", shared.next_id.fetch_add(1, Ordering::SeqCst));
    let id = if shared.options.behaviour == PlainBehaviour::DuplicatesOverlappingProvisions {
        let known =
            shared.resources.lock().unwrap_or_else(PoisonError::into_inner).get(&uuid).map(|ids| ids[0].clone());
        match known {
            Some(id) => id,
            None => {
                std::thread::sleep(CREATING);
                let id = new_id();
                shared
                    .resources
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .entry(uuid)
                    .or_default()
                    .push(id.clone());
                id
            }
        }
    } else {
        // One lock across the lookup and the insert: overlapping repeats find one resource.
        let mut resources = shared.resources.lock().unwrap_or_else(PoisonError::into_inner);
        resources.entry(uuid).or_insert_with(|| vec![new_id()])[0].clone()
    };
    let url = format!("{}/resources/{id}", shared.origin);
    Answer::json(
        "200 OK",
        &json!({"id": id, "config": {config_var(&shared.options.id): url}, "message": "provisioned"}),
    )
}

/// What the behaviours that misread a provision body answer instead of provisioning.
fn misread(behaviour: PlainBehaviour, body: &Value) -> Option<Answer> {
    match behaviour {
        PlainBehaviour::RejectsUnknownFields => {
            let unknown = body.as_object()?.keys().find(|field| !KNOWN_FIELDS.contains(&field.as_str()))?;
            Some(Answer::json("422 Unprocessable Entity", &json!({"message": format!("unknown field {unknown}")})))
        }
        PlainBehaviour::CrashesOnNullGrant if body.get("oauth_grant") == Some(&Value::Null) => Some(Answer::json(
            "500 Internal Server Error",
            &json!({"message": "NoMethodError: undefined method '[]' for nil"}),
        )),
        PlainBehaviour::RefusesEuRegions => {
            let region = body.get("region")?.as_str()?;
            region.contains("::eu-").then(|| {
                Answer::json("422 Unprocessable Entity", &json!({"message": format!("{region} is not supported")}))
            })
        }
        _ => None,
    }
}

/// Moves the resource to the plan in `body`; a repeat of the last change is refused by
/// [`PlainBehaviour::FailsRepeatedPlanChange`].
fn change_plan(shared: &Shared, uuid: &str, body: &[u8]) -> Answer {
    let plan = serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|body| body.get("plan").and_then(Value::as_str).map(str::to_string))
        .unwrap_or_default();
    let mut plans = shared.plans.lock().unwrap_or_else(PoisonError::into_inner);
    if shared.options.behaviour == PlainBehaviour::FailsRepeatedPlanChange && plans.get(uuid) == Some(&plan) {
        return Answer::json("422 Unprocessable Entity", &json!({"message": format!("already on plan {plan}")}));
    }
    plans.insert(uuid.to_string(), plan);
    Answer::json("200 OK", &json!({"config": {}, "message": "plan changed"}))
}

/// The v3 form: a valid token over the id, or resource tokens over Heroku's uuid, within
/// five minutes either way.
fn sign_in(shared: &Shared, fields: &HashMap<String, String>) -> Answer {
    let salt = &shared.options.sso_salt;
    let field = |name: &str| fields.get(name).map(String::as_str).unwrap_or_default();
    let Ok(timestamp) = field("timestamp").parse::<i64>() else {
        return Answer::json("403 Forbidden", &json!({"message": "timestamp is missing"}));
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX));
    if (now - timestamp).abs() > 5 * 60 {
        return Answer::json("403 Forbidden", &json!({"message": "timestamp is out of range"}));
    }
    let uuid = field("resource_id");
    let signed = (!field("id").is_empty() && field("token") == token(field("id"), salt, timestamp))
        || (!uuid.is_empty() && field("resource_token") == resource_token(uuid, salt, timestamp))
        || (!uuid.is_empty()
            && field("user_scoped_resource_token")
                == user_scoped_resource_token(uuid, salt, timestamp, field("user_id"), field("email")));
    if !signed {
        return Answer::json("403 Forbidden", &json!({"message": "token is invalid"}));
    }
    Answer {
        status: "302 Found",
        headers: vec![
            ("Location", "/dashboard".to_string()),
            ("Set-Cookie", format!("heroku-nav-data={}; Path=/", field("nav-data"))),
            ("Set-Cookie", "plain-session=signed-in; Path=/; HttpOnly".to_string()),
        ],
        body: Vec::new(),
    }
}

fn dashboard(request: &PlainRequest) -> Answer {
    let signed_in = request.header("Cookie").is_some_and(|cookies| cookies.contains("plain-session=signed-in"));
    if !signed_in {
        return Answer::html("403 Forbidden", "<p>sign in through Heroku</p>".to_string());
    }
    let nav = if request.header("Cookie").is_some_and(|cookies| cookies.contains(NAV_DATA)) { "yes" } else { "no" };
    Answer::html("200 OK", format!("<div id=\"heroku-header\">Heroku</div><p>signed in (nav data: {nav})</p>"))
}

/// `application/x-www-form-urlencoded` fields.
fn form(body: &[u8]) -> HashMap<String, String> {
    kensa_testkit::form_fields(&String::from_utf8_lossy(body)).into_iter().collect()
}
