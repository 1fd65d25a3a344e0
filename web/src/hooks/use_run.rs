use yew::prelude::*;

use crate::engine_task;
use crate::run::RunKind;
use crate::state::{Action, State};

/// The run buttons' `onrun`: a press starts a run numbered above every earlier one (so
/// events of a superseded run are ignored) on the state's validation, when the button can
/// be pressed.
#[hook]
pub(crate) fn use_run(state: UseReducerHandle<State>, dispatch: Callback<Action>) -> Callback<RunKind> {
    let runs = use_mut_ref(|| 0_u64);
    Callback::from(move |kind: RunKind| {
        let run = runs.borrow().max(state.run) + 1;
        let Some(launch) = state.launch(run, kind) else {
            return;
        };
        *runs.borrow_mut() = run;
        dispatch.emit(launch.start);
        engine_task::start(run, launch.suite, launch.validation, dispatch.clone());
    })
}
