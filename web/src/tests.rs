//! The playground in headless Chromium: render it, edit the manifest, run checks against
//! the reference provider (with CORS, without CORS, and a closed port), share a report,
//! and embed it. The providers are started by `scripts/test`:
//!
//! - `KENSA_PLAYGROUND_PROVIDER` (default `http://127.0.0.1:4567`):
//!   `kensa-provider --port 4567 --sso-salt kensa-playground-salt`
//! - `KENSA_PLAYGROUND_NO_CORS` (default `http://127.0.0.1:4568`):
//!   `kensa-provider --port 4568 --no-cors`
//! - `KENSA_PLAYGROUND_FAULTY` (default `http://127.0.0.1:4569`):
//!   `kensa-provider --port 4569 --fault provision-status-201`
//!
//! The test page must not be cross-origin isolated (`WASM_BINDGEN_TEST_NO_ORIGIN_ISOLATION=1`):
//! under COEP the browser refuses the `no-cors` probe that tells "CORS" from "unreachable".

use std::time::Duration;

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{Element, Event, EventInit, HtmlElement, HtmlTextAreaElement};

use crate::app::App;
use crate::state::SAMPLE_MANIFEST;

// The tests need a DOM, so they never run under Node.
wasm_bindgen_test_configure!(run_in_browser);

const PROVIDER: &str = match option_env!("KENSA_PLAYGROUND_PROVIDER") {
    Some(url) => url,
    None => "http://127.0.0.1:4567",
};
const NO_CORS: &str = match option_env!("KENSA_PLAYGROUND_NO_CORS") {
    Some(url) => url,
    None => "http://127.0.0.1:4568",
};
const FAULTY: &str = match option_env!("KENSA_PLAYGROUND_FAULTY") {
    Some(url) => url,
    None => "http://127.0.0.1:4569",
};
/// Nothing listens on the discard port.
const CLOSED: &str = "http://127.0.0.1:9";

/// The sample manifest's provider origin.
const SAMPLE_ORIGIN: &str = "http://127.0.0.1:4567";

const BLANK_ID: &str = r#"li.diagnostic[data-pointer="/id"]"#;

fn document() -> web_sys::Document {
    web_sys::window().and_then(|window| window.document()).expect("a document")
}

/// Sets the page's fragment without reloading (what the app reads when it mounts).
fn set_hash(hash: &str) {
    let location = web_sys::window().expect("a window").location();
    let path = location.pathname().expect("a path") + &location.search().expect("a query");
    let url = if hash.is_empty() { path } else { format!("{path}#{hash}") };
    web_sys::window()
        .expect("a window")
        .history()
        .expect("a history")
        .replace_state_with_url(&JsValue::NULL, "", Some(&url))
        .expect("the URL replaced");
}

fn mount() -> Element {
    let root = document().create_element("div").expect("a div");
    document().body().expect("a body").append_child(&root).expect("the div in the body");
    yew::Renderer::<App>::with_root(root.clone()).render();
    root
}

fn find(root: &Element, selector: &str) -> Option<Element> {
    root.query_selector(selector).expect("a valid selector")
}

fn present(root: &Element, selector: &str) -> bool {
    find(root, selector).is_some()
}

fn text(root: &Element, selector: &str) -> String {
    find(root, selector).and_then(|element| element.text_content()).unwrap_or_default()
}

/// Yew renders on its scheduler and runs take a while: poll (every 20 ms) until `done`.
async fn wait_until(what: &str, seconds: u64, mut done: impl FnMut() -> bool) {
    for _ in 0..seconds * 50 {
        if done() {
            return;
        }
        yew::platform::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("timed out after {seconds} s waiting until {what}");
}

fn editor(root: &Element) -> HtmlTextAreaElement {
    find(root, "textarea#manifest").expect("the editor").dyn_into().expect("a textarea")
}

/// Types `text` the way a user does: set the value, then fire a bubbling `input` event.
fn type_into(area: &HtmlTextAreaElement, text: &str) {
    area.set_value(text);
    let init = EventInit::new();
    init.set_bubbles(true);
    let event = Event::new_with_event_init_dict("input", &init).expect("an input event");
    area.dispatch_event(&event).expect("the event dispatched");
}

fn click(root: &Element, selector: &str) {
    let element: HtmlElement =
        find(root, selector).unwrap_or_else(|| panic!("no {selector}")).dyn_into().expect("html");
    element.click();
}

fn disabled(root: &Element, selector: &str) -> bool {
    find(root, selector).unwrap_or_else(|| panic!("no {selector}")).has_attribute("disabled")
}

fn run_state(root: &Element) -> String {
    find(root, "#run-status").and_then(|status| status.get_attribute("data-state")).unwrap_or_default()
}

/// Clicks a run button and waits for the run to finish.
async fn run(root: &Element, button: &str) {
    assert!(!disabled(root, button), "{button} is disabled");
    let before = run_number(root);
    click(root, button);
    // A run that fails at once is done before the first look, so watch its number.
    wait_until(&format!("{button} starts"), 2, || run_number(root) > before).await;
    wait_until(&format!("{button} finishes"), 15, || run_state(root) == "done").await;
}

fn run_number(root: &Element) -> u64 {
    find(root, "#run-status")
        .and_then(|status| status.get_attribute("data-run"))
        .and_then(|run| run.parse().ok())
        .unwrap_or(0)
}

fn outcome(root: &Element, code: &str) -> Option<String> {
    find(root, &format!(r#"tr.check[data-code="{code}"]"#)).and_then(|row| row.get_attribute("data-outcome"))
}

/// `code -> outcome` for every row, for failure messages.
fn rows(root: &Element) -> Vec<(String, String)> {
    let list = root.query_selector_all("tr.check").expect("a valid selector");
    (0..list.length())
        .filter_map(|index| list.item(index)?.dyn_into::<Element>().ok())
        .map(|row| {
            (row.get_attribute("data-code").unwrap_or_default(), row.get_attribute("data-outcome").unwrap_or_default())
        })
        .collect()
}

/// A playground whose manifest points at `origin`.
async fn playground_for(origin: &str) -> Element {
    set_hash("");
    let root = mount();
    wait_until("the editor is rendered", 2, || present(&root, "textarea#manifest")).await;
    type_into(&editor(&root), &SAMPLE_MANIFEST.replace(SAMPLE_ORIGIN, origin));
    wait_until("the edit is validated", 2, || !present(&root, ".summary.stale")).await;
    root
}

#[wasm_bindgen_test]
async fn editing_the_manifest_shows_and_clears_diagnostics() {
    set_hash("");
    let root = mount();
    wait_until("the editor is rendered", 2, || present(&root, "textarea#manifest")).await;
    assert_eq!(text(&root, "h1"), "kensa playground");
    assert_eq!(editor(&root).value(), SAMPLE_MANIFEST);
    assert!(!present(&root, "li.diagnostic.error"));
    assert_eq!(run_state(&root), "idle");

    type_into(&editor(&root), &SAMPLE_MANIFEST.replacen(r#""id": "myaddon""#, r#""id": """#, 1));
    wait_until("the blank id is reported", 2, || present(&root, BLANK_ID)).await;
    assert!(present(&root, ".summary.error"));
    let item = find(&root, BLANK_ID).expect("the diagnostic");
    assert!(item.text_content().unwrap_or_default().contains("/id"), "the pointer is shown");

    type_into(&editor(&root), SAMPLE_MANIFEST);
    wait_until("the diagnostic is gone", 2, || !present(&root, BLANK_ID)).await;
    assert!(present(&root, ".summary.ok") || present(&root, ".summary.warning"));
}

#[wasm_bindgen_test]
async fn provision_then_deprovision_against_the_reference_provider() {
    let root = playground_for(PROVIDER).await;
    for button in ["#run-planchange", "#run-deprovision", "#run-sso"] {
        assert!(disabled(&root, button), "{button} needs a resource first");
    }

    run(&root, "#run-provision").await;
    let rows = rows(&root);
    assert_eq!(outcome(&root, "P01").as_deref(), Some("passed"), "{rows:?}");
    assert!(
        rows.iter().all(|(_, outcome)| outcome == "passed" || outcome == "skipped"),
        "every provision check passes (or is skipped): {rows:?}"
    );
    assert!(present(&root, r#"tr.check[data-code="P01"] details.exchanges"#), "the exchange can be opened");
    assert!(present(&root, "a#share-link"));
    assert!(!disabled(&root, "#download-json"));
    assert!(!disabled(&root, "#download-junit"));
    assert!(!disabled(&root, "#download-har"));
    assert!(text(&root, "#resource").contains("Provisioned resource"));

    run(&root, "#run-planchange").await;
    assert!(rows_pass(&root), "plan change: {:?}", self::rows(&root));

    run(&root, "#run-deprovision").await;
    assert!(rows_pass(&root), "deprovision: {:?}", self::rows(&root));
    assert!(disabled(&root, "#run-deprovision"), "the resource is gone");
}

fn rows_pass(root: &Element) -> bool {
    let rows = rows(root);
    !rows.is_empty() && rows.iter().all(|(_, outcome)| outcome == "passed" || outcome == "skipped")
}

/// A fault switch fails its row with the engine's message, the one `kensa test` prints
/// (tests/tests/e2e/faults.rs asserts the same text for the CLI).
#[wasm_bindgen_test]
async fn a_fault_switch_fails_its_row_with_the_cli_message() {
    let root = playground_for(FAULTY).await;
    run(&root, "#run-provision").await;
    assert_eq!(outcome(&root, "P01").as_deref(), Some("failed"), "{:?}", rows(&root));
    assert_eq!(text(&root, r#"tr.check[data-code="P01"] .finding"#), "expected 200, got 201");
    assert!(present(&root, "#run-status.failed"), "{}", text(&root, "#run-status"));
}

#[wasm_bindgen_test]
async fn sso_refusals_are_checked_from_the_page() {
    let root = playground_for(PROVIDER).await;
    run(&root, "#run-provision").await;
    run(&root, "#run-sso").await;
    let rows = rows(&root);
    // The three refusals are observable from a page.
    for code in ["S01", "S02", "S03", "S04"] {
        assert_eq!(outcome(&root, code).as_deref(), Some("passed"), "{code}: {rows:?}");
    }
    // S05 (logs in) is not asserted: fetch follows the provider's 302 to its dashboard
    // without the session cookie the 302 set (a page never gets a cross-origin cookie),
    // so the dashboard refuses and the engine reports a failure it cannot tell apart.
    for code in ["S05", "S06", "S07"] {
        assert!(outcome(&root, code).is_some(), "{code}: {rows:?}");
    }
    run(&root, "#run-deprovision").await;
}

#[wasm_bindgen_test]
async fn a_provider_without_cors_gets_the_headers_to_send() {
    let isolated = web_sys::window()
        .and_then(|window| js_sys::Reflect::get(&window, &JsValue::from_str("crossOriginIsolated")).ok())
        .is_some_and(|value| value.is_truthy());
    assert!(
        !isolated,
        "run with WASM_BINDGEN_TEST_NO_ORIGIN_ISOLATION=1: a cross-origin isolated page cannot probe a provider \
         without CORS, so it cannot tell CORS from unreachable"
    );
    let root = playground_for(NO_CORS).await;
    run(&root, "#run-provision").await;
    let panel = r#".cors-diagnosis[data-kind="cors"]"#;
    assert!(present(&root, panel), "{}", text(&root, ".cors-diagnosis"));
    let advice = text(&root, panel);
    for expected in [
        "Access-Control-Allow-Origin: http://127.0.0.1",
        "Access-Control-Allow-Methods: GET, POST, PUT, DELETE, PATCH, OPTIONS",
        "Access-Control-Allow-Headers: Authorization, Content-Type, Accept",
        &format!("kensa cors-proxy --to {NO_CORS} --port 5001"),
    ] {
        assert!(advice.contains(expected), "{expected:?} missing from {advice:?}");
    }
    assert_eq!(outcome(&root, "P01").as_deref(), Some("failed"));
    let finding = text(&root, r#"tr.check[data-code="P01"] .finding"#);
    assert!(
        finding.starts_with(&format!("unable to connect to {NO_CORS} (the provider answers but does not allow")),
        "{finding}"
    );
}

#[wasm_bindgen_test]
async fn a_closed_port_is_unreachable() {
    let root = playground_for(CLOSED).await;
    run(&root, "#run-provision").await;
    assert!(present(&root, r#".cors-diagnosis[data-kind="unreachable"]"#), "{}", text(&root, ".cors-diagnosis"));
    assert_eq!(outcome(&root, "P01").as_deref(), Some("failed"));
    let finding = text(&root, r#"tr.check[data-code="P01"] .finding"#);
    assert!(finding.starts_with(&format!("unable to connect to {CLOSED} (nothing answered")), "{finding}");
}

/// An https provider URL at a server that speaks only http: the TLS handshake fails, as it
/// does for a provider with a certificate the browser does not trust. The page says TLS.
#[wasm_bindgen_test]
async fn an_https_url_at_a_plain_http_server_is_a_tls_failure() {
    let https = PROVIDER.replacen("http:", "https:", 1);
    let root = playground_for(&https).await;
    run(&root, "#run-provision").await;
    assert!(present(&root, r#".cors-diagnosis[data-kind="tls"]"#), "{}", text(&root, ".cors-diagnosis"));
    assert_eq!(outcome(&root, "P01").as_deref(), Some("failed"));
}

#[wasm_bindgen_test]
async fn a_share_link_reopens_the_report_read_only() {
    let report = crate::share::sample_report();
    // The browser's deflate-raw, read back by the Rust inflater.
    let payload = crate::share::encode(&report).await.expect("the browser compresses");
    assert_eq!(crate::share::decode(&payload), Ok(report.clone()));

    set_hash(&format!("report={payload}"));
    let root = mount();
    // The app reads the fragment when it first renders, on yew's scheduler.
    wait_until("the shared report is rendered", 2, || present(&root, "tr.check")).await;
    set_hash("");
    assert!(present(&root, ".shared-banner"));
    assert!(!present(&root, "textarea#manifest"), "a shared report cannot be rerun");
    assert!(!present(&root, "#run-all"));
    assert_eq!(run_state(&root), "done");
    let shown: Vec<(String, String)> = rows(&root);
    let expected: Vec<(String, String)> =
        report.checks().map(|check| (check.code.clone(), check.outcome.name().to_string())).collect();
    assert_eq!(shown, expected);
    assert!(text(&root, r#"tr.check[data-code="P01"] .finding"#).contains("expected 200, got 500"));
    let href = find(&root, "a#share-link").and_then(|link| link.get_attribute("href")).unwrap_or_default();
    assert!(href.ends_with(&format!("#report={payload}")), "{href}");
}

#[wasm_bindgen_test]
async fn embed_mode_has_no_page_chrome() {
    set_hash("embed");
    let root = mount();
    wait_until("the widget is rendered", 2, || present(&root, "textarea#manifest")).await;
    set_hash("");
    assert!(present(&root, ".app.embed"));
    assert!(!present(&root, "header"), "no header");
    assert!(!present(&root, "footer"), "no footer");
    assert!(!present(&root, "h1"));
    assert!(present(&root, "#run-all"));
    assert!(!present(&root, "#run-provision"), "only the one run button");
    assert!(present(&root, "table#results"));
}

/// Each permission name is asked on its own, and one the browser does not know
/// (as Firefox does not know `local-network-access`) reads as "unknown" instead of failing.
#[wasm_bindgen_test]
async fn permission_names_the_browser_does_not_know_read_as_unknown() {
    use crate::local_network::Access;
    assert_eq!(crate::browser::permission_state("kensa-no-such-permission").await, Access::Unknown);
    assert_ne!(crate::browser::permission_state("geolocation").await, Access::Unknown, "a known name has a state");
}

/// A top-level page is never "not delegated"; only a frame can be.
#[wasm_bindgen_test]
async fn a_top_level_page_is_never_undelegated() {
    use crate::local_network::{Access, Space};
    for space in [Space::Loopback, Space::Local] {
        assert_ne!(crate::browser::access(space).await, Access::NotDelegated, "{space:?}");
    }
}

/// `targetAddressSpace` on a loopback request does not break it, and a page served
/// next to the provider (http on loopback, as here) shows no network notice.
#[wasm_bindgen_test]
async fn a_local_page_runs_without_a_network_notice_and_target_address_space_is_accepted() {
    let controller = web_sys::AbortController::new().expect("a controller");
    let init = crate::transport::init(web_sys::RequestMode::NoCors, &controller.signal(), PROVIDER);
    js_sys::Reflect::set(&init, &JsValue::from_str("targetAddressSpace"), &JsValue::from_str("loopback"))
        .expect("the member set");
    let request = web_sys::Request::new_with_str_and_init(PROVIDER, &init).expect("a request");
    let sent = gloo_net::http::Request::from(request).send().await;
    assert!(sent.is_ok(), "{:?}", sent.err());

    let root = playground_for(PROVIDER).await;
    // Every run reads the permission first, whatever it runs.
    run(&root, "#run-manifest").await;
    assert!(!present(&root, "#network-notice"), "{}", text(&root, "#network-notice"));
}
