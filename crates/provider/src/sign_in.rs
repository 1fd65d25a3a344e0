//! Single sign-on from Heroku's dashboard: the legacy GET and the form POST, and the
//! dashboard they redirect to. Tokens and their checks are in [`crate::sso`].

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::Response;
use kensa_checks::encoding::escape_markup;

use crate::os::now;
use crate::responses::{empty, html, html_message, internal};
use crate::sabotage;
use crate::sessions::{SESSION_COOKIE, Session};
use crate::sso::{self, Key, Params};
use crate::state::App;
use crate::store::Found;

pub(crate) async fn sso_get(State(app): State<Arc<App>>, Path(key): Path<String>, uri: Uri) -> Response {
    let mut params = Params::parse(uri.query().unwrap_or("").as_bytes());
    // Legacy GET carries the provider id in the path.
    params.id = Some(key);
    sso_login(&app, params)
}

pub(crate) async fn sso_post(State(app): State<Arc<App>>, body: Bytes) -> Response {
    sso_login(&app, Params::parse(&body))
}

fn sso_login(app: &App, params: Params) -> Response {
    let Some(salt) = app.options.sso_salt.as_deref() else {
        return html_message(
            StatusCode::NOT_FOUND,
            "Single sign-on is off",
            "This provider was started without an SSO salt.",
        );
    };
    let key = match sso::verify(&params, salt, now(), app.options.faults) {
        Ok(key) => key,
        Err(reject) => return html_message(StatusCode::FORBIDDEN, "Forbidden", reject.message()),
    };
    let found = match &key {
        Key::Uuid(uuid) => app.find(uuid),
        Key::ProviderId(id) => app.store.find(id, false),
    };
    let resource = match found {
        Ok(Found::Live(resource)) => resource,
        Ok(Found::Gone(_)) => {
            return html_message(StatusCode::GONE, "Gone", "This resource was deprovisioned.");
        }
        Ok(Found::Missing) => {
            return html_message(StatusCode::NOT_FOUND, "Not found", &format!("No resource {}.", key.as_str()));
        }
        Err(e) => return internal(&e),
    };
    if let Some(refusal) = sabotage::refuse_sign_in(app) {
        return refusal;
    }
    let session = Session {
        resource_id: resource.id,
        email: params.email.unwrap_or_default(),
        app: params.context_app.or(params.app).unwrap_or_default(),
    };
    let token = match app.sessions.open(session) {
        Ok(token) => token,
        Err(e) => return internal(&e),
    };
    let mut response = empty(StatusCode::FOUND);
    let headers = response.headers_mut();
    headers.insert(header::LOCATION, HeaderValue::from_static("/dashboard"));
    let nav = sabotage::nav_cookie(app, params.nav_data.map(|n| cookie_value(&n)));
    if let Some(nav) = nav
        && let Ok(value) = HeaderValue::try_from(format!("heroku-nav-data={nav}; Path=/"))
    {
        headers.append(header::SET_COOKIE, value);
    }
    if let Ok(value) = HeaderValue::try_from(format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax")) {
        headers.append(header::SET_COOKIE, value);
    }
    response
}

/// nav-data is base64url, which is cookie-safe; anything else is percent-encoded so the
/// header stays valid.
fn cookie_value(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for b in raw.bytes() {
        let safe = matches!(b, 0x21 | 0x23..=0x2B | 0x2D..=0x3A | 0x3C..=0x5B | 0x5D..=0x7E) && b != b'%';
        if safe {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

pub(crate) async fn dashboard(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    let Some(session) = cookie(&headers, SESSION_COOKIE).and_then(|token| app.sessions.get(token)) else {
        return html_message(
            StatusCode::FORBIDDEN,
            "Not signed in",
            "Open this add-on from the Heroku dashboard to sign in.",
        );
    };
    let (plan, state) = match app.store.find(&session.resource_id, false) {
        Ok(Found::Live(r)) if r.provisioning => (r.plan, "provisioning"),
        Ok(Found::Live(r)) => (r.plan, "live"),
        Ok(Found::Gone(r)) => (r.plan, "deprovisioned"),
        Ok(Found::Missing) => (String::new(), "unknown"),
        Err(e) => return internal(&e),
    };
    let header_html = sabotage::dashboard_header(
        &app,
        format!(
            "<div id=\"heroku-header\"><strong>Heroku</strong> &middot; {} &middot; \
             <a href=\"https://dashboard.heroku.com/\">back to Heroku</a></div>\n",
            escape_markup(&session.app)
        ),
    );
    let addon = escape_markup(&app.options.id);
    html(
        StatusCode::OK,
        format!(
            "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>{addon} dashboard</title></head>\n\
             <body>\n{header_html}<main>\n<h1>{addon}</h1>\n<dl>\n\
             <dt>Resource</dt><dd id=\"resource-id\">{id}</dd>\n\
             <dt>Plan</dt><dd id=\"plan\">{plan}</dd>\n\
             <dt>State</dt><dd>{state}</dd>\n\
             <dt>Signed in as</dt><dd id=\"email\">{email}</dd>\n\
             <dt>App</dt><dd id=\"app\">{heroku_app}</dd>\n</dl>\n</main>\n</body></html>\n",
            id = escape_markup(&session.resource_id),
            plan = escape_markup(&plan),
            email = escape_markup(&session.email),
            heroku_app = escape_markup(&session.app),
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_values_stay_valid() {
        assert_eq!(cookie_value("eyJh-_Zz09="), "eyJh-_Zz09=");
        assert_eq!(cookie_value("a b;c\"%"), "a%20b%3Bc%22%25");
    }

    #[test]
    fn reads_cookies() {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_static("a=1; kensa-provider-session=abc; b=2"));
        assert_eq!(cookie(&headers, SESSION_COOKIE), Some("abc"));
        assert_eq!(cookie(&headers, "c"), None);
    }
}
