//! `kensa-provider`: run the reference add-on provider from the command line.
#![allow(
    clippy::disallowed_methods,
    reason = "host crate: reads HEROKU_USERNAME, HEROKU_PASSWORD, SSO_SALT and OAUTH_CLIENT_SECRET from the environment"
)]

use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use kensa_provider::{DEFAULT_HEROKU_ID_URL, Fault, Faults, PLAYGROUND_PORT, ProviderOptions};

/// Where the provider listens without `--port` or `--playground`.
const DEFAULT_PORT: u16 = 4567;

const AFTER_HELP: &str = "\
Asynchronous provisioning (--async, or any async-* fault): a provision is answered 202
{\"id\", \"message\"} and finished in the background after --async-delay-ms. For v3 with an
oauth_grant the provider exchanges the code at <--heroku-id-url>/oauth/token, then sends
PATCH <callback_url>/config and POST <callback_url>/actions/provision with the Bearer token;
for v1 (or oauth_grant null) it PUTs {\"id\", \"config\"} to callback_url. Only plain http
can be called: pair it with kensa's stand-in for Heroku, e.g.
  kensa-provider --async --heroku-id-url http://127.0.0.1:5000
  kensa test provision --async --callback-port 5000";

/// A reference Heroku add-on provider (API v3 and v1) with switches that break it on purpose.
#[derive(Parser, Debug)]
#[command(name = "kensa-provider", version, max_term_width = 100, after_help = AFTER_HELP)]
struct Args {
    /// Port to listen on (0 picks a free one) [default: 4567]
    #[arg(short, long)]
    port: Option<u16>,

    /// Serve the playground's provider: port 4567, add-on myaddon, password secret and SSO
    /// salt kensa-playground-salt, which the playground's sample manifest calls. Flags given
    /// with it still apply; HEROKU_USERNAME, HEROKU_PASSWORD and SSO_SALT do not.
    #[arg(long)]
    playground: bool,

    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    bind: IpAddr,

    /// Add-on id, the Basic-auth user [env: HEROKU_USERNAME] [default: myaddon]
    #[arg(long)]
    id: Option<String>,

    /// Basic-auth password [env: HEROKU_PASSWORD] [default: secret]
    #[arg(long)]
    password: Option<String>,

    /// SSO salt; without one, SSO is off [env: SSO_SALT]
    #[arg(long)]
    sso_salt: Option<String>,

    /// Config var to return at provision time (repeatable) [default: MYADDON_URL]
    #[arg(long = "config-var", value_name = "NAME")]
    config_vars: Vec<String>,

    /// SQLite file that keeps resources across restarts (default: in memory).
    #[arg(long, value_name = "FILE")]
    db: Option<PathBuf>,

    /// Break the contract on purpose (repeatable, or comma-separated); see --list-faults.
    #[arg(long = "fault", value_name = "NAME")]
    faults: Vec<String>,

    /// Seconds the slow-provision fault waits.
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    slow_secs: u64,

    /// Path of the provisioning API.
    #[arg(long, default_value = "/heroku/resources")]
    base_path: String,

    /// Path of the POST SSO endpoint.
    #[arg(long, default_value = "/sso/login")]
    sso_path: String,

    /// Origin to put in config var URLs (default: the listening address).
    #[arg(long, value_name = "URL")]
    public_url: Option<String>,

    /// Do not answer CORS preflights or add Access-Control-* headers.
    #[arg(long)]
    no_cors: bool,

    /// Provision asynchronously: answer 202, then finish through Heroku's API (see below).
    #[arg(long = "async")]
    async_provisioning: bool,

    /// Base URL of Heroku's OAuth token endpoint (<URL>/oauth/token); only http:// can be called.
    #[arg(long, value_name = "URL", default_value = DEFAULT_HEROKU_ID_URL)]
    heroku_id_url: String,

    /// OAuth client secret for the token exchange [env: OAUTH_CLIENT_SECRET] [default: a dummy]
    #[arg(long, value_name = "SECRET")]
    oauth_client_secret: Option<String>,

    /// Milliseconds between the 202 and the calls that finish an asynchronous provision.
    #[arg(long, value_name = "N", default_value_t = 200)]
    async_delay_ms: u64,

    /// Do not log requests on stderr.
    #[arg(short, long)]
    quiet: bool,

    /// List the fault switches and exit.
    #[arg(long)]
    list_faults: bool,

    /// Print an addon-manifest.json for this provider (with its secrets) and exit.
    #[arg(long)]
    print_manifest: bool,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn main() -> ExitCode {
    let args = Args::parse();
    if args.list_faults {
        let width = Fault::ALL.iter().map(|f| f.name().len()).max().unwrap_or(0);
        for fault in Fault::ALL {
            println!("{:width$}  {}", fault.name(), fault.description());
        }
        return ExitCode::SUCCESS;
    }
    let mut faults = Faults::NONE;
    for list in &args.faults {
        match list.parse::<Faults>() {
            Ok(parsed) => faults.extend(parsed.iter()),
            Err(e) => {
                eprintln!("kensa-provider: {e} (see --list-faults)");
                return ExitCode::from(2);
            }
        }
    }
    let (defaults, port) = if args.playground {
        (ProviderOptions::playground(), PLAYGROUND_PORT)
    } else {
        (ProviderOptions::default(), DEFAULT_PORT)
    };
    // The playground's contract is fixed: a developer's environment must not bend it.
    let contract_env = |name: &str| if args.playground { None } else { env(name) };
    let options = ProviderOptions {
        id: args.id.or_else(|| contract_env("HEROKU_USERNAME")).unwrap_or(defaults.id),
        password: args.password.or_else(|| contract_env("HEROKU_PASSWORD")).unwrap_or(defaults.password),
        sso_salt: args.sso_salt.or_else(|| contract_env("SSO_SALT")).or(defaults.sso_salt),
        config_vars: if args.config_vars.is_empty() { defaults.config_vars } else { args.config_vars },
        regions: defaults.regions,
        database: args.db,
        faults,
        cors: !args.no_cors,
        base_path: args.base_path,
        sso_path: args.sso_path,
        public_url: args.public_url,
        slow_provision: Duration::from_secs(args.slow_secs),
        log_requests: !args.quiet,
        async_provisioning: args.async_provisioning,
        heroku_id_url: args.heroku_id_url,
        oauth_client_secret: args
            .oauth_client_secret
            .or_else(|| env("OAUTH_CLIENT_SECRET"))
            .unwrap_or(defaults.oauth_client_secret),
        async_delay: Duration::from_millis(args.async_delay_ms),
    };
    let addr = SocketAddr::new(args.bind, args.port.unwrap_or(port));
    if args.print_manifest {
        let origin = options.public_url.clone().unwrap_or_else(|| format!("http://{addr}"));
        let manifest = options.manifest(&origin);
        match serde_json::to_string_pretty(&manifest) {
            Ok(text) => println!("{text}"),
            Err(e) => {
                eprintln!("kensa-provider: {e}");
                return ExitCode::FAILURE;
            }
        }
        return ExitCode::SUCCESS;
    }
    match run(addr, options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kensa-provider: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(addr: SocketAddr, options: ProviderOptions) -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let local = listener.local_addr()?;
        // Secrets stay out of this banner on purpose.
        eprintln!(
            "kensa-provider: add-on {}, config vars {}, SSO {}, CORS {}, store {}, {}, faults: {}",
            options.id,
            options.config_vars.join(","),
            if options.sso_salt.is_some() { "on" } else { "off" },
            if options.cors { "on" } else { "off" },
            options.database.as_ref().map_or_else(|| "in memory".to_owned(), |p| p.display().to_string()),
            if options.async_mode() {
                format!("async (token endpoint {}/oauth/token)", options.heroku_id_url.trim_end_matches('/'))
            } else {
                "sync".to_owned()
            },
            options.faults,
        );
        if options.async_mode() && !options.heroku_id_url.to_ascii_lowercase().starts_with("http://") {
            eprintln!(
                "kensa-provider: warning: the token endpoint is not plain http, so v3 provisions with an \
                 oauth_grant cannot finish; pass --heroku-id-url http://HOST:PORT (kensa's stand-in)"
            );
        }
        // stdout gets one parsable line, so scripts can use --port 0.
        println!("kensa-provider listening on http://{local}");
        let _ = std::io::stdout().flush();
        kensa_provider::serve(listener, options).await
    })
}
