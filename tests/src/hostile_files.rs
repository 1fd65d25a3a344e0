//! Files that are not what kensa expects: FIFOs, links in a cloned template, a umask that
//! lets every local user read what is written. Also a one-answer add-ons API, so that
//! `kensa pull` and `kensa push` write their manifest without the network.

use std::ffi::OsStr;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

use crate::kensa::Kensa;

/// `kensa ARGS` in `dir` under umask 022, so that a file anyone may read shows as such
/// unless kensa makes it private.
pub fn kensa_in<S: AsRef<OsStr>>(dir: &Path, args: impl IntoIterator<Item = S>) -> Kensa {
    Kensa::new(dir).args(args).umask("022")
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
