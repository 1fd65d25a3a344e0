//! The `kensa` command line: arguments, the native effects (files, terminal, HTTP, clock,
//! randomness) and exit codes around the pure `kensa-manifest` and `kensa-checks` crates.
#![allow(clippy::disallowed_methods, reason = "host crate: files, clock and environment are its job")]

pub mod args;
mod commands;
mod context;
mod error;
mod files;
mod http;
mod ledger_file;
mod native;
mod output;
mod random;
mod standin;

use args::{Cli, Command, TestSuite};
use clap::FromArgMatches;
use commands::test::{ResourceRequest, RunRequest, Wanted};
use context::Context;
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

/// Reads a `kensa` command line (the program name first) as `main` does: the matches, and
/// the provision options taken out of it.
pub fn parse(args: Vec<OsString>) -> Result<(clap::ArgMatches, Vec<(String, String)>), clap::Error> {
    parse_with(&mut args::command(), args)
}

/// [`parse`] with the command tree `main` built, so that one run builds it once.
fn parse_with(
    command: &mut clap::Command,
    args: Vec<OsString>,
) -> Result<(clap::ArgMatches, Vec<(String, String)>), clap::Error> {
    let (args, provision_options) = split_provision_options(command, command_options_after_the_command(command, args));
    Ok((command.try_get_matches_from_mut(args)?, provision_options))
}

pub fn main() -> ExitCode {
    let mut command = args::command();
    let (matches, provision_options) = match parse_with(&mut command, std::env::args_os().collect()) {
        Ok(parsed) => parsed,
        Err(error) => error.exit(),
    };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(error) => error.exit(),
    };
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty());
    let color = output::use_color(cli.global.color, no_color);
    let context = Context::new(cli.global, color, provision_options);
    let result = match cli.command {
        Command::Init(args) => commands::init::run(&context, &args),
        Command::Test(args) => {
            let on = |key, resource, wanted| RunRequest::OnResource(ResourceRequest { key, resource, wanted });
            let request = match args.suite.unwrap_or(TestSuite::All { with_sso: false }) {
                TestSuite::Manifest => RunRequest::Suite(Suite::Manifest),
                TestSuite::Provision => RunRequest::Suite(Suite::Provision),
                TestSuite::Deprovision { key, resource } => on(key, resource, Wanted::Deprovision),
                TestSuite::Planchange { mut key_and_plan, resource } => {
                    let plan = key_and_plan.pop().unwrap_or_default();
                    on(key_and_plan.pop(), resource, Wanted::PlanChange(plan))
                }
                TestSuite::Sso { key, resource, post } => on(key, resource, Wanted::Sso { force_post: post }),
                TestSuite::All { with_sso } => {
                    RunRequest::Suite(Suite::All { plan: context.plan_change_to.clone(), with_sso })
                }
            };
            commands::test::run_file(&context, request)
        }
        Command::Run(args) => commands::test::run_file(&context, RunRequest::Run(args.command)),
        Command::Demo(args) => commands::demo::run(&context, args.keep),
        Command::Sso(args) => commands::sso::run(&context, &args),
        Command::Resources(args) => commands::resources::run(&context, args.cleanup),
        Command::Checks => commands::explain::checks(&context),
        Command::Explain { code } => commands::explain::explain(&context, &code),
        Command::Create(args) => commands::create::run(&context, &args),
        Command::Push(args) => commands::addons_api::push(&context, &args),
        Command::Pull(args) => commands::addons_api::pull(&context, &args),
        Command::Diff(args) => commands::addons_api::diff(&context, &args),
        Command::Manifests(args) => commands::addons_api::manifests(&context, &args),
        Command::Completions(args) => commands::completions::run(args.shell),
        Command::CorsProxy(args) => commands::cors_proxy::run(&context, &args),
        Command::Version => {
            output::print(&command.render_version());
            Ok(ExitStatus::Passed)
        }
    };
    match result {
        Ok(status) => status.into(),
        Err(error) => {
            eprintln!("{error}");
            ExitStatus::Error.into()
        }
    }
}

/// The old gem read every option anywhere on the line: `kensa --foreman init`,
/// `kensa -s get init`, `kensa -t node create NAME`. Here the options of a command that
/// come before it move to just after it, where clap looks for them. Global options stay
/// where they are; a line with an option its command lacks is left for clap to refuse.
fn command_options_after_the_command(root: &clap::Command, args: Vec<OsString>) -> Vec<OsString> {
    let global: Vec<&clap::Arg> = root.get_arguments().collect();
    let words: Vec<Option<&str>> = args.iter().map(|arg| arg.to_str()).collect();
    for (at, word) in words.iter().enumerate().skip(1) {
        let Some(command) = word.and_then(|word| root.find_subcommand(word)) else {
            continue;
        };
        let own: Vec<&clap::Arg> = command.get_arguments().collect();
        let (mut kept, mut moved) = (args[..1].to_vec(), Vec::new());
        let mut index = 1;
        while index < at {
            let word = words[index].unwrap_or_default();
            let (taken, to) = match (option_words(&global, word), option_words(&own, word)) {
                (Some(taken), _) => (taken, &mut kept),
                (None, Some(taken)) => (taken, &mut moved),
                (None, None) => break,
            };
            if index + taken > at {
                break;
            }
            to.extend_from_slice(&args[index..index + taken]);
            index += taken;
        }
        // Only options (and their values) before this word: it is the command.
        if index == at {
            kept.push(args[at].clone());
            kept.append(&mut moved);
            kept.extend_from_slice(&args[at + 1..]);
            return kept;
        }
    }
    args
}

/// How many words the option `word` takes up (1, or 2 with a separate value), when it is
/// one of `args`; `None` when it is not an option of theirs.
fn option_words(args: &[&clap::Arg], word: &str) -> Option<usize> {
    let takes_value = |arg: &clap::Arg| arg.get_action().takes_values();
    if let Some(long) = word.strip_prefix("--") {
        let (name, inline_value) = long.split_once('=').map_or((long, false), |(name, _)| (name, true));
        let arg = args.iter().find(|arg| {
            arg.get_long() == Some(name) || arg.get_all_aliases().is_some_and(|aliases| aliases.contains(&name))
        })?;
        return Some(if takes_value(arg) && !inline_value { 2 } else { 1 });
    }
    let shorts = word.strip_prefix('-').filter(|shorts| !shorts.is_empty())?;
    // `-abc` is flags a, b and c; `-sget` is -s with the value `get`.
    for (at, short) in shorts.char_indices() {
        let arg = args.iter().find(|arg| {
            arg.get_short() == Some(short)
                || arg.get_all_short_aliases().is_some_and(|aliases| aliases.contains(&short))
        })?;
        if takes_value(arg) {
            return Some(if at + short.len_utf8() == shorts.len() { 2 } else { 1 });
        }
    }
    Some(1)
}

/// Takes the unknown `--flag`, `--flag value` and `--flag=value` arguments that follow
/// `test provision` out of the command line: they become provision options (a bare flag is
/// `"true"`), as in the old gem. Flags kensa knows stay where they are.
fn split_provision_options(root: &clap::Command, args: Vec<OsString>) -> (Vec<OsString>, Vec<(String, String)>) {
    let words: Vec<Option<&str>> = args.iter().map(|arg| arg.to_str()).collect();
    let Some(start) = words.windows(2).position(|pair| pair == [Some("test"), Some("provision")]) else {
        return (args, Vec::new());
    };
    let known = known_long_flags(root);
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
fn known_long_flags(root: &clap::Command) -> Vec<String> {
    fn add(command: &clap::Command, names: &mut Vec<String>) {
        for arg in command.get_arguments() {
            names.extend(arg.get_long().map(str::to_string));
            names.extend(arg.get_all_aliases().into_iter().flatten().map(str::to_string));
        }
    }
    let mut names = vec!["help".to_string(), "version".to_string()];
    add(root, &mut names);
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
        let (args, options) = split_provision_options(&args::command(), line.split(' ').map(OsString::from).collect());
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

    fn moved(line: &str) -> String {
        let args = command_options_after_the_command(&args::command(), line.split(' ').map(OsString::from).collect());
        args.into_iter().map(|arg| arg.into_string().unwrap_or_default()).collect::<Vec<_>>().join(" ")
    }

    // issue 14: the gem's options before the command; global ones stay put.
    #[test]
    fn options_of_the_command_before_it_move_after_it() {
        assert_eq!(
            moved("kensa -f m.json -s get --format json init --force"),
            "kensa -f m.json --format json init -s get --force"
        );
        assert_eq!(moved("kensa -sget --foreman -v init"), "kensa -v init -sget --foreman");
        assert_eq!(moved("kensa -t test create x"), "kensa create -t test x");
        // Not options of the command (or no command at all): clap refuses them as written.
        for line in ["kensa --foreman test all", "kensa -- init", "kensa --foreman", "kensa -x init", "kensa -f init"] {
            assert_eq!(moved(line), line);
        }
    }

    #[test]
    fn other_commands_are_left_alone() {
        let (args, options) = split("kensa test all --foo bar");
        assert_eq!(args.len(), 5);
        assert!(options.is_empty());
    }
}
