//! Running the `kensa` binary: built once per test process, run to the end or spawned to be
//! talked to, killed (with whatever it started) when it overstays its time limit.

use std::ffi::{OsStr, OsString};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::Report;

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

/// One kensa invocation: arguments, working directory, environment, umask, time limit.
#[derive(Debug)]
pub struct Kensa {
    args: Vec<OsString>,
    dir: PathBuf,
    env: Vec<(OsString, OsString)>,
    umask: Option<&'static str>,
    timeout: Duration,
    measure_memory: bool,
}

impl Kensa {
    /// `kensa` run in `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> Kensa {
        Kensa {
            args: Vec::new(),
            dir: dir.into(),
            env: Vec::new(),
            umask: None,
            timeout: DEFAULT_TIMEOUT,
            measure_memory: false,
        }
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

    /// Adds `name=value` to kensa's environment.
    pub fn env(mut self, name: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Kensa {
        self.env.push((name.as_ref().to_owned(), value.as_ref().to_owned()));
        self
    }

    /// Runs kensa under this umask (octal, as the shell's `umask` takes it), so that file
    /// modes are tested as a user's usual umask leaves them.
    pub fn umask(mut self, umask: &'static str) -> Kensa {
        self.umask = Some(umask);
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

    /// The program to start: kensa itself, or under [`Kensa::umask`] a shell that sets it
    /// and `exec`s kensa (so a timeout still kills kensa).
    fn command(&self, binary: &Path) -> Command {
        match self.umask {
            None => Command::new(binary),
            Some(umask) => {
                let mut command = Command::new("sh");
                command.arg("-c").arg(format!("umask {umask} && exec \"$@\"")).arg("sh").arg(binary);
                command
            }
        }
    }

    /// Arguments, folder, piped output; its own process group, so that a timeout or a
    /// dropped handle kills kensa and whatever it started.
    fn prepare(&self, command: &mut Command) {
        command
            .args(&self.args)
            .current_dir(&self.dir)
            .env_remove("NO_COLOR")
            // Never the developer's own add-ons API account.
            .env_remove("HEROKU_API_KEY")
            .env_remove("HEROKU_ADDONS_HOST")
            // Nor the developer's add-on client secret, which the stand-in would insist on.
            .env_remove("KENSA_OAUTH_CLIENT_SECRET")
            .envs(self.env.iter().map(|(name, value)| (name, value)))
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
            None => self.command(binary),
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
        let mut command = self.command(binary);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_words_are_quoted_for_messages() {
        assert_eq!(shell_word("test"), "test");
        assert_eq!(shell_word("exit 3"), "'exit 3'");
        assert_eq!(shell_word("it's"), "'it'\\''s'");
    }
}
