use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::run::RunKind;
use kensa_checks::LedgerEntry;

#[derive(Properties, PartialEq)]
pub(crate) struct RunPanelProps {
    /// The buttons to show, each with whether it can be pressed now.
    pub(crate) buttons: Vec<(RunKind, bool)>,
    pub(crate) plan: AttrValue,
    pub(crate) with_sso: bool,
    /// Show the plan and SSO options and the resource line (not in embed mode).
    #[prop_or(true)]
    pub(crate) options: bool,
    pub(crate) resource: Option<LedgerEntry>,
    pub(crate) onrun: Callback<RunKind>,
    pub(crate) onplan: Callback<String>,
    pub(crate) onwithsso: Callback<bool>,
}

/// The run buttons, the plan a plan change asks for, and the resource they act on.
#[function_component(RunPanel)]
pub(crate) fn run_panel(props: &RunPanelProps) -> Html {
    let oninput = {
        let onplan = props.onplan.clone();
        Callback::from(move |event: InputEvent| {
            if let Some(input) = event.target_dyn_into::<HtmlInputElement>() {
                onplan.emit(input.value());
            }
        })
    };
    let onchange = {
        let onwithsso = props.onwithsso.clone();
        Callback::from(move |event: Event| {
            if let Some(input) = event.target_dyn_into::<HtmlInputElement>() {
                onwithsso.emit(input.checked());
            }
        })
    };
    let has_resource = props.resource.is_some();
    let buttons = props.buttons.iter().map(|&(kind, enabled)| {
        let onclick = props.onrun.reform(move |_: MouseEvent| kind);
        let title = if kind.needs_resource() && !has_resource {
            format!("{}: provision a resource first", kind.label())
        } else {
            format!("{}: {}", kind.label(), kind.describe())
        };
        html! {
            <button type="button" id={kind.id()} class={classes!((kind == RunKind::All).then_some("primary"))}
                disabled={!enabled} {title} {onclick}>
                { kind.label() }
            </button>
        }
    });
    html! {
        <section class="run-panel" aria-label="Run checks">
            <div class="run-buttons">{ for buttons }</div>
            if props.options {
                <div class="run-options">
                    <div class="field">
                        <label for="plan">{ "Plan change to" }</label>
                        <input id="plan" type="text" value={props.plan.clone()} {oninput}
                            spellcheck="false" autocomplete="off" size="12" />
                    </div>
                    <div class="field check">
                        <input id="with-sso" type="checkbox" checked={props.with_sso} {onchange} />
                        <label for="with-sso">{ "SSO in \u{201c}Run all\u{201d}" }</label>
                    </div>
                </div>
                <p class="resource" id="resource">
                    if let Some(resource) = &props.resource {
                        { "Provisioned resource " }<code>{ &resource.id }</code>
                        if resource.uuid != resource.id {
                            { " (uuid " }<code>{ &resource.uuid }</code>{ ")" }
                        }
                        { ": plan change, deprovision and SSO act on it." }
                    } else {
                        { "No resource yet: provision one to enable plan change, deprovision and SSO." }
                    }
                </p>
            }
        </section>
    }
}
