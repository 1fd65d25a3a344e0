//! Every file kensa writes that holds a secret (the manifest's password and SSO salt, `.env`,
//! the ledger's resource keys, a report with the provider's answers) is readable by the user
//! only, whatever the command and the umask; files without secrets keep the umask's mode.
//! A cloned template's `.gitignore` that is a link is replaced, so the secrets stay out of git.
#![cfg(unix)]

use kensa_e2e::Provider;
use kensa_e2e::hostile_files::{AddonsApi, kensa_in, make_template_repository, mode_of};
use std::path::{Path, PathBuf};

/// What one command wrote, with the mode each file must have under umask 022.
struct Written {
    command: String,
    files: Vec<(PathBuf, u32)>,
}

fn wrote(command: &str, files: impl IntoIterator<Item = (PathBuf, u32)>) -> Written {
    Written { command: command.to_string(), files: files.into_iter().collect() }
}

#[test]
fn every_command_writes_its_secret_files_readable_by_the_user_only() {
    let work = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let root = work.path();
    let kensa = |dir: &Path, args: &[&str]| {
        let run = kensa_in(dir, args).env("HOME", home.path()).run();
        run.assert_code(0);
        run
    };
    let mut written = Vec::new();

    std::fs::create_dir(root.join("init")).unwrap();
    kensa(&root.join("init"), &["init"]);
    written.push(wrote("kensa init", [(root.join("init/addon-manifest.json"), 0o600)]));

    std::fs::create_dir(root.join("foreman")).unwrap();
    kensa(&root.join("foreman"), &["init", "--foreman"]);
    written.push(wrote(
        "kensa init --foreman",
        [
            (root.join("foreman/addon-manifest.json"), 0o600),
            (root.join("foreman/.env"), 0o600),
            (root.join("foreman/.gitignore"), 0o644),
        ],
    ));

    kensa(root, &["create", "embedded", "--template", "node"]);
    written.push(wrote(
        "kensa create --template node",
        [
            (root.join("embedded/addon-manifest.json"), 0o600),
            (root.join("embedded/.env"), 0o600),
            (root.join("embedded/README.md"), 0o644),
            (root.join("embedded/.gitignore"), 0o644),
        ],
    ));

    let template = root.join("template");
    std::fs::create_dir(&template).unwrap();
    std::fs::write(template.join("README.md"), "# a template\n").unwrap();
    make_template_repository(&template);
    kensa(root, &["create", "cloned", "--template", "template"]);
    written.push(wrote(
        "kensa create --template <local repository>",
        [
            (root.join("cloned/addon-manifest.json"), 0o600),
            (root.join("cloned/.env"), 0o600),
            (root.join("cloned/.gitignore"), 0o644),
        ],
    ));

    let api = AddonsApi::start();
    std::fs::create_dir(root.join("pulled")).unwrap();
    let pull = ["pull", "myaddon", "--host", &api.origin];
    kensa_in(&root.join("pulled"), pull).env("HOME", home.path()).env("HEROKU_API_KEY", "t0ken").run().assert_code(0);
    written.push(wrote("kensa pull", [(root.join("pulled/addon-manifest.json"), 0o600)]));

    // push rewrites the manifest with the server's copy: a manifest someone made readable
    // to all comes back private.
    std::fs::create_dir(root.join("pushed")).unwrap();
    let pushed = root.join("pushed/addon-manifest.json");
    std::fs::write(&pushed, AddonsApi::manifest().to_string()).unwrap();
    std::fs::set_permissions(&pushed, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
    let push = ["push", "--host", &api.origin];
    kensa_in(&root.join("pushed"), push).env("HOME", home.path()).env("HEROKU_API_KEY", "t0ken").run().assert_code(0);
    written.push(wrote("kensa push", [(pushed, 0o600)]));

    // The ledger holds the resources' keys; a report holds the provider's answers, such as
    // the config vars (the resource's own credentials) a provision returns.
    let provider = Provider::start();
    let report = provider.dir().join("report.json");
    kensa_in(provider.dir(), ["test", "provision", "--format", "json", "-o", "report.json"])
        .env("HOME", home.path())
        .run()
        .assert_code(0);
    written.push(wrote(
        "kensa test provision -o report.json",
        [(provider.dir().join(".kensa-resources.json"), 0o600), (report, 0o600)],
    ));

    let demo = kensa(root, &["demo", "--keep", "--color", "never"]);
    let kept = demo
        .stdout
        .lines()
        .find_map(|line| line.strip_prefix("Kept the manifest (mode 0600, in a 0700 folder): "))
        .map(PathBuf::from)
        .unwrap_or_else(|| panic!("demo --keep named no manifest\n{}", demo.describe()));
    written.push(wrote("kensa demo --keep", [(kept.clone(), 0o600), (kept.parent().unwrap().to_path_buf(), 0o700)]));

    let wrong: Vec<String> = written
        .iter()
        .flat_map(|written| {
            written.files.iter().filter(|(path, mode)| mode_of(path) != *mode).map(|(path, mode)| {
                format!("{}: {} is {:o}, not {mode:o}", written.command, path.display(), mode_of(path))
            })
        })
        .collect();
    let _ = std::fs::remove_dir_all(kept.parent().unwrap());
    assert!(wrong.is_empty(), "under umask 022:\n{}", wrong.join("\n"));
}

/// A cloned template's `.gitignore` that is a link (here to a file outside the project) is
/// replaced by a regular file listing `.env` and the ledger; the file it pointed at is
/// neither read nor written, and kensa says what it did.
#[test]
fn a_cloned_templates_gitignore_link_is_replaced_by_one_that_keeps_the_secrets_out_of_git() {
    let work = tempfile::tempdir().unwrap();
    let root = work.path();
    let outside = root.join("outside-gitignore");
    std::fs::write(&outside, "private notes\n").unwrap();
    let template = root.join("template");
    std::fs::create_dir(&template).unwrap();
    std::fs::write(template.join("README.md"), "# a template\n").unwrap();
    std::os::unix::fs::symlink(&outside, template.join(".gitignore")).unwrap();
    make_template_repository(&template);

    let run = kensa_in(root, ["create", "shop", "--template", "template"]).run();
    run.assert_code(0);
    let gitignore = root.join("shop/.gitignore");
    assert!(std::fs::symlink_metadata(&gitignore).unwrap().file_type().is_file(), "{}", run.describe());
    let text = std::fs::read_to_string(&gitignore).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.contains(&".env") && lines.contains(&".kensa-resources.json"), "{text}");
    assert!(!text.contains("private notes"), "the link's target was copied in: {text}");
    assert_eq!(std::fs::read_to_string(&outside).unwrap(), "private notes\n");
    assert!(
        run.stderr
            .contains("warning: the template's shop/.gitignore is a symbolic link; replaced it with a regular file"),
        "{}",
        run.describe()
    );
}

/// A report quotes the provider's answers: a link at `-o` is replaced, never written
/// through, and `-o` naming the ledger is refused (it would lose the record of what kensa
/// provisioned); a descriptor such as `/dev/stdout` is still written into.
#[test]
fn a_report_never_goes_through_a_link_nor_over_the_ledger() {
    let provider = Provider::start();
    let elsewhere = tempfile::tempdir().unwrap();
    let target = elsewhere.path().join("victim");
    std::fs::write(&target, "untouched").unwrap();
    let link = provider.dir().join("report.json");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let run = kensa_in(provider.dir(), ["test", "manifest", "--format", "json", "-o", "report.json"]).run();
    run.assert_code(0);
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "untouched", "the report went through the link");
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_file(), "{}", run.describe());
    assert_eq!(mode_of(&link), 0o600);
    assert!(std::fs::read_to_string(&link).unwrap().contains("\"summary\""));
    assert!(
        run.stderr.contains("warning: report.json was a symbolic link; replaced it with the report"),
        "{}",
        run.describe()
    );

    kensa_in(provider.dir(), ["test", "provision", "--format", "json"]).run().assert_code(0);
    let ledger = std::fs::read_to_string(provider.dir().join(".kensa-resources.json")).unwrap();
    for output in [".kensa-resources.json", "./.kensa-resources.json"] {
        let run = kensa_in(provider.dir(), ["test", "manifest", "--format", "json", "-o", output]).run();
        run.assert_code(2);
        assert!(run.stderr.contains("is the resource ledger; not replacing"), "{}", run.describe());
        assert_eq!(std::fs::read_to_string(provider.dir().join(".kensa-resources.json")).unwrap(), ledger);
    }

    let run = kensa_in(provider.dir(), ["test", "manifest", "--format", "json", "-o", "/dev/stdout"]).run();
    run.assert_code(0);
    assert!(run.stdout.contains("\"summary\""), "{}", run.describe());
}

/// `kensa init --foreman` writes `.env` with the secrets, so it keeps `.env` out of git as
/// well as the ledger; a `.gitignore` that is a link (the user's own) is left alone, and
/// kensa says what to add to it.
#[test]
fn init_keeps_env_out_of_git_and_says_when_gitignore_is_a_link() {
    let dir = tempfile::tempdir().unwrap();
    let run = kensa_in(dir.path(), ["init", "--foreman"]).run();
    run.assert_code(0);
    let text = std::fs::read_to_string(dir.path().join(".gitignore")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.contains(&".env") && lines.contains(&".kensa-resources.json"), "{text}");

    let linked = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let target = elsewhere.path().join("shared-gitignore");
    std::fs::write(&target, "target/\n").unwrap();
    std::os::unix::fs::symlink(&target, linked.path().join(".gitignore")).unwrap();
    let run = kensa_in(linked.path(), ["init"]).run();
    run.assert_code(0);
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "target/\n");
    assert!(
        run.stderr.contains(
            "warning: .gitignore is a symbolic link; not changing it: add .kensa-resources.json to it yourself"
        ),
        "{}",
        run.describe()
    );
}
