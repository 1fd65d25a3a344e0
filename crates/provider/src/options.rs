//! How a provider behaves: [`ProviderOptions`], their defaults, and the manifest that
//! matches them.

use std::fmt;
use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use serde_json::{Value, json};

use crate::fault::{Fault, Faults};

/// How the provider behaves. Build it with a struct literal over `..Default::default()`,
/// or with the `with_*` methods.
#[derive(Clone)]
pub struct ProviderOptions {
    /// Add-on id: the Basic-auth user. Default `myaddon`.
    pub id: String,
    /// Basic-auth password. Default `secret` (the password of kensa's own test server).
    pub password: String,
    /// SSO salt; `None` turns SSO off (its endpoints answer 404).
    pub sso_salt: Option<String>,
    /// Config vars returned at provision time. Names ending `_URL` get the resource URL.
    /// Default `["MYADDON_URL"]`.
    pub config_vars: Vec<String>,
    /// The manifest's `api.regions`: the app regions Heroku provisions from. Default `["us"]`.
    pub regions: Vec<String>,
    /// SQLite file; `None` keeps resources in memory.
    pub database: Option<PathBuf>,
    /// Deliberate contract violations; empty by default.
    pub faults: Faults,
    /// Answer CORS preflights and add `Access-Control-Allow-Origin: *`. Default true.
    pub cors: bool,
    /// Path of the provisioning API. Default `/heroku/resources`.
    pub base_path: String,
    /// Path of the POST SSO endpoint. Default `/sso/login`.
    pub sso_path: String,
    /// Origin used in config var URLs, e.g. `https://myaddon.example.com`. Default: the
    /// listening address (with `0.0.0.0` shown as `127.0.0.1`).
    pub public_url: Option<String>,
    /// How long the slow-provision fault waits. Default 30 s.
    pub slow_provision: Duration,
    /// Print one line per request (method, path, status) on stderr. Never prints
    /// credentials, bodies or query strings. Default false.
    pub log_requests: bool,
    /// Asynchronous provisioning: answer 202 and finish through Heroku's API (see the
    /// crate docs). Default false. Any `async-*` fault switches it on as well; see
    /// [`ProviderOptions::async_mode`].
    pub async_provisioning: bool,
    /// Base URL of Heroku's OAuth token endpoint; the code is exchanged at
    /// `<heroku_id_url>/oauth/token`. Default [`DEFAULT_HEROKU_ID_URL`]. Only `http://`
    /// URLs can be called.
    pub heroku_id_url: String,
    /// The add-on's OAuth client secret, sent only with the token exchange. Default
    /// [`DEFAULT_OAUTH_CLIENT_SECRET`], a dummy.
    pub oauth_client_secret: String,
    /// How long after the 202 the provider starts finishing a provision. Default 200 ms.
    pub async_delay: Duration,
}

/// Heroku's identity service, the default [`ProviderOptions::heroku_id_url`].
pub const DEFAULT_HEROKU_ID_URL: &str = "https://id.heroku.com";

/// The default [`ProviderOptions::oauth_client_secret`]: a dummy, not a real secret.
pub const DEFAULT_OAUTH_CLIENT_SECRET: &str = "kensa-provider-dummy-client-secret";

/// The port of the playground's provider (`kensa-provider --playground`), which the
/// playground's sample manifest calls on 127.0.0.1.
pub const PLAYGROUND_PORT: u16 = 4567;

/// The SSO salt of the playground's provider and sample manifest.
pub const PLAYGROUND_SSO_SALT: &str = "kensa-playground-salt";

impl Default for ProviderOptions {
    fn default() -> Self {
        ProviderOptions {
            id: "myaddon".into(),
            password: "secret".into(),
            sso_salt: None,
            config_vars: vec!["MYADDON_URL".into()],
            regions: vec!["us".into()],
            database: None,
            faults: Faults::NONE,
            cors: true,
            base_path: "/heroku/resources".into(),
            sso_path: "/sso/login".into(),
            public_url: None,
            slow_provision: Duration::from_secs(30),
            log_requests: false,
            async_provisioning: false,
            heroku_id_url: DEFAULT_HEROKU_ID_URL.into(),
            oauth_client_secret: DEFAULT_OAUTH_CLIENT_SECRET.into(),
            async_delay: Duration::from_millis(200),
        }
    }
}

/// Secrets are redacted.
impl fmt::Debug for ProviderOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProviderOptions")
            .field("id", &self.id)
            .field("password", &"<redacted>")
            .field("sso_salt", &self.sso_salt.as_ref().map(|_| "<redacted>"))
            .field("config_vars", &self.config_vars)
            .field("regions", &self.regions)
            .field("database", &self.database)
            .field("faults", &self.faults)
            .field("cors", &self.cors)
            .field("base_path", &self.base_path)
            .field("sso_path", &self.sso_path)
            .field("public_url", &self.public_url)
            .field("slow_provision", &self.slow_provision)
            .field("log_requests", &self.log_requests)
            .field("async_provisioning", &self.async_provisioning)
            .field("heroku_id_url", &self.heroku_id_url)
            .field("oauth_client_secret", &"<redacted>")
            .field("async_delay", &self.async_delay)
            .finish()
    }
}

impl ProviderOptions {
    /// Sets the add-on id (Basic user).
    #[must_use]
    pub fn with_id(mut self, id: impl Into<String>) -> Self {
        self.id = id.into();
        self
    }

    /// Sets the Basic password.
    #[must_use]
    pub fn with_password(mut self, password: impl Into<String>) -> Self {
        self.password = password.into();
        self
    }

    /// Turns SSO on with this salt.
    #[must_use]
    pub fn with_sso_salt(mut self, salt: impl Into<String>) -> Self {
        self.sso_salt = Some(salt.into());
        self
    }

    /// Replaces the config var names.
    #[must_use]
    pub fn with_config_vars<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.config_vars = names.into_iter().map(Into::into).collect();
        self
    }

    /// Keeps resources in this SQLite file.
    #[must_use]
    pub fn with_database(mut self, path: impl Into<PathBuf>) -> Self {
        self.database = Some(path.into());
        self
    }

    /// Switches one fault on.
    #[must_use]
    pub fn with_fault(mut self, fault: Fault) -> Self {
        self.faults.insert(fault);
        self
    }

    /// Replaces the set of faults.
    #[must_use]
    pub fn with_faults(mut self, faults: Faults) -> Self {
        self.faults = faults;
        self
    }

    /// Switches asynchronous provisioning on or off.
    #[must_use]
    pub fn with_async_provisioning(mut self, on: bool) -> Self {
        self.async_provisioning = on;
        self
    }

    /// Sets the base URL of the OAuth token endpoint (`<url>/oauth/token`).
    #[must_use]
    pub fn with_heroku_id_url(mut self, url: impl Into<String>) -> Self {
        self.heroku_id_url = url.into();
        self
    }

    /// Sets the OAuth client secret sent with the token exchange.
    #[must_use]
    pub fn with_oauth_client_secret(mut self, secret: impl Into<String>) -> Self {
        self.oauth_client_secret = secret.into();
        self
    }

    /// Sets how long after the 202 the provider starts finishing a provision.
    #[must_use]
    pub fn with_async_delay(mut self, delay: Duration) -> Self {
        self.async_delay = delay;
        self
    }

    /// The playground's provider, the one place its contract is written: the defaults
    /// (add-on `myaddon`, password `secret`) with SSO on under [`PLAYGROUND_SSO_SALT`],
    /// served on 127.0.0.1:[`PLAYGROUND_PORT`]. [`ProviderOptions::playground_manifest`] is
    /// the playground's sample manifest (`web/playground-manifest.json`, which a test keeps
    /// equal to it); `kensa-provider --playground` serves it.
    /// It declares two regions, so that the page provisions from each as Heroku would.
    pub fn playground() -> ProviderOptions {
        ProviderOptions { regions: vec!["us".into(), "eu".into()], ..ProviderOptions::default() }
            .with_sso_salt(PLAYGROUND_SSO_SALT)
    }

    /// The manifest of [`ProviderOptions::playground`] at `http://127.0.0.1:<PLAYGROUND_PORT>`.
    pub fn playground_manifest() -> Value {
        ProviderOptions::playground().manifest(&format!("http://127.0.0.1:{PLAYGROUND_PORT}"))
    }

    /// Whether provisions are asynchronous: [`ProviderOptions::async_provisioning`], or
    /// any `async-*` fault.
    pub fn async_mode(&self) -> bool {
        self.async_provisioning || self.faults.any_async()
    }

    /// An `addon-manifest.json` (object form, API v3) whose `test` block points at `origin`,
    /// e.g. `http://127.0.0.1:4567`. It contains the password and salt.
    pub fn manifest(&self, origin: &str) -> Value {
        let origin = origin.trim_end_matches('/');
        let mut test = json!({ "base_url": format!("{origin}{}", self.base_path) });
        let mut production = json!({ "base_url": format!("https://{}.example.com{}", self.id, self.base_path) });
        if self.sso_salt.is_some() {
            test["sso_url"] = json!(format!("{origin}{}", self.sso_path));
            production["sso_url"] = json!(format!("https://{}.example.com{}", self.id, self.sso_path));
        }
        let mut api = json!({
            "config_vars": self.config_vars,
            "password": self.password,
            "regions": self.regions,
            "requires": [],
            "production": production,
            "test": test,
            "version": "3",
        });
        if let Some(salt) = &self.sso_salt {
            api["sso_salt"] = json!(salt);
        }
        json!({ "id": self.id, "name": self.id, "api": api })
    }

    /// Checks the paths so that building the router cannot panic.
    pub(crate) fn validate(&mut self) -> io::Result<()> {
        let invalid = |what: &str| io::Error::new(io::ErrorKind::InvalidInput, what.to_owned());
        for path in [&mut self.base_path, &mut self.sso_path] {
            while path.len() > 1 && path.ends_with('/') {
                path.pop();
            }
            let ok = path.starts_with('/')
                && path.len() > 1
                && !path.contains(['{', '}', '*', '?', '#'])
                && path != "/dashboard"
                && path != "/resources"
                && !path.starts_with("/resources/");
            if !ok {
                return Err(invalid(&format!(
                    "path {path:?} must start with '/', not be '/', '/dashboard' or under '/resources', \
                     and contain no '{{', '}}', '*', '?' or '#'"
                )));
            }
        }
        if self.base_path == self.sso_path {
            return Err(invalid("the base path and the SSO path must differ"));
        }
        if self.sso_path.starts_with(&format!("{}/", self.base_path)) {
            return Err(invalid("the SSO path must not be under the base path"));
        }
        let url = self.heroku_id_url.trim().trim_end_matches('/').to_owned();
        let scheme = url.split_once("://").map(|(scheme, _)| scheme.to_ascii_lowercase());
        if !matches!(scheme.as_deref(), Some("http" | "https")) || url.ends_with("://") {
            return Err(invalid(&format!("the Heroku id URL {url:?} must be an http:// or https:// URL")));
        }
        self.heroku_id_url = url;
        Ok(())
    }

    /// The origin config var URLs use: [`ProviderOptions::public_url`], or the listening
    /// address `addr`.
    pub(crate) fn public_origin(&self, addr: SocketAddr) -> String {
        match &self.public_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => origin_for(addr),
        }
    }
}

/// `http://<addr>`, with an unspecified address shown as loopback.
pub(crate) fn origin_for(addr: SocketAddr) -> String {
    let mut addr = addr;
    if addr.ip().is_unspecified() {
        addr.set_ip(if addr.is_ipv4() { Ipv4Addr::LOCALHOST.into() } else { Ipv6Addr::LOCALHOST.into() });
    }
    format!("http://{addr}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_debug_hides_secrets() {
        let options = ProviderOptions::default()
            .with_password("hunter2")
            .with_sso_salt("pepper")
            .with_oauth_client_secret("oauth-pepper");
        let text = format!("{options:?}");
        assert!(!text.contains("hunter2"));
        assert!(!text.contains("pepper"));
    }

    #[test]
    fn paths_are_validated_and_normalised() {
        let mut options = ProviderOptions { base_path: "/api/resources/".into(), ..ProviderOptions::default() };
        options.validate().unwrap();
        assert_eq!(options.base_path, "/api/resources");
        for bad in ["", "/", "x", "/dashboard", "/resources", "/a/{b}", "/sso/login"] {
            let mut options = ProviderOptions { base_path: bad.into(), ..ProviderOptions::default() };
            assert!(options.validate().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn heroku_id_url_is_validated_and_normalised() {
        let mut options = ProviderOptions::default().with_heroku_id_url("http://127.0.0.1:9/");
        options.validate().unwrap();
        assert_eq!(options.heroku_id_url, "http://127.0.0.1:9");
        let mut options = ProviderOptions::default();
        options.validate().unwrap();
        assert_eq!(options.heroku_id_url, DEFAULT_HEROKU_ID_URL);
        for bad in ["", "id.heroku.com", "ftp://x", "http://"] {
            let mut options = ProviderOptions::default().with_heroku_id_url(bad);
            assert!(options.validate().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn async_mode_follows_the_option_and_the_async_faults() {
        assert!(!ProviderOptions::default().async_mode());
        assert!(ProviderOptions::default().with_async_provisioning(true).async_mode());
        assert!(ProviderOptions::default().with_fault(Fault::AsyncNeverCallback).async_mode());
        assert!(!ProviderOptions::default().with_fault(Fault::ProvisionStatus202).async_mode());
    }

    #[test]
    fn origin_shows_loopback_for_unspecified() {
        assert_eq!(origin_for("0.0.0.0:80".parse().unwrap()), "http://127.0.0.1:80");
        assert_eq!(origin_for("[::]:80".parse().unwrap()), "http://[::1]:80");
    }

    #[test]
    fn manifest_points_at_the_origin() {
        let m = ProviderOptions::default().with_sso_salt("s").manifest("http://127.0.0.1:9/");
        assert_eq!(m["api"]["test"]["base_url"], "http://127.0.0.1:9/heroku/resources");
        assert_eq!(m["api"]["test"]["sso_url"], "http://127.0.0.1:9/sso/login");
        assert_eq!(m["api"]["sso_salt"], "s");
        assert_eq!(m["api"]["version"], "3");
    }
}
