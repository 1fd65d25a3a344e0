//! The few page services components need: where the page is, what the browser says of
//! Local Network Access (permission and iframe delegation), saving a download and reading
//! a chosen file. Failures come back as text for the page's notice.

use js_sys::{Function, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, BlobPropertyBag, HtmlAnchorElement, Url};

use crate::local_network::{self, Access, NetworkNotice, Space};
use kensa_checks::Ledger;

/// How the page is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Layout {
    /// The whole playground with header and footer.
    Page,
    /// A compact widget for an iframe: editor, "run all" and results, no page chrome.
    Embed,
}

/// `?embed` (or `?embed=...`, among other parameters) or `#embed`.
pub(crate) fn layout_for(search: &str, hash: &str) -> Layout {
    let in_query = search.trim_start_matches('?').split('&').any(|pair| pair.split('=').next() == Some("embed"));
    if in_query || hash.trim_start_matches('#') == "embed" { Layout::Embed } else { Layout::Page }
}

/// `location.search` and `location.hash` of this page (empty outside a browser).
pub(crate) fn location() -> (String, String) {
    let Some(location) = web_sys::window().map(|window| window.location()) else {
        return (String::new(), String::new());
    };
    (location.search().unwrap_or_default(), location.hash().unwrap_or_default())
}

/// This page's origin, such as `https://kensa.example` (empty outside a browser).
pub(crate) fn page_origin() -> String {
    web_sys::window().and_then(|window| window.location().origin().ok()).unwrap_or_default()
}

/// What the visitor should know before requests to `url` go out; `None` when Local Network
/// Access does not gate them.
pub(crate) async fn network_notice(url: &str) -> Option<NetworkNotice> {
    let page_origin = page_origin();
    let space = local_network::gated(&page_origin, url)?;
    local_network::notice(&page_origin, url, access(space).await)
}

/// The permission for `space` as this browser reports it, or [`Access::NotDelegated`] in a
/// frame that may not use it.
pub(crate) async fn access(space: Space) -> Access {
    let name = space.permission();
    match permission_state(name).await {
        // A browser without the permission has no policy feature for it either.
        Access::Unknown => Access::Unknown,
        _ if !delegated(name) => Access::NotDelegated,
        state => state,
    }
}

/// `navigator.permissions.query({name})`'s state, each name on its own: a browser that does
/// not know the name throws or rejects (Firefox for `local-network-access`), one without the
/// API has no `navigator.permissions`; both are [`Access::Unknown`].
pub(crate) async fn permission_state(name: &str) -> Access {
    let query = || -> Result<js_sys::Promise, JsValue> {
        let navigator = Reflect::get(&js_sys::global(), &JsValue::from_str("navigator"))?;
        let permissions = Reflect::get(&navigator, &JsValue::from_str("permissions"))?;
        let query: Function = Reflect::get(&permissions, &JsValue::from_str("query"))?.dyn_into()?;
        let descriptor = Object::new();
        Reflect::set(&descriptor, &JsValue::from_str("name"), &JsValue::from_str(name))?;
        query.call1(&permissions, &descriptor)?.dyn_into()
    };
    let Ok(promise) = query() else {
        return Access::Unknown;
    };
    match JsFuture::from(promise).await {
        Ok(status) => Reflect::get(&status, &JsValue::from_str("state"))
            .ok()
            .and_then(|state| state.as_string())
            .map_or(Access::Unknown, |state| Access::from_state(&state)),
        Err(_) => Access::Unknown,
    }
}

/// Whether this page may use the policy feature `name`: always at the top; in a frame, when
/// `document.permissionsPolicy` (or the older `featurePolicy`) allows it, or when the
/// browser has neither to ask.
fn delegated(name: &str) -> bool {
    let Some(window) = web_sys::window() else {
        return true;
    };
    let framed = window.top().ok().flatten().is_some_and(|top| JsValue::from(top) != JsValue::from(window.clone()));
    let Some(document) = window.document().filter(|_| framed) else {
        return true;
    };
    let policy = ["permissionsPolicy", "featurePolicy"]
        .into_iter()
        .filter_map(|key| Reflect::get(&document, &JsValue::from_str(key)).ok())
        .find(|policy| policy.is_object());
    let Some(policy) = policy else {
        return true;
    };
    let Ok(allows) = Reflect::get(&policy, &JsValue::from_str("allowsFeature")).and_then(|f| f.dyn_into::<Function>())
    else {
        return true;
    };
    allows.call1(&policy, &JsValue::from_str(name)).map_or(true, |allowed| allowed.is_truthy())
}

/// Where the page keeps its resource ledger (`localStorage`, per origin).
const RESOURCES_KEY: &str = "kensa.resources";

/// The ledger this page's earlier visits left, or an empty one (no storage, or a value it
/// cannot read: storage is the user's and may hold anything).
pub(crate) fn stored_resources() -> Ledger {
    web_sys::window()
        .and_then(|window| window.local_storage().ok().flatten())
        .and_then(|storage| storage.get_item(RESOURCES_KEY).ok().flatten())
        .and_then(|text| Ledger::parse(&text).ok())
        .unwrap_or_default()
}

/// Keeps `ledger` for the next visit; without storage (private windows may refuse) the
/// page still works, it just forgets.
pub(crate) fn store_resources(ledger: &Ledger) {
    if let Some(storage) = web_sys::window().and_then(|window| window.local_storage().ok().flatten()) {
        let _ = storage.set_item(RESOURCES_KEY, &ledger.to_json());
    }
}

/// This page's address without its fragment, for share links.
pub(crate) fn page_url() -> String {
    let href = web_sys::window().and_then(|window| window.location().href().ok()).unwrap_or_default();
    match href.split_once('#') {
        Some((page, _)) => page.to_string(),
        None => href,
    }
}

/// Offers `text` as a file download named `name`.
pub(crate) fn download(name: &str, mime: &str, text: &str) -> Result<(), String> {
    let document = web_sys::window().and_then(|window| window.document()).ok_or("no document")?;
    let parts = js_sys::Array::of1(&text.into());
    let options = BlobPropertyBag::new();
    options.set_type(mime);
    let blob = Blob::new_with_str_sequence_and_options(&parts, &options).map_err(|error| js_message(&error))?;
    let url = Url::create_object_url_with_blob(&blob).map_err(|error| js_message(&error))?;
    let anchor: HtmlAnchorElement = document
        .create_element("a")
        .map_err(|error| js_message(&error))?
        .dyn_into()
        .map_err(|_| "cannot create a link".to_string())?;
    anchor.set_href(&url);
    anchor.set_download(name);
    anchor.click();
    // Give the browser a moment to start the download before the object URL goes.
    gloo_timers::callback::Timeout::new(10_000, move || {
        let _ = Url::revoke_object_url(&url);
    })
    .forget();
    Ok(())
}

/// The text of a file the user picked.
pub(crate) async fn read_text(file: &web_sys::File) -> Result<String, String> {
    let text = JsFuture::from(file.text()).await.map_err(|error| js_message(&error))?;
    text.as_string().ok_or_else(|| "the file is not text".to_string())
}

/// The message of a JS error value, or its string form.
pub(crate) fn js_message(value: &JsValue) -> String {
    value
        .dyn_ref::<js_sys::Error>()
        .map(|error| String::from(error.message()))
        .or_else(|| value.as_string())
        .unwrap_or_else(|| format!("{value:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embed_comes_from_the_query_or_the_fragment() {
        assert_eq!(layout_for("?embed", ""), Layout::Embed);
        assert_eq!(layout_for("?embed=1", ""), Layout::Embed);
        assert_eq!(layout_for("?lang=en&embed", ""), Layout::Embed);
        assert_eq!(layout_for("", "#embed"), Layout::Embed);
        assert_eq!(layout_for("", ""), Layout::Page);
        assert_eq!(layout_for("?embedded", ""), Layout::Page);
        assert_eq!(layout_for("", "#report=abc"), Layout::Page);
    }
}
