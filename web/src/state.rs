//! The playground's state: the manifest text, what validation says about it, and the
//! run in progress or last finished.
//!
//! Every change goes through [`Action`] and the pure [`State::apply`], so the logic is
//! tested on the host without a DOM. Runs are tagged with a number; events of a run
//! that is no longer the current one are ignored.

use std::borrow::Cow;
use std::rc::Rc;

use kensa_checks::{Ledger, LedgerEntry, Provenance, Report, ReportBuilder, Suite};
use kensa_manifest::{Diagnostic, Environment, Severity, Validation};
use yew::Reducible;

use crate::diagnosis::Diagnosis;
use crate::local_network::NetworkNotice;
use crate::run::{RunEvent, RunKind, RunStatus};
use crate::share;

/// What the editor starts with: the manifest of the playground's provider
/// (`kensa-provider --playground`; a provider test keeps the two equal).
pub(crate) const SAMPLE_MANIFEST: &str = include_str!("../playground-manifest.json");

/// The name a downloaded manifest gets unless one was loaded from a file.
pub(crate) const MANIFEST_FILE: &str = "addon-manifest.json";

/// The plan a plan change asks for, as `kensa test all` does.
pub(crate) const DEFAULT_PLAN: &str = kensa_checks::DEFAULT_PLAN_CHANGE;

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
    /// A run numbered `run` started on `validation` (see [`State::launch`]); it supersedes any
    /// earlier one.
    Start {
        run: u64,
        kind: RunKind,
        validation: Validated,
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
        /// The share-link payload, compressed by the engine task (the browser compresses
        /// asynchronously, which a reducer cannot wait for).
        share: Option<String>,
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
    /// The text as last validated: what the page shows and runs read, instead of parsing.
    pub(crate) validation: Validated,
    /// False while an edit waits for validation (`validation` is then of an older text).
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
    /// The add-on id of the manifest the current (or last) run started with: its resources
    /// are filed under it, whatever the editor holds by the time they are reported.
    pub(crate) run_manifest_id: String,
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
        Self {
            validation: Validated::of(&source),
            source,
            validated: true,
            file_name: MANIFEST_FILE.to_string(),
            plan: DEFAULT_PLAN.to_string(),
            with_sso: false,
            status: RunStatus::Idle,
            running: None,
            run: 0,
            run_manifest_id: String::new(),
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
                next.validation = Validated::of(&next.source);
                next.validated = true;
            }
            Action::Load { name, text } => {
                next.validation = Validated::of(&text);
                next.source = text;
                next.validated = true;
                next.file_name = if name.is_empty() { MANIFEST_FILE.to_string() } else { name };
                next.notice = None;
            }
            Action::Reset => {
                next.validation = Validated::of(SAMPLE_MANIFEST);
                next.source = SAMPLE_MANIFEST.to_string();
                next.validated = true;
                next.file_name = MANIFEST_FILE.to_string();
            }
            Action::SetPlan(plan) => next.plan = plan,
            Action::SetWithSso(with_sso) => next.with_sso = with_sso,
            Action::Start { run, kind, validation } => {
                next.run = run;
                next.run_manifest_id = validation.declared_id().unwrap_or_default().to_string();
                // A run of a text whose validation still waited validated it.
                if *validation.text == *self.source {
                    next.validation = validation;
                    next.validated = true;
                }
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
            Action::Finished { report, share, .. } => {
                next.status = RunStatus::Done;
                next.running = None;
                next.current = None;
                next.share = share;
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

    /// Adds an engine event to the report being built, with the engine's own builder.
    fn record(&mut self, event: RunEvent) {
        match event {
            RunEvent::Group { heading, route } => self.build(|report| report.group(heading, route)),
            RunEvent::CheckStarted { code, label } => self.current = Some((code, label)),
            RunEvent::CheckFinished(check) => {
                self.current = None;
                self.build(|report| report.check(*check));
            }
            RunEvent::Message(text) if text.is_empty() => {}
            RunEvent::Message(text) => self.messages.push(text),
            RunEvent::Resource { event, at_ms } => {
                // As the CLI keeps its ledger file: the same model, the same rules.
                let provenance = Provenance {
                    manifest_id: self.run_manifest_id.clone(),
                    environment: Environment::Test,
                    command: format!("playground: {}", self.running.map_or("run", RunKind::label)),
                };
                self.resources.apply(&event, &provenance, at_ms);
            }
        }
    }

    /// One `step` of the engine's report builder on the report shown so far.
    fn build(&mut self, step: impl FnOnce(&mut ReportBuilder)) {
        let report = Rc::make_mut(&mut self.report);
        let mut builder = ReportBuilder::resume(std::mem::take(report));
        step(&mut builder);
        *report = builder.finish();
    }

    /// Diagnostics of the text as last validated, in the order validation reported them.
    pub(crate) fn diagnostics(&self) -> &Rc<[Diagnostic]> {
        &self.validation.diagnostics
    }

    /// The newest resource the page provisioned for the manifest's add-on (as last validated).
    pub(crate) fn resource(&self) -> Option<LedgerEntry> {
        let manifest_id = self.validation.declared_id()?;
        self.resources.live(manifest_id, Environment::Test).last().cloned()
    }

    /// The run `kind` with what it needs from the state; `None` when it needs a
    /// provisioned resource and there is none.
    pub(crate) fn suite(&self, kind: RunKind) -> Option<Suite> {
        let plan = || if self.plan.trim().is_empty() { DEFAULT_PLAN.to_string() } else { self.plan.trim().to_string() };
        Some(match kind {
            RunKind::Manifest => Suite::Manifest,
            RunKind::Provision => Suite::Provision,
            RunKind::All => Suite::All { plan: plan(), with_sso: self.with_sso },
            RunKind::PlanChange => Suite::PlanChange { resource: self.resource()?.keys(), plan: plan() },
            RunKind::Deprovision => Suite::Deprovision { resource: self.resource()?.keys() },
            RunKind::Sso => Suite::Sso { resource: self.resource()?.keys(), force_post: false },
        })
    }

    /// Whether the button for `kind` can be pressed now.
    pub(crate) fn can_run(&self, kind: RunKind) -> bool {
        self.status != RunStatus::Running && !self.shared && self.suite(kind).is_some()
    }

    /// Pressing the button for `kind` as run number `run`: the text the editor holds now,
    /// validated at once if typing has not paused yet; `None` when the button cannot be pressed.
    pub(crate) fn launch(&self, run: u64, kind: RunKind) -> Option<Launch> {
        let state = if self.validated { Cow::Borrowed(self) } else { Cow::Owned(self.apply(Action::Validate)) };
        let suite = state.suite(kind).filter(|_| state.can_run(kind))?;
        let validation = state.validation.clone();
        Some(Launch {
            validation: Rc::clone(&validation.validation),
            start: Action::Start { run, kind, validation },
            suite,
        })
    }

    pub(crate) fn count(&self, severity: Severity) -> usize {
        self.diagnostics().iter().filter(|diagnostic| diagnostic.severity == severity).count()
    }
}

/// A run about to start: [`Launch::start`] for the reducer, the rest for the engine task.
#[derive(Debug)]
pub(crate) struct Launch {
    pub(crate) start: Action,
    pub(crate) suite: Suite,
    /// The validation the engine reports and runs on.
    pub(crate) validation: Rc<Validation>,
}

/// A validation and the text it read. The page reads the facts it needs here (diagnostics,
/// the add-on id, the test URL), so no render and no run start parses the text again.
#[derive(Clone, Debug)]
pub(crate) struct Validated {
    text: Rc<str>,
    validation: Rc<Validation>,
    diagnostics: Rc<[Diagnostic]>,
}

impl Validated {
    pub(crate) fn of(text: &str) -> Validated {
        let validation = kensa_manifest::validate(text.as_bytes());
        let diagnostics = validation.diagnostics().collect();
        Validated { text: text.into(), validation: Rc::new(validation), diagnostics }
    }

    /// The add-on id the text declares, valid or not.
    pub(crate) fn declared_id(&self) -> Option<&str> {
        self.validation.declared_id()
    }

    /// The provider URL the checks call first, valid or not.
    pub(crate) fn test_url(&self) -> Option<&str> {
        self.validation.test_url()
    }
}

/// Validation is a function of the text alone: the same text, the same validation.
impl PartialEq for Validated {
    fn eq(&self, other: &Validated) -> bool {
        self.text == other.text
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
mod tests;
