//! A strict HAR 1.2 reader (http://www.softwareishard.com/blog/har-12-spec/): every field
//! the spec requires, with its type, every optional one typed when present, no field the
//! spec does not name (custom fields start with `_`), dates in ISO 8601, and an entry's
//! `time` the sum of its timings. Written from the spec, apart from kensa's writer.

use serde_json::{Map, Value};

/// What [`parse_har`] keeps of an entry, to compare with the report it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HarEntry {
    pub method: String,
    pub url: String,
    /// 0 when no response came.
    pub status: u64,
    pub comment: Option<String>,
}

/// Reads `text` as HAR 1.2; the error names the first field that is missing, of the wrong
/// type, unknown or out of range, by its path (`log.entries[3].response.status`).
pub fn parse_har(text: &str) -> Result<Vec<HarEntry>, String> {
    let root: Value = serde_json::from_str(text.trim_start_matches('\u{feff}')).map_err(|error| error.to_string())?;
    let root = Object::of(&root, "")?;
    root.only(&["log"])?;
    let log = root.object("log")?;
    log.only(&["version", "creator", "browser", "pages", "entries", "comment"])?;
    if log.string("version")? != "1.2" {
        return Err("log.version is not \"1.2\"".to_string());
    }
    application(&log.object("creator")?)?;
    if let Some(browser) = log.optional_object("browser")? {
        application(&browser)?;
    }
    for page in log.optional_objects("pages")? {
        page.only(&["startedDateTime", "id", "title", "pageTimings", "comment"])?;
        page.date("startedDateTime")?;
        page.string("id")?;
        page.string("title")?;
        let timings = page.object("pageTimings")?;
        timings.only(&["onContentLoad", "onLoad", "comment"])?;
        timings.optional_number("onContentLoad")?;
        timings.optional_number("onLoad")?;
        timings.optional_string("comment")?;
        page.optional_string("comment")?;
    }
    log.optional_string("comment")?;
    log.objects("entries")?.iter().map(entry).collect()
}

fn application(object: &Object<'_>) -> Result<(), String> {
    object.only(&["name", "version", "comment"])?;
    object.string("name")?;
    object.string("version")?;
    object.optional_string("comment")?;
    Ok(())
}

fn entry(entry: &Object<'_>) -> Result<HarEntry, String> {
    entry.only(&[
        "pageref",
        "startedDateTime",
        "time",
        "request",
        "response",
        "cache",
        "timings",
        "serverIPAddress",
        "connection",
        "comment",
    ])?;
    entry.optional_string("pageref")?;
    entry.date("startedDateTime")?;
    let time = entry.number("time")?;
    if time < 0.0 {
        return Err(format!("{}.time is negative", entry.path));
    }

    let request = entry.object("request")?;
    request.only(&[
        "method",
        "url",
        "httpVersion",
        "cookies",
        "headers",
        "queryString",
        "postData",
        "headersSize",
        "bodySize",
        "comment",
    ])?;
    let method = request.string("method")?;
    let url = request.string("url")?;
    if !url.contains("://") {
        return Err(format!("{}.url is not an absolute URL", request.path));
    }
    request.string("httpVersion")?;
    cookies(&request)?;
    pairs(&request, "headers")?;
    pairs(&request, "queryString")?;
    if let Some(post) = request.optional_object("postData")? {
        post.only(&["mimeType", "params", "text", "comment"])?;
        post.string("mimeType")?;
        let params = post.optional_objects("params")?;
        for param in &params {
            param.only(&["name", "value", "fileName", "contentType", "comment"])?;
            param.string("name")?;
            for key in ["value", "fileName", "contentType", "comment"] {
                param.optional_string(key)?;
            }
        }
        if post.optional_string("text")?.is_none() && post.map.get("params").is_none() {
            return Err(format!("{} has neither text nor params", post.path));
        }
        post.optional_string("comment")?;
    }
    request.size("headersSize")?;
    request.size("bodySize")?;
    request.optional_string("comment")?;

    let response = entry.object("response")?;
    response.only(&[
        "status",
        "statusText",
        "httpVersion",
        "cookies",
        "headers",
        "content",
        "redirectURL",
        "headersSize",
        "bodySize",
        "comment",
    ])?;
    let status = response.count("status")?;
    response.string("statusText")?;
    response.string("httpVersion")?;
    cookies(&response)?;
    pairs(&response, "headers")?;
    let content = response.object("content")?;
    content.only(&["size", "compression", "mimeType", "text", "encoding", "comment"])?;
    content.count("size")?;
    content.optional_number("compression")?;
    content.string("mimeType")?;
    for key in ["text", "encoding", "comment"] {
        content.optional_string(key)?;
    }
    response.string("redirectURL")?;
    response.size("headersSize")?;
    response.size("bodySize")?;
    response.optional_string("comment")?;

    let cache = entry.object("cache")?;
    cache.only(&["beforeRequest", "afterRequest", "comment"])?;
    for key in ["beforeRequest", "afterRequest"] {
        if let Some(state) = cache.optional_object(key)? {
            state.only(&["expires", "lastAccess", "eTag", "hitCount", "comment"])?;
            state.optional_string("expires")?;
            state.string("lastAccess")?;
            state.string("eTag")?;
            state.count("hitCount")?;
            state.optional_string("comment")?;
        }
    }
    cache.optional_string("comment")?;

    let timings = entry.object("timings")?;
    timings.only(&["blocked", "dns", "connect", "send", "wait", "receive", "ssl", "comment"])?;
    let mut sum = 0.0;
    for key in ["send", "wait", "receive"] {
        let value = timings.number(key)?;
        if value < 0.0 {
            return Err(format!("{}.{key} is negative", timings.path));
        }
        sum += value;
    }
    for key in ["blocked", "dns", "connect", "ssl"] {
        match timings.optional_number(key)? {
            Some(value) if value < -1.0 => return Err(format!("{}.{key} is below -1", timings.path)),
            // ssl is counted in connect as well (HAR 1.1 compatibility).
            Some(value) if value >= 0.0 && key != "ssl" => sum += value,
            _ => {}
        }
    }
    timings.optional_string("comment")?;
    if (sum - time).abs() > 0.001 {
        return Err(format!("{}.time is {time}, but its timings add up to {sum}", entry.path));
    }
    entry.optional_string("serverIPAddress")?;
    entry.optional_string("connection")?;
    let comment = entry.optional_string("comment")?;
    Ok(HarEntry { method, url, status, comment })
}

fn cookies(parent: &Object<'_>) -> Result<(), String> {
    for cookie in parent.objects("cookies")? {
        cookie.only(&["name", "value", "path", "domain", "expires", "httpOnly", "secure", "comment"])?;
        cookie.string("name")?;
        cookie.string("value")?;
        for key in ["path", "domain", "comment"] {
            cookie.optional_string(key)?;
        }
        if cookie.optional_string("expires")?.is_some() {
            cookie.date("expires")?;
        }
        for key in ["httpOnly", "secure"] {
            if cookie.map.get(key).is_some_and(|value| !value.is_boolean()) {
                return Err(format!("{}.{key} is not a boolean", cookie.path));
            }
        }
    }
    Ok(())
}

/// `headers` or `queryString`: name and value pairs.
fn pairs(parent: &Object<'_>, key: &str) -> Result<(), String> {
    for pair in parent.objects(key)? {
        pair.only(&["name", "value", "comment"])?;
        pair.string("name")?;
        pair.string("value")?;
        pair.optional_string("comment")?;
    }
    Ok(())
}

/// A JSON object and where it is in the document.
struct Object<'a> {
    map: &'a Map<String, Value>,
    path: String,
}

impl<'a> Object<'a> {
    fn of(value: &'a Value, path: &str) -> Result<Object<'a>, String> {
        let shown = if path.is_empty() { "the document" } else { path };
        let map = value.as_object().ok_or_else(|| format!("{shown} is not an object"))?;
        Ok(Object { map, path: path.to_string() })
    }

    fn at(&self, key: &str) -> String {
        if self.path.is_empty() { key.to_string() } else { format!("{}.{key}", self.path) }
    }

    /// Refuses a field the spec does not name; custom fields (`_name`) are allowed.
    fn only(&self, known: &[&str]) -> Result<(), String> {
        match self.map.keys().find(|key| !key.starts_with('_') && !known.contains(&key.as_str())) {
            Some(key) => Err(format!("{} is not a HAR 1.2 field", self.at(key))),
            None => Ok(()),
        }
    }

    fn required(&self, key: &str) -> Result<&'a Value, String> {
        self.map.get(key).ok_or_else(|| format!("{} is missing", self.at(key)))
    }

    fn string(&self, key: &str) -> Result<String, String> {
        self.optional_string(key)?.ok_or_else(|| format!("{} is missing", self.at(key)))
    }

    fn optional_string(&self, key: &str) -> Result<Option<String>, String> {
        match self.map.get(key) {
            None => Ok(None),
            Some(Value::String(text)) => Ok(Some(text.clone())),
            Some(_) => Err(format!("{} is not a string", self.at(key))),
        }
    }

    fn number(&self, key: &str) -> Result<f64, String> {
        self.optional_number(key)?.ok_or_else(|| format!("{} is missing", self.at(key)))
    }

    fn optional_number(&self, key: &str) -> Result<Option<f64>, String> {
        match self.map.get(key) {
            None => Ok(None),
            Some(value) => value.as_f64().map(Some).ok_or_else(|| format!("{} is not a number", self.at(key))),
        }
    }

    /// A whole number of at least 0.
    fn count(&self, key: &str) -> Result<u64, String> {
        self.required(key)?.as_u64().ok_or_else(|| format!("{} is not a whole number of at least 0", self.at(key)))
    }

    /// A byte count, or -1 when not known.
    fn size(&self, key: &str) -> Result<(), String> {
        match self.required(key)?.as_i64() {
            Some(size) if size >= -1 => Ok(()),
            _ => Err(format!("{} is neither a size nor -1", self.at(key))),
        }
    }

    fn date(&self, key: &str) -> Result<(), String> {
        let text = self.string(key)?;
        if is_iso_8601(&text) { Ok(()) } else { Err(format!("{} is not an ISO 8601 date: {text:?}", self.at(key))) }
    }

    fn object(&self, key: &str) -> Result<Object<'a>, String> {
        Object::of(self.required(key)?, &self.at(key))
    }

    /// An optional object; `null` counts as absent (`cache.afterRequest: null`).
    fn optional_object(&self, key: &str) -> Result<Option<Object<'a>>, String> {
        match self.map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(value) => Object::of(value, &self.at(key)).map(Some),
        }
    }

    fn objects(&self, key: &str) -> Result<Vec<Object<'a>>, String> {
        let array = self.required(key)?.as_array().ok_or_else(|| format!("{} is not an array", self.at(key)))?;
        array
            .iter()
            .enumerate()
            .map(|(index, value)| Object::of(value, &format!("{}[{index}]", self.at(key))))
            .collect()
    }

    fn optional_objects(&self, key: &str) -> Result<Vec<Object<'a>>, String> {
        if self.map.contains_key(key) { self.objects(key) } else { Ok(Vec::new()) }
    }
}

/// `YYYY-MM-DDThh:mm:ss`, optional fraction, then `Z` or `±hh:mm`.
fn is_iso_8601(text: &str) -> bool {
    let bytes = text.as_bytes();
    let digits =
        |range: std::ops::Range<usize>| bytes.get(range).is_some_and(|part| part.iter().all(u8::is_ascii_digit));
    let shape = digits(0..4)
        && bytes.get(4) == Some(&b'-')
        && digits(5..7)
        && bytes.get(7) == Some(&b'-')
        && digits(8..10)
        && bytes.get(10) == Some(&b'T')
        && digits(11..13)
        && bytes.get(13) == Some(&b':')
        && digits(14..16)
        && bytes.get(16) == Some(&b':')
        && digits(17..19);
    if !shape {
        return false;
    }
    let mut rest = &text[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let length = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if length == 0 {
            return false;
        }
        rest = &fraction[length..];
    }
    let zone = rest.as_bytes();
    rest == "Z"
        || (zone.len() == 6
            && matches!(zone[0], b'+' | b'-')
            && zone[1..3].iter().all(u8::is_ascii_digit)
            && zone[3] == b':'
            && zone[4..6].iter().all(u8::is_ascii_digit))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The spec's own examples put together: one entry, every optional field present.
    fn valid() -> Value {
        json!({"log": {
            "version": "1.2",
            "creator": {"name": "Firebug", "version": "1.6", "comment": ""},
            "browser": {"name": "Firefox", "version": "3.6"},
            "pages": [{"startedDateTime": "2009-04-16T12:07:25.123+01:00", "id": "page_0", "title": "Test Page",
                       "pageTimings": {"onContentLoad": 1720, "onLoad": 2500}}],
            "entries": [{
                "pageref": "page_0",
                "startedDateTime": "2009-04-16T12:07:23.596Z",
                "time": 50,
                "request": {"method": "GET", "url": "http://www.example.com/path/?param=value", "httpVersion": "HTTP/1.1",
                            "cookies": [{"name": "TestCookie", "value": "Cookie Value", "path": "/", "httpOnly": false,
                                         "expires": "2009-07-24T19:20:30.123+02:00"}],
                            "headers": [{"name": "Accept", "value": "*/*"}],
                            "queryString": [{"name": "param", "value": "value"}],
                            "postData": {"mimeType": "text/plain", "text": "plain posted data"},
                            "headersSize": 150, "bodySize": 0},
                "response": {"status": 200, "statusText": "OK", "httpVersion": "HTTP/1.1", "cookies": [], "headers": [],
                             "content": {"size": 33, "compression": 0, "mimeType": "text/html; charset=utf-8", "text": "\n"},
                             "redirectURL": "", "headersSize": 160, "bodySize": 850},
                "cache": {"afterRequest": null},
                "timings": {"blocked": 0, "dns": -1, "connect": 15, "send": 20, "wait": 3, "receive": 12, "ssl": -1},
                "serverIPAddress": "10.0.0.1",
                "connection": "52492",
                "comment": "",
                "_custom": {"anything": true}
            }]
        }})
    }

    #[test]
    fn reads_the_specs_example() {
        let entries = parse_har(&valid().to_string()).unwrap();
        let expected = HarEntry {
            method: "GET".to_string(),
            url: "http://www.example.com/path/?param=value".to_string(),
            status: 200,
            comment: Some(String::new()),
        };
        assert_eq!(entries, [expected]);
    }

    /// Each breakage of a valid HAR is refused, naming the field.
    #[test]
    fn refuses_a_broken_har() {
        type Breakage = (&'static str, fn(&mut Value), &'static str);
        let broken: [Breakage; 12] = [
            ("version", |har| har["log"]["version"] = json!("1.1"), "log.version is not \"1.2\""),
            ("creator", |har| drop(har["log"].as_object_mut().unwrap().remove("creator")), "log.creator is missing"),
            (
                "status",
                |har| har["log"]["entries"][0]["response"]["status"] = json!("200"),
                "response.status is not a whole",
            ),
            (
                "timings",
                |har| drop(har["log"]["entries"][0].as_object_mut().unwrap().remove("timings")),
                "timings is missing",
            ),
            (
                "unknown",
                |har| har["log"]["entries"][0]["request"]["body"] = json!(""),
                "request.body is not a HAR 1.2 field",
            ),
            ("sum", |har| har["log"]["entries"][0]["time"] = json!(51), "time is 51, but its timings add up to 50"),
            ("date", |har| har["log"]["entries"][0]["startedDateTime"] = json!("yesterday"), "is not an ISO 8601 date"),
            (
                "size",
                |har| har["log"]["entries"][0]["request"]["bodySize"] = json!(-2),
                "bodySize is neither a size nor -1",
            ),
            (
                "header",
                |har| har["log"]["entries"][0]["request"]["headers"][0]["value"] = json!(1),
                "headers[0].value is not a string",
            ),
            (
                "postData",
                |har| drop(har["log"]["entries"][0]["request"]["postData"].as_object_mut().unwrap().remove("text")),
                "neither text nor params",
            ),
            (
                "relative",
                |har| har["log"]["entries"][0]["request"]["url"] = json!("/path"),
                "url is not an absolute URL",
            ),
            ("negative", |har| har["log"]["entries"][0]["timings"]["send"] = json!(-1), "timings.send is negative"),
        ];
        for (what, breaks, message) in broken {
            let mut har = valid();
            breaks(&mut har);
            let error = parse_har(&har.to_string()).expect_err(what);
            assert!(error.contains(message), "{what}: {error}");
        }
        assert!(parse_har("{").is_err());
        assert_eq!(parse_har("[]").unwrap_err(), "the document is not an object");
    }

    #[test]
    fn dates_are_iso_8601() {
        for date in ["2009-04-16T12:07:23.596Z", "2009-07-24T19:20:30.45+01:00", "2009-07-24T19:20:30Z"] {
            assert!(is_iso_8601(date), "{date}");
        }
        for date in [
            "2009-04-16",
            "2009-04-16 12:07:23Z",
            "2009-04-16T12:07:23",
            "2009-04-16T12:07:23.Z",
            "2009-04-16T12:07:23+0100",
        ] {
            assert!(!is_iso_8601(date), "{date}");
        }
    }
}
