//! The typed manifest, built only from a manifest that passed validation.

use crate::names::default_prefix;
use crate::url::HttpUrl;
use serde_json::{Map, Value};
use std::fmt;

/// A shared secret from the manifest. Its `Debug` and `Display` never show the value.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The value itself, for signing or authenticating; never print it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Which version of the Add-on Partner API the provider speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApiVersion {
    /// Legacy (no `api.version`): `heroku_id` in requests, the provider's id in paths.
    V1,
    /// `api.version: "3"`: Heroku's `uuid` identifies the resource.
    V3,
}

/// `api.test` or `api.production`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Environment {
    Test,
    Production,
}

impl Environment {
    pub fn key(self) -> &'static str {
        match self {
            Environment::Test => "test",
            Environment::Production => "production",
        }
    }
}

/// Where Heroku sends provisioning calls and SSO for one environment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Endpoint {
    /// Object form: the provisioning URL and, for form-POST SSO, the login URL.
    Urls { base_url: HttpUrl, sso_url: Option<HttpUrl> },
    /// String form (legacy GET SSO): the service root; Heroku appends `/heroku/resources`.
    Root(HttpUrl),
}

/// How Heroku signs a user in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SsoTarget {
    /// Form POST to this URL.
    Post(HttpUrl),
    /// GET `<origin>/heroku/resources/<id>?...`.
    Get { origin: String },
}

impl Endpoint {
    /// Scheme, host and port of the provisioning API.
    pub fn origin(&self) -> String {
        match self {
            Endpoint::Urls { base_url, .. } => base_url.origin(),
            Endpoint::Root(root) => root.origin(),
        }
    }

    /// Path of the provisioning API: the `base_url` path, or `/heroku/resources`.
    pub fn base_path(&self) -> String {
        match self {
            Endpoint::Urls { base_url, .. } => {
                let path = base_url.path.trim_end_matches('/');
                if path.is_empty() { "/".to_string() } else { path.to_string() }
            }
            Endpoint::Root(root) => {
                format!("{}/heroku/resources", root.path.trim_end_matches('/'))
            }
        }
    }

    pub fn sso(&self) -> SsoTarget {
        match self {
            Endpoint::Urls { sso_url: Some(sso_url), .. } => SsoTarget::Post(sso_url.clone()),
            _ => SsoTarget::Get { origin: self.origin() },
        }
    }
}

/// The top-level keys the typed model reads; the others are kept in [`Manifest::extra`].
pub const TOP_LEVEL_KEYS: &[&str] = &["id", "name", "api"];

/// The `api` keys the typed model reads; the others are kept in [`Api::extra`].
pub const API_KEYS: &[&str] = &[
    "config_vars_prefix",
    "config_vars",
    "password",
    "sso_salt",
    "regions",
    "requires",
    "production",
    "test",
    "version",
];

/// Features `api.requires` may ask for.
pub const KNOWN_REQUIREMENTS: &[&str] = &["syslog_drain", "log_input", "many_per_app", "attachable"];

/// A valid add-on manifest.
#[derive(Clone, Debug)]
pub struct Manifest {
    pub id: String,
    pub name: Option<String>,
    pub api: Api,
    /// Top-level fields kensa does not interpret, kept as they were.
    pub extra: Map<String, Value>,
}

/// The `api` block of a valid manifest.
#[derive(Clone, Debug)]
pub struct Api {
    pub config_vars_prefix: Option<String>,
    pub config_vars: Vec<String>,
    pub password: Secret,
    pub sso_salt: Option<Secret>,
    pub regions: Vec<String>,
    pub requires: Vec<String>,
    pub production: Endpoint,
    pub test: Endpoint,
    pub version: ApiVersion,
    /// `api` fields kensa does not interpret, kept as they were.
    pub extra: Map<String, Value>,
}

impl Manifest {
    /// Builds the typed manifest from a root object that passed every error rule.
    pub(crate) fn from_validated(root: &Map<String, Value>) -> Option<Manifest> {
        let api_value = root.get("api")?.as_object()?;
        let strings = |key: &str| -> Vec<String> {
            api_value
                .get(key)
                .and_then(Value::as_array)
                .map(|items| items.iter().filter_map(|item| item.as_str().map(str::to_string)).collect())
                .unwrap_or_default()
        };
        let api = Api {
            config_vars_prefix: api_value.get("config_vars_prefix").and_then(Value::as_str).map(str::to_string),
            config_vars: strings("config_vars"),
            password: Secret::new(api_value.get("password")?.as_str()?),
            sso_salt: api_value
                .get("sso_salt")
                .and_then(Value::as_str)
                .filter(|salt| !salt.is_empty())
                .map(Secret::new),
            regions: strings("regions"),
            requires: strings("requires"),
            production: endpoint(api_value.get("production")?)?,
            test: endpoint(api_value.get("test")?)?,
            version: match api_value.get("version").and_then(Value::as_str) {
                Some("3") => ApiVersion::V3,
                _ => ApiVersion::V1,
            },
            extra: without(api_value, API_KEYS),
        };
        Some(Manifest {
            id: root.get("id")?.as_str()?.to_string(),
            name: root.get("name").and_then(Value::as_str).map(str::to_string),
            api,
            extra: without(root, TOP_LEVEL_KEYS),
        })
    }

    pub fn endpoint(&self, environment: Environment) -> &Endpoint {
        match environment {
            Environment::Test => &self.api.test,
            Environment::Production => &self.api.production,
        }
    }

    /// True when `api.requires` lists `feature`.
    pub fn requires(&self, feature: &str) -> bool {
        self.api.requires.iter().any(|required| required == feature)
    }

    /// The prefix every config var carries, without the trailing `_`.
    pub fn config_var_prefix(&self) -> String {
        self.api.config_vars_prefix.clone().unwrap_or_else(|| default_prefix(&self.id))
    }
}

fn endpoint(value: &Value) -> Option<Endpoint> {
    match value {
        Value::String(root) => HttpUrl::parse(root).ok().map(Endpoint::Root),
        Value::Object(urls) => Some(Endpoint::Urls {
            base_url: HttpUrl::parse(urls.get("base_url")?.as_str()?).ok()?,
            sso_url: urls.get("sso_url").and_then(Value::as_str).and_then(|url| HttpUrl::parse(url).ok()),
        }),
        _ => None,
    }
}

fn without(object: &Map<String, Value>, known: &[&str]) -> Map<String, Value> {
    object.iter().filter(|(key, _)| !known.contains(&key.as_str())).map(|(k, v)| (k.clone(), v.clone())).collect()
}
