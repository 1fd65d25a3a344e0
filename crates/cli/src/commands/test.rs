//! `kensa test ...`, `kensa run` and `kensa demo`: run check suites through the engine and
//! print the report as it grows.

use crate::args::Format;
use crate::error::CliError;
use crate::native::{OsRandom, ReqwestTransport, SystemClock};
use crate::output::print;
use crate::standin::HerokuStandIn;
use crate::{Context, ExitStatus, Result};
use kensa_checks::render::{self, TextWriter};
use kensa_checks::{CommandOutcome, Effects, Event, Report, Session, Settings, Suite};
use kensa_manifest::Environment;
use std::process::Stdio;

/// What to do after the manifest checks.
pub(crate) enum Job {
    Suite(Suite),
    /// `kensa run`: the command and its arguments.
    Run(Vec<String>),
}

/// Reads the manifest file and runs `job`.
pub(crate) fn run_file(context: &Context, job: Job) -> Result<ExitStatus> {
    let path = &context.global.filename;
    let source = std::fs::read(path).map_err(|error| CliError::unreadable(path, &error))?;
    run_source(context, &source, job).map(|report| exit_status(&report))
}

pub(crate) fn exit_status(report: &Report) -> ExitStatus {
    if report.passed() { ExitStatus::Passed } else { ExitStatus::Failed }
}

pub(crate) fn settings(context: &Context, options: Vec<(String, String)>) -> Settings {
    Settings {
        environment: if context.global.production { Environment::Production } else { Environment::Test },
        plan: context.global.plan.clone().unwrap_or_else(|| "test".to_string()),
        options,
        async_timeout_ms: context.global.asynchronous.then(|| context.global.async_timeout.saturating_mul(1000)),
        ..Settings::default()
    }
}

/// Runs `job` on `source`, streaming human output, then writes the report where asked.
pub(crate) fn run_source(context: &Context, source: &[u8], job: Job) -> Result<Report> {
    if context.global.insecure {
        eprintln!("warning: --insecure: TLS certificates are not verified");
    }
    let options = match &job {
        Job::Suite(_) => context.provision_options.clone(),
        Job::Run(_) => Vec::new(),
    };
    let mut transport = ReqwestTransport::new(context.global.insecure).map_err(CliError::new)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| CliError::new(format!("cannot start the async runtime: {error}")))?;
    if context.global.asynchronous {
        let port = context.global.callback_port;
        let heroku = runtime
            .block_on(HerokuStandIn::start(port))
            .map_err(|error| CliError::new(format!("cannot start the Heroku stand-in on 127.0.0.1:{port}: {error}")))?;
        if context.format() == Format::Human || context.global.output.is_some() {
            print(&format!("Heroku stand-in for asynchronous provisioning listening on {}\n", heroku.origin()));
        }
        transport.heroku = Some(heroku);
    }
    let stream_human = context.format() == Format::Human || context.global.output.is_some();
    let paint = context.paint();
    let mut writer = TextWriter::default();
    let mut sink = |event: Event<'_>| {
        if stream_human {
            print(&writer.event(event, paint));
        }
    };
    let mut ids = OsRandom::default();
    let effects = Effects { transport: &transport, clock: &SystemClock, ids: &mut ids, sink: &mut sink };
    let session = Session::new(effects, settings(context, options));
    let plan_change_plan = context.global.plan.clone().unwrap_or_else(|| "foo".to_string());
    let report = runtime.block_on(async move {
        match job {
            Job::Suite(suite) => session.run(source, suite).await,
            Job::Run(command) => run_command(session, source, &command, &plan_change_plan).await,
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
    let rendered = match context.format() {
        Format::Human => render::text(report, &render::plain),
        Format::Json => render::json(report) + "\n",
        Format::Junit => render::junit(report),
    };
    match &context.global.output {
        Some(path) => std::fs::write(path, rendered)
            .map_err(|error| CliError::new(format!("cannot write {}: {error}", path.display()))),
        None if context.format() == Format::Human => Ok(()),
        None => {
            print(&rendered);
            Ok(())
        }
    }
}

/// `kensa run`: provision, run the command with the config vars, change plan, deprovision.
async fn run_command<T: kensa_checks::Transport>(
    mut session: Session<'_, T>,
    source: &[u8],
    command: &[String],
    plan: &str,
) -> Report {
    let Some(manifest) = session.check_manifest(source) else {
        return session.into_report();
    };
    let Some(resource) = session.provision(&manifest).await else {
        return session.into_report();
    };
    let display = command.join(" ");
    session.message(&format!("\nStarting {display}...\n"));
    let outcome = spawn_and_wait(command, &resource.config);
    session.message(&format!("\nEnd of {display}"));
    session.record_command(&display, &resource, &outcome);
    session.plan_change(&manifest, &resource.key, plan).await;
    session.deprovision(&manifest, &resource.key).await;
    session.into_report()
}

fn spawn_and_wait(command: &[String], config: &[(String, String)]) -> CommandOutcome {
    let Some((program, args)) = command.split_first() else {
        return CommandOutcome::NotStarted("no command given".to_string());
    };
    let mut child = std::process::Command::new(program);
    child.args(args).envs(config.iter().map(|(key, value)| (key, value)));
    // Keep a machine-readable report on stdout clean of the command's own output.
    child.stdout(Stdio::from(std::io::stderr()));
    match child.status() {
        Ok(status) => match status.code() {
            Some(code) => CommandOutcome::Exited(code),
            None => CommandOutcome::Signalled(signal_of(&status)),
        },
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            CommandOutcome::NotStarted(format!("{program}: command not found"))
        }
        Err(error) => CommandOutcome::NotStarted(error.to_string()),
    }
}

#[cfg(unix)]
fn signal_of(status: &std::process::ExitStatus) -> i32 {
    use std::os::unix::process::ExitStatusExt;
    status.signal().unwrap_or(0)
}

#[cfg(not(unix))]
fn signal_of(_: &std::process::ExitStatus) -> i32 {
    0
}

/// `kensa demo`: the reference provider on a free loopback port, a matching manifest in a
/// temporary folder, and `test all` against it.
pub(crate) fn demo(context: &Context, keep: bool) -> Result<ExitStatus> {
    let random = |what: &str| crate::native::random_hex().map_err(|error| CliError::new(format!("{what}: {error}")));
    let options = kensa_provider::ProviderOptions {
        password: random("password")?,
        sso_salt: Some(random("salt")?),
        ..kensa_provider::ProviderOptions::default()
    };
    let provider = kensa_provider::spawn_thread(options)
        .map_err(|error| CliError::new(format!("cannot start the reference provider: {error}")))?;
    let dir = std::env::temp_dir().join(format!("kensa-demo-{}", std::process::id()));
    std::fs::create_dir_all(&dir)
        .map_err(|error| CliError::new(format!("cannot create {}: {error}", dir.display())))?;
    let manifest_path = dir.join("addon-manifest.json");
    let manifest = serde_json::to_string_pretty(&provider.manifest()).unwrap_or_default() + "\n";
    std::fs::write(&manifest_path, &manifest)
        .map_err(|error| CliError::new(format!("cannot write {}: {error}", manifest_path.display())))?;
    if context.format() == Format::Human {
        print(&format!(
            "Reference provider listening on {}\nManifest written to {}\n",
            provider.base_url(),
            manifest_path.display()
        ));
    }
    let report = run_source(
        context,
        manifest.as_bytes(),
        Job::Suite(Suite::All {
            plan: context.global.plan.clone().unwrap_or_else(|| "foo".to_string()),
            with_sso: true,
        }),
    );
    let left = provider.resource_count();
    drop(provider);
    if !keep {
        let _ = std::fs::remove_dir_all(&dir);
    }
    let report = report?;
    if context.format() == Format::Human {
        match left {
            Ok(count) => print(&format!("The reference provider holds {count} resources after the run.\n")),
            Err(error) => eprintln!("warning: cannot count the provider's resources: {error}"),
        }
    }
    Ok(exit_status(&report))
}
