//! `kensa resources [--cleanup]`: the resources kensa provisioned for this manifest's add-on
//! and has not seen deprovisioned, from the ledger beside the manifest.

use crate::args::ResourcesArgs;
use crate::context::Context;
use crate::error::{CliError, ExitStatus, Result};
use crate::host::ManifestFile;
use crate::ledger_file::LedgerFile;
use crate::output::print;
use kensa_checks::Suite;
use kensa_checks::render::visible;

/// `kensa resources [--cleanup]`: what the ledger beside the manifest lists for this add-on.
pub(crate) fn run(context: &Context, args: &ResourcesArgs) -> Result<ExitStatus> {
    if args.cleanup {
        return cleanup(context);
    }
    let path = &context.manifest;
    let source = crate::files::read_input(path)?;
    let ledger = LedgerFile::beside(path);
    // An unreadable ledger is not an empty one: "no resources left behind" would be wrong.
    ledger.usable()?;
    let validation = kensa_manifest::validate(&source);
    let Some(manifest_id) = validation.declared_id() else {
        return Err(CliError::new(format!("{} has no add-on id", path.display()))
            .hint("run `kensa test manifest` to see every problem"));
    };
    let listed: Vec<_> = ledger.ledger().resources.iter().filter(|entry| entry.manifest_id == manifest_id).collect();
    if listed.is_empty() {
        print(&format!("No resources of `{}` left behind ({}).\n", visible(manifest_id), ledger.path().display()))?;
        return Ok(ExitStatus::Passed);
    }
    // An id is the provider's text, and may echo the credentials it was sent.
    let secrets = validation.manifest.as_ref().map(kensa_checks::manifest_secrets);
    let shown =
        |text: &str| visible(&kensa_checks::redact_secrets(text, secrets.as_deref().unwrap_or_default())).into_owned();
    print(&format!(
        "Resources of `{}` kensa provisioned and has not seen deprovisioned ({}):\n",
        visible(manifest_id),
        ledger.path().display()
    ))?;
    for entry in listed {
        // Entries written before kensa recorded regions have none.
        let region = entry.region.as_deref().map(|region| format!("  region {}", shown(region))).unwrap_or_default();
        print(&format!(
            "  uuid {}  id {}  plan {}{region}  {}  {}  by `{}`\n",
            shown(&entry.uuid),
            shown(&entry.id),
            shown(&entry.plan),
            shown(&entry.environment),
            shown(&entry.created_at),
            shown(&entry.command)
        ))?;
    }
    print("Remove them with `kensa resources --cleanup`; use one with `kensa test sso KEY` (either key).\n")?;
    Ok(ExitStatus::Passed)
}

/// `--cleanup`: deprovisions every resource listed, as `kensa test deprovision` would, in a
/// run like any test's (so `-o` onto the manifest is refused here too).
fn cleanup(context: &Context) -> Result<ExitStatus> {
    let manifest = ManifestFile::read(context)?;
    let suites = manifest.live()?.into_iter().map(|resource| Suite::Deprovision { resource }).collect();
    let report = manifest.run_suites("kensa test", Vec::new(), suites)?;
    Ok(ExitStatus::of(&report))
}
