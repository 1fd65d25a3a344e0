//! The engine's effects in a browser: `fetch` (through gloo-net) with a timeout and a
//! body cap, the wall clock, and random ids from `crypto.getRandomValues`.
//!
//! A browser cannot read `Set-Cookie`, stop at a redirect or receive callbacks, so the
//! transport reports [`Capabilities::BROWSER`] and the engine skips those checks with a
//! reason. When `fetch` fails, the transport finds out why (see [`crate::diagnosis`]) and
//! returns that in `TransportError::Connect`, so the engine's finding says it.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use gloo_net::http::{Request as FetchRequest, Response as FetchResponse};
use gloo_timers::callback::Timeout;
use js_sys::{Reflect, Uint8Array};
use kensa_checks::{Capabilities, Clock, IdSource, Request, Response, Transport, TransportError};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    AbortController, AbortSignal, ReadableStreamDefaultReader, RequestCredentials, RequestInit, RequestMode,
};

use crate::browser::{js_message, page_origin};
use crate::diagnosis::{Diagnosis, Facts};
use crate::local_network::{self, Access};

/// How long each probe of a failed request may take.
const PROBE_TIMEOUT_MS: u32 = 5_000;

/// `fetch` for the engine. `on_diagnosis` hears about each failing origin once per run,
/// so the page can show the fix while the run goes on.
pub(crate) struct BrowserTransport {
    on_diagnosis: Box<dyn Fn(Diagnosis)>,
    /// Diagnoses made in this run, one per origin: later failures reuse them unprobed.
    diagnosed: RefCell<Vec<Diagnosis>>,
}

impl BrowserTransport {
    pub(crate) fn new(on_diagnosis: impl Fn(Diagnosis) + 'static) -> BrowserTransport {
        BrowserTransport { on_diagnosis: Box::new(on_diagnosis), diagnosed: RefCell::new(Vec::new()) }
    }

    /// Why `url` could not be fetched, probing only the first time per origin.
    async fn diagnose(&self, url: &str) -> Diagnosis {
        let origin = kensa_manifest::origin_of(url);
        if let Some(known) = self.diagnosed.borrow().iter().find(|known| known.provider == origin) {
            return known.clone();
        }
        let page_origin = page_origin();
        // Read after the failure: the visitor may have answered the prompt meanwhile.
        let access = match local_network::gated(&page_origin, url) {
            Some(space) => Some(crate::browser::access(space).await),
            None => None,
        };
        // Neither an https page calling an http provider nor an undelegated frame gets
        // through in any mode, so there is nothing to probe.
        let blocked =
            access == Some(Access::NotDelegated) || crate::diagnosis::is_mixed_content(&page_origin, url, access);
        let reachable = !blocked && probe(url, RequestMode::NoCors).await;
        let simple_allowed = reachable && probe(url, RequestMode::Cors).await;
        let facts =
            Facts { page_origin, url: url.to_string(), reachable, simple_allowed, isolated: isolated(), access };
        let diagnosis = Diagnosis::from_facts(&facts);
        self.diagnosed.borrow_mut().push(diagnosis.clone());
        (self.on_diagnosis)(diagnosis.clone());
        diagnosis
    }
}

/// Why an exchange stopped.
enum Failure {
    /// `fetch` itself rejected: no response at all (or our abort). A browser says no
    /// more than "Failed to fetch", hence the probes.
    Fetch,
    /// The response started but its body did not arrive whole.
    Body(String),
    TooLarge,
    /// The request could not even be built.
    Build(String),
}

impl Transport for BrowserTransport {
    fn capabilities(&self) -> Capabilities {
        Capabilities::BROWSER
    }

    async fn send(&self, request: Request) -> Result<Response, TransportError> {
        let controller = AbortController::new().map_err(|error| TransportError::Other(js_message(&error)))?;
        let timed_out = Rc::new(Cell::new(false));
        let timer = {
            let controller = controller.clone();
            let timed_out = Rc::clone(&timed_out);
            Timeout::new(clamp_ms(request.timeout_ms), move || {
                timed_out.set(true);
                controller.abort();
            })
        };
        let result = exchange(&request, &controller).await;
        // Dropping the timer cancels it.
        drop(timer);
        match result {
            Ok(response) => Ok(response),
            Err(_) if timed_out.get() => Err(TransportError::Timeout),
            Err(Failure::TooLarge) => {
                controller.abort();
                Err(TransportError::BodyTooLarge)
            }
            Err(Failure::Body(message)) => Err(TransportError::Closed(message)),
            Err(Failure::Build(message)) => Err(TransportError::Other(message)),
            Err(Failure::Fetch) => Err(TransportError::Connect(self.diagnose(&request.url).await.reason())),
        }
    }
}

/// One `fetch`, its headers and its body up to the request's cap.
async fn exchange(request: &Request, controller: &AbortController) -> Result<Response, Failure> {
    let headers = web_sys::Headers::new().map_err(|error| Failure::Build(js_message(&error)))?;
    for (name, value) in &request.headers {
        // The browser sends its own User-Agent; setting one only adds it to the preflight.
        if name.eq_ignore_ascii_case("user-agent") {
            continue;
        }
        headers.set(name, value).map_err(|error| Failure::Build(format!("header {name}: {}", js_message(&error))))?;
    }
    let init = init(RequestMode::Cors, &controller.signal(), &request.url);
    init.set_method(request.method.as_str());
    init.set_headers(&headers);
    if let Some(body) = &request.body {
        init.set_body(&Uint8Array::from(body.as_slice()));
    }
    let fetch = web_sys::Request::new_with_str_and_init(&request.url, &init)
        .map_err(|error| Failure::Build(js_message(&error)))?;
    let response = FetchRequest::from(fetch).send().await.map_err(|_| Failure::Fetch)?;
    let status = response.status();
    let headers: Vec<(String, String)> = response.headers().entries().collect();
    let declared = headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.trim().parse::<usize>().ok());
    if declared.is_some_and(|length| length > request.max_body_bytes) {
        return Err(Failure::TooLarge);
    }
    let body = read_body(&response, request.max_body_bytes).await?;
    Ok(Response { status, headers, body })
}

/// The options every request to `url` shares. A loopback or private target from a page that
/// may be public gets `targetAddressSpace`, so Chromium asks for Local Network Access
/// instead of blocking an http target as mixed content; other browsers ignore the member.
pub(crate) fn init(mode: RequestMode, signal: &AbortSignal, url: &str) -> RequestInit {
    let init = RequestInit::new();
    init.set_mode(mode);
    init.set_credentials(RequestCredentials::Omit);
    init.set_signal(Some(signal));
    if let Some(space) = local_network::gated(&page_origin(), url) {
        // Setting a member of a fresh plain object cannot fail.
        let _ = Reflect::set(&init, &JsValue::from_str("targetAddressSpace"), &JsValue::from_str(space.fetch_value()));
    }
    init
}

/// Reads the body chunk by chunk and stops (cancelling the stream) past `limit` bytes.
async fn read_body(response: &FetchResponse, limit: usize) -> Result<Vec<u8>, Failure> {
    let Some(stream) = response.body() else {
        return Ok(Vec::new());
    };
    let reader: ReadableStreamDefaultReader =
        stream.get_reader().dyn_into().map_err(|_| Failure::Body("the body cannot be read".to_string()))?;
    let mut body = Vec::new();
    loop {
        let chunk = JsFuture::from(reader.read()).await.map_err(|error| Failure::Body(js_message(&error)))?;
        let done = Reflect::get(&chunk, &JsValue::from_str("done")).is_ok_and(|done| done.is_truthy());
        if done {
            return Ok(body);
        }
        let value = Reflect::get(&chunk, &JsValue::from_str("value")).unwrap_or(JsValue::UNDEFINED);
        let Some(bytes) = value.dyn_ref::<Uint8Array>() else {
            return Err(Failure::Body("the body stream gave something other than bytes".to_string()));
        };
        if body.len() + bytes.length() as usize > limit {
            // Fire and forget: the abort that follows ends the exchange either way.
            let _ = reader.cancel();
            return Err(Failure::TooLarge);
        }
        let start = body.len();
        body.resize(start + bytes.length() as usize, 0);
        bytes.copy_to(&mut body[start..]);
    }
}

/// Whether a GET to `url` in `mode` gets any answer within [`PROBE_TIMEOUT_MS`]. In
/// `no-cors` mode the answer is opaque, but that it came at all proves the provider is up.
async fn probe(url: &str, mode: RequestMode) -> bool {
    let Ok(controller) = AbortController::new() else {
        return false;
    };
    let timer = {
        let controller = controller.clone();
        Timeout::new(PROBE_TIMEOUT_MS, move || controller.abort())
    };
    let answered = match web_sys::Request::new_with_str_and_init(url, &init(mode, &controller.signal(), url)) {
        Ok(request) => FetchRequest::from(request).send().await.is_ok(),
        Err(_) => false,
    };
    drop(timer);
    answered
}

/// `window.crossOriginIsolated`: the page was served with COOP and COEP (as test runners do).
fn isolated() -> bool {
    web_sys::window()
        .and_then(|window| Reflect::get(&window, &JsValue::from_str("crossOriginIsolated")).ok())
        .is_some_and(|value| value.is_truthy())
}

/// `setTimeout` takes at most 2^31 - 1 ms; anything longer would fire at once.
fn clamp_ms(ms: u64) -> u32 {
    const MAX: u32 = i32::MAX as u32;
    u32::try_from(ms).map_or(MAX, |ms| ms.min(MAX))
}

/// The wall clock, from `Date.now()`.
pub(crate) struct BrowserClock;

impl Clock for BrowserClock {
    fn now_ms(&self) -> u64 {
        // Date.now() is a whole number of milliseconds, well inside u64.
        js_sys::Date::now().max(0.0) as u64
    }
}

/// Random bytes from `crypto.getRandomValues`.
pub(crate) struct BrowserIds;

impl IdSource for BrowserIds {
    fn random_bytes(&mut self) -> [u8; 16] {
        let mut bytes = [0u8; 16];
        let filled = web_sys::window()
            .and_then(|window| window.crypto().ok())
            .is_some_and(|crypto| crypto.get_random_values_with_u8_array(&mut bytes).is_ok());
        if !filled {
            // No Web Crypto (a very old browser): uuids only need to differ, not be secret.
            for byte in &mut bytes {
                *byte = (js_sys::Math::random() * 256.0) as u8;
            }
        }
        bytes
    }
}
