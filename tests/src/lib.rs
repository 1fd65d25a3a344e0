//! Helpers for kensa's end-to-end tests: the `kensa` binary (built once), the reference
//! provider started in process with a matching manifest, a runner that never hangs, a small
//! JUnit XML checker and a recording provider that shows what kensa put on the wire.
//!
//! Every helper panics with a readable message instead of returning errors: they only run
//! inside tests.
#![allow(
    clippy::disallowed_methods,
    reason = "host-side test harness: runs processes, reads files and the environment, waits"
)]

pub mod hostile;
pub mod plain;
pub mod snapshot;

use std::ffi::{OsStr, OsString};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

pub use kensa_checks::{CheckReport, Outcome, Report, Summary};
pub use kensa_provider::{Fault, Faults, ProviderOptions, Resource, RunningProvider};
use serde_json::{Value, json};

/// How long one kensa run may take before the runner kills it and fails the test. Well
/// above kensa's own 25 s request limit, so a run that obeys it is never cut short.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// The workspace root (the parent of this crate).
pub fn workspace_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the e2e crate lives inside the workspace")
}

/// The `kensa` binary, built once per test process with `cargo build -p kensa-cli --bin
/// kensa` (cargo from `$CARGO`, as cargo sets it for tests; target directory from
/// `$CARGO_TARGET_DIR` or cargo's own configuration). `$KENSA_E2E_BIN` points the tests at
/// another build instead, such as a release binary.
pub fn kensa_binary() -> &'static Path {
    static BINARY: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    match BINARY.get_or_init(build_kensa) {
        Ok(path) => path,
        Err(message) => panic!("{message}"),
    }
}

fn build_kensa() -> Result<PathBuf, String> {
    if let Some(path) = std::env::var_os("KENSA_E2E_BIN").filter(|path| !path.is_empty()) {
        let path = PathBuf::from(path);
        return if path.is_file() { Ok(path) } else { Err(format!("KENSA_E2E_BIN={} is not a file", path.display())) };
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(&cargo)
        .args(["build", "-p", "kensa-cli", "--bin", "kensa", "--message-format=json-render-diagnostics"])
        .current_dir(workspace_root())
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|error| format!("cannot run {}: {error}", cargo.to_string_lossy()))?;
    if !output.status.success() {
        return Err(format!("`cargo build -p kensa-cli --bin kensa` failed ({}); see its output above", output.status));
    }
    // cargo names the executable it built: this follows CARGO_TARGET_DIR, build.target-dir
    // and a configured target triple without guessing.
    let built = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|message| message["reason"] == "compiler-artifact" && message["target"]["name"] == "kensa")
        .find_map(|message| message["executable"].as_str().map(PathBuf::from));
    let path = built.unwrap_or_else(|| {
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .filter(|dir| !dir.is_empty())
            .map_or_else(|| workspace_root().join("target"), PathBuf::from);
        workspace_root().join(target).join("debug").join(format!("kensa{}", std::env::consts::EXE_SUFFIX))
    });
    if path.is_file() { Ok(path) } else { Err(format!("cargo built kensa, but {} is missing", path.display())) }
}

// ---------------------------------------------------------------------------------------
// Running kensa

/// How a kensa run ended.
#[derive(Debug)]
pub struct Run {
    /// The exit code; `None` when a signal ended it.
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    /// Wall time from spawn to exit.
    pub elapsed: Duration,
    /// Peak resident memory of the kensa process in KiB, when asked for.
    pub peak_rss_kib: Option<u64>,
    /// The command line, for messages.
    pub command: String,
}

impl Run {
    /// Everything about the run, for assertion messages.
    pub fn describe(&self) -> String {
        format!(
            "$ {}\nexit code: {:?} after {:.2?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.command, self.code, self.elapsed, self.stdout, self.stderr
        )
    }

    /// Panics unless kensa exited with `code`.
    #[track_caller]
    pub fn assert_code(&self, code: i32) -> &Run {
        assert_eq!(self.code, Some(code), "{}", self.describe());
        self
    }

    /// stdout as JSON (the run must have used `--format json`).
    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|error| panic!("stdout is not JSON: {error}\n{}", self.describe()))
    }

    /// stdout read back into the report type (the run must have used `--format json`).
    #[track_caller]
    pub fn report(&self) -> Report {
        kensa_checks::render::from_json(&self.stdout)
            .unwrap_or_else(|error| panic!("stdout does not read back as a kensa Report: {error}\n{}", self.describe()))
    }
}

/// One kensa invocation: arguments, working directory, time limit.
#[derive(Debug)]
pub struct Kensa {
    args: Vec<OsString>,
    dir: PathBuf,
    timeout: Duration,
    measure_memory: bool,
}

impl Kensa {
    /// `kensa` run in `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> Kensa {
        Kensa { args: Vec::new(), dir: dir.into(), timeout: DEFAULT_TIMEOUT, measure_memory: false }
    }

    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Kensa {
        self.args.push(arg.as_ref().to_owned());
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Kensa
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.args.extend(args.into_iter().map(|arg| arg.as_ref().to_owned()));
        self
    }

    /// Kills the run (and fails the test) after `timeout`.
    pub fn timeout(mut self, timeout: Duration) -> Kensa {
        self.timeout = timeout;
        self
    }

    /// Records the peak resident memory of the kensa process in [`Run::peak_rss_kib`].
    pub fn measure_peak_memory(mut self) -> Kensa {
        self.measure_memory = true;
        self
    }

    /// The command line as a shell would show it, for failure messages.
    fn rendered(&self, binary: &Path) -> String {
        std::iter::once(binary.display().to_string())
            .chain(self.args.iter().map(|arg| shell_word(&arg.to_string_lossy())))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Arguments, folder, piped output; its own process group, so that a timeout or a
    /// dropped handle kills kensa and whatever it started.
    fn prepare(&self, command: &mut Command) {
        command
            .args(&self.args)
            .current_dir(&self.dir)
            .env_remove("NO_COLOR")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(command, 0);
    }

    /// Runs kensa to the end, or kills it after the timeout and panics.
    #[track_caller]
    pub fn run(self) -> Run {
        let binary = kensa_binary();
        let rendered = self.rendered(binary);
        // GNU time reports the peak RSS of its child exactly; without it, /proc is polled.
        let time_file = (self.measure_memory && gnu_time_available())
            .then(|| tempfile::NamedTempFile::new().expect("cannot create a file for /usr/bin/time"));
        let mut command = match &time_file {
            Some(file) => {
                let mut command = Command::new(GNU_TIME);
                command.args(["-f", "%M", "-o"]).arg(file.path()).arg(binary);
                command
            }
            None => Command::new(binary),
        };
        self.prepare(&mut command);

        let started = Instant::now();
        let mut child = command.spawn().unwrap_or_else(|error| panic!("cannot start {rendered}: {error}"));
        let stdout = drain(child.stdout.take());
        let stderr = drain(child.stderr.take());
        let poll_proc = self.measure_memory && time_file.is_none();
        let mut polled_peak = None;
        let status = loop {
            if poll_proc && let Some(kib) = vm_hwm_kib(child.id()) {
                polled_peak = Some(polled_peak.map_or(kib, |peak: u64| peak.max(kib)));
            }
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if started.elapsed() < self.timeout => {
                    std::thread::sleep(Duration::from_millis(if poll_proc { 2 } else { 10 }));
                }
                Ok(None) => {
                    kill_group(child.id());
                    let _ = child.kill();
                    let _ = child.wait();
                    let run = Run {
                        code: None,
                        stdout: join(stdout),
                        stderr: join(stderr),
                        elapsed: started.elapsed(),
                        peak_rss_kib: None,
                        command: rendered,
                    };
                    panic!("kensa did not finish within {:?}; killed it\n{}", self.timeout, run.describe());
                }
                Err(error) => panic!("cannot wait for {rendered}: {error}"),
            }
        };
        let elapsed = started.elapsed();
        let peak_rss_kib = match &time_file {
            Some(file) => Some(read_gnu_time(file.path())),
            None => polled_peak,
        };
        Run {
            code: status.code(),
            stdout: join(stdout),
            stderr: join(stderr),
            elapsed,
            peak_rss_kib,
            command: rendered,
        }
    }
}

impl Kensa {
    /// Starts kensa and returns at once, for a run that must be talked to while it runs
    /// (such as `kensa sso --post`, which serves a page until it is fetched). Its stdout can
    /// be read line by line as it comes; dropping the handle kills a run still going.
    #[track_caller]
    pub fn spawn(self) -> Spawned {
        let binary = kensa_binary();
        let rendered = self.rendered(binary);
        let mut command = Command::new(binary);
        self.prepare(&mut command);
        let started = Instant::now();
        let mut child = command.spawn().unwrap_or_else(|error| panic!("cannot start {rendered}: {error}"));
        let (sender, lines) = std::sync::mpsc::channel();
        let pipe = child.stdout.take();
        let stdout = std::thread::spawn(move || {
            let mut all = String::new();
            if let Some(pipe) = pipe {
                for line in BufReader::new(pipe).lines() {
                    let Ok(line) = line else { break };
                    all.push_str(&line);
                    all.push('\n');
                    let _ = sender.send(line);
                }
            }
            all
        });
        let stderr = drain(child.stderr.take());
        Spawned {
            child: Some(child),
            lines,
            stdout: Some(stdout),
            stderr: Some(stderr),
            started,
            timeout: self.timeout,
            command: rendered,
        }
    }
}

/// A kensa run started by [`Kensa::spawn`].
pub struct Spawned {
    child: Option<std::process::Child>,
    lines: std::sync::mpsc::Receiver<String>,
    stdout: Option<JoinHandle<String>>,
    stderr: Option<JoinHandle<String>>,
    started: Instant,
    timeout: Duration,
    command: String,
}

impl Spawned {
    /// The next line kensa prints on stdout; panics (killing kensa) when none comes within
    /// `within` or stdout ends.
    #[track_caller]
    pub fn next_line(&mut self, within: Duration) -> String {
        match self.lines.recv_timeout(within) {
            Ok(line) => line,
            Err(error) => {
                let run = self.stop();
                panic!("no line from kensa within {within:?} ({error})\n{}", run.describe());
            }
        }
    }

    /// Waits for kensa to exit (killing it and panicking after the run's timeout).
    #[track_caller]
    pub fn wait(mut self) -> Run {
        loop {
            let child = self.child.as_mut().expect("the child is there until stopped");
            match child.try_wait() {
                Ok(Some(status)) => {
                    let elapsed = self.started.elapsed();
                    self.child = None;
                    return self.finish(status.code(), elapsed);
                }
                Ok(None) if self.started.elapsed() < self.timeout => std::thread::sleep(Duration::from_millis(10)),
                Ok(None) => {
                    let run = self.stop();
                    panic!("kensa did not finish within {:?}; killed it\n{}", self.timeout, run.describe());
                }
                Err(error) => panic!("cannot wait for {}: {error}", self.command),
            }
        }
    }

    /// Kills kensa (and whatever it started) if it still runs, and collects its output.
    fn stop(&mut self) -> Run {
        let mut code = None;
        if let Some(mut child) = self.child.take() {
            if matches!(child.try_wait(), Ok(None)) {
                kill_group(child.id());
                let _ = child.kill();
            }
            code = child.wait().ok().and_then(|status| status.code());
        }
        let elapsed = self.started.elapsed();
        self.finish(code, elapsed)
    }

    fn finish(&mut self, code: Option<i32>, elapsed: Duration) -> Run {
        Run {
            code,
            stdout: self.stdout.take().map(join).unwrap_or_default(),
            stderr: self.stderr.take().map(join).unwrap_or_default(),
            elapsed,
            peak_rss_kib: None,
            command: self.command.clone(),
        }
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        if self.child.is_some() {
            self.stop();
        }
    }
}

const GNU_TIME: &str = "/usr/bin/time";

fn gnu_time_available() -> bool {
    static AVAILABLE: OnceLock<bool> = OnceLock::new();
    *AVAILABLE.get_or_init(|| {
        Command::new(GNU_TIME)
            .args(["-f", "%M", "-o", "/dev/null", "true"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success())
    })
}

/// The `%M` GNU time wrote: the last line (earlier ones say how the command exited).
fn read_gnu_time(path: &Path) -> u64 {
    let text = std::fs::read_to_string(path).expect("cannot read /usr/bin/time's output");
    text.lines()
        .rev()
        .find_map(|line| line.trim().parse().ok())
        .unwrap_or_else(|| panic!("/usr/bin/time wrote no peak memory: {text:?}"))
}

/// `VmHWM` (peak resident set) of a live process, from /proc.
fn vm_hwm_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status.lines().find_map(|line| line.strip_prefix("VmHWM:"))?.trim().trim_end_matches("kB").trim().parse().ok()
}

fn kill_group(pid: u32) {
    if cfg!(unix) {
        let _ = Command::new("kill").args(["-KILL", "--", &format!("-{pid}")]).stderr(Stdio::null()).status();
    }
}

fn drain(pipe: Option<impl Read + Send + 'static>) -> JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut bytes);
        }
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

fn join(reader: JoinHandle<String>) -> String {
    reader.join().unwrap_or_default()
}

fn shell_word(word: &str) -> String {
    if !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=:@%+,".contains(c)) {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

// ---------------------------------------------------------------------------------------
// The reference provider

/// The SSO salt of [`options`].
pub const SSO_SALT: &str = "kensa-e2e-sso-salt";

/// The reference provider's defaults (add-on `myaddon`, password `secret`, config var
/// `MYADDON_URL`) plus an SSO salt, so that its manifest draws no warning.
pub fn options() -> ProviderOptions {
    ProviderOptions::default().with_sso_salt(SSO_SALT)
}

/// The reference provider on a free loopback port (its own thread), with a matching
/// manifest in a temporary directory. Dropping it stops the provider and removes the
/// directory.
pub struct Provider {
    // Declared first so it stops before the directory goes.
    running: RunningProvider,
    manifest_path: PathBuf,
    dir: tempfile::TempDir,
}

impl Provider {
    /// A correct provider, with [`options`].
    pub fn start() -> Provider {
        Provider::with_options(options())
    }

    /// A provider with [`options`] and these faults switched on.
    pub fn with_faults(faults: impl IntoIterator<Item = Fault>) -> Provider {
        Provider::with_options(options().with_faults(faults.into_iter().collect()))
    }

    pub fn with_options(options: ProviderOptions) -> Provider {
        Provider::with_manifest(options, |_| {})
    }

    /// A provider whose manifest (`running.manifest()`) is changed by `edit` before it is
    /// written, e.g. to require `syslog_drain` or to use API v1.
    pub fn with_manifest(options: ProviderOptions, edit: impl FnOnce(&mut Value)) -> Provider {
        let running = kensa_provider::spawn_thread(options)
            .unwrap_or_else(|error| panic!("cannot start the reference provider: {error}"));
        let dir = tempfile::tempdir().expect("cannot create a temporary directory");
        let mut manifest = running.manifest();
        edit(&mut manifest);
        let manifest_path = dir.path().join("addon-manifest.json");
        write_json(&manifest_path, &manifest);
        Provider { running, manifest_path, dir }
    }

    pub fn running(&self) -> &RunningProvider {
        &self.running
    }

    /// `http://127.0.0.1:<port>`.
    pub fn origin(&self) -> &str {
        self.running.base_url()
    }

    pub fn manifest_path(&self) -> &Path {
        &self.manifest_path
    }

    /// The temporary directory holding the manifest; kensa runs here.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Live resources, read from the provider's store.
    pub fn resource_count(&self) -> usize {
        self.running.resource_count().expect("cannot read the provider's store")
    }

    /// `kensa -f <manifest> ARGS...`, run in [`Provider::dir`].
    pub fn kensa<S: AsRef<OsStr>>(&self, args: impl IntoIterator<Item = S>) -> Kensa {
        Kensa::new(self.dir()).arg("-f").arg(&self.manifest_path).args(args)
    }

    /// `kensa -f <manifest> ARGS...`, run to the end.
    #[track_caller]
    pub fn run<S: AsRef<OsStr>>(&self, args: impl IntoIterator<Item = S>) -> Run {
        self.kensa(args).run()
    }
}

/// Writes `value` as pretty JSON.
pub fn write_json(path: &Path, value: &Value) {
    let text = serde_json::to_string_pretty(value).expect("JSON values serialize") + "\n";
    std::fs::write(path, text).unwrap_or_else(|error| panic!("cannot write {}: {error}", path.display()));
}

// ---------------------------------------------------------------------------------------
// Reading reports

/// Every check with this code, in report order (config checks appear once for the
/// provision and again for a plan change).
pub fn checks<'r>(report: &'r Report, code: &str) -> Vec<&'r CheckReport> {
    report.checks().filter(|check| check.code == code).collect()
}

/// The first check with this code; panics with the whole report when there is none.
#[track_caller]
pub fn check<'r>(report: &'r Report, code: &str) -> &'r CheckReport {
    report
        .checks()
        .find(|check| check.code == code)
        .unwrap_or_else(|| panic!("no check {code} in the report:\n{}", text(report)))
}

/// The report in the human format, for assertion messages.
pub fn text(report: &Report) -> String {
    kensa_checks::render::text(report, &kensa_checks::render::plain)
}

/// All finding messages of a check, one per line.
pub fn messages(check: &CheckReport) -> String {
    check.findings.iter().map(|finding| finding.message.as_str()).collect::<Vec<_>>().join("\n")
}

// ---------------------------------------------------------------------------------------
// JUnit XML

/// What [`parse_junit`] found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Junit {
    /// `tests` on the root `<testsuites>`.
    pub tests_attribute: usize,
    /// `failures` on the root.
    pub failures_attribute: usize,
    pub testsuites: usize,
    /// Sum of `tests` over the `<testsuite>` elements.
    pub suite_tests_sum: usize,
    pub testcases: usize,
    pub failures: usize,
    pub errors: usize,
    pub skipped: usize,
}

/// Checks that `xml` is well-formed XML in the JUnit shape (`testsuites` > `testsuite` >
/// `testcase` > `failure|error|skipped|system-out|system-err`, with the attributes CI
/// dashboards read) and counts what it holds. Not a full XML parser: no DTDs, CDATA or
/// comments, which kensa never writes.
pub fn parse_junit(xml: &str) -> Result<Junit, String> {
    let mut rest = xml.trim_start_matches('\u{feff}');
    if let Some(after) = rest.strip_prefix("<?xml") {
        let end = after.find("?>").ok_or("unterminated XML declaration")?;
        rest = &after[end + 2..];
    }
    let mut junit = Junit::default();
    let mut stack: Vec<String> = Vec::new();
    let mut seen_root = false;
    loop {
        let Some(open) = rest.find('<') else {
            check_text(rest)?;
            if !rest.trim().is_empty() && stack.is_empty() {
                return Err(format!("text after the root element: {rest:?}"));
            }
            break;
        };
        let (text, after) = rest.split_at(open);
        check_text(text)?;
        if stack.is_empty() && !text.trim().is_empty() {
            return Err(format!("text outside the root element: {text:?}"));
        }
        let close = after.find('>').ok_or("unterminated tag")?;
        let tag = &after[1..close];
        rest = &after[close + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            let name = name.trim();
            match stack.pop() {
                Some(open) if open == name => continue,
                Some(open) => return Err(format!("</{name}> closes <{open}>")),
                None => return Err(format!("</{name}> closes nothing")),
            }
        }
        let (tag, self_closing) = match tag.strip_suffix('/') {
            Some(tag) => (tag, true),
            None => (tag, false),
        };
        let (name, attributes) = parse_tag(tag)?;
        let parent = stack.last().map(String::as_str);
        let attribute =
            |wanted: &str| attributes.iter().find(|(key, _)| key == wanted).map(|(_, value)| value.as_str());
        let count = |wanted: &str| -> Result<usize, String> {
            attribute(wanted)
                .ok_or_else(|| format!("<{name}> has no {wanted} attribute"))?
                .parse()
                .map_err(|_| format!("<{name} {wanted}> is not a count"))
        };
        match (name.as_str(), parent) {
            ("testsuites", None) if !seen_root => {
                seen_root = true;
                junit.tests_attribute = count("tests")?;
                junit.failures_attribute = count("failures")?;
            }
            ("testsuite", Some("testsuites")) => {
                junit.testsuites += 1;
                junit.suite_tests_sum += count("tests")?;
                attribute("name").ok_or("<testsuite> has no name")?;
            }
            ("testcase", Some("testsuite")) => {
                junit.testcases += 1;
                attribute("name").ok_or("<testcase> has no name")?;
                attribute("classname").ok_or("<testcase> has no classname")?;
            }
            ("failure", Some("testcase")) => junit.failures += 1,
            ("error", Some("testcase")) => junit.errors += 1,
            ("skipped", Some("testcase")) => junit.skipped += 1,
            ("system-out" | "system-err", Some("testcase" | "testsuite")) => {}
            (name, parent) => {
                return Err(format!(
                    "unexpected <{name}> inside {}",
                    parent.map_or("the document".to_string(), |parent| format!("<{parent}>"))
                ));
            }
        }
        if !self_closing {
            stack.push(name);
        }
    }
    if let Some(open) = stack.pop() {
        return Err(format!("<{open}> is never closed"));
    }
    if !seen_root {
        return Err("no <testsuites> root element".into());
    }
    Ok(junit)
}

/// The name and attributes of a start tag's inside (`name a="1" b="2"`).
fn parse_tag(tag: &str) -> Result<(String, Vec<(String, String)>), String> {
    let tag = tag.trim_end();
    let name_end = tag.find(char::is_whitespace).unwrap_or(tag.len());
    let name = &tag[..name_end];
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || "-_:.".contains(c)) {
        return Err(format!("bad element name in <{tag}>"));
    }
    let mut attributes: Vec<(String, String)> = Vec::new();
    let mut rest = tag[name_end..].trim_start();
    while !rest.is_empty() {
        let eq = rest.find('=').ok_or_else(|| format!("attribute without a value in <{tag}>"))?;
        let key = rest[..eq].trim();
        if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || "-_:.".contains(c)) {
            return Err(format!("bad attribute name {key:?} in <{tag}>"));
        }
        let after = rest[eq + 1..].trim_start();
        let quote = after
            .chars()
            .next()
            .filter(|c| *c == '"' || *c == '\'')
            .ok_or_else(|| format!("unquoted attribute {key} in <{tag}>"))?;
        let end = after[1..].find(quote).ok_or_else(|| format!("unterminated attribute {key} in <{tag}>"))?;
        let value = &after[1..=end];
        if value.contains('<') {
            return Err(format!("`<` in attribute {key} of <{name}>"));
        }
        check_text(value)?;
        if attributes.iter().any(|(seen, _)| seen == key) {
            return Err(format!("attribute {key} twice in <{name}>"));
        }
        attributes.push((key.to_string(), value.to_string()));
        let next = &after[end + 2..];
        if !next.is_empty() && !next.starts_with(char::is_whitespace) {
            return Err(format!("no space between attributes in <{tag}>"));
        }
        rest = next.trim_start();
    }
    Ok((name.to_string(), attributes))
}

/// Character data: every `&` starts a known entity or a character reference, and no
/// character XML 1.0 forbids appears.
fn check_text(text: &str) -> Result<(), String> {
    if let Some(bad) = text.chars().find(|c| (*c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r')) {
        return Err(format!("control character {:?} in XML text", bad));
    }
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        let after = &rest[amp + 1..];
        let end = after.find(';').ok_or_else(|| format!("bare & in {text:?}"))?;
        let entity = &after[..end];
        let known = matches!(entity, "amp" | "lt" | "gt" | "quot" | "apos")
            || entity.strip_prefix("#x").is_some_and(|hex| !hex.is_empty() && u32::from_str_radix(hex, 16).is_ok())
            || entity.strip_prefix('#').is_some_and(|dec| !dec.is_empty() && dec.parse::<u32>().is_ok());
        if !known {
            return Err(format!("unknown entity &{entity}; in {text:?}"));
        }
        rest = &after[end + 1..];
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// A recording provider

/// One request as it arrived on the wire.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    /// Header names lower-cased, in arrival order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)).map(|(_, value)| value.as_str())
    }

    /// The body as JSON, or `null`.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

/// A minimal correct v3 provider written from scratch on a plain socket, independent of the
/// reference provider: it keeps every request it receives, so a test can see exactly what
/// kensa sent. Provision answers `id` = `res-<uuid>` (so a repeated uuid gets the same id),
/// bad credentials get 401, DELETE 204, PUT 200 `{}`. One request per connection.
pub struct Recorder {
    origin: String,
    requests: Arc<Mutex<Vec<Recorded>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Recorder {
    /// Starts on a free loopback port; Basic credentials `myaddon:secret` as in
    /// [`ProviderOptions::default`].
    pub fn start() -> Recorder {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("cannot bind a loopback port");
        let origin = format!("http://{}", listener.local_addr().expect("a bound listener has an address"));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let defaults = ProviderOptions::default();
        let expected = kensa_provider::basic_auth_header(&defaults.id, &defaults.password);
        let thread = {
            let requests = Arc::clone(&requests);
            let stop = Arc::clone(&stop);
            let origin = origin.clone();
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    if let Some(request) = answer(stream, &expected, &origin) {
                        requests.lock().unwrap_or_else(PoisonError::into_inner).push(request);
                    }
                }
            })
        };
        Recorder { origin, requests, stop, thread: Some(thread) }
    }

    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// A v3 manifest pointing here (the reference provider's defaults).
    pub fn manifest(&self) -> Value {
        ProviderOptions::default().manifest(&self.origin)
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop.
        let _ = TcpStream::connect(self.origin.trim_start_matches("http://"));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Reads one HTTP/1.1 request (header names lower-cased, body by Content-Length, at most
/// 1 MiB) from a connection, waiting at most 5 s for it.
pub(crate) fn read_recorded(stream: &TcpStream) -> Option<Recorded> {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut words = line.split_whitespace();
    let method = words.next()?.to_string();
    let path = words.next()?.to_string();
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':')?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
    }
    let length = headers
        .iter()
        .find(|(name, _)| name == "content-length")
        .and_then(|(_, value)| value.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0; length.min(1 << 20)];
    reader.read_exact(&mut body).ok()?;
    Some(Recorded { method, path, headers, body })
}

fn answer(stream: TcpStream, expected_auth: &str, origin: &str) -> Option<Recorded> {
    let request = read_recorded(&stream)?;

    let authorized = request.header("authorization") == Some(expected_auth);
    let (status, reply) = match request.method.as_str() {
        _ if !authorized => ("401 Unauthorized", Some(json!({"message": "invalid credentials"}))),
        "POST" => {
            let uuid = request.json()["uuid"].as_str().unwrap_or("none").to_string();
            let reply = json!({
                "id": format!("res-{uuid}"),
                "config": {"MYADDON_URL": format!("{origin}/resources/{uuid}")},
            });
            ("200 OK", Some(reply))
        }
        "PUT" => ("200 OK", Some(json!({}))),
        "DELETE" => ("204 No Content", None),
        _ => ("404 Not Found", Some(json!({"message": "no such endpoint"}))),
    };
    let body = reply.map(|reply| reply.to_string()).unwrap_or_default();
    let mut stream = stream;
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body.as_bytes());
    let _ = stream.flush();
    Some(request)
}

// ---------------------------------------------------------------------------------------
// Asynchronous provisioning

/// A loopback port that was free a moment ago: bound to port 0, read, released. For
/// `--callback-port`, which the provider must know before kensa starts.
pub fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .expect("cannot bind a loopback port")
        .port()
}

/// [`options`] in asynchronous mode, exchanging the OAuth grant with (and so calling) the
/// Heroku stand-in that kensa will start on `127.0.0.1:<callback_port>`.
pub fn async_options(callback_port: u16) -> ProviderOptions {
    options().with_async_provisioning(true).with_heroku_id_url(format!("http://127.0.0.1:{callback_port}"))
}

/// The port of the stand-in a provider made by [`async_options`] calls.
pub fn callback_port(provider: &Provider) -> u16 {
    let url = &provider.running().options().heroku_id_url;
    url.rsplit(':')
        .next()
        .and_then(|port| port.parse().ok())
        .unwrap_or_else(|| panic!("the provider's heroku_id_url {url} names no port"))
}

// ---------------------------------------------------------------------------------------
// A tiny HTTP/1.1 client

/// An answer read by [`http`].
#[derive(Clone, Debug)]
pub struct HttpResponse {
    pub status: u16,
    /// Header names lower-cased, in arrival order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)).map(|(_, value)| value.as_str())
    }

    /// The `name=value` pairs of every `Set-Cookie`, without their attributes.
    pub fn cookies(&self) -> Vec<(String, String)> {
        self.headers
            .iter()
            .filter(|(key, _)| key == "set-cookie")
            .filter_map(|(_, value)| value.split(';').next()?.split_once('='))
            .map(|(name, value)| (name.trim().to_string(), value.trim().to_string()))
            .collect()
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// One request on a fresh connection (`Connection: close`), read to the end; plain `http://`
/// URLs only. Panics when the server cannot be reached or answers nonsense.
#[track_caller]
pub fn http(method: &str, url: &str, headers: &[(&str, &str)], body: &[u8]) -> HttpResponse {
    let rest = url.strip_prefix("http://").unwrap_or_else(|| panic!("not an http:// URL: {url}"));
    let (host, target) = match rest.find('/') {
        Some(slash) => (&rest[..slash], &rest[slash..]),
        None => (rest, "/"),
    };
    let address = std::net::ToSocketAddrs::to_socket_addrs(host)
        .ok()
        .and_then(|mut addresses| addresses.next())
        .unwrap_or_else(|| panic!("cannot resolve {host}"));
    let mut stream = TcpStream::connect_timeout(&address, Duration::from_secs(5))
        .unwrap_or_else(|error| panic!("cannot connect to {host}: {error}"));
    stream.set_read_timeout(Some(Duration::from_secs(10))).expect("a connected socket takes a timeout");
    let mut head = format!("{method} {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if !body.is_empty() || method != "GET" {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    stream
        .write_all(head.as_bytes())
        .and_then(|()| stream.write_all(body))
        .unwrap_or_else(|error| panic!("cannot send {method} {url}: {error}"));
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap_or_else(|error| panic!("cannot read the answer to {method} {url}: {error}"));
    parse_response(&raw)
        .unwrap_or_else(|problem| panic!("bad answer to {method} {url}: {problem}\n{}", String::from_utf8_lossy(&raw)))
}

fn parse_response(raw: &[u8]) -> Result<HttpResponse, String> {
    let end = raw.windows(4).position(|window| window == b"\r\n\r\n").ok_or("no end of the header")?;
    let head = std::str::from_utf8(&raw[..end]).map_err(|_| "the header is not UTF-8")?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .strip_prefix("HTTP/1.1 ")
        .or_else(|| status_line.strip_prefix("HTTP/1.0 "))
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| format!("bad status line {status_line:?}"))?;
    let mut headers = Vec::new();
    for line in lines {
        let (name, value) = line.split_once(':').ok_or_else(|| format!("bad header line {line:?}"))?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
    }
    let mut response = HttpResponse { status, headers, body: Vec::new() };
    let rest = &raw[end + 4..];
    response.body = if response.header("transfer-encoding").is_some_and(|value| value.contains("chunked")) {
        dechunk(rest)?
    } else if let Some(length) = response.header("content-length") {
        let length: usize = length.parse().map_err(|_| "bad Content-Length")?;
        rest.get(..length).ok_or("the body is shorter than its Content-Length")?.to_vec()
    } else {
        rest.to_vec()
    };
    Ok(response)
}

fn dechunk(mut rest: &[u8]) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    loop {
        let line_end = rest.windows(2).position(|window| window == b"\r\n").ok_or("unterminated chunk size")?;
        let size_text = std::str::from_utf8(&rest[..line_end]).map_err(|_| "bad chunk size")?;
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or_default().trim(), 16)
            .map_err(|_| format!("bad chunk size {size_text:?}"))?;
        rest = &rest[line_end + 2..];
        if size == 0 {
            return Ok(body);
        }
        body.extend_from_slice(rest.get(..size).ok_or("a chunk is cut short")?);
        rest = rest.get(size + 2..).ok_or("a chunk is not terminated")?;
    }
}

/// `application/x-www-form-urlencoded` text of `pairs`.
pub fn form_encode(pairs: &[(String, String)]) -> String {
    let encode = |text: &str| -> String {
        text.bytes()
            .map(|byte| match byte {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => char::from(byte).to_string(),
                b' ' => "+".to_string(),
                _ => format!("%{byte:02X}"),
            })
            .collect()
    };
    pairs.iter().map(|(name, value)| format!("{}={}", encode(name), encode(value))).collect::<Vec<_>>().join("&")
}

/// An HTML form as a browser would submit it: the `action` of the first `<form>` and the
/// `name`/`value` of its `<input type="hidden">` fields, entities decoded.
pub fn hidden_form(html: &str) -> Result<(String, Vec<(String, String)>), String> {
    let form = tags(html, "form").into_iter().next().ok_or("no <form>")?;
    let action = form.iter().find(|(key, _)| key == "action").map(|(_, value)| value.clone()).ok_or("no action")?;
    let mut fields = Vec::new();
    for input in tags(html, "input") {
        let get = |wanted: &str| input.iter().find(|(key, _)| key == wanted).map(|(_, value)| value.clone());
        if get("type").as_deref() != Some("hidden") {
            continue;
        }
        fields.push((get("name").ok_or("an input without a name")?, get("value").unwrap_or_default()));
    }
    Ok((action, fields))
}

/// The double-quoted attributes of every `<name ...>` start tag.
fn tags(html: &str, name: &str) -> Vec<Vec<(String, String)>> {
    let open = format!("<{name} ");
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find(&open) {
        let after = &rest[start + open.len()..];
        let end = after.find('>').unwrap_or(after.len());
        let mut attributes = Vec::new();
        let mut inside = &after[..end];
        while let Some(eq) = inside.find("=\"") {
            let key = inside[..eq].trim().to_string();
            let value_start = &inside[eq + 2..];
            let Some(close) = value_start.find('"') else { break };
            attributes.push((key, unescape_html(&value_start[..close])));
            inside = &value_start[close + 1..];
        }
        found.push(attributes);
        rest = &after[end..];
    }
    found
}

fn unescape_html(text: &str) -> String {
    text.replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&#39;", "'").replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn junit_checker_accepts_kensa_shape_and_rejects_broken_xml() {
        let good = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"kensa\" tests=\"2\" failures=\"1\">\n  <testsuite name=\"a &amp; b\" tests=\"2\">\n    <testcase classname=\"kensa.x\" name=\"P01 response\" />\n    <testcase classname=\"kensa.x\" name=\"P02\">\n      <failure message=\"x &lt; y&#10;z\">boom</failure>\n    </testcase>\n  </testsuite>\n</testsuites>\n";
        let junit = parse_junit(good).unwrap();
        assert_eq!(junit.testcases, 2);
        assert_eq!(junit.failures, 1);
        assert_eq!(junit.tests_attribute, 2);
        assert_eq!(junit.suite_tests_sum, 2);
        for bad in [
            good.replace("</testsuite>", ""),
            good.replace("&amp;", "&"),
            good.replace("name=\"P02\"", "name=P02"),
            good.replace("<testcase classname=\"kensa.x\" name=\"P01 response\" />", "<testcase name=\"P01\" />"),
            good.replace("boom", "a < b"),
            good.replace("<testsuites", "<testsuitez").replace("</testsuites>", "</testsuitez>"),
            format!("{good}<testsuites tests=\"0\" failures=\"0\"></testsuites>"),
        ] {
            assert!(parse_junit(&bad).is_err(), "accepted:\n{bad}");
        }
    }

    #[test]
    fn reads_http_answers_and_forms() {
        let plain = parse_response(b"HTTP/1.1 302 Found\r\nLocation: /x\r\nSet-Cookie: a=1; Path=/\r\nSet-Cookie: b=2\r\nContent-Length: 2\r\n\r\nok").unwrap();
        assert_eq!((plain.status, plain.header("location"), plain.text().as_str()), (302, Some("/x"), "ok"));
        assert_eq!(plain.cookies(), [("a".to_string(), "1".to_string()), ("b".to_string(), "2".to_string())]);
        let chunked =
            parse_response(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n")
                .unwrap();
        assert_eq!(chunked.text(), "abcde");
        let page = "<form method=\"post\" action=\"http://h/sso?a=1&amp;b=2\">\n<input type=\"hidden\" name=\"email\" value=\"a@b &quot;c&quot;\">\n<input type=\"hidden\" name=\"x\" value=\"\">\n</form>";
        let (action, fields) = hidden_form(page).unwrap();
        assert_eq!(action, "http://h/sso?a=1&b=2");
        assert_eq!(fields, [("email".to_string(), "a@b \"c\"".to_string()), ("x".to_string(), String::new())]);
        assert_eq!(form_encode(&fields), "email=a%40b+%22c%22&x=");
    }

    #[test]
    fn shell_words_are_quoted_for_messages() {
        assert_eq!(shell_word("test"), "test");
        assert_eq!(shell_word("exit 3"), "'exit 3'");
        assert_eq!(shell_word("it's"), "'it'\\''s'");
    }
}
