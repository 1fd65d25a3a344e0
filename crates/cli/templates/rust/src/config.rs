//! The service's settings, from the environment and `.env`.

use std::collections::HashMap;

pub struct Config {
    /// Heroku signs every provisioning call with HTTP Basic auth: the add-on id and
    /// password from addon-manifest.json.
    pub username: String,
    pub password: String,
    /// The manifest's `api.sso_salt`; single sign-on is off without it.
    pub sso_salt: Option<String>,
    /// Where apps reach their resource; the config var URLs point here.
    pub public_url: String,
    /// The manifest's `api.config_vars`.
    pub config_vars: Vec<String>,
    /// The port to listen on.
    pub port: u16,
}

impl Config {
    /// Reads `HEROKU_USERNAME`, `HEROKU_PASSWORD`, `SSO_SALT`, `PORT`, `PUBLIC_URL` and
    /// `ADDON_CONFIG_VARS`; variables already set in the environment win over `.env`.
    pub fn from_env() -> Result<Config, &'static str> {
        let dotenv = load_dotenv();
        let env = |name: &str| {
            std::env::var(name)
                .ok()
                .or_else(|| dotenv.get(name).cloned())
                .filter(|value| !value.is_empty())
        };
        let (Some(username), Some(password)) = (env("HEROKU_USERNAME"), env("HEROKU_PASSWORD"))
        else {
            return Err(
                "set HEROKU_USERNAME and HEROKU_PASSWORD (see .env and addon-manifest.json)",
            );
        };
        let port: u16 = env("PORT")
            .and_then(|port| port.parse().ok())
            .unwrap_or(5000);
        let public_url = env("PUBLIC_URL").unwrap_or_else(|| format!("http://localhost:{port}"));
        let config_vars = env("ADDON_CONFIG_VARS")
            .unwrap_or_else(|| format!("{}_URL", username.to_uppercase().replace('-', "_")))
            .split(',')
            .map(|name| name.trim().to_string())
            .filter(|name| !name.is_empty())
            .collect();
        Ok(Config {
            username,
            password,
            sso_salt: env("SSO_SALT"),
            public_url: public_url.trim_end_matches('/').to_string(),
            config_vars,
            port,
        })
    }
}

/// Reads `.env` in the current folder.
fn load_dotenv() -> HashMap<String, String> {
    let text = std::fs::read_to_string(".env").unwrap_or_default();
    let mut values = HashMap::new();
    for line in text
        .lines()
        .map(str::trim)
        .filter(|line| !line.starts_with('#'))
    {
        let line = line.strip_prefix("export ").unwrap_or(line);
        let Some((name, value)) = line.split_once('=') else {
            continue;
        };
        let value = value.trim();
        let unquoted = [('"', '"'), ('\'', '\'')].iter().find_map(|(open, close)| {
            value
                .strip_prefix(*open)
                .and_then(|rest| rest.strip_suffix(*close))
        });
        values.insert(
            name.trim().to_string(),
            unquoted.unwrap_or(value).to_string(),
        );
    }
    values
}
