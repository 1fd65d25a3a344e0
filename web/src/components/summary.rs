use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub(crate) struct SummaryProps {
    pub(crate) errors: usize,
    pub(crate) warnings: usize,
    /// The counts are of an older text: validation waits for typing to pause.
    #[prop_or(false)]
    pub(crate) stale: bool,
}

/// One line on the manifest: valid, or how many errors and warnings.
#[function_component(Summary)]
pub(crate) fn summary(props: &SummaryProps) -> Html {
    let (class, text) = match (props.errors, props.warnings) {
        (0, 0) => ("ok", "valid manifest".to_owned()),
        (0, warnings) => ("warning", format!("valid, {}", plural(warnings, "warning"))),
        (errors, warnings) => {
            ("error", format!("invalid: {}, {}", plural(errors, "error"), plural(warnings, "warning")))
        }
    };
    html! {
        <p class={classes!("summary", class, props.stale.then_some("stale"))} role="status">
            { text }
            if props.stale {
                <span class="checking">{ " (checking…)" }</span>
            }
        </p>
    }
}

fn plural(count: usize, noun: &str) -> String {
    if count == 1 { format!("1 {noun}") } else { format!("{count} {noun}s") }
}
