//! `kensa init`: writes the manifest skeleton (and `.env` for foreman) with fresh secrets.

use crate::args::{InitArgs, SsoMethod};
use crate::error::CliError;
use crate::ledger_file::{GitignoreLink, IGNORE_DOTENV, IGNORE_LEDGER, Ignored, folder_of, ignore_in_git};
use crate::random::random_hex;
use crate::{Context, ExitStatus, Result};
use kensa_manifest::{SkeletonOptions, SsoStyle, skeleton};
use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

pub(crate) fn run(context: &Context, args: &InitArgs) -> Result<ExitStatus> {
    let manifest_path = context.manifest.as_path();
    let dotenv_path = manifest_path.with_file_name(".env");
    confirm_replace(manifest_path, "Manifest", args.force)?;
    if args.foreman {
        confirm_replace(&dotenv_path, ".env", args.force)?;
    }
    let files = skeleton(&SkeletonOptions {
        sso: match args.sso {
            SsoMethod::Post => SsoStyle::Post,
            SsoMethod::Get => SsoStyle::Get,
        },
        without_sso: args.without_sso,
        port: if args.foreman { 5000 } else { 4567 },
        password: random_hex().map_err(CliError::new)?,
        sso_salt: random_hex().map_err(CliError::new)?,
    });
    crate::files::write_secret(manifest_path, &files.manifest)?;
    crate::output::print(&format!("Initialized new addon manifest in {}\n", manifest_path.display()));
    // On stderr: stdout stays the old gem's lines, which scripts may read.
    let mut names = vec![IGNORE_LEDGER];
    if args.foreman {
        names.push(IGNORE_DOTENV);
    }
    match ignore_in_git(folder_of(manifest_path), &names, GitignoreLink::Keep) {
        Ok(Ignored::Added(added)) => {
            for name in added {
                let what = if name == IGNORE_DOTENV.name {
                    "the password and SSO salt, for the service"
                } else {
                    "the resources kensa provisions, see `kensa resources`"
                };
                eprintln!("Added {name} ({what}) to .gitignore");
            }
        }
        Ok(Ignored::LinkKept | Ignored::LinkReplaced) => eprintln!(
            "warning: .gitignore is a symbolic link; not changing it: add {} to it yourself",
            names.iter().map(|ignore| ignore.name).collect::<Vec<_>>().join(" and ")
        ),
        Err(error) => eprintln!("warning: cannot update .gitignore: {error}"),
    }
    if args.foreman {
        crate::files::write_secret(&dotenv_path, &files.dotenv)?;
        crate::output::print("Initialized new .env file for foreman\n");
    }
    Ok(ExitStatus::Passed)
}

/// Asks before replacing `path`; without a terminal to ask on, refuses unless forced.
pub(crate) fn confirm_replace(path: &Path, what: &str, force: bool) -> Result<()> {
    if force || !path.exists() {
        return Ok(());
    }
    let refusal = || {
        CliError::new(format!("{} already exists; not replacing it", path.display()))
            .hint("pass --force to replace it, or -f FILE to write somewhere else")
    };
    if !std::io::stdin().is_terminal() {
        return Err(refusal());
    }
    eprint!("{what} already exists. Replace it? (y/n) ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer).map_err(|_| refusal())?;
    if answer.trim().eq_ignore_ascii_case("y") || answer.trim().eq_ignore_ascii_case("yes") {
        Ok(())
    } else {
        Err(refusal())
    }
}
