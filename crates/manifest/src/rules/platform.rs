//! `Testing manifest api key`, what the add-on asks of the platform: the regions it
//! serves, the features it requires, the salt single sign-on is signed with, and the
//! version of the Add-on Partner API it speaks.

use super::{Checker, describe, known_api_key, missing_key_hint};
use crate::check::Finding;
use crate::kind_of;
use crate::model::KNOWN_REQUIREMENTS;
use crate::references::{MANIFEST_ARTICLE, SSO_ARTICLE, V3_MIGRATION_ARTICLE};
use crate::regions::{self, REQUIRED_REGIONS};
use crate::suggest::closest;
use serde_json::{Map, Value};

crate::checks! {
    REGIONS_LIST {
        code: "M08",
        name: "manifest/regions-list",
        group: ApiKey,
        label: "has a list of regions",
        summary: "`api.regions` is an array.",
        why: "Heroku offers the add-on only to apps in the regions `api.regions` lists.",
        example: "`api.regions` is missing",
        fix: "Add `\"regions\": [\"us\"]` to `api`, or `[\"*\"]` if the add-on serves every region.",
        reference: MANIFEST_ARTICLE,
    }
    REGIONS_INCLUDE_US {
        code: "M09",
        name: "manifest/regions-include-us",
        group: ApiKey,
        label: "contains at least the US region",
        summary: "`api.regions` contains `us` or `*`.",
        why: "Heroku requires every add-on to be available in the `us` region, where most apps run; `*` covers \
              it.",
        example: "`api.regions` must include `us` or `*`",
        fix: "Add `\"us\"` to `api.regions`, or use `[\"*\"]` if the add-on works from every region.",
        reference: MANIFEST_ARTICLE,
    }
    REGIONS_KNOWN {
        code: "M10",
        name: "manifest/regions-known",
        group: ApiKey,
        label: "contains only valid region names",
        summary: "Every entry of `api.regions` is a known region name or `*`.",
        why: "A name Heroku does not know matches no app's region, so the add-on is never offered there; it is \
              usually a typo.",
        example: "`mars` is not a known region",
        fix: "Use Heroku region names such as `us`, `eu`, `frankfurt` or `tokyo`, or `*`; kensa suggests the \
              closest one.",
        reference: MANIFEST_ARTICLE,
    }
    REQUIRES_KNOWN {
        code: "M22",
        name: "manifest/requires-known",
        group: ApiKey,
        label: "requires only known features",
        summary: "`api.requires` is an array of known feature names.",
        why: "`api.requires` opts in to platform features (`syslog_drain`, `log_input`, `many_per_app`, \
              `attachable`); a name Heroku does not know is usually a typo that leaves the feature off.",
        example: "`syslog-drain` is not a feature kensa knows; Heroku may reject it",
        fix: "Use one of the known names (kensa suggests the closest), or remove the entry.",
        reference: MANIFEST_ARTICLE,
    }
    SSO_SALT_PRESENT {
        code: "M23",
        name: "manifest/sso-salt-present",
        group: ApiKey,
        label: "contains sso salt",
        summary: "`api.sso_salt` is set, so single sign-on can be tested.",
        why: "Heroku signs every single sign-on request with `api.sso_salt`; without it neither Heroku nor kensa \
              can sign a user in to your service.",
        example: "no `api.sso_salt`: single sign-on cannot be tested",
        fix: "Set `api.sso_salt` to a long random string that your service also knows (`kensa init` generates \
              one).",
        reference: SSO_ARTICLE,
    }
    API_VERSION_CURRENT {
        code: "M24",
        name: "manifest/api-version-current",
        group: ApiKey,
        label: "uses version 3 of the Add-on Partner API",
        summary: "`api.version` is `\"3\"`; v1 reached end of life on 2023-07-03.",
        why: "Heroku ended the v1 Add-on Partner API on 2023-07-03; add-ons now speak v3, which names resources \
              by Heroku's uuid and sends an OAuth grant with each provision.",
        example: "no `api.version`: this manifest uses the v1 Add-on Partner API, which reached end of life on \
                  2023-07-03",
        fix: "Handle the v3 requests (the versioned Accept header, `uuid` path keys, `resource_token` at sign-in) \
              and add `\"version\": \"3\"` to `api`.",
        reference: V3_MIGRATION_ARTICLE,
    }
}

impl Checker<'_> {
    pub(super) fn check_regions(&mut self, api: &Map<String, Value>) {
        let regions = match api.get("regions") {
            Some(Value::Array(regions)) => regions,
            other => {
                let finding = match other {
                    None => Finding::error_at("/api/regions", "`api.regions` is missing").hint(
                        missing_key_hint(api, "regions", known_api_key)
                            .or(Some("add `\"regions\": [\"us\"]`".to_string())),
                    ),
                    Some(value) => Finding::error_at(
                        "/api/regions",
                        format!("`api.regions` must be an array of region names, found {}", kind_of(value)),
                    )
                    .hint(value.as_str().map(|name| format!("did you mean `[\"{name}\"]`?"))),
                };
                self.check(&REGIONS_LIST, Some(finding));
                self.skip(&[&REGIONS_INCLUDE_US, &REGIONS_KNOWN], "`api.regions` is not a list");
                return;
            }
        };
        self.check(&REGIONS_LIST, None);
        let includes_us =
            regions.iter().any(|region| region.as_str().is_some_and(|name| REQUIRED_REGIONS.contains(&name)));
        let finding = (!includes_us).then(|| {
            Finding::error_at("/api/regions", "`api.regions` must include `us` or `*`")
                .hint(Some("Heroku requires every add-on to be available in the `us` region".to_string()))
        });
        self.check(&REGIONS_INCLUDE_US, finding);
        let findings = regions
            .iter()
            .enumerate()
            .filter_map(|(index, region)| {
                let pointer = format!("/api/regions/{index}");
                match region.as_str() {
                    Some(name) if regions::is_known(name) => None,
                    Some(name) => Some(
                        Finding::error_at(pointer, format!("`{name}` is not a known region"))
                            .hint(closest(name, regions::names()).map(|known| format!("did you mean `{known}`?"))),
                    ),
                    None => Some(Finding::error_at(
                        pointer,
                        format!("a region name must be a string, found {}", kind_of(region)),
                    )),
                }
            })
            .collect();
        self.record(&REGIONS_KNOWN, findings);
    }

    pub(super) fn check_requires(&mut self, api: &Map<String, Value>) {
        let findings = match api.get("requires") {
            None => Vec::new(),
            Some(Value::Array(requires)) => requires
                .iter()
                .enumerate()
                .filter_map(|(index, feature)| {
                    let pointer = format!("/api/requires/{index}");
                    match feature.as_str() {
                        Some(name) if KNOWN_REQUIREMENTS.contains(&name) => None,
                        Some(name) => Some(
                            Finding::warning_at(
                                pointer,
                                format!("`{name}` is not a feature kensa knows; Heroku may reject it"),
                            )
                            .hint(
                                closest(name, KNOWN_REQUIREMENTS.iter().copied())
                                    .map(|known| format!("did you mean `{known}`?")),
                            ),
                        ),
                        None => Some(Finding::error_at(
                            pointer,
                            format!("a required feature must be a string, found {}", kind_of(feature)),
                        )),
                    }
                })
                .collect(),
            Some(other) => vec![Finding::error_at(
                "/api/requires",
                format!("`api.requires` must be an array of feature names, found {}", kind_of(other)),
            )],
        };
        self.record(&REQUIRES_KNOWN, findings);
    }

    pub(super) fn check_sso_salt(&mut self, api: &Map<String, Value>) {
        let finding = match api.get("sso_salt") {
            Some(Value::String(salt)) if !salt.is_empty() => None,
            None | Some(Value::Null) => Some(
                Finding::warning_at("/api/sso_salt", "no `api.sso_salt`: single sign-on cannot be tested")
                    .hint(missing_key_hint(api, "sso_salt", known_api_key)),
            ),
            Some(Value::String(_)) => {
                Some(Finding::warning_at("/api/sso_salt", "`api.sso_salt` is empty: single sign-on cannot be tested"))
            }
            Some(other) => Some(Finding::error_at(
                "/api/sso_salt",
                format!("`api.sso_salt` must be a string, found {}", kind_of(other)),
            )),
        };
        self.check(&SSO_SALT_PRESENT, finding);
    }

    pub(super) fn check_version(&mut self, api: &Map<String, Value>) {
        let finding = match api.get("version") {
            Some(Value::String(version)) if version == "3" => None,
            None => Some(
                Finding::warning_at(
                    "/api/version",
                    "no `api.version`: this manifest uses the v1 Add-on Partner API, which reached end of life on \
                     2023-07-03",
                )
                .hint(
                    missing_key_hint(api, "version", known_api_key)
                        .or(Some("add `\"version\": \"3\"` to `api` once your service speaks v3".to_string())),
                ),
            ),
            Some(Value::String(version)) if version == "1" => Some(Finding::warning_at(
                "/api/version",
                "version 1 of the Add-on Partner API reached end of life on 2023-07-03",
            )),
            Some(other) => Some(
                Finding::error_at(
                    "/api/version",
                    format!("`api.version` must be the string \"3\", found {}", describe(other)),
                )
                .hint(Some("write `\"version\": \"3\"`".to_string())),
            ),
        };
        self.check(&API_VERSION_CURRENT, finding);
    }
}
