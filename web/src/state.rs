//! The playground's state: the manifest text and what validation says about it.
//!
//! Every change goes through [`Action`] and the pure [`State::apply`], so the logic is
//! tested on the host without a DOM.

use std::rc::Rc;

use kensa_manifest::{Diagnostic, Severity};
use yew::Reducible;

/// What the editor starts with: a valid v3 manifest in the object form, pointing at a
/// provider on localhost as `kensa init` does.
pub(crate) const SAMPLE_MANIFEST: &str = r#"{
  "id": "myaddon",
  "name": "MyAddon",
  "api": {
    "config_vars": ["MYADDON_URL"],
    "password": "8d1b1ba3a44e4d9e1e6b4d0b5f2c9a7e",
    "sso_salt": "0f3c6a2e9b7d4c1a8e5f2b9d6c3a0e7f",
    "regions": ["us"],
    "requires": [],
    "production": {
      "base_url": "https://myaddon.example.com/heroku/resources",
      "sso_url": "https://myaddon.example.com/sso/login"
    },
    "test": {
      "base_url": "http://localhost:4567/heroku/resources",
      "sso_url": "http://localhost:4567/sso/login"
    },
    "version": "3"
  }
}
"#;

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct State {
    /// The manifest text exactly as typed.
    pub(crate) source: String,
    /// Diagnostics for `source`, in the order validation reported them.
    pub(crate) diagnostics: Rc<[Diagnostic]>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Action {
    /// The user changed the manifest text.
    Edit(String),
    /// Go back to the sample manifest.
    Reset,
}

impl State {
    pub(crate) fn new(source: String) -> Self {
        let diagnostics = kensa_manifest::validate(source.as_bytes()).diagnostics().cloned().collect();
        Self { source, diagnostics }
    }

    /// The reducer: the state after `action`. Validation reruns on every edit, which is
    /// cheap for a file this size and keeps the list in step with the text.
    pub(crate) fn apply(&self, action: Action) -> Self {
        match action {
            Action::Edit(source) if source == self.source => self.clone(),
            Action::Edit(source) => Self::new(source),
            Action::Reset => Self::default(),
        }
    }

    pub(crate) fn count(&self, severity: Severity) -> usize {
        self.diagnostics.iter().filter(|diagnostic| diagnostic.severity == severity).count()
    }
}

impl Default for State {
    fn default() -> Self {
        Self::new(SAMPLE_MANIFEST.to_owned())
    }
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        Rc::new(self.apply(action))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pointers(state: &State) -> Vec<&str> {
        state.diagnostics.iter().map(|diagnostic| diagnostic.pointer.as_str()).collect()
    }

    #[test]
    fn sample_manifest_has_no_errors() {
        let state = State::default();
        assert_eq!(state.source, SAMPLE_MANIFEST);
        assert_eq!(state.count(Severity::Error), 0, "{:?}", state.diagnostics);
    }

    #[test]
    fn edit_revalidates_the_new_text() {
        let blank_id = SAMPLE_MANIFEST.replacen(r#""id": "myaddon""#, r#""id": """#, 1);
        let state = State::default().apply(Action::Edit(blank_id.clone()));
        assert_eq!(state.source, blank_id);
        assert!(state.count(Severity::Error) > 0);
        assert!(pointers(&state).iter().any(|pointer| pointer.starts_with("/id")), "{:?}", pointers(&state));
    }

    #[test]
    fn edit_with_invalid_json_reports_a_position() {
        let state = State::default().apply(Action::Edit("{\n  \"id\": ".to_owned()));
        assert!(state.count(Severity::Error) > 0);
        assert!(state.diagnostics.iter().any(|diagnostic| diagnostic.position.is_some()), "{:?}", state.diagnostics);
    }

    #[test]
    fn edit_with_the_same_text_keeps_the_state() {
        let state = State::default();
        assert_eq!(state.apply(Action::Edit(SAMPLE_MANIFEST.to_owned())), state);
    }

    #[test]
    fn reset_restores_the_sample() {
        let edited = State::default().apply(Action::Edit(String::new()));
        assert_ne!(edited.source, SAMPLE_MANIFEST);
        assert_eq!(edited.apply(Action::Reset), State::default());
    }
}
