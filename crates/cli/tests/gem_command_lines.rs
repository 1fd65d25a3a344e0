//! The old Ruby gem's command lines work as they did, so the scripts and guides written for
//! it still run: `kensa -v` and `kensa version`; the gem's options before the command (its
//! OptionParser read them anywhere, so `kensa --foreman init`, `kensa -s get init`,
//! `kensa -f file.json test all` were all one line); every `kensa` line of the seed guide
//! parses to the command it names; and `kensa test --help` lists each test with its arguments.
#![allow(clippy::unwrap_used, reason = "test helpers panic on purpose")]
#![allow(clippy::disallowed_methods, reason = "host-side test: temporary folders and child processes")]

mod common;

use common::{Run, kensa, run};
use serde_json::Value;
use std::ffi::OsString;
use std::fs;
use std::path::Path;

/// The guide our users follow, as in `tests/guide.rs`.
const SEED: &str = include_str!("fixtures/seed-guide.md");

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap()
}

/// A manifest with its secrets blanked, to compare what two `init` lines wrote.
fn without_secrets(mut manifest: Value) -> Value {
    for secret in ["password", "sso_salt"] {
        if let Some(value) = manifest["api"].get_mut(secret) {
            *value = Value::Null;
        }
    }
    manifest
}

/// The subcommand path clap chose for `line` (such as `["test", "all"]`), or its error.
fn parsed_path(line: &str) -> Result<Vec<String>, String> {
    let args: Vec<OsString> = line.split_whitespace().map(OsString::from).collect();
    let (matches, _) = kensa_cli::parse(args).map_err(|error| error.to_string())?;
    let mut path = Vec::new();
    let mut current = &matches;
    while let Some((name, sub)) = current.subcommand() {
        path.push(name.to_string());
        current = sub;
    }
    Ok(path)
}

// The gem printed its version for `kensa -v` and `kensa version`.
#[test]
fn the_gem_version_lines_print_the_version() {
    let expected = format!("kensa {}\n", env!("CARGO_PKG_VERSION"));
    for args in [&["-v"][..], &["version"], &["--version"], &["-V"]] {
        let printed = run(args, Path::new("."));
        assert_eq!(
            (printed.code, printed.stdout.as_str(), printed.stderr.as_str()),
            (0, expected.as_str(), ""),
            "{args:?}"
        );
    }
}

// `-v` means the version and nothing else, so no command may take it as a short flag.
#[test]
fn no_command_uses_v_as_a_short_flag() {
    fn check(command: &clap::Command, path: &str) {
        for arg in command.get_arguments() {
            if arg.get_id() != "version" {
                assert_ne!(arg.get_short(), Some('v'), "`{path}` uses -v for --{}", arg.get_id());
            }
        }
        for sub in command.get_subcommands() {
            check(sub, &format!("{path} {}", sub.get_name()));
        }
    }
    check(&kensa_cli::args::command(), "kensa");
}

// The gem's init options before `init` write what they write after it.
#[test]
fn the_gem_init_options_work_before_init() {
    for (gem, today) in [
        (&["--foreman", "init"][..], &["init", "--foreman"][..]),
        (&["-s", "get", "init"], &["init", "-s", "get"]),
        (&["--sso", "get", "init"], &["init", "--sso", "get"]),
        (&["--sso=get", "init"], &["init", "--sso=get"]),
        (&["-sget", "init"], &["init", "-sget"]),
        (&["--without-sso", "init"], &["init", "--without-sso"]),
        (
            &["-f", "named.json", "--foreman", "-s", "get", "init"],
            &["init", "-f", "named.json", "--foreman", "-s", "get"],
        ),
    ] {
        let (gem_dir, today_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let (gem_run, today_run) = (run(gem, gem_dir.path()), run(today, today_dir.path()));
        assert_eq!(gem_run.code, 0, "kensa {gem:?}:\n{}", gem_run.stderr);
        assert_eq!(today_run.code, 0, "kensa {today:?}:\n{}", today_run.stderr);
        assert_eq!(gem_run.stdout, today_run.stdout, "kensa {gem:?}");
        let name = if gem.contains(&"named.json") { "named.json" } else { "addon-manifest.json" };
        assert_eq!(
            without_secrets(read_json(&gem_dir.path().join(name))),
            without_secrets(read_json(&today_dir.path().join(name))),
            "kensa {gem:?} wrote another manifest than kensa {today:?}"
        );
        assert_eq!(gem_dir.path().join(".env").exists(), today_dir.path().join(".env").exists(), "kensa {gem:?}");
    }
}

// `kensa -f file.json test all` (the gem's order) runs the whole suite on that file.
#[test]
fn the_gem_file_option_works_before_test_all() {
    let provider = kensa_provider::spawn_thread(kensa_provider::ProviderOptions::default()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("file.json"), provider.manifest().to_string()).unwrap();
    let all = Run::of(kensa().env("NO_COLOR", "1").args(["-f", "file.json", "test", "all"]).current_dir(dir.path()));
    assert_eq!(all.code, 0, "{}{}", all.stdout, all.stderr);
    for heading in [
        "Testing manifest file",
        "Testing POST /heroku/resources",
        "Testing PUT /heroku/resources/",
        "Testing DELETE /heroku/resources/",
    ] {
        assert!(all.stdout.contains(heading), "no `{heading}`:\n{}", all.stdout);
    }
    assert_eq!(provider.resource_count().unwrap(), 0, "test all deprovisioned what it made");
    let plan = Run::of(
        kensa()
            .args(["-p", "premium", "-f", "file.json", "test", "planchange", "nothing-here", "basic"])
            .current_dir(dir.path()),
    );
    assert!(!plan.stderr.contains("Usage:"), "{}", plan.stderr);
}

// The gem's -t/--template before `create`.
#[test]
fn the_gem_template_option_works_before_create() {
    for args in [
        &["-t", "node", "create", "myaddon"][..],
        &["--template", "python", "create", "myaddon"],
        &["--template=rust", "create", "myaddon"],
    ] {
        let dir = tempfile::tempdir().unwrap();
        let created = run(args, dir.path());
        assert_eq!(created.code, 0, "kensa {args:?}:\n{}", created.stderr);
        assert!(dir.path().join("myaddon/addon-manifest.json").is_file(), "kensa {args:?}");
    }
}

// An option goes before the command only when that command has it; elsewhere it
// is refused (exit 2) rather than silently ignored, and nothing is written.
#[test]
fn an_option_before_a_command_that_lacks_it_is_refused() {
    for args in [&["--foreman", "test", "manifest"][..], &["--with-sso", "test", "all"], &["-t", "node", "init"]] {
        let dir = tempfile::tempdir().unwrap();
        let refused = run(args, dir.path());
        assert_eq!(refused.code, 2, "kensa {args:?}:\n{}{}", refused.stdout, refused.stderr);
        assert!(refused.stderr.contains("unexpected argument"), "kensa {args:?}:\n{}", refused.stderr);
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0, "kensa {args:?} wrote nothing");
    }
}

// The gem's options before the command leave `test provision`'s pass-through alone.
#[test]
fn provision_options_still_follow_test_provision() {
    let line = "kensa -f m.json --foreman test provision --foo bar --baz --plan basic --foreman";
    let args: Vec<OsString> = line.split(' ').map(OsString::from).collect();
    let error = kensa_cli::parse(args).err().map(|error| error.to_string()).unwrap_or_default();
    assert!(error.contains("--foreman"), "--foreman is no option of `test`: {error}");

    let line = "kensa -f m.json test provision --foo bar --baz --plan basic --foreman";
    let args: Vec<OsString> = line.split(' ').map(OsString::from).collect();
    let (matches, options) = kensa_cli::parse(args).unwrap();
    assert_eq!(matches.get_one::<String>("plan").map(String::as_str), Some("basic"));
    let expected = [("foo", "bar"), ("baz", "true"), ("foreman", "true")].map(|(k, v)| (k.to_string(), v.to_string()));
    assert_eq!(options, expected);
}

/// Every `$ kensa ...` line of the seed guide; `a|b|c` in a word offers alternatives.
fn seed_lines() -> Vec<String> {
    let mut lines = Vec::new();
    for line in SEED.lines() {
        let Some(command) = line.trim().strip_prefix("$ ").filter(|command| command.starts_with("kensa ")) else {
            continue;
        };
        let mut expanded = vec![String::new()];
        for word in command.split_whitespace() {
            expanded = expanded
                .iter()
                .flat_map(|line| word.split('|').map(move |choice| format!("{line} {choice}").trim_start().to_string()))
                .collect();
        }
        lines.extend(expanded);
    }
    lines
}

// Each gem line (the seed guide's, and the gem's usage from protocol.md §6) runs
// the command it names; what each then does against a provider is in tests/guide.rs
// (`every_kensa_command_of_the_seed_guide_is_accepted_as_written`) and the tests above.
#[test]
fn every_gem_command_line_parses_to_the_command_it_names() {
    let seed = seed_lines();
    assert!(seed.len() >= 8, "{seed:?}");
    for line in &seed {
        let words: Vec<&str> = line.split_whitespace().skip(1).collect();
        let expected = if words[0] == "test" { &words[..2] } else { &words[..1] };
        assert_eq!(
            parsed_path(line).as_deref(),
            Ok(expected.iter().map(|w| w.to_string()).collect::<Vec<_>>().as_slice()),
            "{line}"
        );
    }
    for (line, expected) in [
        ("kensa init --sso get --foreman", &["init"][..]),
        ("kensa --foreman init", &["init"]),
        ("kensa -s get init", &["init"]),
        ("kensa --without-sso -f x.json init", &["init"]),
        ("kensa -f file.json test all", &["test", "all"]),
        ("kensa --file file.json test all", &["test", "all"]),
        ("kensa --filename=file.json test manifest", &["test", "manifest"]),
        ("kensa -p premium test all", &["test", "all"]),
        ("kensa --async test provision", &["test", "provision"]),
        ("kensa --production test all", &["test", "all"]),
        ("kensa test", &["test"]),
        ("kensa test provision --foo bar --baz", &["test", "provision"]),
        ("kensa test deprovision 123", &["test", "deprovision"]),
        ("kensa test planchange 123 premium", &["test", "planchange"]),
        ("kensa test sso 123", &["test", "sso"]),
        ("kensa sso 123", &["sso"]),
        ("kensa run ruby use_mysql.rb", &["run"]),
        ("kensa push", &["push"]),
        ("kensa pull myaddon", &["pull"]),
        ("kensa -t node create myaddon", &["create"]),
        ("kensa create myaddon --template node", &["create"]),
        ("kensa version", &["version"]),
    ] {
        let expected: Vec<String> = expected.iter().map(|word| word.to_string()).collect();
        assert_eq!(parsed_path(line), Ok(expected), "{line}");
    }
}

// `kensa test --help` lists each test with its arguments, readably.
#[test]
fn test_help_lists_every_test_with_its_arguments() {
    for flag in ["--help", "-h"] {
        let help = run(&["test", flag], Path::new("."));
        assert_eq!(help.code, 0, "{}", help.stderr);
        let tests = help.stdout.split("Tests:\n").nth(1).unwrap_or_else(|| panic!("no `Tests:` in:\n{}", help.stdout));
        let listed: Vec<&str> = tests.lines().take_while(|line| !line.is_empty()).collect();
        for wanted in [
            "  kensa test manifest",
            "  kensa test provision [--FLAG [VALUE]]...",
            "  kensa test deprovision [<KEY>] [--id <ID>] [--uuid <UUID>]",
            "  kensa test planchange [<KEY>] <PLAN> [--id <ID>] [--uuid <UUID>]",
            "  kensa test sso [<KEY>] [--id <ID>] [--uuid <UUID>] [--post]",
            "  kensa test all [--with-sso]",
        ] {
            assert!(listed.contains(&wanted), "`kensa test {flag}` lacks `{wanted}`:\n{}", help.stdout);
        }
        // Every argument of every test is on that test's line, whatever is added later.
        let root = kensa_cli::args::command();
        let test = root.find_subcommand("test").unwrap();
        for suite in test.get_subcommands().filter(|suite| suite.get_name() != "help") {
            let prefix = format!("  kensa test {}", suite.get_name());
            let line = listed
                .iter()
                .find(|line| *line == &prefix || line.starts_with(&format!("{prefix} ")))
                .unwrap_or_else(|| panic!("`kensa test {flag}` does not list {prefix}:\n{}", help.stdout));
            for arg in suite.get_arguments().filter(|arg| arg.get_id() != "help") {
                let shown: Vec<String> = match arg.get_long() {
                    Some(long) => vec![format!("--{long}")],
                    None => arg.get_value_names().unwrap().iter().map(|name| format!("<{name}>")).collect(),
                };
                for shown in shown {
                    assert!(line.contains(&shown), "{line} lacks {shown}");
                }
            }
            // Each test's description follows its line.
            let about = suite.get_about().unwrap().to_string();
            assert!(
                tests.contains(&format!("{line}\n      {about}")),
                "{line} is not followed by `{about}`:\n{}",
                help.stdout
            );
        }
        assert!(help.stdout.contains("KEY is either key of a resource kensa provisioned"), "{}", help.stdout);
    }
}
