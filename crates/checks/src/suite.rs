//! Whole runs: what `kensa test <suite>` and `kensa run` do, phase after phase.
//!
//! Every report of a suite lists the same checks, whatever the provider answered: a check
//! that could not run because an earlier one stopped the run (an invalid manifest, a
//! provision that left no resource) is listed as skipped, with that check as its reason
//! ("not run: P01 failed, so there is no resource to sign in to"), so JSON and JUnit
//! totals do not swing with what failed. Which checks a suite lists depends only on the
//! suite and its flags, never on the manifest or the provider:
//!
//! * every manifest rule;
//! * a provision's groups: the call, the response, its config data, idempotency,
//!   tolerance and regions, and the asynchronous group under `--async` or on a host
//!   without a stand-in for Heroku's API (which then says it cannot run them);
//! * the sign-in group only when the suite signs in (`kensa test sso`, `--with-sso`);
//! * a plan change's group and its config data (skipped when the answer holds none);
//! * a deprovision's group.
//!
//! A check the manifest makes moot (R02 for v3, R03 without `syslog_drain`, T02 for v1,
//! G01 with one region) is listed as skipped with that reason, as it always was.

use crate::checks::provision::ProvisionPart;
use crate::checks::provision::Provisioned;
use crate::engine::{CheckRun, Stop};
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
    /// With an invalid manifest each suite's checks are listed, skipped.
    pub async fn run_each(mut self, validation: &Validation, suites: Vec<Suite>) -> Report {
        match self.check_manifest(validation) {
            Ok(manifest) => {
                for suite in suites {
                    self.run_suite(manifest, suite).await;
                }
            }
            Err(stop) => {
                for suite in &suites {
                    self.skip_suite(suite, stop);
                }
            }
        }
        self.into_report()
    }

    /// Lists the checks `suite` would have made as skipped, because the manifest is invalid.
    fn skip_suite(&mut self, suite: &Suite, stop: Stop) {
        match *suite {
            Suite::Manifest => {}
            Suite::Provision => self.skip_provision(None, ProvisionPart::Call, stop),
            Suite::Deprovision { .. } => self.skip_deprovision(None, stop),
            Suite::PlanChange { .. } => self.skip_plan_change(None, stop),
            Suite::Sso { force_post, .. } => self.skip_sso(None, force_post, stop),
            Suite::All { with_sso, .. } => {
                self.skip_provision(None, ProvisionPart::Call, stop);
                self.skip_resource_phases(None, with_sso, stop);
            }
        }
    }

    /// What `Suite::All` does with a resource (sign in, change plan, deprovision), skipped
    /// because `stop` left none.
    fn skip_resource_phases(&mut self, manifest: Option<&Manifest>, with_sso: bool, stop: Stop) {
        if with_sso {
            self.skip_sso(manifest, false, stop);
        }
        self.skip_plan_change(manifest, stop);
        self.skip_deprovision(manifest, stop);
    }

    /// One suite on a valid manifest.
    async fn run_suite(&mut self, manifest: &Manifest, suite: Suite) {
        match suite {
            Suite::Manifest => {}
            Suite::Provision => {
                // Whatever stopped it already lists the rest of the provision.
                let _ = self.provision(manifest).await;
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
            Suite::All { plan, with_sso } => match self.provision(manifest).await {
                Ok(resource) => {
                    let keys = resource.keys();
                    if with_sso {
                        self.sso(manifest, &keys, false).await;
                    }
                    self.plan_change(manifest, &keys, &plan).await;
                    self.deprovision(manifest, &keys).await;
                }
                Err(stop) => self.skip_resource_phases(Some(manifest), with_sso, stop),
            },
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
        command: &str,
        use_resource: impl FnOnce(&mut Self, &Manifest, &Provisioned),
    ) -> Report {
        let manifest = match self.check_manifest(validation) {
            Ok(manifest) => manifest,
            Err(stop) => {
                self.skip_provision(None, ProvisionPart::Call, stop);
                self.skip_command(command, stop);
                self.skip_resource_phases(None, false, stop);
                return self.into_report();
            }
        };
        match self.provision(manifest).await {
            Ok(resource) => {
                use_resource(&mut self, manifest, &resource);
                let keys = resource.keys();
                self.plan_change(manifest, &keys, plan).await;
                self.deprovision(manifest, &keys).await;
            }
            Err(stop) => {
                self.skip_command(command, stop);
                self.skip_resource_phases(Some(manifest), false, stop);
            }
        }
        self.into_report()
    }
}
