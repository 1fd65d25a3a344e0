use kensa_checks::{CheckReport, Outcome, docs};
use kensa_manifest::Severity;
use yew::prelude::*;

use crate::components::exchange_view::exchange_view;
use crate::components::explain::explain;

#[derive(Properties, PartialEq)]
pub(crate) struct CheckRowProps {
    pub(crate) check: CheckReport,
}

/// One check: its outcome as text and colour, what it found, expected against got, why it
/// was skipped, how long it took, and (folded) its HTTP exchanges and the `kensa explain` text.
#[function_component(CheckRow)]
pub(crate) fn check_row(props: &CheckRowProps) -> Html {
    let check = &props.check;
    let outcome = check.outcome.name();
    let doc = matches!(check.outcome, Outcome::Failed | Outcome::Errored | Outcome::Warning)
        .then(|| docs::doc(&check.code))
        .flatten();
    let exchanges = check.exchanges.len();
    // Most findings already say "expected X, got Y"; repeat the pair only when none does.
    let versus = match (&check.expected, &check.got) {
        (Some(expected), Some(got)) => {
            let said = format!("expected {expected}, got {got}");
            !check.findings.iter().any(|finding| finding.message.contains(&said))
        }
        (None, None) => false,
        _ => true,
    };
    let exchanges_label =
        if exchanges == 1 { "HTTP exchange".to_string() } else { format!("{exchanges} HTTP exchanges") };
    html! {
        <tr class={classes!("check", outcome)} data-code={check.code.clone()} data-outcome={outcome}>
            <td class="col-outcome">
                <span class={classes!("outcome", outcome)}>{ check.outcome.tag() }</span>
            </td>
            <td class="col-check">
                <span class="title">
                    <span class="label">{ &check.label }</span>
                    { " " }
                    <code class="code" title={check.name.clone()}>{ &check.code }</code>
                    if let Some(note) = &check.note {
                        { " " }<span class="note">{ note }</span>
                    }
                </span>
                if !check.findings.is_empty() {
                    <ul class="findings">
                        { for check.findings.iter().map(|finding| {
                            let severity = if finding.severity == Severity::Error { "error" } else { "warning" };
                            html! {
                                <li class={classes!("finding", severity)}>
                                    { &finding.message }
                                    if let Some(pointer) = &finding.pointer {
                                        { " " }<code class="pointer">{ pointer }</code>
                                    }
                                    if let Some(position) = &finding.position {
                                        { " " }<span class="location">{ format!("line {}", position.line) }</span>
                                    }
                                    if let Some(hint) = &finding.hint {
                                        <span class="hint">{ "hint: " }{ hint }</span>
                                    }
                                </li>
                            }
                        }) }
                    </ul>
                }
                if versus {
                    <p class="versus">
                        if let Some(expected) = &check.expected {
                            <span class="expected">{ "expected " }<code>{ expected }</code></span>
                        }
                        if let Some(got) = &check.got {
                            <span class="got">{ "got " }<code>{ got }</code></span>
                        }
                    </p>
                }
                if let Some(reason) = &check.reason {
                    <p class="reason">{ reason }</p>
                }
                if exchanges > 0 {
                    <details class="exchanges">
                        <summary>{ exchanges_label }</summary>
                        { for check.exchanges.iter().map(exchange_view) }
                    </details>
                }
                if let Some(doc) = doc {
                    { explain(&doc) }
                }
            </td>
            <td class="col-time">
                if let Some(ms) = check.duration_ms { { duration(ms) } }
            </td>
        </tr>
    }
}

fn duration(ms: u64) -> String {
    if ms < 1000 { format!("{ms} ms") } else { kensa_checks::encoding::seconds(ms) }
}
