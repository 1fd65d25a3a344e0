//! Resources and sign-in sessions. In memory: a real service keeps these in its database,
//! with a unique index on uuid.

use std::collections::HashMap;

pub struct Resource {
    pub id: String,
    pub plan: String,
    pub live: bool,
}

pub struct Session {
    pub resource_id: String,
    pub email: String,
    pub app: String,
}

#[derive(Default)]
pub struct Store {
    /// By provider id.
    pub resources: HashMap<String, Resource>,
    /// Heroku's resource uuid to provider id.
    pub by_uuid: HashMap<String, String>,
    /// Session token to session.
    pub sessions: HashMap<String, Session>,
}

impl Store {
    /// A resource by the key Heroku uses: the uuid (v3) or the provider id (v1).
    pub fn find(&mut self, key: &str) -> Option<&mut Resource> {
        let id = self
            .by_uuid
            .get(key)
            .cloned()
            .unwrap_or_else(|| key.to_string());
        self.resources.get_mut(&id)
    }
}
