//! A provider whose answers put path tricks where a resource key goes (`..`, `.`, `%2e%2e`)
//! and names that change how programs start where config vars go, recording every request.

use kensa_testkit::{HostileServer, Recorded, Reply};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicU16, AtomicUsize, Ordering};

/// The collection every manifest of [`KeysProvider`] names.
pub const COLLECTION: &str = "/heroku/resources";

/// A provisioning API (credentials `<add-on>:secret`) that answers every provision with
/// `config` and an `id`: the same one, or (see [`KeysProvider::with_ids`]) the n-th of a list. A PUT or DELETE of `/heroku/resources/<uuid>` answers a status
/// the test sets (404 says "not found by uuid", which sends kensa to the id instead); any
/// other path answers 200 `{}`, as a server whose collection routes accept anything would.
pub struct KeysProvider {
    server: HostileServer,
    by_uuid: Arc<AtomicU16>,
    addon: String,
}

impl KeysProvider {
    /// For add-on `myaddon`.
    pub fn start(id: Value, config: Value, by_uuid: u16) -> KeysProvider {
        KeysProvider::for_addon("myaddon", id, config, by_uuid)
    }

    pub fn for_addon(addon: &str, id: Value, config: Value, by_uuid: u16) -> KeysProvider {
        KeysProvider::with_ids(addon, vec![id], config, by_uuid)
    }

    /// The n-th provision is answered with `ids[n]`, those after the last with the last.
    pub fn with_ids(addon: &str, ids: Vec<Value>, config: Value, by_uuid: u16) -> KeysProvider {
        let provisions = AtomicUsize::new(0);
        let defaults = kensa_provider::ProviderOptions::default();
        let expected = kensa_provider::basic_auth_header(addon, &defaults.password);
        let by_uuid = Arc::new(AtomicU16::new(by_uuid));
        let status = Arc::clone(&by_uuid);
        let server = HostileServer::start(move |request| {
            if request.header("authorization") != Some(expected.as_str()) {
                return Reply::json(401, &json!({"message": "invalid credentials"}));
            }
            let path = request.path.split('?').next().unwrap_or_default();
            let by_uuid = path.strip_prefix(COLLECTION).and_then(|rest| rest.strip_prefix('/')).is_some_and(is_uuid);
            match request.method.as_str() {
                "POST" if path == COLLECTION => {
                    let n = provisions.fetch_add(1, Ordering::SeqCst).min(ids.len().saturating_sub(1));
                    Reply::json(200, &json!({"id": ids.get(n), "config": config}))
                }
                "PUT" | "DELETE" if by_uuid => {
                    let status = status.load(Ordering::SeqCst);
                    if status == 204 { Reply::new(204) } else { Reply::json(status, &json!({"message": "by uuid"})) }
                }
                _ => Reply::json(200, &json!({})),
            }
        });
        KeysProvider { server, by_uuid, addon: addon.to_string() }
    }

    /// What a PUT or DELETE by uuid answers from now on.
    pub fn answer_by_uuid(&self, status: u16) {
        self.by_uuid.store(status, Ordering::SeqCst);
    }

    pub fn origin(&self) -> &str {
        self.server.origin()
    }

    /// A manifest for this provider (config var `<ADD-ON>_URL`): v3, or v1 (no
    /// `api.version`) when `v1`.
    pub fn manifest(&self, v1: bool) -> Value {
        let options = kensa_provider::ProviderOptions {
            id: self.addon.clone(),
            config_vars: vec![format!("{}_URL", self.addon.to_ascii_uppercase())],
            ..Default::default()
        };
        let mut manifest = options.manifest(self.origin());
        if v1 {
            manifest["api"].as_object_mut().map(|api| api.remove("version"));
        }
        manifest
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.server.requests()
    }

    /// The uuids kensa sent with its provisions, wrong-credential probes included.
    pub fn provisioned_uuids(&self) -> Vec<String> {
        self.requests().iter().filter_map(|request| request.json()["uuid"].as_str().map(str::to_string)).collect()
    }

    /// The uuids of the provisions answered (sent with the right credentials), in order.
    pub fn answered_uuids(&self) -> Vec<String> {
        let expected =
            kensa_provider::basic_auth_header(&self.addon, &kensa_provider::ProviderOptions::default().password);
        self.requests()
            .iter()
            .filter(|request| request.method == "POST" && request.header("authorization") == Some(expected.as_str()))
            .filter_map(|request| request.json()["uuid"].as_str().map(str::to_string))
            .collect()
    }

    /// `METHOD path` of every request that went neither to the collection (a POST) nor to
    /// one resource by a uuid kensa sent.
    pub fn stray_requests(&self) -> Vec<String> {
        let uuids = self.provisioned_uuids();
        self.requests()
            .iter()
            .filter(|request| {
                let path = request.path.split('?').next().unwrap_or_default();
                let by_uuid = path
                    .strip_prefix(COLLECTION)
                    .and_then(|rest| rest.strip_prefix('/'))
                    .is_some_and(|key| uuids.iter().any(|uuid| uuid == key));
                !(by_uuid || (request.method == "POST" && path == COLLECTION))
            })
            .map(|request| format!("{} {}", request.method, request.path))
            .collect()
    }
}

/// `8-4-4-4-12` hex digits.
fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.iter().map(|group| group.len()).eq([8, 4, 4, 4, 12])
        && groups.iter().all(|group| group.bytes().all(|byte| byte.is_ascii_hexdigit()))
}

/// Config vars whose names choose what a program loads or which program runs.
pub fn loader_config() -> Value {
    json!({
        "MYADDON_URL": "https://db.example.com/1",
        "LD_PRELOAD": "/kensa-hostile/preload.so",
        "BASH_ENV": "/kensa-hostile/bash_env",
        "PATH": "/kensa-hostile/bin",
    })
}

/// A server that answers everything 200 with a manifest and records what it is asked: an
/// add-ons API that must not be asked anything.
pub fn addons_api() -> HostileServer {
    HostileServer::start(|_| Reply::json(200, &json!({"contents": {"id": "myaddon"}})))
}
