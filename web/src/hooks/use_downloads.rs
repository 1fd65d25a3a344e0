use kensa_checks::render;
use yew::prelude::*;

use crate::browser;
use crate::state::{Action, State};

/// The page's downloads: the manifest as typed, the report as JSON and as JUnit XML, and
/// the run's exchanges as HAR.
pub(crate) struct Downloads {
    pub(crate) manifest: Callback<()>,
    pub(crate) json: Callback<()>,
    pub(crate) junit: Callback<()>,
    pub(crate) har: Callback<()>,
}

/// Each download offered from the state as it is when pressed; a failure becomes a notice.
#[hook]
pub(crate) fn use_downloads(state: UseReducerHandle<State>, dispatch: Callback<Action>) -> Downloads {
    let offer = move |make: fn(&State) -> (String, &'static str, String)| {
        let (state, dispatch) = (state.clone(), dispatch.clone());
        Callback::from(move |()| {
            let (name, mime, text) = make(&state);
            if let Err(why) = browser::download(&name, mime, &text) {
                dispatch.emit(Action::Notice(format!("Cannot save {name}: {why}.")));
            }
        })
    };
    Downloads {
        manifest: offer(|state| (state.file_name.clone(), "application/json", state.source.clone())),
        json: offer(|state| ("kensa-report.json".to_string(), "application/json", render::json(&state.report))),
        junit: offer(|state| ("kensa-report.xml".to_string(), "application/xml", render::junit(&state.report))),
        har: offer(|state| ("kensa-run.har".to_string(), "application/json", render::har(&state.report))),
    }
}
