//! The root component: owns the state and wires the components and services to it.

use gloo_timers::callback::Timeout;
use kensa_checks::render;
use kensa_manifest::Severity;
use web_sys::File;
use yew::prelude::*;

use crate::browser::{self, Layout};
use crate::components::cors_panel::CorsPanel;
use crate::components::diagnostic_list::DiagnosticList;
use crate::components::editor::Editor;
use crate::components::footer::Footer;
use crate::components::header::Header;
use crate::components::notice::Notice;
use crate::components::report_bar::ReportBar;
use crate::components::results::Results;
use crate::components::run_panel::RunPanel;
use crate::components::run_status::RunStatusLine;
use crate::components::shared_banner::SharedBanner;
use crate::components::summary::Summary;
use crate::run::{RunKind, RunStatus};
use crate::runner;
use crate::share;
use crate::state::{Action, State};

/// Validation runs once typing has paused this long.
const VALIDATE_DELAY_MS: u32 = 250;

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
    // The pending validation; replacing it cancels the previous one.
    let validate_timer = use_mut_ref(|| None::<Timeout>);
    // Run numbers, so events of a superseded run are ignored.
    let runs = use_mut_ref(|| 0_u64);
    // A share link pasted into this tab only changes the fragment: no reload, so listen.
    {
        let dispatch = dispatch.clone();
        use_effect_with((), move |()| {
            let listener = web_sys::window().map(|window| {
                gloo_events::EventListener::new(&window, "hashchange", move |_| {
                    dispatch.emit(Action::Open(browser::location().1));
                })
            });
            move || drop(listener)
        });
    }

    // Up front, before any run: an embed learns here that its frame was not delegated.
    {
        let dispatch = dispatch.clone();
        let state = state.clone();
        use_effect_with((), move |()| {
            if let Some(url) = crate::local_network::test_url(&state.source).filter(|_| !state.shared) {
                wasm_bindgen_futures::spawn_local(async move {
                    dispatch.emit(Action::Network(browser::network_notice(&url).await));
                });
            }
        });
    }

    let onedit = {
        let dispatch = dispatch.clone();
        Callback::from(move |text: String| {
            dispatch.emit(Action::Edit(text));
            let dispatch = dispatch.clone();
            *validate_timer.borrow_mut() =
                Some(Timeout::new(VALIDATE_DELAY_MS, move || dispatch.emit(Action::Validate)));
        })
    };
    let onload = {
        let dispatch = dispatch.clone();
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
    };
    let ondownload = {
        let state = state.clone();
        let dispatch = dispatch.clone();
        Callback::from(move |()| save(&dispatch, &state.file_name, "application/json", &state.source))
    };
    let onreset = dispatch.reform(|()| Action::Reset);
    let onplan = dispatch.reform(Action::SetPlan);
    let onwithsso = dispatch.reform(Action::SetWithSso);
    let ondismiss = dispatch.reform(|()| Action::DismissNotice);
    let onrun = {
        let state = state.clone();
        let dispatch = dispatch.clone();
        Callback::from(move |kind: RunKind| {
            if !state.can_run(kind) {
                return;
            }
            let Some(suite) = state.suite(kind) else {
                return;
            };
            let run = {
                let mut runs = runs.borrow_mut();
                *runs = runs.max(state.run) + 1;
                *runs
            };
            dispatch.emit(Action::Start { run, kind });
            runner::start(run, suite, state.source.clone(), dispatch.clone());
        })
    };
    let ondownloadjson = {
        let state = state.clone();
        let dispatch = dispatch.clone();
        Callback::from(move |()| save(&dispatch, "kensa-report.json", "application/json", &render::json(&state.report)))
    };
    let ondownloadjunit = {
        let state = state.clone();
        let dispatch = dispatch.clone();
        Callback::from(move |()| save(&dispatch, "kensa-report.xml", "application/xml", &render::junit(&state.report)))
    };

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
                <Header />
            }
            if let Some(text) = &state.notice {
                <Notice text={text.clone()} {ondismiss} />
            }
            // Inline rather than a component of its own: one paragraph, and the bundle is tight.
            if let Some(network) = &state.network {
                <div id="network-notice" class="network-notice" data-permission={network.access.as_str()} role="status">
                    <p>{ network.text() }</p>
                </div>
            }
            if shared {
                <SharedBanner playground={browser::page_url()} />
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
                            {ondownload}
                            {onreset}
                        />
                        <Summary
                            errors={state.count(Severity::Error)}
                            warnings={state.count(Severity::Warning)}
                            stale={!state.validated}
                        />
                        <DiagnosticList diagnostics={state.diagnostics.clone()} />
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
                            {ondownloadjson}
                            {ondownloadjunit}
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
                <Footer />
            }
        </div>
    }
}

/// Offers a download, turning a failure into a notice.
fn save(dispatch: &Callback<Action>, name: &str, mime: &str, text: &str) {
    if let Err(why) = browser::download(name, mime, text) {
        dispatch.emit(Action::Notice(format!("Cannot save {name}: {why}.")));
    }
}
