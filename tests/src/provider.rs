//! The reference provider started in process, with a matching manifest in a temporary
//! directory, and the options the tests start it with.

use std::ffi::OsStr;
use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::kensa::{Kensa, Run};
use crate::{Fault, ProviderOptions, RunningProvider};

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

/// A loopback port that was free a moment ago, for `--callback-port`, which the provider
/// must know before kensa starts. It comes from below Linux's ephemeral range (32768 and
/// up), each once per process: a port read from a bind to port 0 and released could be
/// handed to the next bind to port 0 in a test running beside this one.
pub fn free_port() -> u16 {
    use std::sync::atomic::{AtomicU16, Ordering};
    // Apart per process, so two test binaries run at once rarely meet.
    static NEXT: AtomicU16 = AtomicU16::new(0);
    let start = (std::process::id() % 64) as u16 * 160;
    loop {
        let offset = NEXT.fetch_add(1, Ordering::Relaxed);
        assert!(offset < 10_240, "no free loopback port in 20000-30239");
        let port = 20_000 + (start + offset) % 10_240;
        if TcpListener::bind((Ipv4Addr::LOCALHOST, port)).is_ok() {
            return port;
        }
    }
}

/// [`options`] in asynchronous mode, exchanging the OAuth grant with (and so calling) the
/// Heroku stand-in that kensa will start on `127.0.0.1:<callback_port>`.
///
/// Its password is not the default `secret`: the report blanks the password wherever it
/// appears, and the token endpoint's findings name `client_secret`.
pub fn async_options(callback_port: u16) -> ProviderOptions {
    options()
        .with_password(ASYNC_PASSWORD)
        .with_async_provisioning(true)
        .with_heroku_id_url(format!("http://127.0.0.1:{callback_port}"))
}

/// The password of a provider made by [`async_options`].
const ASYNC_PASSWORD: &str = "async-provider-password";

/// The port of the stand-in a provider made by [`async_options`] calls.
pub fn callback_port(provider: &Provider) -> u16 {
    let url = &provider.running().options().heroku_id_url;
    url.rsplit(':')
        .next()
        .and_then(|port| port.parse().ok())
        .unwrap_or_else(|| panic!("the provider's heroku_id_url {url} names no port"))
}
