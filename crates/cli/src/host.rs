//! The host side of a run, for every command that drives the engine (`test`, `run`, `demo`,
//! `resources --cleanup`): the manifest file read once, the resources of the ledger beside
//! it, and around the engine the transport, the Heroku stand-in, the ledger sink, the
//! streamed human output and the report file (which `report` writes too).

use crate::args::{Format, ResourceArgs};
use crate::context::Context;
use crate::error::{CliError, Result};
use crate::ledger_file::LedgerFile;
use crate::native::{OsRandom, ReqwestTransport, SystemClock};
use crate::output::{print, warn_line};
use crate::standin::HerokuStandIn;
use kensa_checks::render::{self, TextWriter};
use kensa_checks::{CallbackReceiver, CheckRun, Effects, Event, Provenance, Provisioned, Report, ResourceKeys, Suite};
use kensa_manifest::{Manifest, Validation};
use std::path::{Path, PathBuf};

/// The engine session a command-line run drives.
pub(crate) type Session<'a> = CheckRun<'a, ReqwestTransport>;

/// The manifest a run checks, read and validated once, and the ledger beside it.
pub(crate) struct ManifestFile<'a> {
    context: &'a Context,
    /// The one validation of the file: the engine reports it, and the ledger lists
    /// resources under its declared `id`.
    validation: Validation,
    ledger: LedgerFile,
    /// The manifest's path as given, which GitHub annotations name.
    path: PathBuf,
}

impl<'a> ManifestFile<'a> {
    /// Reads the manifest file (`-f`) for a run. An `-o` or `--har` naming the manifest or
    /// the ledger is refused first, as is a `--har` naming the `-o` file: what the run
    /// writes would replace it.
    pub(crate) fn read(context: &'a Context) -> Result<ManifestFile<'a>> {
        let path = &context.manifest;
        refuse_output_over(context, None)?;
        let source = crate::files::read_input(path)?;
        Ok(ManifestFile::from_source(context, path, source))
    }

    /// The manifest `source`, read from `manifest` (beside which the ledger lives). Warns of
    /// `--insecure` here, before any resource is looked up, so every run starts with it.
    pub(crate) fn from_source(context: &'a Context, manifest: &Path, source: Vec<u8>) -> ManifestFile<'a> {
        if context.insecure {
            warn_line!("warning: --insecure: TLS certificates are not verified");
        }
        let ledger = LedgerFile::beside(manifest);
        let validation = kensa_manifest::validate(&source);
        ManifestFile { context, validation, ledger, path: manifest.to_path_buf() }
    }

    /// The resource KEY, `--id` or `--uuid` name, from the ledger (see [`LedgerFile::resolve`]);
    /// `None` when the manifest declares no id: it is invalid, and the engine stops after
    /// its checks before any resource is needed.
    pub(crate) fn find(&self, key: Option<&str>, named: &ResourceArgs) -> Result<Option<ResourceKeys>> {
        let Some(manifest_id) = self.validation.declared_id() else { return Ok(None) };
        let environment = self.context.environment();
        self.ledger.resolve(manifest_id, environment, key, named.id.as_deref(), named.uuid.as_deref()).map(Some)
    }

    /// Whether `key` names a live resource of this add-on in the ledger.
    pub(crate) fn lists(&self, key: &str) -> bool {
        let Some(manifest_id) = self.validation.declared_id() else { return false };
        let ledger = self.ledger.ledger();
        matches!(
            ledger.find(manifest_id, self.context.environment(), Some(key)),
            kensa_checks::ledger::Lookup::Found(_)
        )
    }

    /// Every resource the ledger lists as live for this add-on (none when the manifest
    /// declares no id, as for [`ManifestFile::find`]). An unusable ledger is an error, not
    /// an empty list.
    pub(crate) fn live(&self) -> Result<Vec<ResourceKeys>> {
        let Some(manifest_id) = self.validation.declared_id() else { return Ok(Vec::new()) };
        self.ledger.usable()?;
        Ok(self.ledger.ledger().live(manifest_id, self.context.environment()).map(|entry| entry.keys()).collect())
    }

    /// Runs the manifest checks, then `suites`. `command` is how the ledger names what made
    /// a resource; `options` are sent at provision.
    pub(crate) fn run_suites(
        self,
        command: &str,
        options: Vec<(String, String)>,
        suites: Vec<Suite>,
    ) -> Result<Report> {
        self.drive(command, options, async |session, validation| session.run_each(validation, suites).await)
    }

    /// `kensa run`: the manifest checks and a provision, then `use_resource` (the host runs
    /// the user's command), then the plan change and the deprovision.
    pub(crate) fn run_with_resource(
        self,
        command: &str,
        use_resource: impl FnOnce(&mut Session<'_>, &Manifest, &Provisioned),
    ) -> Result<Report> {
        let plan = self.context.plan_change_to.clone();
        self.drive("kensa run", Vec::new(), async |session, validation| {
            session.run_with_resource(validation, &plan, command, use_resource).await
        })
    }

    /// Sets the engine's effects up, lets `engine` run the session on the validated manifest, then
    /// writes the report where asked. Human output streams as the run goes; if stdout fails
    /// meanwhile, the run still ends (resources deprovisioned, the ledger kept) and the
    /// failure is returned instead of the report.
    fn drive(
        self,
        command: &str,
        options: Vec<(String, String)>,
        engine: impl AsyncFnOnce(Session<'_>, &Validation) -> Report,
    ) -> Result<Report> {
        let ManifestFile { context, validation, mut ledger, path } = self;
        let provenance = Provenance {
            manifest_id: validation.declared_id().unwrap_or_default().to_string(),
            environment: context.environment(),
            command: command.to_string(),
        };
        let stream_human = context.streams_progress();
        let transport = ReqwestTransport::new(context.insecure);
        let runtime = crate::http::runtime()?;
        // Every run gets one, so that `callback_url` never sends a provider to Heroku's
        // real API with a grant kensa made up; under --async it is what the run waits on.
        let port = context.stand_in_port;
        let heroku = runtime
            .block_on(HerokuStandIn::start(port, context.client_secret.clone()))
            .map_err(|error| CliError::new(format!("cannot start the Heroku stand-in on 127.0.0.1:{port}: {error}")))?;
        if stream_human && context.asynchronous() {
            print(&format!("Heroku stand-in for asynchronous provisioning listening on {}\n", heroku.origin()))?;
        }
        let paint = context.paint();
        let mut writer = TextWriter::default();
        let mut streamed = Ok(());
        let mut sink = |event: Event<'_>| {
            if let Event::Resource(change) = event {
                ledger.apply(change, &provenance, &SystemClock);
            }
            if stream_human && streamed.is_ok() {
                streamed = print(&writer.event(event, paint));
            }
        };
        let mut ids = OsRandom::default();
        let callbacks = Some(&heroku as &dyn CallbackReceiver);
        let effects = Effects { transport: &transport, clock: &SystemClock, ids: &mut ids, sink: &mut sink, callbacks };
        let mut session = CheckRun::new(effects, context.engine_settings(options));
        if let Some(secret) = &context.client_secret {
            session.add_secret(secret.clone());
        }
        let report = runtime.block_on(engine(session, &validation));
        streamed?;
        if stream_human {
            print(&writer.finish(paint))?;
        }
        write_report(context, &report, &path, Some(&validation))?;
        if let Some(har) = &context.har {
            write_file(har, &render::har(&report), "the HAR")?;
        }
        Ok(report)
    }
}

/// Refuses an `-o` or `--har` that names the manifest (`-f`), the ledger beside it, or
/// `input` (a file the command reads), and a `--har` naming the `-o` file: what the run
/// writes would replace it.
pub(crate) fn refuse_output_over(context: &Context, input: Option<&Path>) -> Result<()> {
    let manifest = &context.manifest;
    let written = [("-o", "the report", context.output.as_deref()), ("--har", "the HAR", context.har.as_deref())];
    for (flag, what, file) in written {
        let Some(file) = file else { continue };
        let replaced = if crate::files::same_file(file, manifest) {
            format!("the manifest itself; not replacing the manifest with {what}")
        } else if crate::ledger_file::is_the_ledger(file, manifest) {
            format!("the resource ledger; not replacing the record of what kensa provisioned with {what}")
        } else if input.is_some_and(|input| crate::files::same_file(file, input)) {
            "the report being read; not replacing it with its rendering".to_owned()
        } else if flag == "--har"
            && context.output.as_deref().is_some_and(|output| crate::files::names_one_file(file, output))
        {
            format!("the -o file too; not replacing the report with {what}")
        } else {
            continue;
        };
        return Err(CliError::new(format!("{flag} {} is {replaced}", file.display()))
            .hint(format!("write {what} to another file")));
    }
    Ok(())
}

/// The report in `--format`, to `--output` or (when not streamed already) to stdout;
/// `manifest` is the manifest's path as given, `validation` what was read from it (when it
/// could be read: SARIF places live checks at its base URL).
pub(crate) fn write_report(
    context: &Context,
    report: &Report,
    manifest: &Path,
    validation: Option<&Validation>,
) -> Result<()> {
    let rendered = match context.format {
        Format::Human => render::text(report, &render::plain),
        Format::Json => render::json(report) + "\n",
        Format::Junit => render::junit(report),
        Format::Github => render::github(report, &manifest.to_string_lossy()),
        Format::Sarif => {
            // A live check's results point at the base URL it called.
            let base_url = validation.and_then(|validation| validation.base_url_position(context.environment()));
            let path = manifest.to_string_lossy();
            render::sarif(report, render::SarifManifest { path: &path, base_url }) + "\n"
        }
    };
    match &context.output {
        Some(path) => write_file(path, &rendered, "the report"),
        None if context.format == Format::Human => Ok(()),
        None => print(&rendered),
    }
}

/// Writes `contents` (`what`: "the report") to `path` as `-o` does: private, and a link there
/// replaced, never written through (see [`crate::files::write_output`]).
fn write_file(path: &Path, contents: &str, what: &str) -> Result<()> {
    match crate::files::write_output(path, contents.as_bytes()) {
        Ok(crate::files::Written::LinkReplaced) => {
            warn_line!(
                "warning: {} was a symbolic link; replaced it with {what} (nothing was written where it pointed)",
                path.display()
            );
            Ok(())
        }
        Ok(_) => Ok(()),
        Err(error) => Err(CliError::new(format!("cannot write {}: {error}", path.display()))),
    }
}
