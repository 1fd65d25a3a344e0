use yew::prelude::*;

/// Says that the results came from a share link and cannot be rerun here.
pub(crate) fn shared_banner(playground: String) -> Html {
    html! {
        <div class="shared-banner" role="note">
            <p>
                <strong>{ "Shared report, read-only." }</strong>
                { " It was carried in this link, not stored anywhere. " }
                <a href={playground}>{ "Open the playground" }</a>
                { " to run the checks yourself." }
            </p>
        </div>
    }
}
