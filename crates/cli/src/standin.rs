//! A local stand-in for Heroku, as strict as Heroku: the provider's token exchange, config
//! PATCH, `actions/provision` and legacy callbacks land here. The token endpoint exchanges
//! only the grant codes the engine sent, once each and before they expire, for a
//! `client_secret` (the user's, when given); the Platform API wants the versioned `Accept`
//! header and a Bearer token issued for the resource addressed. Every call is recorded with
//! the rules it broke, for the engine to judge, and refused the way Heroku refuses it.
//!
//! It answers only requests addressed to it (`Host` 127.0.0.1 or localhost at its port): a
//! web page on another name that resolves to 127.0.0.1 (DNS rebinding) could otherwise
//! read the tokens it issues or plant callbacks.

use crate::native::SystemClock;
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use kensa_checks::{CallbackCall, CallbackLog, CallbackReceiver, Clock, Method, PLATFORM_ACCEPT, Refusal, TOKEN_PATH};
use serde_json::{Value, json};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tokio::time::Instant;

/// The largest callback body the stand-in reads; a provider's config PATCH is a few KB.
const MAX_CALLBACK_BODY: usize = 1024 * 1024;

/// A provider that sends nothing for this long after a refusal has stopped: without a
/// token, or with its config refused, it has nothing left to do, so the wait ends early.
const QUIET_AFTER_REFUSAL: Duration = Duration::from_secs(1);

/// How long the access tokens the stand-in issues last, as Heroku's do (8 hours).
const TOKEN_LIFETIME_SECS: u64 = 8 * 60 * 60;

/// A provider-chosen value longer than this is cut where it is repeated back.
const MAX_ECHOED: usize = 60;

/// What Heroku's Platform API says to a call without its versioned media type.
const NOT_ACCEPTABLE: &str = "Please specify a version along with Heroku's API MIME type. For example, `Accept: application/vnd.heroku+json; version=3`.";

/// A grant code the engine sent with a provision.
#[derive(Debug)]
struct Grant {
    uuid: String,
    code: String,
    expires_at_ms: u64,
    exchanged: bool,
}

/// A token the stand-in issued, and the resource it works for.
#[derive(Debug)]
struct Issued {
    token: String,
    uuid: String,
}

/// An answer: the status and Heroku's JSON body.
#[derive(Debug, PartialEq)]
struct Answer {
    status: u16,
    body: Value,
}

impl Answer {
    fn ok(body: Value) -> Answer {
        Answer { status: 200, body }
    }

    /// Heroku's error shape, `{"id", "message"}`.
    fn error(status: u16, id: &str, message: &str) -> Answer {
        Answer { status, body: json!({ "id": id, "message": message }) }
    }
}

/// How a call was judged: the answer, the resource it concerned and the rules it broke.
#[derive(Debug)]
struct Judged {
    answer: Answer,
    resource: Option<String>,
    refusals: Vec<Refusal>,
}

/// What a token request would use up: the grant at this index, or the refresh token.
#[derive(Clone, Copy, Debug)]
enum Exchange {
    Grant(usize),
    Refresh(usize),
}

/// Heroku's rules and what the provider did: the grants sent, the tokens issued, the calls.
#[derive(Debug, Default)]
struct Heroku {
    /// The add-on's client secret as the user gave it; any non-empty one when `None`.
    client_secret: Option<String>,
    grants: Vec<Grant>,
    access_tokens: Vec<Issued>,
    refresh_tokens: Vec<Issued>,
    calls: Vec<CallbackCall>,
    /// When the last call arrived.
    last_call: Option<Instant>,
}

impl Heroku {
    /// `POST /oauth/token`: the form's grant exchanged (or its refresh token used) for a
    /// fresh access token, `access`; a new grant also gets the refresh token `refresh`.
    fn token(&mut self, form: &[(String, String)], now_ms: u64, access: String, refresh: String) -> Judged {
        let field = |name: &str| {
            form.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str()).filter(|value| !value.is_empty())
        };
        let mut refusals = Vec::new();
        let mut resource = None;
        let mut exchange = None;
        match field("grant_type") {
            Some("authorization_code") => match field("code") {
                None => refusals.push(Refusal::CodeMissing),
                Some(code) => match self.grants.iter().position(|grant| grant.code == code) {
                    None => refusals.push(Refusal::CodeNotIssued),
                    Some(index) => {
                        let grant = &self.grants[index];
                        resource = Some(grant.uuid.clone());
                        if grant.exchanged {
                            refusals.push(Refusal::CodeReused);
                        } else if now_ms > grant.expires_at_ms {
                            refusals.push(Refusal::CodeExpired { expired_at_ms: grant.expires_at_ms });
                        }
                        exchange = Some(Exchange::Grant(index));
                    }
                },
            },
            Some("refresh_token") => match field("refresh_token") {
                None => refusals.push(Refusal::RefreshTokenMissing),
                Some(token) => match self.refresh_tokens.iter().position(|issued| issued.token == token) {
                    None => refusals.push(Refusal::RefreshTokenNotIssued),
                    Some(index) => {
                        resource = Some(self.refresh_tokens[index].uuid.clone());
                        exchange = Some(Exchange::Refresh(index));
                    }
                },
            },
            sent => refusals.push(Refusal::GrantType { sent: sent.map(echoed) }),
        }
        match (field("client_secret"), &self.client_secret) {
            (None, _) => refusals.push(Refusal::ClientSecretMissing),
            (Some(sent), Some(expected)) if sent != expected => refusals.push(Refusal::ClientSecretMismatch),
            _ => {}
        }
        let (Some(exchange), Some(uuid), true) = (exchange, resource.clone(), refusals.is_empty()) else {
            return Judged { answer: token_refusal(&refusals), resource, refusals };
        };
        let refresh_token = match exchange {
            Exchange::Grant(index) => {
                self.grants[index].exchanged = true;
                self.refresh_tokens.push(Issued { token: refresh.clone(), uuid: uuid.clone() });
                refresh
            }
            // A refresh token stays valid; the refresh only issues a new access token.
            Exchange::Refresh(index) => self.refresh_tokens[index].token.clone(),
        };
        self.access_tokens.push(Issued { token: access.clone(), uuid: uuid.clone() });
        let answer = Answer::ok(json!({
            "access_token": access,
            "refresh_token": refresh_token,
            "expires_in": TOKEN_LIFETIME_SECS,
            "token_type": "Bearer",
            "user_id": kensa_checks::sso::USER_ID,
        }));
        Judged { answer, resource: Some(uuid), refusals }
    }

    /// A Platform API call (or the legacy callback, which keeps the old App Info API's
    /// looser rules): the versioned Accept header, then a Bearer token for the resource
    /// in the path, then an endpoint the API has, as Heroku checks them.
    fn platform(&self, method: Method, path: &str, headers: &[(String, String)], body: &[u8]) -> Judged {
        let (uuid, endpoint) =
            match path.strip_prefix("/addons/").map(|rest| rest.split_once('/').unwrap_or((rest, ""))) {
                Some((uuid, endpoint)) if !uuid.is_empty() => (Some(uuid.to_string()), endpoint),
                _ => (None, path),
            };
        if uuid.is_some() && endpoint.is_empty() && matches!(method, Method::Put | Method::Post) {
            return Judged { answer: Answer::ok(json!({})), resource: uuid, refusals: Vec::new() };
        }
        let header = |name: &str| {
            headers.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)).map(|(_, value)| value.as_str())
        };
        let mut refusals = Vec::new();
        let accept = header("accept");
        if !accept.is_some_and(accepts_platform_api) {
            refusals.push(Refusal::NotAcceptable { sent: accept.map(echoed) });
        }
        let bearer = header("authorization")
            .and_then(|value| value.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim());
        match bearer.map(|token| self.access_tokens.iter().find(|issued| issued.token == token)) {
            None => refusals.push(Refusal::BearerMissing),
            Some(None) => refusals.push(Refusal::BearerNotIssued),
            Some(Some(issued)) if uuid.as_ref().is_some_and(|uuid| *uuid != issued.uuid) => {
                refusals.push(Refusal::BearerForAnotherResource);
            }
            Some(Some(_)) => {}
        }
        let found = match (&uuid, method, endpoint) {
            (Some(uuid), Method::Get, "") => Some(json!({ "id": uuid, "state": self.state_of(uuid) })),
            (Some(_), Method::Patch, "config") => Some(patched_config(body)),
            (Some(_), Method::Get, "config") => Some(json!([])),
            (Some(uuid), Method::Post, "actions/provision") => Some(json!({ "id": uuid, "state": "provisioned" })),
            _ => None,
        };
        if found.is_none() {
            refusals.push(Refusal::UnknownEndpoint);
        }
        let answer = match (refusals.first(), found) {
            (Some(Refusal::NotAcceptable { .. }), _) => Answer::error(406, "not_acceptable", NOT_ACCEPTABLE),
            (Some(Refusal::BearerMissing | Refusal::BearerNotIssued | Refusal::BearerForAnotherResource), _) => {
                Answer::error(401, "unauthorized", "Invalid credentials provided.")
            }
            (None, Some(body)) => Answer::ok(body),
            _ => Answer::error(404, "not_found", "The requested API endpoint was not found."),
        };
        Judged { answer, resource: uuid, refusals }
    }

    /// `provisioned` once the provider finished `uuid`, `provisioning` until then.
    fn state_of(&self, uuid: &str) -> &'static str {
        if self.finished(uuid) { "provisioned" } else { "provisioning" }
    }

    /// Whether the provider finished `uuid`: an accepted legacy PUT/POST to the callback
    /// URL, or an accepted `POST actions/provision`.
    fn finished(&self, uuid: &str) -> bool {
        let resource = format!("/addons/{uuid}");
        let finish = format!("{resource}/actions/provision");
        self.calls.iter().filter(|call| call.refusals.is_empty()).any(|call| {
            (call.path == resource && matches!(call.method, Method::Put | Method::Post))
                || (call.path == finish && call.method == Method::Post)
        })
    }

    /// Whether a call about `uuid` (or about no resource the stand-in knows) was refused.
    fn refused_about(&self, uuid: &str) -> bool {
        self.calls
            .iter()
            .any(|call| !call.refusals.is_empty() && call.resource.as_deref().is_none_or(|about| about == uuid))
    }
}

/// Heroku's answer to a refused exchange: 400 for a malformed one, 401 for bad credentials.
fn token_refusal(refusals: &[Refusal]) -> Answer {
    let malformed = refusals.iter().find_map(|refusal| match refusal {
        Refusal::GrantType { .. } => Some("grant_type must be authorization_code or refresh_token."),
        Refusal::CodeMissing => Some("code is required."),
        Refusal::RefreshTokenMissing => Some("refresh_token is required."),
        _ => None,
    });
    match malformed {
        Some(message) => Answer::error(400, "bad_request", message),
        None if refusals.iter().any(|refusal| matches!(refusal, Refusal::ClientSecretMissing)) => {
            Answer::error(401, "unauthorized", "client_secret is required.")
        }
        None => Answer::error(401, "unauthorized", "Invalid OAuth grant or client credentials."),
    }
}

/// One of the comma-separated media types is Heroku's, version 3 (spaces and case aside).
fn accepts_platform_api(accept: &str) -> bool {
    let wanted: String = PLATFORM_ACCEPT.chars().filter(|c| !c.is_whitespace()).collect();
    accept.split(',').any(|media| {
        let media: String = media.chars().filter(|c| !c.is_whitespace()).collect();
        media.eq_ignore_ascii_case(&wanted)
    })
}

/// The config a PATCH set, as Heroku answers it: the `config` list sent.
fn patched_config(body: &[u8]) -> Value {
    serde_json::from_slice::<Value>(body).ok().and_then(|body| body.get("config").cloned()).unwrap_or(json!([]))
}

/// A value the provider sent, short enough to repeat in a finding.
fn echoed(value: &str) -> String {
    match value.char_indices().nth(MAX_ECHOED) {
        Some((cut, _)) => format!("{}...", &value[..cut]),
        None => value.to_string(),
    }
}

pub(crate) struct HerokuStandIn {
    origin: String,
    heroku: Arc<Mutex<Heroku>>,
    arrived: Arc<Notify>,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for HerokuStandIn {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl CallbackReceiver for HerokuStandIn {
    fn callback_url(&self, uuid: &str) -> String {
        format!("{}/addons/{uuid}", self.origin)
    }

    fn grant_sent(&self, uuid: &str, code: &str, expires_at_ms: u64) {
        let grant = Grant { uuid: uuid.to_string(), code: code.to_string(), expires_at_ms, exchanged: false };
        lock(&self.heroku).grants.push(grant);
    }

    fn received(&self) -> Vec<CallbackCall> {
        lock(&self.heroku).calls.clone()
    }

    fn wait_for_callbacks<'a>(
        &'a self,
        uuid: &'a str,
        timeout_ms: u64,
    ) -> Pin<Box<dyn Future<Output = CallbackLog> + 'a>> {
        Box::pin(self.wait(uuid, timeout_ms))
    }
}

impl HerokuStandIn {
    /// Listens on 127.0.0.1:`port` (0 picks a free port). `client_secret` is the add-on's,
    /// when the user gave it. Must run inside a tokio runtime.
    pub(crate) async fn start(port: u16, client_secret: Option<String>) -> std::io::Result<HerokuStandIn> {
        let listener = TcpListener::bind(("127.0.0.1", port)).await?;
        let port = listener.local_addr()?.port();
        let origin = format!("http://127.0.0.1:{port}");
        let warned = Arc::new(AtomicBool::new(false));
        let heroku = Arc::new(Mutex::new(Heroku { client_secret, ..Heroku::default() }));
        let arrived = Arc::new(Notify::new());
        let (state, notify) = (heroku.clone(), arrived.clone());
        let server = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (state, notify, warned) = (state.clone(), notify.clone(), warned.clone());
                tokio::spawn(async move {
                    let service = service_fn(move |request| {
                        let (state, notify, warned) = (state.clone(), notify.clone(), warned.clone());
                        async move {
                            if !addressed_to(&request, port) {
                                if !warned.swap(true, Ordering::SeqCst) {
                                    eprintln!(
                                        "warning: the Heroku stand-in refused a request addressed to another host \
                                         (only 127.0.0.1:{port} and localhost:{port} are answered)"
                                    );
                                }
                                let message = format!(
                                    "{{\"message\":\"kensa's Heroku stand-in answers only requests to 127.0.0.1:{port} or localhost:{port}\"}}"
                                );
                                return Ok::<_, std::convert::Infallible>(reply(403, message));
                            }
                            Ok(answer(request, &state, &notify).await)
                        }
                    });
                    let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
                });
            }
        });
        Ok(HerokuStandIn { origin, heroku, arrived, server })
    }

    pub(crate) fn origin(&self) -> &str {
        &self.origin
    }

    /// Waits until the provider finishes `uuid`, goes quiet after a refusal about it, or
    /// `timeout_ms` passes.
    async fn wait(&self, uuid: &str, timeout_ms: u64) -> CallbackLog {
        let deadline = Instant::now() + Duration::from_millis(timeout_ms);
        loop {
            let notified = self.arrived.notified();
            let (finished, quiet_from) = {
                let heroku = lock(&self.heroku);
                let quiet_from = heroku.last_call.filter(|_| heroku.refused_about(uuid));
                (heroku.finished(uuid), quiet_from)
            };
            if finished {
                return self.log(false);
            }
            let mut wake = deadline;
            if let Some(last) = quiet_from {
                let stopped = last + QUIET_AFTER_REFUSAL;
                if Instant::now() >= stopped {
                    return self.log(false);
                }
                wake = wake.min(stopped);
            }
            if tokio::time::timeout_at(wake, notified).await.is_err() && wake == deadline {
                return self.log(true);
            }
        }
    }

    fn log(&self, timed_out: bool) -> CallbackLog {
        CallbackLog { calls: self.received(), timed_out }
    }
}

fn lock(heroku: &Mutex<Heroku>) -> std::sync::MutexGuard<'_, Heroku> {
    heroku.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// One `Host` (and the target's authority, if any) naming 127.0.0.1 or localhost at `port`.
fn addressed_to(request: &hyper::Request<Incoming>, port: u16) -> bool {
    let names_stand_in = |authority: &str| {
        authority.rsplit_once(':').is_some_and(|(name, given)| {
            (name == "127.0.0.1" || name.eq_ignore_ascii_case("localhost")) && given.parse() == Ok(port)
        })
    };
    let mut hosts = request.headers().get_all(hyper::header::HOST).iter();
    let (Some(host), None) = (hosts.next(), hosts.next()) else { return false };
    host.to_str().is_ok_and(names_stand_in)
        && request.uri().authority().is_none_or(|authority| names_stand_in(authority.as_str()))
}

async fn answer(
    request: hyper::Request<Incoming>,
    state: &Mutex<Heroku>,
    notify: &Notify,
) -> hyper::Response<Full<Bytes>> {
    let method = match *request.method() {
        hyper::Method::GET => Method::Get,
        hyper::Method::POST => Method::Post,
        hyper::Method::PUT => Method::Put,
        hyper::Method::PATCH => Method::Patch,
        hyper::Method::DELETE => Method::Delete,
        _ => return reply(405, "{\"id\":\"method_not_allowed\",\"message\":\"method not allowed\"}".to_string()),
    };
    let path = request.uri().path().to_string();
    let headers: Vec<(String, String)> = request
        .headers()
        .iter()
        .map(|(name, value)| (name.to_string(), String::from_utf8_lossy(value.as_bytes()).into_owned()))
        .collect();
    // A provider's callback is a small JSON document; a larger one is refused, not kept.
    let body = match http_body_util::Limited::new(request.into_body(), MAX_CALLBACK_BODY).collect().await {
        Ok(collected) => collected.to_bytes().to_vec(),
        Err(_) => return reply(413, "{\"message\":\"unreadable body, or over 1 MiB\"}".to_string()),
    };
    let exchange = method == Method::Post && path == TOKEN_PATH;
    let judged = if exchange {
        let (Ok(access), Ok(refresh)) = (crate::random::random_hex(), crate::random::random_hex()) else {
            return reply(500, "{\"id\":\"internal_server_error\",\"message\":\"no random source\"}".to_string());
        };
        let form: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
        lock(state).token(
            &form,
            SystemClock.now_ms(),
            format!("kensa-access-{access}"),
            format!("kensa-refresh-{refresh}"),
        )
    } else {
        lock(state).platform(method, &path, &headers, &body)
    };
    let Judged { answer, resource, refusals } = judged;
    // An exchange carries the client secret and the code: neither is kept.
    let (headers, body) = if exchange { (Vec::new(), Vec::new()) } else { (headers, body) };
    {
        let mut heroku = lock(state);
        heroku.calls.push(CallbackCall { method, path, headers, body, resource, refusals });
        heroku.last_call = Some(Instant::now());
    }
    notify.notify_waiters();
    reply(answer.status, answer.body.to_string())
}

fn reply(status: u16, body: String) -> hyper::Response<Full<Bytes>> {
    let mut response = hyper::Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = hyper::StatusCode::from_u16(status).unwrap_or(hyper::StatusCode::OK);
    response
        .headers_mut()
        .insert(hyper::header::CONTENT_TYPE, hyper::header::HeaderValue::from_static("application/json"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    const UUID: &str = "01234567-89ab-4def-8123-456789abcdef";
    const OTHER: &str = "fedcba98-7654-4321-8fed-cba987654321";
    const NOW: u64 = 1_790_000_000_000;

    fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(key, value)| ((*key).to_string(), (*value).to_string())).collect()
    }

    /// A stand-in that sent `code` with the provision of `UUID` and `other-code` with `OTHER`.
    fn heroku(client_secret: Option<&str>) -> Heroku {
        let mut heroku = Heroku { client_secret: client_secret.map(str::to_string), ..Heroku::default() };
        for (uuid, code) in [(UUID, "code"), (OTHER, "other-code")] {
            let grant = Grant { uuid: uuid.into(), code: code.into(), expires_at_ms: NOW + 300_000, exchanged: false };
            heroku.grants.push(grant);
        }
        heroku
    }

    fn exchange(heroku: &mut Heroku, pairs: &[(&str, &str)]) -> Judged {
        heroku.token(&form(pairs), NOW, "access-1".into(), "refresh-1".into())
    }

    const GOOD: [(&str, &str); 3] =
        [("grant_type", "authorization_code"), ("code", "code"), ("client_secret", "s3cret")];

    #[test]
    fn a_good_exchange_issues_tokens_for_the_grants_resource() {
        let mut heroku = heroku(None);
        let judged = exchange(&mut heroku, &GOOD);
        assert_eq!(judged.refusals, []);
        assert_eq!(judged.resource.as_deref(), Some(UUID));
        assert_eq!(judged.answer.status, 200);
        assert_eq!(judged.answer.body["access_token"], "access-1");
        assert_eq!(judged.answer.body["refresh_token"], "refresh-1");
        assert_eq!(judged.answer.body["token_type"], "Bearer");
        assert_eq!(judged.answer.body["expires_in"], 28_800);
    }

    #[test]
    fn a_code_is_single_use() {
        let mut heroku = heroku(None);
        exchange(&mut heroku, &GOOD);
        let again = exchange(&mut heroku, &GOOD);
        assert_eq!(again.refusals, [Refusal::CodeReused]);
        assert_eq!(again.resource.as_deref(), Some(UUID));
        assert_eq!(again.answer, Answer::error(401, "unauthorized", "Invalid OAuth grant or client credentials."));
    }

    #[test]
    fn an_expired_code_is_refused_and_not_used_up() {
        let mut heroku = heroku(None);
        let late = heroku.token(&form(&GOOD), NOW + 300_001, "a".into(), "r".into());
        assert_eq!(late.refusals, [Refusal::CodeExpired { expired_at_ms: NOW + 300_000 }]);
        assert_eq!(late.answer.status, 401);
        assert!(!heroku.grants[0].exchanged);
    }

    #[test]
    fn a_code_never_sent_is_refused() {
        let mut heroku = heroku(None);
        let judged =
            exchange(&mut heroku, &[("grant_type", "authorization_code"), ("code", "made-up"), ("client_secret", "s")]);
        assert_eq!(judged.refusals, [Refusal::CodeNotIssued]);
        assert_eq!(judged.resource, None);
        let judged = exchange(&mut heroku, &[("grant_type", "authorization_code"), ("client_secret", "s")]);
        assert_eq!(judged.refusals, [Refusal::CodeMissing]);
        assert_eq!(judged.answer.status, 400);
        assert_eq!(judged.answer.body["id"], "bad_request");
    }

    #[test]
    fn grant_type_is_required_and_must_be_known() {
        let mut heroku = heroku(None);
        let judged = exchange(&mut heroku, &[("code", "code"), ("client_secret", "s")]);
        assert_eq!(judged.refusals, [Refusal::GrantType { sent: None }]);
        assert_eq!(judged.answer.status, 400);
        let judged = exchange(&mut heroku, &[("grant_type", "password"), ("code", "code"), ("client_secret", "s")]);
        assert_eq!(judged.refusals, [Refusal::GrantType { sent: Some("password".into()) }]);
        assert!(!heroku.grants[0].exchanged, "a refused exchange uses nothing up");
    }

    #[test]
    fn the_client_secret_is_required_and_matched_when_given() {
        let mut any = heroku(None);
        for missing in [&GOOD[..2], &[("grant_type", "authorization_code"), ("code", "code"), ("client_secret", "")]] {
            let judged = exchange(&mut any, missing);
            assert_eq!(judged.refusals, [Refusal::ClientSecretMissing]);
            assert_eq!(judged.answer, Answer::error(401, "unauthorized", "client_secret is required."));
        }
        let mut strict = heroku(Some("the-real-one"));
        assert_eq!(exchange(&mut strict, &GOOD).refusals, [Refusal::ClientSecretMismatch]);
        let right = [("grant_type", "authorization_code"), ("code", "code"), ("client_secret", "the-real-one")];
        assert_eq!(exchange(&mut strict, &right).refusals, []);
    }

    #[test]
    fn every_broken_rule_is_named() {
        let mut heroku = heroku(None);
        exchange(&mut heroku, &GOOD);
        let judged = exchange(&mut heroku, &GOOD[..2]);
        assert_eq!(judged.refusals, [Refusal::CodeReused, Refusal::ClientSecretMissing]);
    }

    #[test]
    fn a_refresh_issues_a_new_access_token_for_the_same_resource() {
        let mut heroku = heroku(None);
        exchange(&mut heroku, &GOOD);
        let refresh = [("grant_type", "refresh_token"), ("refresh_token", "refresh-1"), ("client_secret", "s")];
        let judged = heroku.token(&form(&refresh), NOW, "access-2".into(), "unused".into());
        assert_eq!(judged.refusals, []);
        assert_eq!(judged.resource.as_deref(), Some(UUID));
        assert_eq!(judged.answer.body["access_token"], "access-2");
        assert_eq!(judged.answer.body["refresh_token"], "refresh-1");
        let unknown = [("grant_type", "refresh_token"), ("refresh_token", "guess"), ("client_secret", "s")];
        assert_eq!(exchange(&mut heroku, &unknown).refusals, [Refusal::RefreshTokenNotIssued]);
        let missing = [("grant_type", "refresh_token"), ("client_secret", "s")];
        assert_eq!(exchange(&mut heroku, &missing).refusals, [Refusal::RefreshTokenMissing]);
    }

    fn headers(accept: Option<&str>, token: Option<&str>) -> Vec<(String, String)> {
        let mut headers = Vec::new();
        if let Some(accept) = accept {
            headers.push(("accept".to_string(), accept.to_string()));
        }
        if let Some(token) = token {
            headers.push(("authorization".to_string(), format!("Bearer {token}")));
        }
        headers
    }

    /// A stand-in where `access-1` was issued for `UUID`.
    fn exchanged() -> Heroku {
        let mut heroku = heroku(None);
        exchange(&mut heroku, &GOOD);
        heroku
    }

    #[test]
    fn platform_calls_need_the_versioned_accept_header() {
        let heroku = exchanged();
        let config = format!("/addons/{UUID}/config");
        let body = br#"{"config":[{"name":"MYADDON_URL","value":"x"}]}"#;
        let judged = heroku.platform(Method::Patch, &config, &headers(Some(PLATFORM_ACCEPT), Some("access-1")), body);
        assert_eq!(judged.refusals, []);
        assert_eq!(judged.answer, Answer::ok(json!([{"name": "MYADDON_URL", "value": "x"}])));
        let spaced = "application/json, Application/VND.heroku+json;version=3";
        assert_eq!(
            heroku.platform(Method::Patch, &config, &headers(Some(spaced), Some("access-1")), body).refusals,
            []
        );
        for (accept, sent) in [(None, None), (Some("application/json"), Some("application/json".to_string()))] {
            let judged = heroku.platform(Method::Patch, &config, &headers(accept, Some("access-1")), body);
            assert_eq!(judged.refusals, [Refusal::NotAcceptable { sent }]);
            assert_eq!(judged.answer.status, 406);
            assert_eq!(judged.answer.body["id"], "not_acceptable");
            assert!(judged.answer.body["message"].as_str().unwrap().contains(PLATFORM_ACCEPT));
        }
    }

    #[test]
    fn platform_calls_need_a_token_for_the_resource_addressed() {
        let heroku = exchanged();
        let finish = format!("/addons/{UUID}/actions/provision");
        let accept = Some(PLATFORM_ACCEPT);
        let ok = heroku.platform(Method::Post, &finish, &headers(accept, Some("access-1")), b"{}");
        assert_eq!((ok.refusals, ok.answer.status), (vec![], 200));
        for (token, refusal) in [(None, Refusal::BearerMissing), (Some("wrong-token"), Refusal::BearerNotIssued)] {
            let judged = heroku.platform(Method::Post, &finish, &headers(accept, token), b"{}");
            assert_eq!(judged.refusals, [refusal]);
            assert_eq!(judged.answer.status, 401);
            assert_eq!(judged.answer.body["id"], "unauthorized");
        }
        let elsewhere = format!("/addons/{OTHER}/actions/provision");
        let judged = heroku.platform(Method::Post, &elsewhere, &headers(accept, Some("access-1")), b"{}");
        assert_eq!(judged.refusals, [Refusal::BearerForAnotherResource]);
        assert_eq!(judged.resource.as_deref(), Some(OTHER));
    }

    #[test]
    fn unknown_endpoints_get_404_and_the_legacy_callback_keeps_its_old_rules() {
        let heroku = exchanged();
        let good = headers(Some(PLATFORM_ACCEPT), Some("access-1"));
        let judged = heroku.platform(Method::Post, &format!("/addons/{UUID}/configs"), &good, b"{}");
        assert_eq!(judged.refusals, [Refusal::UnknownEndpoint]);
        assert_eq!(judged.answer.body["id"], "not_found");
        let judged = heroku.platform(Method::Get, "/apps", &good, b"");
        assert_eq!((judged.refusals, judged.resource), (vec![Refusal::UnknownEndpoint], None));
        let legacy = heroku.platform(Method::Put, &format!("/addons/{UUID}"), &[], br#"{"id":"1"}"#);
        assert_eq!((legacy.refusals, legacy.answer.status), (vec![], 200));
        let info = heroku.platform(Method::Get, &format!("/addons/{UUID}"), &good, b"");
        assert_eq!(info.answer.body, json!({"id": UUID, "state": "provisioning"}));
    }

    #[test]
    fn only_accepted_calls_finish_a_resource() {
        let mut heroku = exchanged();
        let call = |refusals| CallbackCall {
            method: Method::Post,
            path: format!("/addons/{UUID}/actions/provision"),
            headers: Vec::new(),
            body: Vec::new(),
            resource: Some(UUID.to_string()),
            refusals,
        };
        heroku.calls.push(call(vec![Refusal::BearerMissing]));
        assert!(!heroku.finished(UUID));
        assert!(heroku.refused_about(UUID));
        assert!(!heroku.refused_about(OTHER));
        heroku.calls.push(call(Vec::new()));
        assert!(heroku.finished(UUID));
    }

    #[test]
    fn long_values_are_cut_before_they_are_repeated() {
        assert_eq!(echoed("short"), "short");
        let long = "x".repeat(100);
        assert_eq!(echoed(&long), format!("{}...", "x".repeat(MAX_ECHOED)));
    }
}
