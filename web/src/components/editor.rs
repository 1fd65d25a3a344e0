use web_sys::{File, HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub(crate) struct EditorProps {
    pub(crate) value: AttrValue,
    /// Name the manifest is downloaded under.
    pub(crate) file_name: AttrValue,
    /// Rows of the text area (fewer in embed mode).
    #[prop_or(24)]
    pub(crate) rows: u32,
    /// Show the load, download and reset buttons.
    #[prop_or(true)]
    pub(crate) toolbar: bool,
    pub(crate) onedit: Callback<String>,
    pub(crate) onload: Callback<File>,
    pub(crate) ondownload: Callback<()>,
    pub(crate) onreset: Callback<()>,
}

/// The manifest text, with loading from a file, downloading and going back to the sample.
#[function_component(Editor)]
pub(crate) fn editor(props: &EditorProps) -> Html {
    let oninput = {
        let onedit = props.onedit.clone();
        Callback::from(move |event: InputEvent| {
            if let Some(area) = event.target_dyn_into::<HtmlTextAreaElement>() {
                onedit.emit(area.value());
            }
        })
    };
    let onchange = {
        let onload = props.onload.clone();
        Callback::from(move |event: Event| {
            let Some(input) = event.target_dyn_into::<HtmlInputElement>() else {
                return;
            };
            if let Some(file) = input.files().and_then(|files| files.get(0)) {
                onload.emit(file);
            }
            // Let the same file be picked again after it was edited on disk.
            input.set_value("");
        })
    };
    let ondownload = props.ondownload.reform(|_: MouseEvent| ());
    let onreset = props.onreset.reform(|_: MouseEvent| ());
    html! {
        <section class="editor" aria-labelledby="manifest-label">
            <div class="editor-bar">
                <label id="manifest-label" for="manifest">{ "addon-manifest.json" }</label>
                if props.toolbar {
                    <div class="tools">
                        // The file input is visually hidden; its label is the button people see and focus.
                        <input type="file" id="manifest-file" class="visually-hidden"
                            accept=".json,application/json" {onchange} />
                        <label for="manifest-file" class="button quiet">{ "Load file…" }</label>
                        <button type="button" id="download-manifest" class="quiet" onclick={ondownload}
                            title={format!("Save the manifest as {}", props.file_name)}>
                            { "Download" }
                        </button>
                        <button type="button" id="reset-manifest" class="quiet" onclick={onreset}
                            title="Replace the text with the sample manifest">
                            { "Sample" }
                        </button>
                    </div>
                }
            </div>
            <textarea
                id="manifest"
                rows={props.rows.to_string()}
                spellcheck="false"
                autocomplete="off"
                wrap="off"
                autocapitalize="off"
                value={props.value.clone()}
                {oninput}
            />
        </section>
    }
}
