//! Single sign-on: the signed parameters Heroku sends, and the checks that a provider
//! refuses bad or stale ones and signs the user in with good ones.

use crate::concurrent::join_all;
use crate::cookies::CookieJar;
use crate::encoding::form_value;
use crate::encoding::hex;
use crate::encoding::seconds;
use crate::engine::{CheckRun, Pending, Sent, Stop, describe_error};
use crate::keys::ResourceKeys;
use crate::redact::TOKEN_FIELDS;
use crate::transport::{Method, Response, Transport, TransportError};
use kensa_manifest::references::SSO_ARTICLE;
use kensa_manifest::{ApiVersion, CheckDef, Endpoint, Environment, Manifest, Secret, SsoTarget};
use sha1::{Digest, Sha1};
use sha2::Sha256;

kensa_manifest::checks! {
    /// Single sign-on's checks, in the order it makes them.
    pub(crate) const CHECKS;
    SSO_SALT {
        code: "S01",
        name: "sso/salt-present",
        label: "has an sso salt",
        summary: "The manifest has `api.sso_salt`, without which no SSO request can be signed.",
        why: "Heroku signs every single sign-on request with `api.sso_salt`, so kensa needs it to sign one too.",
        example: "need an sso salt to perform sso test",
        fix: "Add `api.sso_salt` to the manifest: a long random string your service also knows.",
        reference: SSO_ARTICLE,
    }
    SSO_BAD_TOKEN {
        code: "S02",
        name: "sso/rejects-bad-token",
        label: "validates token",
        summary: "A sign-in with wrong tokens gets 403.",
        why: "The token is the only proof that a sign-in comes from Heroku; a provider that ignores it lets \
              anyone who knows a resource id in.",
        example: "expected 403, got 200",
        fix: "Recompute the token (hex sha1 of `id:salt:timestamp`; in v3 also `resource_token` and \
              `user_scoped_resource_token`), compare in constant time, and answer 403 when it differs.",
        reference: SSO_ARTICLE,
    }
    SSO_OLD_TIMESTAMP {
        code: "S03",
        name: "sso/rejects-stale-timestamp",
        label: "validates timestamp",
        summary: "A correctly signed sign-in whose timestamp is 6 minutes old gets 403.",
        why: "Heroku's sign-in requests are valid for about 5 minutes; accepting older ones lets a leaked request \
              be replayed at any time.",
        example: "expected 403, got 302",
        fix: "Answer 403 when `timestamp` is more than 5 minutes old.",
        reference: SSO_ARTICLE,
    }
    SSO_FUTURE_TIMESTAMP {
        code: "S04",
        name: "sso/rejects-future-timestamp",
        label: "validates future timestamp",
        summary: "A correctly signed sign-in whose timestamp is 6 minutes ahead gets 403.",
        why: "A timestamp ahead of now keeps a sign-in request valid past Heroku's 5-minute window.",
        example: "expected 403, got 302",
        fix: "Answer 403 when `timestamp` is more than 5 minutes from now in either direction.",
        reference: SSO_ARTICLE,
    }
    SSO_LOGIN {
        code: "S05",
        name: "sso/logs-in",
        label: "logs in",
        summary: "A correctly signed, fresh sign-in ends (after redirects) in a 2xx page. Redirects are followed \
                  as a browser follows them: 307 and 308 repeat the form POST, 301, 302 and 303 become a GET, \
                  and each cookie goes back only to the host (any port) and path it was set for.",
        why: "Users reach the add-on's dashboard from Heroku through this sign-in; a valid one must let them in.",
        example: "expected 200, got 403",
        fix: "Accept a correctly signed, fresh request: start a session (a cookie) and redirect to, or render, \
              the resource's dashboard. Keep the session on one host: a cookie set by 127.0.0.1 is not sent \
              to localhost.",
        reference: SSO_ARTICLE,
    }
    SSO_COOKIE {
        code: "S06",
        name: "sso/sets-nav-data-cookie",
        label: "creates the heroku-nav-data cookie",
        summary: "The sign-in sets cookie `heroku-nav-data`, valid for the sign-in URL, to the `nav-data` sent \
                  (legacy: a warning for v3).",
        why: "Legacy: the Heroku header on add-on pages was built from the `nav-data` sent at sign-in, kept in \
              this cookie. v1 add-ons must still set it; for v3 it is only a warning.",
        example: "could not find cookie heroku-nav-data",
        fix: "On a successful sign-in, set cookie `heroku-nav-data` to the `nav-data` parameter, unchanged.",
        reference: SSO_ARTICLE,
    }
    SSO_LAYOUT {
        code: "S07",
        name: "sso/shows-heroku-layout",
        label: "displays the heroku layout",
        summary: "The signed-in page shows `div#heroku-header` or the boomerang script (legacy: a warning for \
                  v3).",
        why: "Legacy: pages reached through single sign-on showed the Heroku header so users could get back to \
              their app. v1 add-ons must still show it; for v3 it is only a warning.",
        example: "could not find Heroku layout",
        fix: "Render `<div id=\"heroku-header\">` or load the boomerang script on the page the sign-in lands on.",
        reference: SSO_ARTICLE,
    }
}

/// The old gem's sample `nav-data`: base64url of a small JSON description of the app.
pub const NAV_DATA: &str = "eyJhZGRvbiI6IllvdXIgQWRkb24iLCJhcHBuYW1lIjoibXlhcHAiLCJhZGRvbnMiOlt7InNsdWciOiJjcm9uIiwibmFtZSI6IkNyb24ifSx7InNsdWciOiJjdXN0b21fZG9tYWlucyt3aWxkY2FyZCIsIm5hbWUiOiJDdXN0b20gRG9tYWlucyArIFdpbGRjYXJkIn0seyJzbHVnIjoieW91cmFkZG9uIiwibmFtZSI6IllvdXIgQWRkb24iLCJjdXJyZW50Ijp0cnVlfV19";
pub const EMAIL: &str = "username@example.com";
pub const APP: &str = "myapp";
pub const USER_ID: &str = "fedcba98-7654-3210-fedc-ba9876543210";

/// How far from now the stale and future probes are: one minute past Heroku's 5.
const SKEW_SECS: i64 = 6 * 60;

/// Legacy token: hex sha1(`id:salt:timestamp`).
pub fn token(id: &str, salt: &str, timestamp: i64) -> String {
    hex(&Sha1::digest(format!("{id}:{salt}:{timestamp}")))
}

/// v3 token: hex sha1(`resource_uuid:salt:timestamp`).
pub fn resource_token(uuid: &str, salt: &str, timestamp: i64) -> String {
    hex(&Sha1::digest(format!("{uuid}:{salt}:{timestamp}")))
}

/// Newest v3 token: hex sha256(`resource_uuid:salt:timestamp:user_id:email`).
pub fn user_scoped_resource_token(uuid: &str, salt: &str, timestamp: i64, user_id: &str, email: &str) -> String {
    hex(&Sha256::digest(format!("{uuid}:{salt}:{timestamp}:{user_id}:{email}")))
}

/// A sign-in request as Heroku would make it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SsoRequest {
    pub method: Method,
    /// For GET, the URL with the query string; for POST, the form's action.
    pub url: String,
    /// The form fields (POST) or query parameters (GET), in order.
    pub params: Vec<(String, String)>,
}

impl SsoRequest {
    /// `k=v&k=v`, form-encoded.
    pub fn encoded_params(&self) -> String {
        self.params
            .iter()
            .map(|(key, value)| format!("{}={}", form_value(key), form_value(value)))
            .collect::<Vec<_>>()
            .join("&")
    }
}

/// What to sign and how: the resource and the moment.
#[derive(Clone, Debug)]
pub struct SsoSubject<'a> {
    /// The provider's id (v1 path key, and `id` in every flow).
    pub id: &'a str,
    /// Heroku's resource uuid, sent as `resource_id` in v3.
    pub resource_uuid: &'a str,
    pub timestamp: i64,
    /// Force a form POST even for a string-form manifest (`--post`).
    pub force_post: bool,
}

/// Builds the signed request for `subject`; `None` when the manifest has no SSO salt.
pub fn sso_request(manifest: &Manifest, environment: Environment, subject: &SsoSubject<'_>) -> Option<SsoRequest> {
    let salt = manifest.api.sso_salt.as_ref()?.expose();
    Some(signed_with(manifest, environment, subject, salt))
}

/// The request for `subject` with every token signed with `salt`.
fn signed_with(manifest: &Manifest, environment: Environment, subject: &SsoSubject<'_>, salt: &str) -> SsoRequest {
    signed_request(manifest, environment, subject, |params| {
        params.push(("token".into(), token(subject.id, salt, subject.timestamp)));
        if manifest.api.version == ApiVersion::V3 {
            params.push(("resource_token".into(), resource_token(subject.resource_uuid, salt, subject.timestamp)));
            params.push((
                "user_scoped_resource_token".into(),
                user_scoped_resource_token(subject.resource_uuid, salt, subject.timestamp, USER_ID, EMAIL),
            ));
        }
    })
}

fn signed_request(
    manifest: &Manifest,
    environment: Environment,
    subject: &SsoSubject<'_>,
    add_tokens: impl FnOnce(&mut Vec<(String, String)>),
) -> SsoRequest {
    let (method, url) =
        sign_in_target(manifest, environment, subject.force_post, &crate::encoding::path_segment(subject.id));
    let mut params: Vec<(String, String)> = Vec::new();
    if method == Method::Post {
        params.push(("id".into(), subject.id.to_string()));
    }
    add_tokens(&mut params);
    params.push(("timestamp".into(), subject.timestamp.to_string()));
    params.push(("nav-data".into(), NAV_DATA.to_string()));
    params.push(("email".into(), EMAIL.to_string()));
    params.push(("app".into(), APP.to_string()));
    if manifest.api.version == ApiVersion::V3 {
        params.push(("resource_id".into(), subject.resource_uuid.to_string()));
        params.push(("user_id".into(), USER_ID.to_string()));
        params.push(("context_app".into(), APP.to_string()));
    }
    let mut request = SsoRequest { method, url, params };
    if method == Method::Get {
        request.url = format!("{}?{}", request.url, request.encoded_params());
    }
    request
}

/// Where the sign-in goes: the form POST, or the legacy GET with `key` (a path segment)
/// in its path.
fn sign_in_target(manifest: &Manifest, environment: Environment, force_post: bool, key: &str) -> (Method, String) {
    let endpoint = manifest.endpoint(environment);
    // The legacy GET goes under the string-form URL's path, as provisioning does and as
    // the old gem did: `http://host/prefix/` signs in at `/prefix/heroku/resources/ID`.
    let root = match endpoint {
        Endpoint::Root(root) => format!("{}{}", root.origin(), root.path.trim_end_matches('/')),
        Endpoint::Urls { base_url, .. } => base_url.origin(),
    };
    match endpoint.sso() {
        SsoTarget::Post(url) => (Method::Post, format!("{}{}", url.origin(), url.path)),
        SsoTarget::Get { .. } if force_post => (Method::Post, format!("{root}/sso/login")),
        SsoTarget::Get { .. } => (Method::Get, format!("{root}/heroku/resources/{key}")),
    }
}

/// The sign-in's route: its method and path, `{id}` where the legacy GET puts the
/// resource's id (`<sso_url>` when the manifest is not valid).
fn sign_in_route(manifest: Option<&Manifest>, environment: Environment, force_post: bool) -> String {
    let Some(manifest) = manifest else {
        return "<sso_url>".to_string();
    };
    let (method, url) = sign_in_target(manifest, environment, force_post, "{id}");
    format!("{method} {}", path_of(&url))
}

impl<T: Transport> CheckRun<'_, T> {
    /// The sign-in group, skipped because `stop` left no resource; `manifest` is `None`
    /// when it is not valid.
    pub(crate) fn skip_sso(&mut self, manifest: Option<&Manifest>, force_post: bool, stop: Stop) {
        let route = sign_in_route(manifest, self.settings.environment, force_post);
        // As the group that runs: a route only where the heading would hold the id.
        let keyed = route.contains("{id}").then(|| route.clone());
        self.group_with_route(route, keyed);
        self.skip_after(CHECKS, stop, "there is no resource to sign in to");
    }

    /// `kensa test sso ID`: bad token, stale and future timestamps must get 403; a good
    /// request signs in, sets the nav-data cookie and shows the Heroku layout (legacy).
    pub async fn sso(&mut self, manifest: &Manifest, resource: &ResourceKeys, force_post: bool) -> bool {
        let (id, resource_uuid) = (resource.sso_id(), resource.sso_uuid());
        let environment = self.settings.environment;
        let now = i64::try_from(self.now_ms() / 1000).unwrap_or(i64::MAX);
        let preview = signed_request(
            manifest,
            environment,
            &SsoSubject { id, resource_uuid, timestamp: now, force_post },
            |_| {},
        );
        let target = preview.url.split('?').next().unwrap_or_default();
        let heading = format!("{} {}", preview.method, path_of(target));
        // The legacy GET's path holds the id: the route names the group the same every run.
        let route = sign_in_route(Some(manifest), environment, force_post);
        self.group_with_route(heading.clone(), (route != heading).then_some(route));
        let later = [&SSO_BAD_TOKEN, &SSO_OLD_TIMESTAMP, &SSO_FUTURE_TIMESTAMP, &SSO_LOGIN, &SSO_COOKIE, &SSO_LAYOUT];
        let mut check = self.start(&SSO_SALT);
        let Some(salt) = manifest.api.sso_salt.as_ref().map(Secret::expose) else {
            check.fail("need an sso salt to perform sso test");
            self.finish(check);
            for def in later {
                self.skip(def, "the manifest has no sso_salt");
            }
            return false;
        };
        self.finish(check);
        let mut jar = CookieJar::default();
        let mut passed = true;

        // Rejections: each request must be refused outright.
        let probes: [(&'static CheckDef, i64, bool); 3] = [
            (&SSO_BAD_TOKEN, 0, true),
            (&SSO_OLD_TIMESTAMP, -SKEW_SECS, false),
            (&SSO_FUTURE_TIMESTAMP, SKEW_SECS, false),
        ];
        // They are independent, so they go out together and are reported in this order.
        let mut requests = Vec::new();
        for (_, offset, bad_token) in probes {
            let now = i64::try_from(self.now_ms() / 1000).unwrap_or(i64::MAX);
            let subject = SsoSubject { id, resource_uuid, timestamp: now + offset, force_post };
            let request = if bad_token {
                signed_request(manifest, environment, &subject, |params| {
                    params.push(("token".into(), "invalid".into()));
                    if manifest.api.version == ApiVersion::V3 {
                        params.push(("resource_token".into(), "invalid".into()));
                        params.push(("user_scoped_resource_token".into(), "invalid".into()));
                    }
                })
            } else {
                signed_with(manifest, environment, &subject, salt)
            };
            if !bad_token {
                self.keep_tokens_secret(&request);
            }
            requests.push(request);
        }
        let this = &*self;
        let sent = join_all(requests.iter().map(|request| this.sso_exchange(request, &jar))).await;
        for (((def, _, _), request), sent) in probes.into_iter().zip(&requests).zip(sent) {
            let mut check = self.start(def);
            match check.record(sent) {
                Ok(response) if response.status == 403 => {}
                Ok(response) => {
                    check.mismatch(
                        "403",
                        response.status.to_string(),
                        format!("expected 403, got {}", response.status),
                    );
                    if asks_for_basic_auth(&response) {
                        check.fail(SSO_BEHIND_BASIC_AUTH);
                    }
                }
                Err(error) => check.fail(describe_error(&error, &request.url, self.settings.limits)),
            }
            passed &= !check.has_failed();
            self.finish(check);
        }

        // The real sign-in, following redirects with the cookie jar.
        let now = i64::try_from(self.now_ms() / 1000).unwrap_or(i64::MAX);
        let subject = SsoSubject { id, resource_uuid, timestamp: now, force_post };
        let request = signed_with(manifest, environment, &subject, salt);
        self.keep_tokens_secret(&request);
        let mut check = self.start(&SSO_LOGIN);
        let page = self.follow(&mut check, &request, &mut jar).await;
        let unobservable = !self.effects.transport.capabilities().redirects
            && page.as_ref().is_some_and(|response| !(200..300).contains(&response.status));
        if unobservable {
            // A browser follows the sign-in redirect itself, without the session cookie the
            // redirect set, so a refusal after it says nothing about the provider.
            let reason = "a browser follows the sign-in redirect without the session cookie it sets, so this host cannot tell; run `kensa test sso` from the command line";
            self.skip(&SSO_LOGIN, reason);
            self.skip(&SSO_COOKIE, reason);
            self.skip(&SSO_LAYOUT, reason);
            return passed;
        }
        if let Some(response) = page.as_ref().filter(|response| !(200..300).contains(&response.status)) {
            check.mismatch("200", response.status.to_string(), format!("expected 200, got {}", response.status));
            if asks_for_basic_auth(response) {
                check.fail(SSO_BEHIND_BASIC_AUTH);
            }
            if response.status == 404 {
                let keys = if manifest.api.version == ApiVersion::V3 && id != resource_uuid {
                    format!("`id` {id} (your id for it) and `resource_id` {resource_uuid} (Heroku's uuid)")
                } else {
                    format!("`id` {id}")
                };
                check.fail(format!(
                    "the sign-in found no resource: it named the resource by {keys}; find it by the one your \
                     SSO page reads (v3 services usually keep the uuid sent at provision)"
                ));
            }
        }
        let logged_in =
            page.as_ref().is_some_and(|response| (200..300).contains(&response.status)) && !check.has_failed();
        passed &= logged_in;
        self.finish(check);

        // Legacy expectations: required for v1, only advised for v3.
        let legacy = |check: &mut Pending, message: String| {
            if manifest.api.version == ApiVersion::V3 {
                check.warn(format!("{message} (no longer required for v3 add-ons)"));
            } else {
                check.fail(message);
            }
        };
        if !logged_in {
            self.skip(&SSO_COOKIE, "the sign-in failed");
            self.skip(&SSO_LAYOUT, "the sign-in failed");
            return false;
        }
        if self.effects.transport.capabilities().cookies {
            let mut check = self.start(&SSO_COOKIE);
            let sso_url = request.url.split('?').next().unwrap_or_default();
            match jar.get(sso_url, "heroku-nav-data", self.now_ms()) {
                None => legacy(&mut check, "could not find cookie heroku-nav-data".to_string()),
                Some(value) if value == NAV_DATA => {}
                Some(value) => legacy(&mut check, format!("expected {NAV_DATA}, got {value}")),
            }
            passed &= !check.has_failed();
            self.finish(check);
        } else {
            self.skip(&SSO_COOKIE, "this host cannot see cookies (a browser hides Set-Cookie)");
        }
        let mut check = self.start(&SSO_LAYOUT);
        let body = page.map(|response| String::from_utf8_lossy(&response.body).into_owned()).unwrap_or_default();
        if !has_heroku_layout(&body) {
            legacy(&mut check, "could not find Heroku layout".to_string());
        }
        passed &= !check.has_failed();
        self.finish(check);
        passed
    }

    /// A signed token replays a sign-in: wherever a provider echoes one, the report shows
    /// `[redacted]` (the field names alone are blanked anyway).
    fn keep_tokens_secret(&mut self, request: &SsoRequest) {
        for (name, value) in &request.params {
            if TOKEN_FIELDS.contains(&name.as_str()) {
                self.add_secret(value.clone());
            }
        }
    }

    /// Sends one sign-in request as a browser would, with the cookies `jar` holds for its URL.
    async fn sso_exchange(&self, request: &SsoRequest, jar: &CookieJar) -> Sent {
        self.sso_exchange_within(request, jar, self.settings.limits.timeout_ms).await
    }

    /// [`Self::sso_exchange`] with `timeout_ms` left of the sign-in's deadline.
    async fn sso_exchange_within(&self, request: &SsoRequest, jar: &CookieJar, timeout_ms: u64) -> Sent {
        let mut headers = vec![("Accept".to_string(), "text/html".to_string())];
        if let Some(cookie) = jar.header(&request.url, self.now_ms()) {
            headers.push(("Cookie".to_string(), cookie));
        }
        let body = (request.method == Method::Post).then(|| {
            headers.push(("Content-Type".to_string(), "application/x-www-form-urlencoded".to_string()));
            request.encoded_params().into_bytes()
        });
        self.exchange_within(request.method, &request.url, headers, body, timeout_ms).await
    }

    /// Sends `request` and follows up to 10 redirects as a browser does, carrying cookies:
    /// 307 and 308 repeat the method and form, 301, 302 and 303 become a GET. The whole
    /// sign-in, redirects included, gets one deadline: the user waits for all of it, and a
    /// chain of slow hops must not cost a deadline each.
    async fn follow(&mut self, check: &mut Pending, request: &SsoRequest, jar: &mut CookieJar) -> Option<Response> {
        let limits = self.settings.limits;
        let deadline = self.now_ms().saturating_add(limits.timeout_ms);
        let out_of_time = |followed: usize| {
            format!(
                "the sign-in did not finish within {}, redirects included ({followed} followed): one deadline \
                 covers the whole sign-in",
                seconds(limits.timeout_ms)
            )
        };
        let mut current = request.clone();
        for followed in 0..=10 {
            // The first request has the whole deadline, as every other exchange does.
            let left = if followed == 0 { limits.timeout_ms } else { deadline.saturating_sub(self.now_ms()) };
            if left == 0 {
                check.fail(out_of_time(followed));
                return None;
            }
            let sent = self.sso_exchange_within(&current, jar, left).await;
            let response = match check.record(sent) {
                Ok(response) => response,
                Err(TransportError::Timeout) if followed > 0 => {
                    check.fail(out_of_time(followed));
                    return None;
                }
                Err(error) => {
                    check.fail(describe_error(&error, &current.url, limits));
                    return None;
                }
            };
            jar.absorb(&current.url, &response, self.now_ms());
            let location = match response.status {
                301 | 302 | 303 | 307 | 308 => response.header("location"),
                _ => None,
            };
            let Some(location) = location else {
                return Some(response);
            };
            let url = resolve(&current.url, location);
            current = match response.status {
                307 | 308 => SsoRequest { url, ..current },
                _ => SsoRequest { method: Method::Get, url, params: Vec::new() },
            };
        }
        check.fail("more than 10 redirects");
        None
    }
}

/// The Heroku header as the old gem looked for it: `div#heroku-header` or the boomerang script.
/// What a Basic-auth challenge to a sign-in means. The seed guide's `use Rack::Auth::Basic`
/// guards every path of the app, the SSO route included.
const SSO_BEHIND_BASIC_AUTH: &str = "the SSO route answered 401 with `WWW-Authenticate: Basic`: it sits behind the \
     provisioning API's Basic auth (the guide's `use Rack::Auth::Basic` guards every path); a browser coming from \
     Heroku has no such credentials, so guard only the provisioning API (<base_url>/...) with Basic auth and let \
     the SSO token and timestamp sign the user in";

/// A 401 that challenges for HTTP Basic credentials.
fn asks_for_basic_auth(response: &Response) -> bool {
    response.status == 401
        && response.header("www-authenticate").is_some_and(|challenge| {
            challenge.trim_start().get(..5).is_some_and(|scheme| scheme.eq_ignore_ascii_case("basic"))
        })
}

fn has_heroku_layout(html: &str) -> bool {
    let lower = html.to_ascii_lowercase();
    let header = lower.match_indices("<div").any(|(start, _)| {
        let tag = &lower[start..lower[start..].find('>').map_or(lower.len(), |end| start + end)];
        tag.contains("id=\"heroku-header\"") || tag.contains("id='heroku-header'") || tag.contains("id=heroku-header")
    });
    let boomerang = lower.match_indices("<script").any(|(start, _)| {
        let tag = &lower[start..lower[start..].find('>').map_or(lower.len(), |end| start + end)];
        tag.contains("src=") && tag.contains("boomerang")
    });
    header || boomerang
}

fn path_of(url: &str) -> String {
    match kensa_manifest::url::HttpUrl::parse(url) {
        Ok(parsed) => parsed.path,
        Err(_) => url.to_string(),
    }
}

/// Resolves a `Location` against the URL it came from.
fn resolve(base: &str, location: &str) -> String {
    if location.contains("://") {
        return location.to_string();
    }
    let Ok(parsed) = kensa_manifest::url::HttpUrl::parse(base) else {
        return location.to_string();
    };
    if location.starts_with("//") {
        format!("{}:{location}", parsed.scheme)
    } else if location.starts_with('/') {
        format!("{}{location}", parsed.origin())
    } else {
        let directory = parsed.path.rsplit_once('/').map_or("", |(directory, _)| directory);
        format!("{}{directory}/{location}", parsed.origin())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_match_the_protocol_vectors() {
        assert_eq!(token("1", "SSO_SALT", 1_262_304_000), "b6010f6fbb850887a396c2bc0ab23974003008f6");
        assert_eq!(
            token("123", "2f97bfa52ca102f8874716e2eb1d3b4920ad0be4", 1_267_597_772),
            "bb466eb1d6bc345d11072c3cd25c311f21be130d"
        );
        assert_eq!(
            resource_token("01234567-89ab-cdef-0123-456789abcdef", "SSO_SALT", 1_262_304_000),
            "094733ee718bbb40f4741b03341be3630b127a2f"
        );
        assert_eq!(
            user_scoped_resource_token(
                "01234567-89ab-cdef-0123-456789abcdef",
                "SSO_SALT",
                1_262_304_000,
                "fedcba98-7654-3210-fedc-ba9876543210",
                "user@example.com"
            ),
            "b345e31bcdaecd27ab7088659496d281b1c6a2feffb0aea62c136036ec6294fb"
        );
    }

    #[test]
    fn finds_the_heroku_layout() {
        assert!(has_heroku_layout("<html><div class=x id=\"heroku-header\"></div>"));
        assert!(has_heroku_layout("<script src=\"https://s3.amazonaws.com/boomerang.js\"></script>"));
        assert!(!has_heroku_layout("<p>heroku-header</p><script>boomerang()</script>"));
    }

    #[test]
    fn resolves_redirects() {
        assert_eq!(resolve("http://a:1/sso/login", "/dashboard"), "http://a:1/dashboard");
        assert_eq!(resolve("http://a:1/sso/login", "home"), "http://a:1/sso/home");
        assert_eq!(resolve("http://a:1/x", "https://b/y"), "https://b/y");
        assert_eq!(resolve("https://a:1/x", "//b:2/y"), "https://b:2/y");
    }
}
