use kensa_checks::Exchange;
use yew::prelude::*;

/// One request and its answer, as HTTP text (secrets were redacted by the engine).
pub(crate) fn exchange_view(exchange: &Exchange) -> Html {
    let answer = match (exchange.status, &exchange.error) {
        (Some(status), _) => status.to_string(),
        (None, Some(_)) => "no answer".to_string(),
        (None, None) => "?".to_string(),
    };
    html! {
        <div class="exchange">
            <p class="request-line">
                <code>{ format!("{} {}", exchange.method, exchange.url) }</code>
                { " \u{2192} " }
                <strong class={classes!("status", exchange.status.map(status_class))}>{ answer }</strong>
            </p>
            <pre class="request" aria-label="request">
                { message(&exchange.request_headers, exchange.request_body.as_deref()) }
            </pre>
            if exchange.status.is_some() {
                <pre class="response" aria-label="response">
                    { message(&exchange.response_headers, exchange.response_body.as_deref()) }
                </pre>
            }
            if let Some(error) = &exchange.error {
                <p class="exchange-error">{ error }</p>
            }
        </div>
    }
}

/// Headers, a blank line and the body, as on the wire.
fn message(headers: &[(String, String)], body: Option<&str>) -> String {
    let mut text: String = headers.iter().map(|(name, value)| format!("{name}: {value}\n")).collect();
    match body {
        Some(body) if !body.is_empty() => {
            text.push('\n');
            text.push_str(body);
        }
        _ if text.is_empty() => text.push_str("(no headers, no body)"),
        _ => {}
    }
    text
}

fn status_class(status: u16) -> &'static str {
    match status {
        200..=299 => "ok",
        300..=399 => "redirect",
        _ => "bad",
    }
}
