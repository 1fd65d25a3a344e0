//! `Testing manifest api key`: the `api` block itself, its password, and the field it no
//! longer needs.

use super::{Checker, DEPRECATED_API_KEY, known_api_key, known_top_level_key, missing_key_hint};
use crate::check::Finding;
use crate::kind_of;
use crate::references::MANIFEST_ARTICLE;
use serde_json::{Map, Value};

crate::checks! {
    API_PRESENT {
        code: "M06",
        name: "manifest/api-present",
        group: ApiKey,
        label: "if exists",
        summary: "The manifest has an `api` block.",
        why: "`api` holds everything Heroku needs to call your service: credentials, URLs, config vars and \
              regions.",
        example: "`api` is missing",
        fix: "Add an `api` object; `kensa init` writes a complete one to start from.",
        reference: MANIFEST_ARTICLE,
    }
    API_OBJECT {
        code: "M07",
        name: "manifest/api-object",
        group: ApiKey,
        label: "is a hash",
        summary: "`api` is a JSON object.",
        why: "Heroku reads `api.password`, `api.production` and the other settings as keys of an object.",
        example: "`api` must be an object, found an array",
        fix: "Make `api` a `{ ... }` object holding the settings.",
        reference: MANIFEST_ARTICLE,
    }
    PASSWORD_PRESENT {
        code: "M11",
        name: "manifest/password-present",
        group: ApiKey,
        label: "contains password",
        summary: "`api.password` is a non-empty string.",
        why: "Heroku signs every provisioning call with HTTP Basic auth, the id as username and `api.password` as \
              password; it is how your service tells Heroku from anyone else.",
        example: "`api.password` is missing",
        fix: "Set `api.password` to a long random string (`kensa init` generates 32 hex characters) and check \
              it in your service.",
        reference: MANIFEST_ARTICLE,
    }
    DEPRECATED_FIELDS {
        code: "M21",
        name: "manifest/no-deprecated-fields",
        group: ApiKey,
        label: "deprecated fields",
        summary: "`api.username` is absent: the add-on id is the username.",
        why: "Heroku always sends the add-on id as the Basic auth username; a separate `username` is ignored and \
              misleads whoever reads the manifest.",
        example: "username is deprecated: Please authenticate using the add-on id.",
        fix: "Delete `api.username`, and have your service check the username against the add-on id.",
        reference: MANIFEST_ARTICLE,
    }
}

impl<'d> Checker<'d> {
    /// The `api` object, when there is one; every later rule is skipped when there is not.
    pub(super) fn check_api(&mut self) -> Option<&'d Map<String, Value>> {
        let Some(api) = self.root().get("api") else {
            let hint = missing_key_hint(self.root(), "api", known_top_level_key);
            self.check(&API_PRESENT, Some(Finding::error_at("/api", "`api` is missing").hint(hint)));
            self.skip_rest("`api` is missing");
            return None;
        };
        self.check(&API_PRESENT, None);
        let Value::Object(api) = api else {
            let message = format!("`api` must be an object, found {}", kind_of(api));
            self.check(&API_OBJECT, Some(Finding::error_at("/api", message)));
            self.skip_rest("`api` is not an object");
            return None;
        };
        self.check(&API_OBJECT, None);
        Some(api)
    }

    pub(super) fn check_password(&mut self, api: &Map<String, Value>) {
        let finding = match api.get("password") {
            None => Some(
                Finding::error_at("/api/password", "`api.password` is missing").hint(
                    missing_key_hint(api, "password", known_api_key)
                        .or(Some("run `kensa init` in an empty folder to generate one".to_string())),
                ),
            ),
            Some(Value::String(password)) if password.is_empty() => {
                Some(Finding::error_at("/api/password", "`api.password` is empty"))
            }
            Some(Value::String(_)) => None,
            Some(other) => Some(Finding::error_at(
                "/api/password",
                format!("`api.password` must be a non-empty string, found {}", kind_of(other)),
            )),
        };
        self.check(&PASSWORD_PRESENT, finding);
    }

    pub(super) fn check_deprecated_fields(&mut self, api: &Map<String, Value>) {
        let finding = api.contains_key(DEPRECATED_API_KEY).then(|| {
            Finding::error_at("/api/username", "username is deprecated: Please authenticate using the add-on id.")
                .hint(Some("remove `api.username`; Heroku sends the add-on id as the username".to_string()))
        });
        self.check(&DEPRECATED_FIELDS, finding);
    }
}
