//! `kensa completions SHELL`: shell completions for every command and flag.

use crate::args::{Cli, CompletionsArgs};
use crate::error::{ExitStatus, Result};
use crate::output::print;
use clap::CommandFactory;
use clap_complete::Shell;

pub(crate) fn run(args: &CompletionsArgs) -> Result<ExitStatus> {
    print(&script(args.shell))?;
    Ok(ExitStatus::Passed)
}

fn script(shell: Shell) -> String {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "kensa", &mut script);
    String::from_utf8_lossy(&script).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shell_gets_a_script_with_the_commands_and_flags() {
        for shell in [Shell::Bash, Shell::Zsh, Shell::Fish, Shell::PowerShell] {
            let text = script(shell);
            for word in ["create", "push", "manifests", "template", "filename"] {
                assert!(text.contains(word), "{shell}: {word}");
            }
        }
    }
}
