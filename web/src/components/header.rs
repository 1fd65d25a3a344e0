use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub(crate) struct HeaderProps {
    pub(crate) onreset: Callback<()>,
}

#[function_component(Header)]
pub(crate) fn header(props: &HeaderProps) -> Html {
    let onclick = props.onreset.reform(|_: MouseEvent| ());
    html! {
        <header class="header">
            <h1>{ "kensa playground" }</h1>
            <p class="tagline">{ "Edit an add-on manifest; it is validated as you type." }</p>
            <button type="button" class="reset" {onclick}>{ "Load sample" }</button>
        </header>
    }
}
