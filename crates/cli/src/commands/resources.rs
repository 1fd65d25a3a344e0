//! `kensa resources [--cleanup]`: the resources kensa provisioned for this manifest's add-on
//! and has not seen deprovisioned, from the ledger beside the manifest.

use super::test::{ResourceRequest, RunRequest, Wanted, run_file};
use crate::args::ResourceArgs;
use crate::error::CliError;
use crate::ledger_file::LedgerFile;
use crate::output::print;
use crate::{Context, ExitStatus, Result};
use kensa_checks::render::visible;

/// `kensa resources [--cleanup]`: what the ledger beside the manifest lists for this add-on.
pub(crate) fn run(context: &Context, cleanup: bool) -> Result<ExitStatus> {
    if cleanup {
        // As any test run: `-o` onto the manifest is refused there.
        let request = ResourceRequest { key: None, resource: ResourceArgs::default(), wanted: Wanted::CleanUp };
        return run_file(context, RunRequest::OnResource(request));
    }
    let path = &context.manifest;
    let source = crate::files::read_input(path)?;
    let ledger = LedgerFile::beside(path);
    let Some(manifest_id) = kensa_manifest::declared_id(&source) else {
        return Err(CliError::new(format!("{} has no add-on id", path.display()))
            .hint("run `kensa test manifest` to see every problem"));
    };
    if !ledger.is_usable() {
        return Err(CliError::new(format!(
            "cannot list resources: {} could not be used (see the warning above)",
            ledger.path().display()
        )));
    }
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
