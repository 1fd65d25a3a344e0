//! `kensa run CMD`: provision, run CMD with the declared config vars, change plan,
//! deprovision, even when CMD fails.

use crate::args::RunArgs;
use crate::context::Context;
use crate::error::{ExitStatus, Result};
use crate::host::ManifestFile;
use crate::output::warn_line;
use kensa_checks::{CheckRun, CommandOutcome, Provisioned, Transport};
use kensa_manifest::Manifest;
use std::process::Stdio;

/// `kensa run`: the engine provisions, this runs the command with the declared config
/// vars and records how it ended, then the engine changes plan and deprovisions.
pub(crate) fn run(context: &Context, args: RunArgs) -> Result<ExitStatus> {
    let manifest = ManifestFile::read(context)?;
    let report = manifest.run_with_resource(&args.command.join(" "), |session, manifest, resource| {
        run_command(session, manifest, resource, &args.command)
    })?;
    Ok(ExitStatus::of(&report))
}

/// Runs `command` with the config vars of the new `resource` that `manifest` declares, and
/// records how it ended.
fn run_command<T: Transport>(
    session: &mut CheckRun<'_, T>,
    manifest: &Manifest,
    resource: &Provisioned,
    command: &[String],
) {
    let display = command.join(" ");
    let Exports { exported: declared, starters, undeclared } =
        split_declared(&resource.config, &manifest.api.config_vars);
    let shown = |names: &[String]| {
        names
            .iter()
            .map(|name| kensa_checks::render::visible(&session.redacted(name)).into_owned())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !starters.is_empty() {
        warn_line!(
            "warning: not exporting {} to the command: kensa never exports a name that changes how programs \
             load or start",
            shown(&starters)
        );
    }
    if !undeclared.is_empty() {
        warn_line!(
            "warning: not exporting {} to the command: the manifest's `api.config_vars` does not declare {} (R05)",
            shown(&undeclared),
            if undeclared.len() == 1 { "it" } else { "them" }
        );
    }
    let exported = Provisioned { config: declared, ..resource.clone() };
    session.message(&format!("\nStarting {display}...\n"));
    let outcome = spawn_and_wait(command, &exported.config);
    session.message(&format!("\nEnd of {display}"));
    session.record_command(&display, &exported, &outcome);
}

/// A provision's config vars sorted by whether the command gets them.
#[derive(Debug, PartialEq, Eq)]
struct Exports {
    /// Declared in the manifest, and harmless: exported.
    exported: Vec<(String, String)>,
    /// Names that change how programs load or start (`PATH`, `LD_PRELOAD`, `BASH_ENV`, ...),
    /// declared or not: a provider must not choose them for the user.
    starters: Vec<String>,
    /// Other names the manifest does not declare.
    undeclared: Vec<String>,
}

fn split_declared(config: &[(String, String)], declared: &[String]) -> Exports {
    let mut exports = Exports { exported: Vec::new(), starters: Vec::new(), undeclared: Vec::new() };
    for (name, value) in config {
        if kensa_manifest::changes_how_programs_start(name).is_some() {
            exports.starters.push(name.clone());
        } else if declared.contains(name) {
            exports.exported.push((name.clone(), value.clone()));
        } else {
            exports.undeclared.push(name.clone());
        }
    }
    exports
}

/// Starts `command` with the declared config vars added to kensa's own environment. The
/// program is looked up on the user's `PATH` first and started by that path, so nothing
/// the provider returned decides which program runs.
fn spawn_and_wait(command: &[String], config: &[(String, String)]) -> CommandOutcome {
    let Some((program, args)) = command.split_first() else {
        return CommandOutcome::NotStarted("no command given".to_string());
    };
    let Some(resolved) = resolve_program(program, std::env::var_os("PATH").as_deref()) else {
        return CommandOutcome::NotStarted(format!("{program}: command not found"));
    };
    let mut child = std::process::Command::new(&resolved);
    #[cfg(unix)]
    std::os::unix::process::CommandExt::arg0(&mut child, program);
    child.args(args).envs(config.iter().map(|(key, value)| (key, value)));
    // Keep a machine-readable report on stdout clean of the command's own output.
    child.stdout(Stdio::from(std::io::stderr()));
    match child.status() {
        Ok(status) => match status.code() {
            Some(code) => CommandOutcome::Exited(code),
            None => CommandOutcome::Signalled(signal_of(&status)),
        },
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            CommandOutcome::NotStarted(format!("{program}: command not found"))
        }
        Err(error) => CommandOutcome::NotStarted(error.to_string()),
    }
}

/// Where `program` is, found as a shell would on `path` (the user's `PATH`): a name with
/// a `/` is used as it is; otherwise the first executable file of that name in a `PATH`
/// folder (an empty entry is the current folder), made absolute.
#[cfg(unix)]
fn resolve_program(program: &str, path: Option<&std::ffi::OsStr>) -> Option<std::path::PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    if program.is_empty() {
        return None;
    }
    if program.contains('/') {
        return Some(program.into());
    }
    // What execvp searches when PATH is unset.
    let path = path.unwrap_or_else(|| std::ffi::OsStr::new("/bin:/usr/bin"));
    std::env::split_paths(path).find_map(|folder| {
        let folder = if folder.as_os_str().is_empty() { std::path::PathBuf::from(".") } else { folder };
        let candidate = folder.join(program);
        let metadata = std::fs::metadata(&candidate).ok()?;
        let executable = metadata.is_file() && metadata.permissions().mode() & 0o111 != 0;
        executable.then(|| std::path::absolute(&candidate).unwrap_or(candidate))
    })
}

/// Elsewhere the provider cannot set `PATH` (it is never declared), so the system's own
/// lookup is kept.
#[cfg(not(unix))]
fn resolve_program(program: &str, _path: Option<&std::ffi::OsStr>) -> Option<std::path::PathBuf> {
    (!program.is_empty()).then(|| program.into())
}

#[cfg(unix)]
fn signal_of(status: &std::process::ExitStatus) -> i32 {
    use std::os::unix::process::ExitStatusExt;
    status.signal().unwrap_or(0)
}

#[cfg(not(unix))]
fn signal_of(_: &std::process::ExitStatus) -> i32 {
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_declared_config_vars_are_exported() {
        let config: Vec<(String, String)> = [("PATH", "/evil"), ("MYADDON_URL", "u"), ("LD_PRELOAD", "/evil.so")]
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .into();
        let exports = split_declared(&config, &["MYADDON_URL".to_string()]);
        assert_eq!(exports.exported, [("MYADDON_URL".to_string(), "u".to_string())]);
        assert_eq!(exports.starters, ["PATH", "LD_PRELOAD"]);
        assert!(exports.undeclared.is_empty());
    }

    /// Declaring a name does not make it exportable when it changes how programs start.
    #[test]
    fn names_that_change_how_programs_start_are_never_exported() {
        let config: Vec<(String, String)> =
            [("LD_PRELOAD", "/evil.so"), ("path", "/evil"), ("LD_URL", "u"), ("X", "x")]
                .map(|(name, value)| (name.to_string(), value.to_string()))
                .into();
        let declared = ["LD_PRELOAD", "path", "LD_URL"].map(str::to_string);
        let exports = split_declared(&config, &declared);
        assert_eq!(exports.starters, ["LD_PRELOAD", "path", "LD_URL"]);
        assert!(exports.exported.is_empty());
        assert_eq!(exports.undeclared, ["X"]);
    }

    /// The program is found on the PATH given (the user's), as a shell finds it.
    #[cfg(unix)]
    #[test]
    fn programs_are_found_on_the_given_path_only() {
        use std::os::unix::fs::PermissionsExt;
        let first = tempfile::tempdir().unwrap();
        let second = tempfile::tempdir().unwrap();
        let make = |dir: &std::path::Path, mode: u32| {
            let path = dir.join("tool");
            std::fs::write(&path, "#!/bin/sh\n").unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
            path
        };
        make(first.path(), 0o644);
        let executable = make(second.path(), 0o755);
        let path = std::env::join_paths([first.path(), second.path()]).unwrap();
        // The first `tool` is not executable, so the second is the one.
        assert_eq!(resolve_program("tool", Some(&path)), Some(executable));
        assert_eq!(resolve_program("tool", Some(std::ffi::OsStr::new("/kensa-nowhere"))), None);
        assert_eq!(resolve_program("./tool", Some(&path)), Some("./tool".into()));
        assert_eq!(resolve_program("", Some(&path)), None);
    }
}
