//! The `kensa` command line: arguments, the native effects (files, terminal, HTTP, clock,
//! randomness) and exit codes around the pure `kensa-manifest` and `kensa-checks` crates.
#![allow(clippy::disallowed_methods, reason = "host crate: files, clock and environment are its job")]

pub mod args;
mod commands;
mod error;
mod files;
mod native;
mod output;
mod standin;

use args::{Cli, Command, Format, GlobalArgs, TestSuite};
use clap::{CommandFactory, FromArgMatches};
use commands::test::Job;
use error::CliError;
use kensa_checks::Suite;
use std::ffi::OsString;
use std::process::ExitCode;

/// The documented exit codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitStatus {
    /// Every check passed (warnings allowed).
    Passed = 0,
    /// A check failed.
    Failed = 1,
    /// kensa could not run.
    Error = 2,
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> ExitCode {
        ExitCode::from(status as u8)
    }
}

/// What every command knows about how to talk to the user.
pub(crate) struct Context {
    pub(crate) global: GlobalArgs,
    pub(crate) color: bool,
    /// `--flag value` pairs given after `test provision` that kensa does not know.
    pub(crate) provision_options: Vec<(String, String)>,
}

impl Context {
    pub(crate) fn paint(&self) -> &dyn Fn(kensa_checks::render::Tone, &str) -> String {
        if self.color { &output::ansi } else { &kensa_checks::render::plain }
    }

    pub(crate) fn format(&self) -> Format {
        self.global.format
    }
}

pub fn main() -> ExitCode {
    let (args, provision_options) = split_provision_options(std::env::args_os().collect());
    let cli = match Cli::from_arg_matches(&Cli::command().get_matches_from(args)) {
        Ok(cli) => cli,
        Err(error) => error.exit(),
    };
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty());
    let context =
        Context { color: output::use_color(cli.global.color, no_color), global: cli.global, provision_options };
    let result = match cli.command {
        Command::Init(args) => commands::init::run(&context, &args),
        Command::Test(args) => {
            let suite = match args.suite.unwrap_or(TestSuite::All { with_sso: false }) {
                TestSuite::Manifest => Suite::Manifest,
                TestSuite::Provision => Suite::Provision,
                TestSuite::Deprovision { key } => Suite::Deprovision { key },
                TestSuite::Planchange { key, plan } => Suite::PlanChange { key, plan },
                TestSuite::Sso { id, post } => Suite::Sso { id, uuid: None, force_post: post },
                TestSuite::All { with_sso } => {
                    Suite::All { plan: context.global.plan.clone().unwrap_or_else(|| "foo".to_string()), with_sso }
                }
            };
            commands::test::run_file(&context, Job::Suite(suite))
        }
        Command::Run(args) => commands::test::run_file(&context, Job::Run(args.command)),
        Command::Demo(args) => commands::test::demo(&context, args.keep),
        Command::Sso(args) => commands::sso::run(&context, &args.id, args.post, args.no_browser),
        Command::Checks => commands::explain::checks(&context),
        Command::Explain { code } => commands::explain::explain(&context, &code),
        Command::Create(args) => commands::create::run(&context, &args),
        Command::Push(args) => commands::addons_api::push(&context, &args),
        Command::Pull(args) => commands::addons_api::pull(&context, &args),
        Command::Diff(args) => commands::addons_api::diff(&context, &args),
        Command::Manifests(args) => commands::addons_api::manifests(&context, &args),
        Command::Completions(args) => commands::completions::run(args.shell),
        Command::CorsProxy(args) => commands::cors_proxy::run(&context, &args),
    };
    match result {
        Ok(status) => status.into(),
        Err(error) => {
            eprintln!("{error}");
            ExitStatus::Error.into()
        }
    }
}

/// Takes the unknown `--flag`, `--flag value` and `--flag=value` arguments that follow
/// `test provision` out of the command line: they become provision options (a bare flag is
/// `"true"`), as in the old gem. Flags kensa knows stay where they are.
fn split_provision_options(args: Vec<OsString>) -> (Vec<OsString>, Vec<(String, String)>) {
    let words: Vec<Option<&str>> = args.iter().map(|arg| arg.to_str()).collect();
    let Some(start) = words.windows(2).position(|pair| pair == [Some("test"), Some("provision")]) else {
        return (args, Vec::new());
    };
    let known = known_long_flags();
    let mut kept = args[..start + 2].to_vec();
    let mut options = Vec::new();
    let mut index = start + 2;
    while index < args.len() {
        let word = words[index];
        let unknown_flag = word.and_then(|word| word.strip_prefix("--")).filter(|flag| {
            let name = flag.split('=').next().unwrap_or_default();
            !name.is_empty() && !known.iter().any(|known| known == name)
        });
        match unknown_flag {
            Some(flag) => {
                if let Some((name, value)) = flag.split_once('=') {
                    options.push((name.to_string(), value.to_string()));
                } else if let Some(value) =
                    words.get(index + 1).copied().flatten().filter(|next| !next.starts_with('-'))
                {
                    options.push((flag.to_string(), value.to_string()));
                    index += 1;
                } else {
                    options.push((flag.to_string(), "true".to_string()));
                }
            }
            None => kept.push(args[index].clone()),
        }
        index += 1;
    }
    (kept, options)
}

/// The long flags (and aliases) `kensa test provision` itself understands: the global
/// ones and those of `test` and `provision`. Flags of other commands, such as `--host`,
/// are provision options here.
fn known_long_flags() -> Vec<String> {
    fn add(command: &clap::Command, names: &mut Vec<String>) {
        for arg in command.get_arguments() {
            names.extend(arg.get_long().map(str::to_string));
            names.extend(arg.get_all_aliases().into_iter().flatten().map(str::to_string));
        }
    }
    let mut names = vec!["help".to_string(), "version".to_string()];
    let root = Cli::command();
    add(&root, &mut names);
    if let Some(test) = root.find_subcommand("test") {
        add(test, &mut names);
        if let Some(provision) = test.find_subcommand("provision") {
            add(provision, &mut names);
        }
    }
    names
}

pub(crate) type Result<T, E = CliError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    fn split(line: &str) -> (Vec<String>, Vec<(String, String)>) {
        let (args, options) = split_provision_options(line.split(' ').map(OsString::from).collect());
        (args.into_iter().map(|arg| arg.into_string().unwrap_or_default()).collect(), options)
    }

    #[test]
    fn unknown_flags_after_test_provision_become_options() {
        let (args, options) =
            split("kensa test provision --foo bar --baz --qux=1 -f m.json --plan basic --host h --async");
        assert_eq!(args, ["kensa", "test", "provision", "-f", "m.json", "--plan", "basic", "--async"]);
        let expected =
            [("foo", "bar"), ("baz", "true"), ("qux", "1"), ("host", "h")].map(|(k, v)| (k.to_string(), v.to_string()));
        assert_eq!(options, expected);
    }

    #[test]
    fn other_commands_are_left_alone() {
        let (args, options) = split("kensa test all --foo bar");
        assert_eq!(args.len(), 5);
        assert!(options.is_empty());
    }
}
