//! Command-line arguments (clap derive types only; `lib.rs` turns them into work).

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

const EXIT_CODES: &str = "\
Exit codes:
  0  every check passed (warnings allowed)
  1  a check failed (an invalid manifest is a failed check)
  2  kensa could not run (bad arguments, missing or unreadable file)";

/// Test a Heroku add-on provider's service on your own machine, before Heroku calls it.
#[derive(Debug, Parser)]
#[command(name = "kensa", version, about, after_help = EXIT_CODES, arg_required_else_help = true, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    #[command(flatten)]
    pub global: GlobalArgs,
}

/// Options every command accepts, anywhere on the line.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// The add-on manifest to read or write.
    #[arg(
        short = 'f',
        long = "filename",
        visible_alias = "file",
        global = true,
        value_name = "FILE",
        default_value = "addon-manifest.json"
    )]
    pub filename: PathBuf,

    /// How to print results.
    #[arg(long, global = true, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// When to colour output; `auto` colours a terminal unless NO_COLOR is set.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write a new addon-manifest.json with fresh secrets.
    #[command(
        after_help = "Refuses to replace an existing file unless you confirm on a terminal or pass --force."
    )]
    Init(InitArgs),

    /// Check the manifest (and, with the check engine, the provider's answers).
    #[command(after_help = EXIT_CODES)]
    Test(TestArgs),
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// How Heroku signs users in: `post` writes base_url and sso_url, `get` the legacy string form.
    #[arg(short = 's', long, value_enum, default_value_t = SsoMethod::Post, value_name = "METHOD")]
    pub sso: SsoMethod,

    /// Leave out the SSO salt.
    #[arg(long)]
    pub without_sso: bool,

    /// Use port 5000 for the test URLs and write a .env for foreman with the same secrets.
    #[arg(long)]
    pub foreman: bool,

    /// Replace existing files without asking.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct TestArgs {
    #[command(subcommand)]
    pub suite: TestSuite,
}

#[derive(Debug, Subcommand)]
pub enum TestSuite {
    /// Validate the manifest and report every problem with its location.
    Manifest,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// The old kensa screen: `Testing ...`, `Check ... [PASS]`.
    Human,
    /// One JSON document with every check.
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SsoMethod {
    Post,
    Get,
}
