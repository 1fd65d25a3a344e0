//! How a command ends: the documented exit codes, and why kensa could not run (exit code 2)
//! as opposed to a check failing (exit code 1).

use kensa_checks::Report;
use kensa_checks::render::visible;
use std::fmt;
use std::path::Path;
use std::process::ExitCode;

/// The documented exit codes (`EXIT_CODES` in the help).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitStatus {
    /// Every check passed (warnings allowed).
    Passed = 0,
    /// A check failed.
    Failed = 1,
    /// kensa could not run.
    Error = 2,
}

impl ExitStatus {
    /// A finished run's status: 1 when any check failed.
    pub(crate) fn of(report: &Report) -> ExitStatus {
        if report.passed() { ExitStatus::Passed } else { ExitStatus::Failed }
    }
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> ExitCode {
        ExitCode::from(status as u8)
    }
}

pub(crate) type Result<T, E = CliError> = std::result::Result<T, E>;

#[derive(Debug)]
pub(crate) struct CliError {
    pub(crate) message: String,
    pub(crate) hint: Option<String>,
    /// Standard output's reader went away (see [`CliError::closed_pipe`]).
    closed_pipe: bool,
}

impl CliError {
    pub(crate) fn new(message: impl Into<String>) -> CliError {
        CliError { message: message.into(), hint: None, closed_pipe: false }
    }

    /// The reader of standard output went away (`kensa ... | head`): the command ends
    /// quietly with exit code 0, as ripgrep does, since nobody is left to tell.
    pub(crate) fn closed_pipe() -> CliError {
        CliError { closed_pipe: true, ..CliError::new("standard output was closed") }
    }

    pub(crate) fn is_closed_pipe(&self) -> bool {
        self.closed_pipe
    }

    pub(crate) fn hint(mut self, hint: impl Into<String>) -> CliError {
        self.hint = Some(hint.into());
        self
    }

    pub(crate) fn unreadable(path: &Path, error: &std::io::Error) -> CliError {
        let reason = match error.kind() {
            std::io::ErrorKind::NotFound => "no such file".to_string(),
            std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
            std::io::ErrorKind::IsADirectory => "it is a directory".to_string(),
            // The limit is in the error: it differs between manifests and reports.
            std::io::ErrorKind::FileTooLarge => error.to_string(),
            _ => error.to_string(),
        };
        let error = CliError::new(format!("cannot read {}: {reason}", path.display()));
        if error.message.ends_with("no such file") {
            error.hint("run `kensa init` to write a manifest, or pass its path with -f FILE")
        } else {
            error
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Messages quote paths, URLs and answers from elsewhere: show their control
        // characters rather than send them to the terminal.
        write!(f, "error: {}", visible(&self.message))?;
        if let Some(hint) = &self.hint {
            write!(f, "\nhint: {}", visible(hint))?;
        }
        Ok(())
    }
}
