//! Command-line arguments: the clap derive types, the help clap cannot derive
//! ([`help`]) and the old gem's word order, rewritten into clap's before it parses.

mod help;

use clap::{ArgAction, Args, CommandFactory, Parser, Subcommand, ValueEnum};
use std::ffi::OsString;
use std::path::PathBuf;

/// The `kensa` command line: the derived one, with `kensa test --help` listing every test
/// with its arguments (clap's own list shows only the names).
pub fn command() -> clap::Command {
    Cli::command().mut_subcommand("test", |test| {
        let template = format!(
            "{{about-with-newline}}\n{{usage-heading}} {{usage}}\n\nTests:\n{}\n{}\n\nOptions:\n{{options}}{{after-help}}",
            help::test_list(&test),
            help::TEST_KEYS
        );
        test.help_template(template)
    })
}

/// Reads a `kensa` command line (the program name first) as `kensa` does: the matches, and
/// the provision options taken out of it (see [`split_provision_options`]).
pub fn parse(args: Vec<OsString>) -> Result<(clap::ArgMatches, Vec<(String, String)>), clap::Error> {
    let mut root = command();
    let (args, provision_options) = split_provision_options(&root, command_options_after_the_command(&root, args));
    Ok((root.try_get_matches_from_mut(args)?, provision_options))
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
    // Only the command itself: `kensa run echo test provision --x` hands `--x` to echo.
    let Some(start) =
        command_word(root, &words).filter(|&at| words[at..].starts_with(&[Some("test"), Some("provision")]))
    else {
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

/// Where the command is on the line: the first word after the global options (and their
/// values), when it names one.
fn command_word(root: &clap::Command, words: &[Option<&str>]) -> Option<usize> {
    let global: Vec<&clap::Arg> = root.get_arguments().collect();
    let mut index = 1;
    while let Some(word) = words.get(index).copied().flatten() {
        if root.find_subcommand(word).is_some() {
            return Some(index);
        }
        index += option_words(&global, word)?;
    }
    None
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

/// Heroku's own limit on each answer, the engine's default: `--timeout`'s default and most.
fn heroku_timeout_secs() -> u64 {
    kensa_checks::Limits::default().timeout_ms / 1000
}

/// Test a Heroku add-on provider's service on your own machine, before Heroku calls it.
#[derive(Debug, Parser)]
#[command(name = "kensa", version, disable_version_flag = true, about, after_help = help::EXIT_CODES, arg_required_else_help = true, max_term_width = 100)]
pub struct Cli {
    /// Print version (also `kensa version`, as in the old gem).
    #[arg(short = 'v', long = "version", short_alias = 'V', action = ArgAction::Version)]
    pub version: (),

    #[command(subcommand)]
    pub command: Command,

    #[command(flatten)]
    pub global: GlobalArgs,
}

/// Options every command accepts, anywhere on the line.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// The add-on manifest to read (a regular file of at most 1 MiB) or write (mode 0600).
    #[arg(
        short = 'f',
        long = "filename",
        visible_alias = "file",
        global = true,
        value_name = "FILE",
        default_value = "addon-manifest.json"
    )]
    pub filename: PathBuf,

    /// How to print the report.
    #[arg(long, global = true, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// Write the report (in --format) to FILE (mode 0600; a link there is replaced), which must
    /// not be the manifest or the ledger; progress still goes to the terminal.
    #[arg(short = 'o', long, global = true, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// When to colour output; `auto` colours a terminal unless NO_COLOR is set. Control
    /// characters in provider or manifest text are always shown escaped (`\e`, `\r`, `\x00`).
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    /// Plan to provision (default `test`) and, for `test all`, to change to (default `foo`).
    #[arg(short = 'p', long, global = true, value_name = "PLAN")]
    pub plan: Option<String>,

    /// Call the manifest's production URLs instead of its test URLs.
    #[arg(long, global = true)]
    pub production: bool,

    /// Do not verify TLS certificates (for self-signed local services).
    #[arg(long, global = true)]
    pub insecure: bool,

    #[arg(
        long,
        global = true,
        value_name = "SECS",
        help = help::timeout(),
        default_value_t = heroku_timeout_secs(),
        value_parser = clap::value_parser!(u64).range(1..=heroku_timeout_secs())
    )]
    pub timeout: u64,

    /// Expect asynchronous provisioning: a 202, then the provider finishing through a
    /// local stand-in for Heroku's API (its URL is sent as `callback_url`).
    #[arg(long = "async", global = true)]
    pub asynchronous: bool,

    /// Seconds to wait for the provider to finish an asynchronous provision.
    #[arg(long, global = true, value_name = "SECS", default_value_t = 30)]
    pub async_timeout: u64,

    /// Port of the Heroku stand-in whose URL is sent as `callback_url` (default: a free port).
    /// It listens on 127.0.0.1 and answers only requests to 127.0.0.1:PORT or localhost:PORT.
    #[arg(long, global = true, value_name = "PORT", default_value_t = 0)]
    pub callback_port: u16,

    /// The add-on's OAuth client secret: the stand-in's token endpoint then accepts only
    /// this one (otherwise any non-empty one). Never printed. Prefer the environment
    /// variable KENSA_OAUTH_CLIENT_SECRET, which other users cannot see in the process list.
    #[arg(long, global = true, value_name = "SECRET")]
    pub client_secret: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write a new addon-manifest.json with fresh secrets.
    #[command(after_help = "Refuses to replace an existing file unless you confirm on a terminal or pass --force.")]
    Init(InitArgs),

    /// Make the calls Heroku makes and check every answer (bare `kensa test` runs `all`).
    #[command(after_help = help::EXIT_CODES)]
    Test(TestArgs),

    /// Print a saved JSON report (`--format json --output FILE`) in --format, with its exit code.
    #[command(after_help = help::report())]
    Report(ReportArgs),

    /// Provision, run CMD with the returned config vars, change plan, deprovision.
    #[command(after_help = "Example: kensa run -f addon-manifest.json -- sh -c 'psql \"$MYADDON_URL\"'\n\n\
            CMD is looked up on your own PATH. It gets only the config vars the manifest declares in \
            api.config_vars; any other var the provider returns is not exported, and kensa names it on stderr. \
            A name that changes how programs load or start (PATH, LD_*, BASH_ENV, NODE_OPTIONS, PYTHONPATH, ...) \
            is never exported, declared or not.\n\n\
            The resource is deprovisioned even when CMD fails; kensa exits 1 when CMD exits non-zero.")]
    Run(RunArgs),

    /// Check the embedded reference provider end to end, with no configuration at all.
    #[command(after_help = "The manifest (mode 0600) goes to a new private folder (mode 0700, an unguessable name in \
                      $TMPDIR or /tmp), removed afterwards unless --keep.")]
    Demo(DemoArgs),

    /// Open a signed-in browser session on the resource ID, as Heroku's dashboard would.
    #[command(after_help = help::SSO_HELP)]
    Sso(SsoArgs),

    /// List every check kensa makes, with its code, name and label.
    Checks,

    /// Explain one check: what it checks, why Heroku needs it, an example failure, the fix.
    Explain {
        /// A code from `kensa checks`, such as M09 or P01, or a name such as sso/logs-in.
        #[arg(value_name = "CODE")]
        code: String,
    },

    /// Create folder NAME with a working starter add-on service, its manifest and a .env.
    #[command(after_help = help::CREATE_HELP)]
    Create(CreateArgs),

    /// Validate the manifest and push it to the add-ons API; the file gets the server's copy.
    #[command(after_help = help::ADDONS_API_HELP)]
    Push(PushArgs),

    /// Fetch the current manifest of add-on SLUG from the add-ons API into the manifest file.
    #[command(after_help = help::ADDONS_API_HELP)]
    Pull(PullArgs),

    /// Show how the manifest file differs from the pushed one (exit 1 when they differ).
    #[command(after_help = help::ADDONS_API_HELP)]
    Diff(DiffArgs),

    /// List the manifests pushed for add-on SLUG (default: the manifest file's id).
    #[command(after_help = help::ADDONS_API_HELP)]
    Manifests(ManifestsArgs),

    /// Print shell completions: kensa completions bash > /etc/bash_completion.d/kensa
    Completions(CompletionsArgs),

    /// Add CORS to a provider that lacks it, so the browser playground can test it.
    #[command(after_help = help::cors_proxy())]
    CorsProxy(CorsProxyArgs),

    /// Print the version, as `kensa --version` does.
    Version,

    /// List the resources kensa provisioned and has not seen deprovisioned (from
    /// .kensa-resources.json next to the manifest); --cleanup deprovisions them.
    Resources(ResourcesArgs),
}

/// `kensa report JSON_FILE`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// A report `kensa test ... --format json --output JSON_FILE` wrote.
    #[arg(value_name = "JSON_FILE")]
    pub report: PathBuf,
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    /// The folder to create; the add-on id is its name as a slug.
    #[arg(value_name = "NAME")]
    pub name: PathBuf,

    /// `node`, `python`, `rust` or `sinatra`; a git URL or local repository; or a name cloned from REPO_PREFIX.
    #[arg(short = 't', long, value_name = "TEMPLATE")]
    pub template: String,
}

#[derive(Debug, Args)]
pub struct AddonsApiArgs {
    /// The add-ons API to talk to.
    #[arg(long, value_name = "URL")]
    pub host: Option<String>,
}

#[derive(Debug, Args)]
pub struct PushArgs {
    #[command(flatten)]
    pub api: AddonsApiArgs,
}

#[derive(Debug, Args)]
pub struct PullArgs {
    /// The add-on's slug (its manifest `id`).
    #[arg(value_name = "SLUG")]
    pub slug: String,

    /// Replace the manifest file without asking.
    #[arg(long)]
    pub force: bool,

    #[command(flatten)]
    pub api: AddonsApiArgs,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    #[command(flatten)]
    pub api: AddonsApiArgs,
}

#[derive(Debug, Args)]
pub struct ManifestsArgs {
    /// The add-on's slug; default: the `id` of the manifest file.
    #[arg(value_name = "SLUG")]
    pub slug: Option<String>,

    #[command(flatten)]
    pub api: AddonsApiArgs,
}

#[derive(Debug, Args)]
pub struct CorsProxyArgs {
    /// The provider's origin, such as http://localhost:5000 (no path).
    #[arg(long, value_name = "URL")]
    pub to: String,

    /// The loopback port to listen on (0 picks a free one).
    #[arg(long, value_name = "PORT", default_value_t = 5001)]
    pub port: u16,

    /// Also allow pages from ORIGIN (scheme://host[:port], or :* for any port), such as a
    /// hosted playground's; repeatable. Loopback http pages are always allowed.
    #[arg(long = "allow-origin", value_name = "ORIGIN")]
    pub allow_origins: Vec<String>,
}

/// A resource kensa did not provision (or one to name by both keys).
#[derive(Clone, Debug, Default, Args)]
pub struct ResourceArgs {
    /// The provider's id of the resource.
    #[arg(long, value_name = "ID")]
    pub id: Option<String>,

    /// Heroku's uuid of the resource.
    #[arg(long, value_name = "UUID")]
    pub uuid: Option<String>,
}

/// `kensa resources`.
#[derive(Debug, Args)]
pub struct ResourcesArgs {
    /// Deprovision every resource listed, as `kensa test deprovision` would.
    #[arg(long)]
    pub cleanup: bool,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to print completions for.
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    #[arg(long, value_name = "FILE", help = help::HAR)]
    pub har: Option<PathBuf>,

    /// The command and its arguments.
    #[arg(required = true, trailing_var_arg = true, allow_hyphen_values = true, value_name = "CMD")]
    pub command: Vec<String>,
}

#[derive(Debug, Args)]
pub struct SsoArgs {
    /// The resource to sign in to: its uuid or its id (see `kensa resources`); none: the
    /// newest one kensa provisioned.
    #[arg(value_name = "KEY")]
    pub key: Option<String>,

    #[command(flatten)]
    pub resource: ResourceArgs,

    /// Only print the signed URL to open (GET) or the local form page (POST); open no
    /// browser. Without it, the browser goes through a one-shot local page, so the signed
    /// URL stays off the screen and off the opener's command line.
    #[arg(long)]
    pub no_browser: bool,

    /// Sign in with a form POST even if the manifest has no `sso_url` (posts to sso/login under the test URL).
    #[arg(long)]
    pub post: bool,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Keep the temporary folder and its manifest, and print where they are.
    #[arg(long)]
    pub keep: bool,
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
    #[arg(long, global = true, value_name = "FILE", help = help::HAR)]
    pub har: Option<PathBuf>,

    #[command(subcommand)]
    pub suite: Option<TestSuite>,
}

#[derive(Debug, Subcommand)]
pub enum TestSuite {
    /// Validate the manifest and report every problem with its location.
    Manifest,
    /// POST a provision and check the answer, authentication and idempotency.
    #[command(
        after_help = "Any other --flag, --flag value or --flag=value becomes a provision option (a bare flag is \"true\")."
    )]
    Provision,
    /// DELETE a resource: KEY (its uuid or its id), or the newest one kensa provisioned.
    Deprovision {
        #[arg(value_name = "KEY")]
        key: Option<String>,
        #[command(flatten)]
        resource: ResourceArgs,
    },
    /// PUT a plan change: `planchange KEY PLAN`, or `planchange PLAN` for the newest resource.
    Planchange {
        #[arg(value_names = ["KEY", "PLAN"], num_args = 1..=2, required = true)]
        key_and_plan: Vec<String>,
        #[command(flatten)]
        resource: ResourceArgs,
    },
    /// Check single sign-on: KEY (its uuid or its id), or the newest resource kensa provisioned.
    ///
    /// kensa sends the provider's id as `id` (with `token`) and, in v3, Heroku's uuid as
    /// `resource_id` (with the resource tokens), as Heroku does; it knows both from its
    /// resource list (`kensa resources`). With a string-form test URL the legacy GET signs in
    /// under that URL's path: `"test": "http://host/prefix/"` signs in at
    /// /prefix/heroku/resources/ID.
    Sso {
        #[arg(value_name = "KEY")]
        key: Option<String>,
        #[command(flatten)]
        resource: ResourceArgs,
        /// Sign in with a form POST even if the manifest has no `sso_url` (posts to sso/login under the test URL).
        #[arg(long)]
        post: bool,
    },
    /// Manifest, provision, plan change and deprovision of the new resource.
    All {
        /// Also check single sign-on on the new resource, before the plan change.
        #[arg(long)]
        with_sso: bool,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// The old kensa screen: `Testing ...`, `Check ... [PASS]`.
    Human,
    /// One JSON document with every check.
    Json,
    /// JUnit XML, one test case per check, for CI dashboards.
    Junit,
    /// GitHub Actions annotations (`::error`, `::warning`), one per finding, at its manifest
    /// line and column where it has one (give -f relative to the repository).
    Github,
    /// SARIF 2.1.0 for code scanning (GitHub's upload-sarif): every check as a rule, a result
    /// per finding at its manifest line and column, a live check's at the base URL (give -f
    /// relative to the repository).
    Sarif,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn split(line: &str) -> (Vec<String>, Vec<(String, String)>) {
        let (args, options) = split_provision_options(&command(), line.split(' ').map(OsString::from).collect());
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

    /// A `test provision` inside another command's arguments is that command's: `kensa run`
    /// hands CMD every word, flags too.
    #[test]
    fn test_provision_in_a_run_command_keeps_its_flags() {
        for line in [
            "kensa run echo test provision --x",
            "kensa run -- echo test provision --x y",
            "kensa help test provision --x",
        ] {
            let (args, options) = split(line);
            assert_eq!(args.join(" "), line);
            assert!(options.is_empty(), "{line}: {options:?}");
        }
        let (args, options) = split("kensa --insecure test provision --x");
        assert_eq!(args, ["kensa", "--insecure", "test", "provision"]);
        assert_eq!(options, [("x".to_string(), "true".to_string())]);
    }

    /// `--har` is kensa's own, after `test provision` too; before `test` it moves after it.
    #[test]
    fn har_is_not_a_provision_option() {
        let (args, options) = split("kensa test provision --har run.har --foo bar");
        assert_eq!(args, ["kensa", "test", "provision", "--har", "run.har"]);
        assert_eq!(options, [("foo".to_string(), "bar".to_string())]);
        assert_eq!(moved("kensa --har run.har test all"), "kensa test --har run.har all");
    }

    fn moved(line: &str) -> String {
        let args = command_options_after_the_command(&command(), line.split(' ').map(OsString::from).collect());
        args.into_iter().map(|arg| arg.into_string().unwrap_or_default()).collect::<Vec<_>>().join(" ")
    }

    /// The gem's options before the command move after it; global ones stay put.
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
