use yew::prelude::*;

use crate::browser;
use crate::state::Action;

/// A share link pasted into this tab only changes the fragment: no reload, so listen, and
/// open what the new fragment holds.
#[hook]
pub(crate) fn use_hash_change(dispatch: Callback<Action>) {
    use_effect_with((), move |()| {
        let listener = web_sys::window().map(|window| {
            gloo_events::EventListener::new(&window, "hashchange", move |_| {
                dispatch.emit(Action::Open(browser::location().1));
            })
        });
        move || drop(listener)
    });
}
