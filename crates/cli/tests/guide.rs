//! The onboarding guide, `docs/guide.md`, runs as written against the reference provider;
//! and every `kensa` command of the guide our users follow,
//! `../shared/seed/building-a-heroku-add-on.md`, is accepted by this kensa and does what
//! that guide says.
//!
//! # How the guide runs
//!
//! - Every line of a ```` ```sh ```` block that starts with `$ ` is a command (a line
//!   ending in `\` continues on the next). The commands run in order, each through
//!   `sh -c` in one empty temporary folder, with the `kensa` under test first on `PATH`:
//!   one installed into a temporary root by `cargo install --locked --path crates/cli`, as
//!   the guide's step 1 installs it (see `InstalledKensa`), never the one in `target/`.
//!   Each must exit 0, or N when its line ends with `# exits N`.
//! - The other lines under a command, up to the next one, are output it must print
//!   (stdout and stderr together): every non-empty line, in order, among the printed
//!   lines. A line `...` stands for any lines, and `...` inside a line for any text.
//! - A block whose info string has `file=NAME` is written to `NAME` at that point.
//! - Blocks tagged `bash`, `console`, `shell`, `shell-session`, `term` or `zsh` are
//!   refused, so a command is either run (`sh`) or plainly an illustration (`text`).
//!
//! # The service on port 5000
//!
//! The guide starts "your service" as `env $(cat .env) kensa-provider --port 5000 ...`.
//! A stand-in `kensa-provider` script first on `PATH` records the arguments and the
//! environment the shell gave it, and exits; the test then starts the reference provider
//! in this process with the same options, replacing the previous one, as Ctrl-C and a new
//! start would in a second terminal.
//!
//! The guide's fixed ports are never used, so the test does not need them free: it
//! reserves a free port P for the provider (one listening socket kept for the whole run,
//! served by each restart, so no one else can take it in between) and picks a free port Q
//! for kensa's stand-in for Heroku under `--async`. Then it
//! - replaces the number 5000 with P and 5001 with Q in each command before running it;
//! - after each command, replaces `:5000` with `:P` in the `.json` files of the folder
//!   (`kensa init --foreman` writes a manifest that points at `localhost:5000`);
//! - replaces `:P` with `:5000` and `:Q` with `:5001` in what a command printed before
//!   comparing it with the guide.
#![cfg(unix)]
#![allow(clippy::unwrap_used, reason = "test helpers panic on purpose")]
#![allow(
    clippy::disallowed_methods,
    reason = "host-side test: temporary folders, child processes, the environment and the clock"
)]

mod common;

use common::make_repository;
use common::tools::program_ready;
use kensa_provider::{Faults, ProviderOptions, RunningProvider};
use serde_json::{Value, json};
use std::fs;
use std::io::{Read, Seek, SeekFrom, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const GUIDE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/guide.md");
/// The guide our users follow (Heroku's "Building a Heroku add-on"), copied verbatim so
/// that a clean clone checks it too.
const SEED: &str = include_str!("fixtures/seed-guide.md");

/// The port the guide's service listens on, and the port of kensa's Heroku stand-in.
const SERVICE_PORT: &str = "5000";
const CALLBACK_PORT: &str = "5001";

/// Longer than any kensa command needs (its requests time out after 25 s).
const COMMAND_TIMEOUT: Duration = Duration::from_secs(120);

/// Variables of the developer's shell that would change what the commands do.
const CLEARED_ENV: &[&str] = &[
    "HEROKU_USERNAME",
    "HEROKU_PASSWORD",
    "SSO_SALT",
    "OAUTH_CLIENT_SECRET",
    "REPO_PREFIX",
    "HEROKU_API_KEY",
    "HEROKU_ADDONS_HOST",
    "MYADDON_URL",
    "CDPATH",
    "ENV",
];

// ---------- the guide ----------

#[derive(Debug)]
enum Step {
    /// A `$ ` line of a ```` ```sh ```` block (with its continuation lines) and the output
    /// shown under it.
    Command { line: usize, text: String, exit: i32, output: Vec<String> },
    /// A block with `file=NAME`: its contents, written to NAME.
    File { name: String, contents: String },
}

fn guide_steps(markdown: &str) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut lines = markdown.lines().enumerate().map(|(index, line)| (index + 1, line));
    while let Some((opened, line)) = lines.next() {
        let Some(info) = line.trim_start().strip_prefix("```") else {
            continue;
        };
        let info = info.trim();
        let mut body = Vec::new();
        let mut closed = false;
        for (number, line) in lines.by_ref() {
            if line.trim_start().starts_with("```") {
                closed = true;
                break;
            }
            body.push((number, line));
        }
        assert!(closed, "docs/guide.md line {opened}: the code block is never closed");
        let language = info.split_whitespace().next().unwrap_or_default();
        if let Some(name) = info.split_whitespace().find_map(|word| word.strip_prefix("file=")) {
            let mut contents = body.iter().map(|(_, line)| *line).collect::<Vec<_>>().join("\n");
            contents.push('\n');
            steps.push(Step::File { name: name.to_string(), contents });
            continue;
        }
        match language {
            "sh" => steps.extend(commands(&body)),
            "bash" | "console" | "shell" | "shell-session" | "term" | "zsh" => panic!(
                "docs/guide.md line {opened}: a ```{language} block is ambiguous; use ```sh for commands the guide \
                 test runs, ```text for the others"
            ),
            _ => {}
        }
    }
    steps
}

/// The commands of one ```` ```sh ```` block, with the output shown under each.
fn commands(body: &[(usize, &str)]) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut lines = body.iter();
    while let Some(&(number, line)) = lines.next() {
        if let Some(command) = line.strip_prefix("$ ") {
            let mut text = command.to_string();
            while text.ends_with('\\') {
                let (_, next) = lines
                    .next()
                    .unwrap_or_else(|| panic!("docs/guide.md line {number}: the command continues past its block"));
                text.push('\n');
                text.push_str(next);
            }
            let exit = expected_exit(&text, number);
            steps.push(Step::Command { line: number, text, exit, output: Vec::new() });
        } else if let Some(Step::Command { output, .. }) = steps.last_mut() {
            output.push(line.to_string());
        } else {
            assert!(line.trim().is_empty(), "docs/guide.md line {number}: output before any `$ ` command: {line}");
        }
    }
    steps
}

/// 0, or N when the command's last line ends with `# exits N`.
fn expected_exit(text: &str, number: usize) -> i32 {
    let last = text.lines().last().unwrap_or_default();
    match last.rsplit_once("# exits ") {
        Some((_, code)) => code
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("docs/guide.md line {number}: `# exits` needs a number: {last}")),
        None => 0,
    }
}

/// Whether every expected line (but blank ones and `...`) is among the printed lines, in
/// order; the first one missing otherwise.
fn expected_lines_printed(expected: &[String], printed: &str) -> Result<(), String> {
    let printed: Vec<&str> = printed.lines().map(str::trim_end).collect();
    let mut from = 0;
    for wanted in expected.iter().map(|line| line.trim_end()).filter(|line| !line.trim().is_empty()) {
        if wanted.trim() == "..." {
            continue;
        }
        match printed[from..].iter().position(|line| line_matches(wanted, line)) {
            Some(at) => from += at + 1,
            None => return Err(wanted.to_string()),
        }
    }
    Ok(())
}

/// `pattern` with each `...` standing for any text.
fn line_matches(pattern: &str, line: &str) -> bool {
    let pieces: Vec<&str> = pattern.split("...").collect();
    let Some((first, rest)) = pieces.split_first() else {
        return line.is_empty();
    };
    let Some(mut remaining) = line.strip_prefix(first) else {
        return false;
    };
    let Some((last, middle)) = rest.split_last() else {
        return remaining.is_empty();
    };
    for piece in middle {
        match remaining.find(piece) {
            Some(at) => remaining = &remaining[at + piece.len()..],
            None => return false,
        }
    }
    remaining.ends_with(last)
}

/// Replaces the number `from` with `to` where it stands alone (not inside a longer
/// number), and only after a `:` when `after_colon`.
fn replace_port(text: &str, from: &str, to: &str, after_colon: bool) -> String {
    let bytes = text.as_bytes();
    let mut replaced = String::with_capacity(text.len());
    let mut copied = 0;
    for (at, _) in text.match_indices(from) {
        let before = at.checked_sub(1).map(|index| bytes[index]);
        let after = bytes.get(at + from.len()).copied();
        let alone =
            !before.is_some_and(|byte| byte.is_ascii_digit()) && !after.is_some_and(|byte| byte.is_ascii_digit());
        if alone && (!after_colon || before == Some(b':')) {
            replaced.push_str(&text[copied..at]);
            replaced.push_str(to);
            copied = at + from.len();
        }
    }
    replaced.push_str(&text[copied..]);
    replaced
}

// ---------- running commands ----------

/// `kensa` installed the way docs/guide.md step 1 installs it, into a temporary root:
/// `cargo install --locked --path crates/cli`, so an incomplete Cargo.lock or a
/// build that differs outside `target/` fails here. `--offline` because `cargo test` has
/// fetched every crate already; `--debug` and the workspace's own target folder so that the
/// install reuses what `cargo test` just built (a release build with LTO would take
/// minutes on a small machine) and is mostly a copy.
struct InstalledKensa {
    root: tempfile::TempDir,
}

impl InstalledKensa {
    fn install() -> InstalledKensa {
        let root = tempfile::tempdir().unwrap();
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let target = Path::new(env!("CARGO_TARGET_TMPDIR")).parent().unwrap();
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let started = Instant::now();
        let output = Command::new(&cargo)
            .args(["install", "--locked", "--offline", "--debug", "--path", "crates/cli", "--root"])
            .arg(root.path())
            .current_dir(&workspace)
            .env("CARGO_TARGET_DIR", target)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let printed = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "cargo install --locked --path crates/cli failed:\n{printed}");
        let installed = InstalledKensa { root };
        assert!(installed.bin().join("kensa").is_file(), "cargo install left no bin/kensa:\n{printed}");
        eprintln!("installed kensa in {:.1}s", started.elapsed().as_secs_f64());
        installed
    }

    /// The folder to put first on `PATH`.
    fn bin(&self) -> PathBuf {
        self.root.path().join("bin")
    }

    /// Fails unless `kensa` on `path` is this installed one.
    fn assert_first_on(&self, path: &std::ffi::OsStr) {
        let (code, found) = run_sh("command -v kensa", self.root.path(), path, &[]);
        assert_eq!((code, found.trim()), (0, self.bin().join("kensa").to_str().unwrap()), "the kensa on PATH");
    }
}

/// `PATH` with `first` in front of it.
fn path_with(first: &[&Path]) -> std::ffi::OsString {
    let rest = std::env::var_os("PATH").unwrap_or_default();
    std::env::join_paths(first.iter().map(|dir| dir.to_path_buf()).chain(std::env::split_paths(&rest))).unwrap()
}

/// Runs `script` with `sh -c` in `dir`: its exit code and what it printed (stdout and
/// stderr together, in order).
fn run_sh(script: &str, dir: &Path, path: &std::ffi::OsStr, env: &[(&str, &str)]) -> (i32, String) {
    let mut log = tempfile::tempfile().unwrap();
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(script)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log.try_clone().unwrap())
        .env("PATH", path)
        .env("NO_COLOR", "1")
        // Local calls never go through a proxy of the developer's.
        .env("no_proxy", "localhost,127.0.0.1")
        .env("NO_PROXY", "localhost,127.0.0.1");
    for name in CLEARED_ENV {
        command.env_remove(name);
    }
    command.envs(env.iter().copied());
    let mut child = command.spawn().unwrap();
    let deadline = Instant::now() + COMMAND_TIMEOUT;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("`{script}` did not finish within {}s", COMMAND_TIMEOUT.as_secs());
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let mut printed = String::new();
    log.seek(SeekFrom::Start(0)).unwrap();
    log.read_to_string(&mut printed).unwrap();
    let code = status.code().unwrap_or_else(|| panic!("`{script}` was killed by a signal ({status}):\n{printed}"));
    (code, printed)
}

fn write_executable(path: &Path, contents: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, contents).unwrap();
    fs::set_permissions(path, fs::Permissions::from_mode(0o755)).unwrap();
}

/// Every file under `dir` whose name ends in `.json`.
fn json_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap().flatten() {
        let kind = entry.file_type().unwrap();
        let path = entry.path();
        if kind.is_dir() && entry.file_name() != ".git" {
            json_files(&path, found);
        } else if kind.is_file() && path.extension().is_some_and(|extension| extension == "json") {
            found.push(path);
        }
    }
}

// ---------- the reference provider, restartable on one port ----------

/// The reference provider on a port reserved for the whole test: each restart serves the
/// same listening socket, so the port never changes and no one else can take it.
struct Provider {
    listener: TcpListener,
    running: Option<(tokio::sync::oneshot::Sender<()>, std::thread::JoinHandle<()>)>,
}

impl Provider {
    fn reserve() -> Provider {
        Provider { listener: TcpListener::bind("127.0.0.1:0").unwrap(), running: None }
    }

    fn port(&self) -> u16 {
        self.listener.local_addr().unwrap().port()
    }

    /// Stops the running provider, if any, and starts one with `options`.
    fn restart(&mut self, options: ProviderOptions) {
        self.stop();
        let listener = self.listener.try_clone().unwrap();
        listener.set_nonblocking(true).unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let (failed, failure) = std::sync::mpsc::channel::<std::io::Error>();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                let shutdown = async {
                    let _ = stopped.await;
                };
                if let Err(error) = kensa_provider::serve_with_shutdown(listener, options, shutdown).await {
                    let _ = failed.send(error);
                }
            });
        });
        // Invalid options fail at once, before anything is served.
        if let Ok(error) = failure.recv_timeout(Duration::from_millis(100)) {
            panic!("the reference provider did not start: {error}");
        }
        self.running = Some((stop, thread));
    }

    fn stop(&mut self) {
        if let Some((stop, thread)) = self.running.take() {
            let _ = stop.send(());
            thread.join().unwrap();
        }
    }
}

impl Drop for Provider {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The stand-in `kensa-provider`: records its arguments and the environment the shell gave
/// it, for the test to start the real provider in process.
const PROVIDER_SHIM: &str = r#"#!/bin/sh
# kensa-provider as the guide test sees it: records how the guide starts the service; the
# test then starts the reference provider in process with the same options.
{
  for arg in "$@"; do printf 'arg %s\n' "$arg"; done
  for name in HEROKU_USERNAME HEROKU_PASSWORD SSO_SALT OAUTH_CLIENT_SECRET; do
    if value=$(printenv "$name"); then printf 'env %s=%s\n' "$name" "$value"; fi
  done
} > "$KENSA_GUIDE_RECORD.tmp" && mv "$KENSA_GUIDE_RECORD.tmp" "$KENSA_GUIDE_RECORD"
"#;

/// The options `kensa-provider` would run with, given the arguments and environment the
/// shim recorded. The port must be the reserved one (the guide's 5000).
fn provider_options(record: &str, port: u16) -> ProviderOptions {
    let mut args = Vec::new();
    let mut env = Vec::new();
    for line in record.lines() {
        if let Some(arg) = line.strip_prefix("arg ") {
            args.push(arg.to_string());
        } else if let Some((name, value)) = line.strip_prefix("env ").and_then(|var| var.split_once('=')) {
            env.push((name.to_string(), value.to_string()));
        }
    }
    let from_env = |name: &str| env.iter().find(|(key, _)| key == name).map(|(_, value)| value.clone());
    let defaults = ProviderOptions::default();
    let mut options = ProviderOptions { log_requests: false, ..ProviderOptions::default() };
    let (mut id, mut password, mut sso_salt, mut oauth_client_secret) = (None, None, None, None);
    let mut config_vars = Vec::new();
    let mut port_given = None;
    let mut index = 0;
    while index < args.len() {
        let (flag, inline) = match args[index].split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => (flag.to_string(), Some(value.to_string())),
            _ => (args[index].clone(), None),
        };
        index += 1;
        let mut value = || {
            inline.clone().or_else(|| {
                index += 1;
                args.get(index - 1).cloned()
            })
        };
        let mut value = || value().unwrap_or_else(|| panic!("kensa-provider {flag} needs a value"));
        match flag.as_str() {
            "--port" | "-p" => port_given = Some(value()),
            "--id" => id = Some(value()),
            "--password" => password = Some(value()),
            "--sso-salt" => sso_salt = Some(value()),
            "--config-var" => config_vars.push(value()),
            "--fault" => {
                let faults: Faults = value().parse().unwrap_or_else(|error| panic!("kensa-provider --fault: {error}"));
                options.faults.extend(faults.iter());
            }
            "--base-path" => options.base_path = value(),
            "--sso-path" => options.sso_path = value(),
            "--async" => options.async_provisioning = true,
            "--heroku-id-url" => options.heroku_id_url = value(),
            "--oauth-client-secret" => oauth_client_secret = Some(value()),
            "--async-delay-ms" => options.async_delay = Duration::from_millis(value().parse().unwrap()),
            "--quiet" | "-q" => {}
            other => panic!(
                "the guide starts kensa-provider with `{other}`, which the guide test does not pass on; \
                 add it to provider_options in crates/cli/tests/guide.rs"
            ),
        }
    }
    assert_eq!(
        port_given.as_deref(),
        Some(port.to_string().as_str()),
        "the guide must start the service with --port {SERVICE_PORT} (the test maps it to port {port})"
    );
    options.id = id.or_else(|| from_env("HEROKU_USERNAME")).unwrap_or(defaults.id);
    options.password = password.or_else(|| from_env("HEROKU_PASSWORD")).unwrap_or(defaults.password);
    options.sso_salt = sso_salt.or_else(|| from_env("SSO_SALT"));
    options.oauth_client_secret =
        oauth_client_secret.or_else(|| from_env("OAUTH_CLIENT_SECRET")).unwrap_or(defaults.oauth_client_secret);
    if !config_vars.is_empty() {
        options.config_vars = config_vars;
    }
    options
}

/// Waits for the shim's record, and takes it.
fn take_record(path: &Path, command: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Ok(record) = fs::read_to_string(path) {
            fs::remove_file(path).unwrap();
            return record;
        }
        assert!(Instant::now() < deadline, "`{command}` mentions kensa-provider but never started it");
        std::thread::sleep(Duration::from_millis(10));
    }
}

// ---------- the guide test ----------

#[test]
fn the_guide_runs_as_written_against_the_reference_provider() {
    if !program_ready("curl", "the guide test (docs/guide.md uses curl)") {
        return;
    }
    let started = Instant::now();
    let guide = fs::read_to_string(GUIDE).unwrap();
    let steps = guide_steps(&guide);
    let work = tempfile::tempdir().unwrap();
    let internals = tempfile::tempdir().unwrap();
    let shims = internals.path().join("bin");
    write_executable(&shims.join("kensa-provider"), PROVIDER_SHIM);
    let record = internals.path().join("provider-record");
    let kensa = InstalledKensa::install();
    let path = path_with(&[&shims, &kensa.bin()]);
    kensa.assert_first_on(&path);
    let mut provider = Provider::reserve();
    let port = provider.port().to_string();
    let callback_port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port().to_string();
    let env = [("KENSA_GUIDE_RECORD", record.to_str().unwrap())];

    let mut ran = 0;
    for step in &steps {
        let (line, text, exit, output) = match step {
            Step::File { name, contents } => {
                fs::write(work.path().join(name), contents).unwrap();
                continue;
            }
            Step::Command { line, text, exit, output } => (line, text, *exit, output),
        };
        let script =
            replace_port(&replace_port(text, SERVICE_PORT, &port, false), CALLBACK_PORT, &callback_port, false);
        let (code, printed) = run_sh(&script, work.path(), &path, &env);
        let printed =
            replace_port(&replace_port(&printed, &port, SERVICE_PORT, true), &callback_port, CALLBACK_PORT, true);
        assert_eq!(code, exit, "docs/guide.md line {line}: `{text}` exited {code}, the guide says {exit}:\n{printed}");
        if let Err(missing) = expected_lines_printed(output, &printed) {
            panic!("docs/guide.md line {line}: `{text}` did not print (in order)\n{missing}\nIt printed:\n{printed}");
        }
        if text.contains("kensa-provider") {
            let record = take_record(&record, text);
            provider.restart(provider_options(&record, provider.port()));
        }
        let mut manifests = Vec::new();
        json_files(work.path(), &mut manifests);
        for manifest in manifests {
            let contents = fs::read_to_string(&manifest).unwrap();
            let pointed = replace_port(&contents, SERVICE_PORT, &port, true);
            if pointed != contents {
                fs::write(&manifest, pointed).unwrap();
            }
        }
        ran += 1;
    }
    eprintln!("ran {ran} commands of docs/guide.md in {:.1}s", started.elapsed().as_secs_f64());
}

/// The guide takes a provider from `kensa init` through every test to a green run, runs what
/// can run, and keeps what needs the network or a browser out of the run.
#[test]
fn the_guide_covers_every_step_and_runs_what_it_can() {
    let guide = fs::read_to_string(GUIDE).unwrap();
    let steps = guide_steps(&guide);
    let run: Vec<&str> = steps
        .iter()
        .filter_map(|step| match step {
            Step::Command { text, .. } => Some(text.as_str()),
            Step::File { .. } => None,
        })
        .collect();
    for wanted in [
        "kensa init",
        "kensa create myaddon --template node",
        "kensa test manifest",
        "kensa test provision",
        "kensa test planchange ",
        "kensa test sso",
        "kensa test deprovision",
        "kensa resources",
        "kensa test all --with-sso",
        "kensa test provision --async",
        "kensa run ",
        "kensa explain ",
        "kensa-provider --port 5000",
    ] {
        assert!(run.iter().any(|command| command.contains(wanted)), "no `$ {wanted}` command in a ```sh block");
    }
    assert!(run.iter().any(|command| command.ends_with("# exits 1")), "no red step");
    for offline in ["kensa push", "kensa pull", "kensa sso", "cargo install"] {
        assert!(!run.iter().any(|command| command.contains(offline)), "`{offline}` must not run in the guide test");
        assert!(guide.contains(&format!("$ {offline}")), "the guide shows no `$ {offline}`");
    }
    assert!(guide.contains(r#"<iframe src="https://kensa.example/index.html?embed""#));
    assert!(guide.contains("trunk serve"));
}

/// Step 1 of the guide and the README's first screen install from a checkout and from the
/// repository that Cargo.toml names: the seed guide's `gem install kensa` installs the old
/// Ruby gem, so a reader needs a line that installs this kensa.
#[test]
fn the_install_commands_name_this_repository() {
    let workspace = fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../Cargo.toml")).unwrap();
    let repository = workspace
        .lines()
        .find_map(|line| line.strip_prefix("repository = \"")?.strip_suffix('"'))
        .expect("Cargo.toml names the repository");
    let guide = fs::read_to_string(GUIDE).unwrap();
    let readme = fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap();
    let first_screen: String = readme.lines().take(40).collect::<Vec<_>>().join("\n");
    let from_git = format!("cargo install --locked --git {repository} kensa-cli");
    for (name, text) in [("docs/guide.md", guide.as_str()), ("README.md's first screen", first_screen.as_str())] {
        assert!(text.contains("cargo install --locked --path crates/cli"), "{name} shows no install from a checkout");
        assert!(text.contains(&from_git), "{name} shows no `{from_git}`");
    }
    for command in ["./scripts/demo", "./scripts/test"] {
        assert!(first_screen.contains(command), "README.md's first screen lost `{command}`");
    }
}

/// Docs authors copy the embed snippet from the README or the guide: both show the same one,
/// with the allow attribute Chromium 156 (local-network-access) and Firefox ESR 153
/// (loopback-network, local-network) delegate local network access with.
#[test]
fn readme_and_guide_show_the_same_embed_snippet() {
    fn snippet(text: &str) -> &str {
        let start = text.find("<iframe src=").expect("an <iframe src=...> snippet");
        let end = text[start..].find("</iframe>").expect("the snippet's </iframe>") + start;
        &text[start..end + "</iframe>".len()]
    }
    let guide = fs::read_to_string(GUIDE).unwrap();
    let readme = fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap();
    assert_eq!(snippet(&readme), snippet(&guide));
    assert!(snippet(&guide).contains(r#"allow="local-network-access; loopback-network; local-network""#));
}

#[test]
fn guide_output_patterns() {
    assert!(line_matches("kensa ...", "kensa 0.1.0"));
    assert!(line_matches(r#"{"id":"...","plan":"test"}"#, r#"{"id":"abc","plan":"test"}"#));
    assert!(!line_matches(r#"{"id":"...","plan":"test"}"#, r#"{"id":"abc","plan":"premium"}"#));
    assert!(line_matches("  Check x [PASS]", "  Check x [PASS]"));
    assert!(!line_matches("  Check x [PASS]", "  Check x [PASS] (id 1)"));
    assert!(line_matches("a...b...c", "a1b2c"));
    assert!(!line_matches("a...b...c", "a1c2b"));
    let expected = ["one".to_string(), "...".to_string(), "three".to_string()];
    assert!(expected_lines_printed(&expected, "zero\none\ntwo\nthree\n").is_ok());
    assert_eq!(expected_lines_printed(&expected, "three\none\n"), Err("three".to_string()));
    assert_eq!(
        replace_port("--port 5000 :5000/x 15000 50001", "5000", "40123", false),
        "--port 40123 :40123/x 15000 50001"
    );
    assert_eq!(replace_port("http://127.0.0.1:40123/ 40123", "40123", "5000", true), "http://127.0.0.1:5000/ 40123");
    assert_eq!(expected_exit("kensa test provision     # exits 1", 1), 1);
    assert_eq!(expected_exit("kensa test provision", 1), 0);
}

// ---------- the seed guide ----------

/// Every `$ kensa ...` line of the seed guide, as written; `a|b|c` inside a word offers
/// alternatives, one command each.
fn seed_commands(markdown: &str) -> Vec<String> {
    let mut commands = Vec::new();
    for line in markdown.lines() {
        let Some(command) = line.trim().strip_prefix("$ ") else {
            continue;
        };
        if command != "kensa" && !command.starts_with("kensa ") {
            continue;
        }
        assert!(
            !command.contains(['"', '\'', '$', '`', '\\', ';', '&', '<', '>']) && !command.contains(" | "),
            "a seed command this test would have to interpret as a shell would: {command}"
        );
        let mut expanded = vec![Vec::<&str>::new()];
        for word in command.split_whitespace() {
            expanded = expanded
                .iter()
                .flat_map(|words| {
                    word.split('|').map(|alternative| words.iter().copied().chain([alternative]).collect::<Vec<_>>())
                })
                .collect();
        }
        commands.extend(expanded.into_iter().map(|words| words.join(" ")));
    }
    commands
}

/// Starts a fresh reference provider with the manifest's id, password, salt and config
/// vars, and points the manifest's test URLs at it (the seed's reader runs their service
/// wherever they like and edits those URLs).
fn serve_manifest(dir: &Path) -> RunningProvider {
    let path = dir.join("addon-manifest.json");
    let mut manifest: Value = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
    let text = |value: &Value| value.as_str().unwrap().to_string();
    let options = ProviderOptions {
        id: text(&manifest["id"]),
        password: text(&manifest["api"]["password"]),
        sso_salt: manifest["api"]["sso_salt"].as_str().map(str::to_string),
        config_vars: manifest["api"]["config_vars"].as_array().unwrap().iter().map(text).collect(),
        ..ProviderOptions::default()
    };
    let provider = kensa_provider::spawn_thread(options).unwrap();
    manifest["api"]["test"]["base_url"] = provider.resources_url().into();
    manifest["api"]["test"]["sso_url"] = provider.sso_url().into();
    fs::write(&path, serde_json::to_string_pretty(&manifest).unwrap()).unwrap();
    provider
}

/// Provisions a resource with Heroku uuid `uuid`, as Heroku would.
fn provision(provider: &RunningProvider, uuid: &str) {
    let options = provider.options();
    let body = json!({
        "uuid": uuid,
        "plan": "test",
        "region": "amazon-web-services::us-east-1",
        "name": format!("{}-{uuid}", options.id),
        "callback_url": format!("https://api.heroku.com/addons/{uuid}"),
        "options": {},
    })
    .to_string();
    let mut stream = TcpStream::connect(provider.addr()).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        stream,
        "POST {} HTTP/1.1\r\nHost: {}\r\nAuthorization: {}\r\nAccept: application/vnd.heroku-addons+json; version=3\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        options.base_path,
        provider.addr(),
        kensa_provider::basic_auth_header(&options.id, &options.password),
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "provisioning {uuid}: {response}");
}

/// Runs `command` (a `kensa test` on resource `key`) against a provider that already has
/// that resource; it must pass its `method` group. Returns the provider, to inspect.
fn run_on_resource(command: &str, dir: &Path, path: &std::ffi::OsStr, key: &str, method: &str) -> RunningProvider {
    let provider = serve_manifest(dir);
    provision(&provider, key);
    let (code, printed) = run_sh(command, dir, path, &[]);
    assert_eq!(code, 0, "`{command}`:\n{printed}");
    assert_printed(
        command,
        &printed,
        &[&format!("Testing {method} /heroku/resources/{key}"), "  Check response [PASS]"],
    );
    provider
}

/// Fails unless `printed` has every one of `lines`, in order.
fn assert_printed(command: &str, printed: &str, lines: &[&str]) {
    let expected: Vec<String> = lines.iter().map(|line| line.to_string()).collect();
    if let Err(missing) = expected_lines_printed(&expected, printed) {
        panic!("`{command}` did not print (in order)\n{missing}\nIt printed:\n{printed}");
    }
}

const BUILT_IN_TEMPLATES: &[&str] = &["node", "python", "rust", "sinatra"];

#[test]
fn every_kensa_command_of_the_seed_guide_is_accepted_as_written() {
    let commands = seed_commands(SEED);
    assert!(commands.iter().any(|command| command == "kensa init"), "{commands:?}");
    let work = tempfile::tempdir().unwrap();
    let internals = tempfile::tempdir().unwrap();
    let stubs = internals.path().join("stubs");
    fs::create_dir_all(&stubs).unwrap();
    let kensa = InstalledKensa::install();
    let path = path_with(&[&stubs, &kensa.bin()]);
    kensa.assert_first_on(&path);

    for command in &commands {
        let words: Vec<&str> = command.split_whitespace().skip(1).collect();
        match words.as_slice() {
            ["init", ..] => {
                let (code, printed) = run_sh(command, work.path(), &path, &[]);
                assert_eq!(code, 0, "`{command}`:\n{printed}");
                assert_printed(command, &printed, &["Initialized new addon manifest in addon-manifest.json"]);
            }
            ["create", name, "--template", template] => {
                check_seed_create(command, name, template, internals.path(), &kensa.bin())
            }
            ["test", "provision", ..] => {
                let provider = serve_manifest(work.path());
                let (code, printed) = run_sh(command, work.path(), &path, &[]);
                assert_eq!(code, 0, "`{command}`:\n{printed}");
                // The passing run of the seed guide, less the lines this kensa words differently.
                let seen = [
                    "Testing POST /heroku/resources",
                    "  Check response [PASS]",
                    "  Check valid JSON [PASS]",
                    "  Check authentication [PASS]",
                    "Testing response",
                    "Testing config data",
                    "  Check is a hash [PASS]",
                    "  Check all config keys were previously defined in the manifest [PASS]",
                    "  Check all config values are strings [PASS]",
                    "done.",
                ];
                assert_printed(command, &printed, &seen);
                assert_eq!(provider.resource_count().unwrap(), 1, "the provision test keeps its first resource");
            }
            ["test", "deprovision", key] => {
                let provider = run_on_resource(command, work.path(), &path, key, "DELETE");
                assert_eq!(provider.resource_count().unwrap(), 0, "`{command}` removed the resource");
            }
            ["test", "planchange", key, plan] => {
                let provider = run_on_resource(command, work.path(), &path, key, "PUT");
                let resources = provider.resources().unwrap();
                assert_eq!(resources.len(), 1);
                assert_eq!(resources[0].plan, *plan, "`{command}` changed the plan");
            }
            ["run", program, args @ ..] => {
                // The consumer test itself is the reader's (Ruby, MySQL): a stub stands in for
                // the program and shows what kensa gave it.
                write_executable(
                    &stubs.join(program),
                    "#!/bin/sh\n[ -f \"$1\" ] || { echo \"no $1\" >&2; exit 1; }\necho \"consumer $*: MYADDON_URL=$MYADDON_URL\"\n",
                );
                for arg in args {
                    fs::write(work.path().join(arg), "# the reader's consumer test\n").unwrap();
                }
                let provider = serve_manifest(work.path());
                let (code, printed) = run_sh(command, work.path(), &path, &[]);
                assert_eq!(code, 0, "`{command}`:\n{printed}");
                let shown = words[1..].join(" ");
                assert_printed(
                    command,
                    &printed,
                    &[
                        "Testing POST /heroku/resources",
                        &format!("Starting {shown}..."),
                        &format!("consumer {}: MYADDON_URL=http://127.0.0.1:...", args.join(" ")),
                        &format!("End of {shown}"),
                        "Testing DELETE /heroku/resources/...",
                        "done.",
                    ],
                );
                assert_eq!(provider.resource_count().unwrap(), 0, "`{command}` deprovisioned its resource");
            }
            _ => panic!("the seed guide has `{command}`, which this test does not know how to check; add a case"),
        }
    }
    eprintln!("checked {} kensa commands of the seed guide: {commands:#?}", commands.len());
}

/// `kensa create NAME --template T` from the seed guide, in a fresh folder: built-in
/// templates offline; any other name from `REPO_PREFIX` (a local repository here), and
/// from `https://github.com/heroku/kensa-create-T` by default (offline here, so the clone
/// fails fast with an error naming that URL, and never reaches the network).
fn check_seed_create(command: &str, name: &str, template: &str, internals: &Path, kensa_bin: &Path) {
    let path = path_with(&[kensa_bin]);
    let folder = internals.join(format!("create-{template}"));
    fs::create_dir_all(&folder).unwrap();
    if BUILT_IN_TEMPLATES.contains(&template) {
        let (code, printed) = run_sh(command, &folder, &path, &[]);
        assert_eq!(code, 0, "`{command}`:\n{printed}");
        assert_printed(command, &printed, &[&format!("Created {name} from {template} template")]);
        assert!(folder.join(name).join("addon-manifest.json").is_file() && folder.join(name).join(".env").is_file());
        return;
    }
    if !program_ready("git", &format!("`{command}` in the seed guide")) {
        return;
    }
    let repos = internals.join("repos");
    let repo = repos.join(format!("kensa-create-{template}"));
    fs::create_dir_all(&repo).unwrap();
    fs::write(repo.join("README.md"), format!("# kensa-create-{template}\n")).unwrap();
    make_repository(&repo);
    let prefix = format!("file://{}/kensa-create-", repos.display());
    let offline = [("GIT_ALLOW_PROTOCOL", "file"), ("GIT_TERMINAL_PROMPT", "0")];

    let from_prefix = folder.join("from-prefix");
    fs::create_dir_all(&from_prefix).unwrap();
    let env: Vec<(&str, &str)> = offline.iter().copied().chain([("REPO_PREFIX", prefix.as_str())]).collect();
    let (code, printed) = run_sh(command, &from_prefix, &path, &env);
    assert_eq!(code, 0, "`{command}` with REPO_PREFIX={prefix}:\n{printed}");
    assert_printed(command, &printed, &[&format!("Created {name} from {template} template")]);
    let created = from_prefix.join(name);
    assert_eq!(fs::read_to_string(created.join("README.md")).unwrap(), format!("# kensa-create-{template}\n"));
    assert!(created.join("addon-manifest.json").is_file() && created.join(".env").is_file());
    assert!(!created.join(".git").exists(), "the new folder starts its own history");

    // The default prefix. git may only use file:// here, and any proxy is a closed port,
    // so the clone fails at once without touching the network.
    let default = folder.join("default-prefix");
    fs::create_dir_all(&default).unwrap();
    let closed = "http://127.0.0.1:9";
    let proxies = ["https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"];
    let env: Vec<(&str, &str)> = offline.iter().copied().chain(proxies.map(|name| (name, closed))).collect();
    let (code, printed) = run_sh(command, &default, &path, &env);
    assert_eq!(code, 2, "`{command}` offline:\n{printed}");
    assert!(!printed.contains("Usage:"), "`{command}` is accepted by the argument parser:\n{printed}");
    let url = format!("https://github.com/heroku/kensa-create-{template}");
    assert_printed(command, &printed, &[&format!("error: error cloning {url} into {name}: ..."), "hint: ..."]);
    for built_in in BUILT_IN_TEMPLATES {
        assert!(printed.contains(built_in), "the hint lists the built-in `{built_in}`:\n{printed}");
    }
    assert!(!default.join(name).exists(), "nothing is left behind");
}
