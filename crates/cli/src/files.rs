//! The user's files: read with a size limit, and written without following symbolic links.

use crate::Result;
use crate::error::CliError;
use std::io::{self, Read, Write};
use std::path::Path;

/// The most kensa reads of a manifest or any other file it is given. A manifest is a few
/// KiB; the limit keeps `-f /dev/zero`, a FIFO or a 50 MB file from growing kensa
/// without bound.
pub(crate) const MAX_INPUT_BYTES: u64 = 1 << 20;

/// Reads `path` whole, or fails with [`io::ErrorKind::FileTooLarge`] past
/// [`MAX_INPUT_BYTES`] without reading further.
pub(crate) fn read_limited(path: &Path) -> io::Result<Vec<u8>> {
    let file = std::fs::File::open(path)?;
    // Sized from the file (FIFOs and devices say 0), so a manifest is read in one go.
    let size = file.metadata().map_or(0, |metadata| metadata.len()).min(MAX_INPUT_BYTES);
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0) + 1);
    file.take(MAX_INPUT_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(io::Error::new(io::ErrorKind::FileTooLarge, "larger than 1 MiB"));
    }
    Ok(bytes)
}

/// [`read_limited`], with the error a user reads (exit 2).
pub(crate) fn read_input(path: &Path) -> Result<Vec<u8>> {
    read_limited(path).map_err(|error| CliError::unreadable(path, &error))
}

/// Creates `path` afresh and writes `contents`, never through a symbolic link: the file
/// is created exclusively (`O_CREAT|O_EXCL`, which refuses any link at `path`, dangling or
/// not) and its mode is set on the open file, not on the path. `mode` is the exact unix
/// mode (umask aside); `None` keeps the usual `0o666` less umask.
pub(crate) fn create_new(path: &Path, contents: &[u8], mode: Option<u32>) -> io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    if let Some(mode) = mode {
        use std::os::unix::fs::OpenOptionsExt;
        // Created with the final mode at most, so the secrets are never readable by others.
        options.mode(mode);
    }
    let mut file = options.open(path)?;
    #[cfg(unix)]
    if let Some(mode) = mode {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(mode))?;
    }
    #[cfg(not(unix))]
    let _ = mode;
    file.write_all(contents)?;
    file.flush()
}

/// Writes a manifest or another file holding secrets: readable by the user only, and never
/// through a link planted at `path` (the link itself is replaced).
pub(crate) fn write_secret(path: &Path, contents: &str) -> Result<()> {
    replace(path, contents.as_bytes(), Some(0o600))
        .map_err(|error| CliError::new(format!("cannot write {}: {error}", path.display())))
}

/// Writes `contents` as the file at `path`, replacing whatever is there, a symbolic link
/// included, without ever writing through it: the bytes go to a fresh file beside it
/// ([`create_new`], with `mode`), which is then renamed over `path`. A crash leaves either
/// the old file or the new one whole.
pub(crate) fn replace(path: &Path, contents: &[u8], mode: Option<u32>) -> io::Result<()> {
    let name = path.file_name().map_or_else(|| "file".into(), |name| name.to_string_lossy());
    let temporary = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let _ = std::fs::remove_file(&temporary);
    create_new(&temporary, contents, mode)?;
    std::fs::rename(&temporary, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&temporary);
    })
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
    fn create_new_refuses_a_link_and_sets_the_exact_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target");
        std::fs::write(&target, "mine").unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert!(create_new(&link, b"secret", Some(0o600)).is_err());
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "mine");

        let fresh = dir.path().join("fresh");
        create_new(&fresh, b"secret", Some(0o600)).unwrap();
        assert_eq!(std::fs::metadata(&fresh).unwrap().permissions().mode() & 0o777, 0o600);
        assert!(same_file(&fresh, &dir.path().join(".").join("fresh")));
        assert!(!same_file(&fresh, &target));
    }
}
