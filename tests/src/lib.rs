//! Helpers for kensa's end-to-end tests, one module per job: `kensa` (the binary, built once,
//! and a runner that never hangs), `provider` (the reference provider started in process
//! with a matching manifest), `reports` (reading reports back), `junit` (a small JUnit XML
//! checker), `github` (GitHub workflow commands read as the runner reads them), `har` (a
//! strict HAR 1.2 reader) and `recorder` (a provider that shows what kensa put on the wire);
//! `hostile` and `plain` are
//! providers written to misbehave and to be plain, `hostile_slow` ones that answer slowly. The wire helpers underneath (the scriptable server, the request it
//! records, the raw client, HTML forms) are `kensa_testkit`'s, re-exported here with the
//! rest: the tests import everything from this crate.
//!
//! Every helper panics with a readable message instead of returning errors: they only run
//! inside tests.
#![allow(
    clippy::disallowed_methods,
    reason = "host-side test harness: runs processes, reads files and the environment, waits"
)]

mod github;
mod har;
pub mod hostile;
pub mod hostile_echo;
pub mod hostile_files;
pub mod hostile_invisible;
pub mod hostile_keys;
pub mod hostile_slow;
mod junit;
mod kensa;
pub mod plain;
mod provider;
mod recorder;
mod reports;
pub mod snapshot;

pub use github::{Annotation, Github, parse_github};
pub use har::{HarEntry, parse_har};
pub use junit::{Junit, parse_junit};
pub use kensa::{DEFAULT_TIMEOUT, Kensa, Run, Spawned, kensa_binary, workspace_root};
pub use kensa_checks::{CheckReport, Outcome, Report, Summary};
pub use kensa_provider::{Fault, Faults, ProviderOptions, Resource, RunningProvider};
pub use kensa_testkit::{HttpRequest, HttpResponse, Recorded, form_encode, form_fields, hidden_form, http};
pub use provider::{Provider, SSO_SALT, async_options, callback_port, free_port, options, write_json};
pub use recorder::Recorder;
pub use reports::{check, checks, messages, text};
