//! kensa's check engine: the checks Heroku's calls imply, run over host-supplied effects,
//! reported as events while they run and as a [`Report`] at the end.
//!
//! Pure: compiles to wasm32 and never touches the network, clock or file system itself;
//! the host passes a [`Transport`], a [`Clock`] and an [`IdSource`] in, and a
//! [`CallbackReceiver`] where it can listen for a provider's calls back to Heroku.

pub mod catalogue;
mod checks;
mod concurrent;
mod cookies;
pub mod cors;
mod credentials;
pub mod curl;
pub mod docs;
pub mod encoding;
mod engine;
mod event;
mod keys;
pub mod ledger;
mod manifest;
mod read;
mod redact;
pub mod render;
mod report;
mod report_builder;
mod spellings;
mod suite;
pub mod testing;
mod transport;

pub use catalogue::CHECKS;
pub use checks::provision::Provisioned;
pub use checks::sso;
pub use engine::{CheckRun, Effects, Limits, Settings};
pub use event::{Event, EventSink, NoEvents, ResourceEvent};
pub use kensa_manifest::CheckDef;
pub use keys::{ResourceKeys, looks_like_uuid};
pub use ledger::{Ledger, LedgerEntry, Provenance};
pub use redact::{manifest_secrets, redact_secrets};
pub use report::{CheckReport, Exchange, Finding, GroupReport, Outcome, Report, Summary, Timing};
pub use report_builder::ReportBuilder;
pub use suite::{CommandOutcome, DEFAULT_PLAN_CHANGE, Suite};
pub use transport::{
    CallbackCall, CallbackLog, CallbackReceiver, Capabilities, Clock, IdSource, Method, PLATFORM_ACCEPT, Refusal,
    Request, Response, TOKEN_PATH, Transport, TransportError, uuid_v4,
};
