use yew::prelude::*;

/// One line on the manifest: valid, or how many errors and warnings.
/// `stale`: the counts are of an older text, since validation waits for typing to pause.
pub(crate) fn summary(errors: usize, warnings: usize, stale: bool) -> Html {
    let (class, text) = match (errors, warnings) {
        (0, 0) => ("ok", "valid manifest".to_owned()),
        (0, warnings) => ("warning", format!("valid, {}", plural(warnings, "warning"))),
        (errors, warnings) => {
            ("error", format!("invalid: {}, {}", plural(errors, "error"), plural(warnings, "warning")))
        }
    };
    html! {
        <p class={classes!("summary", class, stale.then_some("stale"))} role="status">
            { text }
            if stale {
                <span class="checking">{ " (checking…)" }</span>
            }
        </p>
    }
}

fn plural(count: usize, noun: &str) -> String {
    if count == 1 { format!("1 {noun}") } else { format!("{count} {noun}s") }
}
