use std::rc::Rc;

use kensa_manifest::Diagnostic;
use yew::prelude::*;

use crate::components::diagnostic_item::DiagnosticItem;

#[derive(Properties, PartialEq)]
pub(crate) struct DiagnosticListProps {
    pub(crate) diagnostics: Rc<[Diagnostic]>,
}

#[function_component(DiagnosticList)]
pub(crate) fn diagnostic_list(props: &DiagnosticListProps) -> Html {
    html! {
        <ul class="diagnostics">
            { for props.diagnostics.iter().map(|diagnostic| html! {
                <DiagnosticItem diagnostic={diagnostic.clone()} />
            }) }
        </ul>
    }
}
