//! `kensa test SUITE`: the engine's suite for the suite named on the command line, a
//! resource it names found in the ledger beside the manifest, run by the host.

use crate::args::{ResourceArgs, TestArgs, TestSuite};
use crate::context::Context;
use crate::error::{CliError, ExitStatus, Result};
use crate::host::ManifestFile;
use kensa_checks::Suite;

/// `kensa test SUITE`; bare `kensa test` runs `all`.
pub(crate) fn run(context: &Context, args: TestArgs) -> Result<ExitStatus> {
    let wanted = args.suite.unwrap_or(TestSuite::All { with_sso: false });
    // How the ledger names the command that made a resource; provision options go only to
    // the suites that provision.
    let (command, options) = match wanted {
        TestSuite::Provision => ("kensa test provision", context.provision_options.clone()),
        TestSuite::All { with_sso: true } => ("kensa test all --with-sso", context.provision_options.clone()),
        TestSuite::Manifest | TestSuite::All { .. } => ("kensa test all", context.provision_options.clone()),
        TestSuite::Deprovision { .. } | TestSuite::Planchange { .. } | TestSuite::Sso { .. } => {
            ("kensa test", Vec::new())
        }
    };
    let manifest = ManifestFile::read(context)?;
    let suite = suite(context, &manifest, wanted)?;
    let report = manifest.run_suites(command, options, vec![suite])?;
    Ok(ExitStatus::of(&report))
}

/// The engine's suite for `wanted`; one on an existing resource finds it in the ledger.
fn suite(context: &Context, manifest: &ManifestFile<'_>, wanted: TestSuite) -> Result<Suite> {
    let find = |key: Option<String>, named: ResourceArgs| manifest.find(key.as_deref(), &named);
    let on_resource = match wanted {
        TestSuite::Manifest => return Ok(Suite::Manifest),
        TestSuite::Provision => return Ok(Suite::Provision),
        TestSuite::All { with_sso } => return Ok(Suite::All { plan: context.plan_change_to.clone(), with_sso }),
        TestSuite::Deprovision { key, resource } => {
            find(key, resource)?.map(|resource| Suite::Deprovision { resource })
        }
        TestSuite::Planchange { mut key_and_plan, resource } => {
            if let [only] = key_and_plan.as_slice()
                && names_a_resource(manifest, only)
            {
                return Err(CliError::new(format!("no plan given: `{only}` names a resource, not a plan"))
                    .hint(format!("name the plan to change to: `kensa test planchange {only} PLAN`")));
            }
            let plan = key_and_plan.pop().unwrap_or_default();
            find(key_and_plan.pop(), resource)?.map(|resource| Suite::PlanChange { resource, plan })
        }
        TestSuite::Sso { key, resource, post } => {
            find(key, resource)?.map(|resource| Suite::Sso { resource, force_post: post })
        }
    };
    // No resource is found for a manifest without an id: it is invalid, so the engine
    // reports it and stops.
    Ok(on_resource.unwrap_or(Suite::Manifest))
}

/// Whether the one argument of `planchange` is a resource's key rather than a plan: the
/// ledger lists it, or it has the shape of Heroku's uuid, which no plan name has. The old
/// gem refused `planchange KEY` without a plan; taking the key as the plan would PUT a
/// plan named like a resource.
fn names_a_resource(manifest: &ManifestFile<'_>, argument: &str) -> bool {
    manifest.lists(argument) || kensa_checks::looks_like_uuid(argument)
}
