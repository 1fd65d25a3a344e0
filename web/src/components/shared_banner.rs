use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub(crate) struct SharedBannerProps {
    /// The playground without the shared report.
    pub(crate) playground: AttrValue,
}

/// Says that the results came from a share link and cannot be rerun here.
#[function_component(SharedBanner)]
pub(crate) fn shared_banner(props: &SharedBannerProps) -> Html {
    html! {
        <div class="shared-banner" role="note">
            <p>
                <strong>{ "Shared report, read-only." }</strong>
                { " It was carried in this link, not stored anywhere. " }
                <a href={props.playground.clone()}>{ "Open the playground" }</a>
                { " to run the checks yourself." }
            </p>
        </div>
    }
}
