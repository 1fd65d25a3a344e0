//! Which resources kensa provisioned and has not seen deprovisioned, so that later commands
//! know both keys of a resource (Heroku's uuid and the provider's id) and nothing kensa
//! made is forgotten. Pure data: the CLI keeps it in a file next to the manifest, the
//! playground in the page's storage; both feed it the engine's [`crate::Event::Resource`]s.

use crate::encoding::{DOT_SEGMENT_REASON, is_dot_or_empty_segment, rfc3339};
use crate::event::ResourceEvent;
use crate::keys::ResourceKeys;
use crate::read::Object;
use kensa_manifest::Environment;
use serde::Serialize;

/// One resource kensa provisioned.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LedgerEntry {
    pub uuid: String,
    /// The provider's id; the uuid again for a v3 resource whose answer gave no usable id.
    pub id: String,
    pub plan: String,
    /// The `region` its provision carried (`amazon-web-services::eu-west-1`); `None` in
    /// entries written before kensa recorded it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The manifest's `id` (the add-on) it was provisioned for.
    pub manifest_id: String,
    /// `test` or `production`: which of the manifest's URLs it lives behind.
    pub environment: String,
    /// When, as RFC 3339 UTC.
    pub created_at: String,
    /// The command that made it, such as `kensa test provision`.
    pub command: String,
}

impl LedgerEntry {
    pub fn keys(&self) -> ResourceKeys {
        ResourceKeys::both(&self.uuid, &self.id)
    }
}

/// Every resource kensa made and has not seen removed, oldest first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Ledger {
    pub resources: Vec<LedgerEntry>,
}

/// One entry of a ledger file, every field required but `region` (older files lack it).
fn entry(value: &serde_json::Value, path: &str) -> Result<LedgerEntry, String> {
    let entry = Object::of(value, path)?;
    Ok(LedgerEntry {
        uuid: entry.string("uuid")?,
        id: entry.string("id")?,
        plan: entry.string("plan")?,
        region: entry.optional_string("region")?,
        manifest_id: entry.string("manifest_id")?,
        environment: entry.string("environment")?,
        created_at: entry.string("created_at")?,
        command: entry.string("command")?,
    })
}

/// What a host knows about a new resource that the engine does not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Provenance {
    /// The manifest's `id`: the add-on the resource belongs to.
    pub manifest_id: String,
    pub environment: Environment,
    /// What made it, such as `kensa test provision` or `playground: Provision`.
    pub command: String,
}

/// What a ledger lookup found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lookup<'a> {
    Found(&'a LedgerEntry),
    /// No live resource of this add-on and environment (nothing was given to look for).
    Empty,
    /// `key` is not in the ledger: a resource made elsewhere, used as it is.
    Unknown(&'a str),
}

impl Ledger {
    /// Reads a ledger file's text; an empty file is an empty ledger. A list with an entry
    /// whose key cannot be a path segment is refused whole: kensa never made such an entry,
    /// and any call on its behalf would go to the collection or its parent.
    pub fn parse(text: &str) -> Result<Ledger, String> {
        if text.trim().is_empty() {
            return Ok(Ledger::default());
        }
        let read = || -> Result<Ledger, String> {
            let value: serde_json::Value = serde_json::from_str(text).map_err(|error| error.to_string())?;
            Ok(Ledger { resources: Object::of(&value, "")?.list("resources", entry)? })
        };
        let ledger = read().map_err(|error| format!("not a kensa resource list: {error}"))?;
        for (index, entry) in ledger.resources.iter().enumerate() {
            for (field, key) in [("uuid", &entry.uuid), ("id", &entry.id)] {
                if is_dot_or_empty_segment(key) {
                    return Err(format!(
                        "resources[{index}].{field} {key:?} is unusable as a path segment: {DOT_SEGMENT_REASON}"
                    ));
                }
            }
        }
        Ok(ledger)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }

    /// Follows one of the engine's resource events, `now_ms` dating a new entry; true when
    /// the ledger changed. The CLI and the playground both keep their ledgers through here.
    pub fn apply(&mut self, event: &ResourceEvent, provenance: &Provenance, now_ms: u64) -> bool {
        match event {
            ResourceEvent::Provisioned { uuid, id, plan, region } => {
                self.record(LedgerEntry {
                    uuid: uuid.clone(),
                    id: id.clone(),
                    plan: plan.clone(),
                    region: Some(region.clone()),
                    manifest_id: provenance.manifest_id.clone(),
                    environment: provenance.environment.key().to_string(),
                    created_at: rfc3339(now_ms),
                    command: provenance.command.clone(),
                });
                true
            }
            ResourceEvent::PlanChanged { keys, plan } => self.change_plan(keys, plan),
            ResourceEvent::Deprovisioned { keys } => self.forget(keys),
        }
    }

    /// Adds a resource, replacing the entry of the same resource (a repeated provision
    /// answered with the same id). A provider that answers one uuid with two ids made two
    /// resources: both stay listed.
    fn record(&mut self, entry: LedgerEntry) {
        self.resources.retain(|known| !(known.uuid == entry.uuid && known.id == entry.id));
        self.resources.push(entry);
    }

    /// Notes a plan change of the resource `keys` names; true when it is listed.
    fn change_plan(&mut self, keys: &ResourceKeys, plan: &str) -> bool {
        let mut found = false;
        for entry in self.resources.iter_mut().filter(|entry| entry_matches(entry, keys)) {
            entry.plan = plan.to_string();
            found = true;
        }
        found
    }

    /// Removes the resource `keys` names; true when there was one.
    fn forget(&mut self, keys: &ResourceKeys) -> bool {
        let before = self.resources.len();
        self.resources.retain(|entry| !entry_matches(entry, keys));
        self.resources.len() != before
    }

    /// The resources of one add-on behind one environment's URLs, oldest first.
    pub fn live<'a>(
        &'a self,
        manifest_id: &'a str,
        environment: Environment,
    ) -> impl Iterator<Item = &'a LedgerEntry> + 'a {
        self.resources
            .iter()
            .filter(move |entry| entry.manifest_id == manifest_id && entry.environment == environment.key())
    }

    /// The resource `key` (its uuid or its id) names, or the newest live one when `key` is
    /// `None`.
    pub fn find<'a>(&'a self, manifest_id: &'a str, environment: Environment, key: Option<&'a str>) -> Lookup<'a> {
        match key {
            None => self.live(manifest_id, environment).last().map_or(Lookup::Empty, Lookup::Found),
            Some(key) => self
                .live(manifest_id, environment)
                .filter(|entry| entry.uuid == key || entry.id == key)
                .last()
                .map_or(Lookup::Unknown(key), Lookup::Found),
        }
    }
}

/// Whether `keys` name `entry`: both keys when both are known and differ (one uuid may
/// have been answered with two ids), else the one key given.
fn entry_matches(entry: &LedgerEntry, keys: &ResourceKeys) -> bool {
    match (keys.uuid.as_deref(), keys.id.as_deref()) {
        (Some(uuid), Some(id)) if uuid != id => entry.uuid == uuid && entry.id == id,
        (Some(key), _) | (None, Some(key)) => entry.uuid == key || entry.id == key,
        (None, None) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(uuid: &str, id: &str) -> LedgerEntry {
        LedgerEntry {
            uuid: uuid.to_string(),
            id: id.to_string(),
            plan: "test".to_string(),
            region: Some("amazon-web-services::us-east-1".to_string()),
            manifest_id: "myaddon".to_string(),
            environment: "test".to_string(),
            created_at: "2026-11-29T12:00:00Z".to_string(),
            command: "kensa test provision".to_string(),
        }
    }

    #[test]
    fn finds_by_either_key_or_the_newest() {
        let mut ledger = Ledger::default();
        ledger.record(entry("u-1", "1"));
        ledger.record(entry("u-2", "2"));
        let found = |key| match ledger.find("myaddon", Environment::Test, key) {
            Lookup::Found(entry) => entry.uuid.clone(),
            other => format!("{other:?}"),
        };
        assert_eq!(found(None), "u-2");
        assert_eq!(found(Some("1")), "u-1");
        assert_eq!(found(Some("u-1")), "u-1");
        assert_eq!(found(Some("9")), "Unknown(\"9\")");
        assert_eq!(ledger.find("other", Environment::Test, None), Lookup::Empty);
        assert_eq!(ledger.find("myaddon", Environment::Production, None), Lookup::Empty);
    }

    #[test]
    fn a_repeat_replaces_and_a_removal_forgets() {
        let mut ledger = Ledger::default();
        ledger.record(entry("u-1", "1"));
        ledger.record(entry("u-1", "1"));
        assert_eq!(ledger.resources.len(), 1);
        ledger.change_plan(&ResourceKeys::both("u-1", "1"), "premium");
        assert_eq!(ledger.resources[0].plan, "premium");
        assert!(!ledger.forget(&ResourceKeys { uuid: Some("u-9".into()), id: None }));
        assert!(ledger.forget(&ResourceKeys { uuid: None, id: Some("1".into()) }));
        assert!(ledger.resources.is_empty());
    }

    /// One uuid answered with two ids (a v1 provider failing D01) is two resources; removing
    /// the extra keeps the first.
    #[test]
    fn two_ids_for_one_uuid_are_two_resources() {
        let mut ledger = Ledger::default();
        ledger.record(entry("u-1", "1"));
        ledger.record(entry("u-1", "2"));
        assert_eq!(ledger.resources.len(), 2);
        assert!(ledger.forget(&ResourceKeys::both("u-1", "2")));
        assert_eq!(ledger.resources, [entry("u-1", "1")]);
    }

    #[test]
    fn reads_back_what_it_writes() {
        let mut ledger = Ledger::default();
        ledger.record(entry("u-1", "1"));
        assert_eq!(Ledger::parse(&ledger.to_json()), Ok(ledger));
        assert_eq!(Ledger::parse(""), Ok(Ledger::default()));
        assert!(Ledger::parse("[").unwrap_err().starts_with("not a kensa resource list"));
    }

    /// Files written before kensa recorded regions still load, and the region of a new
    /// resource is the one its provision carried.
    #[test]
    fn a_region_is_recorded_and_older_entries_have_none() {
        let old = r#"{"resources": [{"uuid": "u-1", "id": "1", "plan": "test", "manifest_id": "myaddon",
            "environment": "test", "created_at": "2026-11-29T12:00:00Z", "command": "kensa test provision"}]}"#;
        let mut ledger = Ledger::parse(old).unwrap();
        assert_eq!(ledger.resources, [LedgerEntry { region: None, ..entry("u-1", "1") }]);
        assert!(!ledger.to_json().contains("region"), "an unknown region is left out, not written as null");
        let provenance = Provenance {
            manifest_id: "myaddon".to_string(),
            environment: Environment::Test,
            command: "kensa test provision".to_string(),
        };
        let region = "amazon-web-services::eu-west-1".to_string();
        let event = ResourceEvent::Provisioned { uuid: "u-2".into(), id: "2".into(), plan: "test".into(), region };
        assert!(ledger.apply(&event, &provenance, 0));
        assert_eq!(ledger.resources[1].region.as_deref(), Some("amazon-web-services::eu-west-1"));
        assert_eq!(Ledger::parse(&ledger.to_json()), Ok(ledger));
    }

    #[test]
    fn an_entry_with_a_dot_segment_key_is_refused() {
        for (uuid, id, field) in [("u-1", "..", "id"), (".", "1", "uuid"), ("u-1", "%2E%2e", "id"), ("u-1", "", "id")] {
            let mut ledger = Ledger::default();
            ledger.record(entry("u-0", "0"));
            ledger.record(entry(uuid, id));
            let error = Ledger::parse(&ledger.to_json()).unwrap_err();
            assert!(error.starts_with(&format!("resources[1].{field} ")), "{error}");
            assert!(error.contains("path segment"), "{error}");
        }
    }
}
