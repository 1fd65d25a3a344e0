//! The playground's state: the manifest text, what validation says about it, and the
//! run in progress or last finished.
//!
//! Every change goes through [`Action`] and the pure [`State::apply`], so the logic is
//! tested on the host without a DOM. Runs are tagged with a number; events of a run
//! that is no longer the current one are ignored.

use std::rc::Rc;

use kensa_checks::{
    CheckReport, Event, GroupReport, Ledger, LedgerEntry, Provenance, Report, ResourceEvent, ResourceKeys,
};
use kensa_manifest::{Diagnostic, Environment, Severity};
use yew::Reducible;

use crate::diagnosis::Diagnosis;
use crate::local_network::NetworkNotice;
use crate::share;

/// What the editor starts with: a valid v3 manifest for the reference provider at its
/// default address (`kensa-provider --port 4567 --sso-salt kensa-playground-salt`),
/// whose add-on id is `myaddon` and password `secret`.
pub(crate) const SAMPLE_MANIFEST: &str = r#"{
  "id": "myaddon",
  "name": "MyAddon",
  "api": {
    "config_vars": ["MYADDON_URL"],
    "password": "secret",
    "sso_salt": "kensa-playground-salt",
    "regions": ["us"],
    "requires": [],
    "production": {
      "base_url": "https://myaddon.example.com/heroku/resources",
      "sso_url": "https://myaddon.example.com/sso/login"
    },
    "test": {
      "base_url": "http://127.0.0.1:4567/heroku/resources",
      "sso_url": "http://127.0.0.1:4567/sso/login"
    },
    "version": "3"
  }
}
"#;

/// The name a downloaded manifest gets unless one was loaded from a file.
pub(crate) const MANIFEST_FILE: &str = "addon-manifest.json";

/// The plan a plan change asks for, as `kensa test all` does.
pub(crate) const DEFAULT_PLAN: &str = "foo";

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

/// A run with everything it needs, ready for the engine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Job {
    Manifest,
    Provision,
    PlanChange { resource: ResourceKeys, plan: String },
    Deprovision { resource: ResourceKeys },
    Sso { resource: ResourceKeys },
    All { plan: String, with_sso: bool },
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
    Group(String),
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
            Event::GroupStarted { heading } => RunEvent::Group(heading.to_string()),
            Event::CheckStarted { code, label } => {
                RunEvent::CheckStarted { code: code.to_string(), label: label.to_string() }
            }
            Event::CheckFinished { check } => RunEvent::CheckFinished(Box::new(check.clone())),
            Event::Message { text } => RunEvent::Message(text.trim().to_string()),
            Event::Resource(event) => RunEvent::Resource { event: event.clone(), at_ms: now_ms },
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Action {
    /// The user changed the manifest text; validation follows with [`Action::Validate`].
    Edit(String),
    /// Validate the current text (the editor sends this once typing pauses).
    Validate,
    /// A manifest read from a file: replaces the text and validates at once.
    Load {
        name: String,
        text: String,
    },
    /// Go back to the sample manifest.
    Reset,
    SetPlan(String),
    SetWithSso(bool),
    /// A run numbered `run` started; it supersedes any earlier one.
    Start {
        run: u64,
        kind: RunKind,
    },
    Event {
        run: u64,
        event: RunEvent,
    },
    /// The transport explained why a request failed.
    Diagnosed {
        run: u64,
        diagnosis: Diagnosis,
    },
    Finished {
        run: u64,
        report: Report,
    },
    /// The page's fragment changed to `hash` (a share link pasted into this tab).
    Open(String),
    /// What Local Network Access means for the manifest's provider, read before a run (and
    /// when the page opens); `None` when it does not apply.
    Network(Option<NetworkNotice>),
    /// Something the page could not do, in words.
    Notice(String),
    DismissNotice,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct State {
    /// The manifest text exactly as typed.
    pub(crate) source: String,
    /// Diagnostics of the text as last validated, in the order validation reported them.
    pub(crate) diagnostics: Rc<[Diagnostic]>,
    /// False while an edit waits for validation.
    pub(crate) validated: bool,
    /// File name for downloading the manifest.
    pub(crate) file_name: String,
    /// The plan a plan change asks for.
    pub(crate) plan: String,
    /// Whether "run all" includes the SSO checks.
    pub(crate) with_sso: bool,
    pub(crate) status: RunStatus,
    /// What the current run is doing, while it runs.
    pub(crate) running: Option<RunKind>,
    /// Number of the current (or last) run.
    pub(crate) run: u64,
    /// The checks so far, or the whole report once the run is done.
    pub(crate) report: Rc<Report>,
    /// The check in progress: code and label.
    pub(crate) current: Option<(String, String)>,
    /// Lines the engine printed outside any check.
    pub(crate) messages: Vec<String>,
    /// Every resource the page's runs provisioned and have not seen deprovisioned, kept in
    /// the browser's storage, as the CLI keeps `.kensa-resources.json`.
    pub(crate) resources: Ledger,
    /// Why requests failed in this run, one per provider origin.
    pub(crate) diagnoses: Vec<Diagnosis>,
    /// `#report=` payload of the finished report.
    pub(crate) share: Option<String>,
    /// The report came from a share link: the page shows it read-only.
    pub(crate) shared: bool,
    pub(crate) notice: Option<String>,
    /// `#network-notice`.
    pub(crate) network: Option<NetworkNotice>,
}

impl State {
    pub(crate) fn new(source: String) -> Self {
        let diagnostics = validate(&source);
        Self {
            source,
            diagnostics,
            validated: true,
            file_name: MANIFEST_FILE.to_string(),
            plan: DEFAULT_PLAN.to_string(),
            with_sso: false,
            status: RunStatus::Idle,
            running: None,
            run: 0,
            report: Rc::default(),
            current: None,
            messages: Vec::new(),
            resources: Ledger::default(),
            diagnoses: Vec::new(),
            share: None,
            shared: false,
            notice: None,
            network: None,
        }
    }

    /// The state for a page opened at `hash`: a shared report, read-only, when the
    /// fragment carries one, else the sample manifest (with a notice if the link is damaged).
    pub(crate) fn open(hash: &str) -> Self {
        let Some(payload) = share::payload_of(hash) else {
            return Self::default();
        };
        match share::decode(payload) {
            Ok(report) => Self {
                status: RunStatus::Done,
                share: Some(payload.to_string()),
                report: Rc::new(report),
                shared: true,
                ..Self::default()
            },
            Err(why) => Self { notice: Some(format!("This share link cannot be opened: {why}.")), ..Self::default() },
        }
    }

    /// The reducer: the state after `action`.
    pub(crate) fn apply(&self, action: Action) -> Self {
        let mut next = self.clone();
        match action {
            Action::Edit(source) if source == self.source => {}
            Action::Edit(source) => {
                next.source = source;
                next.validated = false;
            }
            Action::Validate if self.validated => {}
            Action::Validate => {
                next.diagnostics = validate(&next.source);
                next.validated = true;
            }
            Action::Load { name, text } => {
                next.diagnostics = validate(&text);
                next.source = text;
                next.validated = true;
                next.file_name = if name.is_empty() { MANIFEST_FILE.to_string() } else { name };
                next.notice = None;
            }
            Action::Reset => {
                next.diagnostics = validate(SAMPLE_MANIFEST);
                next.source = SAMPLE_MANIFEST.to_string();
                next.validated = true;
                next.file_name = MANIFEST_FILE.to_string();
            }
            Action::SetPlan(plan) => next.plan = plan,
            Action::SetWithSso(with_sso) => next.with_sso = with_sso,
            Action::Start { run, kind } => {
                next.run = run;
                next.status = RunStatus::Running;
                next.running = Some(kind);
                next.report = Rc::default();
                next.current = None;
                next.messages.clear();
                next.diagnoses.clear();
                next.share = None;
                next.shared = false;
                next.notice = None;
            }
            Action::Event { run, .. } | Action::Diagnosed { run, .. } | Action::Finished { run, .. }
                if run != self.run || self.status != RunStatus::Running => {}
            Action::Event { event, .. } => next.record(event),
            Action::Diagnosed { diagnosis, .. } => {
                // The permission as read after the failure (a prompt the visitor refused is denied now).
                if let (Some(network), Some(access)) = (&mut next.network, diagnosis.access)
                    && network.provider == diagnosis.provider
                {
                    network.access = access;
                }
                if !next.diagnoses.iter().any(|known| known.provider == diagnosis.provider) {
                    next.diagnoses.push(diagnosis);
                }
            }
            Action::Finished { report, .. } => {
                next.status = RunStatus::Done;
                next.running = None;
                next.current = None;
                next.share = Some(share::encode(&report));
                next.report = Rc::new(report);
            }
            Action::Open(hash) if share::payload_of(&hash).is_none() => {}
            Action::Open(hash) => return Self::open(&hash),
            Action::Network(network) => next.network = network,
            Action::Notice(text) => next.notice = Some(text),
            Action::DismissNotice => next.notice = None,
        }
        next
    }

    /// Adds an engine event to the report being built, as the engine builds its own.
    fn record(&mut self, event: RunEvent) {
        match event {
            RunEvent::Group(heading) => {
                Rc::make_mut(&mut self.report).groups.push(GroupReport { heading, checks: Vec::new() });
            }
            RunEvent::CheckStarted { code, label } => self.current = Some((code, label)),
            RunEvent::CheckFinished(check) => {
                self.current = None;
                let report = Rc::make_mut(&mut self.report);
                if report.groups.is_empty() {
                    report.groups.push(GroupReport { heading: "checks".to_string(), checks: Vec::new() });
                }
                if let Some(group) = report.groups.last_mut() {
                    group.checks.push(*check);
                }
            }
            RunEvent::Message(text) if text.is_empty() => {}
            RunEvent::Message(text) => self.messages.push(text),
            RunEvent::Resource { event, at_ms } => {
                // As the CLI keeps its ledger file: the same model, the same rules.
                let provenance = Provenance {
                    manifest_id: kensa_manifest::declared_id(self.source.as_bytes()).unwrap_or_default(),
                    environment: Environment::Test,
                    command: format!("playground: {}", self.running.map_or("run", RunKind::label)),
                };
                self.resources.apply(&event, &provenance, at_ms);
            }
        }
    }

    /// The newest resource the page provisioned for the manifest's add-on.
    pub(crate) fn resource(&self) -> Option<LedgerEntry> {
        let manifest_id = kensa_manifest::declared_id(self.source.as_bytes())?;
        self.resources.live(&manifest_id, Environment::Test).last().cloned()
    }

    /// The run `kind` with what it needs from the state; `None` when it needs a
    /// provisioned resource and there is none.
    pub(crate) fn job(&self, kind: RunKind) -> Option<Job> {
        let plan = || if self.plan.trim().is_empty() { DEFAULT_PLAN.to_string() } else { self.plan.trim().to_string() };
        Some(match kind {
            RunKind::Manifest => Job::Manifest,
            RunKind::Provision => Job::Provision,
            RunKind::All => Job::All { plan: plan(), with_sso: self.with_sso },
            RunKind::PlanChange => Job::PlanChange { resource: self.resource()?.keys(), plan: plan() },
            RunKind::Deprovision => Job::Deprovision { resource: self.resource()?.keys() },
            RunKind::Sso => Job::Sso { resource: self.resource()?.keys() },
        })
    }

    /// Whether the button for `kind` can be pressed now.
    pub(crate) fn can_run(&self, kind: RunKind) -> bool {
        self.status != RunStatus::Running && !self.shared && self.job(kind).is_some()
    }

    pub(crate) fn count(&self, severity: Severity) -> usize {
        self.diagnostics.iter().filter(|diagnostic| diagnostic.severity == severity).count()
    }
}

fn validate(source: &str) -> Rc<[Diagnostic]> {
    kensa_manifest::validate(source.as_bytes()).diagnostics().cloned().collect()
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
    use kensa_checks::Outcome;

    use super::*;
    use crate::diagnosis::{Facts, Kind};
    use crate::share::sample_report;

    fn pointers(state: &State) -> Vec<&str> {
        state.diagnostics.iter().map(|diagnostic| diagnostic.pointer.as_str()).collect()
    }

    fn blank_id() -> String {
        SAMPLE_MANIFEST.replacen(r#""id": "myaddon""#, r#""id": """#, 1)
    }

    fn running(kind: RunKind) -> State {
        State::default().apply(Action::Start { run: 1, kind })
    }

    fn check() -> CheckReport {
        sample_report().groups[0].checks[0].clone()
    }

    /// The keys of the resource [`provisioned`] reports.
    fn resource() -> ResourceKeys {
        ResourceKeys::both("uuid-1", "res-1")
    }

    /// What the engine reports when it provisions [`resource`].
    fn provisioned() -> RunEvent {
        let (uuid, id, plan) = ("uuid-1".to_string(), "res-1".to_string(), "test".to_string());
        RunEvent::Resource { event: ResourceEvent::Provisioned { uuid, id, plan }, at_ms: 1_796_000_000_000 }
    }

    /// `state` with [`resource`] in its ledger, as a provision leaves it.
    fn with_resource(state: State) -> State {
        let kind = state.running;
        let running = state.apply(Action::Start { run: 7, kind: RunKind::Provision });
        let done = running
            .apply(Action::Event { run: 7, event: provisioned() })
            .apply(Action::Finished { run: 7, report: Report::default() });
        match kind {
            Some(kind) => done.apply(Action::Start { run: 8, kind }),
            None => done,
        }
    }

    #[test]
    fn sample_manifest_has_no_errors() {
        let state = State::default();
        assert_eq!(state.source, SAMPLE_MANIFEST);
        assert!(state.validated);
        assert_eq!(state.count(Severity::Error), 0, "{:?}", state.diagnostics);
    }

    #[test]
    fn sample_manifest_matches_the_reference_provider_defaults() {
        for expected in [
            r#""id": "myaddon""#,
            r#""password": "secret""#,
            r#""sso_salt": "kensa-playground-salt""#,
            r#""base_url": "http://127.0.0.1:4567/heroku/resources""#,
            r#""sso_url": "http://127.0.0.1:4567/sso/login""#,
            r#""config_vars": ["MYADDON_URL"]"#,
        ] {
            assert!(SAMPLE_MANIFEST.contains(expected), "{expected}");
        }
    }

    #[test]
    fn edit_waits_for_validate() {
        let edited = State::default().apply(Action::Edit(blank_id()));
        assert_eq!(edited.source, blank_id());
        assert!(!edited.validated);
        assert_eq!(edited.count(Severity::Error), 0, "the old diagnostics stay until validation");

        let validated = edited.apply(Action::Validate);
        assert!(validated.validated);
        assert!(validated.count(Severity::Error) > 0);
        assert!(pointers(&validated).iter().any(|pointer| pointer.starts_with("/id")), "{:?}", pointers(&validated));
        assert_eq!(validated.apply(Action::Validate), validated, "a second validate changes nothing");
    }

    #[test]
    fn invalid_json_reports_a_position() {
        let state = State::default().apply(Action::Edit("{\n  \"id\": ".to_owned())).apply(Action::Validate);
        assert!(state.count(Severity::Error) > 0);
        assert!(state.diagnostics.iter().any(|diagnostic| diagnostic.position.is_some()), "{:?}", state.diagnostics);
    }

    #[test]
    fn edit_with_the_same_text_keeps_the_state() {
        let state = State::default();
        assert_eq!(state.apply(Action::Edit(SAMPLE_MANIFEST.to_owned())), state);
    }

    #[test]
    fn load_replaces_validates_and_names_the_file() {
        let state = State::default().apply(Action::Load { name: "mine.json".to_string(), text: blank_id() });
        assert!(state.validated);
        assert!(state.count(Severity::Error) > 0);
        assert_eq!(state.file_name, "mine.json");
        let unnamed = state.apply(Action::Load { name: String::new(), text: SAMPLE_MANIFEST.to_string() });
        assert_eq!(unnamed.file_name, MANIFEST_FILE);
    }

    #[test]
    fn reset_restores_the_sample() {
        let edited = State::default().apply(Action::Edit(String::new())).apply(Action::Validate);
        assert_ne!(edited.source, SAMPLE_MANIFEST);
        let reset = edited.apply(Action::Reset);
        assert_eq!(reset.source, SAMPLE_MANIFEST);
        assert_eq!(reset.diagnostics, State::default().diagnostics);
    }

    #[test]
    fn resource_runs_wait_for_a_resource() {
        let state = State::default();
        for kind in RunKind::ALL {
            assert_eq!(state.can_run(kind), !kind.needs_resource(), "{kind:?}");
        }
        let state = with_resource(State::default());
        assert!(RunKind::ALL.iter().all(|kind| state.can_run(*kind)));
        assert_eq!(
            state.job(RunKind::Deprovision),
            Some(Job::Deprovision { resource: ResourceKeys::both("uuid-1", "res-1") })
        );
        assert_eq!(state.job(RunKind::Sso), Some(Job::Sso { resource: ResourceKeys::both("uuid-1", "res-1") }));
        assert_eq!(
            state.job(RunKind::PlanChange),
            Some(Job::PlanChange { resource: ResourceKeys::both("uuid-1", "res-1"), plan: DEFAULT_PLAN.to_string() })
        );
    }

    #[test]
    fn plan_and_sso_settings_reach_the_jobs() {
        let state = State::default().apply(Action::SetPlan(" premium ".to_string())).apply(Action::SetWithSso(true));
        assert_eq!(state.job(RunKind::All), Some(Job::All { plan: "premium".to_string(), with_sso: true }));
        let blank = state.apply(Action::SetPlan(String::new()));
        assert_eq!(blank.job(RunKind::All), Some(Job::All { plan: DEFAULT_PLAN.to_string(), with_sso: true }));
    }

    #[test]
    fn nothing_runs_while_a_run_is_going() {
        let state = with_resource(running(RunKind::Provision));
        assert_eq!(state.status, RunStatus::Running);
        assert_eq!(state.running, Some(RunKind::Provision));
        assert!(RunKind::ALL.iter().all(|kind| !state.can_run(*kind)));
    }

    #[test]
    fn events_build_the_report_as_they_arrive() {
        let check = check();
        let state = running(RunKind::Provision)
            .apply(Action::Event { run: 1, event: RunEvent::Group("POST /heroku/resources".to_string()) })
            .apply(Action::Event {
                run: 1,
                event: RunEvent::CheckStarted { code: "P01".to_string(), label: "response".to_string() },
            });
        assert_eq!(state.current, Some(("P01".to_string(), "response".to_string())));
        let state = state.apply(Action::Event { run: 1, event: RunEvent::CheckFinished(Box::new(check.clone())) });
        assert_eq!(state.current, None);
        assert_eq!(state.report.groups.len(), 1);
        assert_eq!(state.report.groups[0].heading, "POST /heroku/resources");
        assert_eq!(state.report.groups[0].checks, vec![check]);
        assert_eq!(state.status, RunStatus::Running);
    }

    #[test]
    fn a_check_before_any_group_gets_one() {
        let state = running(RunKind::Manifest)
            .apply(Action::Event { run: 1, event: RunEvent::CheckFinished(Box::new(check())) });
        assert_eq!(state.report.groups[0].heading, "checks");
    }

    #[test]
    fn messages_are_kept_without_blank_lines() {
        let state = running(RunKind::All)
            .apply(Action::Event { run: 1, event: RunEvent::Message(String::new()) })
            .apply(Action::Event { run: 1, event: RunEvent::Message("could not deprovision".to_string()) });
        assert_eq!(state.messages, vec!["could not deprovision".to_string()]);
    }

    #[test]
    fn engine_events_convert() {
        let check = check();
        assert_eq!(RunEvent::from_engine(Event::GroupStarted { heading: "h" }, 0), RunEvent::Group("h".to_string()));
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

    #[test]
    fn finishing_keeps_the_report_and_shares_it() {
        let report = sample_report();
        let state = running(RunKind::Provision).apply(Action::Finished { run: 1, report: report.clone() });
        assert_eq!(state.status, RunStatus::Done);
        assert_eq!(state.running, None);
        assert_eq!(*state.report, report);
        let payload = state.share.clone().expect("a share payload");
        assert_eq!(share::decode(&payload), Ok(report));
    }

    /// Issue 14: the page follows its resources through the engine's events, in the same
    /// ledger model as the CLI, for the manifest's add-on only.
    #[test]
    fn resources_are_tracked_in_the_ledger() {
        let state = running(RunKind::Provision).apply(Action::Event { run: 1, event: provisioned() });
        assert_eq!(state.resource().map(|entry| entry.keys()), Some(resource()));
        let entry = &state.resources.resources[0];
        assert_eq!((entry.manifest_id.as_str(), entry.command.as_str()), ("myaddon", "playground: Provision"));
        let changed = state.apply(Action::Event {
            run: 1,
            event: RunEvent::Resource {
                event: ResourceEvent::PlanChanged { keys: resource(), plan: "premium".into() },
                at_ms: 0,
            },
        });
        assert_eq!(changed.resources.resources[0].plan, "premium");
        let other_addon =
            State { source: blank_id().replacen(r#""id": """#, r#""id": "other""#, 1), ..changed.clone() };
        assert_eq!(other_addon.resource(), None, "another add-on's resources are not offered");
        let removed = changed.apply(Action::Event {
            run: 1,
            event: RunEvent::Resource { event: ResourceEvent::Deprovisioned { keys: resource() }, at_ms: 0 },
        });
        assert_eq!(removed.resource(), None);
        assert!(removed.resources.resources.is_empty());
    }

    #[test]
    fn a_new_run_clears_the_last_one() {
        let state = running(RunKind::Provision)
            .apply(Action::Finished { run: 1, report: sample_report() })
            .apply(Action::Notice("oops".to_string()))
            .apply(Action::Start { run: 2, kind: RunKind::Manifest });
        assert_eq!(state.run, 2);
        assert!(state.report.groups.is_empty());
        assert_eq!(state.share, None);
        assert_eq!(state.notice, None);
        assert!(state.diagnoses.is_empty());
    }

    #[test]
    fn stale_runs_are_ignored() {
        let state = running(RunKind::Provision).apply(Action::Start { run: 2, kind: RunKind::Manifest });
        let after = state
            .apply(Action::Event { run: 1, event: RunEvent::CheckFinished(Box::new(check())) })
            .apply(Action::Finished { run: 1, report: sample_report() });
        assert_eq!(after, state);
        let done = state.apply(Action::Finished { run: 2, report: Report::default() });
        assert_eq!(done.apply(Action::Event { run: 2, event: RunEvent::Message("late".to_string()) }), done);
    }

    #[test]
    fn diagnoses_are_kept_once_per_provider() {
        let facts = Facts {
            page_origin: "http://127.0.0.1:8080".to_string(),
            url: "http://127.0.0.1:4568/heroku/resources".to_string(),
            reachable: true,
            simple_allowed: false,
            isolated: false,
            access: None,
        };
        let diagnosis = Diagnosis::from_facts(&facts);
        let state = running(RunKind::Provision)
            .apply(Action::Diagnosed { run: 1, diagnosis: diagnosis.clone() })
            .apply(Action::Diagnosed { run: 1, diagnosis: diagnosis.clone() });
        assert_eq!(state.diagnoses, vec![diagnosis]);
        assert_eq!(state.diagnoses[0].kind, Kind::Cors);
    }

    #[test]
    fn a_share_link_opens_read_only() {
        let report = sample_report();
        let hash = format!("#report={}", share::encode(&report));
        let state = State::open(&hash);
        assert!(state.shared);
        assert_eq!(state.status, RunStatus::Done);
        assert_eq!(*state.report, report);
        assert!(RunKind::ALL.iter().all(|kind| !state.can_run(*kind)));
        assert_eq!(
            state.report.checks().map(|check| check.outcome).collect::<Vec<_>>(),
            [Outcome::Failed, Outcome::Skipped]
        );
    }

    #[test]
    fn a_damaged_share_link_opens_the_playground_with_a_notice() {
        let state = State::open("#report=@@@");
        assert!(!state.shared);
        assert_eq!(state.source, SAMPLE_MANIFEST);
        assert_eq!(state.notice.as_deref(), Some("This share link cannot be opened: it is not base64url."));
        assert_eq!(State::open("#embed"), State::default());
    }

    #[test]
    fn a_share_link_pasted_into_the_tab_replaces_the_page() {
        let report = sample_report();
        let edited = State::default().apply(Action::Edit(blank_id()));
        let opened = edited.apply(Action::Open(format!("#report={}", share::encode(&report))));
        assert!(opened.shared);
        assert_eq!(*opened.report, report);
        assert_eq!(edited.apply(Action::Open("#embed".to_string())), edited, "other fragments change nothing");
    }

    /// Issue 12: the network notice follows the latest reading and outlives the run that
    /// read it (it is about the provider, not the run's results).
    #[test]
    fn the_network_notice_is_the_latest_reading() {
        use crate::local_network::{Access, notice};
        let url = "http://127.0.0.1:4567/heroku/resources";
        let prompt = notice("https://kensa.example", url, Access::Prompt);
        let state = State::default().apply(Action::Network(prompt.clone()));
        assert_eq!(state.network, prompt);
        let running = state.apply(Action::Start { run: 1, kind: RunKind::All });
        assert_eq!(running.network, prompt, "a run keeps it until its own reading");
        let granted = notice("https://kensa.example", url, Access::Granted);
        assert_eq!(running.apply(Action::Network(granted.clone())).network, granted);
        assert_eq!(running.apply(Action::Network(None)).network, None);
    }

    /// Issue 12: a prompt the visitor (or headless Chromium) refused reads as denied after the
    /// failure; the notice then says how to re-allow it instead of "your browser may ask".
    #[test]
    fn a_diagnosis_updates_the_network_notice_of_its_provider() {
        use crate::local_network::{Access, notice};
        let url = "http://127.0.0.1:4567/heroku/resources";
        let facts = Facts {
            page_origin: "https://kensa.example".to_string(),
            url: url.to_string(),
            reachable: false,
            simple_allowed: false,
            isolated: false,
            access: Some(Access::Denied),
        };
        let diagnosis = Diagnosis::from_facts(&facts);
        let state = running(RunKind::Provision)
            .apply(Action::Network(notice("https://kensa.example", url, Access::Prompt)))
            .apply(Action::Diagnosed { run: 1, diagnosis: diagnosis.clone() });
        assert_eq!(state.network.map(|network| network.access), Some(Access::Denied));
        let other = running(RunKind::Provision)
            .apply(Action::Network(notice("https://kensa.example", "http://127.0.0.1:9/x", Access::Prompt)))
            .apply(Action::Diagnosed { run: 1, diagnosis });
        assert_eq!(other.network.map(|network| network.access), Some(Access::Prompt), "another provider's");
    }

    #[test]
    fn notices_come_and_go() {
        let state = State::default().apply(Action::Notice("cannot read the file".to_string()));
        assert_eq!(state.notice.as_deref(), Some("cannot read the file"));
        assert_eq!(state.apply(Action::DismissNotice).notice, None);
    }
}
