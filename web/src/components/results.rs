use std::rc::Rc;

use kensa_checks::Report;
use yew::prelude::*;

use crate::components::check_row::CheckRow;

#[derive(Properties, PartialEq)]
pub(crate) struct ResultsProps {
    pub(crate) report: Rc<Report>,
    /// The check in progress: code and label.
    pub(crate) current: Option<(String, String)>,
    /// Lines the engine printed outside any check.
    pub(crate) messages: Vec<String>,
}

/// `table#results`: one `tbody` per group, one `tr.check` per check, as they arrive.
#[function_component(Results)]
pub(crate) fn results(props: &ResultsProps) -> Html {
    let groups = props.report.groups.iter().enumerate().map(|(index, group)| {
        let last = index + 1 == props.report.groups.len();
        html! {
            <tbody class="group">
                <tr class="group-heading">
                    <th colspan="3" scope="rowgroup">{ "Testing " }{ &group.heading }</th>
                </tr>
                { for group.checks.iter().map(|check| html! { <CheckRow check={check.clone()} /> }) }
                if last {
                    { pending(props.current.as_ref()) }
                }
            </tbody>
        }
    });
    let empty = props.report.groups.is_empty();
    html! {
        <>
            <table id="results" class="results">
                <caption class="visually-hidden">{ "Check results" }</caption>
                <thead>
                    <tr>
                        <th scope="col" class="col-outcome">{ "Result" }</th>
                        <th scope="col" class="col-check">{ "Check" }</th>
                        <th scope="col" class="col-time">{ "Time" }</th>
                    </tr>
                </thead>
                { for groups }
                if empty {
                    <tbody class="group">
                        if props.current.is_some() {
                            { pending(props.current.as_ref()) }
                        } else {
                            <tr class="empty"><td colspan="3">{ "No results yet: press a run button." }</td></tr>
                        }
                    </tbody>
                }
            </table>
            if !props.messages.is_empty() {
                <ul class="messages" aria-label="Messages from the run">
                    { for props.messages.iter().map(|message| html! { <li>{ message }</li> }) }
                </ul>
            }
        </>
    }
}

/// The row of the check that is running now.
fn pending(current: Option<&(String, String)>) -> Html {
    let Some((code, label)) = current else {
        return Html::default();
    };
    html! {
        <tr class="pending" aria-busy="true">
            <td class="col-outcome"><span class="outcome running">{ "RUN" }</span></td>
            <td class="col-check" colspan="2">
                <span class="label">{ label }</span>{ " " }<code class="code">{ code }</code>{ "…" }
            </td>
        </tr>
    }
}
