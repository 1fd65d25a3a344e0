use yew::prelude::*;

/// Something the page could not do (read a file, open a share link), with a way to dismiss it.
pub(crate) fn notice(text: &str, ondismiss: &Callback<()>) -> Html {
    let onclick = ondismiss.reform(|_: MouseEvent| ());
    html! {
        <div class="notice" role="alert">
            <p>{ text.to_string() }</p>
            <button type="button" class="quiet" {onclick} aria-label="Dismiss this notice">{ "Dismiss" }</button>
        </div>
    }
}
