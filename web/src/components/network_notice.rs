use yew::prelude::*;

use crate::local_network::NetworkNotice;

#[derive(Properties, PartialEq)]
pub(crate) struct NetworkNoticeProps {
    pub(crate) notice: NetworkNotice,
}

/// What Local Network Access will do to the run's requests, shown before they go out.
#[function_component(NetworkNoticeBar)]
pub(crate) fn network_notice(props: &NetworkNoticeProps) -> Html {
    let notice = &props.notice;
    html! {
        <div id="network-notice" class="network-notice" data-permission={notice.access.as_str()} role="status">
            <p>{ notice.text() }</p>
        </div>
    }
}
