//! A local stand-in for Heroku during `--async` provisioning: the provider's token
//! exchange, config PATCH, `actions/provision` and legacy callbacks land here and are
//! recorded for the engine to judge. It answers only requests addressed to it (`Host`
//! 127.0.0.1 or localhost at its port): a web page on another name that resolves to
//! 127.0.0.1 (DNS rebinding) could otherwise read the tokens it issues or plant callbacks.

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use kensa_checks::{CallbackCall, CallbackLog, CallbackReceiver, ExchangedGrant, Method};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Notify;

/// The largest callback body the stand-in reads; a provider's config PATCH is a few KB.
const MAX_CALLBACK_BODY: usize = 1024 * 1024;

#[derive(Default)]
struct Recorded {
    calls: Vec<CallbackCall>,
    grants: Vec<ExchangedGrant>,
}

pub(crate) struct HerokuStandIn {
    origin: String,
    recorded: Arc<Mutex<Recorded>>,
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

    fn wait_for_callbacks<'a>(
        &'a self,
        uuid: &'a str,
        timeout_ms: u64,
    ) -> Pin<Box<dyn Future<Output = CallbackLog> + 'a>> {
        Box::pin(self.wait(uuid, timeout_ms))
    }
}

impl HerokuStandIn {
    /// Listens on 127.0.0.1:`port` (0 picks a free port). Must run inside a tokio runtime.
    pub(crate) async fn start(port: u16) -> std::io::Result<HerokuStandIn> {
        let listener = TcpListener::bind(("127.0.0.1", port)).await?;
        let port = listener.local_addr()?.port();
        let origin = format!("http://127.0.0.1:{port}");
        let warned = Arc::new(AtomicBool::new(false));
        let recorded = Arc::new(Mutex::new(Recorded::default()));
        let arrived = Arc::new(Notify::new());
        let (state, notify) = (recorded.clone(), arrived.clone());
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
        Ok(HerokuStandIn { origin, recorded, arrived, server })
    }

    pub(crate) fn origin(&self) -> &str {
        &self.origin
    }

    /// Waits until the provider finishes `uuid` (legacy PUT/POST to the callback URL, or
    /// POST `actions/provision`) or `timeout_ms` passes.
    async fn wait(&self, uuid: &str, timeout_ms: u64) -> CallbackLog {
        let resource = format!("/addons/{uuid}");
        let finish = format!("{resource}/actions/provision");
        let deadline = tokio::time::Instant::now() + Duration::from_millis(timeout_ms);
        loop {
            let notified = self.arrived.notified();
            let done = self.snapshot(|recorded| {
                recorded.calls.iter().any(|call| {
                    (call.path == resource && matches!(call.method, Method::Put | Method::Post))
                        || (call.path == finish && call.method == Method::Post)
                })
            });
            if done {
                return self.log(false);
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return self.log(true);
            }
        }
    }

    fn snapshot<R>(&self, read: impl FnOnce(&Recorded) -> R) -> R {
        let recorded = self.recorded.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        read(&recorded)
    }

    fn log(&self, timed_out: bool) -> CallbackLog {
        self.snapshot(|recorded| CallbackLog {
            calls: recorded.calls.clone(),
            grants: recorded.grants.clone(),
            timed_out,
        })
    }
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
    state: &Mutex<Recorded>,
    notify: &Notify,
) -> hyper::Response<Full<Bytes>> {
    let method = match *request.method() {
        hyper::Method::GET => Method::Get,
        hyper::Method::POST => Method::Post,
        hyper::Method::PUT => Method::Put,
        hyper::Method::PATCH => Method::Patch,
        hyper::Method::DELETE => Method::Delete,
        _ => return reply(405, "{\"message\":\"method not allowed\"}".to_string()),
    };
    let path = request.uri().path().to_string();
    let headers = request
        .headers()
        .iter()
        .map(|(name, value)| (name.to_string(), String::from_utf8_lossy(value.as_bytes()).into_owned()))
        .collect();
    // A provider's callback is a small JSON document; a larger one is refused, not kept.
    let body = match http_body_util::Limited::new(request.into_body(), MAX_CALLBACK_BODY).collect().await {
        Ok(collected) => collected.to_bytes().to_vec(),
        Err(_) => return reply(413, "{\"message\":\"unreadable body, or over 1 MiB\"}".to_string()),
    };
    let response = if method == Method::Post && path == "/oauth/token" {
        exchange(&body, state)
    } else {
        let reply_body = if path.ends_with("/actions/provision") {
            "{\"state\":\"provisioned\"}".to_string()
        } else {
            "{}".to_string()
        };
        let mut recorded = state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        recorded.calls.push(CallbackCall { method, path, headers, body });
        reply(200, reply_body)
    };
    notify.notify_waiters();
    response
}

/// `POST /oauth/token` with `grant_type=authorization_code&code=...`: issues a token.
fn exchange(body: &[u8], state: &Mutex<Recorded>) -> hyper::Response<Full<Bytes>> {
    let form: Vec<(String, String)> = String::from_utf8_lossy(body)
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(key, value)| (decode(key), decode(value)))
        .collect();
    let field = |name: &str| form.iter().find(|(key, _)| key == name).map(|(_, value)| value.clone());
    let (Some("authorization_code"), Some(code)) = (field("grant_type").as_deref(), field("code")) else {
        return reply(400, "{\"message\":\"expected grant_type=authorization_code and a code\"}".to_string());
    };
    let access_token = format!("kensa-access-{}", crate::random::random_hex().unwrap_or_else(|_| code.clone()));
    let refresh_token = format!("kensa-refresh-{}", crate::random::random_hex().unwrap_or_default());
    let mut recorded = state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    recorded.grants.push(ExchangedGrant { code, access_token: access_token.clone() });
    let json = serde_json::json!({
        "access_token": access_token,
        "refresh_token": refresh_token,
        "expires_in": 28_800,
        "token_type": "Bearer",
        "user_id": kensa_checks::sso::USER_ID,
    });
    reply(200, json.to_string())
}

/// A form field as sent: `+` is a space, `%XX` a byte ([`kensa_checks::encoding::percent_decode`]).
fn decode(text: &str) -> String {
    let bytes = kensa_checks::encoding::percent_decode(text.replace('+', " ").as_bytes());
    String::from_utf8_lossy(&bytes).into_owned()
}

fn reply(status: u16, body: String) -> hyper::Response<Full<Bytes>> {
    let mut response = hyper::Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = hyper::StatusCode::from_u16(status).unwrap_or(hyper::StatusCode::OK);
    response
        .headers_mut()
        .insert(hyper::header::CONTENT_TYPE, hyper::header::HeaderValue::from_static("application/json"));
    response
}
