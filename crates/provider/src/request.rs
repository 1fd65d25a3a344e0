//! What a provisioning request says: its API version and the fields of its body.

use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use crate::responses::message;

/// Why a request is refused: a status and `{"message"}`.
pub(crate) struct Refusal(StatusCode, String);

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        message(self.0, &self.1)
    }
}

/// Whether the request asks for v3: `Accept: application/vnd.heroku-addons+json; version=3`.
pub(crate) fn is_v3_accept(headers: &HeaderMap) -> bool {
    headers.get_all(header::ACCEPT).iter().filter_map(|v| v.to_str().ok()).any(|v| {
        let v = v.to_ascii_lowercase();
        v.contains("application/vnd.heroku-addons+json") && v.contains("version=3")
    })
}

/// The body as a JSON object; a 400 otherwise.
pub(crate) fn json_object(body: &[u8]) -> Result<Map<String, Value>, Refusal> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(obj)) => Ok(obj),
        _ => Err(Refusal(StatusCode::BAD_REQUEST, "body must be a JSON object".to_owned())),
    }
}

/// Reads an optional string field; `Err` names the field when it has another type.
pub(crate) fn string_field<'a>(obj: &'a Map<String, Value>, key: &str) -> Result<Option<&'a str>, String> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(format!("{key} must be a string")),
    }
}

/// A provision request that passed validation.
pub(crate) struct Provision<'a> {
    pub(crate) plan: &'a str,
    /// Heroku's resource uuid, when not empty.
    pub(crate) uuid: Option<&'a str>,
    pub(crate) heroku_id: Option<&'a str>,
    pub(crate) region: Option<&'a str>,
    pub(crate) name: Option<&'a str>,
    pub(crate) log_drain_token: Option<&'a str>,
    pub(crate) log_input_url: Option<&'a str>,
    /// A v3 request: the v3 Accept header, or a `uuid` without a `heroku_id`.
    pub(crate) v3: bool,
    /// The `options` object (`{}` when absent).
    pub(crate) options: Value,
    /// Read leniently: only async mode uses them, and a sync provision never rejected them.
    pub(crate) callback_url: Option<String>,
    /// The code of the `oauth_grant`, when not empty.
    pub(crate) grant_code: Option<String>,
}

impl<'a> Provision<'a> {
    /// Validates a provision body; a 422 says what is wrong.
    pub(crate) fn read(obj: &'a Map<String, Value>, accept_v3: bool) -> Result<Provision<'a>, Refusal> {
        let refuse = |text: &str| Refusal(StatusCode::UNPROCESSABLE_ENTITY, text.to_owned());
        let field = |key| string_field(obj, key).map_err(|text| refuse(&text));
        let (plan, uuid, heroku_id) = (field("plan")?, field("uuid")?, field("heroku_id")?);
        let (region, name) = (field("region")?, field("name")?);
        let (log_drain_token, log_input_url) = (field("log_drain_token")?, field("log_input_url")?);
        let Some(plan) = plan.filter(|p| !p.is_empty()) else {
            return Err(refuse("plan is required"));
        };
        let uuid = uuid.filter(|u| !u.is_empty());
        let v3 = accept_v3 || (uuid.is_some() && heroku_id.is_none());
        if v3 && uuid.is_none() {
            return Err(refuse("uuid is required"));
        }
        let callback_url = obj.get("callback_url").and_then(Value::as_str).map(str::to_owned);
        let grant_code = obj
            .get("oauth_grant")
            .and_then(|grant| grant.get("code"))
            .and_then(Value::as_str)
            .filter(|code| !code.is_empty())
            .map(str::to_owned);
        let options = match obj.get("options") {
            None | Some(Value::Null) => Value::Object(Map::new()),
            Some(v @ Value::Object(_)) => v.clone(),
            Some(_) => return Err(refuse("options must be an object")),
        };
        Ok(Provision {
            plan,
            uuid,
            heroku_id,
            region,
            name,
            log_drain_token,
            log_input_url,
            v3,
            options,
            callback_url,
            grant_code,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn v3_accept_detection() {
        let mut headers = HeaderMap::new();
        assert!(!is_v3_accept(&headers));
        headers.insert(header::ACCEPT, HeaderValue::from_static("application/vnd.heroku-addons+json; version=3"));
        assert!(is_v3_accept(&headers));
    }
}
