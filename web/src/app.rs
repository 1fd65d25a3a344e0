//! The root component: owns the state and wires the components and the hooks to it.

use kensa_manifest::Severity;
use yew::prelude::*;

use crate::browser::{self, Layout};
use crate::components::cors_panel::CorsPanel;
use crate::components::diagnostic_list::diagnostic_list;
use crate::components::editor::Editor;
use crate::components::footer::footer;
use crate::components::header::header;
use crate::components::notice::notice;
use crate::components::report_bar::ReportBar;
use crate::components::results::Results;
use crate::components::run_panel::RunPanel;
use crate::components::run_status::RunStatusLine;
use crate::components::shared_banner::shared_banner;
use crate::components::summary::summary;
use crate::hooks::use_debounced_validation::use_debounced_validation;
use crate::hooks::use_downloads::use_downloads;
use crate::hooks::use_file_loader::use_file_loader;
use crate::hooks::use_hash_change::use_hash_change;
use crate::hooks::use_network_notice::use_network_notice;
use crate::hooks::use_run::use_run;
use crate::run::{RunKind, RunStatus};
use crate::share;
use crate::state::{Action, State};

#[function_component(App)]
pub(crate) fn app() -> Html {
    let layout = *use_memo((), |()| {
        let (search, hash) = browser::location();
        browser::layout_for(&search, &hash)
    });
    let state = use_reducer(|| State { resources: browser::stored_resources(), ..State::open(&browser::location().1) });
    // The resources runs make or remove outlive the page, as the CLI's ledger file does.
    use_effect_with(state.resources.clone(), browser::store_resources);
    let dispatch = {
        let dispatcher = state.dispatcher();
        Callback::from(move |action: Action| dispatcher.dispatch(action))
    };
    use_hash_change(dispatch.clone());
    use_network_notice(state.validation.test_url().filter(|_| !state.shared).map(str::to_string), dispatch.clone());
    let onedit = use_debounced_validation(dispatch.clone());
    let onload = use_file_loader(dispatch.clone());
    let onrun = use_run(state.clone(), dispatch.clone());
    let downloads = use_downloads(state.clone(), dispatch.clone());
    let onreset = dispatch.reform(|()| Action::Reset);
    let onplan = dispatch.reform(Action::SetPlan);
    let onwithsso = dispatch.reform(Action::SetWithSso);
    let ondismiss = dispatch.reform(|()| Action::DismissNotice);

    let page = layout == Layout::Page;
    let shared = state.shared;
    let kinds: &[RunKind] = if page { &RunKind::ALL } else { &[RunKind::All] };
    let buttons: Vec<(RunKind, bool)> = kinds.iter().map(|&kind| (kind, state.can_run(kind))).collect();
    let share_url = state
        .share
        .as_ref()
        .map(|payload| AttrValue::from(format!("{}#{}{payload}", browser::page_url(), share::PREFIX)));
    let has_report = !state.report.groups.is_empty();
    html! {
        <div class={classes!("app", if page { "page" } else { "embed" })}>
            if page {
                { header() }
            }
            if let Some(text) = &state.notice {
                { notice(text, &ondismiss) }
            }
            // Inline rather than a component of its own: one paragraph, and the bundle is tight.
            if let Some(network) = &state.network {
                <div id="network-notice" class="network-notice" data-permission={network.access.as_str()} role="status">
                    <p>{ network.text() }</p>
                </div>
            }
            if shared {
                { shared_banner(browser::page_url()) }
            }
            <main class={classes!("workspace", shared.then_some("single"))}>
                if !shared {
                    <div class="manifest-pane">
                        <Editor
                            value={state.source.clone()}
                            file_name={state.file_name.clone()}
                            rows={if page { 24 } else { 12 }}
                            toolbar={page}
                            {onedit}
                            {onload}
                            ondownload={downloads.manifest}
                            {onreset}
                        />
                        { summary(state.count(Severity::Error), state.count(Severity::Warning), !state.validated) }
                        { diagnostic_list(state.diagnostics()) }
                    </div>
                }
                <div class="run-pane">
                    if !shared {
                        <RunPanel
                            {buttons}
                            plan={state.plan.clone()}
                            with_sso={state.with_sso}
                            options={page}
                            resource={state.resource()}
                            {onrun}
                            {onplan}
                            {onwithsso}
                        />
                    }
                    <RunStatusLine
                        status={state.status}
                        run={state.run}
                        running={state.running}
                        current={state.current.clone()}
                        summary={state.report.summary()}
                        {shared}
                    />
                    { for state.diagnoses.iter().map(|diagnosis| html! {
                        <CorsPanel diagnosis={diagnosis.clone()} />
                    }) }
                    if page {
                        <ReportBar
                            ready={has_report && state.status == RunStatus::Done}
                            {share_url}
                            ondownloadjson={downloads.json}
                            ondownloadjunit={downloads.junit}
                            ondownloadhar={downloads.har}
                        />
                    }
                    <Results
                        report={state.report.clone()}
                        current={state.current.clone()}
                        messages={state.messages.clone()}
                    />
                </div>
            </main>
            if page {
                { footer() }
            }
        </div>
    }
}
