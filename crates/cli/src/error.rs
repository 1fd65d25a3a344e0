//! Why kensa could not run (exit code 2), as opposed to a check failing (exit code 1).

use kensa_checks::render::visible;
use std::fmt;
use std::path::Path;

#[derive(Debug)]
pub(crate) struct CliError {
    pub(crate) message: String,
    pub(crate) hint: Option<String>,
}

impl CliError {
    pub(crate) fn new(message: impl Into<String>) -> CliError {
        CliError { message: message.into(), hint: None }
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
            std::io::ErrorKind::FileTooLarge => "larger than 1 MiB, the most kensa reads".to_string(),
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
