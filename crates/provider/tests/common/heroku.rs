//! A tiny stand-in for Heroku (the OAuth token endpoint and the Platform API callbacks):
//! `kensa_testkit`'s [`HostileServer`] with a handler that answers as kensa's stand-in
//! does. It records every request, and can hold its answers back.

use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::Duration;

use kensa_provider::{ProviderOptions, RunningProvider};
pub use kensa_testkit::Recorded;
use kensa_testkit::{HostileServer, Reply};
use serde_json::{Value, json};

/// The access token the stand-in issues.
pub const ACCESS_TOKEN: &str = "fake-heroku-access-token";
/// The client secret [`async_options`] configures.
pub const CLIENT_SECRET: &str = "test-client-secret";
/// The grant code [`v3_grant_body`] sends.
pub const GRANT_CODE: &str = "test-grant-code";

/// Whether answers are held back, and the condvar that releases them.
type Gate = Arc<(Mutex<bool>, Condvar)>;

/// The longest the stand-in holds an answer back: the provider's own call timeout.
const LONGEST_HOLD: Duration = Duration::from_secs(10);

pub struct FakeHeroku {
    server: HostileServer,
    gate: Gate,
}

impl FakeHeroku {
    pub fn start() -> FakeHeroku {
        FakeHeroku::new(200, false)
    }

    /// A stand-in whose token endpoint answers `status` (401, say, for a refused code).
    pub fn with_token_status(token_status: u16) -> FakeHeroku {
        FakeHeroku::new(token_status, false)
    }

    /// A stand-in that records each call at once but answers none until
    /// [`FakeHeroku::release`], so a provision stays `provisioning` for as long as a test
    /// needs, with no clock involved.
    pub fn holding() -> FakeHeroku {
        FakeHeroku::new(200, true)
    }

    fn new(token_status: u16, held: bool) -> FakeHeroku {
        let gate: Gate = Arc::new((Mutex::new(held), Condvar::new()));
        let gated = Arc::clone(&gate);
        // The server keeps each call before this runs, so a held call is seen at once.
        let server = HostileServer::start(move |call| {
            let (held, released) = &*gated;
            let held = held.lock().unwrap_or_else(PoisonError::into_inner);
            let _ =
                released.wait_timeout_while(held, LONGEST_HOLD, |held| *held).unwrap_or_else(PoisonError::into_inner);
            answer(call, token_status)
        });
        FakeHeroku { server, gate }
    }

    /// Answers the calls held so far and every later one at once.
    pub fn release(&self) {
        let (held, released) = &*self.gate;
        *held.lock().unwrap_or_else(PoisonError::into_inner) = false;
        released.notify_all();
    }

    /// `http://127.0.0.1:<port>`: the token endpoint base and the callback origin.
    pub fn origin(&self) -> String {
        self.server.origin().to_string()
    }

    /// The `callback_url` kensa sends: `http://127.0.0.1:<port>/addons/<uuid>`.
    pub fn callback_url(&self, uuid: &str) -> String {
        format!("{}/addons/{uuid}", self.origin())
    }

    pub fn calls(&self) -> Vec<Recorded> {
        self.server.requests()
    }

    /// Waits until `done` holds for the calls so far; panics after `timeout`.
    pub fn wait_for(&self, timeout: Duration, done: impl Fn(&[Recorded]) -> bool) -> Vec<Recorded> {
        self.server.wait_for(timeout, done).unwrap_or_else(|calls| {
            panic!(
                "the stand-in waited {timeout:?} in vain; calls so far: {:?}",
                calls.iter().map(Recorded::line).collect::<Vec<_>>()
            )
        })
    }

    /// Waits for the call that finishes `uuid`: the legacy PUT/POST to the callback URL,
    /// or `POST …/actions/provision`.
    pub fn wait_finished(&self, uuid: &str) -> Vec<Recorded> {
        let resource = format!("/addons/{uuid}");
        let finish = format!("{resource}/actions/provision");
        self.wait_for(Duration::from_secs(10), |calls| {
            calls.iter().any(|c| {
                (c.path == resource && (c.method == "PUT" || c.method == "POST"))
                    || (c.path == finish && c.method == "POST")
            })
        })
    }
}

impl Drop for FakeHeroku {
    fn drop(&mut self) {
        // Held answers go out before the server stops.
        self.release();
    }
}

/// What kensa's stand-in answers: a token (or `token_status`) at `/oauth/token`, the
/// provisioned state to `…/actions/provision`, `{}` to anything else.
fn answer(call: &Recorded, token_status: u16) -> Reply {
    if call.method == "POST" && call.path == "/oauth/token" {
        if token_status == 200 {
            let token = json!({
                "access_token": ACCESS_TOKEN,
                "refresh_token": "fake-heroku-refresh-token",
                "expires_in": 28_800,
                "token_type": "Bearer",
                "user_id": "01234567-89ab-cdef-0123-456789abcdef",
            });
            Reply::json(200, &token)
        } else {
            Reply::json(token_status, &json!({"id": "unauthorized", "message": "invalid code"}))
        }
    } else if call.path.ends_with("/actions/provision") {
        Reply::json(200, &json!({"state": "provisioned"}))
    } else {
        Reply::json(200, &json!({}))
    }
}

/// Async mode pointed at `heroku`, with two config vars and a short delay.
pub fn async_options(heroku: &FakeHeroku) -> ProviderOptions {
    ProviderOptions::default()
        .with_config_vars(["MYADDON_URL", "MYADDON_TOKEN"])
        .with_async_provisioning(true)
        .with_heroku_id_url(heroku.origin())
        .with_oauth_client_secret(CLIENT_SECRET)
        .with_async_delay(Duration::from_millis(20))
}

/// A v3 body as kensa sends it under `--async`: callback_url on the stand-in, an oauth_grant.
pub fn v3_grant_body(heroku: &FakeHeroku, uuid: &str) -> Value {
    let mut body = super::v3_body(uuid);
    body["callback_url"] = json!(heroku.callback_url(uuid));
    body["oauth_grant"] = json!({
        "code": GRANT_CODE,
        "expires_at": "2030-01-01T00:00:00Z",
        "type": "authorization_code",
    });
    body
}

/// A v1 body (heroku_id, no grant) with the callback_url on the stand-in.
pub fn v1_callback_body(heroku: &FakeHeroku, uuid: &str) -> Value {
    let mut body = super::v1_body(uuid);
    body["callback_url"] = json!(heroku.callback_url(uuid));
    body
}

/// How long a test waits for the provider's background work before it fails: a failure
/// timeout, never the proof.
pub const BACKGROUND_TIMEOUT: Duration = Duration::from_secs(30);

/// Waits until every asynchronous provision the provider started has finished, and
/// returns how many it started. After this, nothing more will call the stand-in.
pub fn completions(p: &RunningProvider) -> usize {
    p.wait_for_completions(BACKGROUND_TIMEOUT).unwrap()
}

/// Waits until the provider's background work is done, then checks that every resource
/// is provisioned.
pub fn wait_provisioned(p: &RunningProvider) {
    completions(p);
    let resources = p.resources().unwrap();
    assert!(resources.iter().all(|r| !r.provisioning), "still provisioning: {resources:?}");
}
