//! The root component: owns the state and wires the components to it.

use kensa_manifest::Severity;
use yew::prelude::*;

use crate::components::diagnostic_list::DiagnosticList;
use crate::components::editor::Editor;
use crate::components::header::Header;
use crate::components::summary::Summary;
use crate::state::{Action, State};

#[function_component(App)]
pub(crate) fn app() -> Html {
    let state = use_reducer(State::default);
    let onedit = {
        let state = state.clone();
        Callback::from(move |source: String| state.dispatch(Action::Edit(source)))
    };
    let onreset = {
        let state = state.clone();
        Callback::from(move |()| state.dispatch(Action::Reset))
    };
    html! {
        <main class="playground">
            <Header {onreset} />
            <Editor value={AttrValue::from(state.source.clone())} {onedit} />
            <Summary errors={state.count(Severity::Error)} warnings={state.count(Severity::Warning)} />
            <DiagnosticList diagnostics={state.diagnostics.clone()} />
        </main>
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use std::time::Duration;

    use wasm_bindgen::JsCast;
    use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
    use web_sys::{Element, Event, EventInit, HtmlTextAreaElement};

    use super::App;
    use crate::state::SAMPLE_MANIFEST;

    // The test needs a DOM, so it never runs under Node.
    wasm_bindgen_test_configure!(run_in_browser);

    const BLANK_ID: &str = r#"li.diagnostic[data-pointer="/id"]"#;

    fn mount() -> Element {
        let document = web_sys::window().and_then(|window| window.document()).expect("a document");
        let root = document.create_element("div").expect("a div");
        document.body().expect("a body").append_child(&root).expect("the div in the body");
        yew::Renderer::<App>::with_root(root.clone()).render();
        root
    }

    fn present(root: &Element, selector: &str) -> bool {
        root.query_selector(selector).expect("a valid selector").is_some()
    }

    /// Yew renders on its scheduler, so wait (up to about 2 s) for the DOM to settle.
    async fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
        for _ in 0..100 {
            if done() {
                return;
            }
            yew::platform::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("timed out waiting until {what}");
    }

    /// Types `text` the way a user does: set the value, then fire a bubbling `input` event.
    fn type_into(area: &HtmlTextAreaElement, text: &str) {
        area.set_value(text);
        let init = EventInit::new();
        init.set_bubbles(true);
        let event = Event::new_with_event_init_dict("input", &init).expect("an input event");
        area.dispatch_event(&event).expect("the event dispatched");
    }

    #[wasm_bindgen_test]
    async fn editing_the_manifest_shows_and_clears_diagnostics() {
        let root = mount();
        wait_until("the editor is rendered", || present(&root, "textarea")).await;
        let heading = root.query_selector("h1").expect("a valid selector");
        assert_eq!(heading.and_then(|h1| h1.text_content()).as_deref(), Some("kensa playground"));
        let area: HtmlTextAreaElement = root
            .query_selector("textarea")
            .expect("a valid selector")
            .expect("the editor")
            .dyn_into()
            .expect("a textarea");
        assert_eq!(area.value(), SAMPLE_MANIFEST);
        assert!(!present(&root, "li.diagnostic.error"));

        type_into(&area, &SAMPLE_MANIFEST.replacen(r#""id": "myaddon""#, r#""id": """#, 1));
        wait_until("the blank id is reported", || present(&root, BLANK_ID)).await;
        assert!(present(&root, ".summary.error"));

        type_into(&area, SAMPLE_MANIFEST);
        wait_until("the diagnostic is gone", || !present(&root, BLANK_ID)).await;
        assert!(present(&root, ".summary.ok") || present(&root, ".summary.warning"));
    }
}
