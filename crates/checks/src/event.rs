//! Progress while checks run, so the CLI prints as it goes and the web app updates live.

use crate::report::CheckReport;

/// Something that happened during a run.
#[derive(Clone, Copy, Debug)]
pub enum Event<'a> {
    GroupStarted {
        heading: &'a str,
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
