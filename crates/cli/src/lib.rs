//! The `kensa` command line: arguments, the native effects (files, terminal, randomness)
//! and exit codes around the pure `kensa-manifest` and `kensa-checks` crates.
#![allow(
    clippy::disallowed_methods,
    reason = "host crate: reading files and the environment is its job"
)]

pub mod args;
mod commands;
mod error;
mod output;

use args::{Cli, Command, Format, GlobalArgs, TestSuite};
use clap::Parser;
use error::CliError;
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
}

impl Context {
    pub(crate) fn paint(&self) -> &dyn Fn(kensa_checks::render::Tone, &str) -> String {
        if self.color {
            &output::ansi
        } else {
            &kensa_checks::render::plain
        }
    }

    pub(crate) fn format(&self) -> Format {
        self.global.format
    }
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty());
    let context = Context {
        color: output::use_color(cli.global.color, no_color),
        global: cli.global,
    };
    let result = match cli.command {
        Command::Init(args) => commands::init::run(&context, &args),
        Command::Test(args) => match args.suite {
            TestSuite::Manifest => commands::test::manifest(&context),
        },
    };
    match result {
        Ok(status) => status.into(),
        Err(error) => {
            eprintln!("{error}");
            ExitStatus::Error.into()
        }
    }
}

pub(crate) type Result<T, E = CliError> = std::result::Result<T, E>;
