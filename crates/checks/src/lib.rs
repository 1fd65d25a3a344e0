//! kensa's check engine: the checks Heroku's calls imply, run over host-supplied effects,
//! reported as events while they run and as a [`Report`] at the end.
//!
//! Pure: compiles to wasm32 and never touches the network, clock or file system itself.

mod event;
mod manifest;
pub mod render;
mod report;

pub use event::{Event, EventSink, NoEvents};
pub use manifest::check_manifest;
pub use report::{CheckReport, Exchange, Finding, GroupReport, Outcome, Report, Summary};
