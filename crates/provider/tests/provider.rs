//! The provider without faults, over real TCP.
#![allow(clippy::unwrap_used, reason = "test helpers outside #[test] functions")]

mod common;

use common::*;
use kensa_provider::{ProviderOptions, basic_auth_header, spawn_thread, sso};
use serde_json::json;

fn start() -> kensa_provider::RunningProvider {
    spawn_thread(ProviderOptions::default().with_sso_salt("SSO_SALT")).unwrap()
}

#[test]
fn provision_checks_both_halves_of_the_credentials() {
    let p = start();
    let body = v3_body("11111111-0000-0000-0000-000000000001");
    for bad in [
        Some(basic_auth_header("wrong", "secret")),
        Some(basic_auth_header("myaddon", "wrong")),
        Some(basic_auth_header("", "")),
        Some("Bearer secret".to_owned()),
        None,
    ] {
        let reply = provision_as(&p, bad.as_deref(), &body);
        assert_eq!(reply.status, 401, "{bad:?}");
        assert!(reply.header("www-authenticate").unwrap().starts_with("Basic"));
    }
    assert_eq!(p.resource_count().unwrap(), 0);
    assert_eq!(provision(&p, &body).status, 200);
    assert_eq!(p.resource_count().unwrap(), 1);
}

#[test]
fn delete_and_put_need_credentials_too() {
    let p = start();
    let uuid = "11111111-0000-0000-0000-000000000002";
    assert_eq!(provision(&p, &v3_body(uuid)).status, 200);
    let path = format!("/heroku/resources/{uuid}");
    for bad in [basic_auth_header("wrong", "secret"), basic_auth_header("myaddon", "wrong")] {
        let headers = [("Authorization", bad.as_str())];
        assert_eq!(send(&p, "DELETE", &path, &headers, "").status, 401);
        assert_eq!(send(&p, "PUT", &path, &headers, r#"{"plan":"big"}"#).status, 401);
    }
    assert_eq!(send(&p, "DELETE", &path, &[], "").status, 401);
    assert_eq!(p.resource_count().unwrap(), 1);
}

#[test]
fn v3_provision_answers_id_config_message() {
    let p = start();
    let reply = provision(&p, &v3_body("11111111-0000-0000-0000-000000000003"));
    assert_eq!(reply.status, 200);
    assert!(reply.header("content-type").unwrap().starts_with("application/json"));
    let body = reply.json();
    let id = body["id"].as_str().unwrap();
    assert!(!id.is_empty());
    assert!(!id.contains("11111111"), "id must not be derived from the uuid text");
    assert_eq!(body["config"]["MYADDON_URL"], format!("{}/resources/{id}", p.base_url()));
    assert!(body["message"].is_string());
    assert!(body.get("log_drain_url").is_none());
    // The config URL is live.
    let page = send(&p, "GET", &format!("/resources/{id}"), &[], "");
    assert_eq!(page.status, 200);
    assert_eq!(page.json()["plan"], "test");
}

#[test]
fn same_uuid_is_idempotent_and_different_uuids_are_not() {
    let p = start();
    let first = provision(&p, &v3_body("22222222-0000-0000-0000-000000000001")).json();
    let again = provision(&p, &v3_body("22222222-0000-0000-0000-000000000001"));
    assert_eq!(again.status, 200);
    assert_eq!(again.json()["id"], first["id"]);
    assert_eq!(again.json()["config"], first["config"]);
    assert_eq!(p.resource_count().unwrap(), 1);
    let other = provision(&p, &v3_body("22222222-0000-0000-0000-000000000002")).json();
    assert_ne!(other["id"], first["id"]);
    assert_eq!(p.resource_count().unwrap(), 2);
}

#[test]
fn deprovision_then_gone_then_unknown() {
    let p = start();
    let uuid = "33333333-0000-0000-0000-000000000001";
    provision(&p, &v3_body(uuid));
    let path = format!("/heroku/resources/{uuid}");
    let reply = with_auth(&p, "DELETE", &path, "");
    assert_eq!(reply.status, 204);
    assert!(reply.body.is_empty());
    assert_eq!(p.resource_count().unwrap(), 0);
    assert_eq!(with_auth(&p, "DELETE", &path, "").status, 410);
    assert_eq!(with_auth(&p, "PUT", &path, r#"{"plan":"big"}"#).status, 410);
    // A late retry of the provision must not resurrect it.
    assert_eq!(provision(&p, &v3_body(uuid)).status, 410);
    assert_eq!(p.resource_count().unwrap(), 0);
    assert_eq!(with_auth(&p, "DELETE", "/heroku/resources/nope", "").status, 404);
}

#[test]
fn v1_flow_keys_on_the_provider_id_and_answers_200() {
    let p = start();
    let reply = provision_v1(&p, &v1_body("44444444-0000-0000-0000-000000000001"));
    assert_eq!(reply.status, 200);
    let id = reply.json()["id"].as_str().unwrap().to_owned();
    assert!(!id.contains("1234"), "id must not contain the heroku_id digits: {id}");
    let a = auth();
    let headers = [("Authorization", a.as_str()), ("Accept", "application/json")];
    let put = send(
        &p,
        "PUT",
        &format!("/heroku/resources/{id}"),
        &headers,
        r#"{"heroku_id":"app1234@kensa.heroku.com","plan":"premium"}"#,
    );
    assert_eq!(put.status, 200);
    let del = send(&p, "DELETE", &format!("/heroku/resources/{id}"), &headers, "");
    assert_eq!(del.status, 200);
    assert_eq!(del.json()["message"], "deprovisioned");
    assert_eq!(p.resource_count().unwrap(), 0);
    // v1 bodies without a uuid create a resource each time.
    let mut no_uuid = v1_body("");
    no_uuid.as_object_mut().unwrap().remove("uuid");
    let a = provision_v1(&p, &no_uuid).json();
    let b = provision_v1(&p, &no_uuid).json();
    assert_ne!(a["id"], b["id"]);
    assert_eq!(p.resource_count().unwrap(), 2);
}

#[test]
fn provision_validates_the_body() {
    let p = start();
    let a = auth();
    let headers = [("Authorization", a.as_str()), ("Accept", V3_ACCEPT)];
    assert_eq!(send(&p, "POST", "/heroku/resources", &headers, "{").status, 400);
    assert_eq!(send(&p, "POST", "/heroku/resources", &headers, "[]").status, 400);
    let no_plan = json!({"uuid": "55555555-0000-0000-0000-000000000001"});
    assert_eq!(provision(&p, &no_plan).status, 422);
    let no_uuid = json!({"plan": "test"});
    assert_eq!(provision(&p, &no_uuid).status, 422, "v3 needs a uuid");
    // Unknown fields are accepted (protocol §2.3).
    let mut extra = v3_body("55555555-0000-0000-0000-000000000002");
    extra["something_new"] = json!({"x": 1});
    assert_eq!(provision(&p, &extra).status, 200);
    assert_eq!(p.resource_count().unwrap(), 1);
}

#[test]
fn log_drain_url_comes_with_a_log_drain_token() {
    let p = start();
    let mut body = v3_body("66666666-0000-0000-0000-000000000001");
    body["log_drain_token"] = json!("d.01234567-89ab-cdef-0123-456789abcdef");
    let answer = provision(&p, &body).json();
    let url = answer["log_drain_url"].as_str().unwrap();
    assert!(url.starts_with("syslog://") || url.starts_with("https://"), "{url}");
    assert!(!url.contains(char::is_whitespace));
}

#[test]
fn plan_change() {
    let p = start();
    let uuid = "77777777-0000-0000-0000-000000000001";
    let id = provision(&p, &v3_body(uuid)).json()["id"].as_str().unwrap().to_owned();
    let reply = with_auth(&p, "PUT", &format!("/heroku/resources/{uuid}"), r#"{"plan":"premium"}"#);
    assert_eq!(reply.status, 200);
    let body = reply.json();
    assert!(body["config"]["MYADDON_URL"].as_str().unwrap().ends_with(&id));
    assert_eq!(body["message"], "plan changed from test to premium");
    assert_eq!(p.resources().unwrap()[0].plan, "premium");
    let path = format!("/heroku/resources/{uuid}");
    assert_eq!(with_auth(&p, "PUT", &path, r#"{"nope":1}"#).status, 422);
    assert_eq!(with_auth(&p, "PUT", "/heroku/resources/unknown", r#"{"plan":"x"}"#).status, 404);
}

fn legacy_login(p: &kensa_provider::RunningProvider, id: &str, ts: i64, token: Option<&str>) -> HttpResponse {
    let ts = ts.to_string();
    let good = sso::token(id, "SSO_SALT", &ts);
    sso_post(
        p,
        &[
            ("id", id),
            ("token", token.unwrap_or(&good)),
            ("timestamp", &ts),
            ("nav-data", NAV),
            ("email", "username@example.com"),
            ("app", "myapp"),
        ],
    )
}

#[test]
fn sso_post_legacy_token() {
    let p = start();
    let id = provision(&p, &v3_body("88888888-0000-0000-0000-000000000001")).json()["id"].as_str().unwrap().to_owned();
    let login = legacy_login(&p, &id, now(), None);
    assert_eq!(login.status, 302);
    assert_eq!(login.header("location"), Some("/dashboard"));
    assert_eq!(login.cookie("heroku-nav-data").as_deref(), Some(NAV));
    let page = dashboard(&p, &login);
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(html.contains("<div id=\"heroku-header\">"), "{html}");
    assert!(html.contains(&id));
    assert!(html.contains("username@example.com"));

    assert_eq!(legacy_login(&p, &id, now(), Some("invalid")).status, 403);
    assert_eq!(legacy_login(&p, &id, now() - 360, None).status, 403);
    assert_eq!(legacy_login(&p, &id, now() + 360, None).status, 403);
    assert_eq!(legacy_login(&p, &id, now() - 120, None).status, 302);
    assert_eq!(legacy_login(&p, "unknown", now(), None).status, 404);
    // Without a session the dashboard is closed.
    assert_eq!(send(&p, "GET", "/dashboard", &[], "").status, 403);
}

#[test]
fn sso_post_v3_tokens() {
    let p = start();
    let uuid = "88888888-0000-0000-0000-000000000002";
    let user = "fedcba98-7654-3210-fedc-ba9876543210";
    provision(&p, &v3_body(uuid));
    let ts = now().to_string();
    let scoped = sso::user_scoped_resource_token(uuid, "SSO_SALT", &ts, user, "u@example.com");
    let resource = sso::resource_token(uuid, "SSO_SALT", &ts);
    let base = [
        ("resource_id", uuid),
        ("timestamp", ts.as_str()),
        ("user_id", user),
        ("email", "u@example.com"),
        ("nav-data", NAV),
        ("context_app", "myapp"),
    ];
    let with = |extra: &[(&'static str, &str)]| {
        let mut all: Vec<(&str, &str)> = base.to_vec();
        all.extend_from_slice(extra);
        sso_post(&p, &all)
    };
    let login = with(&[("user_scoped_resource_token", &scoped)]);
    assert_eq!(login.status, 302);
    assert_eq!(dashboard(&p, &login).status, 200);
    assert_eq!(with(&[("resource_token", &resource)]).status, 302);
    assert_eq!(with(&[("resource_token", "invalid")]).status, 403);
    assert_eq!(with(&[("user_scoped_resource_token", "invalid")]).status, 403);
    assert_eq!(with(&[]).status, 403);
    let old = (now() - 600).to_string();
    let old_token = sso::resource_token(uuid, "SSO_SALT", &old);
    let mut stale: Vec<(&str, &str)> = base.to_vec();
    stale[1] = ("timestamp", &old);
    stale.push(("resource_token", &old_token));
    assert_eq!(sso_post(&p, &stale).status, 403);
    let unknown = "99999999-0000-0000-0000-000000000000";
    let unknown_token = sso::resource_token(unknown, "SSO_SALT", &ts);
    assert_eq!(
        sso_post(&p, &[("resource_id", unknown), ("resource_token", &unknown_token), ("timestamp", &ts)]).status,
        404
    );
}

#[test]
fn sso_get_legacy_flow() {
    let p = start();
    let id = provision(&p, &v3_body("88888888-0000-0000-0000-000000000003")).json()["id"].as_str().unwrap().to_owned();
    let get = |ts: i64, token: Option<&str>| {
        let ts = ts.to_string();
        let good = sso::token(&id, "SSO_SALT", &ts);
        let query = form(&[
            ("token", token.unwrap_or(&good)),
            ("timestamp", &ts),
            ("nav-data", NAV),
            ("email", "username@example.com"),
            ("app", "myapp"),
        ]);
        send(&p, "GET", &format!("/heroku/resources/{id}?{query}"), &[], "")
    };
    let login = get(now(), None);
    assert_eq!(login.status, 302);
    assert_eq!(login.cookie("heroku-nav-data").as_deref(), Some(NAV));
    assert!(dashboard(&p, &login).text().contains("id=\"heroku-header\""));
    assert_eq!(get(now(), Some("invalid")).status, 403);
    assert_eq!(get(now() - 360, None).status, 403);
    assert_eq!(get(now() + 360, None).status, 403);
}

#[test]
fn sso_is_off_without_a_salt() {
    let p = spawn_thread(ProviderOptions::default()).unwrap();
    let id = provision(&p, &v3_body("88888888-0000-0000-0000-000000000004")).json()["id"].as_str().unwrap().to_owned();
    let ts = now().to_string();
    let token = sso::token(&id, "", &ts);
    let reply = sso_post(&p, &[("id", &id), ("token", &token), ("timestamp", &ts)]);
    assert_eq!(reply.status, 404);
}

#[test]
fn cors_preflight_and_headers() {
    let p = start();
    let reply = send(
        &p,
        "OPTIONS",
        "/heroku/resources",
        &[
            ("Origin", "http://127.0.0.1:8080"),
            ("Access-Control-Request-Method", "POST"),
            ("Access-Control-Request-Headers", "authorization, content-type, x-extra"),
        ],
        "",
    );
    assert_eq!(reply.status, 204);
    assert_eq!(reply.header("access-control-allow-origin"), Some("*"));
    let methods = reply.header("access-control-allow-methods").unwrap();
    for m in ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"] {
        assert!(methods.contains(m), "{methods}");
    }
    let allowed = reply.header("access-control-allow-headers").unwrap();
    assert_eq!(allowed, "Authorization, Content-Type, Accept, x-extra");
    assert!(reply.header("access-control-max-age").is_some());
    // Any path, and every ordinary answer (even a 401) carries the header.
    assert_eq!(send(&p, "OPTIONS", "/sso/login", &[], "").status, 204);
    let denied = provision_as(&p, None, &v3_body("aaaaaaaa-0000-0000-0000-000000000001"));
    assert_eq!(denied.header("access-control-allow-origin"), Some("*"));
    assert!(denied.header("access-control-expose-headers").is_some());

    let closed = spawn_thread(ProviderOptions { cors: false, ..ProviderOptions::default() }).unwrap();
    let reply = send(&closed, "OPTIONS", "/heroku/resources", &[("Origin", "http://x")], "");
    assert_ne!(reply.status, 204);
    assert_eq!(reply.header("access-control-allow-origin"), None);
    let reply = provision(&closed, &v3_body("aaaaaaaa-0000-0000-0000-000000000002"));
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("access-control-allow-origin"), None);
}

#[test]
fn a_file_database_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("provider.sqlite3");
    let uuid = "bbbbbbbb-0000-0000-0000-000000000001";
    let first = spawn_thread(ProviderOptions::default().with_database(&db)).unwrap();
    let id = provision(&first, &v3_body(uuid)).json()["id"].clone();
    provision(&first, &v3_body("bbbbbbbb-0000-0000-0000-000000000002"));
    first.shutdown();

    let second = spawn_thread(ProviderOptions::default().with_database(&db)).unwrap();
    assert_eq!(second.resource_count().unwrap(), 2);
    assert_eq!(provision(&second, &v3_body(uuid)).json()["id"], id);
    assert_eq!(second.resource_count().unwrap(), 2);
    let path = format!("/heroku/resources/{uuid}");
    assert_eq!(with_auth(&second, "DELETE", &path, "").status, 204);
    second.shutdown();

    let third = spawn_thread(ProviderOptions::default().with_database(&db)).unwrap();
    assert_eq!(third.resource_count().unwrap(), 1);
    assert_eq!(with_auth(&third, "DELETE", &path, "").status, 410);
}

#[test]
fn a_database_that_cannot_be_opened_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("missing-dir").join("provider.sqlite3");
    let error = spawn_thread(ProviderOptions::default().with_database(db)).unwrap_err();
    assert!(error.to_string().contains("resource store"), "{error}");
}

#[test]
fn custom_id_password_config_vars_and_base_path() {
    let p = spawn_thread(ProviderOptions {
        base_path: "/api/heroku/resources/".into(),
        ..ProviderOptions::default()
            .with_id("fast-db")
            .with_password("pw")
            .with_config_vars(["FAST_DB_URL", "FAST_DB_TOKEN"])
    })
    .unwrap();
    assert_eq!(p.resources_url(), format!("{}/api/heroku/resources", p.base_url()));
    let a = basic_auth_header("fast-db", "pw");
    let reply = send(
        &p,
        "POST",
        "/api/heroku/resources",
        &[("Authorization", &a), ("Accept", V3_ACCEPT)],
        &v3_body("cccccccc-0000-0000-0000-000000000001").to_string(),
    );
    assert_eq!(reply.status, 200);
    let config = reply.json()["config"].clone();
    assert!(config["FAST_DB_URL"].as_str().unwrap().starts_with("http://127.0.0.1:"));
    assert_eq!(config["FAST_DB_TOKEN"].as_str().unwrap().len(), 32);
    assert_eq!(p.manifest()["api"]["test"]["base_url"], p.resources_url());
}

#[test]
fn unknown_routes_answer_json_404() {
    let p = start();
    let reply = send(&p, "GET", "/nope", &[], "");
    assert_eq!(reply.status, 404);
    assert_eq!(reply.json()["message"], "not found");
    let index = send(&p, "GET", "/", &[], "").json();
    assert_eq!(index["addon_id"], "myaddon");
    assert!(!index.to_string().contains("secret"));
    assert!(!index.to_string().contains("SSO_SALT"));
}

#[tokio::test]
async fn spawn_runs_on_the_callers_runtime() {
    let p = kensa_provider::spawn(ProviderOptions::default()).await.unwrap();
    let addr = p.addr();
    let reply = tokio::task::spawn_blocking(move || {
        let body = v3_body("dddddddd-0000-0000-0000-000000000001").to_string();
        let a = auth();
        raw(addr, "POST", "/heroku/resources", &[("Authorization", &a), ("Accept", V3_ACCEPT)], body.as_bytes())
            .map(|bytes| parse(&bytes))
    })
    .await
    .unwrap()
    .unwrap();
    assert_eq!(reply.status, 200);
    assert_eq!(p.resource_count().unwrap(), 1);
    p.shutdown();
}
