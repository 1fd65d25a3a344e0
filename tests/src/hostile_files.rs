//! Files that are not what kensa expects: FIFOs, links in a cloned template, a umask that
//! lets every local user read what is written. Also a one-answer add-ons API, so that
//! `kensa pull` and `kensa push` write their manifest without the network.

use std::ffi::OsStr;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::kensa::{Run, kensa_binary};

/// A kensa run with its own environment, umask and deadline: `Kensa` takes neither.
pub struct KensaWith {
    dir: PathBuf,
    args: Vec<std::ffi::OsString>,
    env: Vec<(String, std::ffi::OsString)>,
    umask: &'static str,
    deadline: Duration,
}

impl KensaWith {
    /// `kensa ARGS` in `dir`, under umask 022 (files anyone may read unless kensa says
    /// otherwise), killed after 60 s.
    pub fn new<S: AsRef<OsStr>>(dir: &Path, args: impl IntoIterator<Item = S>) -> KensaWith {
        KensaWith {
            dir: dir.to_path_buf(),
            args: args.into_iter().map(|arg| arg.as_ref().to_owned()).collect(),
            env: Vec::new(),
            umask: "022",
            deadline: Duration::from_secs(60),
        }
    }

    pub fn env(mut self, name: &str, value: impl AsRef<OsStr>) -> KensaWith {
        self.env.push((name.to_string(), value.as_ref().to_owned()));
        self
    }

    /// Kills kensa and fails the test when it has not exited after `deadline`: a run
    /// blocked in `open()` fails instead of hanging the suite.
    pub fn deadline(mut self, deadline: Duration) -> KensaWith {
        self.deadline = deadline;
        self
    }

    #[track_caller]
    pub fn run(self) -> Run {
        let binary = kensa_binary();
        let shown = std::iter::once(format!("umask {}; kensa", self.umask))
            .chain(self.args.iter().map(|arg| arg.to_string_lossy().into_owned()))
            .collect::<Vec<_>>()
            .join(" ");
        // `exec`, so that the child killed on a timeout is kensa itself.
        let mut command = Command::new("sh");
        command
            .arg("-c")
            .arg(format!("umask {} && exec \"$@\"", self.umask))
            .arg("sh")
            .arg(binary)
            .args(&self.args)
            .current_dir(&self.dir)
            .env_remove("NO_COLOR")
            .env_remove("HEROKU_API_KEY")
            .env_remove("HEROKU_ADDONS_HOST")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (name, value) in &self.env {
            command.env(name, value);
        }
        let started = Instant::now();
        let mut child = command.spawn().unwrap_or_else(|error| panic!("cannot start {shown}: {error}"));
        let stdout = drain(child.stdout.take());
        let stderr = drain(child.stderr.take());
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if started.elapsed() < self.deadline => std::thread::sleep(Duration::from_millis(10)),
                Ok(None) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!(
                        "kensa did not finish within {:?}; killed it\n$ {shown}\n--- stdout ---\n{}\n--- stderr ---\n{}",
                        self.deadline,
                        stdout.join().unwrap_or_default(),
                        stderr.join().unwrap_or_default()
                    );
                }
                Err(error) => panic!("cannot wait for {shown}: {error}"),
            }
        };
        Run {
            code: status.code(),
            stdout: stdout.join().unwrap_or_default(),
            stderr: stderr.join().unwrap_or_default(),
            elapsed: started.elapsed(),
            peak_rss_kib: None,
            command: shown,
        }
    }
}

fn drain(pipe: Option<impl Read + Send + 'static>) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut bytes);
        }
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

/// A FIFO at `path` that nobody ever writes to: opening it for reading blocks for good.
pub fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().expect("cannot run mkfifo");
    assert!(status.success(), "mkfifo {}", path.display());
}

/// The permission bits of `path` itself (a link is not followed).
#[cfg(unix)]
pub fn mode_of(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::symlink_metadata(path)
        .unwrap_or_else(|error| panic!("cannot stat {}: {error}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

/// Makes `dir` a git repository with everything in it committed, as a template that
/// `kensa create` clones.
pub fn make_template_repository(dir: &Path) {
    for args in [&["init", "--quiet"][..], &["add", "."], &["commit", "--quiet", "-m", "template"]] {
        let status = Command::new("git")
            .args(["-c", "user.name=kensa", "-c", "user.email=kensa@example.com", "-c", "commit.gpgsign=false"])
            .args(args)
            .current_dir(dir)
            .stdout(Stdio::null())
            .status()
            .expect("cannot run git");
        assert!(status.success(), "git {args:?} in {}", dir.display());
    }
}

/// A stand-in for the add-ons API on 127.0.0.1: `GET .../current_manifest` answers a valid
/// manifest of `myaddon` (with fixed secrets) and `POST .../manifests` answers what was
/// posted, as `kensa pull` and `kensa push` expect.
pub struct AddonsApi {
    pub origin: String,
}

impl AddonsApi {
    pub fn start() -> AddonsApi {
        let listener = TcpListener::bind("127.0.0.1:0").expect("cannot listen on 127.0.0.1");
        let origin = format!("http://{}", listener.local_addr().expect("no local address"));
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                std::thread::spawn(move || answer(stream));
            }
        });
        AddonsApi { origin }
    }

    /// The manifest `current_manifest` answers.
    pub fn manifest() -> Value {
        json!({
            "id": "myaddon",
            "name": "My Add-on",
            "api": {
                "config_vars_prefix": "MYADDON",
                "config_vars": ["MYADDON_URL"],
                "password": "pulled-password",
                "sso_salt": "pulled-salt",
                "regions": ["us"],
                "requires": [],
                "production": {"base_url": "https://example.com/heroku/resources", "sso_url": "https://example.com/sso/login"},
                "test": {"base_url": "http://localhost:5000/heroku/resources", "sso_url": "http://localhost:5000/sso/login"},
                "version": "3"
            }
        })
    }
}

fn answer(mut stream: TcpStream) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut request = Vec::new();
    let mut buffer = [0u8; 4096];
    let (head, body_start) = loop {
        let Ok(read) = stream.read(&mut buffer) else { return };
        if read == 0 {
            return;
        }
        request.extend_from_slice(&buffer[..read]);
        if let Some(end) = request.windows(4).position(|window| window == b"\r\n\r\n") {
            break (String::from_utf8_lossy(&request[..end]).into_owned(), end + 4);
        }
    };
    let length = head
        .lines()
        .find_map(|line| line.split_once(':').filter(|(name, _)| name.eq_ignore_ascii_case("content-length")))
        .and_then(|(_, value)| value.trim().parse::<usize>().ok())
        .unwrap_or(0);
    while request.len() < body_start + length {
        let Ok(read) = stream.read(&mut buffer) else { return };
        if read == 0 {
            break;
        }
        request.extend_from_slice(&buffer[..read]);
    }
    let body: Value = serde_json::from_slice(&request[body_start..]).unwrap_or(Value::Null);
    let (status, answer) = if head.starts_with("POST ") {
        let mut contents = body.get("contents").cloned().unwrap_or(Value::Null);
        contents["$base"] = json!(2);
        ("201 Created", json!({"id": "pushed", "contents": contents}))
    } else {
        ("200 OK", json!({"id": "current", "contents": AddonsApi::manifest()}))
    };
    let text = answer.to_string();
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
        text.len()
    );
}
