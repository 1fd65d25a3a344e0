//! `kensa demo`: every check against the embedded reference provider, with no configuration.

use crate::args::{DemoArgs, Format};
use crate::context::Context;
use crate::error::{CliError, ExitStatus, Result};
use crate::host::ManifestFile;
use crate::output::{eprint, print, warn_line};
use kensa_checks::Suite;

/// `kensa demo`: the reference provider on a free loopback port, a matching manifest in a
/// temporary folder, and `test all` against it.
pub(crate) fn run(context: &Context, args: &DemoArgs) -> Result<ExitStatus> {
    let random = |what: &str| crate::random::random_hex().map_err(|error| CliError::new(format!("{what}: {error}")));
    let options = kensa_provider::ProviderOptions {
        password: random("password")?,
        sso_salt: Some(random("salt")?),
        // Two regions, so that the demo provisions from each as Heroku would.
        regions: vec!["us".into(), "eu".into()],
        ..kensa_provider::ProviderOptions::default()
    };
    let provider = kensa_provider::spawn_thread(options)
        .map_err(|error| CliError::new(format!("cannot start the reference provider: {error}")))?;
    // A fresh folder with an unguessable name, made atomically with mode 0700: nothing
    // planted in the temporary folder beforehand can catch the password and salt.
    let mut builder = tempfile::Builder::new();
    builder.prefix("kensa-demo-");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // mkdir with 0700 itself, not a chmod afterwards (tempfile's default is 0777 less umask).
        builder.permissions(std::fs::Permissions::from_mode(0o700));
    }
    let dir = builder.tempdir().map_err(|error| {
        CliError::new(format!("cannot create a folder in {}: {error}", std::env::temp_dir().display()))
    })?;
    let manifest_path = dir.path().join("addon-manifest.json");
    let manifest = serde_json::to_string_pretty(&provider.manifest()).unwrap_or_default() + "\n";
    crate::files::replace(&manifest_path, manifest.as_bytes(), crate::files::Access::Private)
        .map_err(|error| CliError::new(format!("cannot write {}: {error}", manifest_path.display())))?;
    if context.format == Format::Human {
        print(&format!(
            "Reference provider listening on {}\nManifest written to {}\n",
            provider.base_url(),
            manifest_path.display()
        ))?;
    }
    let report = ManifestFile::from_source(context, &manifest_path, manifest.into_bytes()).run_suites(
        "kensa test all --with-sso",
        context.provision_options.clone(),
        vec![Suite::All { plan: context.plan_change_to.clone(), with_sso: true }],
    );
    let left = provider.resource_count();
    drop(provider);
    let kept = if args.keep {
        Some(dir.keep())
    } else {
        // Removes the folder.
        drop(dir);
        None
    };
    let report = report?;
    if context.format == Format::Human {
        match left {
            Ok(count) => print(&format!("The reference provider holds {count} resources after the run.\n"))?,
            Err(error) => warn_line!("warning: cannot count the provider's resources: {error}"),
        }
    }
    if let Some(kept) = kept {
        let note = format!(
            "Kept the manifest (mode 0600, in a 0700 folder): {}\n",
            kept.join("addon-manifest.json").display()
        );
        if context.format == Format::Human { print(&note)? } else { eprint(&note) }
    }
    Ok(ExitStatus::of(&report))
}
