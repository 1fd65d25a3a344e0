//! What a hostile provider or manifest sends never drives the user's terminal,
//! no secret kensa sent (password, SSO tokens, Basic credentials in any encoding) comes
//! back out in a report, and the SSO sign-in behaves as a browser would (cookies scoped to
//! their host, 307/308 keep the form, the legacy GET keeps the test URL's path).

use kensa_checks::encoding::{base64, basic_auth};
use kensa_checks::sso::{EMAIL, NAV_DATA, USER_ID, resource_token, token, user_scoped_resource_token};
use kensa_e2e::hostile::{
    DASHBOARD, HOSTILE_PASSWORD, HostileServer, Reply, form_fields, hostile_manifest, hostile_provider,
    sso_form_is_fresh,
};
use kensa_e2e::{Kensa, Outcome, Provider, Run, SSO_SALT, check, parse_github, parse_junit, text, write_json};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::{SystemTime, UNIX_EPOCH};

/// A temporary folder holding `manifest` as `addon-manifest.json`.
fn manifest_dir(manifest: &Value) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("addon-manifest.json");
    write_json(&path, manifest);
    (dir, path)
}

fn kensa(dir: &Path, manifest: &Path) -> Kensa {
    Kensa::new(dir).arg("-f").arg(manifest)
}

/// `--color always` output with kensa's own colour codes (SGR, `ESC [ digits m`) removed.
fn without_colours(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("\u{1b}[") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find(|c: char| !c.is_ascii_digit() && c != ';') {
            Some(end) if after[end..].starts_with('m') => rest = &after[end + 1..],
            _ => {
                out.push_str("\u{1b}[");
                rest = after;
            }
        }
    }
    out + rest
}

/// No byte that moves a terminal: ESC, BEL, a CR that does not end a line, NUL, DEL, any
/// C1 control (U+009B is CSI), and no replacement character standing for a raw byte.
#[track_caller]
fn assert_terminal_safe(what: &str, output: &str) {
    let bad: Vec<(usize, char)> = output
        .char_indices()
        .filter(|(index, c)| match c {
            '\n' | '\t' => false,
            '\r' => !output[index + 1..].starts_with('\n'),
            c => c.is_control() || *c == '\u{fffd}',
        })
        .collect();
    assert!(bad.is_empty(), "{what}: control characters {bad:?} in\n{output}");
    assert!(
        !output.lines().any(|line| line.trim_start().starts_with("Check fake")),
        "{what}: a provider faked a line:\n{output}"
    );
}

/// Ids, config keys and values, `message`s and headers full of ESC, OSC, CR, NUL, DEL and C1
/// reach no output raw, so a provider cannot clear the screen or fake a passing line: human
/// output shows them escaped (with and without colour), JSON escapes them and reads back to
/// the same text, JUnit drops them, GitHub annotations and SARIF messages show them escaped.
#[test]
fn hostile_provider_text_never_reaches_the_terminal_raw() {
    let server = HostileServer::start(hostile_provider);
    let (dir, manifest) = manifest_dir(&hostile_manifest(server.origin()));

    for color in ["never", "always"] {
        let run = kensa(dir.path(), &manifest).args(["test", "all", "--color", color]).run();
        run.assert_code(1);
        let shown = without_colours(&run.stdout);
        assert_terminal_safe(&format!("human, --color {color}"), &shown);
        assert!(shown.contains(r"\e[2J\e]0;owned\x07\r  Check fake [PASS]\n"), "the id is shown escaped:\n{shown}");
        assert!(shown.contains(r"\x00\x7f\u{9b}31m"), "{shown}");
        assert_terminal_safe("stderr", &run.stderr);
    }

    let run = kensa(dir.path(), &manifest).args(["test", "all", "--format", "json"]).run();
    run.assert_code(1);
    assert_terminal_safe("json", &run.stdout);
    assert!(run.stdout.contains(r"\u001b[2J") && run.stdout.contains(r"\u0000\u007f\u009b31m"), "{}", run.stdout);
    // Escaped, not lost: the report reads back with the provider's text as it was sent.
    let report = run.report();
    let note = check(&report, "R01").note.clone().unwrap_or_default();
    assert!(note.contains(kensa_e2e::hostile::HOSTILE_TEXT), "{note:?}");
    assert_eq!(kensa_checks::render::from_json(&kensa_checks::render::json(&report)).unwrap(), report);

    let run = kensa(dir.path(), &manifest).args(["test", "all", "--format", "junit"]).run();
    run.assert_code(1);
    assert_terminal_safe("junit", &run.stdout);
    parse_junit(&run.stdout).unwrap_or_else(|problem| panic!("{problem}\n{}", run.stdout));

    // Every line is kensa's own annotation or its summary: the provider's line breaks
    // and `::` cannot start a workflow command GitHub would obey.
    let run = kensa(dir.path(), &manifest).args(["test", "all", "--format", "github"]).run();
    run.assert_code(1);
    assert_terminal_safe("github", &run.stdout);
    let github = parse_github(&run.stdout).unwrap_or_else(|problem| panic!("{problem}\n{}", run.stdout));
    assert!(!github.annotations.is_empty(), "{}", run.stdout);
    assert!(run.stdout.contains(r"\e[2J\e]0;owned\x07\r  Check fake [PASS]\n"), "shown escaped:\n{}", run.stdout);

    // SARIF messages show the provider's text escaped as human output does, in a valid log.
    let run = kensa(dir.path(), &manifest).args(["test", "all", "--format", "sarif"]).run();
    run.assert_code(1);
    assert_terminal_safe("sarif", &run.stdout);
    let log = crate::sarif::assert_valid(&run.stdout);
    let messages: Vec<&str> = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|result| result["message"]["text"].as_str())
        .collect();
    let escaped = r"\e[2J\e]0;owned\x07\r  Check fake [PASS]\n";
    assert!(messages.iter().any(|message| message.contains(escaped)), "shown escaped:\n{}", run.stdout);
}

/// Manifest text (region names, config var names) and error messages are
/// shown escaped too.
#[test]
fn hostile_manifest_text_and_errors_never_reach_the_terminal_raw() {
    let mut manifest = hostile_manifest("http://127.0.0.1:9");
    manifest["api"]["regions"] = json!(["us", "\u{1b}[2J\u{9b}mars\r  Check fake [PASS]"]);
    manifest["api"]["config_vars"] = json!(["MYADDON_URL", "MYADDON_\u{1b}]0;owned\u{7}"]);
    let (dir, path) = manifest_dir(&manifest);
    let run = kensa(dir.path(), &path).args(["test", "manifest"]).run();
    run.assert_code(1);
    assert_terminal_safe("human", &run.stdout);
    assert!(run.stdout.contains(r"\e[2J\u{9b}mars\r"), "{}", run.stdout);

    let missing = dir.path().join("\u{1b}]0;owned\u{7}\u{1b}[2J.json");
    let run = Kensa::new(dir.path()).arg("-f").arg(&missing).args(["test", "manifest"]).run();
    run.assert_code(2);
    assert_terminal_safe("stderr", &run.stderr);
    assert!(run.stderr.contains(r"\e]0;owned\x07\e[2J.json"), "{}", run.describe());
}

/// Every encoding of every credential kensa sends to the hostile provider: the password,
/// and for the real credentials and each wrong-credential probe the `Basic` value and its
/// bare base64.
fn sent_credentials() -> Vec<String> {
    let wrong_user = "myaddon-kensa-wrong-user";
    let mut secrets = vec![HOSTILE_PASSWORD.to_string()];
    for (user, password) in [
        ("myaddon", HOSTILE_PASSWORD),
        (wrong_user, HOSTILE_PASSWORD),
        ("myaddon", "kensa-wrong-password"),
        (wrong_user, "kensa-wrong-password"),
    ] {
        secrets.push(basic_auth(user, password));
        secrets.push(base64(format!("{user}:{password}").as_bytes()));
    }
    secrets
}

/// A provider that echoes the `Authorization` header (whole, as bare base64 and decoded) in
/// bodies, a header, `message`s and ids gets none of it printed, in any format: reports end
/// up in CI logs and bug reports.
#[test]
fn echoed_credentials_are_redacted_in_every_format() {
    let server = HostileServer::start(hostile_provider);
    let (dir, manifest) = manifest_dir(&hostile_manifest(server.origin()));
    let report_file = dir.path().join("report.json");
    let runs = [
        kensa(dir.path(), &manifest).args(["test", "all"]).run(),
        kensa(dir.path(), &manifest).args(["test", "all", "--format", "json"]).run(),
        kensa(dir.path(), &manifest).args(["test", "all", "--format", "junit"]).run(),
        kensa(dir.path(), &manifest).args(["test", "all", "--format", "json", "-o"]).arg(&report_file).run(),
    ];
    let written = std::fs::read_to_string(&report_file).unwrap();
    // The echoes did arrive (the provider is hostile, not broken) and were redacted.
    assert!(server.requests().iter().any(|request| request.method == "DELETE"));
    assert!(
        runs[1].stdout.contains("you sent Basic [redacted] ([redacted], myaddon:[redacted])"),
        "{}",
        runs[1].stdout
    );
    for (index, run) in runs.iter().enumerate() {
        run.assert_code(1);
        for (what, output) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
            for secret in sent_credentials() {
                assert!(!output.contains(&secret), "run {index} {what} shows {secret}\n{}", run.describe());
            }
        }
    }
    for secret in sent_credentials() {
        assert!(!written.contains(&secret), "-o file shows {secret}\n{written}");
    }
}

/// Every SSO token kensa could have signed for `keys` between `from` and `to` (Unix
/// seconds), with room for the stale and future probes (6 minutes either side).
fn possible_tokens(keys: &[&str], from: i64, to: i64) -> Vec<String> {
    let mut tokens = Vec::new();
    for timestamp in from - 400..=to + 400 {
        for key in keys {
            tokens.push(token(key, SSO_SALT, timestamp));
            tokens.push(resource_token(key, SSO_SALT, timestamp));
            tokens.push(user_scoped_resource_token(key, SSO_SALT, timestamp, USER_ID, EMAIL));
        }
    }
    tokens
}

fn unix_now() -> i64 {
    i64::try_from(SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()).unwrap()
}

/// The longest run of lower-case hex digits: a sha1 token is 40, a sha256 one 64.
fn longest_hex_run(text: &str) -> usize {
    text.split(|c: char| !matches!(c, '0'..='9' | 'a'..='f')).map(str::len).max().unwrap_or(0)
}

/// The signed tokens (`token`, `resource_token`,
/// `user_scoped_resource_token`) of the form POST and of the legacy GET's query string
/// appear in no format, on stdout or in an `-o` file. Replaying one would sign in.
#[test]
fn sso_tokens_appear_in_no_report_format() {
    for string_form in [false, true] {
        let provider = Provider::with_manifest(kensa_e2e::options(), |manifest| {
            if string_form {
                manifest["api"]["test"] = json!(format!(
                    "{}/",
                    manifest["api"]["test"]["sso_url"].as_str().unwrap().trim_end_matches("/sso/login")
                ));
            }
        });
        let from = unix_now();
        let run = provider.run(["test", "provision", "--format", "json"]);
        run.assert_code(0);
        let resource = provider.running().resources().unwrap().remove(0);
        let uuid = resource.uuid.clone().unwrap();
        let report_file = provider.dir().join("report.json");
        let runs: Vec<Run> = vec![
            provider.run(["test", "sso", &uuid]),
            provider.run(["test", "sso", &uuid, "--format", "json"]),
            provider.run(["test", "sso", &uuid, "--format", "junit"]),
            provider.kensa(["test", "sso", &uuid, "--format", "json", "-o"]).arg(&report_file).run(),
            provider.run(["test", "all", "--with-sso", "--format", "json"]),
        ];
        let to = unix_now();
        let written = std::fs::read_to_string(&report_file).unwrap();
        // The form or query was recorded, with the tokens blanked.
        assert!(runs[1].stdout.contains("token=[redacted]"), "{}", runs[1].stdout);
        let mut keys = vec![uuid.as_str(), resource.id.as_str()];
        let all_report = runs[4].report();
        let all_id = check(&all_report, "R01").note.clone().unwrap_or_default();
        keys.extend(all_id.split([' ', ',', '(', ')']).filter(|word| word.len() > 8));
        let tokens = possible_tokens(&keys, from, to);
        let outputs = runs.iter().map(|run| run.stdout.as_str()).chain([written.as_str()]);
        for (index, output) in outputs.enumerate() {
            for token in &tokens {
                assert!(
                    !output.contains(token.as_str()),
                    "string form {string_form}, output {index} shows {token}\n{output}"
                );
            }
            assert!(longest_hex_run(output) < 40, "string form {string_form}, output {index}:\n{output}");
        }
        for run in &runs {
            assert_eq!(run.code, Some(0), "{}", run.describe());
        }
    }
}

/// A sign-in endpoint at `/sso/login` on `server`'s origin that refuses kensa's probes with
/// 403 and answers a good sign-in with `good`.
fn sso_login(
    good: impl Fn(&kensa_e2e::Recorded) -> Reply + Send + Sync + 'static,
) -> impl Fn(&kensa_e2e::Recorded) -> Reply + Send + Sync + 'static {
    move |request| {
        let fields = form_fields(&String::from_utf8_lossy(&request.body));
        if request.method == "POST" && request.path == "/sso/login" && !sso_form_is_fresh(&fields) {
            return Reply::new(403);
        }
        good(request)
    }
}

/// A v3 manifest whose SSO posts to `origin/sso/login`, with the e2e salt.
fn sso_manifest(origin: &str) -> Value {
    kensa_e2e::options().manifest(origin)
}

/// A cookie set by 127.0.0.1:P is not sent to localhost:Q after a
/// redirect (another host to RFC 6265, whatever the ports), while it still goes back to
/// 127.0.0.1:P, and a cookie localhost:Q sets does not go to 127.0.0.1:P.
#[test]
fn sso_cookies_stay_with_the_host_that_set_them() {
    let provider_origin = Arc::new(OnceLock::<String>::new());
    let elsewhere = {
        let provider_origin = Arc::clone(&provider_origin);
        HostileServer::start_as("localhost", move |_| {
            let back = format!("{}/dashboard", provider_origin.get().unwrap());
            Reply::redirect(302, &back).header("Set-Cookie", "elsewhere=localhost-only; Path=/")
        })
    };
    let landing = format!("{}/landing", elsewhere.origin());
    let provider = HostileServer::start(sso_login(move |request| match request.path.as_str() {
        "/sso/login" => Reply::redirect(302, &landing)
            .header("Set-Cookie", "session=s3ss10n-for-127; Path=/; HttpOnly")
            .header("Set-Cookie", format!("heroku-nav-data={NAV_DATA}; Path=/")),
        "/dashboard" if request.header("cookie").is_some_and(|cookie| cookie.contains("session=s3ss10n-for-127")) => {
            Reply::html(200, DASHBOARD)
        }
        _ => Reply::new(403),
    }));
    provider_origin.set(provider.origin().to_string()).unwrap();
    let (dir, manifest) = manifest_dir(&sso_manifest(provider.origin()));

    let run = kensa(dir.path(), &manifest).args(["test", "sso", "some-id", "--format", "json"]).run();
    let report = run.report();
    let landed: Vec<_> = elsewhere.requests();
    assert_eq!(landed.len(), 1, "{}", text(&report));
    assert_eq!(landed[0].header("cookie"), None, "127.0.0.1's cookies went to localhost\n{}", text(&report));
    let dashboard = provider.requests().into_iter().find(|request| request.path == "/dashboard").unwrap();
    let cookie = dashboard.header("cookie").unwrap_or_default().to_string();
    assert!(cookie.contains("session=s3ss10n-for-127") && !cookie.contains("elsewhere"), "{cookie}");
    assert_eq!(check(&report, "S05").outcome, Outcome::Passed, "{}", text(&report));
    run.assert_code(0);
}

/// A 307 (or 308) answer to the sign-in form POST is followed with the
/// same method and form, as a browser does; a 303 is followed with a GET.
#[test]
fn sso_307_and_308_keep_the_post_and_its_form() {
    for status in [307, 308] {
        let provider =
            HostileServer::start(sso_login(move |request| match (request.method.as_str(), request.path.as_str()) {
                ("POST", "/sso/login") => Reply::redirect(status, "/sso/confirm"),
                ("POST", "/sso/confirm")
                    if sso_form_is_fresh(&form_fields(&String::from_utf8_lossy(&request.body))) =>
                {
                    Reply::redirect(303, "/dashboard").header("Set-Cookie", format!("heroku-nav-data={NAV_DATA}"))
                }
                ("GET", "/dashboard") => Reply::html(200, DASHBOARD),
                _ => Reply::new(405),
            }));
        let (dir, manifest) = manifest_dir(&sso_manifest(provider.origin()));
        let run = kensa(dir.path(), &manifest).args(["test", "sso", "some-id", "--format", "json"]).run();
        let report = run.report();
        let requests = provider.requests();
        let login = requests.iter().rfind(|request| request.path == "/sso/login").unwrap();
        let confirm = requests.iter().find(|request| request.path == "/sso/confirm");
        let confirm = confirm.unwrap_or_else(|| panic!("{status}: no /sso/confirm\n{}", text(&report)));
        assert_eq!((confirm.method.as_str(), &confirm.body), ("POST", &login.body), "{status}\n{}", text(&report));
        assert!(requests.iter().any(|request| request.method == "GET" && request.path == "/dashboard"), "{status}");
        assert_eq!(check(&report, "S05").outcome, Outcome::Passed, "{status}\n{}", text(&report));
        run.assert_code(0);
    }
}

/// With a string-form test URL that has a path
/// (`http://127.0.0.1:P/some/prefix/`), the legacy GET sign-in goes under that path, as
/// provisioning does and as the old gem did: `test sso` and `kensa sso` alike.
#[test]
fn legacy_get_sso_keeps_the_test_urls_path() {
    let options = kensa_e2e::options();
    let options = kensa_e2e::ProviderOptions { base_path: "/some/prefix/heroku/resources".to_string(), ..options };
    let provider = Provider::with_manifest(options, |manifest| {
        let base_url = manifest["api"]["test"]["base_url"].as_str().unwrap().to_string();
        manifest["api"]["test"] = json!(base_url.replace("/heroku/resources", "/"));
    });
    let run = provider.run(["test", "provision", "--format", "json"]);
    run.assert_code(0);
    let resource = provider.running().resources().unwrap().remove(0);
    let (uuid, id) = (resource.uuid.unwrap(), resource.id);

    // By uuid: kensa's ledger knows the id, which the legacy URL carries.
    let run = provider.run(["test", "sso", &uuid, "--format", "json"]);
    let report = run.report();
    let group = report.groups.iter().find(|group| group.checks.iter().any(|check| check.code == "S01")).unwrap();
    assert_eq!(group.heading, format!("GET /some/prefix/heroku/resources/{id}"), "{}", text(&report));
    assert_eq!(check(&report, "S05").outcome, Outcome::Passed, "{}", text(&report));
    run.assert_code(0);

    let run = provider.run(["sso", &uuid, "--no-browser"]);
    run.assert_code(0);
    let prefix = format!("{}/some/prefix/heroku/resources/{id}?", provider.origin());
    assert!(run.stdout.starts_with(&prefix), "{}", run.describe());
}
