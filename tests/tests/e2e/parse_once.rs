//! A command-line run reads the manifest once: the host validates it and hands the engine
//! the result, so the id, the ledger lookup and the manifest checks all share one parse.
//! The command runs in-process (`kensa_cli::run`) so the parse counter can be read.

use kensa_e2e::Provider;
use kensa_manifest::documents_parsed;
use std::ffi::OsString;

/// Parses counted on this thread while `kensa -f <manifest> ARGS` runs, and how it ended.
fn parses_during(provider: &Provider, args: &[&str]) -> (usize, kensa_cli::ExitStatus) {
    let mut argv: Vec<OsString> = vec!["kensa".into(), "-f".into(), provider.manifest_path().into()];
    argv.extend(args.iter().map(OsString::from));
    let before = documents_parsed();
    let status = kensa_cli::run(argv);
    (documents_parsed() - before, status)
}

#[test]
fn test_all_with_sso_parses_the_manifest_once() {
    let provider = Provider::start();
    let (parses, status) = parses_during(&provider, &["test", "all", "--with-sso", "--color", "never"]);
    assert_eq!(status, kensa_cli::ExitStatus::Passed);
    assert_eq!(parses, 1, "a whole `test all --with-sso` run parsed the manifest {parses} times");
    assert_eq!(provider.resource_count(), 0);
}

#[test]
fn test_provision_then_deprovision_each_parse_the_manifest_once() {
    let provider = Provider::start();
    let (parses, status) = parses_during(&provider, &["test", "provision", "--color", "never"]);
    assert_eq!(status, kensa_cli::ExitStatus::Passed);
    assert_eq!(parses, 1, "`test provision` parsed the manifest {parses} times");
    // The ledger lookup for the one resource left reads the id from the same validation.
    let (parses, status) = parses_during(&provider, &["test", "deprovision", "--color", "never"]);
    assert_eq!(status, kensa_cli::ExitStatus::Passed);
    assert_eq!(parses, 1, "`test deprovision` parsed the manifest {parses} times");
    assert_eq!(provider.resource_count(), 0);
}

#[test]
fn kensa_run_parses_the_manifest_once() {
    let provider = Provider::start();
    let (parses, status) = parses_during(&provider, &["run", "true"]);
    assert_eq!(status, kensa_cli::ExitStatus::Passed);
    assert_eq!(parses, 1, "`kensa run` parsed the manifest {parses} times");
}
