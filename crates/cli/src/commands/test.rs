//! `kensa test ...`: runs check suites through the engine, prints the report as it grows and
//! keeps the resource ledger up to date. `run`, `demo` and `resources` go through here too.

use crate::args::{Format, ResourceArgs};
use crate::error::CliError;
use crate::ledger_file::LedgerFile;
use crate::native::{OsRandom, ReqwestTransport, SystemClock};
use crate::output::print;
use crate::standin::HerokuStandIn;
use crate::{Context, ExitStatus, Result};
use kensa_checks::render::{self, TextWriter};
use kensa_checks::{CallbackReceiver, CheckRun, Effects, Event, Provenance, Report, Suite};
use std::path::Path;

/// What the command line asked to run after the manifest checks, before any resource it
/// names is looked up in the ledger.
pub(crate) enum RunRequest {
    Suite(Suite),
    /// A suite on one existing resource, named as the user named it.
    OnResource(ResourceRequest),
    /// `kensa run`: the command and its arguments.
    Run(Vec<String>),
}

/// A [`RunRequest`] with its resources found.
enum Work {
    Suites(Vec<Suite>),
    Run(Vec<String>),
}

/// `test deprovision`, `test planchange` and `test sso` before their resource is known.
pub(crate) struct ResourceRequest {
    pub(crate) key: Option<String>,
    pub(crate) resource: ResourceArgs,
    pub(crate) wanted: Wanted,
}

/// What to do to the resource.
pub(crate) enum Wanted {
    Deprovision,
    PlanChange(String),
    Sso {
        force_post: bool,
    },
    /// `kensa resources --cleanup`: deprovision every resource listed.
    CleanUp,
}

impl RunRequest {
    /// How the ledger names the command that made a resource.
    fn command_label(&self) -> &'static str {
        match self {
            RunRequest::Suite(Suite::Provision) => "kensa test provision",
            RunRequest::Suite(Suite::All { with_sso: true, .. }) => "kensa test all --with-sso",
            RunRequest::Suite(_) => "kensa test all",
            RunRequest::OnResource(_) => "kensa test",
            RunRequest::Run(_) => "kensa run",
        }
    }
}

/// The suite `request` asks for, its resource found in the ledger (see [`LedgerFile::resolve`]).
/// `manifest_id` is the manifest's declared `id`, when it has one.
fn resolve(
    context: &Context,
    manifest_id: Option<&str>,
    ledger: &LedgerFile,
    request: ResourceRequest,
) -> Result<Vec<Suite>> {
    let ResourceRequest { key, resource, wanted } = request;
    let Some(manifest_id) = manifest_id else {
        // The engine reports the manifest and stops before it needs a resource.
        return Ok(vec![Suite::Manifest]);
    };
    let environment = context.environment();
    let keys =
        || ledger.resolve(manifest_id, environment, key.as_deref(), resource.id.as_deref(), resource.uuid.as_deref());
    Ok(match wanted {
        Wanted::CleanUp => {
            ledger.usable()?;
            ledger
                .ledger()
                .live(manifest_id, environment)
                .map(|entry| Suite::Deprovision { resource: entry.keys() })
                .collect()
        }
        Wanted::Deprovision => vec![Suite::Deprovision { resource: keys()? }],
        Wanted::PlanChange(plan) => vec![Suite::PlanChange { resource: keys()?, plan }],
        Wanted::Sso { force_post } => vec![Suite::Sso { resource: keys()?, force_post }],
    })
}

/// Reads the manifest file and runs `request`.
pub(crate) fn run_file(context: &Context, request: RunRequest) -> Result<ExitStatus> {
    let path = &context.manifest;
    if let Some(output) = &context.output
        && crate::files::same_file(output, path)
    {
        return Err(CliError::new(format!(
            "-o {} is the manifest itself; not replacing the manifest with the report",
            output.display()
        ))
        .hint("write the report to another file"));
    }
    if let Some(output) = &context.output
        && crate::ledger_file::is_the_ledger(output, path)
    {
        return Err(CliError::new(format!(
            "-o {} is the resource ledger; not replacing the record of what kensa provisioned with the report",
            output.display()
        ))
        .hint("write the report to another file"));
    }
    let source = crate::files::read_input(path)?;
    run_source(context, path, &source, request).map(|report| exit_status(&report))
}

pub(crate) fn exit_status(report: &Report) -> ExitStatus {
    if report.passed() { ExitStatus::Passed } else { ExitStatus::Failed }
}

/// Runs `request` on `source` (read from `manifest`, beside which the ledger lives), streaming
/// human output, then writes the report where asked.
pub(crate) fn run_source(context: &Context, manifest: &Path, source: &[u8], request: RunRequest) -> Result<Report> {
    if context.insecure {
        eprintln!("warning: --insecure: TLS certificates are not verified");
    }
    let options = match &request {
        RunRequest::Suite(_) => context.provision_options.clone(),
        RunRequest::OnResource(_) | RunRequest::Run(_) => Vec::new(),
    };
    let mut ledger = LedgerFile::beside(manifest);
    let validation = kensa_manifest::validate(source);
    let manifest_id = validation.declared_id().map(str::to_string);
    let provenance = Provenance {
        manifest_id: manifest_id.clone().unwrap_or_default(),
        environment: context.environment(),
        command: request.command_label().to_string(),
    };
    let work = match request {
        RunRequest::Suite(suite) => Work::Suites(vec![suite]),
        RunRequest::OnResource(request) => Work::Suites(resolve(context, manifest_id.as_deref(), &ledger, request)?),
        RunRequest::Run(command) => Work::Run(command),
    };
    let stream_human = context.streams_progress();
    let transport = ReqwestTransport::new(context.insecure);
    let runtime = crate::http::runtime()?;
    let heroku = match context.stand_in_port {
        Some(port) => {
            let heroku = runtime.block_on(HerokuStandIn::start(port)).map_err(|error| {
                CliError::new(format!("cannot start the Heroku stand-in on 127.0.0.1:{port}: {error}"))
            })?;
            if stream_human {
                print(&format!("Heroku stand-in for asynchronous provisioning listening on {}\n", heroku.origin()));
            }
            Some(heroku)
        }
        None => None,
    };
    let paint = context.paint();
    let mut writer = TextWriter::default();
    let mut sink = |event: Event<'_>| {
        if let Event::Resource(change) = event {
            ledger.apply(change, &provenance, &SystemClock);
        }
        if stream_human {
            print(&writer.event(event, paint));
        }
    };
    let mut ids = OsRandom::default();
    let callbacks = heroku.as_ref().map(|heroku| heroku as &dyn CallbackReceiver);
    let effects = Effects { transport: &transport, clock: &SystemClock, ids: &mut ids, sink: &mut sink, callbacks };
    let session = CheckRun::new(effects, context.engine_settings(options));
    let report = runtime.block_on(async move {
        match work {
            Work::Suites(suites) => session.run_each(&validation, suites).await,
            Work::Run(command) => {
                super::run::run_command(session, &validation, &command, &context.plan_change_to).await
            }
        }
    });
    if stream_human {
        print(&writer.finish(paint));
    }
    write_report(context, &report)?;
    Ok(report)
}

/// The report in `--format`, to `--output` or (when not streamed already) to stdout.
fn write_report(context: &Context, report: &Report) -> Result<()> {
    let rendered = match context.format {
        Format::Human => render::text(report, &render::plain),
        Format::Json => render::json(report) + "\n",
        Format::Junit => render::junit(report),
    };
    match &context.output {
        Some(path) => match crate::files::write_output(path, rendered.as_bytes()) {
            Ok(crate::files::Written::LinkReplaced) => {
                eprintln!(
                    "warning: {} was a symbolic link; replaced it with the report (nothing was written where it pointed)",
                    path.display()
                );
                Ok(())
            }
            Ok(_) => Ok(()),
            Err(error) => Err(CliError::new(format!("cannot write {}: {error}", path.display()))),
        },
        None if context.format == Format::Human => Ok(()),
        None => {
            print(&rendered);
            Ok(())
        }
    }
}
