use web_sys::File;
use yew::prelude::*;

use crate::browser;
use crate::state::Action;

/// The editor's `onload`: reads the chosen file in the background, then loads its text (or
/// says why it could not).
#[hook]
pub(crate) fn use_file_loader(dispatch: Callback<Action>) -> Callback<File> {
    Callback::from(move |file: File| {
        let dispatch = dispatch.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let name = file.name();
            match browser::read_text(&file).await {
                Ok(text) => dispatch.emit(Action::Load { name, text }),
                Err(why) => dispatch.emit(Action::Notice(format!("Cannot read {name}: {why}."))),
            }
        });
    })
}
