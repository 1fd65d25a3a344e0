//! The resource ledger on disk: `.kensa-resources.json` next to the manifest, readable by
//! the user only, rewritten after every change so an interrupted run still leaves a record.

use crate::error::{CliError, Result};
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

/// Whether `path` names the ledger beside `manifest`, whether the ledger exists yet or not.
pub(crate) fn is_the_ledger(path: &Path, manifest: &Path) -> bool {
    let ledger = folder_of(manifest).join(LEDGER_FILE);
    crate::files::same_file(path, &ledger)
        || (path.file_name() == ledger.file_name() && crate::files::same_file(folder_of(path), folder_of(manifest)))
}

/// A ledger loaded from its file, written back on every change.
pub(crate) struct LedgerFile {
    path: PathBuf,
    ledger: Ledger,
    /// Why the file could not be used, when it could not: kensa then never overwrites it.
    unusable: Option<String>,
}

impl LedgerFile {
    /// The ledger beside `manifest`; a missing file is an empty ledger. A file kensa cannot
    /// read or understand (a link, a FIFO, a directory, broken JSON) is left alone, with a
    /// warning, and nothing is recorded.
    pub(crate) fn beside(manifest: &Path) -> LedgerFile {
        let path = folder_of(manifest).join(LEDGER_FILE);
        let loaded = match std::fs::symlink_metadata(&path) {
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(Ledger::default()),
            Ok(metadata) if metadata.file_type().is_symlink() => {
                Err("it is a symbolic link, which kensa neither follows nor replaces".to_string())
            }
            _ => crate::files::read_regular(&path, crate::files::Links::Refuse)
                .map_err(|error| error.to_string())
                .and_then(|bytes| Ledger::parse(&String::from_utf8_lossy(&bytes))),
        };
        match loaded {
            Ok(ledger) => LedgerFile { path, ledger, unusable: None },
            Err(reason) => {
                crate::output::warn_line!(
                    "warning: cannot use {}: {reason}; resources are not recorded until it is fixed or removed",
                    path.display(),
                );
                LedgerFile { path, ledger: Ledger::default(), unusable: Some(reason) }
            }
        }
    }

    /// Fails when the file could not be used: for commands that only work from the ledger,
    /// an unreadable one is not an empty one.
    pub(crate) fn usable(&self) -> Result<()> {
        match &self.unusable {
            None => Ok(()),
            Some(reason) => Err(CliError::new(format!("cannot use {}: {reason}", self.path.display()))
                .hint(format!("remove or fix {}, or name the resource with --id or --uuid", self.path.display()))),
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
        if self.unusable.is_none()
            && self.ledger.apply(event, provenance, clock.now_ms())
            && let Err(error) = self.save()
        {
            crate::output::warn_line!("warning: cannot write {}: {error}", self.path.display());
        }
    }

    /// Writes the ledger, readable by the user only; a link planted at the path is
    /// replaced, never written through ([`crate::files::replace`]).
    fn save(&self) -> std::io::Result<()> {
        crate::files::replace(&self.path, self.ledger.to_json().as_bytes(), crate::files::Access::Private)
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
        self.usable()?;
        match self.ledger.find(manifest_id, environment, key) {
            Lookup::Found(entry) => Ok(entry.keys()),
            Lookup::Unknown(key) => Ok(ResourceKeys::either(key)),
            Lookup::Empty => Err(CliError::new(format!(
                "no resource to use: {} lists no live {} resource of `{manifest_id}`",
                self.path.display(),
                environment.key()
            ))
            .hint("give its KEY (Heroku's uuid or your id), or make one with `kensa test provision`")),
        }
    }
}

/// A name `kensa init` or `kensa create` keeps out of git, with the comment above it.
pub(crate) struct Ignore {
    pub(crate) name: &'static str,
    pub(crate) why: &'static str,
}

/// The ledger: the resources' keys.
pub(crate) const IGNORE_LEDGER: Ignore =
    Ignore { name: LEDGER_FILE, why: "resources kensa provisioned (kensa resources)" };

/// `.env`: the password and SSO salt, for the service.
pub(crate) const IGNORE_DOTENV: Ignore =
    Ignore { name: ".env", why: "the service's secrets (HEROKU_PASSWORD, SSO_SALT)" };

/// What to do with a `.gitignore` that is a symbolic link.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum GitignoreLink {
    /// The user's own (`kensa init`): left as it is.
    Keep,
    /// A cloned template's (`kensa create`): replaced by a regular file. What it points at
    /// is never read, so nothing from outside the project is copied in.
    Replace,
}

/// What [`ignore_in_git`] did.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Ignored {
    /// These names were added; none when all were listed already.
    Added(Vec<&'static str>),
    /// `.gitignore` is a link, left as it is.
    LinkKept,
    /// `.gitignore` was a link: now a regular file listing every name.
    LinkReplaced,
}

/// Adds each of `names` to the `.gitignore` in `folder` (creating it) unless it is listed.
pub(crate) fn ignore_in_git(folder: &Path, names: &[Ignore], link: GitignoreLink) -> std::io::Result<Ignored> {
    let path = folder.join(".gitignore");
    let (existing, is_link) = match std::fs::symlink_metadata(&path) {
        Ok(metadata) if metadata.file_type().is_symlink() => match link {
            GitignoreLink::Keep => return Ok(Ignored::LinkKept),
            GitignoreLink::Replace => (Vec::new(), true),
        },
        Ok(_) => (crate::files::read_regular(&path, crate::files::Links::Refuse)?, false),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => (Vec::new(), false),
        Err(error) => return Err(error),
    };
    let text = String::from_utf8_lossy(&existing);
    let listed = |name: &str| text.lines().any(|line| line.trim() == name || line.trim() == format!("/{name}"));
    let missing: Vec<&Ignore> = names.iter().filter(|ignore| !listed(ignore.name)).collect();
    if missing.is_empty() && !is_link {
        return Ok(Ignored::Added(Vec::new()));
    }
    let mut updated = text.into_owned();
    if !updated.is_empty() && !updated.ends_with('\n') {
        updated.push('\n');
    }
    for ignore in &missing {
        updated.push_str(&format!("# {}\n{}\n", ignore.why, ignore.name));
    }
    crate::files::replace(&path, updated.as_bytes(), crate::files::Access::Shared { executable: false })?;
    Ok(if is_link { Ignored::LinkReplaced } else { Ignored::Added(missing.iter().map(|ignore| ignore.name).collect()) })
}
