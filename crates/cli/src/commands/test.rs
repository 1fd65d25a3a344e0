//! `kensa test ...`, `kensa run` and `kensa demo`: run check suites through the engine and
//! print the report as it grows.

use crate::args::{Format, ResourceArgs};
use crate::error::CliError;
use crate::ledger_file::{LedgerFile, Provenance};
use crate::native::{OsRandom, ReqwestTransport, SystemClock};
use crate::output::print;
use crate::standin::HerokuStandIn;
use crate::{Context, ExitStatus, Result};
use kensa_checks::render::visible;
use kensa_checks::render::{self, TextWriter};
use kensa_checks::{CommandOutcome, Effects, Event, Limits, Provisioned, Report, Session, Settings, Suite};
use kensa_manifest::Environment;
use std::path::Path;
use std::process::Stdio;

/// What to do after the manifest checks.
pub(crate) enum Job {
    Suite(Suite),
    /// A suite on one existing resource, named as the user named it.
    OnResource(ResourceRequest),
    /// `kensa run`: the command and its arguments.
    Run(Vec<String>),
}

/// A [`Job`] with its resources found.
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

impl Job {
    /// How the ledger names the command that made a resource.
    fn command_label(&self) -> &'static str {
        match self {
            Job::Suite(Suite::Provision) => "kensa test provision",
            Job::Suite(Suite::All { with_sso: true, .. }) => "kensa test all --with-sso",
            Job::Suite(_) => "kensa test all",
            Job::OnResource(_) => "kensa test",
            Job::Run(_) => "kensa run",
        }
    }
}

/// The manifest's `id`, when the source is a JSON object that has one.
fn manifest_id(source: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(source).ok()?;
    value.get("id")?.as_str().map(str::to_string)
}

fn environment(context: &Context) -> Environment {
    if context.global.production { Environment::Production } else { Environment::Test }
}

/// The suite `request` asks for, its resource found in the ledger (see [`LedgerFile::resolve`]).
fn resolve(context: &Context, source: &[u8], ledger: &LedgerFile, request: ResourceRequest) -> Result<Vec<Suite>> {
    let ResourceRequest { key, resource, wanted } = request;
    let Some(manifest_id) = manifest_id(source) else {
        // The engine reports the manifest and stops before it needs a resource.
        return Ok(vec![Suite::Manifest]);
    };
    let environment = environment(context);
    if let Wanted::CleanUp = wanted {
        let listed: Vec<Suite> = ledger
            .ledger()
            .live(&manifest_id, environment)
            .map(|entry| Suite::Deprovision { resource: entry.keys() })
            .collect();
        return Ok(listed);
    }
    let keys =
        ledger.resolve(&manifest_id, environment, key.as_deref(), resource.id.as_deref(), resource.uuid.as_deref())?;
    Ok(vec![match wanted {
        Wanted::Deprovision | Wanted::CleanUp => Suite::Deprovision { resource: keys },
        Wanted::PlanChange(plan) => Suite::PlanChange { resource: keys, plan },
        Wanted::Sso { force_post } => Suite::Sso { resource: keys, force_post },
    }])
}

/// Reads the manifest file and runs `job`.
pub(crate) fn run_file(context: &Context, job: Job) -> Result<ExitStatus> {
    let path = &context.global.filename;
    if let Some(output) = &context.global.output
        && crate::files::same_file(output, path)
    {
        return Err(CliError::new(format!(
            "-o {} is the manifest itself; not replacing the manifest with the report",
            output.display()
        ))
        .hint("write the report to another file"));
    }
    let source = crate::files::read_input(path)?;
    run_source(context, path, &source, job).map(|report| exit_status(&report))
}

/// `kensa resources [--cleanup]`: what the ledger beside the manifest lists for this add-on.
pub(crate) fn resources(context: &Context, cleanup: bool) -> Result<ExitStatus> {
    let path = &context.global.filename;
    let source = crate::files::read_input(path)?;
    if cleanup {
        let request = ResourceRequest { key: None, resource: ResourceArgs::default(), wanted: Wanted::CleanUp };
        return run_source(context, path, &source, Job::OnResource(request)).map(|report| exit_status(&report));
    }
    let ledger = LedgerFile::beside(path);
    let Some(manifest_id) = manifest_id(&source) else {
        return Err(CliError::new(format!("{} has no add-on id", path.display()))
            .hint("run `kensa test manifest` to see every problem"));
    };
    let listed: Vec<_> = ledger.ledger().resources.iter().filter(|entry| entry.manifest_id == manifest_id).collect();
    if listed.is_empty() {
        print(&format!("No resources of `{}` left behind ({}).\n", visible(&manifest_id), ledger.path().display()));
        return Ok(ExitStatus::Passed);
    }
    print(&format!(
        "Resources of `{}` kensa provisioned and has not seen deprovisioned ({}):\n",
        visible(&manifest_id),
        ledger.path().display()
    ));
    for entry in listed {
        print(&format!(
            "  uuid {}  id {}  plan {}  {}  {}  by `{}`\n",
            visible(&entry.uuid),
            visible(&entry.id),
            visible(&entry.plan),
            visible(&entry.environment),
            visible(&entry.created_at),
            visible(&entry.command)
        ));
    }
    print("Remove them with `kensa resources --cleanup`; use one with `kensa test sso KEY` (either key).\n");
    Ok(ExitStatus::Passed)
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
        limits: Limits { timeout_ms: context.global.timeout.saturating_mul(1000), ..Limits::default() },
    }
}

/// Runs `job` on `source` (read from `manifest`, beside which the ledger lives), streaming
/// human output, then writes the report where asked.
pub(crate) fn run_source(context: &Context, manifest: &Path, source: &[u8], job: Job) -> Result<Report> {
    if context.global.insecure {
        eprintln!("warning: --insecure: TLS certificates are not verified");
    }
    let options = match &job {
        Job::Suite(_) => context.provision_options.clone(),
        Job::OnResource(_) | Job::Run(_) => Vec::new(),
    };
    let mut ledger = LedgerFile::beside(manifest);
    let provenance = Provenance {
        manifest_id: manifest_id(source).unwrap_or_default(),
        environment: environment(context),
        command: job.command_label().to_string(),
    };
    let work = match job {
        Job::Suite(suite) => Work::Suites(vec![suite]),
        Job::OnResource(request) => Work::Suites(resolve(context, source, &ledger, request)?),
        Job::Run(command) => Work::Run(command),
    };
    let mut transport = ReqwestTransport::new(context.global.insecure);
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
        if let Event::Resource(change) = event {
            ledger.apply(change, &provenance, &SystemClock);
        }
        if stream_human {
            print(&writer.event(event, paint));
        }
    };
    let mut ids = OsRandom::default();
    let effects = Effects { transport: &transport, clock: &SystemClock, ids: &mut ids, sink: &mut sink };
    let session = Session::new(effects, settings(context, options));
    let plan_change_plan = context.global.plan.clone().unwrap_or_else(|| "foo".to_string());
    let report = runtime.block_on(async move {
        match work {
            Work::Suites(suites) => session.run_each(source, suites).await,
            Work::Run(command) => run_command(session, source, &command, &plan_change_plan).await,
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
    let (declared, undeclared) = split_declared(&resource.config, &manifest.api.config_vars);
    if !undeclared.is_empty() {
        let names: Vec<String> = undeclared.iter().map(|name| name.escape_debug().to_string()).collect();
        eprintln!(
            "warning: not exporting {} to the command: the manifest's `api.config_vars` does not declare {} (R05)",
            names.join(", "),
            if names.len() == 1 { "it" } else { "them" }
        );
    }
    let exported = Provisioned { config: declared, ..resource.clone() };
    session.message(&format!("\nStarting {display}...\n"));
    let outcome = spawn_and_wait(command, &exported.config);
    session.message(&format!("\nEnd of {display}"));
    session.record_command(&display, &exported, &outcome);
    session.plan_change(&manifest, &resource.keys(), plan).await;
    session.deprovision(&manifest, &resource.keys()).await;
    session.into_report()
}

/// The config vars the manifest declares (exported to the command), and the names of the
/// others. A provider must not choose `PATH`, `LD_PRELOAD` or `BASH_ENV` for the user.
fn split_declared(config: &[(String, String)], declared: &[String]) -> (Vec<(String, String)>, Vec<String>) {
    let (kept, dropped): (Vec<_>, Vec<_>) = config.iter().cloned().partition(|(name, _)| declared.contains(name));
    (kept, dropped.into_iter().map(|(name, _)| name).collect())
}

/// Starts `command` with the declared config vars added to kensa's own environment. The
/// program is looked up on the user's `PATH` first and started by that path, so nothing
/// the provider returned decides which program runs.
fn spawn_and_wait(command: &[String], config: &[(String, String)]) -> CommandOutcome {
    let Some((program, args)) = command.split_first() else {
        return CommandOutcome::NotStarted("no command given".to_string());
    };
    let Some(resolved) = resolve_program(program, std::env::var_os("PATH").as_deref()) else {
        return CommandOutcome::NotStarted(format!("{program}: command not found"));
    };
    let mut child = std::process::Command::new(&resolved);
    #[cfg(unix)]
    std::os::unix::process::CommandExt::arg0(&mut child, program);
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

/// Where `program` is, found as a shell would on `path` (the user's `PATH`): a name with
/// a `/` is used as it is; otherwise the first executable file of that name in a `PATH`
/// folder (an empty entry is the current folder), made absolute.
#[cfg(unix)]
fn resolve_program(program: &str, path: Option<&std::ffi::OsStr>) -> Option<std::path::PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    if program.is_empty() {
        return None;
    }
    if program.contains('/') {
        return Some(program.into());
    }
    // What execvp searches when PATH is unset.
    let path = path.unwrap_or_else(|| std::ffi::OsStr::new("/bin:/usr/bin"));
    std::env::split_paths(path).find_map(|folder| {
        let folder = if folder.as_os_str().is_empty() { std::path::PathBuf::from(".") } else { folder };
        let candidate = folder.join(program);
        let metadata = std::fs::metadata(&candidate).ok()?;
        let executable = metadata.is_file() && metadata.permissions().mode() & 0o111 != 0;
        executable.then(|| std::path::absolute(&candidate).unwrap_or(candidate))
    })
}

/// Elsewhere the provider cannot set `PATH` (it is never declared), so the system's own
/// lookup is kept.
#[cfg(not(unix))]
fn resolve_program(program: &str, _path: Option<&std::ffi::OsStr>) -> Option<std::path::PathBuf> {
    (!program.is_empty()).then(|| program.into())
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
    let random = |what: &str| crate::random::random_hex().map_err(|error| CliError::new(format!("{what}: {error}")));
    let options = kensa_provider::ProviderOptions {
        password: random("password")?,
        sso_salt: Some(random("salt")?),
        ..kensa_provider::ProviderOptions::default()
    };
    let provider = kensa_provider::spawn_thread(options)
        .map_err(|error| CliError::new(format!("cannot start the reference provider: {error}")))?;
    // A fresh folder with an unguessable name, made atomically with mode 0700: nothing
    // planted in the temporary folder beforehand can catch the password and salt.
    let mut builder = tempfile::Builder::new();
    builder.prefix("kensa-demo-");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // mkdir with 0700 itself, not a chmod afterwards (tempfile's default is 0777 less umask).
        builder.permissions(std::fs::Permissions::from_mode(0o700));
    }
    let dir = builder.tempdir().map_err(|error| {
        CliError::new(format!("cannot create a folder in {}: {error}", std::env::temp_dir().display()))
    })?;
    let manifest_path = dir.path().join("addon-manifest.json");
    let manifest = serde_json::to_string_pretty(&provider.manifest()).unwrap_or_default() + "\n";
    crate::files::create_new(&manifest_path, manifest.as_bytes(), Some(0o600))
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
        &manifest_path,
        manifest.as_bytes(),
        Job::Suite(Suite::All {
            plan: context.global.plan.clone().unwrap_or_else(|| "foo".to_string()),
            with_sso: true,
        }),
    );
    let left = provider.resource_count();
    drop(provider);
    let kept = if keep {
        Some(dir.keep())
    } else {
        // Removes the folder.
        drop(dir);
        None
    };
    let report = report?;
    if context.format() == Format::Human {
        match left {
            Ok(count) => print(&format!("The reference provider holds {count} resources after the run.\n")),
            Err(error) => eprintln!("warning: cannot count the provider's resources: {error}"),
        }
    }
    if let Some(kept) = kept {
        let note = format!(
            "Kept the manifest (mode 0600, in a 0700 folder): {}\n",
            kept.join("addon-manifest.json").display()
        );
        if context.format() == Format::Human { print(&note) } else { eprint!("{note}") }
    }
    Ok(exit_status(&report))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_declared_config_vars_are_exported() {
        let config: Vec<(String, String)> = [("PATH", "/evil"), ("MYADDON_URL", "u"), ("LD_PRELOAD", "/evil.so")]
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .into();
        let (exported, left_out) = split_declared(&config, &["MYADDON_URL".to_string()]);
        assert_eq!(exported, [("MYADDON_URL".to_string(), "u".to_string())]);
        assert_eq!(left_out, ["PATH", "LD_PRELOAD"]);
    }

    /// Issue 10: the program is found on the PATH given (the user's), as a shell finds it.
    #[cfg(unix)]
    #[test]
    fn programs_are_found_on_the_given_path_only() {
        use std::os::unix::fs::PermissionsExt;
        let first = tempfile::tempdir().unwrap();
        let second = tempfile::tempdir().unwrap();
        let make = |dir: &std::path::Path, mode: u32| {
            let path = dir.join("tool");
            std::fs::write(&path, "#!/bin/sh\n").unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
            path
        };
        make(first.path(), 0o644);
        let executable = make(second.path(), 0o755);
        let path = std::env::join_paths([first.path(), second.path()]).unwrap();
        // The first `tool` is not executable, so the second is the one.
        assert_eq!(resolve_program("tool", Some(&path)), Some(executable));
        assert_eq!(resolve_program("tool", Some(std::ffi::OsStr::new("/kensa-nowhere"))), None);
        assert_eq!(resolve_program("./tool", Some(&path)), Some("./tool".into()));
        assert_eq!(resolve_program("", Some(&path)), None);
    }
}
