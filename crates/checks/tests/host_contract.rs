//! What a host relies on: the engine reads the manifest only through the validation the host
//! hands it, and the events it streams rebuild the report it returns.
#![allow(clippy::unwrap_used, reason = "test helpers panic on purpose")]

mod scripted;

use kensa_checks::{Event, Outcome, ReportBuilder, Suite};
use kensa_manifest::documents_parsed;
use scripted::{Fault, run_validated};

fn all() -> Suite {
    Suite::All { plan: "foo".into(), with_sso: false }
}

#[test]
fn a_run_given_the_validation_parses_the_manifest_no_more() {
    for faults in [&[][..], &[Fault::V1Manifest], &[Fault::InvalidManifest]] {
        let validation = kensa_manifest::validate(&scripted::manifest(faults));
        let before = documents_parsed();
        let mut events = 0;
        let mut sink = |_: Event<'_>| events += 1;
        let (report, _) = run_validated(faults, &validation, vec![all(), Suite::Provision], &mut sink);
        assert_eq!(documents_parsed(), before, "{faults:?}");
        // An invalid manifest lists the live checks too, none of them run.
        let ran = report.checks().any(|check| !check.code.starts_with('M') && check.outcome != Outcome::Skipped);
        assert_eq!(ran, validation.is_ok(), "{faults:?}");
        assert!(events > kensa_manifest::RULES.len(), "{faults:?}");
    }
}

#[test]
fn the_events_rebuild_the_engines_report() {
    for faults in
        [&[][..], &[Fault::HangingDelete, Fault::FourSeconds], &[Fault::V1Manifest], &[Fault::InvalidManifest]]
    {
        let validation = kensa_manifest::validate(&scripted::manifest(faults));
        let mut rebuilt = ReportBuilder::default();
        let mut sink = |event: Event<'_>| rebuilt.apply(&event);
        let (report, _) = run_validated(faults, &validation, vec![all()], &mut sink);
        assert_eq!(rebuilt.finish(), report, "{faults:?}");
    }
}
