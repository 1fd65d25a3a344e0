//! The servers kensa starts on 127.0.0.1 answer only who they are for: the `kensa sso`
//! form page (live sign-in tokens) only at its unguessable path and only to a request
//! addressed to `127.0.0.1:PORT`, as the browser kensa opens sends it. Anything else, from
//! another local user or a DNS-rebinding web page, gets no form and does not use it up.
//! And the Heroku stand-in of `--async` only to requests addressed to it.

use kensa_e2e::hostile::{HostileServer, Reply};
use kensa_e2e::{Kensa, Provider, SSO_SALT, free_port, hidden_form, http, write_json};
use serde_json::json;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// One raw request to `address`; the whole answer as text.
fn raw(address: &str, request: &str) -> String {
    let mut stream = TcpStream::connect(address).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

/// The status code of a raw answer.
fn status(answer: &str) -> u16 {
    answer.split(' ').nth(1).and_then(|code| code.parse().ok()).unwrap_or_else(|| panic!("no status in {answer:?}"))
}

#[test]
fn the_sign_in_form_is_served_only_at_its_path_to_its_own_host() {
    let provider = Provider::start();
    provider.run(["test", "provision", "--format", "json"]).assert_code(0);
    let uuid = provider.running().resources().unwrap().remove(0).uuid.unwrap();
    let mut kensa = provider.kensa(["sso", &uuid, "--no-browser"]).timeout(Duration::from_secs(30)).spawn();
    let first = kensa.next_line(Duration::from_secs(10));
    let page_url = first.rsplit(" via ").next().unwrap().to_string();
    let (address, path) = page_url.strip_prefix("http://").unwrap().split_once('/').unwrap();
    let (address, path) = (address.to_string(), format!("/{path}"));
    assert!(address.starts_with("127.0.0.1:"), "{first}");
    // 128 random bits: 32 hex digits.
    let secret = path.trim_start_matches('/');
    assert!(secret.len() == 32 && secret.bytes().all(|byte| byte.is_ascii_hexdigit()), "guessable path {path:?}");

    let get = |target: &str, host: &str| {
        raw(&address, &format!("GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"))
    };
    let refused = |answer: &str, what: &str| {
        assert!((400..500).contains(&status(answer)), "{what}: {answer}");
        assert!(!answer.contains("token") && !answer.contains("<form"), "{what} got the form: {answer}");
    };
    // A guessed path: 404.
    for guess in ["/", "/favicon.ico", "/index.html", "/0123456789abcdef0123456789abcdef"] {
        let answer = get(guess, &address);
        assert_eq!(status(&answer), 404, "{guess}: {answer}");
        refused(&answer, guess);
    }
    // The right path under another name (a DNS-rebinding page, or a proxy), or none at all.
    let port = address.rsplit(':').next().unwrap();
    for host in [
        format!("attacker.example:{port}"),
        format!("localhost:{port}"),
        "127.0.0.1".to_string(),
        format!("127.0.0.1:1{port}"),
    ] {
        refused(&get(&path, &host), &format!("Host {host}"));
    }
    refused(&raw(&address, &format!("GET {path} HTTP/1.1\r\nConnection: close\r\n\r\n")), "no Host");
    let twice =
        format!("GET {path} HTTP/1.1\r\nHost: {address}\r\nHost: attacker.example\r\nConnection: close\r\n\r\n");
    refused(&raw(&address, &twice), "two Hosts");
    let absolute =
        format!("GET http://attacker.example{path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n");
    refused(&raw(&address, &absolute), "absolute target");
    refused(
        &raw(
            &address,
            &format!("POST {path} HTTP/1.1\r\nHost: {address}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"),
        ),
        "POST",
    );

    // None of that used up the one page: the browser's request still gets it.
    let page = http("GET", &page_url, &[], b"");
    assert_eq!(page.status, 200, "{}", page.text());
    let html = page.text();
    assert!(!html.contains(SSO_SALT));
    hidden_form(&html).unwrap_or_else(|problem| panic!("{problem}:\n{html}"));
    let run = kensa.wait();
    run.assert_code(0);
    assert!(run.stdout.contains("Served the sign-in form"), "{}", run.describe());
}

/// A connection that sends its request head a byte at a time is dropped after 10 s
/// instead of holding a thread for as long as it keeps sending, and the page is still
/// there for the browser afterwards.
#[test]
fn the_sign_in_form_server_drops_a_request_head_that_trickles_in() {
    let provider = Provider::start();
    provider.run(["test", "provision", "--format", "json"]).assert_code(0);
    let uuid = provider.running().resources().unwrap().remove(0).uuid.unwrap();
    let mut kensa = provider.kensa(["sso", &uuid, "--no-browser"]).timeout(Duration::from_secs(60)).spawn();
    let first = kensa.next_line(Duration::from_secs(10));
    let page_url = first.rsplit(" via ").next().unwrap().to_string();
    let address = page_url.strip_prefix("http://").unwrap().split_once('/').unwrap().0.to_string();

    let mut stream = TcpStream::connect(&address).unwrap();
    let started = std::time::Instant::now();
    let head = format!("GET / HTTP/1.1\r\nHost: {address}\r\nX-Padding: ");
    let mut sent = 0;
    let dropped = loop {
        let byte = head.as_bytes().get(sent).copied().unwrap_or(b'a');
        if stream.write_all(&[byte]).is_err() {
            break true;
        }
        sent += 1;
        if started.elapsed() > Duration::from_secs(30) {
            break false;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let elapsed = started.elapsed();
    assert!(dropped && elapsed < Duration::from_secs(15), "still connected after {elapsed:?}");
    assert_eq!(http("GET", &page_url, &[], b"").status, 200);
    kensa.wait().assert_code(0);
}

#[test]
fn sso_help_says_what_the_form_server_accepts() {
    let run = kensa_e2e::Kensa::new(std::env::temp_dir()).args(["sso", "--help"]).run();
    run.assert_code(0);
    for said in ["at a random path", "with Host 127.0.0.1:PORT", "any other path\ngets 404", "403"] {
        assert!(run.stdout.contains(said), "{said:?} not in\n{}", run.stdout);
    }
}

/// The Heroku stand-in under `--async` hands out access tokens at `/oauth/token` (for the
/// grant codes kensa sent) and records the provider's callbacks; it answers only requests
/// addressed to it as
/// 127.0.0.1 or localhost at its port, so a DNS-rebinding page can neither read a token
/// nor plant a callback.
#[test]
fn the_heroku_stand_in_answers_only_requests_addressed_to_it() {
    // Answers 202 and never calls back: the stand-in waits, listening, for the whole timeout.
    let provider = HostileServer::start(|request| match request.method.as_str() {
        "POST" => Reply::json(202, &json!({"id": "slow-1", "message": "provisioning"})),
        _ => Reply::new(204),
    });
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("addon-manifest.json");
    write_json(&manifest, &kensa_e2e::options().manifest(provider.origin()));
    let port = free_port();
    let mut kensa = Kensa::new(dir.path())
        .arg("-f")
        .arg(&manifest)
        .args(["test", "provision", "--async", "--async-timeout", "5", "--color", "never", "--callback-port"])
        .arg(port.to_string())
        .timeout(Duration::from_secs(30))
        .spawn();
    let first = kensa.next_line(Duration::from_secs(10));
    let address = format!("127.0.0.1:{port}");
    assert_eq!(first, format!("Heroku stand-in for asynchronous provisioning listening on http://{address}"));

    let token_request = |host: &str, code: &str| {
        let body = format!("grant_type=authorization_code&code={code}&client_secret=local-test");
        raw(
            &address,
            &format!(
                "POST /oauth/token HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            ),
        )
    };
    for host in [format!("rebound.attacker.example:{port}"), "127.0.0.1".to_string(), format!("127.0.0.1:1{port}")] {
        let answer = token_request(&host, "planted");
        assert_eq!(status(&answer), 403, "Host {host}: {answer}");
        assert!(!answer.contains("access_token"), "Host {host} got a token: {answer}");
    }
    // Addressed to it, a request is judged by Heroku's rules: a planted code is refused, a
    // code kensa sent with a provision (this server saw them) is exchanged.
    let provisions = provider
        .wait_for(Duration::from_secs(10), |requests| requests.iter().filter(|r| r.method == "POST").count() >= 2)
        .expect("kensa provisions and probes");
    let codes: Vec<String> =
        provisions.iter().filter_map(|r| r.json()["oauth_grant"]["code"].as_str().map(str::to_string)).collect();
    for (host, code) in [(address.clone(), &codes[0]), (format!("localhost:{port}"), &codes[1])] {
        let planted = token_request(&host, "planted");
        assert_eq!(status(&planted), 401, "Host {host}: {planted}");
        assert!(planted.contains("\"id\":\"unauthorized\""), "Host {host}: {planted}");
        let answer = token_request(&host, code);
        assert_eq!(status(&answer), 200, "Host {host}: {answer}");
        assert!(answer.contains("kensa-access-"), "Host {host}: {answer}");
    }
    let run = kensa.wait();
    assert!(
        run.stderr.contains("the Heroku stand-in refused a request addressed to another host"),
        "{}",
        run.describe()
    );
}
