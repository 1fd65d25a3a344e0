//! Tests that need a tool kensa does not ship (curl, git, node, python3, ruby): one rule
//! for all of them. Outside CI a missing tool skips the test with a note; under CI it
//! fails the test, naming the tool, so that a CI run can never pass by skipping.
#![allow(clippy::disallowed_methods, reason = "host-side test helper: runs programs and reads CI from the environment")]

use std::ffi::OsStr;
use std::process::{Command, Stdio};

/// Whether `program --version` runs.
pub(crate) fn installed(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// Whether the test needing `program` (for `needed_for`) goes on; see [`ready`].
#[track_caller]
pub(crate) fn program_ready(program: &str, needed_for: &str) -> bool {
    ready(&format!("`{program}`"), installed(program), needed_for)
}

/// Whether the test needing `tool` (for `needed_for`) goes on: true when `present`;
/// otherwise false with a note outside CI, and a failure under CI.
#[track_caller]
pub(crate) fn ready(tool: &str, present: bool, needed_for: &str) -> bool {
    let ci =
        must_not_skip(std::env::var_os("CI").as_deref(), std::env::var_os("KENSA_REQUIRE_TEMPLATE_TOOLS").as_deref());
    decide(tool, present, needed_for, ci)
}

/// Under CI (`CI` set to anything but empty, `0` or `false`, as CI services set it) or
/// when `KENSA_REQUIRE_TEMPLATE_TOOLS` is set (scripts/test sets it), no test may skip.
pub(crate) fn must_not_skip(ci: Option<&OsStr>, require_tools: Option<&OsStr>) -> bool {
    let ci = ci.is_some_and(|value| !value.is_empty() && value != "0" && !value.eq_ignore_ascii_case("false"));
    ci || require_tools.is_some()
}

#[track_caller]
pub(crate) fn decide(tool: &str, present: bool, needed_for: &str, must_not_skip: bool) -> bool {
    if present {
        return true;
    }
    assert!(
        !must_not_skip,
        "cannot run {needed_for}: {tool} is not installed, and a CI run (CI or KENSA_REQUIRE_TEMPLATE_TOOLS set) \
         must not skip it"
    );
    eprintln!("skipping {needed_for}: {tool} is not installed");
    false
}
