//! Command-line arguments (clap derive types, and the help clap cannot derive; `lib.rs`
//! turns them into work).

use clap::{ArgAction, Args, CommandFactory, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// The `kensa` command line: the derived one, with `kensa test --help` listing every test
/// with its arguments (clap's own list shows only the names).
pub fn command() -> clap::Command {
    Cli::command().mut_subcommand("test", |test| {
        let template = format!(
            "{{about-with-newline}}\n{{usage-heading}} {{usage}}\n\nTests:\n{}\n{TEST_KEYS}\n\nOptions:\n{{options}}{{after-help}}",
            test_list(&test)
        );
        test.help_template(template)
    })
}

const TEST_KEYS: &str = "\
Each test checks the manifest first. KEY is either key of a resource kensa provisioned
(Heroku's uuid or your service's id: `kensa resources` lists them); without KEY, the newest
one. --id and --uuid name a resource kensa did not make. A key that is `.`, `..` (however
percent-encoded) or empty is refused. The options below go anywhere.";

/// One entry per test: `kensa test NAME` with its own arguments, then its description.
fn test_list(test: &clap::Command) -> String {
    let mut list = String::new();
    for suite in test.get_subcommands().filter(|suite| !suite.is_hide_set()) {
        let mut line = format!("  kensa test {}", suite.get_name());
        for arg in suite.get_arguments().filter(|arg| !arg.is_hide_set() && arg.get_id() != "help") {
            let names: Vec<String> =
                arg.get_value_names().map(|names| names.iter().map(ToString::to_string).collect()).unwrap_or_default();
            let value = names.first().cloned();
            let shown = match (arg.get_long(), value) {
                (Some(long), Some(value)) if arg.get_action().takes_values() => format!("--{long} <{value}>"),
                (Some(long), _) => format!("--{long}"),
                // `[KEY] PLAN`: the first values of a positional that takes fewer than it names
                // are the optional ones.
                (None, _) if names.len() > 1 => {
                    let least = arg.get_num_args().map_or(names.len(), |range| range.min_values());
                    let optional = names.len().saturating_sub(least);
                    let words: Vec<String> = names
                        .iter()
                        .enumerate()
                        .map(|(index, name)| if index < optional { format!("[<{name}>]") } else { format!("<{name}>") })
                        .collect();
                    words.join(" ")
                }
                (None, value) => format!("<{}>", value.unwrap_or_else(|| arg.get_id().to_string())),
            };
            let shown = if arg.is_required_set() || names.len() > 1 { shown } else { format!("[{shown}]") };
            line.push(' ');
            line.push_str(&shown);
        }
        if suite.get_name() == "provision" {
            // lib.rs takes these out of the line before clap sees it.
            line.push_str(" [--FLAG [VALUE]]...");
        }
        let about = suite.get_about().map(ToString::to_string).unwrap_or_default();
        list.push_str(&format!("{line}\n      {about}\n"));
    }
    list
}

const EXIT_CODES: &str = "\
Exit codes:
  0  every check passed (warnings allowed)
  1  a check failed (an invalid manifest is a failed check)
  2  kensa could not run (bad arguments, a missing or unreadable file, one over 1 MiB or
     not a regular file, output that cannot be written)";

/// Test a Heroku add-on provider's service on your own machine, before Heroku calls it.
#[derive(Debug, Parser)]
#[command(name = "kensa", version, disable_version_flag = true, about, after_help = EXIT_CODES, arg_required_else_help = true, max_term_width = 100)]
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

    /// Seconds to wait for each answer, its body included: Heroku's own limit, 25, or less
    /// for quicker feedback while developing. An SSO sign-in gets this long for all its
    /// redirects; a hung endpoint is waited for once per run; cors-proxy answers 504 after
    /// this long, and cuts off a body still coming.
    #[arg(long, global = true, value_name = "SECS", default_value_t = 25, value_parser = clap::value_parser!(u64).range(1..=25))]
    pub timeout: u64,

    /// Expect asynchronous provisioning: a 202, then the provider finishing through a
    /// local stand-in for Heroku's API (its URL is sent as `callback_url`).
    #[arg(long = "async", global = true)]
    pub asynchronous: bool,

    /// Seconds to wait for the provider to finish an asynchronous provision.
    #[arg(long, global = true, value_name = "SECS", default_value_t = 30)]
    pub async_timeout: u64,

    /// Port of the Heroku stand-in under --async (default: a free port). It listens on
    /// 127.0.0.1 and answers only requests to 127.0.0.1:PORT or localhost:PORT.
    #[arg(long, global = true, value_name = "PORT", default_value_t = 0)]
    pub callback_port: u16,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write a new addon-manifest.json with fresh secrets.
    #[command(after_help = "Refuses to replace an existing file unless you confirm on a terminal or pass --force.")]
    Init(InitArgs),

    /// Make the calls Heroku makes and check every answer (bare `kensa test` runs `all`).
    #[command(after_help = EXIT_CODES)]
    Test(TestArgs),

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
    #[command(after_help = SSO_HELP)]
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
    #[command(after_help = CREATE_HELP)]
    Create(CreateArgs),

    /// Validate the manifest and push it to the add-ons API; the file gets the server's copy.
    #[command(after_help = ADDONS_API_HELP)]
    Push(PushArgs),

    /// Fetch the current manifest of add-on SLUG from the add-ons API into the manifest file.
    #[command(after_help = ADDONS_API_HELP)]
    Pull(PullArgs),

    /// Show how the manifest file differs from the pushed one (exit 1 when they differ).
    #[command(after_help = ADDONS_API_HELP)]
    Diff(DiffArgs),

    /// List the manifests pushed for add-on SLUG (default: the manifest file's id).
    #[command(after_help = ADDONS_API_HELP)]
    Manifests(ManifestsArgs),

    /// Print shell completions: kensa completions bash > /etc/bash_completion.d/kensa
    Completions(CompletionsArgs),

    /// Add CORS to a provider that lacks it, so the browser playground can test it.
    #[command(after_help = CORS_PROXY_HELP)]
    CorsProxy(CorsProxyArgs),

    /// Print the version, as `kensa --version` does.
    Version,

    /// List the resources kensa provisioned and has not seen deprovisioned (from
    /// .kensa-resources.json next to the manifest); --cleanup deprovisions them.
    Resources(ResourcesArgs),
}

const CORS_PROXY_HELP: &str = "\
Listens on 127.0.0.1 only and forwards only to the --to origin (each request's path and
query appended). Answers CORS preflights itself and adds Access-Control-Allow-Origin to the
answers of the pages it allows; redirects are passed through. Point the playground's
manifest at the proxy, e.g.
  kensa cors-proxy --to http://localhost:5000 --port 5001
and use http://127.0.0.1:5001/heroku/resources as base_url.

Who it answers: only requests addressed to it, with Host 127.0.0.1:PORT or localhost:PORT
(anything else, such as a DNS-rebinding page's name, gets 403). A request with an Origin
header must come from an allowed page: by default http://127.0.0.1, http://localhost and
http://[::1] on any port (the playground served locally); add a hosted playground's origin
with --allow-origin https://example.org (repeatable; HOST:* allows any port). Other origins,
and Origin: null, get 403 without CORS headers and are not forwarded; a request without
Origin (curl, kensa test) is forwarded and gets no CORS headers.

A provider that has not answered within --timeout seconds (default 25, Heroku's limit) gets
the browser a 504 with a JSON message, CORS headers included; a body still coming when
those seconds are up is cut off. Stop it with Ctrl-C.";

const SSO_HELP: &str = "\
In the POST flow the signed form (live sign-in tokens) is served once, from 127.0.0.1 on a
free port, at a random path: http://127.0.0.1:PORT/<32 random hex digits>. Only a GET of
that path with Host 127.0.0.1:PORT, as the browser sends it, gets the page; any other path
gets 404 and any other Host (localhost included, or a DNS-rebinding page's name) 403, and
neither uses up the page. kensa waits up to 10 minutes for it.";

const CREATE_HELP: &str = "\
Templates: node (Node.js standard library), python (Python 3 standard library), rust
(axum) and sinatra (Ruby and Sinatra, as in Heroku's guide; Debian's ruby and ruby-sinatra
packages suffice) are built in and work offline. A git URL or the path of a local git
repository is cloned with git. Any other name, such as clojure, is cloned as the old kensa
did, from ${REPO_PREFIX:-https://github.com/heroku/kensa-create-}NAME; when that cannot be
reached, the error says so and names the built-in templates. NAME must not exist or be an
empty folder. The manifest and .env (mode 0600) replace a template's own; a symbolic link
there, or a .gitignore that is one, is replaced by a regular file (with a warning), never
written through. .gitignore lists .env and .kensa-resources.json.";

const ADDONS_API_HELP: &str = "\
The token comes from HEROKU_API_KEY, else the api.heroku.com entry of ~/.netrc (which
`heroku login` writes). The API is https://addons.heroku.com unless HEROKU_ADDONS_HOST or
--host says otherwise. An answer over 16 MiB is refused (exit 2).";

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

    /// Only print the URL to open (GET) or the local form page (POST); open no browser.
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
