//! The task that runs the engine for a [`Suite`] in the background and reports back as
//! [`Action`]s: each engine event as it happens, each failed request's diagnosis, and the
//! finished report. The engine decides every outcome and runs every phase.

use std::rc::Rc;

use kensa_checks::{CheckRun, Clock, Effects, Settings, Suite};
use kensa_manifest::Validation;
use yew::Callback;

use crate::run::RunEvent;
use crate::state::Action;
use crate::transport::{BrowserClock, BrowserIds, BrowserTransport};

/// Starts run number `run` of `suite` on the manifest `validation` read, in the background.
pub(crate) fn start(run: u64, suite: Suite, validation: Rc<Validation>, dispatch: Callback<Action>) {
    wasm_bindgen_futures::spawn_local(async move {
        // Before any request: what Local Network Access will do to them.
        if let Some(url) = validation.test_url() {
            dispatch.emit(Action::Network(crate::browser::network_notice(url).await));
        }
        let transport = {
            let dispatch = dispatch.clone();
            BrowserTransport::new(move |diagnosis| dispatch.emit(Action::Diagnosed { run, diagnosis }))
        };
        let mut ids = BrowserIds;
        let mut sink = {
            let dispatch = dispatch.clone();
            move |event: kensa_checks::Event<'_>| {
                dispatch.emit(Action::Event { run, event: RunEvent::from_engine(event, BrowserClock.now_ms()) })
            }
        };
        let effects =
            Effects { transport: &transport, clock: &BrowserClock, ids: &mut ids, sink: &mut sink, callbacks: None };
        let report = CheckRun::new(effects, Settings::default()).run(&validation, suite).await;
        let share = crate::share::encode(&report).await;
        dispatch.emit(Action::Finished { run, report, share });
    });
}

#[cfg(test)]
mod tests {
    use kensa_checks::testing::{CountingIds, ManualClock, ScriptedTransport, block_on};
    use kensa_checks::{
        Capabilities, Event, Method, Outcome, Report, Request, ResourceEvent, ResourceKeys, Response, TransportError,
    };

    use super::*;
    use crate::state::SAMPLE_MANIFEST;

    /// A provider that provisions `res-1` for any uuid, answers `{}` to the rest of the API
    /// and signs anyone in.
    fn provider(request: &Request) -> Result<Response, TransportError> {
        if request.url.contains("/sso/") {
            return Ok(Response { status: 200, headers: vec![], body: b"<div id=\"heroku-header\">".to_vec() });
        }
        let authorized = request.headers.iter().any(|(name, value)| name == "Authorization" && value.contains("Basic"));
        let good = kensa_checks::encoding::basic_auth("myaddon", "secret");
        let status = if !authorized || !request.headers.iter().any(|(_, value)| *value == good) { 401 } else { 200 };
        let body = match (request.method, status) {
            (Method::Post, 200) => {
                br#"{"id": "res-1", "config": {"MYADDON_URL": "http://127.0.0.1:4567/r/1"}}"#.to_vec()
            }
            (_, 200) => b"{}".to_vec(),
            _ => Vec::new(),
        };
        let headers = vec![("Content-Type".to_string(), "application/json".to_string())];
        Ok(Response { status, headers, body })
    }

    /// The report, the resource changes the run reported, and how many events it sent.
    fn run(
        suite: Suite,
        answer: fn(&Request) -> Result<Response, TransportError>,
    ) -> (Report, Vec<ResourceEvent>, usize) {
        let mut transport = ScriptedTransport::new(answer);
        transport.capabilities = Capabilities::BROWSER;
        let clock = ManualClock::at(1_700_000_000_000);
        let mut ids = CountingIds::default();
        let mut events = 0;
        let mut changes = Vec::new();
        let mut sink = |event: Event<'_>| {
            events += 1;
            if let Event::Resource(change) = event {
                changes.push(change.clone());
            }
        };
        let effects = Effects { transport: &transport, clock: &clock, ids: &mut ids, sink: &mut sink, callbacks: None };
        let validation = kensa_manifest::validate(SAMPLE_MANIFEST.as_bytes());
        let parsed = kensa_manifest::documents_parsed();
        let report = block_on(CheckRun::new(effects, Settings::default()).run(&validation, suite));
        assert_eq!(kensa_manifest::documents_parsed(), parsed, "the engine runs on the page's validation");
        (report, changes, events)
    }

    fn outcome(report: &Report, code: &str) -> Option<Outcome> {
        report.checks().find(|check| check.code == code).map(|check| check.outcome)
    }

    #[test]
    fn provision_keeps_the_resource_it_made() {
        let (report, changes, events) = run(Suite::Provision, provider);
        assert_eq!(outcome(&report, "P01"), Some(Outcome::Passed), "{report:#?}");
        let Some(ResourceEvent::Provisioned { id, uuid, .. }) = changes.first() else { panic!("{changes:?}") };
        assert_eq!(id, "res-1");
        assert!(!uuid.is_empty());
        assert!(events > report.checks().count(), "every check streams at least one event");
    }

    #[test]
    fn deprovision_clears_the_resource_only_when_it_worked() {
        let keys = ResourceKeys::both("uuid-1", "res-1");
        let (report, changes, _) = run(Suite::Deprovision { resource: keys.clone() }, provider);
        assert!(report.passed(), "{report:#?}");
        assert_eq!(changes, [ResourceEvent::Deprovisioned { keys: keys.clone() }]);
        let (_, changes, _) =
            run(Suite::Deprovision { resource: keys }, |_| Ok(Response { status: 500, ..Response::default() }));
        assert_eq!(changes, []);
    }

    #[test]
    fn an_invalid_manifest_stops_before_any_request() {
        let mut transport = ScriptedTransport::new(provider);
        transport.capabilities = Capabilities::BROWSER;
        let clock = ManualClock::at(0);
        let mut ids = CountingIds::default();
        let mut sink = |_: Event<'_>| {};
        let effects = Effects { transport: &transport, clock: &clock, ids: &mut ids, sink: &mut sink, callbacks: None };
        let report = block_on(
            CheckRun::new(effects, Settings::default()).run(&kensa_manifest::validate(b"{}"), Suite::Provision),
        );
        assert!(!report.passed());
        assert!(transport.requests.borrow().is_empty());
    }

    #[test]
    fn unreachable_providers_fail_with_the_transport_reason() {
        let (report, changes, _) =
            run(Suite::Provision, |_| Err(TransportError::Connect("nothing answered".to_string())));
        assert_eq!(changes, []);
        let p01 = report.checks().find(|check| check.code == "P01").expect("P01");
        assert_eq!(p01.outcome, Outcome::Failed);
        assert_eq!(p01.findings[0].message, "unable to connect to http://127.0.0.1:4567 (nothing answered)");
    }

    #[test]
    fn sso_in_a_browser_skips_the_cookie_check() {
        let (report, _, _) =
            run(Suite::Sso { resource: ResourceKeys::both("uuid-1", "res-1"), force_post: false }, provider);
        let cookie = report.checks().find(|check| check.reason.as_deref().is_some_and(|r| r.contains("cookies")));
        assert_eq!(cookie.map(|check| check.outcome), Some(Outcome::Skipped), "{report:#?}");
    }
}
