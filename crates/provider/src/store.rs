//! Resources in SQLite: in memory by default, or a file (WAL mode) that survives restarts.

use std::io;
use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};

use rusqlite::{Connection, OptionalExtension, Row, params};

/// One provisioned resource, live or deprovisioned (kept as a tombstone for 410).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resource {
    /// The provider's id, returned as `id` at provision time.
    pub id: String,
    /// Heroku's resource uuid, when the request had one.
    pub uuid: Option<String>,
    /// The v1 `heroku_id`, when the request had one.
    pub heroku_id: Option<String>,
    /// Current plan slug.
    pub plan: String,
    /// Protocol version the resource was provisioned with: 1 or 3.
    pub api_version: u8,
    /// Whether a `log_drain_token` came with the provision request.
    pub has_log_drain: bool,
    /// True while asynchronous provisioning has not finished (the 202 was sent, the
    /// callbacks to Heroku have not all succeeded yet). False for synchronous provisions.
    pub provisioning: bool,
    /// False once deprovisioned.
    pub live: bool,
}

/// What a provision request asks the store to create.
pub(crate) struct NewResource<'a> {
    pub(crate) id: &'a str,
    pub(crate) uuid: Option<&'a str>,
    pub(crate) heroku_id: Option<&'a str>,
    pub(crate) plan: &'a str,
    pub(crate) region: Option<&'a str>,
    pub(crate) name: Option<&'a str>,
    pub(crate) api_version: u8,
    pub(crate) options_json: &'a str,
    pub(crate) log_drain_token: Option<&'a str>,
    pub(crate) log_input_url: Option<&'a str>,
    /// Stored as `provisioning` (async mode) rather than `provisioned`.
    pub(crate) provisioning: bool,
    pub(crate) now: i64,
}

/// The result of a lookup that may hit a tombstone.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Found {
    Live(Resource),
    Gone(Resource),
    Missing,
}

pub(crate) struct Store {
    conn: Mutex<Connection>,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS resources (
    id              TEXT PRIMARY KEY,
    -- The UNIQUE constraint is what makes a repeated v3 provision idempotent.
    uuid            TEXT UNIQUE,
    -- Set only by the new-id-for-repeated-uuid and duplicate-overlapping-provisions faults:
    -- the uuid of a duplicate row.
    uuid_alias      TEXT,
    heroku_id       TEXT,
    plan            TEXT NOT NULL,
    region          TEXT,
    name            TEXT,
    api_version     INTEGER NOT NULL,
    options         TEXT NOT NULL DEFAULT '{}',
    log_drain_token TEXT,
    log_input_url   TEXT,
    created_at      INTEGER NOT NULL,
    deprovisioned_at INTEGER,
    -- 'provisioning' until an asynchronous provision has called Heroku back.
    state           TEXT NOT NULL DEFAULT 'provisioned'
);
CREATE INDEX IF NOT EXISTS resources_uuid_alias ON resources (uuid_alias);
";

/// Brings a file written by an older provider up to [`SCHEMA`].
const ADD_STATE: &str = "ALTER TABLE resources ADD COLUMN state TEXT NOT NULL DEFAULT 'provisioned'";

const PROVISIONING: &str = "provisioning";
const PROVISIONED: &str = "provisioned";

const COLUMNS: &str = "id, uuid, heroku_id, plan, api_version, log_drain_token IS NOT NULL, \
     deprovisioned_at IS NULL, state = 'provisioning'";

fn storage_error(e: rusqlite::Error) -> io::Error {
    io::Error::other(format!("resource store: {e}"))
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<Resource> {
    Ok(Resource {
        id: row.get(0)?,
        uuid: row.get(1)?,
        heroku_id: row.get(2)?,
        plan: row.get(3)?,
        api_version: row.get(4)?,
        has_log_drain: row.get(5)?,
        live: row.get(6)?,
        provisioning: row.get(7)?,
    })
}

impl Store {
    pub(crate) fn open(path: Option<&Path>) -> io::Result<Store> {
        let conn = match path {
            Some(path) => {
                let conn = Connection::open(path).map_err(storage_error)?;
                // WAL lets a second process (or a restarted provider) read while we write.
                let _mode: String =
                    conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0)).map_err(storage_error)?;
                conn.pragma_update(None, "synchronous", "NORMAL").map_err(storage_error)?;
                conn.busy_timeout(std::time::Duration::from_secs(5)).map_err(storage_error)?;
                conn
            }
            None => Connection::open_in_memory().map_err(storage_error)?,
        };
        conn.execute_batch(SCHEMA).map_err(storage_error)?;
        let has_state: bool = conn
            .query_row("SELECT COUNT(*) > 0 FROM pragma_table_info('resources') WHERE name = 'state'", [], |r| r.get(0))
            .map_err(storage_error)?;
        if !has_state {
            conn.execute_batch(ADD_STATE).map_err(storage_error)?;
        }
        Ok(Store { conn: Mutex::new(conn) })
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic elsewhere cannot leave SQLite half-written, so a poisoned lock is still usable.
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn live_count(&self) -> io::Result<usize> {
        self.conn()
            .query_row("SELECT COUNT(*) FROM resources WHERE deprovisioned_at IS NULL", [], |r| r.get::<_, i64>(0))
            .map(|n| usize::try_from(n).unwrap_or(0))
            .map_err(storage_error)
    }

    pub(crate) fn live(&self) -> io::Result<Vec<Resource>> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(&format!(
                "SELECT {COLUMNS} FROM resources WHERE deprovisioned_at IS NULL ORDER BY created_at, rowid"
            ))
            .map_err(storage_error)?;
        let rows = stmt
            .query_map([], from_row)
            .map_err(storage_error)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(storage_error)?;
        Ok(rows)
    }

    /// Looks a resource up by provider id, or also by Heroku uuid when `by_uuid`.
    pub(crate) fn find(&self, key: &str, by_uuid: bool) -> io::Result<Found> {
        let sql = if by_uuid {
            format!(
                "SELECT {COLUMNS} FROM resources WHERE uuid = ?1 OR id = ?1 OR uuid_alias = ?1 ORDER BY deprovisioned_at IS NULL DESC, rowid LIMIT 1"
            )
        } else {
            format!("SELECT {COLUMNS} FROM resources WHERE id = ?1")
        };
        let found = self.conn().query_row(&sql, [key], from_row).optional().map_err(storage_error)?;
        Ok(match found {
            Some(r) if r.live => Found::Live(r),
            Some(r) => Found::Gone(r),
            None => Found::Missing,
        })
    }

    /// The newest live resource (for the same-id-for-every-uuid fault).
    pub(crate) fn newest_live(&self) -> io::Result<Option<Resource>> {
        self.conn()
            .query_row(
                &format!("SELECT {COLUMNS} FROM resources WHERE deprovisioned_at IS NULL ORDER BY rowid DESC LIMIT 1"),
                [],
                from_row,
            )
            .optional()
            .map_err(storage_error)
    }

    /// Inserts, or returns the existing row when the uuid is already known.
    /// The bool is true when a row was created.
    pub(crate) fn insert(&self, new: &NewResource<'_>) -> io::Result<(Resource, bool)> {
        let conn = self.conn();
        let inserted = insert_row(&conn, "uuid", "ON CONFLICT (uuid) DO NOTHING", new).map_err(storage_error)?;
        let (sql, key) = match (inserted, new.uuid) {
            (0, Some(uuid)) => (format!("SELECT {COLUMNS} FROM resources WHERE uuid = ?1"), uuid),
            _ => (format!("SELECT {COLUMNS} FROM resources WHERE id = ?1"), new.id),
        };
        let resource = conn.query_row(&sql, [key], from_row).map_err(storage_error)?;
        Ok((resource, inserted > 0))
    }

    /// Inserts a second row for a uuid that is already taken (a deliberate bug).
    pub(crate) fn insert_duplicate(&self, new: &NewResource<'_>) -> io::Result<Resource> {
        let conn = self.conn();
        insert_row(&conn, "uuid_alias", "", new).map_err(storage_error)?;
        conn.query_row(&format!("SELECT {COLUMNS} FROM resources WHERE id = ?1"), [new.id], from_row)
            .map_err(storage_error)
    }

    /// Marks every live row matching `resource` (by id, uuid or alias) as deprovisioned.
    pub(crate) fn deprovision(&self, resource: &Resource, now: i64) -> io::Result<()> {
        let conn = self.conn();
        conn.execute(
            "UPDATE resources SET deprovisioned_at = ?2 WHERE id = ?1 AND deprovisioned_at IS NULL",
            params![resource.id, now],
        )
        .map_err(storage_error)?;
        if let Some(uuid) = &resource.uuid {
            // Duplicates made by the new-id-for-repeated-uuid and duplicate-overlapping-provisions
            // faults go with their original.
            conn.execute(
                "UPDATE resources SET deprovisioned_at = ?2 WHERE uuid_alias = ?1 AND deprovisioned_at IS NULL",
                params![uuid, now],
            )
            .map_err(storage_error)?;
        }
        Ok(())
    }

    /// Marks a live resource as provisioned (asynchronous provisioning finished).
    /// False when it is gone (deprovisioned meanwhile) or unknown.
    pub(crate) fn mark_provisioned(&self, id: &str) -> io::Result<bool> {
        self.set_state(id, PROVISIONED)
    }

    /// Back to provisioning, when telling Heroku it is ready failed.
    pub(crate) fn mark_provisioning(&self, id: &str) -> io::Result<bool> {
        self.set_state(id, PROVISIONING)
    }

    /// True when a live resource `id` now has `state`.
    fn set_state(&self, id: &str, state: &str) -> io::Result<bool> {
        self.conn()
            .execute("UPDATE resources SET state = ?2 WHERE id = ?1 AND deprovisioned_at IS NULL", params![id, state])
            .map(|changed| changed > 0)
            .map_err(storage_error)
    }

    pub(crate) fn change_plan(&self, id: &str, plan: &str) -> io::Result<()> {
        self.conn()
            .execute("UPDATE resources SET plan = ?2 WHERE id = ?1", params![id, plan])
            .map(drop)
            .map_err(storage_error)
    }
}

/// Inserts `new`, its uuid in `uuid_column`; `on_conflict` ends the statement.
fn insert_row(
    conn: &Connection,
    uuid_column: &str,
    on_conflict: &str,
    new: &NewResource<'_>,
) -> rusqlite::Result<usize> {
    let sql = format!(
        "INSERT INTO resources (id, {uuid_column}, heroku_id, plan, region, name, api_version, options, log_drain_token, log_input_url, created_at, state)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) {on_conflict}"
    );
    conn.execute(
        &sql,
        params![
            new.id,
            new.uuid,
            new.heroku_id,
            new.plan,
            new.region,
            new.name,
            new.api_version,
            new.options_json,
            new.log_drain_token,
            new.log_input_url,
            new.now,
            state_of(new)
        ],
    )
}

fn state_of(new: &NewResource<'_>) -> &'static str {
    if new.provisioning { PROVISIONING } else { PROVISIONED }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new<'a>(id: &'a str, uuid: Option<&'a str>) -> NewResource<'a> {
        NewResource {
            id,
            uuid,
            heroku_id: None,
            plan: "test",
            region: None,
            name: None,
            api_version: 3,
            options_json: "{}",
            log_drain_token: None,
            log_input_url: None,
            provisioning: false,
            now: 1,
        }
    }

    #[test]
    fn same_uuid_returns_the_first_row() {
        let store = Store::open(None).unwrap();
        let (a, created) = store.insert(&new("aaa", Some("u1"))).unwrap();
        assert!(created);
        let (b, created) = store.insert(&new("bbb", Some("u1"))).unwrap();
        assert!(!created);
        assert_eq!(b.id, "aaa");
        assert_eq!(a, b);
        assert_eq!(store.live_count().unwrap(), 1);
        // Without a uuid (v1) every request is a new resource.
        store.insert(&new("ccc", None)).unwrap();
        store.insert(&new("ddd", None)).unwrap();
        assert_eq!(store.live_count().unwrap(), 3);
    }

    #[test]
    fn deprovision_leaves_a_tombstone() {
        let store = Store::open(None).unwrap();
        let (r, _) = store.insert(&new("aaa", Some("u1"))).unwrap();
        store.deprovision(&r, 2).unwrap();
        assert_eq!(store.live_count().unwrap(), 0);
        assert!(matches!(store.find("u1", true).unwrap(), Found::Gone(_)));
        assert!(matches!(store.find("aaa", false).unwrap(), Found::Gone(_)));
        assert_eq!(store.find("u1", false).unwrap(), Found::Missing);
        assert_eq!(store.find("zzz", true).unwrap(), Found::Missing);
    }

    #[test]
    fn provisioning_until_marked() {
        let store = Store::open(None).unwrap();
        let (r, _) = store.insert(&NewResource { provisioning: true, ..new("aaa", Some("u1")) }).unwrap();
        assert!(r.provisioning);
        assert!(r.live);
        assert!(store.mark_provisioned("aaa").unwrap());
        assert!(!store.live().unwrap()[0].provisioning);
        assert!(!store.mark_provisioned("zzz").unwrap());
        let (r, _) = store.insert(&NewResource { provisioning: true, ..new("bbb", Some("u2")) }).unwrap();
        store.deprovision(&r, 2).unwrap();
        assert!(!store.mark_provisioned("bbb").unwrap());
    }

    #[test]
    fn an_old_file_gains_the_state_column() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.sqlite3");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(
                "CREATE TABLE resources (id TEXT PRIMARY KEY, uuid TEXT UNIQUE, uuid_alias TEXT, heroku_id TEXT,
                 plan TEXT NOT NULL, region TEXT, name TEXT, api_version INTEGER NOT NULL,
                 options TEXT NOT NULL DEFAULT '{}', log_drain_token TEXT, log_input_url TEXT,
                 created_at INTEGER NOT NULL, deprovisioned_at INTEGER);
                 INSERT INTO resources (id, uuid, plan, api_version, created_at) VALUES ('old', 'u0', 'test', 3, 1);",
            )
            .unwrap();
        }
        let store = Store::open(Some(&path)).unwrap();
        let live = store.live().unwrap();
        assert_eq!(live.len(), 1);
        assert!(!live[0].provisioning);
        // Opening again finds the column and leaves it be.
        drop(store);
        Store::open(Some(&path)).unwrap();
    }

    #[test]
    fn duplicates_go_with_their_original() {
        let store = Store::open(None).unwrap();
        let (r, _) = store.insert(&new("aaa", Some("u1"))).unwrap();
        store.insert_duplicate(&new("bbb", Some("u1"))).unwrap();
        assert_eq!(store.live_count().unwrap(), 2);
        store.deprovision(&r, 2).unwrap();
        assert_eq!(store.live_count().unwrap(), 0);
    }
}
