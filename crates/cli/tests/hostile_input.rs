//! Files and outputs that would hurt the user. Oversized and endless manifests,
//! `-o` onto the manifest, a stdout that cannot be written, and `kensa demo`'s temporary
//! folder.
#![allow(clippy::unwrap_used, reason = "test helpers panic on purpose")]
#![allow(clippy::disallowed_methods, reason = "host-side test: reads and writes temporary files")]

mod common;

use common::{Run, kensa, run};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

const MIB: usize = 1 << 20;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(format!("{name}.json"))
}

/// The valid fixture, followed by enough spaces to make it one byte over 1 MiB: still
/// valid JSON, so only the size limit can refuse it. Its URLs name the discard port, which
/// nothing answers, should a command get as far as calling them.
fn manifest_over_one_mib(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(fixture("valid")).unwrap().replace("localhost:4567", "127.0.0.1:9");
    let mut bytes = text.into_bytes();
    bytes.resize(MIB + 1, b' ');
    let path = dir.join("big.json");
    std::fs::write(&path, bytes).unwrap();
    path
}

/// Every command that reads the manifest refuses one over 1 MiB with exit 2 and
/// a message naming the file and the limit, before it calls anyone.
#[test]
fn every_command_refuses_a_manifest_over_one_mib() {
    let dir = tempfile::tempdir().unwrap();
    let big = manifest_over_one_mib(dir.path());
    let commands: [&[&str]; 7] = [
        &["test", "manifest"],
        &["test", "all"],
        &["run", "--", "true"],
        &["sso", "some-id", "--no-browser"],
        &["push"],
        &["diff"],
        &["manifests"],
    ];
    for command in commands {
        let mut kensa = kensa();
        kensa
            .arg("-f")
            .arg(&big)
            .args(command)
            .current_dir(dir.path())
            .env("HEROKU_API_KEY", "not-used")
            .env("HEROKU_ADDONS_HOST", "http://127.0.0.1:9")
            .timeout(Duration::from_secs(60));
        let run = Run::of(&mut kensa);
        assert_eq!(run.code, 2, "{command:?}: {}{}", run.stdout, run.stderr);
        let expected = format!("error: cannot read {}: larger than 1 MiB, the most kensa reads", big.display());
        assert!(run.stderr.contains(&expected), "{command:?}: {}", run.stderr);
    }
}

/// `-f /dev/zero` used to grow until killed; now it is refused before it is read,
/// as a device is not a regular file.
#[cfg(unix)]
#[test]
fn an_endless_manifest_is_refused_unread() {
    let mut kensa = kensa();
    kensa.args(["test", "manifest", "-f", "/dev/zero"]).timeout(Duration::from_secs(60));
    let run = Run::of(&mut kensa);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("cannot read /dev/zero: it is a character device, not a regular file"),
        "{}",
        run.stderr
    );
}

/// `-o` naming the manifest (by the same name, another path or a link) is refused with
/// exit 2 before anything is written, so a slip on the command line cannot destroy the
/// manifest; the manifest is unchanged.
#[test]
fn output_onto_the_manifest_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("x.json");
    std::fs::copy(fixture("valid"), &manifest).unwrap();
    let original = std::fs::read(&manifest).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(&manifest, dir.path().join("link.json")).unwrap();
    let mut outputs = vec!["x.json", "./x.json"];
    if cfg!(unix) {
        outputs.push("link.json");
    }
    for output in outputs {
        let refused = run(&["test", "manifest", "-f", "x.json", "--format", "json", "-o", output], dir.path());
        assert_eq!(refused.code, 2, "-o {output}: {}{}", refused.stdout, refused.stderr);
        assert!(refused.stderr.contains("is the manifest itself; not replacing the manifest"), "{}", refused.stderr);
        assert_eq!(std::fs::read(&manifest).unwrap(), original, "-o {output} replaced the manifest");
    }
    // Another file is fine.
    let written = run(&["test", "manifest", "-f", "x.json", "--format", "json", "-o", "report.json"], dir.path());
    assert_eq!(written.code, 0, "{}", written.stderr);
    assert!(std::fs::read_to_string(dir.path().join("report.json")).unwrap().contains("\"summary\""));
}

/// `kensa resources --cleanup` runs deprovisions and writes a report as `kensa
/// test` does, so `-o` naming the manifest is refused there too (exit 2, manifest unchanged).
#[test]
fn cleanup_output_onto_the_manifest_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("x.json");
    std::fs::copy(fixture("valid"), &manifest).unwrap();
    let original = std::fs::read(&manifest).unwrap();
    let refused = run(&["resources", "--cleanup", "-f", "x.json", "--format", "json", "-o", "./x.json"], dir.path());
    assert_eq!(refused.code, 2, "{}{}", refused.stdout, refused.stderr);
    assert!(refused.stderr.contains("is the manifest itself; not replacing the manifest"), "{}", refused.stderr);
    assert_eq!(std::fs::read(&manifest).unwrap(), original, "the cleanup report replaced the manifest");
}

/// A report that cannot be written to stdout is exit 2 with a message, not a silent exit 0
/// that CI would take for a pass.
#[cfg(target_os = "linux")]
#[test]
fn a_failed_write_to_stdout_exits_2() {
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_kensa"))
        .args(["test", "manifest", "--format", "json", "-f"])
        .arg(fixture("valid"))
        .stdout(Stdio::from(full))
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.starts_with("error: cannot write to standard output: "), "{stderr}");
}

/// A reader that goes away (`kensa ... | head -0`) ends kensa quietly with 0, as ripgrep
/// does: no error message and no panic.
#[cfg(unix)]
#[test]
fn a_closed_pipe_ends_quietly() {
    // The reading end is closed before kensa starts, so its first write fails.
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_kensa"))
        .args(["test", "manifest", "--color", "never", "-f"])
        .arg(fixture("valid"))
        .stdout(writer)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(String::from_utf8(output.stderr).unwrap(), "");
}

/// `kensa demo` used `/tmp/kensa-demo-<pid>`, made with the default mode, and
/// wrote the manifest (password and salt) with the default mode, through whatever was
/// planted there. Now the folder has an unguessable name and mode 0700, the manifest 0600.
/// Both runs start in the temporary folder too, so the counts below also prove that demo
/// writes nothing (such as a resource ledger) where it is started: run from crates/cli, it
/// once left a `.kensa-resources.json` in the source tree.
#[cfg(unix)]
#[test]
fn demo_keeps_its_manifest_private_in_an_unpredictable_folder() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_kensa"))
        .args(["demo", "--keep", "--color", "never"])
        .current_dir(tmp.path())
        .env("TMPDIR", tmp.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(0), "{stdout}{}", String::from_utf8_lossy(&output.stderr));
    let mut folders: Vec<PathBuf> = std::fs::read_dir(tmp.path()).unwrap().map(|entry| entry.unwrap().path()).collect();
    assert_eq!(folders.len(), 1, "{folders:?}");
    let folder = folders.pop().unwrap();
    assert_ne!(folder.file_name().unwrap(), format!("kensa-demo-{pid}").as_str(), "a name others can predict");
    let manifest = folder.join("addon-manifest.json");
    assert!(stdout.contains(&manifest.display().to_string()), "--keep says where:\n{stdout}");
    let mode = |path: &Path| std::fs::symlink_metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&folder), 0o700, "folder mode");
    assert_eq!(mode(&manifest), 0o600, "manifest mode");
    assert!(std::fs::read_to_string(&manifest).unwrap().contains("\"sso_salt\""));

    // Without --keep nothing is left behind.
    let tmp = tempfile::tempdir().unwrap();
    let output =
        kensa().args(["demo", "--format", "json"]).current_dir(tmp.path()).env("TMPDIR", tmp.path()).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
}
