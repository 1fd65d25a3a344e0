//! The `kensa-provider` binary, started as a process.
#![allow(clippy::unwrap_used, reason = "test helpers outside #[test] functions")]

mod common;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};

use common::{V3_ACCEPT, parse, raw, v3_body};
use kensa_provider::{Fault, basic_auth_header};

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(args: &[&str]) -> (Killed, SocketAddr) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kensa-provider"))
        .args(["--port", "0", "--quiet"])
        .args(args)
        .env_remove("HEROKU_USERNAME")
        .env_remove("HEROKU_PASSWORD")
        .env_remove("SSO_SALT")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line.trim().rsplit(' ').next().unwrap();
    let addr = url.trim_start_matches("http://").parse().unwrap();
    (Killed(child), addr)
}

#[test]
fn serves_with_the_given_credentials_and_faults() {
    let (_child, addr) = start(&[
        "--id",
        "fast-db",
        "--password",
        "pw",
        "--fault",
        "provision-status-201",
    ]);
    let body = v3_body("ffffffff-0000-0000-0000-000000000001").to_string();
    let post = |user: &str, password: &str| {
        let a = basic_auth_header(user, password);
        parse(
            &raw(
                addr,
                "POST",
                "/heroku/resources",
                &[("Authorization", &a), ("Accept", V3_ACCEPT)],
                body.as_bytes(),
            )
            .unwrap(),
        )
    };
    assert_eq!(post("fast-db", "secret").status, 401);
    assert_eq!(post("fast-db", "pw").status, 201);
}

#[test]
fn lists_every_fault() {
    let out = Command::new(env!("CARGO_BIN_EXE_kensa-provider"))
        .arg("--list-faults")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), Fault::ALL.len());
    for fault in Fault::ALL {
        assert!(text.contains(fault.name()), "{fault}");
    }
}

#[test]
fn rejects_an_unknown_fault() {
    let out = Command::new(env!("CARGO_BIN_EXE_kensa-provider"))
        .args(["--fault", "no-such-fault"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown fault `no-such-fault`"));
}
