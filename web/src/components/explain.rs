use kensa_checks::docs::CheckDoc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub(crate) struct ExplainProps {
    pub(crate) doc: CheckDoc,
}

/// What `kensa explain CODE` prints, folded under the check: the same five sections.
#[function_component(Explain)]
pub(crate) fn explain(props: &ExplainProps) -> Html {
    let doc = &props.doc;
    let link = doc.reference.starts_with("https://");
    html! {
        <details class="explain">
            <summary>{ format!("kensa explain {}", doc.code) }</summary>
            <div class="explain-body">
                <p class="explain-title"><code>{ format!("{} {}", doc.code, doc.name) }</code></p>
                <h4>{ "What it checks" }</h4>
                <p>{ doc.what }</p>
                <h4>{ "Why Heroku needs it" }</h4>
                <p>{ doc.why }</p>
                <h4>{ "Example failure" }</h4>
                <pre>{ format!("! {}", doc.example) }</pre>
                <h4>{ "How to fix it" }</h4>
                <p>{ doc.fix }</p>
                <h4>{ "Reference" }</h4>
                <p>
                    if link {
                        <a href={doc.reference} target="_blank" rel="noopener">{ doc.reference }</a>
                    } else {
                        { doc.reference }
                    }
                </p>
            </div>
        </details>
    }
}
