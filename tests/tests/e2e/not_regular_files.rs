//! Files kensa reads that are not regular files: a FIFO nobody writes to (where `open()`
//! would wait for good), a directory, a device. Each is refused at once with a message
//! naming the path and what it is, exit 2; the ledger and `.gitignore` are skipped with a
//! warning where a run can go on without them. A FIFO nothing reads from as `-o` or
//! `--har` is refused at once too.
#![cfg(unix)]

use kensa_e2e::Provider;
use kensa_e2e::hostile_files::{kensa_in, mkfifo};
use std::os::unix::fs::FileTypeExt;
use std::time::Duration;

/// Well under the 60 s a blocked run would otherwise take to be killed, well over what a
/// refusal takes.
const AT_ONCE: Duration = Duration::from_secs(15);

#[test]
fn a_fifo_as_the_manifest_is_refused_at_once_by_every_command_that_reads_it() {
    let dir = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("manifest.fifo");
    mkfifo(&fifo);
    let commands: [&[&str]; 9] = [
        &["test", "manifest"],
        &["test", "all"],
        &["run", "--", "true"],
        &["sso", "some-id", "--no-browser"],
        &["resources"],
        &["resources", "--cleanup"],
        &["push"],
        &["diff"],
        &["manifests"],
    ];
    for command in commands {
        let run = kensa_in(dir.path(), ["-f", "manifest.fifo"].iter().chain(command))
            .env("HOME", home.path())
            .env("HEROKU_API_KEY", "not-used")
            .env("HEROKU_ADDONS_HOST", "http://127.0.0.1:9")
            .timeout(AT_ONCE)
            .run();
        run.assert_code(2);
        assert!(
            run.stderr.contains("error: cannot read manifest.fifo: it is a FIFO (named pipe), not a regular file"),
            "{}",
            run.describe()
        );
    }
}

#[test]
fn a_directory_or_a_device_as_the_manifest_is_named_as_such() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("folder.json")).unwrap();
    for (path, what) in [
        ("folder.json", "it is a directory"),
        ("/dev/null", "it is a character device, not a regular file"),
        ("/dev/zero", "it is a character device, not a regular file"),
    ] {
        let run = kensa_in(dir.path(), ["test", "manifest", "-f", path]).timeout(AT_ONCE).run();
        run.assert_code(2);
        assert!(run.stderr.contains(&format!("error: cannot read {path}: {what}")), "{}", run.describe());
    }
}

/// A test run goes on without recording (as for a ledger kensa cannot read); `kensa
/// resources`, whose whole job is the ledger, refuses with exit 2.
#[test]
fn a_fifo_as_the_ledger_is_refused_at_once() {
    let provider = Provider::start();
    let ledger = provider.dir().join(".kensa-resources.json");
    mkfifo(&ledger);
    let warning = "cannot use ./.kensa-resources.json: it is a FIFO (named pipe), not a regular file";

    let run = kensa_in(provider.dir(), ["test", "provision", "--format", "json"]).timeout(AT_ONCE).run();
    run.assert_code(0);
    assert!(run.stderr.contains(&format!("warning: {warning}")), "{}", run.describe());

    for command in [&["resources"][..], &["resources", "--cleanup"], &["test", "deprovision"]] {
        let run = kensa_in(provider.dir(), command).timeout(AT_ONCE).run();
        run.assert_code(2);
        assert!(run.stderr.contains(&format!("error: {warning}")), "{command:?}\n{}", run.describe());
    }
    assert!(std::fs::symlink_metadata(&ledger).unwrap().file_type().is_fifo(), "the FIFO was replaced");
}

#[test]
fn a_fifo_as_netrc_is_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let netrc = home.path().join(".netrc");
    mkfifo(&netrc);
    let run = kensa_in(dir.path(), ["pull", "myaddon", "--host", "http://127.0.0.1:9"])
        .env("HOME", home.path())
        .timeout(AT_ONCE)
        .run();
    run.assert_code(2);
    let reason = format!("cannot read {}: it is a FIFO (named pipe), not a regular file", netrc.display());
    assert!(run.stderr.contains(&reason), "{}", run.describe());
}

/// `kensa init` reads `.gitignore` to add the ledger to it: a FIFO there is skipped with a
/// warning, and the manifest is still written.
#[test]
fn a_fifo_as_gitignore_does_not_block_init() {
    let dir = tempfile::tempdir().unwrap();
    mkfifo(&dir.path().join(".gitignore"));
    let run = kensa_in(dir.path(), ["init"]).timeout(AT_ONCE).run();
    run.assert_code(0);
    assert!(
        run.stderr.contains("warning: cannot update .gitignore: it is a FIFO (named pipe), not a regular file"),
        "{}",
        run.describe()
    );
    assert!(dir.path().join("addon-manifest.json").is_file());
}

/// `-o` or `--har` naming a FIFO nothing reads from fails at once (the report would have
/// nowhere to go), and the FIFO stays; one that is read gets the whole report.
#[test]
fn a_fifo_nothing_reads_as_the_output_is_refused_at_once() {
    let provider = Provider::start();
    let fifo = provider.dir().join("report.fifo");
    mkfifo(&fifo);
    for flag in ["-o", "--har"] {
        let run = kensa_in(provider.dir(), ["test", "provision", "--format", "json", flag, "report.fifo"])
            .timeout(AT_ONCE)
            .run();
        run.assert_code(2);
        let reason = "error: cannot write report.fifo: it is a FIFO (named pipe) that nothing is reading from";
        assert!(run.stderr.contains(reason), "{flag}\n{}", run.describe());
        assert!(std::fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo(), "the FIFO was replaced");
    }

    let reader = std::thread::spawn({
        let fifo = fifo.clone();
        move || std::fs::read_to_string(fifo).unwrap()
    });
    let run =
        kensa_in(provider.dir(), ["test", "provision", "--format", "json", "-o", "report.fifo"]).timeout(AT_ONCE).run();
    run.assert_code(0);
    let report: serde_json::Value = serde_json::from_str(&reader.join().unwrap()).expect("the whole report");
    assert_eq!(report["passed"], true, "{report}");
}
