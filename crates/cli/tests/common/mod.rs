//! What the `kensa` binary's tests share: running it and reading what it printed.
#![allow(dead_code, reason = "each test binary uses a different part")]

pub(crate) mod tools;

use assert_cmd::Command;
use std::path::Path;
use std::process::Stdio;

/// The `kensa` binary under test, with colour left to its own decision.
pub(crate) fn kensa() -> Command {
    let mut command = Command::cargo_bin("kensa").unwrap();
    command.env_remove("NO_COLOR");
    command
}

/// How one run of `kensa` ended.
pub(crate) struct Run {
    pub(crate) code: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

impl Run {
    pub(crate) fn of(command: &mut Command) -> Run {
        let output = command.output().unwrap();
        Run {
            code: output.status.code().unwrap(),
            stdout: String::from_utf8(output.stdout).unwrap(),
            stderr: String::from_utf8(output.stderr).unwrap(),
        }
    }
}

/// `kensa ARGS` in `dir`, to the end.
pub(crate) fn run(args: &[&str], dir: &Path) -> Run {
    Run::of(kensa().args(args).current_dir(dir))
}

/// `git ARGS` in `dir` with a throwaway identity; it must succeed.
pub(crate) fn git(dir: &Path, args: &[&str]) {
    let status = std::process::Command::new("git")
        .args(["-c", "user.name=kensa", "-c", "user.email=kensa@example.com", "-c", "commit.gpgsign=false"])
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "git {args:?}");
}

/// Makes `dir` a git repository holding everything in it in one commit, as a template
/// repository `kensa create` clones.
pub(crate) fn make_repository(dir: &Path) {
    git(dir, &["init", "--quiet"]);
    git(dir, &["add", "."]);
    git(dir, &["commit", "--quiet", "-m", "template"]);
}
