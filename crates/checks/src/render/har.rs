//! HAR 1.2 (HTTP Archive): every exchange of a run, for a browser's devtools or any HAR
//! viewer. Built from the report's exchanges, which the engine has redacted, so the file
//! holds no secret the report does not. Written straight into one string, piece by piece,
//! rather than through serde or `format!`: the playground offers it too, and its download
//! is tight.

use crate::encoding::{is_unsafe_char, json_escape, rfc3339};
use crate::report::{CheckReport, Exchange, Report};
use std::fmt::Write;

/// Every exchange of `report`, in run order, as a HAR 1.2 document: compact JSON, one entry
/// a line. Each entry's `comment` names the check that made it; an exchange that got no
/// answer has status 0 and its error in `_error` (Chrome's field) and in `comment`. An
/// exchange read back from a JSON report has no timing, and is dated at the Unix epoch,
/// taking 0 ms.
pub fn har(report: &Report) -> String {
    let mut out = String::from(concat!(
        "{\"log\":{\"version\":\"1.2\",\"creator\":{\"name\":\"kensa\",\"version\":\"",
        env!("CARGO_PKG_VERSION"),
        "\"},\"entries\":["
    ));
    let mut separator = "\n";
    // Loops rather than `Report::checks`: each iterator adapter costs the playground bytes.
    for group in &report.groups {
        for check in &group.checks {
            for exchange in &check.exchanges {
                out.push_str(separator);
                separator = ",\n";
                entry(&mut out, check, exchange);
            }
        }
    }
    out.push_str("\n]}}\n");
    out
}

fn entry(out: &mut String, check: &CheckReport, exchange: &Exchange) {
    let timing = exchange.timing.unwrap_or_default();
    let date = rfc3339(timing.started_ms);
    // `...:14Z` becomes `...:14.005Z`.
    out.push_str("{\"startedDateTime\":\"");
    out.push_str(date.strip_suffix('Z').unwrap_or(&date));
    out.push('.');
    let millis = timing.started_ms % 1000;
    out.push_str(if millis < 10 {
        "00"
    } else if millis < 100 {
        "0"
    } else {
        ""
    });
    number(out, "", millis);
    number(out, "Z\",\"time\":", timing.elapsed_ms);

    // kensa's transports speak HTTP/1.1: the CLI's client has no HTTP/2 (and `fetch` does not say).
    string(out, ",\"request\":{\"method\":", &exchange.method);
    string(out, ",\"url\":", &exchange.url);
    headers(out, ",\"httpVersion\":\"HTTP/1.1\",\"cookies\":[],\"headers\":[", &exchange.request_headers);
    out.push_str(",\"queryString\":[");
    // As spelled in the URL: decoding could turn a spelling the redactor did not know into
    // the one it blanks. (kensa's URLs have no fragment.)
    let query = exchange.url.split_once('?').map_or("", |(_, query)| query);
    let mut first = true;
    for parameter in query.split('&') {
        if !parameter.is_empty() {
            let (name, value) = parameter.split_once('=').unwrap_or((parameter, ""));
            pair(out, &mut first, name, value);
        }
    }
    out.push(']');
    if let Some(body) = &exchange.request_body {
        string(out, ",\"postData\":{\"mimeType\":", header(&exchange.request_headers, "content-type"));
        string(out, ",\"text\":", body);
        out.push('}');
    }
    let request_size = exchange.request_body.as_ref().map_or(0, String::len);
    number(out, ",\"headersSize\":-1,\"bodySize\":", request_size as u64);

    let body = exchange.response_body.as_deref();
    let body_size = body.map_or(0, str::len) as u64;
    number(out, "},\"response\":{\"status\":", exchange.status.map_or(0, u64::from));
    // A HAR's way of saying "no response": status 0, no version, no known size.
    let version = match exchange.status {
        Some(_) => ",\"statusText\":\"\",\"httpVersion\":\"HTTP/1.1\",\"cookies\":[],\"headers\":[",
        None => ",\"statusText\":\"\",\"httpVersion\":\"\",\"cookies\":[],\"headers\":[",
    };
    headers(out, version, &exchange.response_headers);
    number(out, ",\"content\":{\"size\":", body_size);
    string(out, ",\"mimeType\":", header(&exchange.response_headers, "content-type"));
    if let Some(body) = body {
        string(out, ",\"text\":", body);
    }
    string(out, "},\"redirectURL\":", header(&exchange.response_headers, "location"));
    match exchange.status {
        Some(_) => number(out, ",\"headersSize\":-1,\"bodySize\":", body_size),
        None => out.push_str(",\"headersSize\":-1,\"bodySize\":-1"),
    }
    // Only the whole round trip is measured: it counts as waiting.
    number(out, "},\"cache\":{},\"timings\":{\"send\":0,\"wait\":", timing.elapsed_ms);
    out.push_str(",\"receive\":0}");
    if let Some(error) = &exchange.error {
        string(out, ",\"_error\":", error);
    }
    out.push_str(",\"comment\":\"");
    escape(out, &check.code);
    escape(out, " ");
    escape(out, &check.label);
    if let Some(error) = &exchange.error {
        escape(out, ": ");
        escape(out, error);
    }
    out.push_str("\"}");
}

/// The first header named `name` (any case), or nothing.
fn header<'a>(headers: &'a [(String, String)], name: &str) -> &'a str {
    headers.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)).map_or("", |(_, value)| value)
}

/// `before` (which opens the list), then `headers` as HAR lists them. (`cookies` stays
/// empty: cookies travel in `Cookie` and `Set-Cookie`, whose values the report blanks whole.)
fn headers(out: &mut String, before: &str, headers: &[(String, String)]) {
    out.push_str(before);
    let mut first = true;
    for (name, value) in headers {
        pair(out, &mut first, name, value);
    }
    out.push(']');
}

/// `{"name": ..., "value": ...}` in a list, as HAR writes headers and query parameters.
fn pair(out: &mut String, first: &mut bool, name: &str, value: &str) {
    string(out, if *first { "{\"name\":" } else { ",{\"name\":" }, name);
    string(out, ",\"value\":", value);
    out.push('}');
    *first = false;
}

/// `before`, then `text` as a JSON string.
fn string(out: &mut String, before: &str, text: &str) {
    out.push_str(before);
    out.push('"');
    escape(out, text);
    out.push('"');
}

/// `before`, then `value`.
fn number(out: &mut String, before: &str, value: u64) {
    out.push_str(before);
    let _ = write!(out, "{value}");
}

/// `text` inside a JSON string, with every character a terminal would obey or not show (C0
/// and C1 controls, DEL, bidi overrides, invisibles) escaped, as in the JSON report: a HAR
/// quotes the provider, and may well be shown with `cat`.
fn escape(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if is_unsafe_char(c) => json_escape(out, c),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::{HOSTILE, hostile_report};
    use crate::report::{GroupReport, Outcome, Timing};
    use serde_json::Value;

    fn pair(name: &str, value: &str) -> (String, String) {
        (name.to_string(), value.to_string())
    }

    fn check(code: &str, label: &str, exchanges: Vec<Exchange>) -> CheckReport {
        CheckReport {
            code: code.to_string(),
            label: label.to_string(),
            exchanges,
            ..crate::render::live_check(Outcome::Failed)
        }
    }

    /// A sign-in that was answered with a redirect, then a check without exchanges, then a
    /// DELETE that got no answer (and, as if read back from JSON, no timing).
    fn report() -> Report {
        let answered = Exchange {
            method: "POST".to_string(),
            url: "http://127.0.0.1:4567/sso/login?a=1&token=[redacted]&flag".to_string(),
            request_headers: vec![pair("Authorization", "Basic [redacted]"), pair("Content-Type", "text/plain")],
            request_body: Some("id=1".to_string()),
            status: Some(302),
            response_headers: vec![pair("location", "/dashboard"), pair("CONTENT-TYPE", "text/html")],
            response_body: Some("<p>é</p>".to_string()),
            error: None,
            timing: Some(Timing { started_ms: 1_798_327_274_005, elapsed_ms: 42 }),
        };
        let unanswered = Exchange {
            method: "DELETE".to_string(),
            url: "http://127.0.0.1:4567/heroku/resources/u-1".to_string(),
            request_headers: Vec::new(),
            request_body: None,
            status: None,
            response_headers: Vec::new(),
            response_body: None,
            error: Some("unable to connect to http://127.0.0.1:4567".to_string()),
            timing: None,
        };
        let group = |checks| GroupReport { heading: "h".to_string(), route: None, checks };
        Report {
            groups: vec![
                group(vec![check("S04", "logs in", vec![answered])]),
                group(vec![check("S01", "nothing sent", Vec::new()), check("D01", "response", vec![unanswered])]),
            ],
        }
    }

    #[test]
    fn each_exchange_is_an_entry_in_run_order() {
        let text = har(&report());
        let value: Value = serde_json::from_str(&text).unwrap();
        let log = &value["log"];
        assert_eq!(log["version"], "1.2");
        assert_eq!(log["creator"]["name"], "kensa");
        assert_eq!(log["creator"]["version"], env!("CARGO_PKG_VERSION"));
        let entries = log["entries"].as_array().unwrap();
        assert_eq!(entries.len(), 2, "{text}");

        let sign_in = &entries[0];
        assert_eq!(sign_in["startedDateTime"], "2026-12-26T23:21:14.005Z");
        assert_eq!(sign_in["time"], 42);
        assert_eq!(sign_in["timings"], serde_json::json!({"send": 0, "wait": 42, "receive": 0}));
        assert_eq!(sign_in["comment"], "S04 logs in");
        assert_eq!(sign_in["cache"], serde_json::json!({}));
        assert!(sign_in.get("_error").is_none());
        let request = &sign_in["request"];
        assert_eq!(request["method"], "POST");
        assert_eq!(request["url"], "http://127.0.0.1:4567/sso/login?a=1&token=[redacted]&flag");
        assert_eq!(request["httpVersion"], "HTTP/1.1");
        assert_eq!(request["cookies"], serde_json::json!([]));
        assert_eq!(request["headers"][0], serde_json::json!({"name": "Authorization", "value": "Basic [redacted]"}));
        assert_eq!(
            request["queryString"],
            serde_json::json!([
                {"name": "a", "value": "1"},
                {"name": "token", "value": "[redacted]"},
                {"name": "flag", "value": ""}
            ])
        );
        assert_eq!(request["postData"], serde_json::json!({"mimeType": "text/plain", "text": "id=1"}));
        assert_eq!((&request["headersSize"], &request["bodySize"]), (&Value::from(-1), &Value::from(4)));
        let response = &sign_in["response"];
        assert_eq!(response["status"], 302);
        assert_eq!(response["statusText"], "");
        assert_eq!(response["httpVersion"], "HTTP/1.1");
        assert_eq!(response["redirectURL"], "/dashboard");
        assert_eq!(response["content"], serde_json::json!({"size": 9, "mimeType": "text/html", "text": "<p>é</p>"}));
        assert_eq!((&response["headersSize"], &response["bodySize"]), (&Value::from(-1), &Value::from(9)));

        let unanswered = &entries[1];
        assert_eq!(unanswered["startedDateTime"], "1970-01-01T00:00:00.000Z");
        assert_eq!(unanswered["time"], 0);
        assert_eq!(unanswered["_error"], "unable to connect to http://127.0.0.1:4567");
        assert_eq!(unanswered["comment"], "D01 response: unable to connect to http://127.0.0.1:4567");
        assert!(unanswered["request"].get("postData").is_none(), "no body, no postData");
        assert_eq!(unanswered["request"]["bodySize"], 0);
        assert_eq!(unanswered["request"]["queryString"], serde_json::json!([]));
        let response = &unanswered["response"];
        assert_eq!((&response["status"], &response["httpVersion"]), (&Value::from(0), &Value::from("")));
        assert_eq!(response["content"], serde_json::json!({"size": 0, "mimeType": ""}));
        assert_eq!(response["bodySize"], -1);
    }

    #[test]
    fn a_run_without_exchanges_is_an_empty_log() {
        let value: Value = serde_json::from_str(&har(&Report::default())).unwrap();
        assert_eq!(value["log"]["entries"], serde_json::json!([]));
        assert!(har(&Report::default()).ends_with("]}}\n"));
    }

    /// Provider text in every field comes out escaped (no control, bidi or invisible
    /// character in the file) and reads back as it was.
    #[test]
    fn control_characters_are_escaped_and_read_back() {
        let text = har(&hostile_report());
        assert!(!text.chars().any(|c| c != '\n' && is_unsafe_char(c)), "{text:?}");
        assert!(text.contains(r"\u001b[2J\u001b]0;owned\u0007\u000d  Check fake [PASS]\n"), "{text}");
        let value: Value = serde_json::from_str(&text).unwrap();
        let entries = value["log"]["entries"].as_array().unwrap();
        assert_eq!(entries.len(), hostile_report().checks().map(|check| check.exchanges.len()).sum::<usize>());
        for entry in entries {
            assert_eq!(entry["request"]["url"], HOSTILE);
            assert_eq!(entry["request"]["headers"][0]["name"], HOSTILE);
            assert_eq!(entry["request"]["postData"]["text"], HOSTILE);
            assert_eq!(entry["response"]["content"]["text"], HOSTILE);
            assert_eq!(entry["_error"], HOSTILE);
            assert!(entry["comment"].as_str().unwrap().ends_with(HOSTILE));
        }
    }

    #[test]
    fn strings_escape_quotes_backslashes_and_astral_invisibles() {
        let mut out = String::new();
        string(&mut out, "", "a\"b\\c\nd\u{e0001}é");
        assert_eq!(out, r#""a\"b\\c\nd\udb40\udc01é""#);
        assert_eq!(serde_json::from_str::<String>(&out).unwrap(), "a\"b\\c\nd\u{e0001}é");
    }
}
