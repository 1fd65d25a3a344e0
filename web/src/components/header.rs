use yew::prelude::*;

/// The page's title and what it is for (left out in embed mode).
pub(crate) fn header() -> Html {
    html! {
        <header class="header">
            <h1>{ "kensa playground" }</h1>
            <p class="tagline">
                { "Test a Heroku add-on provider from your browser: edit its manifest, then run the calls \
                   Heroku makes against the service in the manifest's test URLs. Nothing is sent anywhere else." }
            </p>
        </header>
    }
}
