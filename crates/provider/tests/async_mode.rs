//! Asynchronous provisioning (protocol.md §5) against a recording stand-in for Heroku.
#![allow(clippy::unwrap_used, reason = "test helpers outside #[test] functions")]

mod common;

use std::io::Read;
use std::net::{Ipv4Addr, TcpListener};
use std::sync::mpsc;
use std::time::Duration;

use common::heroku::*;
use common::*;
use kensa_provider::{ProviderOptions, basic_auth_header, spawn_thread};
use serde_json::{Value, json};

const UUID: &str = "abcdabcd-0000-0000-0000-000000000001";

fn names(config: &Value) -> Vec<&str> {
    config.as_array().unwrap().iter().map(|pair| pair["name"].as_str().unwrap()).collect()
}

#[test]
fn v3_exchanges_the_grant_then_patches_config_and_finishes() {
    let heroku = FakeHeroku::start();
    let p = spawn_thread(async_options(&heroku)).unwrap();
    let reply = provision(&p, &v3_grant_body(&heroku, UUID));
    assert_eq!(reply.status, 202);
    let body = reply.json();
    let id = body["id"].as_str().unwrap().to_owned();
    assert_eq!(body["message"], "provisioning has started");
    assert!(body.get("config").is_none(), "{body}");

    let calls = heroku.wait_finished(UUID);
    let lines: Vec<String> = calls.iter().map(Recorded::line).collect();
    assert_eq!(
        lines,
        [
            "POST /oauth/token".to_owned(),
            format!("PATCH /addons/{UUID}/config"),
            format!("POST /addons/{UUID}/actions/provision"),
        ]
    );

    let token = &calls[0];
    assert_eq!(token.header("content-type"), Some("application/x-www-form-urlencoded"));
    assert_eq!(token.form_field("grant_type").as_deref(), Some("authorization_code"));
    assert_eq!(token.form_field("code").as_deref(), Some(GRANT_CODE));
    assert_eq!(token.form_field("client_secret").as_deref(), Some(CLIENT_SECRET));

    let bearer = format!("Bearer {ACCESS_TOKEN}");
    for call in &calls[1..] {
        assert_eq!(call.header("authorization"), Some(bearer.as_str()), "{}", call.line());
        assert_eq!(call.header("accept"), Some("application/vnd.heroku+json; version=3"));
        assert_eq!(call.header("content-type"), Some("application/json"));
    }
    let patch = calls[1].json();
    assert_eq!(names(&patch["config"]), ["MYADDON_URL", "MYADDON_TOKEN"]);
    assert_eq!(patch["config"][0]["value"], format!("{}/resources/{id}", p.base_url()));
    assert!(patch["config"][1]["value"].is_string());
    assert_eq!(calls[2].json(), json!({}));

    wait_provisioned(&p);
    assert_eq!(p.resources().unwrap()[0].id, id);
    // The resource page reports it live now.
    let page = send(&p, "GET", &format!("/resources/{id}"), &[], "").json();
    assert_eq!(page["state"], "live");
}

/// Proved without a clock: the stand-in holds its answers, so the resource stays
/// `provisioning` while the repeat is sent (no delay to outrun), and the provider's count
/// of finished provisions, not a pause, shows that no second callback is coming.
#[test]
fn a_repeat_answers_202_with_the_same_id_and_calls_back_once() {
    let heroku = FakeHeroku::holding();
    let p = spawn_thread(async_options(&heroku)).unwrap();
    let body = v3_grant_body(&heroku, UUID);
    let first = provision(&p, &body);
    assert_eq!(first.status, 202);
    let id = first.json()["id"].clone();
    // The token exchange has reached the stand-in and waits for its answer.
    heroku.wait_for(BACKGROUND_TIMEOUT, |calls| !calls.is_empty());
    assert!(p.resources().unwrap()[0].provisioning);
    let page = send(&p, "GET", &format!("/resources/{}", id.as_str().unwrap()), &[], "");
    assert_eq!(page.json()["state"], "provisioning");

    let again = provision(&p, &body);
    assert_eq!(again.status, 202);
    assert_eq!(again.json()["id"], id);
    assert!(again.json().get("config").is_none());
    assert_eq!(p.resource_count().unwrap(), 1);

    heroku.release();
    heroku.wait_finished(UUID);
    wait_provisioned(&p);
    // A repeat after provisioning still answers 202 with the same id (kensa's idempotency
    // check expects 202 under --async) and still calls back no second time.
    let late = provision(&p, &body);
    assert_eq!(late.status, 202);
    assert_eq!(late.json()["id"], id);
    assert_eq!(completions(&p), 1, "one provision finished in the background, for three requests");
    assert_eq!(heroku.calls().len(), 3, "{:?}", heroku.calls());
}

#[test]
fn v1_finishes_with_the_legacy_put() {
    let heroku = FakeHeroku::start();
    let p = spawn_thread(async_options(&heroku)).unwrap();
    let reply = provision_v1(&p, &v1_callback_body(&heroku, UUID));
    assert_eq!(reply.status, 202);
    let id = reply.json()["id"].clone();

    let calls = heroku.wait_finished(UUID);
    assert_eq!(calls.len(), 1, "{calls:?}");
    let put = &calls[0];
    assert_eq!(put.line(), format!("PUT /addons/{UUID}"));
    assert_eq!(put.header("content-type"), Some("application/json"));
    // The App Info API's Basic credentials, since the provision carried the right ones.
    assert_eq!(put.header("authorization"), Some(basic_auth_header("myaddon", "secret").as_str()));
    let body = put.json();
    assert_eq!(body["id"], id);
    let config = body["config"].as_object().unwrap();
    assert_eq!(config.keys().collect::<Vec<_>>(), ["MYADDON_URL", "MYADDON_TOKEN"]);
    assert_eq!(config["MYADDON_URL"], format!("{}/resources/{}", p.base_url(), id.as_str().unwrap()));
    wait_provisioned(&p);
}

#[test]
fn v3_without_a_grant_finishes_with_the_legacy_put() {
    let heroku = FakeHeroku::start();
    let p = spawn_thread(async_options(&heroku)).unwrap();
    let mut body = v3_grant_body(&heroku, UUID);
    body["oauth_grant"] = Value::Null;
    assert_eq!(provision(&p, &body).status, 202);
    let calls = heroku.wait_finished(UUID);
    assert_eq!(calls.iter().map(Recorded::line).collect::<Vec<_>>(), [format!("PUT /addons/{UUID}")]);
    assert!(calls[0].json()["config"]["MYADDON_URL"].is_string());
    wait_provisioned(&p);
}

#[test]
fn a_refused_token_exchange_leaves_the_resource_provisioning() {
    let heroku = FakeHeroku::with_token_status(401);
    let p = spawn_thread(async_options(&heroku)).unwrap();
    assert_eq!(provision(&p, &v3_grant_body(&heroku, UUID)).status, 202);
    assert_eq!(completions(&p), 1);
    let lines: Vec<String> = heroku.calls().iter().map(Recorded::line).collect();
    assert_eq!(lines, ["POST /oauth/token"]);
    assert!(p.resources().unwrap()[0].provisioning);
}

#[test]
fn a_resource_deprovisioned_before_the_callback_gets_none() {
    let heroku = FakeHeroku::start();
    let p = spawn_thread(async_options(&heroku).with_async_delay(Duration::from_millis(500))).unwrap();
    assert_eq!(provision(&p, &v3_grant_body(&heroku, UUID)).status, 202);
    let path = format!("/heroku/resources/{UUID}");
    assert_eq!(with_auth(&p, "DELETE", &path, "").status, 204);
    // The completion ran (after the delay) and found the resource gone.
    assert_eq!(completions(&p), 1);
    assert!(heroku.calls().is_empty(), "{:?}", heroku.calls());
}

/// A port with nothing listening on it.
fn closed_port() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    listener.local_addr().unwrap().port()
}

#[test]
fn an_unreachable_heroku_neither_hangs_nor_panics() {
    let nowhere = format!("http://127.0.0.1:{}", closed_port());
    let p = spawn_thread(
        ProviderOptions::default()
            .with_async_provisioning(true)
            .with_heroku_id_url(&nowhere)
            .with_async_delay(Duration::from_millis(10)),
    )
    .unwrap();
    let cases = [
        // Token endpoint refuses connections.
        json!({"callback_url": format!("{nowhere}/addons/u1"), "oauth_grant": {"code": "c"}}),
        // Legacy PUT to a refused port.
        json!({"callback_url": format!("{nowhere}/addons/u2"), "oauth_grant": null}),
        // https, which the client does not speak: no connection is even tried.
        json!({"callback_url": "https://api.heroku.com/addons/u3", "oauth_grant": null}),
        // Not a URL, or none at all.
        json!({"callback_url": "::not a url::", "oauth_grant": null}),
        json!({"callback_url": null, "oauth_grant": null}),
    ];
    for (i, case) in cases.iter().enumerate() {
        let uuid = format!("abcdabcd-0000-0000-0000-00000000010{i}");
        let mut body = v3_body(&uuid);
        for (key, value) in case.as_object().unwrap() {
            body[key] = value.clone();
        }
        let reply = provision(&p, &body);
        assert_eq!(reply.status, 202, "{case}");
    }
    // Every completion gives up (within the failure timeout), none panics or hangs.
    assert_eq!(completions(&p), cases.len());
    // Still serving, and every resource is still provisioning.
    assert_eq!(send(&p, "GET", "/", &[], "").status, 200);
    let resources = p.resources().unwrap();
    assert_eq!(resources.len(), cases.len());
    assert!(resources.iter().all(|r| r.provisioning), "{resources:?}");
}

#[test]
fn the_default_https_token_endpoint_fails_without_network_access() {
    let heroku = FakeHeroku::start();
    let p = spawn_thread(
        ProviderOptions::default().with_async_provisioning(true).with_async_delay(Duration::from_millis(10)),
    )
    .unwrap();
    assert_eq!(provision(&p, &v3_grant_body(&heroku, UUID)).status, 202);
    assert_eq!(completions(&p), 1);
    // The exchange failed before any call, so Heroku's API was never called.
    assert!(heroku.calls().is_empty());
    assert!(p.resources().unwrap()[0].provisioning);
}

#[test]
fn a_silent_heroku_does_not_hold_up_shutdown() {
    // Accepts connections and never answers.
    let silent = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let origin = format!("http://{}", silent.local_addr().unwrap());
    let p = spawn_thread(
        ProviderOptions::default()
            .with_async_provisioning(true)
            .with_heroku_id_url(&origin)
            .with_async_delay(Duration::from_millis(10)),
    )
    .unwrap();
    let mut body = v3_body(UUID);
    body["callback_url"] = json!(format!("{origin}/addons/{UUID}"));
    body["oauth_grant"] = json!({"code": "c"});
    assert_eq!(provision(&p, &body).status, 202);
    // The token exchange is in flight once its connection arrives.
    let (mut held, _) = silent.accept().unwrap();
    assert_eq!(send(&p, "GET", "/", &[], "").status, 200);
    let (stopped, shut_down) = mpsc::channel();
    std::thread::spawn(move || {
        p.shutdown();
        let _ = stopped.send(());
    });
    // The proof is an event, the shutdown returning; the limit is only a failure timeout,
    // half the 10 s the provider's client would wait for the silent call before giving up.
    shut_down
        .recv_timeout(Duration::from_secs(5))
        .expect("shutdown waited for the unanswered token call instead of cutting it off");
    // The call was cut off: its connection is closed, never answered.
    held.set_read_timeout(Some(BACKGROUND_TIMEOUT)).unwrap();
    let mut request = Vec::new();
    held.read_to_end(&mut request).expect("the provider closes the connection of the call it abandons");
    assert!(request.starts_with(b"POST /oauth/token "), "{:?}", String::from_utf8_lossy(&request));
}

#[tokio::test]
async fn spawn_on_the_callers_runtime_finishes_too() {
    let heroku = FakeHeroku::start();
    let p = kensa_provider::spawn(async_options(&heroku)).await.unwrap();
    let addr = p.addr();
    let body = v3_grant_body(&heroku, UUID).to_string();
    let reply = tokio::task::spawn_blocking(move || {
        let a = auth();
        parse(
            &raw(addr, "POST", "/heroku/resources", &[("Authorization", &a), ("Accept", V3_ACCEPT)], body.as_bytes())
                .unwrap(),
        )
    })
    .await
    .unwrap();
    assert_eq!(reply.status, 202);
    let calls = tokio::task::spawn_blocking(move || heroku.wait_finished(UUID)).await.unwrap();
    assert_eq!(calls.len(), 3);
    p.shutdown();
}

#[test]
fn sync_mode_is_unchanged() {
    let heroku = FakeHeroku::start();
    let p = spawn_thread(async_options(&heroku).with_async_provisioning(false)).unwrap();
    let reply = provision(&p, &v3_grant_body(&heroku, UUID));
    assert_eq!(reply.status, 200);
    assert!(reply.json()["config"]["MYADDON_URL"].is_string());
    assert!(!p.resources().unwrap()[0].provisioning);
    assert_eq!(completions(&p), 0, "nothing runs in the background, so nothing will call back");
    assert!(heroku.calls().is_empty());
    assert_eq!(send(&p, "GET", "/", &[], "").json()["async"], false);
}
