use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub(crate) struct ReportBarProps {
    /// A finished report exists to download.
    pub(crate) ready: bool,
    /// The share link, once there is a finished report.
    pub(crate) share_url: Option<AttrValue>,
    pub(crate) ondownloadjson: Callback<()>,
    pub(crate) ondownloadjunit: Callback<()>,
    pub(crate) ondownloadhar: Callback<()>,
}

/// Downloads of the finished report (JSON, JUnit, HAR) and its share link.
#[function_component(ReportBar)]
pub(crate) fn report_bar(props: &ReportBarProps) -> Html {
    let onjson = props.ondownloadjson.reform(|_: MouseEvent| ());
    let onjunit = props.ondownloadjunit.reform(|_: MouseEvent| ());
    let onhar = props.ondownloadhar.reform(|_: MouseEvent| ());
    html! {
        <div class="report-bar" role="group" aria-label="Report">
            <button type="button" id="download-json" class="quiet" disabled={!props.ready} onclick={onjson}
                title="The report as kensa --format json writes it">
                { "Download JSON" }
            </button>
            <button type="button" id="download-junit" class="quiet" disabled={!props.ready} onclick={onjunit}
                title="The report as kensa --format junit writes it">
                { "Download JUnit" }
            </button>
            <button type="button" id="download-har" class="quiet" disabled={!props.ready} onclick={onhar}
                title="Every exchange, as kensa --har writes it">
                { "Download HAR" }
            </button>
            if let Some(url) = &props.share_url {
                <a id="share-link" class="share" href={url.clone()} target="_blank" rel="noopener"
                    title="The report travels inside this link; no server stores it">
                    { "Share link" }
                </a>
            }
        </div>
    }
}
