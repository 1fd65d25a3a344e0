//! `--har FILE`: the run's exchanges as HAR 1.2. Against the reference provider and a plain
//! standard-library server, `kensa test all --with-sso --har` writes a file that the strict
//! reader (`kensa_e2e::parse_har`) accepts, with one entry per exchange of the JSON report
//! of the same run, and without any secret kensa sent, in any spelling. A FILE naming the
//! manifest, the ledger or the `--output` file is refused (exit 2), and a link there is
//! replaced, never written through.

use kensa_e2e::plain::{PlainOptions, PlainProvider};
use kensa_e2e::{Kensa, Provider, Report, SSO_SALT, form_fields, parse_har, write_json};
use std::fmt::Write;
use std::path::Path;

/// Given with `--client-secret`: never sent to the provider, and never written.
const CLIENT_SECRET: &str = "har-e2e-client-secret-5f2a";

/// The reference provider's password in these runs: long and unlike any word a HAR holds.
const PASSWORD: &str = "har-e2e-password-93c1";

/// `kensa test all --with-sso` in `dir` with `manifest`, writing the JSON report and the HAR;
/// both read back.
fn run_with_har(dir: &Path, manifest: &Path) -> (String, Report) {
    let run = Kensa::new(dir)
        .arg("-f")
        .arg(manifest)
        .args(["test", "all", "--with-sso", "--format", "json", "--output", "report.json", "--har", "run.har"])
        .args(["--client-secret", CLIENT_SECRET])
        .run();
    run.assert_code(0);
    let har = std::fs::read_to_string(dir.join("run.har")).unwrap();
    let report = kensa_checks::render::from_json(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap();
    (har, report)
}

/// The HAR passes the strict reader and has one entry per exchange of the report, in its
/// order, each naming its check.
fn assert_one_entry_per_exchange(har: &str, report: &Report) {
    let entries = parse_har(har).unwrap_or_else(|problem| panic!("{problem}\n{har}"));
    let exchanges: Vec<(String, String, u64, String)> = report
        .checks()
        .flat_map(|check| {
            check.exchanges.iter().map(move |exchange| {
                let comment = match &exchange.error {
                    Some(error) => format!("{} {}: {error}", check.code, check.label),
                    None => format!("{} {}", check.code, check.label),
                };
                (exchange.method.clone(), exchange.url.clone(), exchange.status.map_or(0, u64::from), comment)
            })
        })
        .collect();
    let entries: Vec<(String, String, u64, String)> = entries
        .into_iter()
        .map(|entry| (entry.method, entry.url, entry.status, entry.comment.unwrap_or_default()))
        .collect();
    assert!(exchanges.len() > 20, "a whole run: {exchanges:#?}");
    assert_eq!(entries, exchanges);
    assert!(entries.iter().any(|(_, _, _, comment)| comment.starts_with("S04 ")), "the sign-in is there");
}

/// Every SSO token kensa signed in this run, recomputed with the reference provider's own
/// verifier from the fields each sign-in request carried (the report keeps all but the
/// tokens).
fn sso_tokens(report: &Report, salt: &str) -> Vec<String> {
    use kensa_provider::sso::{resource_token, token, user_scoped_resource_token};
    let mut tokens = Vec::new();
    for exchange in report.checks().flat_map(|check| &check.exchanges) {
        let query = exchange.url.split_once('?').map(|(_, query)| query.to_string()).unwrap_or_default();
        let body = exchange.request_body.clone().unwrap_or_default();
        let fields: Vec<(String, String)> = form_fields(&body).into_iter().chain(form_fields(&query)).collect();
        let field = |name: &str| fields.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str());
        let Some(timestamp) = field("timestamp") else { continue };
        if let Some(id) = field("id") {
            tokens.push(token(id, salt, timestamp));
        }
        if let Some(uuid) = field("resource_id") {
            tokens.push(resource_token(uuid, salt, timestamp));
            if let (Some(user), Some(email)) = (field("user_id"), field("email")) {
                tokens.push(user_scoped_resource_token(uuid, salt, timestamp, user, email));
            }
        }
    }
    // The good sign-in and the stale and future probes, each with all three v3 tokens.
    assert!(tokens.len() >= 9, "{tokens:?}");
    tokens
}

/// `secret` as it is, in base64 (with and without padding), percent-encoded (either case;
/// reserved bytes only, or every byte) and JSON-escaped (as serde_json writes it, or every
/// character as `\uXXXX` in either case).
fn spellings(secret: &str) -> Vec<String> {
    let base64 = kensa_checks::encoding::base64(secret.as_bytes());
    let quoted = serde_json::to_string(secret).unwrap();
    let mut out = vec![
        secret.to_string(),
        base64.trim_end_matches('=').to_string(),
        base64.clone(),
        quoted[1..quoted.len() - 1].to_string(),
    ];
    for upper in [false, true] {
        let percent = |all: bool| {
            secret.bytes().fold(String::new(), |mut out, byte| {
                if !all && (byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~')) {
                    out.push(char::from(byte));
                } else if upper {
                    let _ = write!(out, "%{byte:02X}");
                } else {
                    let _ = write!(out, "%{byte:02x}");
                }
                out
            })
        };
        out.extend([percent(false), percent(true)]);
        out.push(secret.encode_utf16().fold(String::new(), |mut out, unit| {
            let _ = if upper { write!(out, "\\u{unit:04X}") } else { write!(out, "\\u{unit:04x}") };
            out
        }));
    }
    out.sort();
    out.dedup();
    out
}

/// Each of `secrets` spelled anywhere in `har`, as "secret as spelling".
fn leaks(har: &str, secrets: &[String]) -> Vec<String> {
    let mut found = Vec::new();
    for secret in secrets {
        assert!(secret.len() >= 8, "a secret too short to look for: {secret:?}");
        for spelling in spellings(secret) {
            if har.contains(&spelling) {
                found.push(format!("{secret:?} as {spelling:?}"));
            }
        }
    }
    found
}

/// The secrets of a run against add-on `id` with `password` and `salt`.
fn secrets(report: &Report, id: &str, password: &str, salt: &str) -> Vec<String> {
    let credentials = format!("{id}:{password}");
    let basic = kensa_provider::basic_auth_header(id, password);
    let mut secrets = vec![password.to_string(), salt.to_string(), CLIENT_SECRET.to_string(), credentials];
    secrets.push(basic.trim_start_matches("Basic ").to_string());
    secrets.push(basic);
    secrets.extend(sso_tokens(report, salt));
    secrets
}

#[test]
fn a_har_of_the_reference_provider_holds_every_exchange_and_no_secret() {
    let provider = Provider::with_options(kensa_e2e::options().with_password(PASSWORD));
    let (har, report) = run_with_har(provider.dir(), provider.manifest_path());
    assert_one_entry_per_exchange(&har, &report);
    assert!(har.contains("Basic [redacted]"), "the credentials were sent, and blanked");
    let leaked = leaks(&har, &secrets(&report, "myaddon", PASSWORD, SSO_SALT));
    assert!(leaked.is_empty(), "{leaked:#?}");
}

#[test]
fn a_har_of_a_standard_library_provider_holds_every_exchange_and_no_secret() {
    let options = PlainOptions::default();
    let (id, password, salt) = (options.id.clone(), options.password.clone(), options.sso_salt.clone());
    let provider = PlainProvider::start(options).expect("the plain provider listens on a loopback port");
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("addon-manifest.json");
    write_json(&manifest, &provider.manifest());
    let (har, report) = run_with_har(dir.path(), &manifest);
    assert_one_entry_per_exchange(&har, &report);
    let leaked = leaks(&har, &secrets(&report, &id, &password, &salt));
    assert!(leaked.is_empty(), "{leaked:#?}");
}

/// The looked-for spellings are the ones encoders write.
#[test]
fn the_spellings_looked_for_are_what_encoders_write() {
    let all = spellings("a/b c");
    for expected in [
        "a/b c",
        "YS9iIGM",
        "YS9iIGM=",
        "a%2Fb%20c",
        "a%2fb%20c",
        "%61%2F%62%20%63",
        "\\u0061\\u002f\\u0062\\u0020\\u0063",
    ] {
        assert!(all.iter().any(|spelling| spelling == expected), "{expected} not in {all:#?}");
    }
    assert_eq!(leaks("x YS9iIGM= y", &["a/b c-long".to_string()]), Vec::<String>::new());
    assert_eq!(leaks("x a%2Fb%20c-long y", &["a/b c-long".to_string()]), ["\"a/b c-long\" as \"a%2Fb%20c-long\""]);
}

/// `--har` naming the manifest, the ledger or the `--output` file is refused with exit 2
/// before anything runs or is written, for `test` and for `run`.
#[test]
fn a_har_onto_the_manifest_the_ledger_or_the_report_is_refused() {
    let provider = Provider::start();
    let manifest = std::fs::read(provider.manifest_path()).unwrap();
    let cases: [(&[&str], &str); 5] = [
        (
            &["test", "all", "--har", "./addon-manifest.json"],
            "is the manifest itself; not replacing the manifest with the HAR",
        ),
        (&["run", "--har", "addon-manifest.json", "--", "true"], "is the manifest itself"),
        (&["test", "provision", "--har", ".kensa-resources.json"], "is the resource ledger; not replacing"),
        (
            &["test", "all", "--format", "json", "-o", "report.json", "--har", "./report.json"],
            "is the -o file too; not replacing the report with the HAR",
        ),
        (&["run", "-o", "report.json", "--har", "report.json", "--", "true"], "is the -o file too"),
    ];
    for (args, message) in cases {
        let run = provider.run(args);
        run.assert_code(2);
        assert!(run.stderr.contains(message), "{}", run.describe());
        assert!(run.stderr.contains("hint: write the HAR to another file"), "{}", run.describe());
        assert_eq!(std::fs::read(provider.manifest_path()).unwrap(), manifest);
        for unwritten in ["report.json", ".kensa-resources.json"] {
            assert!(!provider.dir().join(unwritten).exists(), "{unwritten}\n{}", run.describe());
        }
        assert_eq!(provider.resource_count(), 0, "nothing ran\n{}", run.describe());
    }
}

/// A link at FILE is replaced by a private file, as `-o` does, and said so; what it
/// pointed at is untouched.
#[cfg(unix)]
#[test]
fn a_har_never_goes_through_a_link() {
    use std::os::unix::fs::PermissionsExt;
    let provider = Provider::start();
    let elsewhere = tempfile::tempdir().unwrap();
    let target = elsewhere.path().join("victim");
    std::fs::write(&target, "untouched").unwrap();
    let link = provider.dir().join("run.har");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let run = provider.run(["test", "manifest", "--har", "run.har"]);
    run.assert_code(0);
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "untouched", "the HAR went through the link");
    let metadata = std::fs::symlink_metadata(&link).unwrap();
    assert!(metadata.file_type().is_file(), "{}", run.describe());
    assert_eq!(metadata.permissions().mode() & 0o777, 0o600);
    assert_eq!(parse_har(&std::fs::read_to_string(&link).unwrap()), Ok(Vec::new()), "no exchange in a manifest test");
    assert!(
        run.stderr.contains(
            "warning: run.har was a symbolic link; replaced it with the HAR (nothing was written where it pointed)"
        ),
        "{}",
        run.describe()
    );
}
