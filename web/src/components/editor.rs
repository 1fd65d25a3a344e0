use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub(crate) struct EditorProps {
    pub(crate) value: AttrValue,
    pub(crate) onedit: Callback<String>,
}

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
    html! {
        <section class="editor">
            <label for="manifest">{ "addon-manifest.json" }</label>
            <textarea
                id="manifest"
                rows="26"
                spellcheck="false"
                autocomplete="off"
                value={props.value.clone()}
                {oninput}
            />
        </section>
    }
}
