use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub(crate) struct NoticeProps {
    pub(crate) text: AttrValue,
    pub(crate) ondismiss: Callback<()>,
}

/// Something the page could not do (read a file, open a share link), with a way to dismiss it.
#[function_component(Notice)]
pub(crate) fn notice(props: &NoticeProps) -> Html {
    let onclick = props.ondismiss.reform(|_: MouseEvent| ());
    html! {
        <div class="notice" role="alert">
            <p>{ props.text.clone() }</p>
            <button type="button" class="quiet" {onclick} aria-label="Dismiss this notice">{ "Dismiss" }</button>
        </div>
    }
}
