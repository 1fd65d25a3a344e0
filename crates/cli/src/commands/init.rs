//! `kensa init`: writes the manifest skeleton (and `.env` for foreman) with fresh secrets.

use crate::args::{InitArgs, SsoMethod};
use crate::context::Context;
use crate::error::{CliError, ExitStatus, Result};
use crate::files::confirm_replace;
use crate::ledger_file::{GitignoreLink, IGNORE_DOTENV, IGNORE_LEDGER, Ignored, folder_of, ignore_in_git};
use crate::output::{eprint, print, warn_line};
use crate::random::random_hex;
use kensa_manifest::{SkeletonOptions, SsoStyle, skeleton};

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
    print(&format!("Initialized new addon manifest in {}\n", manifest_path.display()))?;
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
                eprint(&format!("Added {name} ({what}) to .gitignore\n"));
            }
        }
        Ok(Ignored::LinkKept | Ignored::LinkReplaced) => warn_line!(
            "warning: .gitignore is a symbolic link; not changing it: add {} to it yourself",
            names.iter().map(|ignore| ignore.name).collect::<Vec<_>>().join(" and ")
        ),
        Err(error) => warn_line!("warning: cannot update .gitignore: {error}"),
    }
    if args.foreman {
        crate::files::write_secret(&dotenv_path, &files.dotenv)?;
        print("Initialized new .env file for foreman\n")?;
    }
    Ok(ExitStatus::Passed)
}
