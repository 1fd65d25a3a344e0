//! The manifest `kensa init` writes. Pure: the host supplies the secrets.

use serde_json::{Value, json};

/// How the skeleton describes single sign-on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SsoStyle {
    /// Object form with `sso_url`: Heroku signs users in with a form POST.
    #[default]
    Post,
    /// String form: Heroku signs users in with a GET to `/heroku/resources/<id>`.
    Get,
}

/// Everything `kensa init` decides; the secrets come from the host's random source.
#[derive(Clone, Debug)]
pub struct SkeletonOptions {
    pub sso: SsoStyle,
    /// Leave out `sso_salt` (and `SSO_SALT` from `.env`).
    pub without_sso: bool,
    /// Port of the local test service: 4567, or 5000 for foreman.
    pub port: u16,
    pub password: String,
    pub sso_salt: String,
}

/// The files `kensa init` writes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skeleton {
    /// `addon-manifest.json`, pretty-printed with a trailing newline.
    pub manifest: String,
    /// `.env` for foreman: the service's view of the same secrets.
    pub dotenv: String,
}

pub const SKELETON_ID: &str = "myaddon";

pub fn skeleton(options: &SkeletonOptions) -> Skeleton {
    let local = format!("http://localhost:{}", options.port);
    let (production, test) = match options.sso {
        SsoStyle::Post => (
            json!({
                "base_url": "https://yourapp.com/heroku/resources",
                "sso_url": "https://yourapp.com/sso/login",
            }),
            json!({
                "base_url": format!("{local}/heroku/resources"),
                "sso_url": format!("{local}/sso/login"),
            }),
        ),
        SsoStyle::Get => (json!("https://yourapp.com/"), json!(format!("{local}/"))),
    };
    let mut api = serde_json::Map::new();
    api.insert("config_vars_prefix".into(), json!("MYADDON"));
    api.insert("config_vars".into(), json!(["MYADDON_URL"]));
    api.insert("password".into(), json!(options.password));
    if !options.without_sso {
        api.insert("sso_salt".into(), json!(options.sso_salt));
    }
    api.insert("regions".into(), json!(["us"]));
    api.insert("requires".into(), json!([]));
    api.insert("production".into(), production);
    api.insert("test".into(), test);
    api.insert("version".into(), json!("3"));
    let manifest = json!({ "id": SKELETON_ID, "name": "MyAddon", "api": Value::Object(api) });
    let mut text = serde_json::to_string_pretty(&manifest).unwrap_or_default();
    text.push('\n');

    let mut dotenv = String::new();
    if !options.without_sso {
        dotenv.push_str(&format!("SSO_SALT={}\n", options.sso_salt));
    }
    dotenv.push_str(&format!("HEROKU_USERNAME={SKELETON_ID}\nHEROKU_PASSWORD={}\n", options.password));
    Skeleton { manifest: text, dotenv }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ApiVersion, Endpoint, SsoTarget, validate};

    fn options(sso: SsoStyle, without_sso: bool) -> SkeletonOptions {
        SkeletonOptions {
            sso,
            without_sso,
            port: 4567,
            password: "0123456789abcdef0123456789abcdef".into(),
            sso_salt: "fedcba9876543210fedcba9876543210".into(),
        }
    }

    #[test]
    fn default_skeleton_is_a_valid_v3_manifest_with_post_sso() {
        let skeleton = skeleton(&options(SsoStyle::Post, false));
        let validation = validate(skeleton.manifest.as_bytes());
        assert!(validation.is_ok(), "{:?}", validation.diagnostics().collect::<Vec<_>>());
        assert_eq!(validation.diagnostics().count(), 0);
        let manifest = validation.manifest.unwrap();
        assert_eq!(manifest.api.version, ApiVersion::V3);
        assert_eq!(manifest.api.test.base_path(), "/heroku/resources");
        assert!(matches!(manifest.api.test.sso(), SsoTarget::Post(url) if url.origin() == "http://localhost:4567"));
        assert_eq!(
            manifest.api.sso_salt.map(|salt| salt.expose().to_string()).as_deref(),
            Some("fedcba9876543210fedcba9876543210")
        );
        assert!(skeleton.dotenv.contains("SSO_SALT=fedcba9876543210fedcba9876543210\n"));
        assert!(skeleton.dotenv.contains("HEROKU_USERNAME=myaddon\n"));
    }

    #[test]
    fn get_style_uses_the_string_form() {
        let skeleton = skeleton(&options(SsoStyle::Get, false));
        let manifest = validate(skeleton.manifest.as_bytes()).manifest.unwrap();
        assert!(matches!(manifest.api.test, Endpoint::Root(_)));
        assert_eq!(manifest.api.test.base_path(), "/heroku/resources");
        assert!(matches!(manifest.api.test.sso(), SsoTarget::Get { .. }));
    }

    #[test]
    fn without_sso_leaves_out_the_salt_everywhere() {
        let skeleton = skeleton(&options(SsoStyle::Post, true));
        assert!(!skeleton.manifest.contains("sso_salt"));
        assert!(!skeleton.dotenv.contains("SSO_SALT"));
        let validation = validate(skeleton.manifest.as_bytes());
        assert!(validation.is_ok());
        assert_eq!(validation.diagnostics().map(|d| d.code).collect::<Vec<_>>(), ["M23"]);
    }
}
