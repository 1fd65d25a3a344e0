//! `Testing config data`: the config vars a provision or plan change returns.

use crate::catalogue::*;
use crate::engine::CheckRun;
use crate::provision::describe_value;
use crate::transport::Transport;
use kensa_manifest::url::is_scheme;
use kensa_manifest::{Environment, Manifest};
use serde_json::Value;

const CONFIG_CHECKS: [&CheckDef; 5] =
    [&CONFIG_OBJECT, &CONFIG_KEYS_DECLARED, &CONFIG_KEYS_PRESENT, &CONFIG_VALUES_STRINGS, &CONFIG_URLS];

impl<T: Transport> CheckRun<'_, T> {
    /// The whole `config data` group, skipped for `reason`.
    pub(crate) fn skip_config(&mut self, reason: &str) {
        self.group("config data".to_string());
        self.skip_config_checks(reason);
    }

    fn skip_config_checks(&mut self, reason: &str) {
        for def in CONFIG_CHECKS {
            self.skip(def, reason);
        }
    }

    /// Checks `config` in `body`. `provision` is false for a plan change, which may return
    /// only the vars that changed.
    pub(crate) fn check_config(&mut self, manifest: &Manifest, body: &Value, provision: bool) {
        self.group("config data".to_string());
        let config = match body.get("config") {
            None => {
                self.skip_config_checks("the response has no config");
                return;
            }
            Some(config) => config,
        };
        let mut check = self.start(&CONFIG_OBJECT);
        let Value::Object(config) = config else {
            check.fail(format!("`config` must be an object, found {}", kensa_manifest::kind_of(config)));
            self.finish(check);
            for def in &CONFIG_CHECKS[1..] {
                self.skip(def, "`config` is not an object");
            }
            return;
        };
        self.finish(check);

        let declared = &manifest.api.config_vars;
        let mut check = self.start(&CONFIG_KEYS_DECLARED);
        for key in config.keys().filter(|key| !declared.contains(key)) {
            check.fail(format!("{key} is not in the manifest"));
        }
        self.finish(check);

        if provision {
            let mut check = self.start(&CONFIG_KEYS_PRESENT);
            let missing: Vec<&str> =
                declared.iter().filter(|key| !config.contains_key(*key)).map(String::as_str).collect();
            match missing.as_slice() {
                [] => {}
                [one] => check.warn(format!("{one} is missing from the provision response")),
                many => check.warn(format!("{} are missing from the provision response", many.join(", "))),
            }
            self.finish(check);
        } else {
            self.skip(&CONFIG_KEYS_PRESENT, "a plan change may return only the vars that changed");
        }

        let mut check = self.start(&CONFIG_VALUES_STRINGS);
        for (key, value) in config.iter().filter(|(_, value)| !value.is_string()) {
            check.fail(format!("the key {key} doesn't contain a string ({})", describe_value(value)));
        }
        self.finish(check);

        let production = self.settings.environment == Environment::Production;
        let mut check = self.start(&CONFIG_URLS);
        for (key, value) in config.iter().filter(|(key, _)| key.ends_with("_URL")) {
            if let Some((text, problem)) = value.as_str().and_then(|text| Some((text, uri_problem(text, production)?)))
            {
                check.fail(format!("{key}: {} is not a valid URI - {problem}", hide_password(text)));
            }
        }
        self.finish(check);
    }
}

/// Why `value` is not an absolute URI with a scheme and a host (and, in production, a
/// host other than localhost).
pub(crate) fn uri_problem(value: &str, production: bool) -> Option<&'static str> {
    let Some((_, rest)) = value.split_once(':').filter(|(scheme, _)| is_scheme(scheme)) else {
        return Some("missing scheme");
    };
    if value.chars().any(char::is_whitespace) {
        return Some("contains whitespace");
    }
    let Some(after) = rest.strip_prefix("//") else {
        return Some("missing host");
    };
    let authority = after.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
    let host = if let Some(bracketed) = host_port.strip_prefix('[') {
        bracketed.split(']').next().unwrap_or_default()
    } else {
        host_port.split(':').next().unwrap_or_default()
    };
    if host.is_empty() {
        return Some("missing host");
    }
    if production && host.eq_ignore_ascii_case("localhost") {
        return Some("pointing to localhost");
    }
    None
}

/// `postgres://user:secret@host/db` becomes `postgres://user:[redacted]@host/db`.
pub(crate) fn hide_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:[redacted]@{host}{path}"),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_absolute_uris_of_any_scheme() {
        for uri in [
            "postgres://u:p@db.example.com:5432/x",
            "redis://127.0.0.1",
            "https://[::1]:8080/a",
            "http://localhost:5000",
        ] {
            assert_eq!(uri_problem(uri, false), None, "{uri}");
        }
    }

    #[test]
    fn names_what_a_uri_lacks() {
        assert_eq!(uri_problem("db.example.com/x", false), Some("missing scheme"));
        assert_eq!(uri_problem("1http://x", false), Some("missing scheme"));
        assert_eq!(uri_problem("mailto:someone", false), Some("missing host"));
        assert_eq!(uri_problem("http:///x", false), Some("missing host"));
        assert_eq!(uri_problem("http://localhost:5000/x", true), Some("pointing to localhost"));
        assert_eq!(uri_problem("http://127.0.0.1:5000/x", true), None);
    }

    #[test]
    fn hides_passwords_in_urls() {
        assert_eq!(hide_password("postgres://u:secret@h/db"), "postgres://u:[redacted]@h/db");
        assert_eq!(hide_password("https://h/x"), "https://h/x");
    }
}
