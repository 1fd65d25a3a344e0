//! The reducer's rules, on the host.

use kensa_checks::{CheckReport, Outcome, ResourceEvent, ResourceKeys};

use super::*;
use crate::diagnosis::{Facts, Kind};
use crate::share::sample_report;

fn pointers(state: &State) -> Vec<&str> {
    state.diagnostics().iter().map(|diagnostic| diagnostic.pointer.as_str()).collect()
}

fn blank_id() -> String {
    SAMPLE_MANIFEST.replacen(r#""id": "myaddon""#, r#""id": """#, 1)
}

/// `state` with run number `run` of `kind` started on its last validation.
fn started(state: &State, run: u64, kind: RunKind) -> State {
    state.apply(Action::Start { run, kind, validation: state.validation.clone() })
}

fn running(kind: RunKind) -> State {
    started(&State::default(), 1, kind)
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
    let region = "amazon-web-services::us-east-1".to_string();
    RunEvent::Resource { event: ResourceEvent::Provisioned { uuid, id, plan, region }, at_ms: 1_796_000_000_000 }
}

/// `state` with [`resource`] in its ledger, as a provision leaves it.
fn with_resource(state: State) -> State {
    let kind = state.running;
    let running = started(&state, 7, RunKind::Provision);
    let done = running.apply(Action::Event { run: 7, event: provisioned() }).apply(Action::Finished {
        run: 7,
        report: Report::default(),
        share: None,
    });
    match kind {
        Some(kind) => started(&done, 8, kind),
        None => done,
    }
}

#[test]
fn sample_manifest_has_no_errors() {
    let state = State::default();
    assert_eq!(state.source, SAMPLE_MANIFEST);
    assert!(state.validated);
    assert_eq!(state.count(Severity::Error), 0, "{:?}", state.diagnostics());
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
    assert!(state.diagnostics().iter().any(|diagnostic| diagnostic.position.is_some()), "{:?}", state.diagnostics());
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
    assert_eq!(reset.diagnostics(), State::default().diagnostics());
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
        state.suite(RunKind::Deprovision),
        Some(Suite::Deprovision { resource: ResourceKeys::both("uuid-1", "res-1") })
    );
    assert_eq!(
        state.suite(RunKind::Sso),
        Some(Suite::Sso { resource: ResourceKeys::both("uuid-1", "res-1"), force_post: false })
    );
    assert_eq!(
        state.suite(RunKind::PlanChange),
        Some(Suite::PlanChange { resource: ResourceKeys::both("uuid-1", "res-1"), plan: DEFAULT_PLAN.to_string() })
    );
}

#[test]
fn plan_and_sso_settings_reach_the_jobs() {
    let state = State::default().apply(Action::SetPlan(" premium ".to_string())).apply(Action::SetWithSso(true));
    assert_eq!(state.suite(RunKind::All), Some(Suite::All { plan: "premium".to_string(), with_sso: true }));
    let blank = state.apply(Action::SetPlan(String::new()));
    assert_eq!(blank.suite(RunKind::All), Some(Suite::All { plan: DEFAULT_PLAN.to_string(), with_sso: true }));
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
        .apply(Action::Event {
            run: 1,
            event: RunEvent::Group { heading: "POST /heroku/resources".to_string(), route: None },
        })
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
    let state =
        running(RunKind::Manifest).apply(Action::Event { run: 1, event: RunEvent::CheckFinished(Box::new(check())) });
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
fn finishing_keeps_the_report_and_shares_it() {
    let report = sample_report();
    let payload = share::encode_on_host(&report);
    let state = running(RunKind::Provision).apply(Action::Finished {
        run: 1,
        report: report.clone(),
        share: Some(payload.clone()),
    });
    assert_eq!(state.status, RunStatus::Done);
    assert_eq!(state.running, None);
    assert_eq!(*state.report, report);
    assert_eq!(state.share, Some(payload));
}

/// The page follows its resources through the engine's events, in the same
/// ledger model as the CLI, for the manifest's add-on only.
#[test]
fn resources_are_tracked_in_the_ledger() {
    let state = running(RunKind::Provision).apply(Action::Event { run: 1, event: provisioned() });
    assert_eq!(state.resource().map(|entry| entry.keys()), Some(resource()));
    let entry = &state.resources.resources[0];
    assert_eq!((entry.manifest_id.as_str(), entry.command.as_str()), ("myaddon", "playground: Provision"));
    assert_eq!(entry.region.as_deref(), Some("amazon-web-services::us-east-1"));
    let changed = state.apply(Action::Event {
        run: 1,
        event: RunEvent::Resource {
            event: ResourceEvent::PlanChanged { keys: resource(), plan: "premium".into() },
            at_ms: 0,
        },
    });
    assert_eq!(changed.resources.resources[0].plan, "premium");
    let other_addon =
        changed.apply(Action::Edit(blank_id().replacen(r#""id": """#, r#""id": "other""#, 1))).apply(Action::Validate);
    assert_eq!(other_addon.resource(), None, "another add-on's resources are not offered");
    let removed = changed.apply(Action::Event {
        run: 1,
        event: RunEvent::Resource { event: ResourceEvent::Deprovisioned { keys: resource() }, at_ms: 0 },
    });
    assert_eq!(removed.resource(), None);
    assert!(removed.resources.resources.is_empty());
}

/// A resource is filed under the add-on of the manifest its run started with; the
/// editor stays open during a run, and a manifest edited (or half typed) meanwhile must not
/// file it under another add-on or none, where no later run would find it.
#[test]
fn a_resource_is_filed_under_the_manifest_its_run_started_with() {
    let state = running(RunKind::Provision)
        .apply(Action::Edit(r#"{"id": "myad"#.to_string()))
        .apply(Action::Event { run: 1, event: provisioned() })
        .apply(Action::Finished { run: 1, report: Report::default(), share: None });
    assert_eq!(state.resources.resources[0].manifest_id, "myaddon");
    let typed_back = state.apply(Action::Edit(SAMPLE_MANIFEST.to_string()));
    assert_eq!(typed_back.resource().map(|entry| entry.keys()), Some(resource()));
}

#[test]
fn a_new_run_clears_the_last_one() {
    let done = running(RunKind::Provision)
        .apply(Action::Finished { run: 1, report: sample_report(), share: None })
        .apply(Action::Notice("oops".to_string()));
    let state = started(&done, 2, RunKind::Manifest);
    assert_eq!(state.run, 2);
    assert!(state.report.groups.is_empty());
    assert_eq!(state.share, None);
    assert_eq!(state.notice, None);
    assert!(state.diagnoses.is_empty());
}

#[test]
fn stale_runs_are_ignored() {
    let state = started(&running(RunKind::Provision), 2, RunKind::Manifest);
    let after = state
        .apply(Action::Event { run: 1, event: RunEvent::CheckFinished(Box::new(check())) })
        .apply(Action::Finished { run: 1, report: sample_report(), share: None });
    assert_eq!(after, state);
    let done = state.apply(Action::Finished { run: 2, report: Report::default(), share: None });
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
    let hash = format!("#report={}", share::encode_on_host(&report));
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
    let opened = edited.apply(Action::Open(format!("#report={}", share::encode_on_host(&report))));
    assert!(opened.shared);
    assert_eq!(*opened.report, report);
    assert_eq!(edited.apply(Action::Open("#embed".to_string())), edited, "other fragments change nothing");
}

/// The network notice follows the latest reading and outlives the run that
/// read it (it is about the provider, not the run's results).
#[test]
fn the_network_notice_is_the_latest_reading() {
    use crate::local_network::{Access, notice};
    let url = "http://127.0.0.1:4567/heroku/resources";
    let prompt = notice("https://kensa.example", url, Access::Prompt);
    let state = State::default().apply(Action::Network(prompt.clone()));
    assert_eq!(state.network, prompt);
    let running = started(&state, 1, RunKind::All);
    assert_eq!(running.network, prompt, "a run keeps it until its own reading");
    let granted = notice("https://kensa.example", url, Access::Granted);
    assert_eq!(running.apply(Action::Network(granted.clone())).network, granted);
    assert_eq!(running.apply(Action::Network(None)).network, None);
}

/// A prompt the visitor (or headless Chromium) refused reads as denied after the
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

/// What a render asks of the state, for every button and the resource line.
fn render(state: &State) -> (Vec<bool>, Option<LedgerEntry>, usize, Option<String>) {
    let buttons = RunKind::ALL.iter().map(|kind| state.can_run(*kind)).collect();
    (buttons, state.resource(), state.count(Severity::Error), state.validation.test_url().map(str::to_string))
}

/// The page validates once per pause in typing and keeps the validation: renders (every
/// button's state, the resource, the counts, the network notice's URL) and a run's start
/// read it and never parse the text again; the engine runs on it too (see `engine_task.rs`).
#[test]
fn after_validation_renders_and_run_starts_parse_nothing() {
    let edited = with_resource(State::default()).apply(Action::Edit(SAMPLE_MANIFEST.replace("secret", "other")));
    let parsed = kensa_manifest::documents_parsed();
    render(&edited);
    assert_eq!(kensa_manifest::documents_parsed(), parsed, "a render while typing parses nothing");
    let validated = edited.apply(Action::Validate);
    assert_eq!(kensa_manifest::documents_parsed(), parsed + 1, "one validation, one parse");
    let parsed = kensa_manifest::documents_parsed();
    for _ in 0..3 {
        let (buttons, resource, ..) = render(&validated);
        assert!(buttons.iter().all(|can| *can) && resource.is_some());
    }
    for kind in RunKind::ALL {
        let launch = validated.launch(9, kind).expect("every button can be pressed");
        assert_eq!(Some(&launch.suite), validated.suite(kind).as_ref());
        let running = validated.apply(launch.start);
        assert_eq!((running.run, running.run_manifest_id.as_str()), (9, "myaddon"));
        render(&running);
    }
    assert_eq!(kensa_manifest::documents_parsed(), parsed);
}

/// A button pressed before typing paused runs the text the editor holds, validated then
/// (once: the validation that was waiting finds nothing left to do).
#[test]
fn a_run_started_while_validation_waits_runs_the_text_as_typed() {
    let edited = with_resource(State::default()).apply(Action::Edit(blank_id()));
    assert_eq!(edited.count(Severity::Error), 0, "not validated yet");
    let parsed = kensa_manifest::documents_parsed();
    assert!(edited.launch(2, RunKind::Sso).is_none(), "a blank id has no resource to sign in to");
    let launch = edited.launch(2, RunKind::Manifest).expect("the manifest checks run");
    assert!(!launch.validation.is_ok(), "the engine gets the text as typed");
    let running = edited.apply(launch.start);
    assert!(running.validated && running.count(Severity::Error) > 0);
    assert_eq!(running.run_manifest_id, "");
    assert_eq!(running.apply(Action::Validate), running);
    assert_eq!(kensa_manifest::documents_parsed(), parsed + 2, "one validation per launch");
}
