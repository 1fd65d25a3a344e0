//! `kensa report JSON_FILE`: a report saved by `kensa test --format json --output FILE`,
//! rendered again in every format with the saved run's exit code, and every file that is
//! not such a report refused with exit code 2.
#![allow(clippy::unwrap_used, reason = "test helpers panic on purpose")]
#![allow(clippy::disallowed_methods, reason = "host-side test: reads and writes temporary files")]

mod common;

use clap::ValueEnum;
use common::{Run, run};
use kensa_checks::render;
use kensa_cli::args::Format;
use kensa_provider::{Fault, ProviderOptions, RunningProvider};
use serde_json::json;
use std::path::Path;

/// The provider's manifest in `dir`, pretty-printed (one key a line) with a feature name
/// Heroku does not know in `api.requires`: a warning with a line and column, which does
/// not stop the run. Returns the manifest's name and the line and column of that name.
fn write_manifest(dir: &Path, provider: &RunningProvider) -> (&'static str, usize, usize) {
    let mut manifest = provider.manifest();
    manifest["api"]["requires"] = json!(["syslog_drains"]);
    let text = format!("{manifest:#}\n");
    std::fs::write(dir.join("addon-manifest.json"), &text).unwrap();
    let (index, line) = text.lines().enumerate().find(|(_, line)| line.contains("\"syslog_drains\"")).unwrap();
    ("addon-manifest.json", index + 1, line.find("\"syslog_drains\"").unwrap() + 1)
}

/// `kensa test all --format json --output kensa-report.json` in `dir`, with its exit code.
fn save_report(dir: &Path, expected_code: i32) -> String {
    let saved = run(&["test", "all", "--format", "json", "--output", "kensa-report.json", "--color", "never"], dir);
    assert_eq!(saved.code, expected_code, "{}{}", saved.stdout, saved.stderr);
    std::fs::read_to_string(dir.join("kensa-report.json")).unwrap()
}

fn format_name(format: Format) -> String {
    format.to_possible_value().unwrap().get_name().to_string()
}

/// Every format, whatever the build has: each renders the saved report as the renderer
/// does, the same on stdout as in `--output`, with the saved run's exit code. Manifest
/// annotations name the manifest as `-f` gives it.
#[test]
fn a_saved_report_renders_in_every_format_with_the_runs_exit_code() {
    let provider =
        kensa_provider::spawn_thread(ProviderOptions::default().with_fault(Fault::PlanchangeStatus500)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (manifest, line, column) = write_manifest(dir.path(), &provider);
    let saved = save_report(dir.path(), 1);
    let report = render::from_json(&saved).unwrap();
    for format in Format::value_variants() {
        let name = format_name(*format);
        let args = ["report", "kensa-report.json", "--format", &name, "-f", manifest, "--color", "never"];
        let printed = run(&args, dir.path());
        assert_eq!((printed.code, printed.stderr.as_str()), (1, ""), "--format {name}: {}", printed.stdout);
        let expected = match format {
            Format::Human => Some(render::text(&report, &render::plain)),
            Format::Json => Some(saved.clone()),
            Format::Junit => Some(render::junit(&report)),
            Format::Github => Some(render::github(&report, manifest)),
            #[allow(unreachable_patterns, reason = "formats added later are checked generically")]
            _ => None,
        };
        if let Some(expected) = expected {
            assert_eq!(printed.stdout, expected, "--format {name}");
        }
        assert!(!printed.stdout.is_empty(), "--format {name}");
        let written = run(&[&args[..], &["--output", "rendered"]].concat(), dir.path());
        assert_eq!((written.code, written.stdout.as_str()), (1, ""), "--format {name} --output: {}", written.stderr);
        assert_eq!(std::fs::read_to_string(dir.path().join("rendered")).unwrap(), printed.stdout, "--format {name}");
    }

    // GitHub annotations: the manifest's warning on its line and column, the failed check.
    let github =
        run(&["report", "kensa-report.json", "--format", "github", "-f", "config/addon-manifest.json"], dir.path());
    let warning = format!(
        "::warning file=config/addon-manifest.json,line={line},col={column},title=M22 requires only known features::"
    );
    assert!(github.stdout.contains(&warning), "{}", github.stdout);
    assert!(github.stdout.contains("::error title=C01 response::PUT /heroku/resources/"), "{}", github.stdout);
    assert!(github.stdout.lines().last().unwrap().starts_with("kensa failed: "), "{}", github.stdout);
}

/// A passing run's report passes again (exit 0), warnings and all.
#[test]
fn a_passing_report_exits_0() {
    let provider = kensa_provider::spawn_thread(ProviderOptions::default()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    write_manifest(dir.path(), &provider);
    save_report(dir.path(), 0);
    let printed = run(&["report", "kensa-report.json", "--color", "never"], dir.path());
    assert_eq!(printed.code, 0, "{}{}", printed.stdout, printed.stderr);
    assert!(printed.stdout.contains("Check requires only known features [WARN]\n"), "{}", printed.stdout);
    assert!(printed.stdout.ends_with("\ndone.\n"), "{}", printed.stdout);
    assert_eq!(provider.resource_count().unwrap(), 0, "report runs nothing, and test all cleaned up");
}

/// What is not a saved report is refused with exit code 2 and a message naming the file,
/// before anything is written.
#[test]
fn what_is_not_a_saved_report_is_refused_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name);
    std::fs::write(path("addon-manifest.json"), "{\"id\": \"myaddon\", \"api\": {}}").unwrap();
    std::fs::write(path("broken.json"), "{\"groups\": [").unwrap();
    std::fs::write(path("wrong.json"), "{\"groups\": [{\"heading\": 3}]}").unwrap();
    std::fs::write(path("binary.json"), b"\xff\xfe").unwrap();
    std::fs::create_dir(path("folder")).unwrap();
    // One byte over the limit, sparse: nothing near 64 MiB is written to the disk.
    std::fs::File::create(path("huge.json")).unwrap().set_len((64 << 20) + 1).unwrap();
    let write_one = "hint: write one with `kensa test ... --format json --output FILE`";
    for (name, message, hint) in [
        ("missing.json", "error: cannot read missing.json: no such file", Some(write_one)),
        (
            "addon-manifest.json",
            "error: addon-manifest.json is not a kensa JSON report: it lists no checks",
            Some(write_one),
        ),
        ("broken.json", "error: broken.json is not a kensa JSON report: EOF while parsing", Some(write_one)),
        (
            "wrong.json",
            "error: wrong.json is not a kensa JSON report: groups[0].heading is not a string",
            Some(write_one),
        ),
        ("binary.json", "error: binary.json is not a kensa JSON report: it is not UTF-8 text", Some(write_one)),
        ("folder", "error: cannot read folder: it is a directory", None),
        ("huge.json", "error: cannot read huge.json: larger than 64 MiB, the most kensa reads", None),
    ] {
        for format in ["human", "github"] {
            let refused = run(&["report", name, "--format", format, "--output", "out"], dir.path());
            assert_eq!(refused.code, 2, "{name}: {}{}", refused.stdout, refused.stderr);
            assert!(refused.stderr.starts_with(message), "{name}: {}", refused.stderr);
            assert_eq!(refused.stderr.contains("hint: "), hint.is_some(), "{name}: {}", refused.stderr);
            assert!(hint.is_none_or(|hint| refused.stderr.contains(hint)), "{name}: {}", refused.stderr);
            assert!(!path("out").exists(), "{name}: nothing is written");
        }
    }
    #[cfg(unix)]
    {
        let fifo = run(&["report", "/dev/zero"], dir.path());
        assert_eq!(fifo.code, 2);
        assert!(fifo.stderr.starts_with("error: cannot read /dev/zero: it is a character device, not a regular file"));
    }
}

/// `--output` naming the report itself, the manifest or the ledger is refused: the
/// rendering would replace it.
#[test]
fn the_output_may_not_replace_the_report_the_manifest_or_the_ledger() {
    let provider = kensa_provider::spawn_thread(ProviderOptions::default()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    write_manifest(dir.path(), &provider);
    let saved = save_report(dir.path(), 0);
    std::fs::write(dir.path().join(".kensa-resources.json"), "{}").unwrap();
    for (output, what) in [
        ("kensa-report.json", "the report being read; not replacing it with its rendering"),
        ("addon-manifest.json", "the manifest itself; not replacing the manifest with the report"),
        (".kensa-resources.json", "the resource ledger; not replacing the record of what kensa provisioned"),
    ] {
        let before = std::fs::read(dir.path().join(output)).unwrap();
        let refused = Run::of(
            common::kensa()
                .args(["report", "kensa-report.json", "--format", "github", "-o", output])
                .current_dir(dir.path()),
        );
        assert_eq!(refused.code, 2, "{output}: {}", refused.stderr);
        assert!(refused.stderr.starts_with(&format!("error: -o {output} is {what}")), "{}", refused.stderr);
        assert_eq!(std::fs::read(dir.path().join(output)).unwrap(), before, "{output} is left alone");
    }
    assert_eq!(std::fs::read_to_string(dir.path().join("kensa-report.json")).unwrap(), saved);
}
