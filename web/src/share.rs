//! Share links: a finished report, compressed into the URL fragment
//! (`#report=<base64url(deflate(json))>`), so a link reopens it with no server involved.
//! The fragment never reaches a server, and the report is already redacted by the engine.

use kensa_checks::Report;
use kensa_checks::encoding::{base64url, base64url_decode};
use kensa_checks::render;
#[cfg(test)]
use kensa_checks::{CheckReport, Exchange, Finding, GroupReport, Outcome};

/// The fragment key that marks a shared report.
pub(crate) const PREFIX: &str = "report=";

/// Refuse to inflate past this: a share link is a report, not an archive.
const MAX_JSON_BYTES: usize = 8 * 1024 * 1024;

/// The fragment payload (without `#report=`) for `report`, deflated by the browser's own
/// `CompressionStream` (a Rust compressor would add ~8 KB to the download); `None` when the
/// browser cannot compress, and then the page offers no link.
pub(crate) async fn encode(report: &Report) -> Option<String> {
    let json = render::json(report);
    deflate_raw(json.as_bytes()).await.map(|deflated| base64url(&deflated))
}

async fn deflate_raw(bytes: &[u8]) -> Option<Vec<u8>> {
    use wasm_bindgen::JsCast;
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let input = web_sys::Blob::new_with_u8_array_sequence(&parts).ok()?.stream();
    // A CompressionStream is itself the {readable, writable} pair pipeThrough takes.
    let compressor = CompressionStream::new("deflate-raw").ok()?;
    let output = input.pipe_through(compressor.unchecked_ref());
    let response = web_sys::Response::new_with_opt_readable_stream(Some(&output)).ok()?;
    let buffer = wasm_bindgen_futures::JsFuture::from(response.array_buffer().ok()?).await.ok()?;
    Some(js_sys::Uint8Array::new(buffer.dyn_ref::<js_sys::ArrayBuffer>()?).to_vec())
}

// web-sys has CompressionStream only behind its unstable-APIs flag; this is all of it we use.
#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    type CompressionStream;
    #[wasm_bindgen(constructor, catch)]
    fn new(format: &str) -> Result<CompressionStream, wasm_bindgen::JsValue>;
}

/// Reads a payload written by [`encode`]; the error says why in words for the page.
/// Inflating stays in Rust: it is small, synchronous and bounded by [`MAX_JSON_BYTES`].
pub(crate) fn decode(payload: &str) -> Result<Report, String> {
    let compressed = base64url_decode(payload.trim()).ok_or("it is not base64url")?;
    let json = miniz_oxide::inflate::decompress_to_vec_with_limit(&compressed, MAX_JSON_BYTES)
        .map_err(|_| "it does not inflate (the link may be cut short)")?;
    let text = std::str::from_utf8(&json).map_err(|_| "it is not UTF-8 text")?;
    render::from_json(text).map_err(|error| format!("it is not a kensa report ({error})"))
}

/// The payload of a `#report=...` fragment (`hash` with or without its `#`).
pub(crate) fn payload_of(hash: &str) -> Option<&str> {
    hash.trim_start_matches('#').strip_prefix(PREFIX)
}

/// A small report with a failure, a skip and an exchange, for tests.
#[cfg(test)]
pub(crate) fn sample_report() -> Report {
    let check = |code: &str, outcome| CheckReport {
        code: code.to_string(),
        name: format!("provision/{code}"),
        label: "response".to_string(),
        outcome,
        reason: (outcome == Outcome::Skipped).then(|| "no response from the provider".to_string()),
        findings: if outcome == Outcome::Failed { vec![Finding::error("expected 200, got 500")] } else { vec![] },
        expected: Some("200".to_string()),
        got: Some("500".to_string()),
        note: None,
        duration_ms: Some(12),
        exchanges: vec![Exchange {
            method: "POST".to_string(),
            url: "http://127.0.0.1:4567/heroku/resources".to_string(),
            request_headers: vec![("Authorization".to_string(), "Basic [redacted]".to_string())],
            request_body: Some("{\"plan\":\"test\"}".to_string()),
            status: Some(500),
            response_headers: vec![],
            response_body: Some(String::new()),
            error: None,
            timing: None,
        }],
    };
    Report {
        groups: vec![GroupReport {
            heading: "POST /heroku/resources".to_string(),
            route: None,
            checks: vec![check("P01", Outcome::Failed), check("P02", Outcome::Skipped)],
        }],
    }
}

/// What [`encode`] makes, built on the host with Rust's deflate, for tests.
#[cfg(test)]
pub(crate) fn encode_on_host(report: &Report) -> String {
    base64url(&miniz_oxide::deflate::compress_to_vec(render::json(report).as_bytes(), 9))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_survives_the_link() {
        let report = sample_report();
        let payload = encode_on_host(&report);
        assert!(payload.bytes().all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_'));
        assert!(payload.len() < render::json(&report).len(), "deflate should shrink the JSON");
        assert_eq!(decode(&payload), Ok(report));
    }

    #[test]
    fn payload_comes_from_the_fragment() {
        assert_eq!(payload_of("#report=abc"), Some("abc"));
        assert_eq!(payload_of("report=abc"), Some("abc"));
        assert_eq!(payload_of("#embed"), None);
        assert_eq!(payload_of(""), None);
    }

    #[test]
    fn damaged_links_say_why() {
        assert_eq!(decode("not base64!"), Err("it is not base64url".to_string()));
        let cut = encode_on_host(&sample_report());
        assert!(decode(&cut[..cut.len() / 2]).is_err());
        let not_a_report = base64url(&miniz_oxide::deflate::compress_to_vec(b"[1,2]", 9));
        assert!(decode(&not_a_report).is_err_and(|message| message.starts_with("it is not a kensa report")));
    }
}
