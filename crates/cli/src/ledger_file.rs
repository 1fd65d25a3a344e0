//! The resource ledger on disk: `.kensa-resources.json` next to the manifest, readable by
//! the user only, rewritten after every change so an interrupted run still leaves a record.

use crate::Result;
use crate::error::CliError;
use kensa_checks::ResourceKeys;
use kensa_checks::encoding::{DOT_SEGMENT_REASON, is_dot_or_empty_segment};
use kensa_checks::ledger::{Ledger, Lookup};
use kensa_checks::{Clock, Provenance, ResourceEvent};
use kensa_manifest::Environment;
use std::path::{Path, PathBuf};

/// The ledger's file name, in the manifest's folder (and in `.gitignore`).
pub(crate) const LEDGER_FILE: &str = ".kensa-resources.json";

/// The folder `manifest` is in (`.` for a bare file name): where its ledger lives.
pub(crate) fn folder_of(manifest: &Path) -> &Path {
    manifest.parent().filter(|parent| !parent.as_os_str().is_empty()).unwrap_or(Path::new("."))
}

/// A ledger loaded from its file, written back on every change.
pub(crate) struct LedgerFile {
    path: PathBuf,
    ledger: Ledger,
    /// False when the file could not be read: kensa then never overwrites it.
    writable: bool,
}

impl LedgerFile {
    /// The ledger beside `manifest`; a missing file is an empty ledger. A file kensa cannot
    /// read or understand is left alone (with a warning) and nothing is recorded.
    pub(crate) fn beside(manifest: &Path) -> LedgerFile {
        let path = folder_of(manifest).join(LEDGER_FILE);
        let loaded = match std::fs::symlink_metadata(&path) {
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(Ledger::default()),
            Ok(metadata) if metadata.file_type().is_symlink() => {
                Err("it is a symbolic link, which kensa neither follows nor replaces".to_string())
            }
            _ => crate::files::read_limited(&path)
                .map_err(|error| error.to_string())
                .and_then(|bytes| Ledger::parse(&String::from_utf8_lossy(&bytes))),
        };
        match loaded {
            Ok(ledger) => LedgerFile { path, ledger, writable: true },
            Err(reason) => {
                eprintln!(
                    "warning: cannot use {}: {}; resources are not recorded until it is fixed or removed",
                    path.display(),
                    kensa_checks::render::visible(&reason)
                );
                LedgerFile { path, ledger: Ledger::default(), writable: false }
            }
        }
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    /// Records what the engine reported and writes the file at once.
    pub(crate) fn apply(&mut self, event: &ResourceEvent, provenance: &Provenance, clock: &dyn Clock) {
        if self.writable
            && self.ledger.apply(event, provenance, clock.now_ms())
            && let Err(error) = self.save()
        {
            eprintln!("warning: cannot write {}: {error}", self.path.display());
        }
    }

    /// Writes the ledger, readable by the user only; a link planted at the path is
    /// replaced, never written through ([`crate::files::replace`]).
    fn save(&self) -> std::io::Result<()> {
        crate::files::replace(&self.path, self.ledger.to_json().as_bytes(), Some(0o600))
    }

    /// False when the file could not be read or was refused (a warning said why).
    pub(crate) fn is_usable(&self) -> bool {
        self.writable
    }

    /// The keys of the resource a command names: `key` (either of its keys) looked up in
    /// the ledger, `--id`/`--uuid` for a resource made elsewhere, or with none of these the
    /// newest live resource of this add-on. A key that cannot be a path segment is refused.
    pub(crate) fn resolve(
        &self,
        manifest_id: &str,
        environment: Environment,
        key: Option<&str>,
        id: Option<&str>,
        uuid: Option<&str>,
    ) -> Result<ResourceKeys> {
        for (what, given) in [("KEY", key), ("--id", id), ("--uuid", uuid)] {
            if let Some(given) = given.filter(|given| is_dot_or_empty_segment(given)) {
                return Err(CliError::new(format!(
                    "{what} {given:?} is unusable as a path segment: {DOT_SEGMENT_REASON}"
                ))
                .hint("give the resource's uuid or id, as `kensa resources` lists them"));
            }
        }
        if id.is_some() || uuid.is_some() {
            let mut keys = match key.map(|key| self.ledger.find(manifest_id, environment, Some(key))) {
                Some(Lookup::Found(entry)) => entry.keys(),
                _ => ResourceKeys::default(),
            };
            if let Some(id) = id {
                keys.id = Some(id.to_string());
            }
            if let Some(uuid) = uuid {
                keys.uuid = Some(uuid.to_string());
            }
            return Ok(keys);
        }
        match self.ledger.find(manifest_id, environment, key) {
            Lookup::Found(entry) => Ok(entry.keys()),
            Lookup::Unknown(key) => Ok(ResourceKeys::either(key)),
            Lookup::Empty if !self.writable => Err(CliError::new(format!(
                "no resource to use: {} could not be used (see the warning above)",
                self.path.display()
            ))
            .hint("give its KEY (Heroku's uuid or your id), or fix or remove the file")),
            Lookup::Empty => Err(CliError::new(format!(
                "no resource to use: {} lists no live {} resource of `{manifest_id}`",
                self.path.display(),
                environment.key()
            ))
            .hint("give its KEY (Heroku's uuid or your id), or make one with `kensa test provision`")),
        }
    }
}

/// Adds the ledger's name to the `.gitignore` in `folder` (creating it), unless it is
/// there; true when it added it. A `.gitignore` that is a link is left alone.
pub(crate) fn ignore_in_git(folder: &Path) -> std::io::Result<bool> {
    let path = folder.join(".gitignore");
    let existing = match std::fs::symlink_metadata(&path) {
        Ok(metadata) if metadata.file_type().is_symlink() => return Ok(false),
        Ok(_) => crate::files::read_limited(&path)?,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(error) => return Err(error),
    };
    let text = String::from_utf8_lossy(&existing);
    if text.lines().any(|line| line.trim() == LEDGER_FILE || line.trim() == format!("/{LEDGER_FILE}")) {
        return Ok(false);
    }
    let mut updated = text.into_owned();
    if !updated.is_empty() && !updated.ends_with('\n') {
        updated.push('\n');
    }
    updated.push_str(&format!("# resources kensa provisioned (kensa resources)\n{LEDGER_FILE}\n"));
    crate::files::replace(&path, updated.as_bytes(), None)?;
    Ok(true)
}
