//! One deadline covers a whole exchange, body included, and one budget covers a whole
//! sign-in with its redirects: a provider that trickles its body or stretches a redirect
//! chain cannot hold kensa longer than `--timeout` (plus a margin for start-up).

use kensa_e2e::hostile_slow::{Slow, SlowServer, long_json, slow_redirect_chain};
use kensa_e2e::{Kensa, Outcome, check, messages, text, write_json};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// `--timeout 2`: everything must be over well before this (start-up and slow CI included).
const WITHIN: Duration = Duration::from_secs(5);

/// `kensa cors-proxy --timeout 2` in front of a provider that sends its header at once and
/// then 1,000 bytes of body one per half second: the proxy cuts the body off at the
/// deadline, so the browser is not held for the 500 s the provider would take.
#[test]
fn cors_proxy_cuts_off_a_trickled_body_at_the_timeout() {
    let provider = SlowServer::start(|_| Slow::trickled(long_json(1000), Duration::from_millis(500)));
    let dir = tempfile::tempdir().unwrap();
    let mut proxy = Kensa::new(dir.path())
        .args(["cors-proxy", "--to", provider.origin(), "--port", "0", "--timeout", "2"])
        .timeout(Duration::from_secs(60))
        .spawn();
    let banner = proxy.next_line(Duration::from_secs(10));
    let address = banner
        .strip_prefix("kensa cors-proxy: http://")
        .and_then(|rest| rest.split(' ').next())
        .unwrap_or_else(|| panic!("unexpected banner {banner:?}"))
        .to_string();
    let allowing = proxy.next_line(Duration::from_secs(5));
    assert!(allowing.starts_with("allowing pages from http://127.0.0.1:*"), "{allowing}");

    let started = Instant::now();
    let mut stream = TcpStream::connect(&address).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let request = format!(
        "GET /heroku/resources/x HTTP/1.1\r\nHost: {address}\r\nOrigin: http://127.0.0.1:8080\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).unwrap();
    let mut raw = Vec::new();
    let read = stream.read_to_end(&mut raw);
    let elapsed = started.elapsed();
    let answer = String::from_utf8_lossy(&raw).into_owned();
    assert!(elapsed < WITHIN, "the proxy held the client {elapsed:?} ({read:?}):\n{answer}");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let body = answer.split_once("\r\n\r\n").map_or("", |(_, body)| body);
    assert!(body.len() < 1000, "the whole trickled body arrived in {elapsed:?}");

    assert_eq!(proxy.next_line(Duration::from_secs(5)), "GET /heroku/resources/x 200");
    let cut = proxy.next_line(Duration::from_secs(5));
    assert_eq!(
        cut,
        format!("GET /heroku/resources/x: cut off, the body from {} did not end within 2 s", provider.origin())
    );
}

/// A sign-in whose every redirect takes 1.7 s (eleven of them would be 18.7 s): under
/// `--timeout 2` the whole sign-in gets 2 s, S05 says so, and the run ends in time.
#[test]
fn a_sign_in_and_its_redirects_share_one_deadline() {
    let provider = SlowServer::start(slow_redirect_chain(Duration::from_millis(1700)));
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("addon-manifest.json");
    write_json(&manifest, &kensa_e2e::options().manifest(provider.origin()));
    let run = Kensa::new(dir.path())
        .arg("-f")
        .arg(&manifest)
        .args(["test", "sso", "some-id", "--timeout", "2", "--format", "json"])
        .timeout(Duration::from_secs(60))
        .run();
    assert!(run.elapsed < WITHIN, "took {:?}\n{}", run.elapsed, run.describe());
    run.assert_code(1);
    let report = run.report();
    let s05 = check(&report, "S05");
    assert_eq!(s05.outcome, Outcome::Failed, "{}", text(&report));
    let said = messages(s05);
    assert!(said.contains("the sign-in did not finish within 2 s, redirects included"), "{}", text(&report));
    let hops = provider.requests().iter().filter(|request| request.path.starts_with("/hop/")).count();
    assert!(hops <= 1, "{hops} redirects followed after the deadline\n{}", text(&report));
}
