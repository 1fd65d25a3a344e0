use yew::prelude::*;

use crate::browser;
use crate::state::Action;

/// Up front, when the page opens and before any run, what Local Network Access will do to
/// requests to `test_url` (the opening manifest's provider; `None` for none): an embed
/// learns here that its frame was not delegated.
#[hook]
pub(crate) fn use_network_notice(test_url: Option<String>, dispatch: Callback<Action>) {
    use_effect_with((), move |()| {
        if let Some(url) = test_url {
            wasm_bindgen_futures::spawn_local(async move {
                dispatch.emit(Action::Network(browser::network_notice(&url).await));
            });
        }
    });
}
