//! `kensa cors-proxy` in front of the reference provider started without CORS: preflights,
//! proxied provision/plan change/deprovision with Basic auth, wrong credentials, redirects
//! passed through, `kensa test all --with-sso` through the proxy, bad `--to` values, a log
//! that never shows the password, tokens or `Authorization`, and only the pages it allows
//! (and only requests addressed to it) getting anything through.
#![allow(clippy::unwrap_used, reason = "test helpers panic on purpose")]
#![allow(
    clippy::disallowed_methods,
    reason = "host-side test: child processes, temporary files, loopback sockets and the clock"
)]

use assert_cmd::Command;
use kensa_provider::{ProviderOptions, RunningProvider, basic_auth_header};
use kensa_testkit::{HttpRequest, HttpResponse};
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const PASSWORD: &str = "cors0proxy0password0d41d8cd98f00";
const SALT: &str = "cors0proxy0salt0e3b0c44298fc1c14";
const PAGE_ORIGIN: &str = "http://127.0.0.1:8080";

fn provider() -> RunningProvider {
    let options =
        ProviderOptions { cors: false, ..ProviderOptions::default() }.with_password(PASSWORD).with_sso_salt(SALT);
    kensa_provider::spawn_thread(options).unwrap()
}

/// `kensa cors-proxy --to <provider> --port 0` as a child; its output is collected until drop.
struct Proxy {
    child: Child,
    addr: String,
    output: Arc<Mutex<String>>,
    readers: Vec<JoinHandle<()>>,
}

impl Proxy {
    fn start(to: &str) -> Proxy {
        Proxy::start_with(to, &[])
    }

    /// `kensa cors-proxy --to TO --port 0 EXTRA...`.
    fn start_with(to: &str, extra: &[&str]) -> Proxy {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_kensa"))
            .args(["cors-proxy", "--to", to, "--port", "0"])
            .args(extra)
            .env_remove("NO_COLOR")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut banner = String::new();
        stdout.read_line(&mut banner).unwrap();
        // kensa cors-proxy: http://127.0.0.1:PORT -> ORIGIN
        let expected_tail = format!(" -> {to}\n");
        assert!(banner.starts_with("kensa cors-proxy: http://127.0.0.1:"), "banner: {banner:?}");
        assert!(banner.ends_with(&expected_tail), "banner: {banner:?}");
        let addr = banner["kensa cors-proxy: http://".len()..banner.len() - expected_tail.len()].to_string();
        let mut allowing = String::new();
        stdout.read_line(&mut allowing).unwrap();
        assert!(allowing.starts_with("allowing pages from "), "second banner line: {allowing:?}");
        let output = Arc::new(Mutex::new(banner + &allowing));
        let mut readers = Vec::new();
        let stderr: Box<dyn Read + Send> = Box::new(child.stderr.take().unwrap());
        for mut stream in [Box::new(stdout) as Box<dyn Read + Send>, stderr] {
            let output = Arc::clone(&output);
            readers.push(std::thread::spawn(move || {
                let mut buffer = [0u8; 4096];
                while let Ok(read) = stream.read(&mut buffer) {
                    if read == 0 {
                        break;
                    }
                    output.lock().unwrap().push_str(&String::from_utf8_lossy(&buffer[..read]));
                }
            }));
        }
        Proxy { child, addr, output, readers }
    }

    fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops the proxy and returns everything it printed on stdout and stderr.
    fn stop(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        for reader in self.readers.drain(..) {
            reader.join().unwrap();
        }
        self.output.lock().unwrap().clone()
    }

    /// Waits (up to 5 s) until the proxy has logged `count` request lines (after its two
    /// banner lines); fails after.
    fn wait_for_log_lines(&self, count: usize) {
        for _ in 0..100 {
            let lines = self.output.lock().unwrap().lines().count();
            if lines >= count + 2 {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("the proxy logged fewer than {count} request lines in 5 s:\n{}", self.output.lock().unwrap());
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP/1.1 exchange over a raw socket (`Connection: close`, so the body ends at EOF).
fn http(addr: &str, method: &str, target: &str, headers: &[(&str, &str)], body: &str) -> HttpResponse {
    http_to(addr, Some(addr), method, target, headers, body)
}

/// [`http`] with `Host: host` (none at all for `None`).
fn http_to(
    addr: &str,
    host: Option<&str>,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> HttpResponse {
    HttpRequest::to(addr, method, target).host(host).headers(headers).body(body).send()
}

fn auth() -> String {
    basic_auth_header("myaddon", PASSWORD)
}

fn provision_body(uuid: &str) -> String {
    serde_json::json!({
        "callback_url": "https://api.heroku.com/addons/01234567-89ab-cdef-0123-456789abcdef",
        "name": "acme-inc-primary-database",
        "oauth_grant": null,
        "options": {},
        "plan": "test",
        "region": "amazon-web-services::us-east-1",
        "uuid": uuid,
    })
    .to_string()
}

/// Nothing the proxy printed may reveal a credential or a header.
fn assert_no_secrets(output: &str) {
    for secret in [PASSWORD, SALT, auth().as_str(), "Authorization", "authorization"] {
        assert!(!output.contains(secret), "the proxy printed {secret:?}:\n{output}");
    }
}

#[test]
fn preflights_are_answered_by_the_proxy() {
    let provider = provider();
    let proxy = Proxy::start(provider.base_url());

    // The provider itself does not take part in CORS.
    let direct = http(
        &provider.addr().to_string(),
        "OPTIONS",
        "/heroku/resources",
        &[("Origin", PAGE_ORIGIN), ("Access-Control-Request-Method", "POST")],
        "",
    );
    assert!(direct.header("Access-Control-Allow-Origin").is_none());

    let reply = http(
        &proxy.addr,
        "OPTIONS",
        "/heroku/resources",
        &[
            ("Origin", PAGE_ORIGIN),
            ("Access-Control-Request-Method", "POST"),
            ("Access-Control-Request-Headers", "authorization, content-type"),
        ],
        "",
    );
    assert!(matches!(reply.status, 200 | 204), "status {}", reply.status);
    assert_eq!(reply.header("Access-Control-Allow-Origin"), Some(PAGE_ORIGIN));
    let methods = reply.header("Access-Control-Allow-Methods").unwrap();
    for method in ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"] {
        assert!(methods.contains(method), "{method} missing from {methods}");
    }
    assert_eq!(reply.header("Access-Control-Allow-Headers"), Some("authorization, content-type"));
    assert_eq!(reply.header("Access-Control-Max-Age"), Some("600"));

    // Without requested headers: the headers the playground sends.
    let reply = http(
        &proxy.addr,
        "OPTIONS",
        "/heroku/resources/x",
        &[("Origin", "http://localhost:3000"), ("Access-Control-Request-Method", "DELETE")],
        "",
    );
    assert!(matches!(reply.status, 200 | 204), "status {}", reply.status);
    assert_eq!(reply.header("Access-Control-Allow-Origin"), Some("http://localhost:3000"));
    assert_eq!(reply.header("Access-Control-Allow-Headers"), Some("Authorization, Content-Type, Accept"));

    proxy.wait_for_log_lines(2);
    let output = proxy.stop();
    assert!(output.contains("OPTIONS /heroku/resources 204"), "log:\n{output}");
    assert!(output.contains("OPTIONS /heroku/resources/x 204"), "log:\n{output}");
}

#[test]
fn provision_plan_change_and_deprovision_pass_through_with_cors_headers() {
    let provider = provider();
    let proxy = Proxy::start(provider.base_url());
    let uuid = "3f1c1e0a-5b7d-4c2e-9f60-8a4b2d1c0e9f";
    let authorization = auth();
    let json = [
        ("Origin", PAGE_ORIGIN),
        ("Authorization", authorization.as_str()),
        ("Content-Type", "application/json"),
        ("Accept", "application/vnd.heroku-addons+json; version=3"),
    ];

    let reply = http(&proxy.addr, "POST", "/heroku/resources", &json, &provision_body(uuid));
    assert_eq!(reply.status, 200, "body: {}", reply.text());
    assert_eq!(reply.header("Access-Control-Allow-Origin"), Some(PAGE_ORIGIN));
    let exposed = reply.header("Access-Control-Expose-Headers").unwrap().to_ascii_lowercase();
    assert!(exposed.contains("content-type"), "exposed: {exposed}");
    let answer: serde_json::Value = serde_json::from_slice(&reply.body).unwrap();
    assert!(answer["id"].is_string(), "body: {}", reply.text());
    assert!(answer["config"]["MYADDON_URL"].is_string(), "body: {}", reply.text());
    assert_eq!(provider.resource_count().unwrap(), 1);

    let reply = http(&proxy.addr, "PUT", &format!("/heroku/resources/{uuid}"), &json, r#"{"plan":"premium"}"#);
    assert_eq!(reply.status, 200, "body: {}", reply.text());
    assert_eq!(reply.header("Access-Control-Allow-Origin"), Some(PAGE_ORIGIN));
    assert_eq!(provider.resources().unwrap()[0].plan, "premium");

    let reply = http(&proxy.addr, "DELETE", &format!("/heroku/resources/{uuid}"), &json[..2], "");
    assert!(matches!(reply.status, 200 | 204), "status {} body {}", reply.status, reply.text());
    assert_eq!(reply.header("Access-Control-Allow-Origin"), Some(PAGE_ORIGIN));
    assert_eq!(provider.resource_count().unwrap(), 0);

    proxy.wait_for_log_lines(3);
    let output = proxy.stop();
    assert!(output.contains("POST /heroku/resources 200"), "log:\n{output}");
    assert!(output.contains(&format!("PUT /heroku/resources/{uuid} 200")), "log:\n{output}");
    assert!(output.contains(&format!("DELETE /heroku/resources/{uuid} 20")), "log:\n{output}");
    assert_no_secrets(&output);
}

#[test]
fn wrong_credentials_still_get_401_with_cors_headers() {
    let provider = provider();
    let proxy = Proxy::start(provider.base_url());
    let wrong = basic_auth_header("myaddon", "not-the-password");
    let reply = http(
        &proxy.addr,
        "POST",
        "/heroku/resources",
        &[("Authorization", wrong.as_str()), ("Content-Type", "application/json")],
        &provision_body("0b6a8e1e-2f4d-4b39-8c57-6d0e9a1f3b24"),
    );
    assert_eq!(reply.status, 401);
    // No Origin, no browser page to read it: no CORS headers.
    assert_eq!(reply.header("Access-Control-Allow-Origin"), None);
    let reply = http(&proxy.addr, "POST", "/heroku/resources", &[("Origin", PAGE_ORIGIN)], "{}");
    assert_eq!(reply.status, 401);
    assert_eq!(reply.header("Access-Control-Allow-Origin"), Some(PAGE_ORIGIN));
    assert_eq!(provider.resource_count().unwrap(), 0);
    proxy.wait_for_log_lines(2);
    let output = proxy.stop();
    assert!(output.contains("POST /heroku/resources 401"), "log:\n{output}");
    assert_no_secrets(&output);
    assert!(!output.contains("not-the-password"));
}

/// A legacy GET sign-in: the query reaches the provider, its 302 comes back unfollowed,
/// and the token in the query is never logged.
#[test]
fn redirects_pass_through_and_queries_are_not_logged() {
    let provider = provider();
    let proxy = Proxy::start(provider.base_url());
    let authorization = auth();
    let reply = http(
        &proxy.addr,
        "POST",
        "/heroku/resources",
        &[("Authorization", authorization.as_str()), ("Content-Type", "application/json")],
        &provision_body("7d2e4f60-1a3b-4c5d-8e9f-0a1b2c3d4e5f"),
    );
    assert_eq!(reply.status, 200, "body: {}", reply.text());
    let answer: serde_json::Value = serde_json::from_slice(&reply.body).unwrap();
    let id = answer["id"].as_str().unwrap();
    let timestamp = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs().to_string();
    let token = kensa_provider::sso::token(id, SALT, &timestamp);
    let target = format!("/heroku/resources/{id}?token={token}&timestamp={timestamp}");
    let reply = http(&proxy.addr, "GET", &target, &[("Origin", PAGE_ORIGIN)], "");
    assert_eq!(reply.status, 302, "body: {}", reply.text());
    assert_eq!(reply.header("Location"), Some("/dashboard"));
    assert_eq!(reply.header("Access-Control-Allow-Origin"), Some(PAGE_ORIGIN));
    proxy.wait_for_log_lines(2);
    let output = proxy.stop();
    assert!(output.contains(&format!("GET /heroku/resources/{id} 302\n")), "log:\n{output}");
    assert!(!output.contains(&token), "the proxy logged the SSO token:\n{output}");
    assert!(!output.contains("timestamp="), "the proxy logged the query:\n{output}");
    assert_no_secrets(&output);
}

#[test]
fn kensa_test_all_passes_through_the_proxy() {
    let provider = provider();
    let proxy = Proxy::start(provider.base_url());
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("addon-manifest.json");
    let json = provider.options().manifest(&proxy.origin());
    assert!(json["api"]["test"]["base_url"].as_str().unwrap().starts_with(&proxy.origin()));
    std::fs::write(&manifest, serde_json::to_string_pretty(&json).unwrap()).unwrap();
    let output = Command::cargo_bin("kensa")
        .unwrap()
        .args(["test", "all", "--with-sso", "--color", "never", "-f", manifest.to_str().unwrap()])
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(0), "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(!stdout.contains("[FAIL]"), "stdout:\n{stdout}");
    assert_eq!(provider.resource_count().unwrap(), 0, "test all cleans up after itself");
    let log = proxy.stop();
    for line in
        ["POST /heroku/resources 200", "POST /heroku/resources 401", "POST /sso/login 302", "GET /dashboard 200"]
    {
        assert!(log.contains(line), "{line:?} missing from the log:\n{log}");
    }
    assert_no_secrets(&log);
}

#[test]
fn an_unreachable_provider_is_a_502_with_cors_headers() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let origin = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let proxy = Proxy::start(&origin);
    let reply = http(&proxy.addr, "GET", "/heroku/resources", &[("Origin", PAGE_ORIGIN)], "");
    assert_eq!(reply.status, 502);
    assert_eq!(reply.header("Access-Control-Allow-Origin"), Some(PAGE_ORIGIN));
    assert!(reply.text().contains(&format!("cannot connect to {origin}")), "body: {}", reply.text());
}

#[test]
fn a_to_that_is_not_an_http_origin_exits_2() {
    for to in [
        "localhost:5000",
        "ftp://localhost:5000",
        "http://localhost:5000/heroku/resources",
        "http://localhost:5000/?debug=1",
        "not a url",
    ] {
        let output =
            Command::cargo_bin("kensa").unwrap().args(["cors-proxy", "--to", to, "--port", "0"]).output().unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(output.status.code(), Some(2), "--to {to}: stderr {stderr}");
        assert!(stderr.starts_with("error: --to"), "--to {to}: stderr {stderr}");
        assert!(stderr.contains("hint: "), "--to {to}: stderr {stderr}");
    }
}

#[test]
fn a_port_in_use_exits_2() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let output = Command::cargo_bin("kensa")
        .unwrap()
        .args(["cors-proxy", "--to", "http://localhost:5000", "--port", &port])
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(2), "stderr {stderr}");
    assert!(stderr.contains(&format!("cannot listen on 127.0.0.1:{port}")), "stderr {stderr}");
}

/// A provider that accepts the connection and never answers must not hold the browser
/// until some client gives up: the proxy answers 504 after `--timeout` seconds (default
/// Heroku's 25), with a JSON message and the CORS headers the page needs to read it.
#[test]
fn a_hung_provider_gets_a_504_with_cors_headers_after_the_timeout() {
    let hung = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let origin = format!("http://{}", hung.local_addr().unwrap());
    // Accepts, reads nothing, answers nothing; the connections stay open until the test ends.
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in hung.incoming() {
            held.push(stream);
        }
    });
    let proxy = Proxy::start_with(&origin, &["--timeout", "1"]);
    let started = std::time::Instant::now();
    let auth = auth();
    let headers = [("Origin", PAGE_ORIGIN), ("Authorization", auth.as_str()), ("Content-Type", "application/json")];
    let reply = http(&proxy.addr, "POST", "/heroku/resources", &headers, &provision_body("hung-uuid"));
    assert_eq!(reply.status, 504, "body: {}", reply.text());
    assert_eq!(reply.header("Access-Control-Allow-Origin"), Some(PAGE_ORIGIN));
    assert!(reply.text().contains(&format!("no answer from {origin} within 1 s")), "body: {}", reply.text());
    // Generous: only shows the proxy did not wait for some much longer client timeout.
    assert!(started.elapsed() < Duration::from_secs(20), "took {:?}", started.elapsed());
    proxy.wait_for_log_lines(1);
    let log = proxy.stop();
    assert!(log.contains("POST /heroku/resources 504"), "{log}");
    assert_no_secrets(&log);

    let help = Command::cargo_bin("kensa").unwrap().args(["cors-proxy", "--help"]).output().unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    assert!(help.contains("--timeout <SECS>") && help.contains("[default: 25]"), "{help}");
}

/// Every page the user opens can send requests to 127.0.0.1: one whose origin the proxy
/// does not allow gets no CORS headers (so it cannot read an answer), its preflight is
/// refused with 403, and its request is not forwarded at all. Loopback pages are allowed,
/// and `--allow-origin` adds a hosted page.
#[test]
fn only_allowed_pages_get_cors_headers_and_others_are_not_forwarded() {
    let provider = provider();
    let proxy = Proxy::start(provider.base_url());
    let authorization = auth();
    let preflight = |proxy: &Proxy, origin: &str| {
        http(
            &proxy.addr,
            "OPTIONS",
            "/heroku/resources",
            &[("Origin", origin), ("Access-Control-Request-Method", "POST")],
            "",
        )
    };
    let provision = |proxy: &Proxy, origin: &str| {
        let headers =
            [("Origin", origin), ("Authorization", authorization.as_str()), ("Content-Type", "application/json")];
        http(
            &proxy.addr,
            "POST",
            "/heroku/resources",
            &headers,
            &provision_body("5e0c7a3b-8d21-4f6e-9a47-1c2b3d4e5f60"),
        )
    };
    for origin in ["https://playground.example", "http://127.0.0.1.attacker.example:8080", "null"] {
        let reply = preflight(&proxy, origin);
        assert_eq!(reply.status, 403, "{origin}: {}", reply.text());
        assert_eq!(reply.header("Access-Control-Allow-Origin"), None, "{origin}");
        assert_eq!(reply.header("Access-Control-Allow-Methods"), None, "{origin}");
        let reply = provision(&proxy, origin);
        assert_eq!(reply.status, 403, "{origin}: {}", reply.text());
        assert_eq!(reply.header("Access-Control-Allow-Origin"), None, "{origin}");
    }
    assert_eq!(provider.resource_count().unwrap(), 0, "a refused page's request reached the provider");
    for origin in ["http://localhost:3000", "http://[::1]:8080", "http://127.0.0.1"] {
        assert_eq!(preflight(&proxy, origin).header("Access-Control-Allow-Origin"), Some(origin));
    }
    proxy.wait_for_log_lines(9);
    let log = proxy.stop();
    assert!(
        log.contains(
            "OPTIONS /heroku/resources 403 (refused: the page https://playground.example is not allowed; add it with --allow-origin)"
        ),
        "{log}"
    );
    assert!(log.contains("POST /heroku/resources 403 (refused: the Origin is not a page this proxy allows)"), "{log}");
    assert_no_secrets(&log);

    // A hosted playground, added by name.
    let proxy = Proxy::start_with(provider.base_url(), &["--allow-origin", "https://playground.example"]);
    let reply = preflight(&proxy, "https://playground.example");
    assert_eq!(reply.status, 204);
    assert_eq!(reply.header("Access-Control-Allow-Origin"), Some("https://playground.example"));
    let reply = provision(&proxy, "https://playground.example");
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.header("Access-Control-Allow-Origin"), Some("https://playground.example"));
    assert_eq!(preflight(&proxy, "https://playground.example:8443").status, 403);
    let log = proxy.stop();
    assert!(log.contains("allowing pages from http://127.0.0.1:*, http://localhost:*, http://[::1]:*, https://playground.example (add others with --allow-origin)"), "{log}");
}

/// A web page on a name that resolves to 127.0.0.1 (DNS rebinding) is same-origin with
/// whatever listens there; the proxy answers only requests that name it as 127.0.0.1 or
/// localhost at its own port, and forwards nothing else.
#[test]
fn requests_not_addressed_to_the_proxy_are_refused() {
    let provider = provider();
    let proxy = Proxy::start(provider.base_url());
    let port = proxy.addr.rsplit(':').next().unwrap().to_string();
    let authorization = auth();
    let headers = [("Authorization", authorization.as_str()), ("Content-Type", "application/json")];
    let body = provision_body("9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d");
    for host in [
        Some(format!("rebound.attacker.example:{port}")),
        Some("127.0.0.1".to_string()),
        Some(format!("127.0.0.1:1{port}")),
        None,
    ] {
        let reply = http_to(&proxy.addr, host.as_deref(), "POST", "/heroku/resources", &headers, &body);
        assert_eq!(reply.status, 403, "Host {host:?}: {}", reply.text());
        assert_eq!(reply.header("Access-Control-Allow-Origin"), None);
        let reply = http_to(
            &proxy.addr,
            host.as_deref(),
            "OPTIONS",
            "/heroku/resources",
            &[("Origin", PAGE_ORIGIN), ("Access-Control-Request-Method", "POST")],
            "",
        );
        assert!(matches!(reply.status, 400 | 403), "Host {host:?}: {}", reply.status);
        assert_eq!(reply.header("Access-Control-Allow-Origin"), None);
    }
    let absolute = format!("http://rebound.attacker.example:{port}/heroku/resources");
    let reply = http(&proxy.addr, "POST", &absolute, &headers, &body);
    assert!(matches!(reply.status, 400 | 403), "absolute target: {}", reply.status);
    assert_eq!(provider.resource_count().unwrap(), 0, "a request to another host reached the provider");

    let localhost = format!("localhost:{port}");
    let reply = http_to(&proxy.addr, Some(&localhost), "POST", "/heroku/resources", &headers, &body);
    assert_eq!(reply.status, 200, "{}", reply.text());
    proxy.wait_for_log_lines(3);
    let log = proxy.stop();
    assert!(
        log.contains(&format!(
            "POST /heroku/resources 403 (refused: the Host is not 127.0.0.1:{port} or localhost:{port}, this proxy)"
        )),
        "{log}"
    );
}

#[test]
fn help_says_which_pages_and_hosts_the_proxy_answers_and_a_wildcard_is_refused() {
    let help = Command::cargo_bin("kensa").unwrap().args(["cors-proxy", "--help"]).output().unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    for said in [
        "--allow-origin <ORIGIN>",
        "Host 127.0.0.1:PORT or localhost:PORT",
        "http://127.0.0.1, http://localhost and\nhttp://[::1] on any port",
        "Origin: null",
        "get 403 without CORS headers and are not forwarded",
        "is cut off",
    ] {
        assert!(help.contains(said), "{said:?} not in\n{help}");
    }
    for bad in ["*", "null", "https://example.org/playground"] {
        let output = Command::cargo_bin("kensa")
            .unwrap()
            .args(["cors-proxy", "--to", "http://localhost:5000", "--port", "0", "--allow-origin", bad])
            .output()
            .unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(output.status.code(), Some(2), "{bad}: {stderr}");
        assert!(stderr.starts_with("error: --allow-origin"), "{bad}: {stderr}");
    }
}
