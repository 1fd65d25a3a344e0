//! The engine against a scripted provider, on the host and (see wasm.rs) in a browser.
#![allow(clippy::unwrap_used, reason = "test helpers panic on purpose")]

mod scripted;

use kensa_checks::Outcome;
use kensa_checks::Suite;
use scripted::{Fault, run_suite};

fn all() -> Suite {
    Suite::All { plan: "foo".into(), with_sso: false }
}

#[test]
fn a_correct_provider_passes_test_all_and_keeps_nothing() {
    let (report, provider) = run_suite(&[], all());
    let failed: Vec<_> =
        report.checks().filter(|check| !matches!(check.outcome, Outcome::Passed | Outcome::Skipped)).collect();
    assert!(failed.is_empty(), "{failed:#?}");
    assert!(report.passed());
    assert_eq!(provider.live_resources(), 0, "every resource the run created is gone");
    let headings: Vec<_> = report.groups.iter().map(|group| group.heading.as_str()).collect();
    assert_eq!(
        headings[3..],
        [
            "POST /heroku/resources",
            "response",
            // Skipped, with the reason: this host gives the engine no stand-in.
            "asynchronous provisioning",
            "config data",
            "idempotency",
            "tolerance",
            "regions",
            headings[10],
            // Listed though the plan change returned no config: skipped, saying so.
            "config data",
            headings[12]
        ]
    );
    assert!(headings[10].starts_with("PUT /heroku/resources/"));
    assert!(headings[12].starts_with("DELETE /heroku/resources/"));
    assert!(report.groups[11].checks.iter().all(|check| check.reason.as_deref() == Some("the response has no config")));
    let async_checks = &report.groups[5].checks;
    assert!(async_checks.iter().all(|check| check.outcome == Outcome::Skipped
        && check.reason.as_deref().is_some_and(|reason| reason.contains("needs a host that can listen"))));
}

/// A provider whose DELETE hangs costs one deadline per run, not one per DELETE, so a hung
/// endpoint cannot stretch a run to minutes. The first DELETE (removing the idempotency
/// check's extra resource) waits it out; the deprovision's probes and its own DELETE are not
/// sent, and say why.
#[test]
fn a_hung_endpoint_is_waited_for_once() {
    let (report, provider) = run_suite(&[Fault::HangingDelete], all());
    let deletes = provider.requests().into_iter().filter(|request| request.method == kensa_checks::Method::Delete);
    assert_eq!(deletes.count(), 1, "only the first DELETE reaches the provider");
    let d02 = report.checks().find(|check| check.code == "D02").unwrap();
    assert_eq!(d02.outcome, Outcome::Warning, "{d02:#?}");
    for code in ["X02", "X01"] {
        let check = report.checks().find(|check| check.code == code).unwrap();
        assert_eq!(check.outcome, Outcome::Failed, "{check:#?}");
        let said: Vec<&str> = check.findings.iter().map(|finding| finding.message.as_str()).collect();
        assert!(
            said.iter().all(|message| message.contains(
                "not sent: DELETE http://localhost:4567/heroku/resources/* already went unanswered for 25 s"
            )),
            "{said:#?}"
        );
    }
}

/// A v3 service that finds resources by its own id (the seed guide's
/// `Database.find(params[:id])`) gets a failure that says so, not a bare 404, and the
/// resource is still removed.
#[test]
fn a_v3_service_addressing_by_its_own_id_is_told_why() {
    let (report, provider) = run_suite(&[Fault::AddressesById], all());
    for code in ["C01", "X01"] {
        let check = report.checks().find(|check| check.code == code).unwrap();
        assert_eq!(check.outcome, Outcome::Failed, "{check:#?}");
        let said: String = check.findings.iter().map(|finding| finding.message.as_str()).collect();
        assert!(said.contains("got 404, but"), "{code}: {said}");
        assert!(said.contains("finds resources by its own id, while v3 puts Heroku's uuid in the path"), "{said}");
        assert_eq!(check.exchanges.len(), 2, "{code}: the call by uuid, then once by id");
    }
    assert_eq!(provider.live_resources(), 0, "the retry by id removed the resource");
}

/// The engine tells the host which resources exist, so a ledger can follow them.
#[test]
fn resource_events_follow_every_resource() {
    let events = std::cell::RefCell::new(Vec::new());
    let mut sink = |event: kensa_checks::Event<'_>| {
        if let kensa_checks::Event::Resource(change) = event {
            events.borrow_mut().push(match change {
                kensa_checks::ResourceEvent::Provisioned { uuid, id, plan, .. } => format!("+ {id} {uuid} {plan}"),
                kensa_checks::ResourceEvent::PlanChanged { keys, plan } => format!("~ {} {plan}", keys.sso_id()),
                kensa_checks::ResourceEvent::Deprovisioned { keys } => format!("- {}", keys.sso_id()),
            });
        }
    };
    let (report, _) = scripted::run_suite_with_sink(&[], all(), &mut sink);
    assert!(report.passed());
    let events = events.into_inner();
    let ids: Vec<String> = events.iter().map(|event| event.split(' ').take(2).collect::<Vec<_>>().join(" ")).collect();
    // D02's and D03's extras, then T01's and T02's, recorded before they are removed together.
    assert_eq!(
        ids,
        [
            "+ res-1", "+ res-2", "- res-2", "+ res-3", "- res-3", "+ res-4", "+ res-5", "- res-4", "- res-5",
            "~ res-1", "- res-1"
        ],
        "{events:#?}"
    );
    assert!(events[0].ends_with(" test") && events[9].ends_with(" foo"), "{events:#?}");
}

/// A provider that answers every uuid with the same resource: D02 fails, and kensa does
/// not deprovision that resource as D02's "extra" (it is the one the later checks use), so
/// the plan change and deprovision still pass. Found by the whole-output snapshots.
#[test]
fn the_resource_under_test_is_not_removed_as_an_extra() {
    let (report, _) = run_suite(&[Fault::SameIdForEveryUuid], all());
    let d02 = report.checks().find(|check| check.code == "D02").unwrap();
    assert_eq!(d02.outcome, Outcome::Failed, "{d02:#?}");
    assert!(d02.findings.iter().any(|finding| finding.message.contains("it is the resource under test")), "{d02:#?}");
    for code in ["C01", "X01"] {
        let check = report.checks().find(|check| check.code == code).unwrap();
        assert_eq!(check.outcome, Outcome::Passed, "{check:#?}");
    }
}

/// Every fault makes exactly the expected check fail, with the expected message.
#[test]
fn each_fault_fails_its_check() {
    let cases: &[(Fault, &str, &str)] = &[
        (Fault::NoAuth, "P03", "expected 401, got 200 with a wrong username"),
        (Fault::PasswordOnly, "P03", "expected 401, got 200 with a wrong username"),
        (Fault::UserOnly, "P03", "expected 401, got 200 with a wrong password"),
        (Fault::Status201, "P01", "expected 200, got 201"),
        (Fault::NotJson, "P02", "the response body is not JSON"),
        (Fault::MissingId, "R01", "the response has no `id`"),
        (Fault::UndeclaredVar, "R05", "MYADDON_OTHER_URL is not in the manifest"),
        (Fault::NonStringValue, "R07", "the key MYADDON_URL doesn't contain a string (42)"),
        (Fault::BadUrl, "R08", "MYADDON_URL: db.example.com/x is not a valid URI - missing scheme"),
        (Fault::SameIdForEveryUuid, "D02", "multiple provisions cannot return the same id"),
        (Fault::NewIdForRepeatedUuid, "D01", "the same uuid returned a new id"),
        (Fault::DeprovisionStatus500, "X01", "expected 200 or 204, got 500"),
        (Fault::PlanChange503, "C01", "cannot change plans instantly: migrate by hand: https://example.com/docs"),
        (Fault::OverlappingDuplicates, "D03", "unique constraint on uuid"),
        (Fault::RepeatedDeleteFails, "X03", "a repeated DELETE got 500"),
        (Fault::RepeatedPlanChangeFails, "C03", "a repeated plan change got 422"),
        (Fault::Slow, "P01", "no answer from http://localhost:4567 within 25 s"),
        (Fault::Refused, "P01", "unable to connect to http://localhost:4567"),
        (Fault::Oversized, "P01", "the response body is larger than 1 MiB"),
        (
            Fault::RejectsUnknownFields,
            "T01",
            "a provision with the extra field `\"kensa_probe\": \"an undocumented field\"`: expected 200, got 422",
        ),
        (Fault::CrashesOnNullGrant, "T02", "a provision with `\"oauth_grant\": null`: expected 200, got 500"),
    ];
    for (fault, code, message) in cases {
        let (report, _) = run_suite(&[*fault], all());
        let check = report.checks().find(|check| check.code == *code).unwrap_or_else(|| panic!("{fault:?}: no {code}"));
        assert_eq!(check.outcome, Outcome::Failed, "{fault:?}: {check:#?}");
        assert!(check.findings.iter().any(|finding| finding.message.contains(message)), "{fault:?}: {check:#?}");
        assert!(!report.passed());
    }
}

#[test]
fn missing_declared_vars_are_a_warning_only() {
    let (report, _) = run_suite(&[Fault::NoConfig], Suite::Provision);
    assert!(report.passed());
    let checks: Vec<_> =
        report.checks().filter(|check| check.code.starts_with('R') && check.code.as_str() >= "R04").collect();
    assert!(checks.iter().all(|check| check.outcome == Outcome::Skipped), "{checks:#?}");
}

#[test]
fn slow_answers_warn_after_three_seconds() {
    let (report, _) = run_suite(&[Fault::FourSeconds], Suite::Provision);
    let check = report.checks().find(|check| check.code == "P01").unwrap();
    assert_eq!(check.outcome, Outcome::Warning);
    assert_eq!(check.findings[0].message, "took 4 s; Heroku expects an answer within 3 s");
    assert!(report.passed());
}

/// Each exchange keeps when it went out, by the engine's clock, and how long it took: a
/// HAR's `startedDateTime` and `time`.
#[test]
fn exchanges_record_when_they_went_out_and_how_long_they_took() {
    let (report, _) = run_suite(&[Fault::FourSeconds], Suite::Provision);
    let p01 = report.checks().find(|check| check.code == "P01").unwrap();
    let timing = kensa_checks::Timing { started_ms: 1_790_000_000_000, elapsed_ms: 4_000 };
    assert_eq!(p01.exchanges[0].timing, Some(timing));
    // The scripted provider takes 4 s over every provision it accepts, and no time over the rest.
    let provisions = report
        .checks()
        .flat_map(|check| &check.exchanges)
        .filter(|exchange| exchange.method == "POST" && exchange.status == Some(200));
    let elapsed: Vec<u64> = provisions.map(|exchange| exchange.timing.unwrap().elapsed_ms).collect();
    assert!(elapsed.len() > 3 && elapsed.iter().all(|&ms| ms == 4_000), "{elapsed:?}");
}

#[test]
fn exchanges_are_recorded_without_secrets() {
    let (report, _) = run_suite(&[], all());
    let text = kensa_checks::render::json(&report);
    assert!(!text.contains(scripted::PASSWORD), "the password leaked");
    assert!(!text.contains(scripted::SALT), "the salt leaked");
    assert!(text.contains("\"Basic [redacted]\""));
    let provision = report.checks().find(|check| check.code == "P01").unwrap();
    assert_eq!(provision.exchanges[0].status, Some(200));
    assert!(provision.exchanges[0].request_body.as_deref().unwrap().contains("\"plan\":\"test\""));
}

#[test]
fn v1_manifests_send_the_v1_body_and_use_the_provider_id() {
    let (report, provider) = run_suite(&[Fault::V1Manifest], all());
    assert!(report.passed(), "{}", kensa_checks::render::text(&report, &kensa_checks::render::plain));
    let first = &provider.requests()[0];
    let body: serde_json::Value = serde_json::from_slice(first.body.as_ref().unwrap()).unwrap();
    assert!(body["heroku_id"].as_str().unwrap().ends_with("@kensa.heroku.com"));
    assert!(first.headers.iter().any(|(name, value)| name == "Accept" && value == "application/json"));
    let delete = report.groups.iter().find(|group| group.heading.starts_with("DELETE")).unwrap();
    assert!(delete.heading.ends_with("/res-1"), "{}", delete.heading);
}

#[test]
fn an_invalid_manifest_stops_the_run() {
    let (report, provider) = run_suite(&[Fault::InvalidManifest], all());
    assert!(!report.passed());
    assert!(provider.requests().is_empty());
}

/// A browser cannot see a sign-in redirect's cookie: a refusal after the redirect is not
/// the provider's fault there, but it is one on a host that follows redirects itself.
#[test]
fn sso_sign_in_refused_after_a_redirect_is_unobservable_only_in_a_browser() {
    use kensa_checks::testing::{CountingIds, ManualClock, ScriptedTransport, block_on};
    use kensa_checks::{Capabilities, CheckRun, Effects, NoEvents, Response, Settings};
    for (capabilities, expected) in [(Capabilities::BROWSER, Outcome::Skipped), (Capabilities::FULL, Outcome::Failed)] {
        let mut transport =
            ScriptedTransport::new(|_: &kensa_checks::Request| Ok(Response { status: 403, ..Response::default() }));
        transport.capabilities = capabilities;
        let clock = ManualClock::at(1_790_000_000_000);
        let (mut ids, mut sink) = (CountingIds::default(), NoEvents);
        let effects = Effects { transport: &transport, clock: &clock, ids: &mut ids, sink: &mut sink, callbacks: None };
        let suite = Suite::Sso { resource: kensa_checks::ResourceKeys::either("res-1"), force_post: false };
        let report = block_on(
            CheckRun::new(effects, Settings::default()).run(&kensa_manifest::validate(&scripted::manifest(&[])), suite),
        );
        let outcome = |code: &str| report.checks().find(|check| check.code == code).map(|check| check.outcome);
        assert_eq!(outcome("S02"), Some(Outcome::Passed), "{capabilities:?}");
        assert_eq!(outcome("S05"), Some(expected), "{capabilities:?}");
    }
}

/// `kensa test provision` against a provider that gives every request `status` and `body`.
fn provision_answered(status: u16, body: serde_json::Value) -> kensa_checks::Report {
    use kensa_checks::testing::{CountingIds, ManualClock, ScriptedTransport, block_on};
    use kensa_checks::{CheckRun, Effects, NoEvents, Response, Settings};
    let body = serde_json::to_vec(&body).unwrap();
    let transport = ScriptedTransport::new(move |_: &kensa_checks::Request| {
        Ok(Response { status, headers: Vec::new(), body: body.clone() })
    });
    let clock = ManualClock::at(1_790_000_000_000);
    let (mut ids, mut sink) = (CountingIds::default(), NoEvents);
    let effects = Effects { transport: &transport, clock: &clock, ids: &mut ids, sink: &mut sink, callbacks: None };
    block_on(
        CheckRun::new(effects, Settings::default())
            .run(&kensa_manifest::validate(&scripted::manifest(&[])), Suite::Provision),
    )
}

/// Provider text quoted in a finding is bounded like a recorded body. A provider
/// that answers a provision with a 100 KB `message` (or id, or config key) does not put
/// 100 KB on one line of the terminal or the report; the report says how long it was.
#[test]
fn a_long_provider_message_is_cut_in_the_report() {
    let message = "a stack trace ".repeat(8_000);
    let report = provision_answered(500, serde_json::json!({ "message": message }));
    let p01 = report.checks().find(|check| check.code == "P01").unwrap();
    assert_eq!(p01.outcome, Outcome::Failed);
    let said = p01.findings.iter().find(|finding| finding.message.starts_with("the provider said: ")).unwrap();
    assert!(said.message.len() < 4200, "{} bytes", said.message.len());
    assert!(said.message.starts_with("the provider said: a stack trace a stack trace"), "{}", &said.message[..80]);
    assert!(said.message.ends_with(" bytes in all)"), "{}", &said.message[said.message.len() - 80..]);
}

/// A provider's answer may name thousands of config vars, each a finding of its
/// own; a check keeps the first hundred and counts the rest in one more, so a hostile answer
/// cannot flood the terminal or the report.
#[test]
fn a_check_keeps_at_most_a_hundred_findings() {
    let config: serde_json::Map<String, serde_json::Value> =
        (0..5_000).map(|n| (format!("EXTRA_{n}"), serde_json::Value::from(n))).collect();
    let report = provision_answered(200, serde_json::json!({ "id": "1", "config": config }));
    let flooded: Vec<_> = report.checks().filter(|check| check.findings.len() >= 100).collect();
    assert!(!flooded.is_empty(), "the undeclared and non-string config vars are each a finding");
    for check in flooded {
        assert_eq!(check.outcome, Outcome::Failed, "{}", check.code);
        assert_eq!(check.findings.len(), 100, "{}", check.code);
        let last = &check.findings[99];
        assert_eq!(last.message, "... and 4901 more like these", "{}", check.code);
        assert_eq!(last.severity, kensa_manifest::Severity::Error, "{}", check.code);
    }
}

/// The tolerance probes: each refusal fails its check, quoting the provider, and whatever
/// the probes made is removed again (a correct provider is left with nothing after `test all`).
#[test]
fn a_provider_that_is_not_a_tolerant_reader_fails_t01_and_t02() {
    let (report, provider) = run_suite(&[Fault::RejectsUnknownFields, Fault::CrashesOnNullGrant], all());
    let said = |code: &str| {
        let check = report.checks().find(|check| check.code == code).unwrap();
        assert_eq!(check.outcome, Outcome::Failed, "{check:#?}");
        check.findings.iter().map(|finding| finding.message.clone()).collect::<Vec<_>>().join("\n")
    };
    let t01 = said("T01");
    for fragment in
        ["kensa_probe", "fields it does not document yet", "valid", "(the provider said: unknown field kensa_probe)"]
    {
        assert!(t01.contains(fragment), "{t01}");
    }
    let t02 = said("T02");
    for fragment in ["\"oauth_grant\": null", "no grant", "(the provider said: undefined method"] {
        assert!(t02.contains(fragment), "{t02}");
    }
    assert_eq!(provider.live_resources(), 0);
}

/// v1 provisions carry no grant: T02 is skipped and says why.
#[test]
fn t02_is_skipped_for_v1() {
    let (report, _) = run_suite(&[Fault::V1Manifest, Fault::CrashesOnNullGrant], all());
    let t02 = report.checks().find(|check| check.code == "T02").unwrap();
    assert_eq!(t02.outcome, Outcome::Skipped);
    assert_eq!(t02.reason.as_deref(), Some("v1 provisions carry no oauth_grant"));
    assert_eq!(report.checks().find(|check| check.code == "T01").unwrap().outcome, Outcome::Passed);
}

/// With one region G01 has nothing to add; with `us`, `eu` and `*` it provisions once from
/// `eu` and once from `tokyo` (`*`'s sample less what was sent already), side by side, and
/// removes both.
#[test]
fn every_declared_region_is_provisioned_once() {
    let (report, _) = run_suite(&[], all());
    let g01 = report.checks().find(|check| check.code == "G01").unwrap();
    assert_eq!(g01.outcome, Outcome::Skipped);
    assert_eq!(
        g01.reason.as_deref(),
        Some(
            "every region the manifest declares (`us`) is sent as amazon-web-services::us-east-1, as the provision above was"
        )
    );

    let (report, provider) = run_suite(&[Fault::ManyRegions], all());
    assert!(report.passed());
    let regions: Vec<String> = provider
        .requests()
        .iter()
        .filter(|request| request.method == kensa_checks::Method::Post)
        .filter_map(|request| {
            let body: serde_json::Value = serde_json::from_slice(request.body.as_ref()?).ok()?;
            Some(body["region"].as_str()?.to_string())
        })
        .collect();
    let elsewhere: Vec<&String> = regions.iter().filter(|region| !region.ends_with("::us-east-1")).collect();
    assert_eq!(elsewhere, ["amazon-web-services::eu-west-1", "amazon-web-services::ap-northeast-1"]);
    let g01 = report.checks().find(|check| check.code == "G01").unwrap();
    assert_eq!(g01.outcome, Outcome::Passed, "{g01:#?}");
    assert_eq!(g01.note.as_deref(), Some("(also from eu, tokyo)"));
    assert_eq!(g01.exchanges.len(), 4, "two provisions, two deprovisions");
    assert_eq!(provider.live_resources(), 0);
}

/// A region the provider refuses fails G01, naming the manifest's region and its request form.
#[test]
fn a_refused_region_fails_g01_naming_it() {
    let (report, provider) = run_suite(&[Fault::ManyRegions, Fault::RefusesEuRegions], all());
    let g01 = report.checks().find(|check| check.code == "G01").unwrap();
    assert_eq!(g01.outcome, Outcome::Failed, "{g01:#?}");
    let said: Vec<&str> = g01.findings.iter().map(|finding| finding.message.as_str()).collect();
    assert_eq!(
        said,
        ["region `eu` (amazon-web-services::eu-west-1): expected 200, got 422: the manifest declares `eu`, so Heroku \
          provisions apps there and sends their region in this form; accept it, or remove `eu` from `api.regions` \
          (the provider said: this region is not supported)"]
    );
    assert_eq!(provider.live_resources(), 0, "the tokyo resource was removed");
}

/// Runs `suite` against a provider that answers every request with `response`.
fn every_answer(response: kensa_checks::Response, suite: Suite) -> kensa_checks::Report {
    use kensa_checks::testing::{CountingIds, ManualClock, ScriptedTransport, block_on};
    use kensa_checks::{CheckRun, Effects, NoEvents, Settings};
    let transport = ScriptedTransport::new(move |_: &kensa_checks::Request| Ok(response.clone()));
    let clock = ManualClock::at(1_790_000_000_000);
    let (mut ids, mut sink) = (CountingIds::default(), NoEvents);
    let effects = Effects { transport: &transport, clock: &clock, ids: &mut ids, sink: &mut sink, callbacks: None };
    block_on(
        CheckRun::new(effects, Settings::default()).run(&kensa_manifest::validate(&scripted::manifest(&[])), suite),
    )
}

fn said(report: &kensa_checks::Report, code: &str) -> String {
    let check = report.checks().find(|check| check.code == code).unwrap_or_else(|| panic!("no {code}"));
    check.findings.iter().map(|finding| finding.message.as_str()).collect::<Vec<_>>().join("\n")
}

/// The seed guide's `Rack::Auth::Basic` block hard-codes its own pair: a 401 to the
/// manifest's own credentials says so and what to compare, on every call that sends them.
#[test]
fn a_401_to_the_manifests_own_credentials_says_what_to_compare() {
    let refused = kensa_checks::Response { status: 401, ..kensa_checks::Response::default() };
    let resource = kensa_checks::ResourceKeys::either("01234567-89ab-cdef-0123-456789abcdef");
    for (suite, code) in [
        (Suite::Provision, "P01"),
        (Suite::PlanChange { resource: resource.clone(), plan: "premium".into() }, "C01"),
        (Suite::Deprovision { resource }, "X01"),
    ] {
        let text = said(&every_answer(refused.clone(), suite), code);
        assert!(text.contains("got 401"), "{code}: {text}");
        assert!(text.contains("the service refused the manifest's own credentials (user `myaddon`"), "{code}: {text}");
        assert!(text.contains("compare the username and password"), "{code}: {text}");
        assert!(!text.contains(scripted::PASSWORD), "{code}: the password is never shown: {text}");
    }
    let other = kensa_checks::Response { status: 500, ..kensa_checks::Response::default() };
    assert!(!said(&every_answer(other, Suite::Provision), "P01").contains("manifest's own credentials"));
}

/// An SSO route behind the provisioning API's Basic auth (the guide's `use Rack::Auth::Basic`
/// guards every path) challenges the browser; the failure says where the route sits. A 401
/// without the challenge is only a wrong status.
#[test]
fn an_sso_route_behind_basic_auth_is_named() {
    let challenge = |header: Option<&str>| kensa_checks::Response {
        status: 401,
        headers: header.map(|value| ("WWW-Authenticate".to_string(), value.to_string())).into_iter().collect(),
        body: Vec::new(),
    };
    let sso = || Suite::Sso { resource: kensa_checks::ResourceKeys::either("res-1"), force_post: false };
    let report = every_answer(challenge(Some("Basic realm=\"Restricted Area\"")), sso());
    for code in ["S02", "S03", "S04", "S05"] {
        let text = said(&report, code);
        assert!(text.contains("got 401"), "{code}: {text}");
        assert!(text.contains("sits behind the provisioning API's Basic auth"), "{code}: {text}");
    }
    let report = every_answer(challenge(None), sso());
    for code in ["S02", "S05"] {
        let text = said(&report, code);
        assert!(text.contains("got 401") && !text.contains("Basic auth"), "{code}: {text}");
    }
}

/// The ledger a host keeps from `suite`'s resource events against the scripted provider
/// with `faults`, and the report.
fn ledger_after(faults: &[Fault], suite: Suite) -> (kensa_checks::Ledger, kensa_checks::Report, scripted::Provider) {
    let ledger = std::cell::RefCell::new(kensa_checks::Ledger::default());
    let provenance = kensa_checks::Provenance {
        manifest_id: "myaddon".into(),
        environment: kensa_manifest::Environment::Test,
        command: "kensa test all".into(),
    };
    let mut sink = |event: kensa_checks::Event<'_>| {
        if let kensa_checks::Event::Resource(change) = event {
            ledger.borrow_mut().apply(change, &provenance, 0);
        }
    };
    let (report, provider) = scripted::run_suite_with_sink(faults, suite, &mut sink);
    (ledger.into_inner(), report, provider)
}

fn messages_of(report: &kensa_checks::Report, code: &str) -> (Outcome, String) {
    let check = report.checks().find(|check| check.code == code).unwrap_or_else(|| panic!("no {code}"));
    (check.outcome, check.findings.iter().map(|finding| finding.message.as_str()).collect::<Vec<_>>().join("\n"))
}

/// Overlapping repeats of one provision, against a provider that looks the uuid up and
/// then inserts: three resources, one finding naming them, and all three removed again
/// (by uuid in v3, by id in v1) with the ledger following. Nothing else fails.
#[test]
fn overlapping_repeats_that_make_several_resources_fail_d03_and_are_removed() {
    for version in [None, Some(Fault::V1Manifest)] {
        let faults: Vec<Fault> = [Fault::OverlappingDuplicates].into_iter().chain(version).collect();
        let (ledger, report, provider) = ledger_after(&faults, all());
        let (outcome, said) = messages_of(&report, "D03");
        assert_eq!(outcome, Outcome::Failed, "{version:?}: {said}");
        for fragment in ["overlapping", "at least once", "unique constraint on uuid", "made 3 resources: `res-"] {
            assert!(said.contains(fragment), "{version:?}: {fragment:?} not in {said}");
        }
        let failed: Vec<&str> =
            report.checks().filter(|check| check.outcome == Outcome::Failed).map(|check| check.code.as_str()).collect();
        assert_eq!(failed, ["D03"], "{version:?}");
        let d03 = report.checks().find(|check| check.code == "D03").unwrap();
        let deletes = d03.exchanges.iter().filter(|exchange| exchange.method == "DELETE").count();
        // v3: the first DELETE by uuid removes all three, the second says so; v1: one each.
        assert_eq!((d03.exchanges.len() - deletes, deletes), (4, if version.is_some() { 3 } else { 2 }));
        assert_eq!(provider.live_resources(), 0, "{version:?}: every resource is removed");
        assert!(ledger.resources.is_empty(), "{version:?}: {:#?}", ledger.resources);
    }
}

/// A unique constraint whose conflict the service does not handle: the overlapping repeats
/// get an error, which fails D03 with every answer listed; the one resource is removed.
#[test]
fn overlapping_repeats_refused_by_a_unique_constraint_fail_d03() {
    let (ledger, report, provider) = ledger_after(&[Fault::ConflictOnOverlap], all());
    let (outcome, said) = messages_of(&report, "D03");
    assert_eq!(outcome, Outcome::Failed, "{said}");
    for fragment in [
        "an overlapping repeat of one provision got 409 (the answers: 200, 409, 409, then 200)",
        "at least once",
        "unique constraint on uuid",
        "the provider said: duplicate key value violates unique constraint",
    ] {
        assert!(said.contains(fragment), "{fragment:?} not in {said}");
    }
    assert_eq!(provider.live_resources(), 0);
    assert!(ledger.resources.is_empty(), "{:#?}", ledger.resources);
}

/// A correct provider answers the overlapping repeats with one resource: D03 passes with
/// one DELETE, and the ledger ends empty.
#[test]
fn overlapping_repeats_pass_against_a_provider_keyed_by_uuid() {
    let (ledger, report, _) = ledger_after(&[], all());
    let d03 = report.checks().find(|check| check.code == "D03").unwrap();
    assert_eq!(d03.outcome, Outcome::Passed, "{d03:#?}");
    let statuses: Vec<Option<u16>> = d03.exchanges.iter().map(|exchange| exchange.status).collect();
    assert_eq!(statuses, [Some(200), Some(200), Some(200), Some(200), Some(204)]);
    assert!(ledger.resources.is_empty(), "{:#?}", ledger.resources);
}

/// A provider whose every DELETE fails keeps D03's resource: D03 warns, and the ledger
/// keeps it (with the resource under test, D02's extra, and T01's and T02's) for
/// `kensa resources --cleanup`.
#[test]
fn an_overlapping_repeats_resource_that_cannot_be_removed_stays_in_the_ledger() {
    let (ledger, report, _) = ledger_after(&[Fault::DeprovisionStatus500], all());
    let (outcome, said) = messages_of(&report, "D03");
    assert_eq!(outcome, Outcome::Warning, "{said}");
    assert!(said.contains("could not deprovision the extra resource"), "{said}");
    let ids: Vec<&str> = ledger.resources.iter().map(|entry| entry.id.as_str()).collect();
    assert_eq!(ids, ["res-1", "res-2", "res-3", "res-4", "res-5"]);
    assert_eq!(messages_of(&report, "X03").0, Outcome::Skipped);
}

/// The repeated DELETE passes on 410 (the scripted provider's answer), and fails on an error
/// saying why and what to answer instead.
#[test]
fn a_repeated_deprovision_must_not_be_an_error() {
    let (report, _) = run_suite(&[], all());
    let x03 = report.checks().find(|check| check.code == "X03").unwrap();
    assert_eq!(x03.outcome, Outcome::Passed, "{x03:#?}");
    assert_eq!(x03.exchanges[0].status, Some(410));
    let (report, provider) = run_suite(&[Fault::RepeatedDeleteFails], all());
    let (outcome, said) = messages_of(&report, "X03");
    assert_eq!(outcome, Outcome::Failed);
    for fragment in ["a repeated DELETE got 500", "at least once", "410 Gone", "the provider said: RecordNotFound"] {
        assert!(said.contains(fragment), "{fragment:?} not in {said}");
    }
    assert_eq!(provider.live_resources(), 0);
}

/// A repeated DELETE that goes unanswered fails X03 too: Heroku would retry it.
#[test]
fn a_repeated_deprovision_left_unanswered_fails() {
    use kensa_checks::testing::{CountingIds, ManualClock, ScriptedTransport, block_on};
    use kensa_checks::{CheckRun, Effects, NoEvents, Response, Settings};
    let deletes = std::cell::Cell::new(0);
    let transport = ScriptedTransport::new(|request: &kensa_checks::Request| {
        let authorized = request.headers.iter().any(|(name, value)| {
            name == "Authorization" && *value == kensa_checks::encoding::basic_auth("myaddon", scripted::PASSWORD)
        });
        if !authorized {
            return Ok(Response { status: 401, ..Response::default() });
        }
        deletes.set(deletes.get() + 1);
        if deletes.get() > 1 {
            Err(kensa_checks::TransportError::Closed(String::new()))
        } else {
            Ok(Response { status: 204, ..Response::default() })
        }
    });
    let clock = ManualClock::at(1_790_000_000_000);
    let (mut ids, mut sink) = (CountingIds::default(), NoEvents);
    let effects = Effects { transport: &transport, clock: &clock, ids: &mut ids, sink: &mut sink, callbacks: None };
    let suite = Suite::Deprovision { resource: kensa_checks::ResourceKeys::either("res-1") };
    let report = block_on(
        CheckRun::new(effects, Settings::default()).run(&kensa_manifest::validate(&scripted::manifest(&[])), suite),
    );
    let (outcome, said) = messages_of(&report, "X03");
    assert_eq!(outcome, Outcome::Failed, "{said}");
    assert!(said.contains("connection closed by http://localhost:4567"), "{said}");
    assert!(said.contains("at least once") && said.contains("410 Gone"), "{said}");
}

/// The repeated plan change passes on 200 and fails on 422, with the provider's message;
/// it is skipped when the plan change itself failed.
#[test]
fn a_repeated_plan_change_answers_the_same() {
    let (report, _) = run_suite(&[], all());
    assert_eq!(messages_of(&report, "C03").0, Outcome::Passed);
    let (report, provider) = run_suite(&[Fault::RepeatedPlanChangeFails], all());
    let (outcome, said) = messages_of(&report, "C03");
    assert_eq!(outcome, Outcome::Failed);
    for fragment in ["a repeated plan change got 422", "at least once", "the provider said: already on plan foo"] {
        assert!(said.contains(fragment), "{fragment:?} not in {said}");
    }
    let failed: Vec<&str> =
        report.checks().filter(|check| check.outcome == Outcome::Failed).map(|check| check.code.as_str()).collect();
    assert_eq!(failed, ["C03"]);
    assert_eq!(provider.live_resources(), 0);
    let (report, _) = run_suite(&[Fault::PlanChange503], all());
    assert_eq!(messages_of(&report, "C03").0, Outcome::Skipped);
}

/// Each check of `report` with its group as JUnit names it (the route where there is one):
/// what a CI dashboard follows from run to run.
fn listed(report: &kensa_checks::Report) -> Vec<(String, String)> {
    report
        .groups
        .iter()
        .flat_map(|group| {
            let suite = group.route.clone().unwrap_or_else(|| group.heading.clone());
            group.checks.iter().map(move |check| (suite.clone(), check.code.clone()))
        })
        .collect()
}

/// A run that stops early (no provision response, no JSON, no id, no valid manifest)
/// still lists every check a passing run makes, in the same groups and order; those it
/// could not make are skipped, naming the check that stopped them.
#[test]
fn every_run_of_a_suite_lists_the_same_checks() {
    for with_sso in [false, true] {
        let suite = Suite::All { plan: "foo".into(), with_sso };
        // The scripted provider has no sign-in page: with SSO its S checks fail, no others.
        let (passing, _) = run_suite(&[], suite.clone());
        assert!(passing.passed() || with_sso);
        let expected = listed(&passing);
        for (fault, stopped_by) in [
            (Fault::Refused, "P01"),
            (Fault::NotJson, "P02"),
            (Fault::MissingId, "R01"),
            (Fault::DeprovisionStatus500, "X01"),
        ] {
            let (report, _) = run_suite(&[fault], suite.clone());
            assert!(!report.passed(), "{fault:?}");
            assert_eq!(listed(&report), expected, "{fault:?}, with_sso {with_sso}");
            assert_eq!(report.summary().total, passing.summary().total, "{fault:?}");
            let stopped = format!("not run: {stopped_by} failed, so ");
            let skipped =
                report.checks().filter(|check| check.reason.as_deref().is_some_and(|r| r.starts_with(&stopped)));
            if stopped_by != "X01" {
                assert!(skipped.count() > 0, "{fault:?}: nothing names {stopped_by}");
            }
        }
        let (invalid, provider) = run_suite(&[Fault::InvalidManifest], suite);
        assert!(provider.requests().is_empty());
        assert_eq!(invalid.summary().total, passing.summary().total, "invalid manifest, with_sso {with_sso}");
        let codes = |report: &kensa_checks::Report| report.checks().map(|check| check.code.clone()).collect::<Vec<_>>();
        assert_eq!(codes(&invalid), codes(&passing));
        let live = invalid.checks().filter(|check| !check.code.starts_with('M'));
        for check in live {
            assert_eq!(check.outcome, Outcome::Skipped, "{}", check.code);
            assert_eq!(
                check.reason.as_deref(),
                Some("not run: M09 failed, and kensa calls the provider only with a valid manifest"),
                "{}",
                check.code
            );
        }
    }
}

/// The reason names the check that stopped the run and what the skipped check needed.
#[test]
fn a_check_left_without_a_resource_says_which_check_stopped_it() {
    let (report, _) = run_suite(&[Fault::Refused], Suite::All { plan: "foo".into(), with_sso: true });
    let reason = |code: &str| {
        let check = report.checks().filter(|check| check.code == code).last().unwrap();
        assert_eq!(check.outcome, Outcome::Skipped, "{code}");
        check.reason.clone().unwrap()
    };
    assert_eq!(reason("R01"), "not run: P01 failed, so there is no JSON response to check");
    assert_eq!(reason("D01"), "not run: P01 failed, so there is no resource to provision again");
    assert_eq!(reason("S01"), "not run: P01 failed, so there is no resource to sign in to");
    assert_eq!(reason("C01"), "not run: P01 failed, so there is no resource to change the plan of");
    assert_eq!(reason("R04"), "not run: P01 failed, so there are no config vars to check");
    assert_eq!(reason("X01"), "not run: P01 failed, so there is no resource to deprovision");
    let routes: Vec<_> = report.groups.iter().filter_map(|group| group.route.as_deref()).collect();
    assert_eq!(
        routes,
        ["GET /heroku/resources/{id}", "PUT /heroku/resources/{uuid}", "DELETE /heroku/resources/{uuid}"]
    );
}

/// A plan change that fails still lists its config data, skipped because of C01.
#[test]
fn a_failed_plan_change_lists_its_config_checks() {
    let (passing, _) = run_suite(&[], all());
    let (report, _) = run_suite(&[Fault::PlanChange503], all());
    assert_eq!(listed(&report), listed(&passing));
    let last_config = report.checks().filter(|check| check.code == "R04").last().unwrap();
    assert_eq!(last_config.reason.as_deref(), Some("not run: C01 failed, so there are no config vars to check"));
}

/// The suites on an existing resource list their checks too when the manifest is invalid.
#[test]
fn an_invalid_manifest_lists_each_suites_checks() {
    let resource = kensa_checks::ResourceKeys::either("res-1");
    for (suite, count) in [
        (Suite::Provision, 3 + 3 + 4 + 5 + 3 + 2 + 1),
        (Suite::Sso { resource: resource.clone(), force_post: false }, 7),
        (Suite::PlanChange { resource: resource.clone(), plan: "foo".into() }, 3 + 5),
        (Suite::Deprovision { resource }, 3),
        (Suite::Manifest, 0),
    ] {
        let (report, _) = run_suite(&[Fault::InvalidManifest], suite.clone());
        let live: Vec<_> = report.checks().filter(|check| !check.code.starts_with('M')).collect();
        assert_eq!(live.len(), count, "{suite:?}");
        assert!(live.iter().all(|check| check.outcome == Outcome::Skipped), "{suite:?}");
    }
}
