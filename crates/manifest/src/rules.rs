//! The manifest rules, in the order the old gem ran them (plus kensa's own), each with
//! the documentation `kensa explain` prints and the playground shows. What each rule
//! checks is in [`crate::checker`].

use crate::check_def::CheckDef;
use crate::references::*;
use serde::{Deserialize, Serialize};

/// Where a rule's result is printed: the old gem's `Testing <heading>` groups.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RuleGroup {
    File,
    IdKey,
    ApiKey,
}

impl RuleGroup {
    pub fn heading(self) -> &'static str {
        match self {
            RuleGroup::File => "manifest file",
            RuleGroup::IdKey => "manifest id key",
            RuleGroup::ApiKey => "manifest api key",
        }
    }
}

/// One manifest rule: where its result is printed, and its documentation.
#[derive(Debug)]
pub struct Rule {
    pub group: RuleGroup,
    pub check: CheckDef,
}

macro_rules! rules {
    ($($ident:ident {
        code: $code:literal,
        name: $name:literal,
        group: $group:ident,
        label: $label:literal,
        summary: $summary:literal,
        why: $why:literal,
        example: $example:literal,
        fix: $fix:literal,
        reference: $reference:expr,
    })*) => {
        $(pub(crate) static $ident: Rule = Rule {
            group: RuleGroup::$group,
            check: CheckDef {
                code: $code,
                name: $name,
                label: $label,
                summary: $summary,
                why: $why,
                example: $example,
                fix: $fix,
                reference: $reference,
            },
        };)*
        /// Every manifest rule, in the order they run and print.
        pub static RULES: &[&Rule] = &[$(&$ident),*];
    };
}

rules! {
    VALID_JSON {
        code: "M00",
        name: "manifest/valid-json",
        group: File,
        label: "is valid JSON",
        summary: "The file is UTF-8 text holding well-formed JSON, with no key written twice in one object \
                  (a repeated key is a warning).",
        why: "Heroku reads the manifest as JSON when you push it; a file it cannot parse is rejected before any \
              field is looked at. When a key is written twice, JSON readers silently keep the last value, so an \
              edit to the first one changes nothing.",
        example: "invalid JSON: expected `,` or `}`",
        fix: "Fix the syntax at the line and column kensa reports (often a missing or trailing comma) and save the \
              file as UTF-8, or start again from `kensa init`. For a repeated key, delete the copy you do not \
              mean; kensa gives the line and column of both.",
        reference: MANIFEST_ARTICLE,
    }
    TOP_LEVEL_OBJECT {
        code: "M01",
        name: "manifest/top-level-object",
        group: File,
        label: "is a JSON object",
        summary: "The top level of the manifest is a JSON object.",
        why: "Every manifest field (`id`, `api`) is a key of one top-level object; an array or a bare value has \
              none of them.",
        example: "the manifest must be a JSON object, found an array",
        fix: "Put the fields in a single `{ ... }` object, as `kensa init` writes it.",
        reference: MANIFEST_ARTICLE,
    }
    ID_PRESENT {
        code: "M02",
        name: "manifest/id-present",
        group: IdKey,
        label: "if exists",
        summary: "The manifest has an `id`, the add-on's slug.",
        why: "The id is the add-on's slug: users type it in `heroku addons:create`, and Heroku sends it as the \
              Basic auth username on every provisioning call.",
        example: "`id` is missing",
        fix: "Add `\"id\": \"myaddon\"` at the top level, with your add-on's slug.",
        reference: MANIFEST_ARTICLE,
    }
    ID_STRING {
        code: "M03",
        name: "manifest/id-string",
        group: IdKey,
        label: "is a string",
        summary: "`id` is a string.",
        why: "Heroku uses the id as a slug in commands and as a username, and both are strings.",
        example: "`id` must be a string, found a number",
        fix: "Quote the id: `\"id\": \"myaddon\"`.",
        reference: MANIFEST_ARTICLE,
    }
    ID_NOT_BLANK {
        code: "M04",
        name: "manifest/id-not-blank",
        group: IdKey,
        label: "is not blank",
        summary: "`id` is not empty or whitespace.",
        why: "A blank id gives users nothing to type in `heroku addons:create` and Heroku no username to \
              authenticate with.",
        example: "`id` is blank",
        fix: "Set `id` to your add-on's slug.",
        reference: MANIFEST_ARTICLE,
    }
    ID_CHARSET {
        code: "M05",
        name: "manifest/id-charset",
        group: IdKey,
        label: "uses only lower-case letters, digits and dashes",
        summary: "`id` is a slug: lower-case letters, digits and dashes, starting with a letter.",
        why: "The id appears in CLI commands and URLs and cannot change after the first push, so Heroku allows \
              only lower-case letters, digits and dashes.",
        example: "`My Addon` is not a valid add-on id",
        fix: "Use a slug such as `my-addon`; kensa's hint suggests one made from the current id.",
        reference: MANIFEST_ARTICLE,
    }
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
    TEST_URL_PRESENT {
        code: "M12",
        name: "manifest/test-url-present",
        group: ApiKey,
        label: "contains test url",
        summary: "`api.test` is present.",
        why: "kensa calls `api.test`, your service running locally, in every test; Heroku itself only calls \
              `api.production`.",
        example: "`api.test` is missing",
        fix: "Add `\"test\": {\"base_url\": \"http://localhost:4567/heroku/resources\", \"sso_url\": \
              \"http://localhost:4567/sso/login\"}`, pointing at your local service.",
        reference: GUIDE_ARTICLE,
    }
    TEST_URL_VALID {
        code: "M13",
        name: "manifest/test-url-valid",
        group: ApiKey,
        label: "test urls are absolute http(s) URLs",
        summary: "`api.test` (a URL, or `base_url` and `sso_url`) holds absolute http or https URLs.",
        why: "kensa takes the origin and the provisioning path from these URLs; a relative or non-http URL \
              cannot be called.",
        example: "`localhost:4567/heroku/resources` is not an absolute http(s) URL: missing scheme (expected \
                  http:// or https://)",
        fix: "Write whole URLs with scheme and host, such as `http://localhost:4567/heroku/resources`.",
        reference: GUIDE_ARTICLE,
    }
    PRODUCTION_URL_PRESENT {
        code: "M14",
        name: "manifest/production-url-present",
        group: ApiKey,
        label: "contains production url",
        summary: "`api.production` is present.",
        why: "`api.production` is where Heroku sends the provision, deprovision, plan change and single sign-on \
              requests of real apps.",
        example: "`api.production` is missing",
        fix: "Add `\"production\": {\"base_url\": \"https://yourapp.com/heroku/resources\", \"sso_url\": \
              \"https://yourapp.com/sso/login\"}`.",
        reference: MANIFEST_ARTICLE,
    }
    PRODUCTION_URL_HTTPS {
        code: "M15",
        name: "manifest/production-url-https",
        group: ApiKey,
        label: "production url uses SSL",
        summary: "The production provisioning URL is an https URL.",
        why: "Provisioning calls carry your add-on password and return customers' credentials in config vars, \
              so Heroku requires `base_url` to be HTTPS with a valid certificate.",
        example: "`http://yourapp.com/heroku/resources` must use https in production",
        fix: "Serve the provisioning API over TLS and change the production URL to `https://`.",
        reference: PARTNER_API_ARTICLE,
    }
    SSO_URL_HTTPS {
        code: "M16",
        name: "manifest/sso-url-https",
        group: ApiKey,
        label: "sso url uses SSL",
        summary: "The production `sso_url`, when there is one, is an https URL.",
        why: "Single sign-on posts signed tokens and the user's email to `sso_url` from the browser; over plain \
              http anyone on the way can read and replay them.",
        example: "`http://yourapp.com/sso/login` must use https in production",
        fix: "Serve the sign-in page over TLS and change `api.production.sso_url` to `https://`.",
        reference: SSO_ARTICLE,
    }
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
