//! `kensa run`: the user's command, run by the host with the provisioned config vars.

use crate::checks::provision::Provisioned;
use crate::engine::{CheckRun, Stop};
use crate::suite::CommandOutcome;
use crate::transport::Transport;
use kensa_manifest::references::GUIDE_ARTICLE;

kensa_manifest::checks! {
    /// `kensa run`'s one check.
    pub(crate) const CHECKS;
    COMMAND_EXIT {
        code: "E01",
        name: "run/command-succeeds",
        label: "command exits with status 0",
        summary: "`kensa run`: the command given, run with the provisioned config vars, exits with 0.",
        why: "Your customers' apps consume the add-on through the config vars a provision returns; this runs \
              your consumer code against them the way an app would.",
        example: "run exited abnormally: the command exited with 1",
        fix: "Make the command work with the config vars your service returns (their names and values), or fix \
              what the service returns.",
        reference: GUIDE_ARTICLE,
    }
}

impl<T: Transport> CheckRun<'_, T> {
    /// `kensa run` stopped before the command could run: E01 is listed, skipped, as in
    /// every other report.
    pub(crate) fn skip_command(&mut self, command: &str, stop: Stop) {
        self.group(format!("run {command}"));
        self.skip_after(&[&COMMAND_EXIT], stop, "there is no resource to run the command with");
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
