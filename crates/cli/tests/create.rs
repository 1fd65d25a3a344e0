//! `kensa create`: each built-in template, started as its README says, passes every check
//! of `kensa test all --with-sso` and keeps to at-least-once delivery sent straight to it;
//! the folder and template rules; git templates.
#![allow(clippy::unwrap_used, reason = "test helpers panic on purpose")]
#![allow(clippy::disallowed_methods, reason = "host-side test: temporary folders, child processes and the environment")]

mod common;

use common::tools::{program_ready, ready};
use common::{kensa, make_repository, run};
use kensa_checks::encoding::basic_auth;
use kensa_testkit::http;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::Barrier;
use std::time::{Duration, Instant};

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A started service, stopped when dropped.
struct Service {
    child: Child,
    log: PathBuf,
}

impl Service {
    /// Starts `program args` in `dir` with `PORT`, and waits until it listens.
    fn start(program: &Path, args: &[&str], dir: &Path, port: u16) -> Service {
        let log = dir.with_extension("log");
        let output = std::fs::File::create(&log).unwrap();
        let child = std::process::Command::new(program)
            .args(args)
            .current_dir(dir)
            .env("PORT", port.to_string())
            .stdin(Stdio::null())
            .stdout(output.try_clone().unwrap())
            .stderr(output)
            .spawn()
            .unwrap();
        let mut service = Service { child, log };
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Some(status) = service.child.try_wait().unwrap() {
                panic!("{} exited with {status} before listening:\n{}", program.display(), service.log_text());
            }
            assert!(
                Instant::now() < deadline,
                "{} does not listen on {port} after 30s:\n{}",
                program.display(),
                service.log_text()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        service
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `kensa create NAME --template TEMPLATE` in `dir`, checked.
fn create(dir: &Path, name: &str, template: &str) -> PathBuf {
    let created = run(&["create", name, "--template", template], dir);
    assert_eq!(created.code, 0, "{}{}", created.stdout, created.stderr);
    assert!(created.stdout.starts_with(&format!("Created {name} from {template} template\n")), "{}", created.stdout);
    assert!(created.stdout.contains("kensa test all --with-sso"), "{}", created.stdout);
    let project = dir.join(name);
    let manifest = std::fs::read_to_string(project.join("addon-manifest.json")).unwrap();
    let dotenv = std::fs::read_to_string(project.join(".env")).unwrap();
    let password = dotenv.lines().find_map(|line| line.strip_prefix("HEROKU_PASSWORD=")).unwrap();
    assert_eq!(password.len(), 32);
    assert!(manifest.contains(&format!("\"password\": \"{password}\"")), "the manifest and .env share the password");
    assert!(dotenv.contains(&format!("HEROKU_USERNAME={name}\n")) && dotenv.contains("PORT=5000\n"), "{dotenv}");
    assert!(!created.stdout.contains(password), "create never prints a secret");
    assert!(std::fs::read_to_string(project.join("README.md")).unwrap().contains("kensa test all --with-sso"));
    project
}

/// Points the manifest's test URLs at `port` (the templates default to 5000), and declares
/// regions on three continents: Heroku provisions in every region a manifest declares, so a
/// template must accept any of them.
fn use_port_and_regions(project: &Path, port: u16) {
    let path = project.join("addon-manifest.json");
    let manifest = std::fs::read_to_string(&path).unwrap();
    assert!(manifest.contains("http://localhost:5000/heroku/resources"));
    let pointed = manifest.replace("http://localhost:5000/", &format!("http://127.0.0.1:{port}/"));
    let mut value: Value = serde_json::from_str(&pointed).unwrap();
    value["api"]["regions"] = json!(["us", "eu", "tokyo"]);
    std::fs::write(&path, format!("{value:#}\n")).unwrap();
}

/// `kensa test all --with-sso` against the service: exit 0, no failure anywhere, and no
/// resource left behind.
fn check_all(dir: &Path, project: &Path, service: &Service) {
    let manifest = project.join("addon-manifest.json");
    let manifest = manifest.to_str().unwrap();
    let report = run(&["test", "all", "--with-sso", "--color", "never", "-f", manifest], dir);
    assert_eq!(report.code, 0, "{}{}\nservice log:\n{}", report.stdout, report.stderr, service.log_text());
    assert!(!report.stdout.contains("[FAIL]"), "{}", report.stdout);
    assert!(report.stdout.contains("Check repeated uuid returns the same id [PASS]"), "{}", report.stdout);
    for label in ["validates token", "validates timestamp", "logs in", "creates the heroku-nav-data cookie"] {
        assert!(report.stdout.contains(&format!("Check {label} [PASS]")), "{label}:\n{}", report.stdout);
    }
    let left = run(&["resources", "--color", "never", "-f", manifest], dir);
    assert!(left.code == 0 && left.stdout.starts_with("No resources of `"), "{}{}", left.stdout, left.stderr);
}

/// How many copies of one provision [`check_at_least_once`] sends at the same moment: more
/// than kensa does, so that a lookup-then-insert race shows.
const OVERLAPPING: usize = 8;

/// Heroku's at-least-once delivery, sent straight to the service: one provision (in an eu
/// region, with a field no reference documents and `"oauth_grant": null`) many times at
/// once and then once more, all one resource; the same plan change twice, 200 both times;
/// the same deprovision twice, the second one 410 or 404.
fn check_at_least_once(project: &Path, port: u16, service: &Service) {
    let dotenv = std::fs::read_to_string(project.join(".env")).unwrap();
    let env = |name: &str| dotenv.lines().find_map(|line| line.strip_prefix(name)?.strip_prefix('=')).unwrap();
    let authorization = basic_auth(env("HEROKU_USERNAME"), env("HEROKU_PASSWORD"));
    let headers = [("Authorization", authorization.as_str()), ("Content-Type", "application/json")];
    let base = format!("http://127.0.0.1:{port}/heroku/resources");
    let uuid = format!("6f1f3e2a-0b7c-4d5e-9f80-{port:012}");
    let body = json!({
        "uuid": uuid,
        "plan": "test",
        "region": "amazon-web-services::eu-west-1",
        "callback_url": format!("http://127.0.0.1:9/addons/{uuid}"),
        "name": "at-least-once",
        "options": {},
        "oauth_grant": null,
        "kensa_probe": "an undocumented field",
    })
    .to_string();
    let provision = || http("POST", &base, &headers, body.as_bytes());
    let together = Barrier::new(OVERLAPPING);
    let mut answers = std::thread::scope(|scope| {
        let sending: Vec<_> = (0..OVERLAPPING)
            .map(|_| {
                scope.spawn(|| {
                    together.wait();
                    provision()
                })
            })
            .collect();
        sending.into_iter().map(|thread| thread.join().unwrap()).collect::<Vec<_>>()
    });
    answers.push(provision());
    let ids: BTreeSet<String> = answers
        .iter()
        .map(|answer| {
            assert_eq!(answer.status, 200, "provision: {}\nservice log:\n{}", answer.text(), service.log_text());
            answer.json()["id"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(ids.len(), 1, "{} provisions of one uuid made {ids:?}", answers.len());

    let resource = format!("{base}/{uuid}");
    for attempt in ["a plan change", "the same plan change again"] {
        let changed = http("PUT", &resource, &headers, br#"{"plan": "premium"}"#);
        assert_eq!(changed.status, 200, "{attempt}: {}", changed.text());
    }
    let removed = http("DELETE", &resource, &headers, b"");
    assert!(matches!(removed.status, 200 | 204), "deprovision: {} {}", removed.status, removed.text());
    let repeated = http("DELETE", &resource, &headers, b"");
    assert!(
        matches!(repeated.status, 404 | 410),
        "the same deprovision again: {} {}",
        repeated.status,
        repeated.text()
    );
}

/// Runs an interpreted template (skipped without its interpreter, except under CI).
fn check_interpreted(template: &str, interpreter: &str, script: &str) {
    if !program_ready(interpreter, &format!("the {template} template test")) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let project = create(dir.path(), "demo", template);
    let port = free_port();
    use_port_and_regions(&project, port);
    let service = Service::start(Path::new(interpreter), &[script], &project, port);
    check_all(dir.path(), &project, &service);
    check_at_least_once(&project, port, &service);
    check_sso_by_every_key(dir.path(), &project, &service);
}

/// After `kensa test provision`, `kensa test sso` signs in by Heroku's uuid, by
/// the provider's id, and with no key at all (the newest resource in kensa's ledger).
fn check_sso_by_every_key(dir: &Path, project: &Path, service: &Service) {
    let manifest = project.join("addon-manifest.json");
    let (id, uuid) = provision(dir, &manifest);
    assert_ne!(id, uuid);
    for key in [Some(uuid.as_str()), Some(id.as_str()), None] {
        check_sso(dir, &manifest, key, "POST /sso/login", service);
    }
}

#[test]
fn node_template_passes_every_check() {
    check_interpreted("node", "node", "web.js");
}

#[test]
fn python_template_passes_every_check() {
    check_interpreted("python", if cfg!(windows) { "python" } else { "python3" }, "app.py");
}

/// Whether `ruby` runs with Sinatra and WEBrick (Debian: `ruby`, `ruby-sinatra`).
fn have_ruby_sinatra() -> bool {
    std::process::Command::new("ruby")
        .args(["-e", "require 'sinatra/base'; require 'webrick'"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// The provider's id and Heroku's uuid of the resource `kensa test provision` kept, from
/// its `Check contains an id [PASS] (id ..., uuid ...)` line.
fn provision(dir: &Path, manifest: &Path) -> (String, String) {
    let report = run(&["test", "provision", "--color", "never", "-f", manifest.to_str().unwrap()], dir);
    assert_eq!(report.code, 0, "{}{}", report.stdout, report.stderr);
    let line = report.stdout.lines().find(|line| line.contains("Check contains an id [PASS] (id ")).unwrap();
    let keys = line.split_once("(id ").unwrap().1.trim_end_matches(')');
    let (id, uuid) = keys.split_once(", uuid ").unwrap();
    (id.to_string(), uuid.to_string())
}

/// `kensa test sso KEY` passes every check, through `flow` (`POST /sso/login` or
/// `GET /heroku/resources/<key>`).
fn check_sso(dir: &Path, manifest: &Path, key: Option<&str>, flow: &str, service: &Service) {
    let mut args = vec!["test", "sso"];
    args.extend(key);
    args.extend(["--color", "never", "-f", manifest.to_str().unwrap()]);
    let report = run(&args, dir);
    let key = key.unwrap_or("(no key)");
    let shown = format!("{}{}\nservice log:\n{}", report.stdout, report.stderr, service.log_text());
    assert_eq!(report.code, 0, "sso {key}: {shown}");
    assert!(!report.stdout.contains("[FAIL]"), "sso {key}: {shown}");
    assert!(report.stdout.contains(&format!("Testing {flow}\n")), "sso {key}: {shown}");
    for label in ["validates token", "validates timestamp", "validates future timestamp", "logs in"] {
        assert!(report.stdout.contains(&format!("Check {label} [PASS]")), "sso {key}, {label}: {shown}");
    }
    for label in ["creates the heroku-nav-data cookie", "displays the heroku layout"] {
        assert!(report.stdout.contains(&format!("Check {label} [PASS]")), "sso {key}, {label}: {shown}");
    }
}

/// The seed guide's own template: Sinatra with Debian's `ruby` and `ruby-sinatra`
/// alone passes `kensa test all --with-sso`, then signs in to a kept resource by its uuid
/// and by its id, in the form flow and in the legacy GET flow.
#[test]
fn sinatra_template_passes_every_check_and_signs_in_by_uuid_and_by_id() {
    let ruby = "ruby with sinatra and webrick (apt-get install ruby ruby-sinatra)";
    if !ready(ruby, have_ruby_sinatra(), "the sinatra template test") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let project = create(dir.path(), "demo", "sinatra");
    for file in ["app.rb", "Gemfile", "config.ru", "Procfile", ".gitignore"] {
        assert!(project.join(file).is_file(), "{file}");
    }
    let port = free_port();
    use_port_and_regions(&project, port);
    let service = Service::start(Path::new("ruby"), &["app.rb"], &project, port);
    check_all(dir.path(), &project, &service);
    check_at_least_once(&project, port, &service);

    check_sso_by_every_key(dir.path(), &project, &service);
    let manifest = project.join("addon-manifest.json");
    let (id, uuid) = provision(dir.path(), &manifest);

    // A manifest without sso_url: the legacy GET sign-in, with the key in the path.
    let legacy = project.join("legacy-sso.json");
    let mut value: Value = serde_json::from_str(&std::fs::read_to_string(&manifest).unwrap()).unwrap();
    value["api"]["test"] = json!(format!("http://127.0.0.1:{port}/"));
    value["api"]["production"] = json!("https://yourapp.com/");
    std::fs::write(&legacy, value.to_string()).unwrap();
    // The legacy URL carries the provider's id, whichever key names the resource.
    check_sso(dir.path(), &legacy, Some(&id), &format!("GET /heroku/resources/{id}"), &service);
    check_sso(dir.path(), &legacy, Some(&uuid), &format!("GET /heroku/resources/{id}"), &service);

    let log = service.log_text();
    assert!(log.contains("POST /sso/login -> 302"), "{log}");
    assert!(!log.contains("token="), "the service logs paths, never SSO tokens from query strings:\n{log}");
}

/// The workspace's target folder, shared so that the template's dependencies, already
/// compiled for kensa, are not compiled again.
fn workspace_target_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    // target/debug/deps/create-<hash>
    exe.ancestors().nth(3).map_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"), Path::to_path_buf)
}

/// Writes `contents` to `path` unless it already holds them, so cargo sees no change.
fn sync(path: &Path, contents: &[u8]) {
    if std::fs::read(path).ok().as_deref() != Some(contents) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
    }
}

/// Builds the rust template offline against the workspace's lock file (so every crate is
/// one the workspace already fetched), then checks it like the others. The build happens
/// in a fixed folder of the shared target folder, so a rerun with the same template
/// rebuilds nothing.
#[test]
fn rust_template_builds_offline_and_passes_every_check() {
    let dir = tempfile::tempdir().unwrap();
    let name = "kensa-rust-template-test";
    let project = create(dir.path(), name, "rust");
    let cargo_toml = std::fs::read(project.join("Cargo.toml")).unwrap();
    assert!(String::from_utf8_lossy(&cargo_toml).contains(&format!("name = \"{name}\"\n")));
    assert!(String::from_utf8_lossy(&cargo_toml).contains("\n[workspace]\n"), "not a member of any other workspace");

    let target = workspace_target_dir();
    let build_dir = target.join(name);
    sync(&build_dir.join("Cargo.toml"), &cargo_toml);
    for source in std::fs::read_dir(project.join("src")).unwrap() {
        let source = source.unwrap().path();
        sync(&build_dir.join("src").join(source.file_name().unwrap()), &std::fs::read(&source).unwrap());
    }
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    sync(&build_dir.join("Cargo.lock"), &std::fs::read(workspace.join("Cargo.lock")).unwrap());
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let started = Instant::now();
    let build = std::process::Command::new(&cargo)
        .args(["build", "--offline", "--quiet"])
        .current_dir(&build_dir)
        .env("CARGO_TARGET_DIR", &target)
        .env_remove("CARGO_BUILD_TARGET")
        .output()
        .unwrap();
    assert!(build.status.success(), "cargo build failed:\n{}", String::from_utf8_lossy(&build.stderr));
    eprintln!("the rust template built in {:.1}s", started.elapsed().as_secs_f64());

    // Run from the new folder, as `cargo run` there would: it reads that folder's .env.
    let binary = target.join("debug").join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    let port = free_port();
    use_port_and_regions(&project, port);
    let service = Service::start(&binary, &[], &project, port);
    check_all(dir.path(), &project, &service);
    check_at_least_once(&project, port, &service);
    check_sso_by_every_key(dir.path(), &project, &service);
}

#[test]
fn refuses_a_folder_that_is_not_empty_and_accepts_an_empty_one() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("busy")).unwrap();
    std::fs::write(dir.path().join("busy/notes.txt"), "mine").unwrap();
    let refused = run(&["create", "busy", "-t", "node"], dir.path());
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(refused.stderr.contains("error: busy already exists and is not empty"), "{}", refused.stderr);
    assert_eq!(std::fs::read_dir(dir.path().join("busy")).unwrap().count(), 1, "nothing was written");

    std::fs::write(dir.path().join("file"), "x").unwrap();
    let refused = run(&["create", "file", "-t", "node"], dir.path());
    assert_eq!(refused.code, 2);

    std::fs::create_dir(dir.path().join("empty")).unwrap();
    let created = run(&["create", "empty", "-t", "python"], dir.path());
    assert_eq!(created.code, 0, "{}", created.stderr);
    assert!(dir.path().join("empty/app.py").is_file());
}

/// `kensa create NAME --template TEMPLATE` with `REPO_PREFIX` on the local file system,
/// expected to fail with exit code 2; returns stderr.
fn create_from_local_prefix(dir: &Path, name: &str, template: &str, prefix: &str) -> String {
    let output = kensa()
        .args(["create", name, "--template", template])
        .current_dir(dir)
        .env("REPO_PREFIX", prefix)
        .env("GIT_ALLOW_PROTOCOL", "file")
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    stderr
}

/// A name that is neither built in nor a folder is fetched from
/// `${REPO_PREFIX:-https://github.com/heroku/kensa-create-}<name>`, as the old gem did; a
/// failed fetch lists the built-in templates. (`tests/guide.rs` clones such a name from a
/// local repository and checks the default prefix.)
#[test]
fn an_unknown_name_is_fetched_from_repo_prefix_and_a_failure_lists_the_built_in_ones() {
    if !program_ready("git", "the git template test") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let prefix = format!("file://{}/nowhere/kensa-create-", dir.path().display());
    let stderr = create_from_local_prefix(dir.path(), "demo", "cobol", &prefix);
    assert!(stderr.contains(&format!("error: error cloning {prefix}cobol into demo: ")), "{stderr}");
    for name in ["node", "python", "rust", "sinatra", "REPO_PREFIX"] {
        assert!(stderr.contains(name), "{name}: {stderr}");
    }
    assert!(!dir.path().join("demo").exists());

    // A path (it has a `/`) that does not exist is not fetched from anywhere.
    let refused = run(&["create", "demo", "--template", "no/such/template"], dir.path());
    assert_eq!(refused.code, 2);
    assert!(refused.stderr.contains("error: unknown template `no/such/template`"), "{}", refused.stderr);
    for name in ["node", "python", "rust", "git URL"] {
        assert!(refused.stderr.contains(name), "{name}: {}", refused.stderr);
    }
    assert!(!dir.path().join("demo").exists());
}

/// A template fetched by name (the old guide's `clojure`) from a repository
/// that cannot be reached says so and names the built-in templates, which work offline.
/// The port had a listener a moment ago and has none now, so nothing leaves 127.0.0.1.
#[test]
fn an_unreachable_template_repository_says_offline_and_lists_the_built_in_ones() {
    if !program_ready("git", "the git template test") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let prefix = format!("http://127.0.0.1:{}/kensa-create-", free_port());
    let mut command = kensa();
    command.args(["create", "myaddon", "--template", "clojure"]).current_dir(dir.path()).env("REPO_PREFIX", &prefix);
    for proxy in ["https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"] {
        command.env_remove(proxy);
    }
    let failed = common::Run::of(command.env("NO_PROXY", "*").env("no_proxy", "*"));
    assert_eq!(failed.code, 2, "{}", failed.stderr);
    let url = format!("{prefix}clojure");
    assert!(failed.stderr.starts_with(&format!("error: error cloning {url} into myaddon: ")), "{}", failed.stderr);
    let hint = failed.stderr.lines().find_map(|line| line.strip_prefix("hint: ")).unwrap_or_default();
    assert!(hint.contains(&format!("could not reach {url} (are you offline?)")), "{}", failed.stderr);
    assert!(hint.contains("REPO_PREFIX"), "{}", failed.stderr);
    for name in ["sinatra", "node", "python", "rust"] {
        assert!(hint.contains(&format!("{name} (")), "{name}: {}", failed.stderr);
    }
    assert!(!dir.path().join("myaddon").exists(), "nothing is left behind");

    // A git URL given in full gets the same offline hint.
    let failed = run(&["create", "myaddon", "--template", &url], dir.path());
    assert_eq!(failed.code, 2, "{}", failed.stderr);
    assert!(failed.stderr.contains(&format!("could not reach {url} (are you offline?)")), "{}", failed.stderr);
}

/// A clone that fails says git's reason (its first `fatal:` line), not the last line of
/// git's advice ("and the repository exists."); a missing repository is not "offline".
#[test]
fn a_missing_template_repository_gives_gits_reason() {
    if !program_ready("git", "the git template test") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nowhere");
    let prefix = format!("file://{}/kensa-create-", missing.display());
    let stderr = create_from_local_prefix(dir.path(), "myaddon", "clojure", &prefix);
    let first = stderr.lines().next().unwrap();
    assert!(first.starts_with(&format!("error: error cloning {prefix}clojure into myaddon: ")), "{stderr}");
    assert!(first.contains("does not appear to be a git repository"), "{stderr}");
    assert!(!stderr.contains("and the repository exists"), "{stderr}");
    assert!(!stderr.contains("are you offline"), "{stderr}");
}

#[test]
fn ids_come_from_the_folder_name() {
    let dir = tempfile::tempdir().unwrap();
    let created = run(&["create", "My Fast_DB", "-t", "node"], dir.path());
    assert_eq!(created.code, 0, "{}", created.stderr);
    let manifest = std::fs::read_to_string(dir.path().join("My Fast_DB/addon-manifest.json")).unwrap();
    assert!(manifest.contains("\"id\": \"my-fast-db\""), "{manifest}");
    assert!(manifest.contains("\"config_vars\": [\n      \"MY_FAST_DB_URL\"\n    ]"), "{manifest}");
    let package = std::fs::read_to_string(dir.path().join("My Fast_DB/package.json")).unwrap();
    assert!(package.contains("\"name\": \"my-fast-db\""), "{package}");
}

#[test]
fn a_local_repository_is_cloned_with_git() {
    if !program_ready("git", "the git template test") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let template = dir.path().join("my-template");
    std::fs::create_dir_all(template.join("lib")).unwrap();
    std::fs::write(template.join("README.md"), "# my template\n").unwrap();
    std::fs::write(template.join("lib/server.sh"), "echo hi\n").unwrap();
    make_repository(&template);

    let created = run(&["create", "shop", "--template", "my-template"], dir.path());
    assert_eq!(created.code, 0, "{}{}", created.stdout, created.stderr);
    assert!(created.stdout.starts_with("Created shop from my-template template\n"), "{}", created.stdout);
    let project = dir.path().join("shop");
    assert_eq!(std::fs::read_to_string(project.join("lib/server.sh")).unwrap(), "echo hi\n");
    assert!(!project.join(".git").exists(), "the new folder starts its own history");
    let manifest = std::fs::read_to_string(project.join("addon-manifest.json")).unwrap();
    assert!(manifest.contains("\"id\": \"shop\""), "{manifest}");
    assert!(project.join(".env").is_file());

    // Not a repository: git's own reason, in the old tool's words.
    std::fs::create_dir(dir.path().join("plain")).unwrap();
    let failed = run(&["create", "other", "--template", "plain"], dir.path());
    assert_eq!(failed.code, 2, "{}", failed.stderr);
    assert!(failed.stderr.contains("error: error cloning plain into other: "), "{}", failed.stderr);
    assert!(!dir.path().join("other").exists(), "nothing is left behind");
}

#[test]
fn git_templates_need_git() {
    let dir = tempfile::tempdir().unwrap();
    let empty_path = dir.path().join("bin");
    std::fs::create_dir(&empty_path).unwrap();
    let output = kensa()
        .args(["create", "demo", "--template", "https://user:s3cret@example.invalid/template.git"])
        .current_dir(dir.path())
        .env("PATH", &empty_path)
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("error: Need git to clone repository"), "{stderr}");
    assert!(!stderr.contains("s3cret"));
    assert!(!dir.path().join("demo").exists());
}

/// A template whose `addon-manifest.json` and `.env` are symbolic links to files
/// outside NAME used to get the secrets written (and the mode changed) where the links
/// pointed. Now the links are replaced by regular files, with a warning naming each, and
/// the files they pointed at are untouched.
#[cfg(unix)]
#[test]
fn a_template_with_symlinked_secret_files_never_writes_outside_name() {
    use std::os::unix::fs::{PermissionsExt, symlink};
    if !program_ready("git", "the git template test") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let outside = dir.path().join("outside");
    std::fs::create_dir(&outside).unwrap();
    for name in ["manifest.json", "env"] {
        std::fs::write(outside.join(name), "mine\n").unwrap();
        std::fs::set_permissions(outside.join(name), std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let template = dir.path().join("hostile-template");
    std::fs::create_dir(&template).unwrap();
    std::fs::write(template.join("README.md"), "# hostile\n").unwrap();
    symlink(outside.join("manifest.json"), template.join("addon-manifest.json")).unwrap();
    symlink(outside.join("env"), template.join(".env")).unwrap();
    make_repository(&template);

    let created = run(&["create", "shop", "--template", "hostile-template"], dir.path());
    assert_eq!(created.code, 0, "{}{}", created.stdout, created.stderr);
    for name in ["manifest.json", "env"] {
        let path = outside.join(name);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "mine\n", "{name} was written through the link");
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o644, "{name} was chmod-ed");
    }
    let project = dir.path().join("shop");
    for name in ["addon-manifest.json", ".env"] {
        let path = project.join(name);
        let metadata = std::fs::symlink_metadata(&path).unwrap();
        assert!(metadata.file_type().is_file(), "{name} is still a link");
        assert_eq!(metadata.permissions().mode() & 0o777, 0o600, "{name}");
        let warning =
            format!("warning: the template's shop/{name} is a symbolic link; replaced it with a regular file");
        assert!(created.stderr.contains(&warning), "{}", created.stderr);
    }
    assert!(std::fs::read_to_string(project.join(".env")).unwrap().contains("HEROKU_PASSWORD="));
    assert!(std::fs::read_to_string(project.join("addon-manifest.json")).unwrap().contains("\"id\": \"shop\""));
}

/// A NAME that cannot be made (its parent is a file) is reported as a failed write of NAME,
/// not as "cannot read", which would send the user looking at the wrong file.
#[test]
fn a_name_that_cannot_be_made_says_cannot_write() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("plain-file"), "x").unwrap();
    let failed = run(&["create", "plain-file/shop", "-t", "node"], dir.path());
    assert_eq!(failed.code, 2, "{}", failed.stderr);
    assert!(failed.stderr.starts_with("error: cannot write plain-file/shop: "), "{}", failed.stderr);
    assert!(!failed.stderr.contains("cannot read"), "{}", failed.stderr);
}

/// A test that needs a missing tool fails under CI, naming the tool, instead of
/// passing by skipping.
#[test]
#[should_panic(expected = "cannot run the check: `no-such-tool` is not installed")]
fn a_missing_tool_fails_the_test_under_ci() {
    common::tools::decide("`no-such-tool`", false, "the check", true);
}

#[test]
fn a_missing_tool_skips_the_test_outside_ci_and_a_present_one_never_does() {
    use common::tools::decide;
    assert!(!decide("`no-such-tool`", false, "the check", false));
    assert!(decide("`git`", true, "the check", true));
    assert!(decide("`git`", true, "the check", false));
}

#[test]
fn ci_is_any_value_but_empty_zero_or_false_and_the_template_switch_counts_too() {
    use common::tools::must_not_skip;
    use std::ffi::OsStr;
    let ci = |value: Option<&str>| must_not_skip(value.map(OsStr::new), None);
    assert!(ci(Some("true")) && ci(Some("1")) && ci(Some("yes")));
    assert!(!ci(None) && !ci(Some("")) && !ci(Some("0")) && !ci(Some("false")) && !ci(Some("FALSE")));
    assert!(must_not_skip(None, Some(OsStr::new("1"))));
}

/// `kensa create` names the add-on the way rule M05 (`manifest/id-charset`) suggests fixing an
/// id: one slug for both, so a name starting with a digit keeps it (`2fast` is `addon-2fast`).
#[test]
fn the_derived_id_is_the_one_the_id_rule_suggests() {
    let dir = tempfile::tempdir().unwrap();
    for (name, id) in [
        ("2fast", "addon-2fast"),
        ("123", "addon-123"),
        ("FastDB", "fastdb"),
        ("fast db", "fast-db"),
        ("fast_db", "fast-db"),
        ("日本 addon", "addon"),
        ("日本", "myaddon"),
    ] {
        let created = run(&["create", name, "-t", "node"], dir.path());
        assert_eq!(created.code, 0, "{name:?}: {}", created.stderr);
        let manifest = std::fs::read_to_string(dir.path().join(name).join("addon-manifest.json")).unwrap();
        assert!(manifest.contains(&format!("\"id\": \"{id}\"")), "{name:?}: {manifest}");

        let refused = format!("{{\"id\": {}}}", serde_json::Value::from(name));
        let validation = kensa_manifest::validate(refused.as_bytes());
        let m05 = validation.diagnostics().find(|diagnostic| diagnostic.code == "M05").unwrap();
        let hint = format!("use lower-case letters, digits and dashes, such as `{id}`");
        assert_eq!(m05.hint.as_deref(), Some(hint.as_str()), "{name:?}");
    }
}
