use yew::prelude::*;

/// Where the checks come from and how to run them locally (left out in embed mode).
pub(crate) fn footer() -> Html {
    html! {
        <footer class="footer">
            <p>
                { "The checks are kensa's own, compiled to WebAssembly: the same engine as " }
                <code>{ "kensa test" }</code>
                { ". A browser cannot see cookies, follow redirects itself or receive callbacks, so those \
                   checks are skipped here with the reason; run " }
                <code>{ "kensa test all --with-sso" }</code>
                { " for the full set. Try " }
                <code>{ "kensa explain CODE" }</code>
                { " for any check." }
            </p>
        </footer>
    }
}
