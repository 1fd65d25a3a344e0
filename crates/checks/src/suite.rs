//! Whole runs: what `kensa test <suite>` and `kensa run` do, phase after phase.

use crate::checks::provision::Provisioned;
use crate::engine::CheckRun;
use crate::keys::ResourceKeys;
use crate::report::Report;
use crate::transport::Transport;
use kensa_manifest::{Manifest, Validation};

/// The plan `Suite::All` changes to when the user names none, as the old gem did.
pub const DEFAULT_PLAN_CHANGE: &str = "foo";

/// Which checks to run after the manifest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Suite {
    Manifest,
    Provision,
    Deprovision {
        resource: ResourceKeys,
    },
    PlanChange {
        resource: ResourceKeys,
        plan: String,
    },
    /// Sign in to the resource: its id goes in `id` (with `token`), its uuid in v3's
    /// `resource_id` (with the resource tokens).
    Sso {
        resource: ResourceKeys,
        force_post: bool,
    },
    /// Provision, (SSO,) plan change to `plan`, deprovision.
    All {
        plan: String,
        with_sso: bool,
    },
}

/// How a command run by `kensa run` ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CommandOutcome {
    Exited(i32),
    /// Killed by this signal (Unix).
    Signalled(i32),
    /// It could not be started; holds why.
    NotStarted(String),
}

impl<T: Transport> CheckRun<'_, T> {
    /// Reports the manifest checks of `validation` (the host validated the file once, see
    /// [`kensa_manifest::validate`]), then runs `suite` if the manifest is valid. Resources
    /// `Suite::All` creates are deprovisioned before it returns; what any suite makes or
    /// removes is told as [`crate::Event::Resource`] events, for the host's ledger.
    pub async fn run(self, validation: &Validation, suite: Suite) -> Report {
        self.run_each(validation, vec![suite]).await
    }

    /// Reports the manifest checks, then runs each suite in turn if the manifest is valid.
    pub async fn run_each(mut self, validation: &Validation, suites: Vec<Suite>) -> Report {
        let Some(manifest) = self.check_manifest(validation) else {
            return self.into_report();
        };
        for suite in suites {
            self.run_suite(manifest, suite).await;
        }
        self.into_report()
    }

    /// One suite on a valid manifest.
    async fn run_suite(&mut self, manifest: &Manifest, suite: Suite) {
        match suite {
            Suite::Manifest => {}
            Suite::Provision => {
                self.provision(manifest).await;
            }
            Suite::Deprovision { resource } => {
                self.deprovision(manifest, &resource).await;
            }
            Suite::PlanChange { resource, plan } => {
                self.plan_change(manifest, &resource, &plan).await;
            }
            Suite::Sso { resource, force_post } => {
                self.sso(manifest, &resource, force_post).await;
            }
            Suite::All { plan, with_sso } => {
                if let Some(resource) = self.provision(manifest).await {
                    let keys = resource.keys();
                    if with_sso {
                        self.sso(manifest, &keys, false).await;
                    }
                    self.plan_change(manifest, &keys, &plan).await;
                    self.deprovision(manifest, &keys).await;
                }
            }
        }
    }

    /// `kensa run`'s phases, in Heroku's order: the manifest checks, provision, then
    /// `use_resource` (the host runs the user's command with the resource and records how
    /// it ended), then the plan change to `plan` and the deprovision, which happen whatever
    /// the command did.
    pub async fn run_with_resource(
        mut self,
        validation: &Validation,
        plan: &str,
        use_resource: impl FnOnce(&mut Self, &Manifest, &Provisioned),
    ) -> Report {
        let Some(manifest) = self.check_manifest(validation) else {
            return self.into_report();
        };
        if let Some(resource) = self.provision(manifest).await {
            use_resource(&mut self, manifest, &resource);
            let keys = resource.keys();
            self.plan_change(manifest, &keys, plan).await;
            self.deprovision(manifest, &keys).await;
        }
        self.into_report()
    }
}
