//! No secret kensa sent (the manifest's password and salt, each Basic credential, its base64
//! and decoded `user:password`, SSO tokens, the OAuth grant code) comes back out of kensa in
//! any encoding a server stack writes it in, whatever the output format.

use kensa_e2e::hostile::HostileServer;
use kensa_e2e::hostile_echo::{ECHO_PASSWORD, ECHO_SALT, echo_manifest, echo_provider, secrets_in};
use kensa_e2e::{Kensa, write_json};
use std::fmt::Write;

/// The spellings of `secret` to look for, written here independently of kensa's matcher:
/// as it is, JSON-escaped (serde_json's way, every other character as `\uxxxx` or `\uXXXX`,
/// `/` as `\/`, one character at a time), percent-encoded (either case, every byte, form
/// encoding, twice over) and as HTML character references.
fn spellings(secret: &str) -> Vec<String> {
    let special = |c: char| !c.is_ascii_alphanumeric();
    let json_unit = |c: char, upper: bool| {
        let mut units = [0; 2];
        c.encode_utf16(&mut units)
            .iter()
            .map(|unit| if upper { format!("\\u{unit:04X}") } else { format!("\\u{unit:04x}") })
            .collect::<String>()
    };
    let each = |f: &dyn Fn(char) -> String| secret.chars().map(f).collect::<String>();
    let percent_byte = |byte: u8, upper: bool| if upper { format!("%{byte:02X}") } else { format!("%{byte:02x}") };
    let percent = |text: &str, upper: bool, all: bool| {
        text.bytes()
            .map(|byte| {
                if !all && (byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~')) {
                    char::from(byte).to_string()
                } else {
                    percent_byte(byte, upper)
                }
            })
            .collect::<String>()
    };
    let quoted = serde_json::to_string(secret).unwrap();
    let mut out = vec![secret.to_string(), quoted[1..quoted.len() - 1].to_string()];
    for upper in [false, true] {
        out.push(each(&|c| if special(c) { json_unit(c, upper) } else { c.to_string() }));
        out.push(each(&|c| json_unit(c, upper)));
        out.push(each(&|c| match c {
            '/' => "\\/".to_string(),
            c if !c.is_ascii() => json_unit(c, upper),
            c => c.to_string(),
        }));
        out.push(each(&|c| match c {
            '/' => "\\/".to_string(),
            c if special(c) => json_unit(c, upper),
            c => c.to_string(),
        }));
        for (index, _) in secret.char_indices().filter(|(_, c)| special(*c)) {
            let mut one = String::new();
            for (at, c) in secret.char_indices() {
                one.push_str(&if at == index { json_unit(c, upper) } else { c.to_string() });
            }
            out.push(one);
        }
        out.push(percent(secret, upper, false));
        out.push(percent(secret, upper, true));
        out.push(percent(&percent(secret, upper, false), upper, false));
        out.push(secret.split(' ').map(|part| percent(part, upper, false)).collect::<Vec<_>>().join("+"));
    }
    out.push(each(&|c| if special(c) { format!("&#{};", u32::from(c)) } else { c.to_string() }));
    out.push(each(&|c| if special(c) { format!("&#x{:x};", u32::from(c)) } else { c.to_string() }));
    out.sort();
    out.dedup();
    out
}

#[test]
fn the_spelling_generator_writes_what_encoders_write() {
    let all = spellings("a/+= €");
    for expected in [
        "a/+= €",
        "a\\/\\u002b\\u003d\\u0020\\u20ac",
        "a\\/+= \\u20AC",
        "a/\\u002B= €",
        "a%2F%2B%3D%20%E2%82%AC",
        "a%2f%2b%3d%20%e2%82%ac",
        "a%252F%252B%253D%2520%25E2%2582%25AC",
        "a%2F%2B%3D+%E2%82%AC",
        "a&#47;&#43;&#61;&#32;&#8364;",
    ] {
        assert!(all.iter().any(|spelling| spelling == expected), "{expected} not in {all:#?}");
    }
}

/// Each secret spelled in `output`, with the first of its spellings found.
fn leaked<'a>(output: &str, secrets: &'a [(String, Vec<String>)]) -> Vec<(&'a str, &'a str)> {
    let found = |(secret, spellings): &'a (String, Vec<String>)| {
        spellings
            .iter()
            .find(|spelling| output.contains(spelling.as_str()))
            .map(|found| (secret.as_str(), found.as_str()))
    };
    secrets.iter().filter_map(found).collect()
}

/// A provider that echoes every secret of every request re-encoded (JSON escapes, percent
/// in headers and URLs, form and HTML encoding) gets none of them printed or written, in
/// human and JSON output of `test all`, in `run`'s warnings and in the `resources` listing,
/// with v3 and with legacy v1 (whose paths and headings hold the
/// provider's id, here carrying the Basic credential).
#[test]
fn re_encoded_secrets_appear_in_no_output() {
    for legacy in [false, true] {
        let server = HostileServer::start(echo_provider);
        let dir = tempfile::tempdir().unwrap();
        let manifest = dir.path().join("addon-manifest.json");
        write_json(&manifest, &echo_manifest(server.origin(), legacy));
        let report_file = dir.path().join("report.json");
        let kensa = || Kensa::new(dir.path()).arg("-f").arg(&manifest).args(["test", "all", "--with-sso"]);
        let runs = [
            kensa().run(),
            kensa().args(["--format", "json"]).run(),
            kensa().args(["--format", "json", "-o"]).arg(&report_file).run(),
            Kensa::new(dir.path()).arg("-f").arg(&manifest).args(["run", "--", "true"]).run(),
            // Leaves the resource in the ledger, whose listing shows the provider's id.
            Kensa::new(dir.path()).arg("-f").arg(&manifest).args(["test", "provision"]).run(),
            Kensa::new(dir.path()).arg("-f").arg(&manifest).arg("resources").run(),
        ];
        let written = std::fs::read_to_string(&report_file).unwrap();

        let requests = server.requests();
        assert!(requests.iter().any(|request| request.path.contains("token=") || request.body.starts_with(b"id=")));
        let mut sent: Vec<String> = vec![ECHO_PASSWORD.to_string(), ECHO_SALT.to_string()];
        sent.extend(requests.iter().flat_map(secrets_in));
        sent.sort();
        sent.dedup();
        let secrets: Vec<(String, Vec<String>)> = sent
            .into_iter()
            .map(|secret| {
                let spelled = spellings(&secret);
                (secret, spelled)
            })
            .collect();

        let mut outputs = vec![("-o file".to_string(), written)];
        for (index, run) in runs.iter().enumerate() {
            assert!(matches!(run.code, Some(0 | 1)), "legacy {legacy}\n{}", run.describe());
            outputs.push((format!("run {index} stdout"), run.stdout.clone()));
            outputs.push((format!("run {index} stderr"), run.stderr.clone()));
        }
        let mut problems = String::new();
        for (what, output) in &outputs {
            for (secret, spelling) in leaked(output, &secrets) {
                let _ = writeln!(problems, "legacy {legacy}, {what} shows {secret:?} as {spelling:?}");
            }
        }
        assert!(problems.is_empty(), "{problems}\n{}", runs[1].stdout);
        // The echoes arrived and were blanked, not lost.
        assert!(runs[1].stdout.contains("you sent [redacted]"), "{}", runs[1].stdout);
    }
}
