use kensa_manifest::Diagnostic;
use yew::prelude::*;

pub(crate) fn diagnostic_item(diagnostic: &Diagnostic) -> Html {
    let severity = diagnostic.severity.to_string();
    let location = diagnostic.position.map(|position| format!("{}:{}", position.line, position.column));
    html! {
        // data-* attributes let tests and styles find a diagnostic without parsing its text.
        <li
            class={classes!("diagnostic", severity.clone())}
            data-code={diagnostic.code.clone()}
            data-pointer={diagnostic.pointer.clone()}
        >
            <span class="severity">{ severity }</span>
            <code class="code">{ &diagnostic.code }</code>
            if !diagnostic.pointer.is_empty() {
                <code class="pointer">{ &diagnostic.pointer }</code>
            }
            if let Some(location) = location {
                <span class="location">{ location }</span>
            }
            <span class="message">{ &diagnostic.message }</span>
            if let Some(hint) = &diagnostic.hint {
                <p class="hint">{ "hint: " }{ hint }</p>
            }
        </li>
    }
}
