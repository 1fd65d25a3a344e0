//! The one place a [`Report`] is put together, from the engine's calls or from its events.

use crate::event::Event;
use crate::report::{CheckReport, GroupReport, Report};

/// Puts a [`Report`] together as a run goes: a finished check goes under the last group
/// started, or under a group `checks` when none was. The engine builds its report with it,
/// the manifest phase included, and so does a host that rebuilds the report from the events
/// ([`ReportBuilder::apply`]), so both reports are the same.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReportBuilder {
    report: Report,
}

impl ReportBuilder {
    /// Goes on with `report`: checks finished from now on go under its last group.
    pub fn resume(report: Report) -> ReportBuilder {
        ReportBuilder { report }
    }

    /// A group starts: the checks finished after this go under it.
    pub fn group(&mut self, heading: impl Into<String>, route: Option<String>) {
        self.report.groups.push(GroupReport::new(heading, route));
    }

    /// A check finished.
    pub fn check(&mut self, check: CheckReport) {
        if self.report.groups.is_empty() {
            self.group("checks", None);
        }
        if let Some(group) = self.report.groups.last_mut() {
            group.checks.push(check);
        }
    }

    /// What `event` adds to the report (a group or a finished check; other events add nothing).
    pub fn apply(&mut self, event: &Event<'_>) {
        match *event {
            Event::GroupStarted { heading, route } => self.group(heading, route.map(str::to_string)),
            Event::CheckFinished { check } => self.check(check.clone()),
            Event::CheckStarted { .. } | Event::Message { .. } | Event::Resource(_) => {}
        }
    }

    /// The report so far.
    pub fn report(&self) -> &Report {
        &self.report
    }

    pub fn finish(self) -> Report {
        self.report
    }
}
