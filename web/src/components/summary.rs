use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub(crate) struct SummaryProps {
    pub(crate) errors: usize,
    pub(crate) warnings: usize,
}

#[function_component(Summary)]
pub(crate) fn summary(props: &SummaryProps) -> Html {
    let (class, text) = match (props.errors, props.warnings) {
        (0, 0) => ("summary ok", "valid manifest".to_owned()),
        (0, warnings) => ("summary warning", format!("valid, {}", plural(warnings, "warning"))),
        (errors, warnings) => {
            ("summary error", format!("invalid: {}, {}", plural(errors, "error"), plural(warnings, "warning")))
        }
    };
    html! { <p {class} role="status">{ text }</p> }
}

fn plural(count: usize, noun: &str) -> String {
    if count == 1 { format!("1 {noun}") } else { format!("{count} {noun}s") }
}
