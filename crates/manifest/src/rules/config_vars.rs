//! `Testing manifest api key`, the config vars: the names the add-on sets on an app.

use super::{Checker, describe};
use crate::check::Finding;
use crate::kind_of;
use crate::names::{changes_how_programs_start, default_prefix, is_env_key};
use crate::references::MANIFEST_ARTICLE;
use serde_json::{Map, Value};
use std::collections::HashMap;

crate::checks! {
    CONFIG_VARS_ARRAY {
        code: "M17",
        name: "manifest/config-vars-array",
        group: ApiKey,
        label: "contains config_vars array",
        summary: "`api.config_vars`, when present, is an array.",
        why: "Heroku reads `api.config_vars` as the list of variable names your service returns and sets on the \
              app.",
        example: "`api.config_vars` must be an array, found a string",
        fix: "Write a list, even for one name: `\"config_vars\": [\"MYADDON_URL\"]`.",
        reference: MANIFEST_ARTICLE,
    }
    CONFIG_VARS_UPPERCASE {
        code: "M18",
        name: "manifest/config-vars-uppercase",
        group: ApiKey,
        label: "all config vars are uppercase strings",
        summary: "Every config var is a string matching `^[A-Z][0-9A-Z_]+$`, and none changes how programs load \
                  or start (`LD_PRELOAD`, `PATH`, `NODE_OPTIONS`, ...).",
        why: "Config vars become environment variables of the app, and Heroku accepts only upper-case letters, \
              digits and underscores, starting with a letter. A name such as `LD_PRELOAD`, `BASH_ENV` or \
              `NODE_OPTIONS` decides what every program of the app loads or runs, so an add-on setting it would \
              run its own code there; `kensa run` never exports such a name.",
        example: "\"myaddon_url\" is not a valid ENV key",
        fix: "Write the name in upper case, such as `MYADDON_URL`, in the manifest and in what your service \
              returns; rename a var that changes how programs start (for add-on `ld`, set \
              `api.config_vars_prefix` to a prefix other than `LD`).",
        reference: MANIFEST_ARTICLE,
    }
    CONFIG_VARS_PREFIXED {
        code: "M19",
        name: "manifest/config-vars-prefixed",
        group: ApiKey,
        label: "all config vars are prefixed with the addon id",
        summary: "Every config var starts with `config_vars_prefix` (or the upper-cased id) and `_`.",
        why: "Heroku namespaces an add-on's vars by its prefix, and swaps the prefix for the attachment name when \
              the add-on is attached under another name; a var outside the prefix would clash with the app's \
              own.",
        example: "DATABASE_URL is not a valid ENV key - must be prefixed with MYADDON_",
        fix: "Rename the var to start with the prefix (`MYADDON_DATABASE_URL`), or set `api.config_vars_prefix` \
              to the prefix your vars use.",
        reference: MANIFEST_ARTICLE,
    }
    CONFIG_VARS_UNIQUE {
        code: "M20",
        name: "manifest/config-vars-unique",
        group: ApiKey,
        label: "all config vars are unique",
        summary: "No config var is listed twice.",
        why: "Each name is one environment variable of the app; a repeat is a slip that hides which vars your \
              service really returns.",
        example: "MYADDON_URL is listed twice (first at /api/config_vars/0)",
        fix: "Remove the repeated entry.",
        reference: MANIFEST_ARTICLE,
    }
}

impl Checker<'_> {
    pub(super) fn check_config_vars(&mut self, api: &Map<String, Value>) {
        let config_vars = match api.get("config_vars") {
            None => {
                self.check(&CONFIG_VARS_ARRAY, None);
                self.skip(
                    &[&CONFIG_VARS_UPPERCASE, &CONFIG_VARS_PREFIXED, &CONFIG_VARS_UNIQUE],
                    "no `api.config_vars`",
                );
                return;
            }
            Some(Value::Array(config_vars)) => config_vars,
            Some(other) => {
                let message = format!("`api.config_vars` must be an array, found {}", kind_of(other));
                let hint = other.as_str().map(|name| format!("did you mean `[\"{name}\"]`?"));
                self.check(&CONFIG_VARS_ARRAY, Some(Finding::error_at("/api/config_vars", message).hint(hint)));
                self.skip(
                    &[&CONFIG_VARS_UPPERCASE, &CONFIG_VARS_PREFIXED, &CONFIG_VARS_UNIQUE],
                    "`api.config_vars` is not an array",
                );
                return;
            }
        };
        self.check(&CONFIG_VARS_ARRAY, None);

        let pointer = |index: usize| format!("/api/config_vars/{index}");
        let mut uppercase_findings = Vec::new();
        let mut valid_names = Vec::new();
        for (index, entry) in config_vars.iter().enumerate() {
            match entry.as_str() {
                Some(name) if is_env_key(name) => match changes_how_programs_start(name) {
                    Some(why) => uppercase_findings.push(
                        Finding::error_at(
                            pointer(index),
                            format!("{name} is not a valid ENV key - {why}, so no add-on may set it"),
                        )
                        .hint(Some(
                            "rename it; when every name under the prefix is refused (as `LD_` for add-on `ld`), \
                                 set `api.config_vars_prefix` to another prefix"
                                .to_string(),
                        )),
                    ),
                    None => valid_names.push((index, name)),
                },
                Some(name) => {
                    let upper = default_prefix(name);
                    let hint = is_env_key(&upper).then(|| format!("did you mean `{upper}`?"));
                    uppercase_findings
                        .push(Finding::error_at(pointer(index), format!("{entry} is not a valid ENV key")).hint(hint));
                }
                None => uppercase_findings
                    .push(Finding::error_at(pointer(index), format!("{entry} is not a valid ENV key"))),
            }
        }
        self.record(&CONFIG_VARS_UPPERCASE, uppercase_findings);

        match self.config_var_prefix(api) {
            Ok(prefix) => {
                let with_underscore = format!("{prefix}_");
                let findings = valid_names
                    .iter()
                    .filter(|(_, name)| !name.starts_with(&with_underscore))
                    .map(|(index, name)| {
                        Finding::error_at(
                            pointer(*index),
                            format!("{name} is not a valid ENV key - must be prefixed with {prefix}_"),
                        )
                        .hint(Some(format!("rename it to `{prefix}_{name}` or set `api.config_vars_prefix`")))
                    })
                    .collect();
                self.record(&CONFIG_VARS_PREFIXED, findings);
            }
            Err(Some(finding)) => self.check(&CONFIG_VARS_PREFIXED, Some(finding)),
            Err(None) => self
                .skip(&[&CONFIG_VARS_PREFIXED], "no prefix: `id` is invalid and `api.config_vars_prefix` is not set"),
        }

        // One pass with a map: comparing each name with every earlier one takes minutes
        // for a manifest listing 200k names.
        let mut first_seen: HashMap<&str, usize> = HashMap::with_capacity(valid_names.len());
        let mut findings = Vec::new();
        for &(index, name) in &valid_names {
            match first_seen.get(name) {
                Some(&first) => findings.push(Finding::error_at(
                    pointer(index),
                    format!("{name} is listed twice (first at {})", pointer(first)),
                )),
                None => {
                    first_seen.insert(name, index);
                }
            }
        }
        self.record(&CONFIG_VARS_UNIQUE, findings);
    }

    /// The prefix config vars must carry; `Err(None)` when there is no way to tell.
    fn config_var_prefix(&self, api: &Map<String, Value>) -> Result<String, Option<Finding>> {
        match api.get("config_vars_prefix") {
            Some(Value::String(prefix)) if !prefix.is_empty() => Ok(prefix.clone()),
            Some(other) => Err(Some(Finding::error_at(
                "/api/config_vars_prefix",
                format!("`api.config_vars_prefix` must be a non-empty string, found {}", describe(other)),
            ))),
            None => match self.root().get("id") {
                Some(Value::String(id)) if !id.trim().is_empty() => Ok(default_prefix(id)),
                _ => Err(None),
            },
        }
    }
}
