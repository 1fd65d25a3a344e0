//! A recording provider: a minimal correct v3 provider on a plain socket that keeps every
//! request, so a test sees exactly what kensa put on the wire.

use kensa_testkit::{HostileServer, Recorded, Reply};
use serde_json::{Value, json};

use crate::ProviderOptions;

/// A minimal correct v3 provider written from scratch on a plain socket, independent of the
/// reference provider: it keeps every request it receives, so a test can see exactly what
/// kensa sent. Provision answers `id` = `res-<uuid>` (so a repeated uuid gets the same id),
/// bad credentials get 401, DELETE 204, PUT 200 `{}`. One request per connection: a
/// [`HostileServer`] with a correct handler.
pub struct Recorder(HostileServer);

impl Recorder {
    /// Starts on a free loopback port; Basic credentials `myaddon:secret` as in
    /// [`ProviderOptions::default`].
    pub fn start() -> Recorder {
        let defaults = ProviderOptions::default();
        let expected = kensa_provider::basic_auth_header(&defaults.id, &defaults.password);
        Recorder(HostileServer::start(move |request| answer(request, &expected)))
    }

    pub fn origin(&self) -> &str {
        self.0.origin()
    }

    /// A v3 manifest pointing here (the reference provider's defaults).
    pub fn manifest(&self) -> Value {
        ProviderOptions::default().manifest(self.origin())
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.0.requests()
    }
}

fn answer(request: &Recorded, expected_auth: &str) -> Reply {
    if request.header("authorization") != Some(expected_auth) {
        return Reply::json(401, &json!({"message": "invalid credentials"}));
    }
    match request.method.as_str() {
        "POST" => {
            // kensa addresses the recorder by its origin, so `Host` names it.
            let origin = format!("http://{}", request.header("host").unwrap_or_default());
            let uuid = request.json()["uuid"].as_str().unwrap_or("none").to_string();
            let reply = json!({
                "id": format!("res-{uuid}"),
                "config": {"MYADDON_URL": format!("{origin}/resources/{uuid}")},
            });
            Reply::json(200, &reply)
        }
        "PUT" => Reply::json(200, &json!({})),
        "DELETE" => Reply::new(204),
        _ => Reply::json(404, &json!({"message": "no such endpoint"})),
    }
}
