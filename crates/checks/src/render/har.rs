//! HAR 1.2 (HTTP Archive): every exchange of a run, for a browser's devtools or any HAR
//! viewer. Built from the report's exchanges, which the engine has redacted, so the file
//! holds no secret the report does not. Written by hand rather than through serde: the
//! playground offers it too, and every serialized shape would add to its download.

use crate::encoding::{is_unsafe_char, rfc3339};
use crate::report::{CheckReport, Exchange, Report};
use std::fmt::{Display, Write};

/// What kensa's transports speak: the CLI's client has no HTTP/2, and `fetch` does not say.
const HTTP_VERSION: &str = "HTTP/1.1";

/// Every exchange of `report`, in run order, as a HAR 1.2 document. Each entry's `comment`
/// names the check that made it; an exchange that got no answer has status 0 and its error
/// in `_error` (Chrome's field) and in `comment`. An exchange read back from a JSON report
/// has no timing, and is dated at the Unix epoch, taking 0 ms.
pub fn har(report: &Report) -> String {
    let mut json = Json::default();
    json.open(None, '{');
    json.open(Some("log"), '{');
    json.string("version", "1.2");
    json.open(Some("creator"), '{');
    json.string("name", "kensa");
    json.string("version", env!("CARGO_PKG_VERSION"));
    json.close('}');
    json.open(Some("entries"), '[');
    for check in report.checks() {
        for exchange in &check.exchanges {
            entry(&mut json, check, exchange);
        }
    }
    json.close(']');
    json.close('}');
    json.close('}');
    json.out.push('\n');
    json.out
}

fn entry(json: &mut Json, check: &CheckReport, exchange: &Exchange) {
    let timing = exchange.timing.unwrap_or_default();
    json.open(None, '{');
    json.string("startedDateTime", &date_time(timing.started_ms));
    json.number("time", timing.elapsed_ms);

    json.open(Some("request"), '{');
    json.string("method", &exchange.method);
    json.string("url", &exchange.url);
    json.string("httpVersion", HTTP_VERSION);
    json.open(Some("cookies"), '[');
    json.close(']');
    pairs(json, "headers", &mut exchange.request_headers.iter().map(|(name, value)| (name.as_str(), value.as_str())));
    pairs(json, "queryString", &mut query(&exchange.url));
    if let Some(body) = &exchange.request_body {
        json.open(Some("postData"), '{');
        json.string("mimeType", header(&exchange.request_headers, "content-type"));
        json.string("text", body);
        json.close('}');
    }
    json.number("headersSize", -1);
    json.number("bodySize", exchange.request_body.as_ref().map_or(0, String::len));
    json.close('}');

    let body = exchange.response_body.as_deref().unwrap_or_default();
    json.open(Some("response"), '{');
    json.number("status", exchange.status.unwrap_or(0));
    json.string("statusText", "");
    json.string("httpVersion", if exchange.status.is_some() { HTTP_VERSION } else { "" });
    json.open(Some("cookies"), '[');
    json.close(']');
    pairs(json, "headers", &mut exchange.response_headers.iter().map(|(name, value)| (name.as_str(), value.as_str())));
    json.open(Some("content"), '{');
    json.number("size", body.len());
    json.string("mimeType", header(&exchange.response_headers, "content-type"));
    if exchange.response_body.is_some() {
        json.string("text", body);
    }
    json.close('}');
    json.string("redirectURL", header(&exchange.response_headers, "location"));
    json.number("headersSize", -1);
    match exchange.status {
        Some(_) => json.number("bodySize", body.len()),
        None => json.number("bodySize", -1),
    }
    json.close('}');

    json.open(Some("cache"), '{');
    json.close('}');
    // Only the whole round trip is measured: it counts as waiting.
    json.open(Some("timings"), '{');
    json.number("send", 0);
    json.number("wait", timing.elapsed_ms);
    json.number("receive", 0);
    json.close('}');
    let mut comment = format!("{} {}", check.code, check.label);
    if let Some(error) = &exchange.error {
        json.string("_error", error);
        comment = format!("{comment}: {error}");
    }
    json.string("comment", &comment);
    json.close('}');
}

/// The first header named `name` (any case), or nothing.
fn header<'a>(headers: &'a [(String, String)], name: &str) -> &'a str {
    headers.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)).map_or("", |(_, value)| value)
}

/// The query of `url` as name and value pairs, spelled as in the URL: decoding could turn a
/// spelling the redactor did not know into the one it blanks.
fn query(url: &str) -> impl Iterator<Item = (&str, &str)> {
    let without_fragment = url.split('#').next().unwrap_or_default();
    let query = without_fragment.split_once('?').map_or("", |(_, query)| query);
    query.split('&').filter(|pair| !pair.is_empty()).map(|pair| pair.split_once('=').unwrap_or((pair, "")))
}

fn pairs<'a>(json: &mut Json, key: &str, pairs: &mut dyn Iterator<Item = (&'a str, &'a str)>) {
    json.open(Some(key), '[');
    for (name, value) in pairs {
        json.open(None, '{');
        json.string("name", name);
        json.string("value", value);
        json.close('}');
    }
    json.close(']');
}

/// ISO 8601 with milliseconds, as HAR dates are: `2026-12-26T23:21:14.005Z`.
fn date_time(unix_ms: u64) -> String {
    format!("{}.{:03}Z", rfc3339(unix_ms).trim_end_matches('Z'), unix_ms % 1000)
}

/// Pretty JSON written as it goes, laid out as serde_json's pretty printer does.
#[derive(Default)]
struct Json {
    out: String,
    depth: usize,
    /// Nothing written yet in the object or array just opened.
    empty: bool,
}

impl Json {
    /// The comma after the member before, a new line and indent, and the key if any.
    fn member(&mut self, key: Option<&str>) {
        if self.depth > 0 {
            if !self.empty {
                self.out.push(',');
            }
            self.new_line();
        }
        if let Some(key) = key {
            quote(&mut self.out, key);
            self.out.push_str(": ");
        }
        self.empty = false;
    }

    fn new_line(&mut self) {
        self.out.push('\n');
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
    }

    fn open(&mut self, key: Option<&str>, bracket: char) {
        self.member(key);
        self.out.push(bracket);
        self.depth += 1;
        self.empty = true;
    }

    fn close(&mut self, bracket: char) {
        self.depth = self.depth.saturating_sub(1);
        if !self.empty {
            self.new_line();
        }
        self.out.push(bracket);
        self.empty = false;
    }

    fn string(&mut self, key: &str, value: &str) {
        self.member(Some(key));
        quote(&mut self.out, value);
    }

    fn number(&mut self, key: &str, value: impl Display) {
        self.member(Some(key));
        let _ = write!(self.out, "{value}");
    }
}

/// `text` as a JSON string, with every character a terminal would obey or not show (C0 and
/// C1 controls, DEL, bidi overrides, invisibles) escaped, as in the JSON report: a HAR
/// quotes the provider, and may well be shown with `cat`.
fn quote(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if is_unsafe_char(c) => {
                // Past U+FFFF (tags, variation selectors) JSON needs a surrogate pair.
                for unit in c.encode_utf16(&mut [0; 2]) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
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
            name: format!("x/{code}"),
            label: label.to_string(),
            outcome: Outcome::Failed,
            reason: None,
            findings: Vec::new(),
            expected: None,
            got: None,
            note: None,
            duration_ms: None,
            exchanges,
        }
    }

    /// A sign-in that was answered with a redirect, then a check without exchanges, then a
    /// DELETE that got no answer (and, as if read back from JSON, no timing).
    fn report() -> Report {
        let answered = Exchange {
            method: "POST".to_string(),
            url: "http://127.0.0.1:4567/sso/login?a=1&token=[redacted]&flag#top".to_string(),
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
        assert_eq!(request["url"], "http://127.0.0.1:4567/sso/login?a=1&token=[redacted]&flag#top");
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
        assert_eq!(har(&Report::default()).lines().last(), Some("}"));
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
    fn dates_are_utc_with_milliseconds() {
        assert_eq!(date_time(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(date_time(951_782_400_999), "2000-02-29T00:00:00.999Z");
    }

    #[test]
    fn strings_escape_quotes_backslashes_and_astral_invisibles() {
        let mut out = String::new();
        quote(&mut out, "a\"b\\c\nd\u{e0001}é");
        assert_eq!(out, r#""a\"b\\c\nd\udb40\udc01é""#);
        assert_eq!(serde_json::from_str::<String>(&out).unwrap(), "a\"b\\c\nd\u{e0001}é");
    }
}
