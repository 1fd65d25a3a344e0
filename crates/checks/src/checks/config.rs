//! `Testing config data`: the config vars a provision or plan change returns.

use crate::checks::provision::describe_value;
use crate::engine::CheckRun;
use crate::transport::Transport;
use kensa_manifest::references::PARTNER_API_ARTICLE;
use kensa_manifest::url::is_scheme;
use kensa_manifest::{Environment, Manifest};
use serde_json::Value;

kensa_manifest::checks! {
    /// The config data checks, in the order they run.
    pub(crate) const CHECKS;
    CONFIG_OBJECT {
        code: "R04",
        name: "config/is-object",
        label: "is a hash",
        summary: "`config`, when present, is a JSON object.",
        why: "Heroku sets each key of `config` as an environment variable of the app, so it must map names to \
              values.",
        example: "`config` must be an object, found an array",
        fix: "Return `\"config\": {\"MYADDON_URL\": \"...\"}`.",
        reference: PARTNER_API_ARTICLE,
    }
    CONFIG_KEYS_DECLARED {
        code: "R05",
        name: "config/keys-declared",
        label: "all config keys were previously defined in the manifest",
        summary: "Every returned config var is declared in the manifest's `config_vars`.",
        why: "The manifest declares which variables your add-on sets on an app; a name it does not declare is \
              outside what Heroku expects from the add-on.",
        example: "MYADDON_OTHER_URL is not in the manifest",
        fix: "Add the name to `api.config_vars`, or stop returning it.",
        reference: PARTNER_API_ARTICLE,
    }
    CONFIG_KEYS_PRESENT {
        code: "R06",
        name: "config/declared-keys-present",
        label: "all keys in the manifest are present",
        summary: "Every config var declared in the manifest is returned (a warning when not).",
        why: "The app's code looks for the vars the manifest promises; one missing after provisioning is usually \
              a bug.",
        example: "MYADDON_URL is missing from the provision response",
        fix: "Return every declared var in `config`, or remove the ones you never set from `api.config_vars`.",
        reference: PARTNER_API_ARTICLE,
    }
    CONFIG_VALUES_STRINGS {
        code: "R07",
        name: "config/values-are-strings",
        label: "all config values are strings",
        summary: "Every config value is a string.",
        why: "Config vars become environment variables, and environment variables are strings.",
        example: "the key MYADDON_URL doesn't contain a string (42)",
        fix: "Send every value as a JSON string: `\"42\"`, not `42`.",
        reference: PARTNER_API_ARTICLE,
    }
    CONFIG_URLS {
        code: "R08",
        name: "config/urls-valid",
        label: "URL configs vars",
        summary: "Every `*_URL` value is an absolute URI with scheme and host, not localhost in production.",
        why: "Apps hand `*_URL` vars straight to client libraries, which need an absolute URI; a production \
              resource on localhost is unreachable from the app's dynos.",
        example: "MYADDON_URL: db.example.com/x is not a valid URI - missing scheme",
        fix: "Return a whole URI with scheme and host, such as `postgres://user:pass@db.example.com:5432/db`, on \
              a host apps can reach.",
        reference: PARTNER_API_ARTICLE,
    }
}

impl<T: Transport> CheckRun<'_, T> {
    /// The whole `config data` group, skipped for `reason`.
    pub(crate) fn skip_config(&mut self, reason: &str) {
        self.group("config data".to_string());
        self.skip_config_checks(reason);
    }

    fn skip_config_checks(&mut self, reason: &str) {
        for def in CHECKS {
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
            for def in &CHECKS[1..] {
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
