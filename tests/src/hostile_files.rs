//! Files that are not what kensa expects: FIFOs, links in a cloned template, a umask that
//! lets every local user read what is written. Also a one-answer add-ons API, so that
//! `kensa pull` and `kensa push` write their manifest without the network.

use std::ffi::OsStr;
use std::path::Path;
use std::process::{Command, Stdio};

use kensa_testkit::{HostileServer, Recorded, Reply};
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
    _server: HostileServer,
}

impl AddonsApi {
    pub fn start() -> AddonsApi {
        let server = HostileServer::start(answer);
        AddonsApi { origin: server.origin().to_string(), _server: server }
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

fn answer(request: &Recorded) -> Reply {
    if request.method == "POST" {
        let mut contents = request.json().get("contents").cloned().unwrap_or(Value::Null);
        contents["$base"] = json!(2);
        Reply::json(201, &json!({"id": "pushed", "contents": contents}))
    } else {
        Reply::json(200, &json!({"id": "current", "contents": AddonsApi::manifest()}))
    }
}
