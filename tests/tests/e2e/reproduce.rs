//! The `reproduce:` line under a failed check: run as printed, with the credentials in the
//! environment, it re-makes the failing request and gets the status the check failed on.

use kensa_checks::encoding::base64;
use kensa_e2e::{Fault, Provider};
use serde_json::Value;
use std::process::Command;

/// The manifest's id and password, which the line reads from the environment.
fn credentials(provider: &Provider) -> (String, String) {
    let manifest: Value = serde_json::from_str(&std::fs::read_to_string(provider.manifest_path()).unwrap()).unwrap();
    (manifest["id"].as_str().unwrap().to_string(), manifest["api"]["password"].as_str().unwrap().to_string())
}

/// The status line curl printed (`-i`) for `line`, run by a shell with the credentials set.
fn run_line(line: &str, (id, password): &(String, String)) -> String {
    let ran = Command::new("sh")
        .arg("-c")
        .arg(format!("{line} --silent --show-error --max-time 10"))
        .env("KENSA_ADDON_ID", id)
        .env("KENSA_PASSWORD", password)
        .output()
        .unwrap_or_else(|error| panic!("cannot run sh: {error}"));
    let stdout = String::from_utf8_lossy(&ran.stdout).into_owned();
    assert!(ran.status.success(), "{line}\n{stdout}\n{}", String::from_utf8_lossy(&ran.stderr));
    stdout.lines().next().unwrap_or_default().trim_end().to_string()
}

#[test]
fn the_printed_curl_line_reproduces_the_failing_status() {
    assert!(
        Command::new("curl").arg("--version").output().is_ok_and(|out| out.status.success()),
        "this test runs the printed line: it needs curl on PATH"
    );
    let provider = Provider::with_faults([Fault::ProvisionStatus422]);
    let credentials = credentials(&provider);
    let (id, password) = &credentials;

    let human = provider.run(["test", "provision"]);
    human.assert_code(1);
    let lines: Vec<&str> = human.stdout.lines().collect();
    let failed = lines.iter().position(|line| line.starts_with("  Check ") && line.ends_with("[FAIL]")).unwrap();
    let line = lines[failed..]
        .iter()
        .find_map(|line| line.strip_prefix("    reproduce: "))
        .unwrap_or_else(|| panic!("no reproduce line:\n{}", human.stdout));
    assert!(line.starts_with("curl -i --globoff -X 'POST' -u \"$KENSA_ADDON_ID:$KENSA_PASSWORD\" "), "{line}");
    assert!(line.ends_with(&format!("--url '{}/heroku/resources'", provider.origin())), "{line}");
    let encoded = base64(format!("{id}:{password}").as_bytes());
    for secret in [password.as_str(), &encoded, encoded.trim_end_matches('='), "Authorization", "Basic"] {
        assert!(!line.contains(secret), "{secret:?} in {line}");
    }

    let json = provider.run(["test", "provision", "--format", "json"]).json();
    let p01 = json["groups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|group| group["checks"].as_array().unwrap())
        .find(|check| check["code"] == "P01")
        .unwrap();
    // The same request, but each run provisions with a uuid of its own.
    let from_json = p01["curl"].as_str().unwrap();
    let shape = |line: &str| {
        (line.split(" --data-raw ").next().unwrap().to_string(), line.rsplit(" --url ").next().unwrap().to_string())
    };
    assert_eq!(shape(from_json), shape(line), "JSON and human output give the same line");
    assert!(p01.get("curl_sign").is_none(), "no SSO token to sign: {p01}");

    let before = provider.resource_count();
    for line in [line, from_json] {
        assert_eq!(run_line(line, &credentials), "HTTP/1.1 422 Unprocessable Entity");
    }
    assert_eq!(provider.resource_count(), before, "the provider refused it again");
    // The credentials do come from the environment.
    let wrong = (id.clone(), "not-the-password".to_string());
    assert_eq!(run_line(line, &wrong), "HTTP/1.1 401 Unauthorized");
}

/// A provider that takes any credentials fails C02; its line sends the wrong ones the
/// probe sent, and the provider accepts them again. (A replayed provision would get 410: its
/// uuid was used, so the plan change on the resource `test provision` keeps is the one.)
#[test]
fn an_accepted_wrong_credential_is_reproduced_with_it() {
    let provider = Provider::with_faults([Fault::NoAuth]);
    let credentials = credentials(&provider);
    provider.run(["test", "provision"]).assert_code(1);
    let json = provider.run(["test", "planchange", "premium", "--format", "json"]).json();
    let checks: Vec<&Value> =
        json["groups"].as_array().unwrap().iter().flat_map(|group| group["checks"].as_array().unwrap()).collect();
    let c02 = checks.iter().find(|check| check["code"] == "C02").unwrap();
    assert_eq!(c02["outcome"], "failed", "{c02}");
    let line = c02["curl"].as_str().unwrap();
    assert!(line.contains(r#" -u "$KENSA_ADDON_ID-kensa-wrong-user:kensa-wrong-password" "#), "{line}");
    assert_eq!(run_line(line, &credentials), "HTTP/1.1 200 OK");
}

/// An SSO line reads its tokens from `KENSA_SSO_*` and names the command that signs fresh
/// ones; against a provider that ignores the token, any token gets the redirect again.
#[test]
fn an_sso_line_reads_its_tokens_from_the_environment() {
    let provider = Provider::with_faults([Fault::SsoIgnoreToken]);
    let credentials = credentials(&provider);
    let resource = crate::sso::provision(&provider);
    let uuid = crate::sso::key(&resource, crate::sso::Api::V3);
    let (run, _) = crate::sso::test_sso(&provider, &uuid, &[]);
    let json = run.json();
    let checks: Vec<&Value> =
        json["groups"].as_array().unwrap().iter().flat_map(|group| group["checks"].as_array().unwrap()).collect();
    let s02 = checks.iter().find(|check| check["code"] == "S02").unwrap();
    let line = s02["curl"].as_str().unwrap();
    assert!(line.contains(r#"&token='"$KENSA_SSO_TOKEN"'&"#), "{line}");
    assert!(!line.contains("[redacted]"), "every token comes from a variable: {line}");
    assert!(!line.contains(kensa_e2e::SSO_SALT), "{line}");
    assert_eq!(s02["curl_sign"], format!("kensa sso '{uuid}' --no-browser"));
    let with_tokens =
        format!("KENSA_SSO_TOKEN=0 KENSA_SSO_RESOURCE_TOKEN=0 KENSA_SSO_USER_SCOPED_RESOURCE_TOKEN=0 {line}");
    assert_eq!(run_line(&with_tokens, &credentials), "HTTP/1.1 302 Found");
}

/// R04 makes no request: it judges the provision's answer, so its line re-makes the
/// provision, and the provider (idempotent on the uuid) answers with the array again.
#[test]
fn a_check_on_the_provision_answer_re_makes_the_provision() {
    let provider = Provider::with_faults([Fault::ConfigNotObject]);
    let credentials = credentials(&provider);
    let human = provider.run(["test", "provision"]);
    human.assert_code(1);
    let after_r04 = human.stdout.split("  Check is a hash [FAIL]\n").nth(1).unwrap();
    let line = after_r04.lines().find_map(|line| line.strip_prefix("    reproduce: ")).unwrap();
    assert!(line.ends_with(&format!("--url '{}/heroku/resources'", provider.origin())), "{line}");
    let ran = Command::new("sh")
        .arg("-c")
        .arg(format!("{line} --silent --show-error"))
        .env("KENSA_ADDON_ID", &credentials.0)
        .env("KENSA_PASSWORD", &credentials.1)
        .output()
        .unwrap();
    let answer = String::from_utf8_lossy(&ran.stdout);
    assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
    assert!(answer.contains("\"config\":["), "{answer}");
}

/// A check that passed has nothing to reproduce.
#[test]
fn a_passing_run_prints_no_curl_line() {
    let provider = Provider::start();
    let run = provider.run(["test", "provision", "--format", "json"]);
    run.assert_code(0);
    assert!(!run.stdout.contains("\"curl\""), "{}", run.stdout);
}

/// What the line quotes reads back in bash as exactly the provider's text, hostile
/// characters and all (NUL aside: no shell word can hold one).
#[test]
fn quoted_hostile_text_reads_back_exactly_in_bash() {
    let hostile = "it's \\ $(id) `id` \"$HOME\" \x1b[2J\x1b]0;owned\x07\r\n\x7f\u{9b}31m\u{202e}'\\'";
    for text in [hostile, "plain 'quoted' text", "tab\there"] {
        let word = kensa_checks::curl::quote(text);
        let out = Command::new("bash").arg("-c").arg(format!("printf %s {word}")).output().unwrap();
        assert!(out.status.success(), "{word}");
        assert_eq!(String::from_utf8(out.stdout).unwrap(), text, "{word}");
    }
}
