//! The `kensa-provider` binary, started as a process.
#![allow(clippy::unwrap_used, reason = "test helpers outside #[test] functions")]

mod common;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, ChildStderr, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use common::heroku::{CLIENT_SECRET, FakeHeroku, GRANT_CODE, v3_grant_body};
use common::{HttpResponse, V3_ACCEPT, parse, raw, v3_body};
use kensa_provider::{Fault, PLAYGROUND_PORT, PLAYGROUND_SSO_SALT, ProviderOptions, basic_auth_header};
use serde_json::Value;

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(args: &[&str]) -> (Killed, SocketAddr) {
    let (child, addr, _) = start_with(args, Stdio::null());
    (child, addr)
}

fn start_with(args: &[&str], stderr: Stdio) -> (Killed, SocketAddr, Option<ChildStderr>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kensa-provider"))
        .args(["--port", "0", "--quiet"])
        .args(args)
        .env_remove("HEROKU_USERNAME")
        .env_remove("HEROKU_PASSWORD")
        .env_remove("SSO_SALT")
        .env_remove("OAUTH_CLIENT_SECRET")
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let url = line.trim().rsplit(' ').next().unwrap();
    let addr = url.trim_start_matches("http://").parse().unwrap();
    let stderr = child.stderr.take();
    (Killed(child), addr, stderr)
}

fn provision_at(addr: SocketAddr, body: &serde_json::Value) -> HttpResponse {
    let a = basic_auth_header("myaddon", "secret");
    parse(
        &raw(
            addr,
            "POST",
            "/heroku/resources",
            &[("Authorization", &a), ("Accept", V3_ACCEPT)],
            body.to_string().as_bytes(),
        )
        .unwrap(),
    )
}

#[test]
fn async_mode_finishes_through_the_stand_in() {
    let heroku = FakeHeroku::start();
    let origin = heroku.origin();
    let (_child, addr) = start(&[
        "--async",
        "--heroku-id-url",
        &origin,
        "--oauth-client-secret",
        CLIENT_SECRET,
        "--async-delay-ms",
        "10",
    ]);
    let uuid = "ffffffff-0000-0000-0000-00000000000a";
    assert_eq!(provision_at(addr, &v3_grant_body(&heroku, uuid)).status, 202);
    let calls = heroku.wait_finished(uuid);
    assert_eq!(calls.len(), 3);
    assert_eq!(calls[0].form_field("client_secret").as_deref(), Some(CLIENT_SECRET));
    assert_eq!(calls[0].form_field("code").as_deref(), Some(GRANT_CODE));
}

#[test]
fn an_https_token_endpoint_fails_with_a_clear_log_line() {
    let heroku = FakeHeroku::start();
    let (_child, addr, stderr) =
        start_with(&["--async", "--async-delay-ms", "10", "--oauth-client-secret", CLIENT_SECRET], Stdio::piped());
    let (lines, received) = mpsc::channel();
    let reader = BufReader::new(stderr.unwrap());
    std::thread::spawn(move || {
        for line in reader.lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    let uuid = "ffffffff-0000-0000-0000-00000000000b";
    let reply = provision_at(addr, &v3_grant_body(&heroku, uuid));
    assert_eq!(reply.status, 202);
    let id = reply.json()["id"].as_str().unwrap().to_owned();
    let mut seen = Vec::new();
    let failure = loop {
        let line = received
            .recv_timeout(Duration::from_secs(10))
            .unwrap_or_else(|_| panic!("no failure line; stderr so far: {seen:#?}"));
        if line.contains("asynchronous provisioning of") {
            break line;
        }
        seen.push(line);
    };
    // The banner warned at startup already.
    assert!(seen.iter().any(|l| l.contains("--heroku-id-url")), "{seen:#?}");
    assert!(failure.contains(&id), "{failure}");
    assert!(failure.contains("https://id.heroku.com/oauth/token is https"), "{failure}");
    assert!(failure.contains("stays provisioning"), "{failure}");
    for secret in [GRANT_CODE, CLIENT_SECRET, "secret"] {
        assert!(!failure.contains(secret), "{failure}");
    }
    // Still serving, nothing was sent to the stand-in.
    assert_eq!(parse(&raw(addr, "GET", "/", &[], b"").unwrap()).status, 200);
    assert!(heroku.calls().is_empty());
}

#[test]
fn help_documents_async_mode() {
    let out = Command::new(env!("CARGO_BIN_EXE_kensa-provider")).arg("--help").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for flag in
        ["--async", "--heroku-id-url", "--oauth-client-secret", "--async-delay-ms", "/oauth/token", "actions/provision"]
    {
        assert!(text.contains(flag), "{flag} missing from --help:\n{text}");
    }
}

#[test]
fn serves_with_the_given_credentials_and_faults() {
    let (_child, addr) = start(&["--id", "fast-db", "--password", "pw", "--fault", "provision-status-201"]);
    let body = v3_body("ffffffff-0000-0000-0000-000000000001").to_string();
    let post = |user: &str, password: &str| {
        let a = basic_auth_header(user, password);
        parse(
            &raw(addr, "POST", "/heroku/resources", &[("Authorization", &a), ("Accept", V3_ACCEPT)], body.as_bytes())
                .unwrap(),
        )
    };
    assert_eq!(post("fast-db", "secret").status, 401);
    assert_eq!(post("fast-db", "pw").status, 201);
}

#[test]
fn lists_every_fault() {
    let out = Command::new(env!("CARGO_BIN_EXE_kensa-provider")).arg("--list-faults").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), Fault::ALL.len());
    for fault in Fault::ALL {
        assert!(text.contains(fault.name()), "{fault}");
    }
}

#[test]
fn rejects_an_unknown_fault() {
    let out = Command::new(env!("CARGO_BIN_EXE_kensa-provider")).args(["--fault", "no-such-fault"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown fault `no-such-fault`"));
}

/// The playground's contract (port, add-on id, password, SSO salt) has one source: the
/// sample manifest the page's editor starts with (web/playground-manifest.json) is the
/// manifest of `ProviderOptions::playground`, and `--playground` serves exactly that,
/// whatever the environment says.
#[test]
fn the_playground_preset_is_what_the_playgrounds_sample_manifest_calls() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../web/playground-manifest.json");
    #[allow(clippy::disallowed_methods, reason = "host test: reads the web crate's sample manifest")]
    let sample: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(sample, ProviderOptions::playground_manifest(), "{} and the preset differ", file.display());

    let printed = Command::new(env!("CARGO_BIN_EXE_kensa-provider"))
        .args(["--playground", "--print-manifest"])
        .env("HEROKU_USERNAME", "from-the-env")
        .env("HEROKU_PASSWORD", "from-the-env")
        .env("SSO_SALT", "from-the-env")
        .output()
        .unwrap();
    assert!(printed.status.success());
    assert_eq!(serde_json::from_slice::<Value>(&printed.stdout).unwrap(), sample);

    let help = Command::new(env!("CARGO_BIN_EXE_kensa-provider")).arg("--help").output().unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    for value in [&format!("port {PLAYGROUND_PORT}"), "add-on myaddon", "password secret", PLAYGROUND_SSO_SALT] {
        assert!(help.contains(value), "--help does not say {value:?} of --playground:\n{help}");
    }

    // Served on another port, it takes the sample's credentials and has SSO on.
    let (_child, addr) = start(&["--playground"]);
    assert_eq!(provision_at(addr, &v3_body("eeeeeeee-0000-0000-0000-000000000001")).status, 200);
    let about = parse(&raw(addr, "GET", "/", &[], b"").unwrap()).json();
    assert_eq!(about["sso_url"], format!("http://{addr}/sso/login"), "{about}");
}
