use kensa_checks::Summary;
use yew::prelude::*;

use crate::run::{RunKind, RunStatus};

#[derive(Properties, PartialEq)]
pub(crate) struct RunStatusProps {
    pub(crate) status: RunStatus,
    /// Number of the current (or last) run, as `data-run`: a run that fails at once goes
    /// from idle to done between two looks, so watchers wait for the number instead.
    #[prop_or(0)]
    pub(crate) run: u64,
    pub(crate) running: Option<RunKind>,
    /// The check in progress: code and label.
    pub(crate) current: Option<(String, String)>,
    pub(crate) summary: Summary,
    /// The report came from a share link.
    #[prop_or(false)]
    pub(crate) shared: bool,
}

/// `#run-status`: idle, what is running, or how the run came out.
#[function_component(RunStatusLine)]
pub(crate) fn run_status(props: &RunStatusProps) -> Html {
    let summary = &props.summary;
    let (class, text) = match props.status {
        RunStatus::Idle => ("idle", "Ready. Results appear here as each check finishes.".to_string()),
        RunStatus::Running => {
            let what = props.running.map_or("checks", RunKind::describe);
            let now = match &props.current {
                Some((code, label)) => format!(": {code} {label}"),
                None => String::new(),
            };
            ("running", format!("Running ({what}){now}…"))
        }
        RunStatus::Done if summary.failed + summary.errored > 0 => ("failed", format!("Failed: {}.", counts(summary))),
        RunStatus::Done if summary.total == 0 => ("done", "Done: no checks ran.".to_string()),
        RunStatus::Done => ("passed", format!("Passed: {}.", counts(summary))),
    };
    let text = if props.shared { format!("Shared report. {text}") } else { text };
    html! {
        <p id="run-status" class={classes!("run-status", class)} data-state={props.status.as_str()}
            data-run={props.run.to_string()}
            role="status" aria-live="polite">
            if props.status == RunStatus::Running {
                <span class="spinner" aria-hidden="true"></span>
            }
            { text }
        </p>
    }
}

/// "12 passed, 1 failed, 3 skipped": only the outcomes that occurred.
fn counts(summary: &Summary) -> String {
    let parts: Vec<String> = [
        (summary.passed, "passed"),
        (summary.warnings, "with warnings"),
        (summary.failed, "failed"),
        (summary.errored, "errored"),
        (summary.skipped, "skipped"),
    ]
    .into_iter()
    .filter(|(count, _)| *count > 0)
    .map(|(count, what)| format!("{count} {what}"))
    .collect();
    parts.join(", ")
}
