//! `kensa push`, `pull`, `diff` and `manifests` end to end against an in-process fake of
//! the add-ons API (no network), including every error status and where the token comes
//! from. No output of any run may contain the token.
#![allow(clippy::unwrap_used, reason = "test helpers panic on purpose")]
#![allow(
    clippy::disallowed_methods,
    reason = "host-side test: temporary folders, a loopback server and the environment"
)]

use assert_cmd::Command;
use kensa_testkit::{HostileServer, Recorded, Reply};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

const TOKEN: &str = "hrku-kensa-test-token-7f3a9c0e5b2d4e6f";
const PASSWORD: &str = "0123456789abcdef0123456789abcdef";
const SALT: &str = "fedcba9876543210fedcba9876543210";

// ---------- the fake add-ons API ----------

/// Versions of one add-on's manifest: (id, created_at, contents).
type History = Vec<(String, String, Value)>;

/// The add-ons API's state: every add-on's pushed manifests.
struct Fake {
    server: HostileServer,
    addons: Arc<Mutex<HashMap<String, History>>>,
}

impl Fake {
    /// Serves on a free loopback port; add-on `myaddon` has one pushed manifest.
    fn start() -> Fake {
        let mut first = manifest("myaddon");
        first["$base"] = json!(1);
        let addons = HashMap::from([(
            "myaddon".to_string(),
            vec![("01234567-89ab-4def-8123-000000000001".into(), "2024-05-01T10:00:00Z".into(), first)],
        )]);
        let addons = Arc::new(Mutex::new(addons));
        let shared = Arc::clone(&addons);
        let server = HostileServer::start(move |request| {
            let (status, answer) = respond(&mut shared.lock().unwrap(), request);
            Reply::json(status, &answer)
        });
        Fake { server, addons }
    }

    fn origin(&self) -> &str {
        self.server.origin()
    }

    fn requests(&self) -> Vec<Recorded> {
        self.server.requests()
    }

    fn history(&self, slug: &str) -> History {
        self.addons.lock().unwrap().get(slug).cloned().unwrap_or_default()
    }
}

fn respond(addons: &mut HashMap<String, History>, request: &Recorded) -> (u16, Value) {
    if request.header("authorization") != Some(&format!("Bearer {TOKEN}")) {
        return (401, json!({"id": "unauthorized", "message": "Invalid credentials provided."}));
    }
    let Some(rest) = request.path.strip_prefix("/api/v3/addons/") else {
        return (404, json!({"id": "not_found", "message": "Not found."}));
    };
    let (slug, what) = rest.split_once('/').unwrap_or((rest, ""));
    match slug {
        // A server that echoes what it was sent: kensa must still not print the token.
        "unauthorized" => {
            return (401, json!({"id": "unauthorized", "message": format!("Invalid token Bearer {TOKEN}")}));
        }
        // One that re-encodes it: percent-encoded in a URL, JSON-escaped.
        "echoes" => {
            let percent: String = TOKEN.bytes().map(|byte| format!("%{byte:02X}")).collect();
            let message = format!("Invalid token at /auth?t={percent} (sent as {})", TOKEN.replace('-', "\\u002d"));
            return (401, json!({"id": "unauthorized", "message": message}));
        }
        "forbidden" => return (403, json!({"id": "forbidden", "error": "You do not have access to this add-on."})),
        "missing" => return (404, json!({"id": "not_found", "message": "Couldn't find that add-on."})),
        "invalid" => return (422, json!({"error": {"base": ["$base is out of date, pull first"]}})),
        _ => {}
    }
    let history = addons.entry(slug.to_string()).or_default();
    match (request.method.as_str(), what) {
        ("GET", "current_manifest") => match history.last() {
            Some((id, created_at, contents)) => {
                (200, json!({"id": id, "created_at": created_at, "contents": contents}))
            }
            None => (404, json!({"message": "Couldn't find that add-on."})),
        },
        ("GET", "manifests") => (
            200,
            Value::Array(
                history
                    .iter()
                    .map(|(id, created_at, contents)| json!({"id": id, "created_at": created_at, "contents": contents}))
                    .collect(),
            ),
        ),
        ("POST", "manifests") => {
            let body = request.json();
            let Some(mut contents) = body.get("contents").filter(|contents| contents.is_object()).cloned() else {
                return (422, json!({"error": "contents is required"}));
            };
            if contents["id"] != json!(slug) {
                return (422, json!({"error": {"id": ["does not match the add-on"]}}));
            }
            let current = history.last().map(|(_, _, contents)| contents["$base"].clone());
            if contents.get("$base").is_some_and(|base| Some(base) != current.as_ref()) {
                return (422, json!({"error": {"base": ["$base is out of date, pull first"]}}));
            }
            let number = history.len() + 1;
            contents["$base"] = json!(number);
            let id = format!("01234567-89ab-4def-8123-{number:012}");
            let created_at = format!("2024-05-{number:02}T10:00:00Z");
            history.push((id.clone(), created_at.clone(), contents.clone()));
            (201, json!({"id": id, "created_at": created_at, "contents": contents}))
        }
        _ => (404, json!({"message": "Not found."})),
    }
}

/// A valid v3 manifest with fixed secrets.
fn manifest(id: &str) -> Value {
    json!({
        "id": id,
        "name": "My Add-on",
        "api": {
            "config_vars_prefix": id.to_uppercase().replace('-', "_"),
            "config_vars": [format!("{}_URL", id.to_uppercase().replace('-', "_"))],
            "password": PASSWORD,
            "sso_salt": SALT,
            "regions": ["us"],
            "requires": [],
            "production": {"base_url": "https://example.com/heroku/resources", "sso_url": "https://example.com/sso/login"},
            "test": {"base_url": "http://localhost:5000/heroku/resources", "sso_url": "http://localhost:5000/sso/login"},
            "version": "3"
        }
    })
}

// ---------- running kensa ----------

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// A folder to work in and an empty home, so no real `~/.netrc` or token is ever used.
struct Bench {
    dir: tempfile::TempDir,
    home: tempfile::TempDir,
}

impl Bench {
    fn new() -> Bench {
        Bench { dir: tempfile::tempdir().unwrap(), home: tempfile::tempdir().unwrap() }
    }

    fn write_manifest(&self, manifest: &Value) {
        std::fs::write(self.file(), serde_json::to_string_pretty(manifest).unwrap() + "\n").unwrap();
    }

    fn file(&self) -> std::path::PathBuf {
        self.dir.path().join("addon-manifest.json")
    }

    fn read_manifest(&self) -> Value {
        serde_json::from_str(&std::fs::read_to_string(self.file()).unwrap()).unwrap()
    }

    /// kensa with `args`, the given environment on top of a clean one.
    fn run_with(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut command = Command::cargo_bin("kensa").unwrap();
        command
            .args(args)
            .current_dir(self.dir.path())
            .env_remove("NO_COLOR")
            .env_remove("HEROKU_API_KEY")
            .env_remove("HEROKU_ADDONS_HOST")
            .env_remove("USERPROFILE")
            .env("HOME", self.home.path());
        for (name, value) in env {
            command.env(name, value);
        }
        let output = command.output().unwrap();
        let run = Run {
            code: output.status.code().unwrap(),
            stdout: String::from_utf8(output.stdout).unwrap(),
            stderr: String::from_utf8(output.stderr).unwrap(),
        };
        for (stream, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
            assert!(!text.contains(TOKEN), "kensa {args:?} printed the token on {stream}:\n{text}");
            assert!(
                !text.contains(PASSWORD) && !text.contains(SALT),
                "kensa {args:?} printed a secret on {stream}:\n{text}"
            );
        }
        run
    }

    /// kensa against `fake`, with the token in `HEROKU_API_KEY`.
    fn run(&self, fake: &Fake, args: &[&str]) -> Run {
        let mut all = args.to_vec();
        all.extend(["--host", fake.origin()]);
        self.run_with(&all, &[("HEROKU_API_KEY", TOKEN)])
    }
}

// ---------- push ----------

#[test]
fn push_validates_sends_and_keeps_the_servers_copy() {
    let fake = Fake::start();
    let bench = Bench::new();
    let mut local = manifest("myaddon");
    local["$base"] = json!(1);
    local["name"] = json!("Renamed");
    bench.write_manifest(&local);

    let pushed = bench.run(&fake, &["push"]);
    assert_eq!(pushed.code, 0, "{}{}", pushed.stdout, pushed.stderr);
    assert!(
        pushed.stdout.starts_with("-----> Manifest for \"myaddon\" was pushed successfully\n"),
        "{}",
        pushed.stdout
    );

    let requests = fake.requests();
    assert_eq!(requests.len(), 1);
    let post = &requests[0];
    assert_eq!((post.method.as_str(), post.path.as_str()), ("POST", "/api/v3/addons/myaddon/manifests"));
    assert_eq!(post.header("authorization"), Some(format!("Bearer {TOKEN}").as_str()));
    assert_eq!(post.header("accept"), Some("application/vnd.heroku+json; version=3"));
    assert!(post.header("user-agent").is_some_and(|agent| agent.starts_with("kensa/")));
    assert_eq!(post.header("content-type"), Some("application/json"));
    let sent = post.json();
    assert_eq!(sent, json!({ "contents": local }));

    // The local file is now the server's copy, with the new $base, pretty-printed.
    assert_eq!(bench.read_manifest()["$base"], json!(2));
    assert_eq!(bench.read_manifest()["name"], json!("Renamed"));
    assert!(std::fs::read_to_string(bench.file()).unwrap().starts_with("{\n  \"id\": \"myaddon\","));
    assert_eq!(fake.history("myaddon").len(), 2);
}

#[test]
fn push_refuses_an_invalid_manifest_without_calling_the_api() {
    let fake = Fake::start();
    let bench = Bench::new();
    let mut broken = manifest("myaddon");
    broken["api"].as_object_mut().unwrap().remove("regions");
    broken["api"]["config_vars"] = json!(["OTHER_URL"]);
    bench.write_manifest(&broken);

    let refused = bench.run(&fake, &["push"]);
    assert_eq!(refused.code, 1, "{}{}", refused.stdout, refused.stderr);
    assert!(
        refused.stderr.contains("addon-manifest.json is not a valid manifest; not pushing it"),
        "{}",
        refused.stderr
    );
    assert!(refused.stderr.contains("  ! `api.regions` is missing\n    at /api/regions"), "{}", refused.stderr);
    assert!(refused.stderr.contains("OTHER_URL"), "every problem is listed: {}", refused.stderr);
    assert!(fake.requests().is_empty(), "nothing was sent");
}

#[test]
fn push_rejected_by_the_api_is_a_failure_with_the_servers_reason() {
    let fake = Fake::start();
    let bench = Bench::new();
    let mut stale = manifest("myaddon");
    stale["$base"] = json!(0);
    bench.write_manifest(&stale);

    let rejected = bench.run(&fake, &["push"]);
    assert_eq!(rejected.code, 1, "{}{}", rejected.stdout, rejected.stderr);
    let first = rejected.stderr.lines().next().unwrap();
    assert_eq!(
        first,
        "error: the add-ons API rejected the manifest of \"myaddon\" (422 Unprocessable Entity): $base is out of date, pull first"
    );
    assert!(rejected.stderr.contains("kensa pull myaddon"), "{}", rejected.stderr);
    assert_eq!(bench.read_manifest(), stale, "the local file is unchanged");
}

// ---------- pull ----------

#[test]
fn pull_writes_the_manifest_and_replaces_it_only_with_force() {
    let fake = Fake::start();
    let bench = Bench::new();

    let pulled = bench.run(&fake, &["pull", "myaddon"]);
    assert_eq!(pulled.code, 0, "{}{}", pulled.stdout, pulled.stderr);
    assert!(pulled.stdout.starts_with("-----> Manifest for \"myaddon\" received successfully\n"), "{}", pulled.stdout);
    let request = &fake.requests()[0];
    assert_eq!((request.method.as_str(), request.path.as_str()), ("GET", "/api/v3/addons/myaddon/current_manifest"));
    assert_eq!(request.header("accept"), Some("application/vnd.heroku+json; version=3"));
    let mut expected = manifest("myaddon");
    expected["$base"] = json!(1);
    assert_eq!(bench.read_manifest(), expected);

    // Without a terminal to ask on, an existing file is kept unless --force.
    std::fs::write(bench.file(), "{\"id\": \"mine\"}\n").unwrap();
    let refused = bench.run(&fake, &["pull", "myaddon"]);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(refused.stderr.contains("addon-manifest.json already exists; not replacing it"), "{}", refused.stderr);
    assert!(refused.stderr.contains("--force"), "{}", refused.stderr);
    assert_eq!(std::fs::read_to_string(bench.file()).unwrap(), "{\"id\": \"mine\"}\n");
    assert_eq!(fake.requests().len(), 1, "a refused pull sends nothing");

    let forced = bench.run(&fake, &["pull", "myaddon", "--force", "-f", "addon-manifest.json"]);
    assert_eq!(forced.code, 0, "{}", forced.stderr);
    assert_eq!(bench.read_manifest(), expected);
}

/// The pulled manifest holds the password and SSO salt: it is written as init writes one,
/// user-only and never through a link planted where it goes (the link is replaced).
#[cfg(unix)]
#[test]
fn pull_replaces_a_planted_link_instead_of_writing_through_it() {
    use std::os::unix::fs::PermissionsExt;
    let fake = Fake::start();
    let bench = Bench::new();
    let elsewhere = bench.file().with_file_name("elsewhere.txt");
    std::fs::write(&elsewhere, "not yours\n").unwrap();
    std::os::unix::fs::symlink(&elsewhere, bench.file()).unwrap();

    let pulled = bench.run(&fake, &["pull", "myaddon", "--force"]);
    assert_eq!(pulled.code, 0, "{}", pulled.stderr);
    assert_eq!(std::fs::read_to_string(&elsewhere).unwrap(), "not yours\n");
    let written = std::fs::symlink_metadata(bench.file()).unwrap();
    assert!(written.file_type().is_file(), "the link was written through");
    assert_eq!(written.permissions().mode() & 0o777, 0o600);
}

/// The add-ons API's answer is read up to a bound, not whole whatever its size, so a
/// server (any `--host` or HEROKU_ADDONS_HOST) cannot make kensa hold gigabytes: this one
/// answers `pull` with a valid manifest padded past 16 MiB; kensa refuses it with exit 2
/// and leaves the manifest file alone.
#[test]
fn pull_refuses_an_answer_over_16_mib() {
    let padding = "x".repeat(16 << 20);
    let answer = Reply::json(200, &json!({ "contents": manifest("myaddon"), "padding": padding }));
    // kensa may stop reading and close early: the server takes a failed write in its stride.
    let server = HostileServer::start(move |_| answer.clone());
    let origin = server.origin();
    let bench = Bench::new();
    let pulled = bench.run_with(&["pull", "myaddon", "--host", origin], &[("HEROKU_API_KEY", TOKEN)]);
    assert_eq!(pulled.code, 2, "{}{}", pulled.stdout, pulled.stderr);
    assert!(pulled.stderr.contains("answered with more than 16 MiB"), "{}", pulled.stderr);
    assert!(!bench.file().exists(), "a manifest was written from the oversized answer");
}

// ---------- diff ----------

#[test]
fn diff_is_empty_for_the_same_manifest_and_a_unified_diff_otherwise() {
    let fake = Fake::start();
    let bench = Bench::new();
    assert_eq!(bench.run(&fake, &["pull", "myaddon"]).code, 0);

    let same = bench.run(&fake, &["diff"]);
    assert_eq!(same.code, 0, "{}{}", same.stdout, same.stderr);
    assert_eq!(same.stdout, "addon-manifest.json matches the pushed manifest of \"myaddon\"\n");

    let mut changed = bench.read_manifest();
    changed["api"]["regions"] = json!(["us", "eu"]);
    changed["api"]["password"] = json!("a-new-local-password-00000000000");
    bench.write_manifest(&changed);
    let differs = bench.run(&fake, &["diff"]);
    assert_eq!(differs.code, 1, "{}{}", differs.stdout, differs.stderr);
    let out = &differs.stdout;
    assert!(out.starts_with("--- pushed manifest of \"myaddon\"\n+++ addon-manifest.json\n@@ -"), "{out}");
    assert!(
        out.contains("\n       \"us\"\n+      \"eu\"\n")
            || out.contains("\n-      \"us\"\n+      \"us\",\n+      \"eu\"\n"),
        "{out}"
    );
    assert!(
        out.contains(
            "-    \"password\": \"(hidden, the pushed value)\",\n+    \"password\": \"(hidden, the local value)\","
        ),
        "{out}"
    );
    assert!(!out.contains("a-new-local-password"), "secrets never show: {out}");
    assert!(!out.contains('\x1b'), "plain when not a terminal: {out:?}");
    assert!(fake.requests().iter().all(|request| request.path == "/api/v3/addons/myaddon/current_manifest"));

    let coloured = bench.run(&fake, &["diff", "--color", "always"]);
    assert_eq!(coloured.code, 1);
    assert!(
        coloured.stdout.contains("\x1b[32m+      \"eu\"\x1b[0m") || coloured.stdout.contains("\x1b[32m+"),
        "{:?}",
        coloured.stdout
    );
    assert!(coloured.stdout.contains("\x1b[1;31m-"), "{:?}", coloured.stdout);
}

// ---------- manifests ----------

#[test]
fn manifests_lists_the_history_newest_first() {
    let fake = Fake::start();
    let bench = Bench::new();
    assert_eq!(bench.run(&fake, &["pull", "myaddon"]).code, 0);
    assert_eq!(bench.run(&fake, &["push"]).code, 0);

    // The slug defaults to the manifest's id.
    let listed = bench.run(&fake, &["manifests"]);
    assert_eq!(listed.code, 0, "{}{}", listed.stdout, listed.stderr);
    assert_eq!(
        listed.stdout,
        "Manifest                              Created At\n\
         01234567-89ab-4def-8123-000000000002  2024-05-02T10:00:00Z\n\
         01234567-89ab-4def-8123-000000000001  2024-05-01T10:00:00Z\n"
    );
    assert_eq!(fake.requests().last().unwrap().path, "/api/v3/addons/myaddon/manifests");

    let json = bench.run(&fake, &["manifests", "myaddon", "--format", "json"]);
    assert_eq!(json.code, 0);
    let list: Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(list[0], json!({"id": "01234567-89ab-4def-8123-000000000002", "created_at": "2024-05-02T10:00:00Z"}));

    let empty = bench.run(&fake, &["manifests", "brand-new"]);
    assert_eq!(empty.code, 0);
    assert_eq!(empty.stdout, "No manifests pushed for \"brand-new\" yet.\n");
}

// ---------- errors ----------

#[test]
fn each_error_status_gets_its_own_one_line_message_with_the_servers_text() {
    let fake = Fake::start();
    let bench = Bench::new();
    let origin = fake.origin().to_string();
    let cases = [
        (
            "unauthorized",
            "the add-ons API did not accept the token from HEROKU_API_KEY (401 Unauthorized): Invalid token Bearer [redacted]",
        ),
        (
            "echoes",
            "the add-ons API did not accept the token from HEROKU_API_KEY (401 Unauthorized): Invalid token at /auth?t=[redacted] (sent as [redacted])",
        ),
        (
            "forbidden",
            "not allowed to read the manifest of \"forbidden\" (403 Forbidden): You do not have access to this add-on.",
        ),
        ("missing", &format!("no add-on \"missing\" at {origin} (404 Not Found): Couldn't find that add-on.")),
        (
            "invalid",
            "the add-ons API could not read the manifest of \"invalid\" (422 Unprocessable Entity): $base is out of date, pull first",
        ),
    ];
    for (slug, message) in cases {
        let failed = bench.run(&fake, &["pull", slug, "--force"]);
        assert_eq!(failed.code, 2, "{slug}: {}", failed.stderr);
        assert_eq!(failed.stderr.lines().next().unwrap(), format!("error: {message}"), "{slug}");
        assert!(!bench.file().exists(), "{slug}: nothing written");
    }
    let history = bench.run(&fake, &["manifests", "forbidden"]);
    assert_eq!(history.code, 2);
    assert!(history.stderr.starts_with("error: not allowed to list the manifests of \"forbidden\" (403 Forbidden): "));

    // A wrong token: 401 with a hint on getting a good one.
    let wrong = bench.run_with(&["pull", "myaddon", "--host", &origin], &[("HEROKU_API_KEY", "not-the-token")]);
    assert_eq!(wrong.code, 2);
    assert!(wrong.stderr.starts_with("error: the add-ons API did not accept the token from HEROKU_API_KEY (401 Unauthorized): Invalid credentials provided.\nhint: "), "{}", wrong.stderr);
    assert!(!wrong.stderr.contains("not-the-token"));

    // Nothing listening.
    let closed = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let unreachable = bench
        .run_with(&["pull", "myaddon", "--host", &format!("http://127.0.0.1:{closed}")], &[("HEROKU_API_KEY", TOKEN)]);
    assert_eq!(unreachable.code, 2);
    assert!(
        unreachable.stderr.starts_with(&format!("error: cannot reach the add-ons API at http://127.0.0.1:{closed}: ")),
        "{}",
        unreachable.stderr
    );
}

// ---------- the token and the host ----------

#[test]
fn the_token_comes_from_netrc_when_the_environment_has_none() {
    let fake = Fake::start();
    let bench = Bench::new();
    std::fs::write(
        bench.home.path().join(".netrc"),
        format!(
            "machine git.heroku.com\n  login me@example.com\n  password git-token\n\
             machine api.heroku.com\n  login me@example.com\n  password {TOKEN}\n\
             default login anyone password not-for-heroku\n"
        ),
    )
    .unwrap();
    let pulled = bench.run_with(&["pull", "myaddon", "--host", fake.origin()], &[]);
    assert_eq!(pulled.code, 0, "{}{}", pulled.stdout, pulled.stderr);
    assert_eq!(fake.requests()[0].header("authorization"), Some(format!("Bearer {TOKEN}").as_str()));

    // The environment wins over the file.
    let overridden = bench.run_with(&["diff", "--host", fake.origin()], &[("HEROKU_API_KEY", "from-the-env")]);
    assert_eq!(overridden.code, 2);
    assert!(overridden.stderr.contains("token from HEROKU_API_KEY (401"), "{}", overridden.stderr);

    // A stale netrc token is named as such.
    let netrc = bench.home.path().join(".netrc");
    std::fs::write(&netrc, "machine api.heroku.com login me@example.com password stale-one\n").unwrap();
    let stale = bench.run_with(&["diff", "--host", fake.origin()], &[]);
    assert_eq!(stale.code, 2);
    assert!(
        stale.stderr.contains(&format!("token from the api.heroku.com entry of {} (401", netrc.display())),
        "{}",
        stale.stderr
    );
    assert!(!stale.stderr.contains("stale-one"));
}

#[test]
fn a_missing_token_is_a_clear_error_before_any_request() {
    let fake = Fake::start();
    let bench = Bench::new();
    std::fs::write(
        bench.home.path().join(".netrc"),
        "machine example.com login a password b\ndefault login c password d\n",
    )
    .unwrap();
    for args in [vec!["pull", "myaddon"], vec!["push"], vec!["diff"], vec!["manifests", "myaddon"]] {
        if args[0] != "pull" {
            bench.write_manifest(&manifest("myaddon"));
        }
        let mut args = args;
        args.extend(["--host", fake.origin()]);
        let refused = bench.run_with(&args, &[("HEROKU_API_KEY", "  ")]);
        assert_eq!(refused.code, 2, "{args:?}: {}", refused.stderr);
        assert!(
            refused.stderr.starts_with(
                "error: no Heroku API token: HEROKU_API_KEY is not set and ~/.netrc has no api.heroku.com entry\nhint: run `heroku login`"
            ),
            "{args:?}: {}",
            refused.stderr
        );
        std::fs::remove_file(bench.file()).ok();
    }
    assert!(fake.requests().is_empty());
}

#[test]
fn the_host_comes_from_heroku_addons_host_and_plain_http_stays_local() {
    let fake = Fake::start();
    let bench = Bench::new();
    let pulled =
        bench.run_with(&["pull", "myaddon"], &[("HEROKU_API_KEY", TOKEN), ("HEROKU_ADDONS_HOST", fake.origin())]);
    assert_eq!(pulled.code, 0, "{}{}", pulled.stdout, pulled.stderr);
    assert_eq!(fake.requests().len(), 1);

    let refused =
        bench.run_with(&["manifests", "myaddon", "--host", "http://addons.example.com"], &[("HEROKU_API_KEY", TOKEN)]);
    assert_eq!(refused.code, 2);
    assert!(
        refused
            .stderr
            .starts_with("error: refusing to send your Heroku token over plain http to http://addons.example.com\n"),
        "{}",
        refused.stderr
    );
}

#[test]
fn diff_and_manifests_need_a_manifest_with_an_id() {
    let fake = Fake::start();
    let bench = Bench::new();
    let missing = bench.run(&fake, &["diff"]);
    assert_eq!(missing.code, 2);
    assert!(missing.stderr.starts_with("error: cannot read addon-manifest.json: no such file"), "{}", missing.stderr);
    std::fs::write(bench.file(), "{\"name\": \"x\"}").unwrap();
    let no_id = bench.run(&fake, &["manifests"]);
    assert_eq!(no_id.code, 2);
    assert!(no_id.stderr.contains("has no `id`"), "{}", no_id.stderr);
    assert!(fake.requests().is_empty());
}
