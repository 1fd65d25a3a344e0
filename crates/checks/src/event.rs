//! Progress while checks run, so the CLI prints as it goes and the web app updates live.

use crate::keys::ResourceKeys;
use crate::report::CheckReport;

/// Something that happened during a run.
#[derive(Clone, Copy, Debug)]
pub enum Event<'a> {
    GroupStarted {
        heading: &'a str,
        /// The heading with the resource's key as a placeholder (see [`crate::GroupReport`]).
        route: Option<&'a str>,
    },
    CheckStarted {
        code: &'a str,
        label: &'a str,
    },
    CheckFinished {
        check: &'a CheckReport,
    },
    /// A line for the user that belongs to no check, such as "Starting env".
    Message {
        text: &'a str,
    },
    /// The provider made, changed or removed a resource: what a host's ledger records
    /// ([`crate::Ledger::apply`]).
    Resource(&'a ResourceEvent),
}

/// A change to the resources the provider holds because of this run. Owned, so a host that
/// must keep it (the playground's reducer) clones it rather than copying it into a type of
/// its own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResourceEvent {
    /// A provision succeeded: the resource exists until deprovisioned. `id` is the uuid
    /// again when the answer gave no usable id (v3 calls need only the uuid). `region` is the
    /// request form it was sent, such as `amazon-web-services::us-east-1`.
    Provisioned { uuid: String, id: String, plan: String, region: String },
    /// A plan change was accepted.
    PlanChanged { keys: ResourceKeys, plan: String },
    /// A deprovision succeeded (or the resource was already gone).
    Deprovisioned { keys: ResourceKeys },
}

/// Receives events as they happen.
pub trait EventSink {
    fn event(&mut self, event: Event<'_>);
}

/// Ignores every event.
pub struct NoEvents;

impl EventSink for NoEvents {
    fn event(&mut self, _: Event<'_>) {}
}

impl<F: FnMut(Event<'_>)> EventSink for F {
    fn event(&mut self, event: Event<'_>) {
        self(event);
    }
}
