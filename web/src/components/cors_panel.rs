use yew::prelude::*;

use crate::diagnosis::{Diagnosis, Kind};
use crate::local_network::Access;

#[derive(Properties, PartialEq)]
pub(crate) struct CorsPanelProps {
    pub(crate) diagnosis: Diagnosis,
}

/// Why the browser got no answer from a provider, and what to change: the CORS headers
/// (for the preflight too), a proxy, or the address.
#[function_component(CorsPanel)]
pub(crate) fn cors_panel(props: &CorsPanelProps) -> Html {
    let diagnosis = &props.diagnosis;
    let provider = &diagnosis.provider;
    let body = match diagnosis.kind {
        Kind::Cors => html! {
            <>
                <h2>{ "The provider does not allow this page's origin (CORS)" }</h2>
                if diagnosis.preflight_only {
                    <p>
                        <code>{ provider }</code>
                        { " allows simple requests from " }<code>{ &diagnosis.page_origin }</code>
                        { ", yet the calls failed. Either its answer to the preflight does not allow the \
                           method or the headers below, or it closed the connection." }
                    </p>
                } else {
                    <p>
                        <code>{ provider }</code>
                        { " answers, but without CORS headers, so the browser hides its answers from this page (" }
                        <code>{ &diagnosis.page_origin }</code>{ ")." }
                    </p>
                }
                <h3>{ "Send on every answer" }</h3>
                <pre class="headers">{ diagnosis.response_headers() }</pre>
                <p class="aside">{ "(" }<code>{ "*" }</code>{ " also works: the calls carry no cookies.)" }</p>
                <h3>{ "Answer the preflight" }</h3>
                <p>
                    { "The calls carry " }<code>{ "Authorization" }</code>
                    { " and a JSON " }<code>{ "Content-Type" }</code>
                    { ", so the browser first sends " }<code>{ "OPTIONS" }</code>{ " to the same URL. Answer it with:" }
                </p>
                <pre class="headers">{ diagnosis.preflight_headers() }</pre>
                <h3>{ "Or leave the provider as it is" }</h3>
                <p>{ "Run a local proxy that adds these headers:" }</p>
                <pre class="command">{ diagnosis.proxy_command() }</pre>
                <p>
                    { "and point the manifest's test URLs at " }<code>{ diagnosis.proxy_origin() }</code>{ "." }
                </p>
            </>
        },
        Kind::Unreachable => html! {
            <>
                <h2>{ "The provider is not reachable" }</h2>
                <p>
                    { "Nothing answered at " }<code>{ provider }</code>
                    { ". Check that the provider is running and that the manifest's test URLs (" }
                    <code>{ "api.test" }</code>{ ") point at it." }
                </p>
                if diagnosis.access == Some(Access::Prompt) {
                    // Firefox answers "prompt" even after its prompt was refused.
                    <p class="aside">
                        { "If the browser asked whether this site may reach your device (Local network access), \
                           allow it and run again." }
                    </p>
                }
                if diagnosis.isolated {
                    <p class="aside">
                        { "This page is cross-origin isolated, so a running provider also looks unreachable unless \
                           it sends " }
                        <code>{ "Cross-Origin-Resource-Policy: cross-origin" }</code>{ "." }
                    </p>
                }
            </>
        },
        Kind::MixedContent => html! {
            <>
                <h2>{ "This https page cannot call an http provider" }</h2>
                <p>
                    { "Browsers block calls from an https page (" }<code>{ &diagnosis.page_origin }</code>
                    { ") to an http address (" }<code>{ provider }</code>
                    { "): mixed content. Serve the provider over https, or open the playground over http, \
                       for example next to the provider on your machine." }
                </p>
            </>
        },
        // The reason already says the fix, one sentence.
        Kind::PermissionDenied | Kind::NotDelegated | Kind::Tls => {
            let title = match diagnosis.kind {
                Kind::Tls => "The https connection to the provider failed",
                _ => "The browser did not let this page reach the provider",
            };
            // The reason starts with an ASCII letter; `to_uppercase` would bring Unicode tables.
            let mut reason = diagnosis.reason();
            if let Some(first) = reason.get_mut(..1) {
                first.make_ascii_uppercase();
            }
            html! {
                <>
                    <h2>{ title }</h2>
                    <p>{ reason }{ "." }</p>
                </>
            }
        }
    };
    html! {
        <section class="cors-diagnosis" data-kind={diagnosis.kind.as_str()} role="alert">
            { body }
        </section>
    }
}
