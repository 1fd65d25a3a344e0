//! The `kensa` command line: arguments, the native effects (files, terminal, HTTP, clock,
//! randomness) and exit codes around the pure `kensa-manifest` and `kensa-checks` crates.
#![allow(clippy::disallowed_methods, reason = "host crate: files, clock and environment are its job")]

pub mod args;
mod commands;
mod context;
mod error;
mod files;
mod host;
mod http;
mod ledger_file;
mod native;
mod output;
mod random;
mod standin;

pub use args::parse;
pub use error::ExitStatus;

use args::{Cli, Command};
use clap::FromArgMatches;
use context::Context;
use std::ffi::OsString;

/// Runs one `kensa` command line (the program name first), as the `kensa` binary does, and
/// returns how it ended; what it prints goes to this process's stdout and stderr.
pub fn run(args: Vec<OsString>) -> ExitStatus {
    let parsed = parse(args).and_then(|(matches, options)| Ok((Cli::from_arg_matches(&matches)?, options)));
    let (cli, provision_options) = match parsed {
        Ok(parsed) => parsed,
        // Help and version on stdout (exit 0), usage errors on stderr (exit 2), as clap's `exit`.
        Err(error) => {
            let _ = error.print();
            return if error.exit_code() == 0 { ExitStatus::Passed } else { ExitStatus::Error };
        }
    };
    let har = match &cli.command {
        Command::Test(args) => args.har.clone(),
        Command::Run(args) => args.har.clone(),
        _ => None,
    };
    let context = Context::new(cli.global, provision_options, har);
    let result = match cli.command {
        Command::Init(args) => commands::init::run(&context, &args),
        Command::Test(args) => commands::test_command::run(&context, args),
        Command::Report(args) => commands::report::run(&context, &args),
        Command::Run(args) => commands::run::run(&context, args),
        Command::Demo(args) => commands::demo::run(&context, &args),
        Command::Sso(args) => commands::sso::run(&context, &args),
        Command::Resources(args) => commands::resources::run(&context, &args),
        Command::Checks => commands::explain::checks(&context),
        Command::Explain { code } => commands::explain::explain(&context, &code),
        Command::Create(args) => commands::create::run(&context, &args),
        Command::Push(args) => commands::addons_api::push(&context, &args),
        Command::Pull(args) => commands::addons_api::pull(&context, &args),
        Command::Diff(args) => commands::addons_api::diff(&context, &args),
        Command::Manifests(args) => commands::addons_api::manifests(&context, &args),
        Command::Completions(args) => commands::completions::run(&args),
        Command::CorsProxy(args) => commands::cors_proxy::run(&context, &args),
        Command::Version => output::print(&args::command().render_version()).map(|()| ExitStatus::Passed),
    };
    match result {
        Ok(status) => status,
        Err(error) if error.is_closed_pipe() => ExitStatus::Passed,
        Err(error) => {
            output::eprint(&format!("{error}\n"));
            ExitStatus::Error
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A command runs in this process and reports its exit status instead of exiting.
    #[test]
    fn init_runs_in_process() {
        let dir = tempfile::tempdir().unwrap();
        let manifest = dir.path().join("addon-manifest.json");
        let line = |words: &[&str]| {
            let mut line: Vec<OsString> = words.iter().map(OsString::from).collect();
            line.extend([OsString::from("-f"), manifest.clone().into()]);
            run(line)
        };
        assert_eq!(line(&["kensa", "init"]), ExitStatus::Passed);
        let written = std::fs::read_to_string(&manifest).unwrap();
        assert!(written.contains("\"id\": \"myaddon\""), "{written}");
        // The gem's word order is rewritten in process too; fresh secrets replace the old.
        assert_eq!(line(&["kensa", "--force", "init"]), ExitStatus::Passed);
        assert_ne!(std::fs::read_to_string(&manifest).unwrap(), written);
        // A usage error returns too, rather than ending the process as clap's `exit` would.
        assert_eq!(line(&["kensa", "init", "--timeout", "26"]), ExitStatus::Error);
    }
}
