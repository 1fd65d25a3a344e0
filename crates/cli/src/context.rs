//! The command line resolved once, defaults applied: what every command reads, so no
//! command works out a default of its own from clap's raw arguments.

use crate::args::{Format, GlobalArgs};
use kensa_checks::{Limits, Settings};
use kensa_manifest::Environment;
use std::path::PathBuf;

/// Where the add-on's OAuth client secret may be given instead of `--client-secret`.
pub(crate) const CLIENT_SECRET_VARIABLE: &str = "KENSA_OAUTH_CLIENT_SECRET";

pub(crate) struct Context {
    /// The manifest (`-f`).
    pub(crate) manifest: PathBuf,
    pub(crate) format: Format,
    /// Where the report goes (`-o`); stdout when `None`.
    pub(crate) output: Option<PathBuf>,
    /// Where the run's exchanges go as HAR (`--har`, for `test` and `run`).
    pub(crate) har: Option<PathBuf>,
    pub(crate) color: bool,
    /// `--insecure`: TLS certificates are not verified.
    pub(crate) insecure: bool,
    /// What the engine runs with: environment, provision plan, timeouts, `--async`.
    /// Provision options are added only where they apply (see [`Context::engine_settings`]).
    engine: Settings,
    /// The plan `test all`, `run` and `demo` change to (`--plan`, default `foo`).
    pub(crate) plan_change_to: String,
    /// The port of the Heroku stand-in (0 for a free one).
    pub(crate) stand_in_port: u16,
    /// The add-on's OAuth client secret the stand-in insists on (`--client-secret`, else
    /// `KENSA_OAUTH_CLIENT_SECRET`).
    pub(crate) client_secret: Option<String>,
    /// `--flag value` pairs given after `test provision` that kensa does not know.
    pub(crate) provision_options: Vec<(String, String)>,
}

impl Context {
    /// `global` resolved; `provision_options` as `args::parse` took them out of the line;
    /// `har` from the command's `--har`.
    pub(crate) fn new(global: GlobalArgs, provision_options: Vec<(String, String)>, har: Option<PathBuf>) -> Context {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty());
        let client_secret = global
            .client_secret
            .clone()
            .or_else(|| std::env::var(CLIENT_SECRET_VARIABLE).ok())
            .filter(|secret| !secret.is_empty());
        let color = crate::output::use_color(global.color, no_color);
        let defaults = Settings::default();
        let engine = Settings {
            environment: if global.production { Environment::Production } else { Environment::Test },
            plan: global.plan.clone().unwrap_or(defaults.plan),
            options: Vec::new(),
            async_timeout_ms: global.asynchronous.then(|| global.async_timeout.saturating_mul(1000)),
            limits: Limits { timeout_ms: global.timeout.saturating_mul(1000), ..defaults.limits },
        };
        Context {
            manifest: global.filename,
            format: global.format,
            output: global.output,
            har,
            color,
            insecure: global.insecure,
            engine,
            plan_change_to: global.plan.unwrap_or_else(|| kensa_checks::DEFAULT_PLAN_CHANGE.to_string()),
            stand_in_port: global.callback_port,
            client_secret,
            provision_options,
        }
    }

    /// The engine's settings, sending `options` at provision.
    pub(crate) fn engine_settings(&self, options: Vec<(String, String)>) -> Settings {
        Settings { options, ..self.engine.clone() }
    }

    pub(crate) fn paint(&self) -> &dyn Fn(kensa_checks::render::Tone, &str) -> String {
        if self.color { &crate::output::ansi } else { &kensa_checks::render::plain }
    }

    /// `--timeout`: each answer's deadline (cors-proxy's too).
    pub(crate) fn timeout(&self) -> std::time::Duration {
        std::time::Duration::from_millis(self.engine.limits.timeout_ms)
    }

    /// Which of the manifest's URLs to call (`--production`).
    pub(crate) fn environment(&self) -> Environment {
        self.engine.environment
    }

    /// `--async`: a 202 is expected, and the provider finishes through the stand-in.
    pub(crate) fn asynchronous(&self) -> bool {
        self.engine.async_timeout_ms.is_some()
    }

    /// Whether progress is printed as the run goes: in human format, or whenever the
    /// report itself goes to a file.
    pub(crate) fn streams_progress(&self) -> bool {
        self.format == Format::Human || self.output.is_some()
    }
}
