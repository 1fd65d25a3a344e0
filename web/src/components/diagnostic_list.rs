use kensa_manifest::Diagnostic;
use yew::prelude::*;

use crate::components::diagnostic_item::diagnostic_item;

pub(crate) fn diagnostic_list(diagnostics: &[Diagnostic]) -> Html {
    html! {
        <ul class="diagnostics">
            { for diagnostics.iter().map(diagnostic_item) }
        </ul>
    }
}
