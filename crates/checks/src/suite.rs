//! Whole runs: what `kensa test <suite>` and `kensa run` do, phase after phase.

use crate::catalogue::COMMAND_EXIT;
use crate::engine::Session;
use crate::ledger::ResourceKeys;
use crate::provision::Provisioned;
use crate::report::Report;
use crate::transport::Transport;
use kensa_manifest::Manifest;

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

/// What a run leaves for the next one: the resource [`Suite::Provision`] made and kept, or
/// that [`Suite::Deprovision`] removed its resource. (`Suite::All` cleans up after itself.)
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Aftermath {
    Nothing,
    Provisioned(Provisioned),
    Deprovisioned,
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

impl<T: Transport> Session<'_, T> {
    /// Runs the manifest checks, then `suite` if the manifest is valid. Resources
    /// `Suite::All` creates are deprovisioned before it returns.
    pub async fn run(self, source: &[u8], suite: Suite) -> Report {
        self.run_for_aftermath(source, suite).await.0
    }

    /// Runs the manifest checks, then each suite in turn if the manifest is valid (an empty
    /// list checks the manifest only).
    pub async fn run_each(mut self, source: &[u8], suites: Vec<Suite>) -> Report {
        let Some(manifest) = self.check_manifest(source) else {
            return self.into_report();
        };
        for suite in suites {
            self.run_suite(&manifest, suite).await;
        }
        self.into_report()
    }

    /// [`Session::run`], also telling what the run leaves for the next one (the playground
    /// offers plan change, SSO and deprovision on the resource a provision kept).
    pub async fn run_for_aftermath(mut self, source: &[u8], suite: Suite) -> (Report, Aftermath) {
        let Some(manifest) = self.check_manifest(source) else {
            return (self.into_report(), Aftermath::Nothing);
        };
        let aftermath = self.run_suite(&manifest, suite).await;
        (self.into_report(), aftermath)
    }

    /// One suite on a valid manifest.
    async fn run_suite(&mut self, manifest: &Manifest, suite: Suite) -> Aftermath {
        let mut aftermath = Aftermath::Nothing;
        match suite {
            Suite::Manifest => {}
            Suite::Provision => {
                if let Some(resource) = self.provision(manifest).await {
                    aftermath = Aftermath::Provisioned(resource);
                }
            }
            Suite::Deprovision { resource } => {
                if self.deprovision(manifest, &resource).await {
                    aftermath = Aftermath::Deprovisioned;
                }
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
        aftermath
    }

    /// `kensa run`: reports how the command ended (it must exit with 0).
    pub fn record_command(&mut self, command: &str, resource: &Provisioned, outcome: &CommandOutcome) {
        self.group(format!("run {command}"));
        let mut check = self.start(&COMMAND_EXIT);
        let count = resource.config.len();
        check.note(format!("(with {count} config var{} of {})", if count == 1 { "" } else { "s" }, resource.id));
        match outcome {
            CommandOutcome::Exited(0) => {}
            CommandOutcome::Exited(code) => {
                check.mismatch("0", code.to_string(), format!("run exited abnormally: the command exited with {code}"))
            }
            CommandOutcome::Signalled(signal) => {
                check.fail(format!("run exited abnormally: the command was killed by signal {signal}"))
            }
            CommandOutcome::NotStarted(reason) => check.error(format!("could not start {command}: {reason}")),
        }
        self.finish(check);
    }
}
