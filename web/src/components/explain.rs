use kensa_checks::docs::CheckDoc;
use yew::prelude::*;

/// What `kensa explain CODE` prints, folded under the check: the same five sections.
pub(crate) fn explain(doc: &CheckDoc) -> Html {
    let def = doc.def;
    let link = def.reference.starts_with("https://");
    html! {
        <details class="explain">
            <summary>{ format!("kensa explain {}", def.code) }</summary>
            <div class="explain-body">
                <p class="explain-title"><code>{ format!("{} {}", def.code, def.name) }</code></p>
                <h4>{ "What it checks" }</h4>
                <p>{ def.summary }</p>
                <h4>{ "Why Heroku needs it" }</h4>
                <p>{ def.why }</p>
                <h4>{ "Example failure" }</h4>
                <pre>{ format!("! {}", def.example) }</pre>
                <h4>{ "How to fix it" }</h4>
                <p>{ def.fix }</p>
                <h4>{ "Reference" }</h4>
                <p>
                    if link {
                        <a href={def.reference} target="_blank" rel="noopener">{ def.reference }</a>
                    } else {
                        { def.reference }
                    }
                </p>
            </div>
        </details>
    }
}
