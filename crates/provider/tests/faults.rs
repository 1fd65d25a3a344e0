//! Every fault switch changes what a client sees. The match is exhaustive on purpose: a new
//! fault does not compile until it has a case here.
#![allow(clippy::unwrap_used, reason = "test helpers outside #[test] functions")]

mod common;

use std::io::Read;
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::heroku::{ACCESS_TOKEN, FakeHeroku, Recorded, async_options, completions, v3_grant_body};
use common::*;
use kensa_provider::{Fault, ProviderOptions, RunningProvider, basic_auth_header, spawn_thread, sso};
use serde_json::{Value, json};

const UUID: &str = "eeeeeeee-0000-0000-0000-000000000001";
const UUID2: &str = "eeeeeeee-0000-0000-0000-000000000002";

fn start(fault: Option<Fault>) -> RunningProvider {
    let mut options =
        ProviderOptions::default().with_sso_salt("SSO_SALT").with_config_vars(["MYADDON_URL", "MYADDON_TOKEN"]);
    options.slow_provision = Duration::from_millis(300);
    if let Some(fault) = fault {
        options = options.with_fault(fault);
    }
    spawn_thread(options).unwrap()
}

fn provisioned(p: &RunningProvider, uuid: &str) -> Value {
    let reply = provision(p, &v3_body(uuid));
    assert!(reply.status < 300, "provision answered {}", reply.status);
    reply.json()
}

fn id_of(p: &RunningProvider) -> String {
    p.resources().unwrap()[0].id.clone()
}

fn login(p: &RunningProvider, ts: i64, token: Option<&str>) -> HttpResponse {
    let id = id_of(p);
    let ts = ts.to_string();
    let good = sso::token(&id, "SSO_SALT", &ts);
    sso_post(
        p,
        &[
            ("id", &id),
            ("token", token.unwrap_or(&good)),
            ("timestamp", &ts),
            ("nav-data", NAV),
            ("email", "username@example.com"),
            ("app", "myapp"),
        ],
    )
}

/// A provider in async mode with `fault`, calling back a fresh recording stand-in.
fn start_async(fault: Fault) -> (FakeHeroku, RunningProvider) {
    let heroku = FakeHeroku::start();
    let p = spawn_thread(async_options(&heroku).with_fault(fault)).unwrap();
    (heroku, p)
}

/// What the fault does, checked from the outside. Each arm also holds for the correct
/// provider's opposite, which tests/provider.rs covers.
fn observe(fault: Fault) {
    let p = start(Some(fault));
    let body = v3_body(UUID);
    match fault {
        Fault::NoAuth => {
            assert_eq!(provision_as(&p, None, &body).status, 200);
            let wrong = basic_auth_header("wrong", "wrong");
            assert_eq!(
                send(&p, "DELETE", &format!("/heroku/resources/{UUID}"), &[("Authorization", &wrong)], "").status,
                204
            );
        }
        Fault::AuthPasswordOnly => {
            let wrong_user = basic_auth_header("wrong", "secret");
            assert_eq!(provision_as(&p, Some(&wrong_user), &body).status, 200);
            let wrong_password = basic_auth_header("myaddon", "wrong");
            assert_eq!(provision_as(&p, Some(&wrong_password), &body).status, 401);
        }
        Fault::AuthUserOnly => {
            let wrong_password = basic_auth_header("myaddon", "wrong");
            assert_eq!(provision_as(&p, Some(&wrong_password), &body).status, 200);
            let wrong_user = basic_auth_header("wrong", "secret");
            assert_eq!(provision_as(&p, Some(&wrong_user), &body).status, 401);
        }
        Fault::ProvisionStatus201 => assert_eq!(provision(&p, &body).status, 201),
        Fault::ProvisionStatus202 => {
            let reply = provision(&p, &body);
            assert_eq!(reply.status, 202);
            // Not async mode: the config comes with the 202, and nothing calls back.
            assert!(reply.json()["config"].is_object());
            assert!(!p.resources().unwrap()[0].provisioning);
        }
        Fault::AsyncNeverCallback => {
            let (heroku, p) = start_async(fault);
            assert_eq!(provision(&p, &v3_grant_body(&heroku, UUID)).status, 202);
            // Counted, not waited for: no completion was even started, so none can call
            // back later.
            assert_eq!(completions(&p), 0);
            assert!(heroku.calls().is_empty(), "{:?}", heroku.calls());
            assert!(p.resources().unwrap()[0].provisioning);
        }
        Fault::AsyncSkipOauth => {
            let (heroku, p) = start_async(fault);
            assert_eq!(provision(&p, &v3_grant_body(&heroku, UUID)).status, 202);
            let calls = heroku.wait_finished(UUID);
            assert_eq!(
                calls.iter().map(Recorded::line).collect::<Vec<_>>(),
                [format!("PATCH /addons/{UUID}/config"), format!("POST /addons/{UUID}/actions/provision"),]
            );
            assert!(calls.iter().all(|c| c.header("authorization").is_none()));
        }
        Fault::AsyncWrongToken => {
            let (heroku, p) = start_async(fault);
            assert_eq!(provision(&p, &v3_grant_body(&heroku, UUID)).status, 202);
            let calls = heroku.wait_finished(UUID);
            assert_eq!(calls[0].line(), "POST /oauth/token");
            assert_eq!(calls.len(), 3);
            for call in &calls[1..] {
                assert_eq!(call.header("authorization"), Some("Bearer wrong-token"));
                assert_ne!(call.header("authorization"), Some(format!("Bearer {ACCESS_TOKEN}").as_str()));
            }
        }
        Fault::AsyncLegacyCallback => {
            let (heroku, p) = start_async(fault);
            let reply = provision(&p, &v3_grant_body(&heroku, UUID));
            assert_eq!(reply.status, 202);
            let calls = heroku.wait_finished(UUID);
            assert_eq!(calls.iter().map(Recorded::line).collect::<Vec<_>>(), [format!("PUT /addons/{UUID}")]);
            assert_eq!(calls[0].json()["id"], reply.json()["id"]);
            assert!(calls[0].json()["config"]["MYADDON_URL"].is_string());
        }
        Fault::AsyncUndeclaredConfigVar => {
            let (heroku, p) = start_async(fault);
            assert_eq!(provision(&p, &v3_grant_body(&heroku, UUID)).status, 202);
            let calls = heroku.wait_finished(UUID);
            let patch = calls.iter().find(|c| c.method == "PATCH").unwrap().json();
            let names: Vec<&str> =
                patch["config"].as_array().unwrap().iter().map(|pair| pair["name"].as_str().unwrap()).collect();
            assert_eq!(names, ["MYADDON_URL", "MYADDON_TOKEN", "MYADDON_UNDECLARED"]);
        }
        Fault::AsyncNoClientSecret => {
            let (heroku, p) = start_async(fault);
            assert_eq!(provision(&p, &v3_grant_body(&heroku, UUID)).status, 202);
            let calls = heroku.wait_finished(UUID);
            assert_eq!(calls[0].line(), "POST /oauth/token");
            assert_eq!(calls[0].form_field("grant_type").as_deref(), Some("authorization_code"));
            assert_eq!(calls[0].form_field("client_secret"), None);
        }
        Fault::AsyncNoAccept => {
            let (heroku, p) = start_async(fault);
            assert_eq!(provision(&p, &v3_grant_body(&heroku, UUID)).status, 202);
            let calls = heroku.wait_finished(UUID);
            assert_eq!(calls.len(), 3);
            for call in &calls[1..] {
                assert_eq!(call.header("accept"), None, "{}", call.line());
                assert_eq!(call.header("authorization"), Some(format!("Bearer {ACCESS_TOKEN}").as_str()));
            }
        }
        Fault::ProvisionStatus422 => {
            let reply = provision(&p, &body);
            assert_eq!(reply.status, 422);
            assert!(reply.json()["message"].is_string());
            assert_eq!(p.resource_count().unwrap(), 0);
        }
        Fault::ProvisionNotJson => {
            let reply = provision(&p, &body);
            assert_eq!(reply.status, 200);
            assert!(serde_json::from_slice::<Value>(&reply.body).is_err());
        }
        Fault::ProvisionJsonArray => {
            let answer = provisioned(&p, UUID);
            assert!(answer.is_array());
            assert!(answer[0]["id"].is_string());
        }
        Fault::ProvisionNull => assert_eq!(provisioned(&p, UUID), Value::Null),
        Fault::ProvisionMissingId => {
            let answer = provisioned(&p, UUID);
            assert!(answer.get("id").is_none());
            assert!(answer["config"].is_object());
        }
        Fault::ProvisionEmptyId => assert_eq!(provisioned(&p, UUID)["id"], ""),
        Fault::UndeclaredConfigVar => {
            assert_eq!(provisioned(&p, UUID)["config"]["MYADDON_UNDECLARED"], "surprise");
        }
        Fault::ConfigExportsPath => {
            let config = provisioned(&p, UUID)["config"].clone();
            assert_eq!(config["PATH"], kensa_provider::CONFIG_FAULT_PATH);
            assert!(config["LD_PRELOAD"].is_string() && config["BASH_ENV"].is_string(), "{config}");
            assert!(config["MYADDON_URL"].is_string(), "{config}");
        }
        Fault::NonStringConfigValue => {
            assert!(provisioned(&p, UUID)["config"]["MYADDON_URL"].is_number());
        }
        Fault::ConfigNotObject => {
            let config = provisioned(&p, UUID)["config"].clone();
            assert_eq!(config[0]["name"], "MYADDON_URL");
        }
        Fault::InvalidConfigUrl => {
            let url = provisioned(&p, UUID)["config"]["MYADDON_URL"].clone();
            assert!(url.as_str().unwrap().starts_with("/resources/"), "{url}");
        }
        Fault::LocalhostConfigUrl => {
            let url = provisioned(&p, UUID)["config"]["MYADDON_URL"].clone();
            assert!(url.as_str().unwrap().starts_with("http://localhost:"), "{url}");
        }
        Fault::MissingDeclaredConfigVar => {
            let config = provisioned(&p, UUID)["config"].clone();
            assert!(config.get("MYADDON_TOKEN").is_none());
            assert!(config.get("MYADDON_URL").is_some());
        }
        Fault::MissingLogDrainUrl => {
            let mut body = body;
            body["log_drain_token"] = json!("d.123");
            assert!(provision(&p, &body).json().get("log_drain_url").is_none());
        }
        Fault::SameIdForEveryUuid => {
            let a = provisioned(&p, UUID)["id"].clone();
            let b = provisioned(&p, UUID2)["id"].clone();
            assert_eq!(a, b);
        }
        Fault::NewIdForRepeatedUuid => {
            let a = provisioned(&p, UUID)["id"].clone();
            let b = provisioned(&p, UUID)["id"].clone();
            assert_ne!(a, b);
            assert_eq!(p.resource_count().unwrap(), 2);
            // Cleaning up by uuid takes the duplicate along.
            with_auth(&p, "DELETE", &format!("/heroku/resources/{UUID}"), "");
            assert_eq!(p.resource_count().unwrap(), 0);
        }
        Fault::DuplicateOverlappingProvisions => {
            let ids = overlapping_ids(&p, UUID);
            assert_eq!(ids.len(), 3, "{ids:?}");
            assert_eq!(p.resource_count().unwrap(), 3);
            // A repeat after they all finished finds the first.
            assert!(ids.contains(&provisioned(&p, UUID)["id"]));
            assert_eq!(p.resource_count().unwrap(), 3);
            with_auth(&p, "DELETE", &format!("/heroku/resources/{UUID}"), "");
            assert_eq!(p.resource_count().unwrap(), 0);
        }
        Fault::IdContainsHerokuId => {
            let id = provision_v1(&p, &v1_body(UUID)).json()["id"].clone();
            assert!(id.as_str().unwrap().contains("1234"), "{id}");
        }
        Fault::SlowProvision => {
            #[allow(clippy::disallowed_methods, reason = "host test: measures a real delay")]
            let started = Instant::now();
            assert_eq!(provision(&p, &body).status, 200);
            assert!(started.elapsed() >= Duration::from_millis(300));
        }
        Fault::DropConnection => {
            let a = auth();
            let result = raw(
                p.addr(),
                "POST",
                "/heroku/resources",
                &[("Authorization", &a), ("Accept", V3_ACCEPT)],
                body.to_string().as_bytes(),
            );
            // Either a clean EOF with nothing written, or a reset.
            if let Ok(bytes) = result {
                assert!(bytes.is_empty(), "{:?}", String::from_utf8_lossy(&bytes));
            }
            assert_eq!(p.resource_count().unwrap(), 0);
            // Other endpoints still answer.
            assert_eq!(send(&p, "GET", "/", &[], "").status, 200);
        }
        Fault::OversizedBody => {
            let mut stream = TcpStream::connect(p.addr()).unwrap();
            let text = body.to_string();
            let request = format!(
                "POST /heroku/resources HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: {}\r\nAccept: {V3_ACCEPT}\r\nContent-Length: {}\r\n\r\n{text}",
                auth(),
                text.len()
            );
            std::io::Write::write_all(&mut stream, request.as_bytes()).unwrap();
            let mut total = 0usize;
            let mut buf = vec![0u8; 1 << 16];
            loop {
                let n = stream.read(&mut buf).unwrap();
                if n == 0 {
                    break;
                }
                total += n;
            }
            assert!(total > 50 * 1024 * 1024, "{total}");
        }
        Fault::RejectV3Accept => {
            assert_eq!(provision(&p, &body).status, 406);
            // A plain JSON Accept still works.
            assert_eq!(provision_v1(&p, &body).status, 200);
        }
        Fault::RejectUnknownFields => {
            let mut body = body;
            body["something_new"] = json!(true);
            assert_eq!(provision(&p, &body).status, 422);
        }
        Fault::NullOauthGrantCrash => {
            assert_eq!(provision(&p, &body).status, 500, "v3_body has no grant");
            let mut granted = v3_body(UUID2);
            granted["oauth_grant"] =
                json!({"code": "a-code", "expires_at": "2030-01-01T00:00:00Z", "type": "authorization_code"});
            assert_eq!(provision(&p, &granted).status, 200);
        }
        Fault::RejectRegionEu => {
            for (index, (region, status)) in [
                ("amazon-web-services::eu-west-1", 422),
                ("amazon-web-services::eu-central-1", 422),
                ("amazon-web-services::ap-northeast-1", 200),
            ]
            .into_iter()
            .enumerate()
            {
                let mut body = v3_body(&format!("eeeeeeee-0000-0000-0000-00000000010{index}"));
                body["region"] = json!(region);
                assert_eq!(provision(&p, &body).status, status, "{region}");
            }
        }
        Fault::KeyByProviderId => {
            let id = provisioned(&p, UUID)["id"].as_str().unwrap().to_owned();
            assert_eq!(with_auth(&p, "DELETE", &format!("/heroku/resources/{UUID}"), "").status, 404);
            assert_eq!(with_auth(&p, "DELETE", &format!("/heroku/resources/{id}"), "").status, 204);
        }
        Fault::DeprovisionStatus500 => {
            provisioned(&p, UUID);
            let reply = with_auth(&p, "DELETE", &format!("/heroku/resources/{UUID}"), "");
            assert_eq!(reply.status, 500);
            assert!(reply.body.is_empty());
            assert_eq!(p.resource_count().unwrap(), 1);
        }
        Fault::DeprovisionWithMessage500 => {
            provisioned(&p, UUID);
            let reply = with_auth(&p, "DELETE", &format!("/heroku/resources/{UUID}"), "");
            assert_eq!(reply.status, 500);
            assert!(reply.json()["message"].is_string());
        }
        Fault::DeprovisionRepeatSuccess => {
            provisioned(&p, UUID);
            let path = format!("/heroku/resources/{UUID}");
            assert_eq!(with_auth(&p, "DELETE", &path, "").status, 204);
            assert_eq!(with_auth(&p, "DELETE", &path, "").status, 204);
        }
        Fault::DeprovisionRepeat500 => {
            provisioned(&p, UUID);
            let path = format!("/heroku/resources/{UUID}");
            assert_eq!(with_auth(&p, "DELETE", &path, "").status, 204);
            assert_eq!(with_auth(&p, "DELETE", &path, "").status, 500);
        }
        Fault::PlanchangeStatus500 => {
            provisioned(&p, UUID);
            let reply = with_auth(&p, "PUT", &format!("/heroku/resources/{UUID}"), r#"{"plan":"big"}"#);
            assert_eq!(reply.status, 500);
            assert!(reply.body.is_empty());
        }
        Fault::Planchange503Message => {
            provisioned(&p, UUID);
            let reply = with_auth(&p, "PUT", &format!("/heroku/resources/{UUID}"), r#"{"plan":"big"}"#);
            assert_eq!(reply.status, 503);
            assert!(reply.json()["message"].is_string());
        }
        Fault::PlanchangeRepeatError => {
            provisioned(&p, UUID);
            let path = format!("/heroku/resources/{UUID}");
            assert_eq!(with_auth(&p, "PUT", &path, r#"{"plan":"big"}"#).status, 200);
            let reply = with_auth(&p, "PUT", &path, r#"{"plan":"big"}"#);
            assert_eq!(reply.status, 422);
            assert_eq!(reply.json()["message"], "the resource is already on plan big");
        }
        Fault::SsoIgnoreToken => {
            provisioned(&p, UUID);
            assert_eq!(login(&p, now(), Some("invalid")).status, 302);
        }
        Fault::SsoIgnoreTimestamp => {
            provisioned(&p, UUID);
            assert_eq!(login(&p, now() - 360, None).status, 302);
            assert_eq!(login(&p, now() + 360, None).status, 403);
        }
        Fault::SsoAcceptFutureTimestamp => {
            provisioned(&p, UUID);
            assert_eq!(login(&p, now() + 360, None).status, 302);
            assert_eq!(login(&p, now() - 360, None).status, 403);
        }
        Fault::SsoNoCookie => {
            provisioned(&p, UUID);
            let reply = login(&p, now(), None);
            assert_eq!(reply.status, 302);
            assert_eq!(reply.cookie("heroku-nav-data"), None);
            assert_eq!(dashboard(&p, &reply).status, 200);
        }
        Fault::SsoBadCookie => {
            provisioned(&p, UUID);
            let reply = login(&p, now(), None);
            let cookie = reply.cookie("heroku-nav-data").unwrap();
            assert_ne!(cookie, NAV);
        }
        Fault::SsoNoLayout => {
            provisioned(&p, UUID);
            let page = dashboard(&p, &login(&p, now(), None));
            assert_eq!(page.status, 200);
            assert!(!page.text().contains("heroku-header"));
        }
        Fault::SsoLoginFails => {
            provisioned(&p, UUID);
            assert_eq!(login(&p, now(), None).status, 403);
        }
    }
}

/// The distinct ids three provisions of `uuid` sent at the same time get.
fn overlapping_ids(p: &RunningProvider, uuid: &str) -> Vec<Value> {
    let answers: Vec<Value> = std::thread::scope(|scope| {
        let sent: Vec<_> = (0..3).map(|_| scope.spawn(|| provisioned(p, uuid)["id"].clone())).collect();
        sent.into_iter().map(|thread| thread.join().unwrap()).collect()
    });
    let mut ids = Vec::new();
    for id in answers {
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    ids
}

#[test]
fn every_fault_changes_the_answer() {
    for fault in Fault::ALL {
        // Shown with the failure, since one test walks every fault.
        eprintln!("fault: {fault}");
        observe(*fault);
    }
}

/// The same probes against the correct provider give the correct answers, so each
/// observation above really is the fault's doing.
#[test]
fn the_correct_provider_passes_the_same_probes() {
    let p = start(None);
    let answer = provisioned(&p, UUID);
    assert!(answer["id"].as_str().is_some_and(|id| !id.is_empty()));
    assert!(answer["config"]["MYADDON_URL"].as_str().unwrap().starts_with("http://127.0.0.1:"));
    assert!(answer["config"]["MYADDON_TOKEN"].is_string());
    assert_eq!(answer["config"].as_object().unwrap().len(), 2);
    assert_ne!(provisioned(&p, UUID2)["id"], answer["id"]);
    assert_eq!(provisioned(&p, UUID)["id"], answer["id"]);
    let id = provision_v1(&p, &v1_body("eeeeeeee-0000-0000-0000-000000000003")).json()["id"].clone();
    assert!(!id.as_str().unwrap().contains("1234"));
    assert_eq!(login(&p, now(), Some("invalid")).status, 403);
    let ok = login(&p, now(), None);
    assert_eq!(ok.cookie("heroku-nav-data").as_deref(), Some(NAV));
    assert!(dashboard(&p, &ok).text().contains("heroku-header"));
    let path = format!("/heroku/resources/{UUID}");
    assert_eq!(with_auth(&p, "PUT", &path, r#"{"plan":"big"}"#).status, 200);
    assert_eq!(with_auth(&p, "PUT", &path, r#"{"plan":"big"}"#).status, 200);
    assert_eq!(with_auth(&p, "DELETE", &path, "").status, 204);
    assert_eq!(with_auth(&p, "DELETE", &path, "").status, 410);
    // Overlapping repeats meet the unique constraint on uuid: one resource.
    let before = p.resource_count().unwrap();
    assert_eq!(overlapping_ids(&p, "eeeeeeee-0000-0000-0000-000000000004").len(), 1);
    assert_eq!(p.resource_count().unwrap(), before + 1);
}

/// The async probes against the correct provider in async mode: one token exchange, the
/// issued token on both calls, only declared vars, and the v3 completion.
#[test]
fn the_correct_async_provider_passes_the_async_probes() {
    let heroku = FakeHeroku::start();
    let p = spawn_thread(async_options(&heroku)).unwrap();
    assert_eq!(provision(&p, &v3_grant_body(&heroku, UUID)).status, 202);
    let calls = heroku.wait_finished(UUID);
    assert_eq!(calls.len(), 3);
    assert_eq!(calls[0].line(), "POST /oauth/token");
    let bearer = format!("Bearer {ACCESS_TOKEN}");
    assert!(calls[1..].iter().all(|c| c.header("authorization") == Some(bearer.as_str())));
    assert_eq!(calls[1].json()["config"].as_array().unwrap().len(), 2);
    assert!(calls.iter().all(|c| c.method != "PUT"));
}
