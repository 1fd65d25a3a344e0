//! What a run is: the buttons that start one ([`RunKind`]; each starts the engine's
//! [`kensa_checks::Suite`] of that name), where it stands ([`RunStatus`]) and the engine's
//! events, owned, as they travel to the state ([`RunEvent`]).

use kensa_checks::{CheckReport, Event, ResourceEvent};

/// The run buttons.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RunKind {
    Manifest,
    Provision,
    PlanChange,
    Deprovision,
    Sso,
    All,
}

impl RunKind {
    pub(crate) const ALL: [RunKind; 6] =
        [RunKind::Manifest, RunKind::Provision, RunKind::PlanChange, RunKind::Deprovision, RunKind::Sso, RunKind::All];

    /// The button's id: `run-manifest`, `run-provision`, ...
    pub(crate) fn id(self) -> &'static str {
        match self {
            RunKind::Manifest => "run-manifest",
            RunKind::Provision => "run-provision",
            RunKind::PlanChange => "run-planchange",
            RunKind::Deprovision => "run-deprovision",
            RunKind::Sso => "run-sso",
            RunKind::All => "run-all",
        }
    }

    pub(crate) fn label(self) -> &'static str {
        match self {
            RunKind::Manifest => "Manifest",
            RunKind::Provision => "Provision",
            RunKind::PlanChange => "Plan change",
            RunKind::Deprovision => "Deprovision",
            RunKind::Sso => "SSO",
            RunKind::All => "Run all",
        }
    }

    /// What the run does, for the button's tooltip and the status line.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            RunKind::Manifest => "validate the manifest",
            RunKind::Provision => "provision a resource",
            RunKind::PlanChange => "change the provisioned resource's plan",
            RunKind::Deprovision => "deprovision the provisioned resource",
            RunKind::Sso => "sign in to the provisioned resource",
            RunKind::All => "manifest, provision, plan change and deprovision",
        }
    }

    /// Whether the run acts on the resource the last provision created.
    pub(crate) fn needs_resource(self) -> bool {
        matches!(self, RunKind::PlanChange | RunKind::Deprovision | RunKind::Sso)
    }
}

/// `#run-status[data-state]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RunStatus {
    Idle,
    Running,
    Done,
}

impl RunStatus {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            RunStatus::Idle => "idle",
            RunStatus::Running => "running",
            RunStatus::Done => "done",
        }
    }
}

/// An engine [`Event`], owned, so it can travel in an [`Action`].
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum RunEvent {
    Group {
        heading: String,
        route: Option<String>,
    },
    CheckStarted {
        code: String,
        label: String,
    },
    CheckFinished(Box<CheckReport>),
    Message(String),
    /// The engine's resource event, and when it happened (for a new ledger entry).
    Resource {
        event: ResourceEvent,
        at_ms: u64,
    },
}

impl RunEvent {
    /// The engine's `event`, owned; `now_ms` dates a new resource.
    pub(crate) fn from_engine(event: Event<'_>, now_ms: u64) -> RunEvent {
        match event {
            Event::GroupStarted { heading, route } => {
                RunEvent::Group { heading: heading.to_string(), route: route.map(str::to_string) }
            }
            Event::CheckStarted { code, label } => {
                RunEvent::CheckStarted { code: code.to_string(), label: label.to_string() }
            }
            Event::CheckFinished { check } => RunEvent::CheckFinished(Box::new(check.clone())),
            Event::Message { text } => RunEvent::Message(text.trim().to_string()),
            Event::Resource(event) => RunEvent::Resource { event: event.clone(), at_ms: now_ms },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::share::sample_report;

    #[test]
    fn engine_events_convert() {
        let check = sample_report().groups[0].checks[0].clone();
        assert_eq!(
            RunEvent::from_engine(Event::GroupStarted { heading: "h", route: Some("r") }, 0),
            RunEvent::Group { heading: "h".to_string(), route: Some("r".to_string()) }
        );
        assert_eq!(
            RunEvent::from_engine(Event::CheckStarted { code: "P01", label: "response" }, 0),
            RunEvent::CheckStarted { code: "P01".to_string(), label: "response".to_string() }
        );
        assert_eq!(
            RunEvent::from_engine(Event::CheckFinished { check: &check }, 0),
            RunEvent::CheckFinished(Box::new(check))
        );
        assert_eq!(
            RunEvent::from_engine(Event::Message { text: "\nStarting\n" }, 0),
            RunEvent::Message("Starting".to_string())
        );
    }
}
