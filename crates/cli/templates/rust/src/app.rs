//! What every request shares: the settings and the store. Also the config vars a
//! resource gets.

use crate::auth::{basic_credentials, safe_equal};
use crate::config::Config;
use crate::ids::hex;
use crate::store::Store;
use axum::http::HeaderMap;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::sync::{Mutex, MutexGuard, PoisonError};

pub struct App {
    pub config: Config,
    store: Mutex<Store>,
}

impl App {
    pub fn new(config: Config) -> App {
        App {
            config,
            store: Mutex::new(Store::default()),
        }
    }

    pub fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The config vars of a resource: `*_URL` vars point at it, others get a stable secret.
    pub fn config_for(&self, id: &str) -> Value {
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

    /// Whether the request carries the add-on id and password as Basic credentials.
    pub fn authorized(&self, headers: &HeaderMap) -> bool {
        let Some((user, password)) = basic_credentials(headers) else {
            return false;
        };
        // Both halves are always compared, so timing does not tell which one was wrong.
        let user_ok = safe_equal(&user, &self.config.username);
        let password_ok = safe_equal(&password, &self.config.password);
        user_ok & password_ok
    }
}
