//! `Testing manifest api key`, the URLs: `api.test`, which kensa calls, and
//! `api.production`, which Heroku calls and which must be https.

use super::{Checker, known_api_key, missing_key_hint};
use crate::check::Finding;
use crate::kind_of;
use crate::references::{GUIDE_ARTICLE, MANIFEST_ARTICLE, PARTNER_API_ARTICLE, SSO_ARTICLE};
use crate::url::HttpUrl;
use serde_json::{Map, Value};

crate::checks! {
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
}

impl Checker<'_> {
    pub(super) fn check_test_url(&mut self, api: &Map<String, Value>) {
        let Some(test) = api.get("test") else {
            let hint = missing_key_hint(api, "test", known_api_key)
                .or(Some("add `\"test\": {\"base_url\": \"http://localhost:4567/heroku/resources\"}`".to_string()));
            self.check(&TEST_URL_PRESENT, Some(Finding::error_at("/api/test", "`api.test` is missing").hint(hint)));
            self.skip(&[&TEST_URL_VALID], "`api.test` is missing");
            return;
        };
        self.check(&TEST_URL_PRESENT, None);
        let findings = endpoint_urls(test, "/api/test")
            .into_iter()
            .filter_map(|(pointer, url)| match url {
                Ok(text) => HttpUrl::parse(text).err().map(|reason| {
                    Finding::error_at(pointer, format!("`{text}` is not an absolute http(s) URL: {reason}"))
                }),
                Err(problem) => Some(Finding::error_at(pointer, problem)),
            })
            .collect();
        self.record(&TEST_URL_VALID, findings);
    }

    pub(super) fn check_production_url(&mut self, api: &Map<String, Value>) {
        let Some(production) = api.get("production") else {
            let hint = missing_key_hint(api, "production", known_api_key)
                .or(Some("add `\"production\": {\"base_url\": \"https://yourapp.com/heroku/resources\"}`".to_string()));
            self.check(
                &PRODUCTION_URL_PRESENT,
                Some(Finding::error_at("/api/production", "`api.production` is missing").hint(hint)),
            );
            self.skip(&[&PRODUCTION_URL_HTTPS, &SSO_URL_HTTPS], "`api.production` is missing");
            return;
        };
        self.check(&PRODUCTION_URL_PRESENT, None);
        let mut base_findings = Vec::new();
        let mut sso_findings = Vec::new();
        for (pointer, url) in endpoint_urls(production, "/api/production") {
            let findings = if pointer.ends_with("/sso_url") { &mut sso_findings } else { &mut base_findings };
            match url {
                Ok(text) => match HttpUrl::parse(text) {
                    Ok(parsed) if parsed.is_https() => {}
                    Ok(_) => findings.push(
                        Finding::error_at(pointer, format!("`{text}` must use https in production"))
                            .hint(Some(format!("did you mean `{}`?", to_https(text)))),
                    ),
                    Err(reason) => findings
                        .push(Finding::error_at(pointer, format!("`{text}` is not an absolute https URL: {reason}"))),
                },
                Err(problem) => findings.push(Finding::error_at(pointer, problem)),
            }
        }
        self.record(&PRODUCTION_URL_HTTPS, base_findings);
        self.record(&SSO_URL_HTTPS, sso_findings);
    }
}

/// The URLs of an endpoint block, each with its pointer, or why the block is malformed.
fn endpoint_urls<'v>(block: &'v Value, pointer: &str) -> Vec<(String, Result<&'v str, String>)> {
    match block {
        Value::String(url) => vec![(pointer.to_string(), Ok(url.as_str()))],
        Value::Object(urls) => {
            let mut found = Vec::new();
            for key in ["base_url", "sso_url"] {
                let child = format!("{pointer}/{key}");
                match urls.get(key) {
                    Some(Value::String(url)) => found.push((child, Ok(url.as_str()))),
                    None if key == "sso_url" => {}
                    None => found.push((child, Err(format!("`{}` is missing", dotted(pointer, key))))),
                    Some(other) => found.push((
                        child,
                        Err(format!("`{}` must be a URL string, found {}", dotted(pointer, key), kind_of(other))),
                    )),
                }
            }
            found
        }
        other => vec![(
            pointer.to_string(),
            Err(format!(
                "`{}` must be a URL or an object with `base_url`, found {}",
                dotted(pointer, ""),
                kind_of(other)
            )),
        )],
    }
}

/// `/api/test` and `base_url` become `api.test.base_url`.
fn dotted(pointer: &str, key: &str) -> String {
    let mut path: Vec<&str> = pointer.split('/').filter(|part| !part.is_empty()).collect();
    if !key.is_empty() {
        path.push(key);
    }
    path.join(".")
}

fn to_https(url: &str) -> String {
    match url.split_once("://") {
        Some((_, rest)) => format!("https://{rest}"),
        None => format!("https://{url}"),
    }
}
