//! The user's files: only regular files are read, with a size limit; files are written whole
//! (a fresh file renamed into place), never through a symbolic link, and readable by the
//! user only when they hold a secret.

use crate::error::{CliError, Result};
use std::fs::{File, FileType, OpenOptions};
use std::io::{self, BufRead, IsTerminal, Read, Write};
use std::path::Path;

/// The most kensa reads of a manifest or any other file it is given. A manifest is a few
/// KiB; the limit keeps a 50 MB file from growing kensa without bound.
pub(crate) const MAX_INPUT_BYTES: u64 = 1 << 20;

/// The most `kensa report` reads of a saved report. A report cuts every body and finding it
/// quotes at 4 KiB, so kensa's own are far smaller; the limit keeps a wrong file (a log, an
/// image) from growing kensa without bound.
pub(crate) const MAX_REPORT_BYTES: u64 = 64 << 20;

/// Whether a read goes through a symbolic link at the path itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Links {
    /// The user's own paths: `-f manifest.json` may well be a link.
    Follow,
    /// Files found beside the manifest (the ledger, `.gitignore`), which a template or
    /// another user may have planted.
    Refuse,
}

/// Reads `path` whole when it is a regular file of at most [`MAX_INPUT_BYTES`]; a FIFO, a
/// device, a socket or a directory is refused before it is opened ([`not_regular`]), and a
/// larger file fails with [`io::ErrorKind::FileTooLarge`] without being read further.
pub(crate) fn read_limited(path: &Path) -> io::Result<Vec<u8>> {
    read_regular(path, Links::Follow)
}

/// [`read_limited`], following a link at `path` or not.
pub(crate) fn read_regular(path: &Path, links: Links) -> io::Result<Vec<u8>> {
    read_bounded(path, links, MAX_INPUT_BYTES)
}

/// [`read_regular`] with a limit of `max` bytes.
pub(crate) fn read_bounded(path: &Path, links: Links, max: u64) -> io::Result<Vec<u8>> {
    // Checked before opening: opening a FIFO waits for a writer, for good if none comes,
    // and opening a device may do something.
    let metadata = match links {
        Links::Follow => std::fs::metadata(path)?,
        Links::Refuse => std::fs::symlink_metadata(path)?,
    };
    refuse_unless_regular(metadata.file_type())?;
    let file = open_for_reading(path, links)?;
    // And again on what was opened, should the path have changed in between.
    let metadata = file.metadata()?;
    refuse_unless_regular(metadata.file_type())?;
    let size = metadata.len().min(max);
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0) + 1);
    file.take(max + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        let limit = format!("larger than {} MiB, the most kensa reads", max >> 20);
        return Err(io::Error::new(io::ErrorKind::FileTooLarge, limit));
    }
    Ok(bytes)
}

/// Opens without waiting: `O_NONBLOCK` makes even a FIFO swapped in after the check open
/// at once (and then fail the check), and `O_NOFOLLOW` refuses a link at the path.
fn open_for_reading(path: &Path, links: Links) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let no_follow = if links == Links::Refuse { libc::O_NOFOLLOW } else { 0 };
        options.custom_flags(libc::O_NONBLOCK | no_follow);
    }
    #[cfg(not(unix))]
    let _ = links;
    options.open(path)
}

fn refuse_unless_regular(kind: FileType) -> io::Result<()> {
    if kind.is_file() { Ok(()) } else { Err(not_regular(kind)) }
}

/// The error for a path that is not a regular file, saying what it is: "it is a FIFO
/// (named pipe), not a regular file".
pub(crate) fn not_regular(kind: FileType) -> io::Error {
    if kind.is_dir() {
        return io::Error::new(io::ErrorKind::IsADirectory, "it is a directory");
    }
    let what = if kind.is_symlink() { "a symbolic link" } else { special_kind(kind) };
    io::Error::new(io::ErrorKind::InvalidInput, format!("it is {what}, not a regular file"))
}

#[cfg(unix)]
fn special_kind(kind: FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_fifo() {
        "a FIFO (named pipe)"
    } else if kind.is_char_device() {
        "a character device"
    } else if kind.is_block_device() {
        "a block device"
    } else if kind.is_socket() {
        "a socket"
    } else {
        "something else"
    }
}

#[cfg(not(unix))]
fn special_kind(_: FileType) -> &'static str {
    "something else"
}

/// [`read_limited`], with the error a user reads (exit 2).
pub(crate) fn read_input(path: &Path) -> Result<Vec<u8>> {
    read_limited(path).map_err(|error| CliError::unreadable(path, &error))
}

/// Who may read a file kensa writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Access {
    /// The user only, mode 0600 whatever the umask: every file holding a secret.
    Private,
    /// Whoever the umask lets (0666, or 0777 when executable, less the umask).
    Shared { executable: bool },
}

/// Writes a manifest or another file holding secrets: readable by the user only, and never
/// through a link planted at `path` (the link itself is replaced).
pub(crate) fn write_secret(path: &Path, contents: &str) -> Result<()> {
    replace(path, contents.as_bytes(), Access::Private)
        .map_err(|error| CliError::new(format!("cannot write {}: {error}", path.display())))
}

/// Writes `contents` as the file at `path`, replacing whatever is there, a symbolic link
/// included, without ever writing through it. The bytes go to a fresh file beside it, made
/// with an unpredictable name and `O_CREAT|O_EXCL` (which no link can redirect) and created
/// with `access`'s mode, so a secret is never readable by others even for a moment; the file
/// is then renamed over `path`. A crash leaves either the old file or the new one whole.
pub(crate) fn replace(path: &Path, contents: &[u8], access: Access) -> io::Result<()> {
    let folder = path.parent().filter(|parent| !parent.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name: String =
        path.file_name().map_or_else(|| "file".into(), |name| name.to_string_lossy()).chars().take(64).collect();
    let prefix = format!(".{name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = match access {
            Access::Private => 0o600,
            Access::Shared { executable: true } => 0o777,
            Access::Shared { executable: false } => 0o666,
        };
        builder.permissions(std::fs::Permissions::from_mode(mode));
    }
    let mut temporary = builder.tempfile_in(folder)?;
    #[cfg(unix)]
    if access == Access::Private {
        use std::os::unix::fs::PermissionsExt;
        // Exactly 0600: a umask such as 0277 would otherwise leave the user unable to write.
        temporary.as_file().set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    temporary.write_all(contents)?;
    temporary.as_file().sync_all()?;
    temporary.persist(path).map_err(|error| error.error)?;
    Ok(())
}

/// Opens what `path` names for writing without hanging on a FIFO nothing reads from: that
/// fails at once rather than after every check is done. A first, non-blocking open finds
/// out whether anything reads; the file written is then opened blocking, so a slow reader
/// is waited for rather than the report cut short.
fn open_for_writing_into(path: &Path) -> io::Result<File> {
    #[cfg(unix)]
    let _probe = {
        use std::os::unix::fs::OpenOptionsExt;
        // Held open until the real one is: a reader that sees no writer at all ends.
        OpenOptions::new().write(true).custom_flags(libc::O_NONBLOCK).open(path).map_err(|error| {
            if error.raw_os_error() == Some(libc::ENXIO) {
                io::Error::new(error.kind(), "it is a FIFO (named pipe) that nothing is reading from")
            } else {
                error
            }
        })?
    };
    OpenOptions::new().write(true).truncate(true).open(path)
}

/// How [`write_output`] wrote the report.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Written {
    /// As a new private file at the path.
    File,
    /// As a new private file in place of the symbolic link that was there.
    LinkReplaced,
    /// Into what the path names: a device, a pipe, a socket or a descriptor (`-o /dev/stdout`).
    Into,
}

/// Writes a report where `-o` says. A report quotes the provider's answers, such as the
/// config vars (the resource's own credentials) a provision returns, so it is private
/// ([`replace`]), and a link at the path is replaced, never written through. A path that
/// cannot be replaced is written into: one naming a device, a pipe or a socket (`-o
/// /dev/null`, a shell's `>(gzip > report.gz)`), or one of kensa's own descriptors under
/// `/dev` or `/proc` (`-o /dev/stdout`, whatever stdout is).
pub(crate) fn write_output(path: &Path, contents: &[u8]) -> io::Result<Written> {
    let link = std::fs::symlink_metadata(path).is_ok_and(|metadata| metadata.file_type().is_symlink());
    let descriptor = path.starts_with("/dev") || path.starts_with("/proc");
    match std::fs::metadata(path) {
        Ok(target) if descriptor || (!target.is_file() && !target.is_dir()) => {
            let mut file = open_for_writing_into(path)?;
            file.write_all(contents)?;
            file.flush()?;
            Ok(Written::Into)
        }
        _ => {
            replace(path, contents, Access::Private)?;
            Ok(if link { Written::LinkReplaced } else { Written::File })
        }
    }
}

/// Whether `a` and `b` name the same existing file (through links, `..` or hard links).
pub(crate) fn same_file(a: &Path, b: &Path) -> bool {
    let (Ok(first), Ok(second)) = (std::fs::metadata(a), std::fs::metadata(b)) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        first.dev() == second.dev() && first.ino() == second.ino()
    }
    #[cfg(not(unix))]
    {
        let _ = (first, second);
        matches!((a.canonicalize(), b.canonicalize()), (Ok(a), Ok(b)) if a == b)
    }
}

/// Whether `a` and `b` name one file, whether it exists yet or not: the same existing file,
/// or the same name in the same folder.
pub(crate) fn names_one_file(a: &Path, b: &Path) -> bool {
    use crate::ledger_file::folder_of;
    same_file(a, b) || (a.file_name() == b.file_name() && same_file(folder_of(a), folder_of(b)))
}

/// Asks before replacing `path`; without a terminal to ask on, refuses unless forced.
pub(crate) fn confirm_replace(path: &Path, what: &str, force: bool) -> Result<()> {
    if force || !path.exists() {
        return Ok(());
    }
    let refusal = || {
        CliError::new(format!("{} already exists; not replacing it", path.display()))
            .hint("pass --force to replace it, or -f FILE to write somewhere else")
    };
    if !io::stdin().is_terminal() {
        return Err(refusal());
    }
    crate::output::eprint(&format!("{what} already exists. Replace it? (y/n) "));
    let mut answer = String::new();
    io::stdin().lock().read_line(&mut answer).map_err(|_| refusal())?;
    if answer.trim().eq_ignore_ascii_case("y") || answer.trim().eq_ignore_ascii_case("yes") {
        Ok(())
    } else {
        Err(refusal())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_up_to_the_limit_and_refuses_more() {
        let dir = tempfile::tempdir().unwrap();
        let exact = dir.path().join("exact");
        std::fs::write(&exact, vec![b' '; MAX_INPUT_BYTES as usize]).unwrap();
        assert_eq!(read_limited(&exact).unwrap().len() as u64, MAX_INPUT_BYTES);
        let over = dir.path().join("over");
        std::fs::write(&over, vec![b' '; MAX_INPUT_BYTES as usize + 1]).unwrap();
        assert_eq!(read_limited(&over).unwrap_err().kind(), io::ErrorKind::FileTooLarge);
    }

    #[cfg(unix)]
    #[test]
    fn reads_only_regular_files_and_links_only_when_asked() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("file");
        std::fs::write(&file, "text").unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&file, &link).unwrap();
        assert_eq!(read_regular(&link, Links::Follow).unwrap(), b"text");
        let refused = read_regular(&link, Links::Refuse).unwrap_err();
        assert_eq!(refused.to_string(), "it is a symbolic link, not a regular file");
        assert_eq!(read_limited(dir.path()).unwrap_err().to_string(), "it is a directory");
        let device = read_limited(Path::new("/dev/null")).unwrap_err();
        assert_eq!(device.to_string(), "it is a character device, not a regular file");
    }

    #[cfg(unix)]
    #[test]
    fn replace_never_writes_through_a_link_and_sets_the_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target");
        std::fs::write(&target, "mine").unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        replace(&link, b"secret", Access::Private).unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "mine");
        let replaced = std::fs::symlink_metadata(&link).unwrap();
        assert!(replaced.file_type().is_file());
        assert_eq!(replaced.permissions().mode() & 0o777, 0o600);
        assert_eq!(std::fs::read_to_string(&link).unwrap(), "secret");
        // Nothing left beside it.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
        assert!(same_file(&link, &dir.path().join(".").join("link")));
        assert!(!same_file(&link, &target));
    }

    #[cfg(unix)]
    #[test]
    fn output_into_a_device_is_written_not_replaced() {
        assert_eq!(write_output(Path::new("/dev/null"), b"report").unwrap(), Written::Into);
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("elsewhere");
        std::fs::write(&target, "mine").unwrap();
        let link = dir.path().join("report.json");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert_eq!(write_output(&link, b"report").unwrap(), Written::LinkReplaced);
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "mine");
        assert_eq!(write_output(&link, b"again").unwrap(), Written::File);
        assert_eq!(std::fs::read_to_string(&link).unwrap(), "again");
    }
}
