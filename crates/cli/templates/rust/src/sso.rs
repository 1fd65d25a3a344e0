//! Single sign-on: Heroku's dashboard signs a user in with a token made from the
//! manifest's `sso_salt`, and the user lands on this service's dashboard.

use crate::app::App;
use crate::auth::safe_equal;
use crate::http::{empty, escape, forbidden, html};
use crate::ids::{hex, random_hex};
use crate::store::Session;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use sha1::Sha1;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// A sign-in is refused when its timestamp is older than 5 minutes...
const SSO_MAX_AGE_SECS: i64 = 5 * 60;
/// ...or more than a minute ahead of our clock.
const SSO_MAX_FUTURE_SECS: i64 = 60;

/// Legacy single sign-on: the provider id in the path, the rest in the query.
pub async fn sso_get(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let mut params = parse_form(query.unwrap_or_default().as_bytes());
    params.insert("id".to_string(), id);
    sso_login(&app, &params)
}

pub async fn sso_post(State(app): State<Arc<App>>, body: Bytes) -> Response {
    sso_login(&app, &parse_form(&body))
}

fn sso_login(app: &App, params: &HashMap<String, String>) -> Response {
    let Some(salt) = app.config.sso_salt.as_deref() else {
        return html(
            StatusCode::NOT_FOUND,
            "Single sign-on is off",
            "<p>Set SSO_SALT to turn single sign-on on.</p>",
        );
    };
    let param = |name: &str| params.get(name).map(String::as_str).unwrap_or_default();
    let timestamp = param("timestamp");
    let Some(then) = timestamp
        .parse::<i64>()
        .ok()
        .filter(|_| timestamp.bytes().all(|b| b.is_ascii_digit()))
    else {
        return forbidden("the timestamp is missing or invalid");
    };
    let now = now_secs();
    if now - then > SSO_MAX_AGE_SECS {
        return forbidden("the timestamp is too old");
    }
    if then - now > SSO_MAX_FUTURE_SECS {
        return forbidden("the timestamp is in the future");
    }

    // Any one valid token will do; each is compared in constant time.
    let (id, uuid) = (param("id"), param("resource_id"));
    let legacy = !id.is_empty()
        && safe_equal(
            param("token"),
            &hex(&Sha1::digest(format!("{id}:{salt}:{timestamp}"))),
        );
    let resource_token = hex(&Sha1::digest(format!("{uuid}:{salt}:{timestamp}")));
    let user_token = hex(&Sha256::digest(format!(
        "{uuid}:{salt}:{timestamp}:{}:{}",
        param("user_id"),
        param("email")
    )));
    let v3 = !uuid.is_empty()
        && (safe_equal(param("resource_token"), &resource_token)
            | safe_equal(param("user_scoped_resource_token"), &user_token));
    let key = match (legacy, v3) {
        (true, _) => id,
        (false, true) => uuid,
        (false, false) => return forbidden("the token is invalid"),
    };
    let mut store = app.store();
    let resource_id = match store.find(key) {
        None => {
            return html(
                StatusCode::NOT_FOUND,
                "Not found",
                &format!("<p>No resource {}.</p>", escape(key)),
            );
        }
        Some(resource) if !resource.live => {
            return html(
                StatusCode::GONE,
                "Gone",
                "<p>This resource was deprovisioned.</p>",
            );
        }
        Some(resource) => resource.id.clone(),
    };
    let session = random_hex();
    let app_name = if param("context_app").is_empty() {
        param("app")
    } else {
        param("context_app")
    };
    store.sessions.insert(
        session.clone(),
        Session {
            resource_id,
            email: param("email").to_string(),
            app: app_name.to_string(),
        },
    );
    drop(store);

    let mut response = empty(StatusCode::FOUND);
    let headers = response.headers_mut();
    headers.insert(header::LOCATION, HeaderValue::from_static("/dashboard"));
    let mut cookies = vec![format!("session={session}; Path=/; HttpOnly; SameSite=Lax")];
    if !param("nav-data").is_empty() {
        cookies.push(format!(
            "heroku-nav-data={}; Path=/",
            cookie_value(param("nav-data"))
        ));
    }
    for cookie in cookies {
        if let Ok(value) = HeaderValue::try_from(cookie) {
            headers.append(header::SET_COOKIE, value);
        }
    }
    response
}

pub async fn dashboard(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    let store = app.store();
    let session = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == "session")
        .and_then(|(_, token)| store.sessions.get(token));
    let Some(session) = session else {
        return html(
            StatusCode::FORBIDDEN,
            "Not signed in",
            "<p>Open this add-on from the Heroku dashboard to sign in.</p>",
        );
    };
    let plan = store
        .resources
        .get(&session.resource_id)
        .map(|resource| resource.plan.as_str())
        .unwrap_or_default();
    let addon = escape(&app.config.username);
    html(
        StatusCode::OK,
        &format!("{addon} dashboard"),
        &format!(
            "<div id=\"heroku-header\"><strong>Heroku</strong> &middot; {} &middot; \
             <a href=\"https://dashboard.heroku.com/\">back to Heroku</a></div>\n<main>\n<h1>{addon}</h1>\n\
             <dl>\n<dt>Resource</dt><dd>{}</dd>\n<dt>Plan</dt><dd>{}</dd>\n\
             <dt>Signed in as</dt><dd>{}</dd>\n</dl>\n</main>",
            escape(&session.app),
            escape(&session.resource_id),
            escape(plan),
            escape(&session.email),
        ),
    )
}

fn parse_form(encoded: &[u8]) -> HashMap<String, String> {
    form_urlencoded::parse(encoded)
        .map(|(key, value)| (key.into_owned(), value.into_owned()))
        .collect()
}

/// nav-data is base64url, which is cookie-safe; anything else is percent-encoded.
fn cookie_value(raw: &str) -> String {
    raw.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'=' | b'.' => {
                char::from(byte).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX)
        })
}
