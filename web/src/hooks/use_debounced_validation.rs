use gloo_timers::callback::Timeout;
use yew::prelude::*;

use crate::state::Action;

/// Validation runs once typing has paused this long.
const VALIDATE_DELAY_MS: u32 = 250;

/// The editor's `onedit`: each edit is kept at once and validated once typing pauses (a
/// new edit cancels the validation still waiting).
#[hook]
pub(crate) fn use_debounced_validation(dispatch: Callback<Action>) -> Callback<String> {
    let waiting = use_mut_ref(|| None::<Timeout>);
    Callback::from(move |text: String| {
        dispatch.emit(Action::Edit(text));
        let dispatch = dispatch.clone();
        *waiting.borrow_mut() = Some(Timeout::new(VALIDATE_DELAY_MS, move || dispatch.emit(Action::Validate)));
    })
}
