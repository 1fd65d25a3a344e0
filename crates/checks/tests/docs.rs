//! Every live check's documented example failure is a message the check really prints: each
//! case breaks one provider behaviour and looks for the example among the findings.
#![allow(clippy::unwrap_used, reason = "test helpers panic on purpose")]

use kensa_checks::testing::{CountingIds, ManualClock, block_on};
use kensa_checks::{
    CHECKS, CallbackCall, CallbackLog, CallbackReceiver, Capabilities, CheckRun, CommandOutcome, Effects, Method,
    NoEvents, Provisioned, Refusal, Report, Request, Response, Settings, Suite, Transport, TransportError,
};
use serde_json::{Value, json};
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;

const PASSWORD: &str = "docs-password-0123";

/// How the fake provider answers a request.
type Answer = Box<dyn FnMut(&Request) -> Response>;

/// A provider answered by a function; under `--async` its calls back to Heroku come from
/// `callbacks`, given the resource uuid.
struct Fake {
    answer: RefCell<Answer>,
    callbacks: fn(&str) -> CallbackLog,
}

impl Transport for Fake {
    fn capabilities(&self) -> Capabilities {
        Capabilities::FULL
    }

    async fn send(&self, request: Request) -> Result<Response, TransportError> {
        Ok((self.answer.borrow_mut())(&request))
    }
}

impl CallbackReceiver for Fake {
    fn callback_url(&self, uuid: &str) -> String {
        format!("http://127.0.0.1:5999/addons/{uuid}")
    }

    fn grant_sent(&self, _uuid: &str, _code: &str, _expires_at_ms: u64) {}

    fn received(&self) -> Vec<CallbackCall> {
        Vec::new()
    }

    fn wait_for_callbacks<'a>(
        &'a self,
        uuid: &'a str,
        _timeout_ms: u64,
    ) -> Pin<Box<dyn Future<Output = CallbackLog> + 'a>> {
        Box::pin(std::future::ready((self.callbacks)(uuid)))
    }
}

fn body(request: &Request) -> Value {
    request.body.as_deref().and_then(|body| serde_json::from_slice(body).ok()).unwrap_or(Value::Null)
}

fn reply(status: u16, body: Value) -> Response {
    Response {
        status,
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: body.to_string().into(),
    }
}

fn authorized(request: &Request) -> bool {
    let expected = kensa_checks::encoding::basic_auth("myaddon", PASSWORD);
    request.headers.iter().any(|(name, value)| name == "Authorization" && *value == expected)
}

/// 401 for wrong credentials, otherwise `answer`.
fn guarded(mut answer: impl FnMut(&Request) -> Response + 'static) -> Answer {
    Box::new(move |request| if authorized(request) { answer(request) } else { reply(401, json!({})) })
}

/// A provision answer with `config`.
fn provisioned(config: Value) -> Answer {
    guarded(move |_| reply(200, json!({"id": "res-1", "config": config.clone()})))
}

fn manifest(version: Option<&str>) -> Value {
    let mut manifest = json!({
        "id": "myaddon",
        "api": {
            "config_vars": ["MYADDON_URL"],
            "password": PASSWORD,
            "sso_salt": "docs-salt-4567",
            "regions": ["us"],
            "production": {"base_url": "https://myaddon.example.com/heroku/resources"},
            "test": {"base_url": "http://localhost:4567/heroku/resources", "sso_url": "http://localhost:4567/sso/login"},
        }
    });
    if let Some(version) = version {
        manifest["api"]["version"] = json!(version);
    }
    manifest
}

/// One call about `uuid` that the stand-in refused for `refusal`, after which the provider stopped.
fn refused(method: Method, path: &str, uuid: &str, refusal: Refusal) -> CallbackLog {
    let call = CallbackCall {
        method,
        path: path.to_string(),
        headers: Vec::new(),
        body: Vec::new(),
        resource: Some(uuid.to_string()),
        refusals: vec![refusal],
    };
    CallbackLog { calls: vec![call], timed_out: false }
}

fn no_callbacks(_: &str) -> CallbackLog {
    CallbackLog { timed_out: true, ..CallbackLog::default() }
}

/// One way to break a provider, and the check whose example it must print.
struct Case {
    code: &'static str,
    manifest: Value,
    suite: Suite,
    asynchronous: bool,
    answer: Answer,
    callbacks: fn(&str) -> CallbackLog,
    /// Compare with digits ignored (the message names a random app number).
    any_digits: bool,
}

fn case(code: &'static str, suite: Suite, answer: Answer) -> Case {
    Case {
        code,
        manifest: manifest(Some("3")),
        suite,
        asynchronous: false,
        answer,
        callbacks: no_callbacks,
        any_digits: false,
    }
}

fn sso() -> Suite {
    Suite::Sso { resource: kensa_checks::ResourceKeys::either("res-1"), force_post: false }
}

fn cases() -> Vec<Case> {
    let counter = Cell::new(0);
    vec![
        case("P01", Suite::Provision, Box::new(|_| reply(404, json!({})))),
        case("P02", Suite::Provision, guarded(|_| Response { status: 200, headers: Vec::new(), body: b"ok".to_vec() })),
        case("P03", Suite::Provision, Box::new(|_| reply(200, json!({"id": "res-1"})))),
        case("R01", Suite::Provision, guarded(|_| reply(200, json!({})))),
        Case {
            manifest: manifest(None),
            any_digits: true,
            ..case(
                "R02",
                Suite::Provision,
                guarded(|request| {
                    let heroku_id = body(request)["heroku_id"].as_str().unwrap_or_default().to_string();
                    let app = heroku_id.split('@').next().unwrap_or_default().to_string();
                    reply(200, json!({"id": app}))
                }),
            )
        },
        Case {
            manifest: {
                let mut manifest = manifest(Some("3"));
                manifest["api"]["requires"] = json!(["syslog_drain"]);
                manifest
            },
            ..case("R03", Suite::Provision, provisioned(json!({"MYADDON_URL": "https://db.example.com/1"})))
        },
        case("R04", Suite::Provision, provisioned(json!([]))),
        case(
            "R05",
            Suite::Provision,
            provisioned(
                json!({"MYADDON_URL": "https://db.example.com/1", "MYADDON_OTHER_URL": "https://x.example.com"}),
            ),
        ),
        case("R06", Suite::Provision, provisioned(json!({}))),
        case("R07", Suite::Provision, provisioned(json!({"MYADDON_URL": 42}))),
        case("R08", Suite::Provision, provisioned(json!({"MYADDON_URL": "db.example.com/x"}))),
        Case { asynchronous: true, ..case("A01", Suite::Provision, guarded(|_| reply(202, json!({"id": "res-1"})))) },
        Case {
            asynchronous: true,
            callbacks: |uuid| {
                refused(Method::Post, &format!("/addons/{uuid}/actions/provision"), uuid, Refusal::BearerNotIssued)
            },
            ..case("A02", Suite::Provision, guarded(|_| reply(202, json!({"id": "res-1"}))))
        },
        Case {
            asynchronous: true,
            callbacks: |uuid| refused(Method::Post, "/oauth/token", uuid, Refusal::ClientSecretMissing),
            ..case("A03", Suite::Provision, guarded(|_| reply(202, json!({"id": "res-1"}))))
        },
        Case {
            asynchronous: true,
            callbacks: |uuid| {
                refused(Method::Patch, &format!("/addons/{uuid}/config"), uuid, Refusal::NotAcceptable { sent: None })
            },
            ..case("A04", Suite::Provision, guarded(|_| reply(202, json!({"id": "res-1"}))))
        },
        case(
            "D01",
            Suite::Provision,
            guarded(move |_| {
                counter.set(counter.get() + 1);
                reply(200, json!({"id": format!("res-{}", counter.get())}))
            }),
        ),
        case("D02", Suite::Provision, guarded(|_| reply(200, json!({"id": "res-1"})))),
        case("D03", Suite::Provision, {
            // Lookup-then-insert without a unique constraint, as overlapping requests meet it:
            // the first three provisions of a uuid each make a resource, later ones find the first.
            let made = RefCell::new(Vec::<(String, String)>::new());
            guarded(move |request| {
                if request.method == Method::Delete {
                    return reply(204, json!({}));
                }
                let uuid = body(request)["uuid"].as_str().unwrap_or_default().to_string();
                let mut made = made.borrow_mut();
                let mine: Vec<String> =
                    made.iter().filter(|(sent, _)| *sent == uuid).map(|(_, id)| id.clone()).collect();
                let id = match mine.first() {
                    Some(first) if mine.len() >= 3 => first.clone(),
                    _ => {
                        let id = format!("res-{}", made.len() + 1);
                        made.push((uuid, id.clone()));
                        id
                    }
                };
                reply(200, json!({"id": id}))
            })
        }),
        case(
            "T01",
            Suite::Provision,
            guarded(|request| match body(request).get("kensa_probe") {
                Some(_) => reply(422, json!({})),
                None => reply(200, json!({"id": "res-1"})),
            }),
        ),
        case(
            "T02",
            Suite::Provision,
            guarded(|request| match body(request)["oauth_grant"] {
                Value::Null => reply(500, json!({})),
                _ => reply(200, json!({"id": "res-1"})),
            }),
        ),
        Case {
            manifest: {
                let mut manifest = manifest(Some("3"));
                manifest["api"]["regions"] = json!(["us", "eu"]);
                manifest
            },
            ..case(
                "G01",
                Suite::Provision,
                guarded(|request| match body(request)["region"].as_str() {
                    Some("amazon-web-services::eu-west-1") => reply(422, json!({})),
                    _ => reply(200, json!({"id": "res-1"})),
                }),
            )
        },
        case(
            "X01",
            Suite::Deprovision { resource: kensa_checks::ResourceKeys::either("res-1") },
            guarded(|_| reply(404, json!({}))),
        ),
        case(
            "X02",
            Suite::Deprovision { resource: kensa_checks::ResourceKeys::either("res-1") },
            Box::new(|_| reply(204, json!({}))),
        ),
        case("X03", Suite::Deprovision { resource: kensa_checks::ResourceKeys::either("res-1") }, {
            let removed = Cell::new(false);
            guarded(move |_| if removed.replace(true) { reply(500, json!({})) } else { reply(204, json!({})) })
        }),
        case(
            "C01",
            Suite::PlanChange { resource: kensa_checks::ResourceKeys::either("res-1"), plan: "premium".into() },
            guarded(|_| reply(404, json!({}))),
        ),
        case(
            "C02",
            Suite::PlanChange { resource: kensa_checks::ResourceKeys::either("res-1"), plan: "premium".into() },
            Box::new(|_| reply(200, json!({}))),
        ),
        case(
            "C03",
            Suite::PlanChange { resource: kensa_checks::ResourceKeys::either("res-1"), plan: "premium".into() },
            {
                let changed = Cell::new(false);
                guarded(move |_| {
                    if changed.replace(true) {
                        reply(422, json!({"message": "the resource is already on plan premium"}))
                    } else {
                        reply(200, json!({}))
                    }
                })
            },
        ),
        Case {
            manifest: {
                let mut manifest = manifest(Some("3"));
                manifest["api"].as_object_mut().unwrap().remove("sso_salt");
                manifest
            },
            ..case("S01", sso(), Box::new(|_| reply(200, json!({}))))
        },
        case("S02", sso(), Box::new(|_| reply(200, json!({})))),
        case("S03", sso(), Box::new(|_| redirect())),
        case("S04", sso(), Box::new(|_| redirect())),
        case("S05", sso(), Box::new(|_| reply(403, json!({})))),
        Case { manifest: manifest(None), ..case("S06", sso(), Box::new(|_| page())) },
        Case { manifest: manifest(None), ..case("S07", sso(), Box::new(|_| page())) },
    ]
}

fn redirect() -> Response {
    Response { status: 302, headers: vec![("Location".into(), "/dashboard".into())], body: Vec::new() }
}

fn page() -> Response {
    Response { status: 200, headers: Vec::new(), body: b"<p>signed in</p>".to_vec() }
}

fn run(case: Case) -> Report {
    let transport = Fake { answer: RefCell::new(case.answer), callbacks: case.callbacks };
    let clock = ManualClock::at(1_790_000_000_000);
    let mut ids = CountingIds::default();
    let mut sink = NoEvents;
    let effects =
        Effects { transport: &transport, clock: &clock, ids: &mut ids, sink: &mut sink, callbacks: Some(&transport) };
    let settings = Settings { async_timeout_ms: case.asynchronous.then_some(30_000), ..Settings::default() };
    let source = serde_json::to_vec(&case.manifest).unwrap();
    block_on(CheckRun::new(effects, settings).run(&kensa_manifest::validate(&source), case.suite))
}

/// The message with uuids (and, when asked, digits) blanked out.
fn shape(message: &str, any_digits: bool) -> String {
    let mut out = String::new();
    let mut rest = message;
    while !rest.is_empty() {
        let candidate = rest.get(..36).filter(|text| is_uuid(text));
        if let Some(uuid) = candidate {
            out.push_str("<uuid>");
            rest = &rest[uuid.len()..];
        } else {
            let c = rest.chars().next().unwrap();
            out.push(if any_digits && c.is_ascii_digit() { '#' } else { c });
            rest = &rest[c.len_utf8()..];
        }
    }
    if any_digits {
        while out.contains("##") {
            out = out.replace("##", "#");
        }
    }
    out
}

fn is_uuid(text: &str) -> bool {
    text.len() == 36
        && text.char_indices().all(
            |(index, c)| {
                if [8, 13, 18, 23].contains(&index) { c == '-' } else { c.is_ascii_hexdigit() }
            },
        )
}

#[test]
fn live_examples_are_what_the_checks_print() {
    let cases = cases();
    let mut covered: Vec<&str> = cases.iter().map(|case| case.code).collect();
    covered.push("E01");
    let all: Vec<&str> = CHECKS.iter().map(|check| check.code).collect();
    assert_eq!(covered, all, "one case per live check, in catalogue order");
    for case in cases {
        let (code, any_digits) = (case.code, case.any_digits);
        let def = CHECKS.iter().find(|check| check.code == code).unwrap();
        let report = run(case);
        let check = report.checks().find(|check| check.code == code).unwrap_or_else(|| panic!("{code} did not run"));
        let said: Vec<String> = check.findings.iter().map(|finding| shape(&finding.message, any_digits)).collect();
        let example = shape(def.example, any_digits);
        assert!(said.contains(&example), "{code}: example {example:?} not among {said:?}");
    }
}

#[test]
fn the_command_example_is_what_kensa_run_prints() {
    let transport = Fake { answer: RefCell::new(Box::new(|_| reply(200, json!({})))), callbacks: no_callbacks };
    let clock = ManualClock::at(1_790_000_000_000);
    let mut ids = CountingIds::default();
    let mut sink = NoEvents;
    let effects =
        Effects { transport: &transport, clock: &clock, ids: &mut ids, sink: &mut sink, callbacks: Some(&transport) };
    let mut session = CheckRun::new(effects, Settings::default());
    let resource = Provisioned { id: "res-1".into(), uuid: "u".into(), config: Vec::new() };
    session.record_command("./consumer-test", &resource, &CommandOutcome::Exited(1));
    let report = session.into_report();
    let check = report.checks().find(|check| check.code == "E01").unwrap();
    let def = CHECKS.iter().find(|check| check.code == "E01").unwrap();
    assert_eq!(check.findings[0].message, def.example);
}

#[test]
fn shapes_blank_out_uuids_and_digits() {
    assert_eq!(shape("POST /addons/01234567-89ab-cdef-0123-456789abcdef/x", false), "POST /addons/<uuid>/x");
    assert_eq!(shape("`app123` has 123", true), "`app#` has #");
    assert_eq!(shape("got 404", false), "got 404");
}
