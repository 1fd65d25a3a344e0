//! `kensa create NAME --template T`: a folder with a working starter add-on service, its
//! manifest with fresh secrets and a `.env` with the same secrets for the service.
//!
//! The `node`, `python`, `rust` and `sinatra` templates are embedded in the binary, so
//! `create` works offline; any other template is a git URL or a local repository, cloned
//! with `git`. A name that is neither (no `/`, such as the old guide's `clojure`) is cloned
//! from `${REPO_PREFIX:-https://github.com/heroku/kensa-create-}<name>`, as the old gem did.

use crate::args::CreateArgs;
use crate::context::Context;
use crate::error::{CliError, ExitStatus, Result};
use crate::files::Access;
use crate::ledger_file::{GitignoreLink, IGNORE_DOTENV, IGNORE_LEDGER, Ignored, ignore_in_git};
use crate::output::print;
use crate::random::random_hex;
use kensa_manifest::{SkeletonOptions, SsoStyle, default_prefix, skeleton};
use serde_json::{Value, json};
use std::path::Path;
use std::process::{Command, Stdio};

/// The port the embedded templates listen on, and the manifest's test URLs use.
const PORT: u16 = 5000;

/// Replaced by the add-on id in every embedded file.
const ID_PLACEHOLDER: &str = "__ADDON_ID__";

/// Where the old gem fetched a template given by name: `<prefix><name>`, the prefix
/// overridable with the `REPO_PREFIX` environment variable.
const DEFAULT_REPO_PREFIX: &str = "https://github.com/heroku/kensa-create-";

/// One embedded starter service.
pub(crate) struct Template {
    pub(crate) name: &'static str,
    pub(crate) summary: &'static str,
    /// How its README says to start it.
    pub(crate) start: &'static str,
    /// Path in the new folder, contents, executable.
    files: &'static [(&'static str, &'static [u8], bool)],
}

macro_rules! file {
    ($template:literal, $source:literal => $path:literal) => {
        ($path, include_bytes!(concat!("../../templates/", $template, "/", $source)), false)
    };
    ($template:literal, $source:literal => $path:literal, executable) => {
        ($path, include_bytes!(concat!("../../templates/", $template, "/", $source)), true)
    };
}

pub(crate) static TEMPLATES: &[Template] = &[
    Template {
        name: "node",
        summary: "Node.js, standard library only",
        start: "node web.js",
        files: &[
            file!("node", "web.js" => "web.js"),
            file!("node", "package.json" => "package.json"),
            file!("node", "Procfile" => "Procfile"),
            file!("node", "README.md" => "README.md"),
            file!("node", "gitignore" => ".gitignore"),
        ],
    },
    Template {
        name: "python",
        summary: "Python 3, standard library only",
        start: "python3 app.py",
        files: &[
            file!("python", "app.py" => "app.py", executable),
            file!("python", "requirements.txt" => "requirements.txt"),
            file!("python", "Procfile" => "Procfile"),
            file!("python", "README.md" => "README.md"),
            file!("python", "gitignore" => ".gitignore"),
        ],
    },
    Template {
        name: "rust",
        summary: "Rust, axum and tokio",
        start: "cargo run",
        files: &[
            file!("rust", "Cargo.toml" => "Cargo.toml"),
            file!("rust", "src/main.rs" => "src/main.rs"),
            file!("rust", "src/app.rs" => "src/app.rs"),
            file!("rust", "src/auth.rs" => "src/auth.rs"),
            file!("rust", "src/config.rs" => "src/config.rs"),
            file!("rust", "src/http.rs" => "src/http.rs"),
            file!("rust", "src/ids.rs" => "src/ids.rs"),
            file!("rust", "src/provisioning.rs" => "src/provisioning.rs"),
            file!("rust", "src/sso.rs" => "src/sso.rs"),
            file!("rust", "src/store.rs" => "src/store.rs"),
            file!("rust", "Procfile" => "Procfile"),
            file!("rust", "README.md" => "README.md"),
            file!("rust", "gitignore" => ".gitignore"),
        ],
    },
    Template {
        name: "sinatra",
        summary: "Ruby, Sinatra and WEBrick, as in Heroku's guide",
        start: "ruby app.rb",
        files: &[
            file!("sinatra", "app.rb" => "app.rb"),
            file!("sinatra", "Gemfile" => "Gemfile"),
            file!("sinatra", "config.ru" => "config.ru"),
            file!("sinatra", "Procfile" => "Procfile"),
            file!("sinatra", "README.md" => "README.md"),
            file!("sinatra", "gitignore" => ".gitignore"),
        ],
    },
];

/// Where the service comes from.
enum Source<'a> {
    Embedded(&'a Template),
    /// A git URL or a local path, as given.
    Git(String),
    /// A name that is not built in, cloned from the `REPO_PREFIX` URL, as the old gem did.
    Named {
        name: String,
        url: String,
    },
}

pub(crate) fn run(_context: &Context, args: &CreateArgs) -> Result<ExitStatus> {
    let dir = args.name.as_path();
    let source = source(&args.template)?;
    check_destination(dir)?;
    let id = addon_id(dir);
    let password = random_hex().map_err(CliError::new)?;
    let sso_salt = random_hex().map_err(CliError::new)?;
    let existed = dir.exists();

    let result = match &source {
        Source::Embedded(template) => write_template(template, dir, &id),
        Source::Git(url) => clone(url, dir).map_err(|failure| match failure {
            CloneFailure::Unreachable(error) => error.hint(format!(
                "could not reach {} (are you offline?); the built-in templates work offline: {}",
                redact_url(url),
                built_in_list()
            )),
            CloneFailure::NoGit(error) | CloneFailure::Failed(error) => error,
        }),
        Source::Named { name, url } => clone(url, dir).map_err(|failure| {
            let not_built_in =
                format!("`{name}` is not built in, so it was fetched from REPO_PREFIX (default {DEFAULT_REPO_PREFIX})");
            match failure {
                CloneFailure::NoGit(error) => error,
                CloneFailure::Unreachable(error) => error.hint(format!(
                    "could not reach {} (are you offline?): {not_built_in}; the built-in templates work offline: {}",
                    redact_url(url),
                    built_in_list()
                )),
                CloneFailure::Failed(error) => {
                    error.hint(format!("{not_built_in}; the built-in templates work offline: {}", built_in_list()))
                }
            }
        }),
    }
    .and_then(|()| {
        let files = starter_files(&id, &dir_name(dir), &password, &sso_salt);
        // Both hold the password and SSO salt.
        write(&dir.join("addon-manifest.json"), files.manifest.as_bytes(), Access::Private)?;
        write(&dir.join(".env"), files.dotenv.as_bytes(), Access::Private)?;
        // Built-in templates list both already; a cloned one gets them added.
        let gitignore = dir.join(".gitignore");
        match ignore_in_git(dir, &[IGNORE_DOTENV, IGNORE_LEDGER], GitignoreLink::Replace) {
            Ok(Ignored::LinkReplaced) => {
                eprintln!(
                    "warning: the template's {} is a symbolic link; replaced it with a regular file listing {} and {} \
                     (nothing was read or written where it pointed)",
                    gitignore.display(),
                    IGNORE_DOTENV.name,
                    IGNORE_LEDGER.name
                );
                Ok(())
            }
            Ok(_) => Ok(()),
            Err(error) => Err(CliError::new(format!("cannot write {}: {error}", gitignore.display()))),
        }
    });
    if let Err(error) = result {
        // Leave nothing half-made behind.
        if existed {
            if let Ok(entries) = std::fs::read_dir(dir) {
                for entry in entries.flatten() {
                    let _ = remove(&entry.path());
                }
            }
        } else {
            let _ = std::fs::remove_dir_all(dir);
        }
        return Err(error);
    }

    let shown = dir.display();
    let (label, start) = match &source {
        Source::Embedded(template) => (template.name.to_string(), Some(template.start)),
        Source::Git(url) => (redact_url(url), None),
        Source::Named { name, .. } => (name.clone(), None),
    };
    let step = |command: &str, comment: &str| format!("  {command:<28}# {comment}\n");
    let mut text = format!("Created {shown} from {label} template\n");
    text.push_str(&format!("  {shown}/addon-manifest.json   the manifest, with a fresh password and SSO salt\n"));
    text.push_str(&format!("  {shown}/.env                  the same secrets, for the service\n\nNext steps:\n"));
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./".contains(c);
    let cd = shown.to_string();
    let cd = if cd.chars().all(plain) { cd } else { format!("'{}'", cd.replace('\'', "'\\''")) };
    text.push_str(&format!("  cd {cd}\n"));
    match start {
        Some(start) => text.push_str(&step(start, &format!("starts the service on http://localhost:{PORT}"))),
        None => text.push_str("  # start the service as its README says, on port 5000\n"),
    }
    text.push_str(&step("kensa test all --with-sso", "in another terminal: checks every call Heroku makes"));
    print(&text)?;
    Ok(ExitStatus::Passed)
}

fn source(template: &str) -> Result<Source<'static>> {
    if template.contains("://") || template.starts_with("git@") {
        return Ok(Source::Git(template.to_string()));
    }
    if let Some(embedded) = TEMPLATES.iter().find(|embedded| embedded.name == template) {
        return Ok(Source::Embedded(embedded));
    }
    if Path::new(template).is_dir() {
        return Ok(Source::Git(template.to_string()));
    }
    if !template.is_empty() && !template.contains('/') {
        let prefix = std::env::var("REPO_PREFIX").ok().filter(|prefix| !prefix.is_empty());
        let url = format!("{}{template}", prefix.as_deref().unwrap_or(DEFAULT_REPO_PREFIX));
        return Ok(Source::Named { name: template.to_string(), url });
    }
    Err(CliError::new(format!("unknown template `{template}`"))
        .hint(format!("choose {}; or pass a git URL or the path of a local git repository", built_in_list())))
}

/// `node (Node.js, standard library only), python (...), rust (...)`.
fn built_in_list() -> String {
    TEMPLATES.iter().map(|embedded| format!("{} ({})", embedded.name, embedded.summary)).collect::<Vec<_>>().join(", ")
}

/// Refuses a file, or a folder that has anything in it.
fn check_destination(dir: &Path) -> Result<()> {
    if dir.as_os_str().is_empty() {
        return Err(CliError::new("the folder name is empty"));
    }
    match std::fs::read_dir(dir) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                Err(CliError::new(format!("{} already exists and is not empty; not writing into it", dir.display()))
                    .hint("choose another name, or remove the folder first"))
            } else {
                Ok(())
            }
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(_) if dir.exists() && !dir.is_dir() => {
            Err(CliError::new(format!("{} already exists and is not a folder", dir.display()))
                .hint("choose another name"))
        }
        // Such as a path through a file, or a folder without permission: NAME cannot be made.
        Err(error) => Err(CliError::new(format!("cannot write {}: {error}", dir.display()))),
    }
}

/// The folder's own name, also for `.` or `..`.
fn dir_name(dir: &Path) -> String {
    let absolute = std::path::absolute(dir).ok().and_then(|path| path.canonicalize().ok().or(Some(path)));
    dir.file_name()
        .or_else(|| absolute.as_deref().and_then(Path::file_name))
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| "myaddon".to_string())
}

/// The add-on id for a folder: its name as a slug, as rule M05's hint would suggest it.
pub(crate) fn addon_id(dir: &Path) -> String {
    kensa_manifest::slug(&dir_name(dir))
}

pub(crate) struct StarterFiles {
    pub(crate) manifest: String,
    pub(crate) dotenv: String,
}

/// The manifest (the `init --foreman` skeleton, renamed after the add-on) and the `.env`
/// that gives the service the same secrets.
pub(crate) fn starter_files(id: &str, name: &str, password: &str, sso_salt: &str) -> StarterFiles {
    let files = skeleton(&SkeletonOptions {
        sso: SsoStyle::Post,
        without_sso: false,
        port: PORT,
        password: password.to_string(),
        sso_salt: sso_salt.to_string(),
    });
    let prefix = default_prefix(id);
    let config_var = format!("{prefix}_URL");
    let mut manifest: Value = serde_json::from_str(&files.manifest).unwrap_or_else(|_| json!({}));
    if let Some(object) = manifest.as_object_mut() {
        object.insert("id".into(), json!(id));
        object.insert("name".into(), json!(name));
        if let Some(api) = object.get_mut("api").and_then(Value::as_object_mut) {
            api.insert("config_vars_prefix".into(), json!(prefix));
            api.insert("config_vars".into(), json!([config_var]));
        }
    }
    let mut manifest = serde_json::to_string_pretty(&manifest).unwrap_or_default();
    manifest.push('\n');
    let dotenv = format!(
        "SSO_SALT={sso_salt}\nHEROKU_USERNAME={id}\nHEROKU_PASSWORD={password}\nPORT={PORT}\nADDON_CONFIG_VARS={config_var}\n"
    );
    StarterFiles { manifest, dotenv }
}

fn write_template(template: &Template, dir: &Path, id: &str) -> Result<()> {
    for (path, contents, executable) in template.files {
        let contents = match std::str::from_utf8(contents) {
            Ok(text) => text.replace(ID_PLACEHOLDER, id).into_bytes(),
            Err(_) => contents.to_vec(),
        };
        write(&dir.join(path), &contents, Access::Shared { executable: *executable })?;
    }
    Ok(())
}

/// Writes `contents` to a new file at `path`, readable as `access` says. A cloned template's
/// own file there is replaced, never written through ([`crate::files::replace`]): a symbolic
/// link (which could point anywhere outside NAME) gets a warning.
fn write(path: &Path, contents: &[u8], access: Access) -> Result<()> {
    let fail = |error: std::io::Error| CliError::new(format!("cannot write {}: {error}", path.display()));
    if let Some(parent) = path.parent().filter(|parent| !parent.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(fail)?;
    }
    match std::fs::symlink_metadata(path) {
        Ok(metadata) if metadata.is_dir() => {
            return Err(CliError::new(format!("cannot write {}: the template has a folder there", path.display())));
        }
        Ok(metadata) if metadata.file_type().is_symlink() => crate::output::warn_line!(
            "warning: the template's {} is a symbolic link; replaced it with a regular file \
             (nothing was written where it pointed)",
            path.display()
        ),
        Ok(_) => {}
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
        Err(error) => return Err(fail(error)),
    }
    crate::files::replace(path, contents, access).map_err(fail)
}

/// Removes a file, a link (not what it points at) or a folder.
fn remove(path: &Path) -> std::io::Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(metadata) if metadata.is_dir() => std::fs::remove_dir_all(path),
        _ => std::fs::remove_file(path),
    }
}

/// Why a clone failed, so that each source can say what to do next.
enum CloneFailure {
    /// git is not installed (the error has its hint).
    NoGit(CliError),
    /// The network or the host is out of reach: offline, a wrong host or a closed port.
    Unreachable(CliError),
    Failed(CliError),
}

/// What git (through curl or ssh) says when it cannot reach a repository's host.
const UNREACHABLE: &[&str] = &[
    "could not resolve",
    "couldn't connect",
    "failed to connect",
    "connection refused",
    "connection timed out",
    "operation timed out",
    "network is unreachable",
    "no route to host",
    "temporary failure in name resolution",
];

/// git's reason: its first `fatal:` (or `error:`) line without the prefix, else its last
/// line. (The lines after `fatal:` are generic advice, such as "and the repository exists.")
fn git_reason(stderr: &str) -> String {
    let lines = || stderr.lines().map(str::trim).filter(|line| !line.is_empty());
    lines()
        .find_map(|line| line.strip_prefix("fatal: ").or_else(|| line.strip_prefix("error: ")))
        .or_else(|| lines().next_back())
        .unwrap_or("git failed")
        .to_string()
}

/// `git clone --depth 1` of a URL or a local repository into `dir`; the new folder starts
/// its own history, so the clone's `.git` goes.
fn clone(source: &str, dir: &Path) -> std::result::Result<(), CloneFailure> {
    let shown = redact_url(source);
    let target = clone_source(source);
    let output = Command::new("git")
        .args(["clone", "--depth", "1", "--quiet", "--"])
        .arg(&target)
        .arg(dir)
        .env("GIT_TERMINAL_PROMPT", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output();
    let output = match output {
        Ok(output) => output,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Err(CloneFailure::NoGit(CliError::new("Need git to clone repository").hint(format!(
                "install git, or use a built-in template: {}",
                TEMPLATES.iter().map(|template| template.name).collect::<Vec<_>>().join(", ")
            ))));
        }
        Err(error) => return Err(CloneFailure::Failed(CliError::new(format!("cannot run git: {error}")))),
    };
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr).replace(source, &shown);
        let reason = git_reason(&stderr);
        let error = CliError::new(format!("error cloning {shown} into {}: {reason}", dir.display()));
        let lower = stderr.to_lowercase();
        return Err(if UNREACHABLE.iter().any(|marker| lower.contains(marker)) {
            CloneFailure::Unreachable(error)
        } else {
            CloneFailure::Failed(error)
        });
    }
    let git_dir = dir.join(".git");
    if git_dir.is_dir() {
        std::fs::remove_dir_all(&git_dir).map_err(|error| {
            CloneFailure::Failed(CliError::new(format!("cannot remove {}: {error}", git_dir.display())))
        })?;
    }
    Ok(())
}

/// A local path becomes a `file://` URL, so that `--depth` applies to it too.
fn clone_source(source: &str) -> std::ffi::OsString {
    if source.contains("://") || source.starts_with("git@") {
        return source.into();
    }
    match std::fs::canonicalize(source) {
        Ok(path) if cfg!(unix) => {
            let mut url = std::ffi::OsString::from("file://");
            url.push(path.as_os_str());
            url
        }
        _ => source.into(),
    }
}

/// A URL without the password or token it may carry (`https://user:secret@host/...`).
fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}://[redacted]@{}", &rest[at + 1..]),
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_names_become_valid_ids() {
        for (folder, id) in [
            ("/tmp/x/demo", "demo"),
            ("/tmp/x/Cool App", "cool-app"),
            ("/tmp/x/--Fast__DB--", "fast-db"),
            ("/tmp/x/2fast", "addon-2fast"),
            ("/tmp/x/123", "addon-123"),
            ("/tmp/x/日本", "myaddon"),
        ] {
            assert_eq!(addon_id(Path::new(folder)), id, "{folder}");
        }
    }

    #[test]
    fn starter_manifest_is_valid_and_named_after_the_addon() {
        let files =
            starter_files("fast-db", "fast db", "0123456789abcdef0123456789abcdef", "fedcba9876543210fedcba9876543210");
        let validation = kensa_manifest::validate(files.manifest.as_bytes());
        assert!(validation.is_ok(), "{:?}", validation.diagnostics().collect::<Vec<_>>());
        let manifest: Value = serde_json::from_str(&files.manifest).unwrap();
        assert_eq!(manifest["id"], "fast-db");
        assert_eq!(manifest["api"]["config_vars"], json!(["FAST_DB_URL"]));
        assert_eq!(manifest["api"]["test"]["base_url"], "http://localhost:5000/heroku/resources");
        assert!(files.dotenv.contains("HEROKU_USERNAME=fast-db\n"));
        assert!(files.dotenv.contains("PORT=5000\n"));
        assert!(files.dotenv.contains("ADDON_CONFIG_VARS=FAST_DB_URL\n"));
    }

    #[test]
    fn every_template_has_a_readme_naming_its_start_command_and_the_check() {
        for template in TEMPLATES {
            let readme = template.files.iter().find(|(path, _, _)| *path == "README.md").unwrap();
            let readme = std::str::from_utf8(readme.1).unwrap();
            assert!(readme.contains(template.start), "{}", template.name);
            assert!(readme.contains("kensa test all --with-sso"), "{}", template.name);
        }
    }

    #[test]
    fn gits_reason_is_its_fatal_line_not_its_advice() {
        let stderr = "fatal: '/x' does not appear to be a git repository\nfatal: Could not read from remote \
                      repository.\n\nPlease make sure you have the correct access rights\nand the repository exists.\n";
        assert_eq!(git_reason(stderr), "'/x' does not appear to be a git repository");
        assert_eq!(git_reason("warning: a\nsomething else\n"), "something else");
        assert_eq!(git_reason(""), "git failed");
    }

    #[test]
    fn urls_lose_their_credentials() {
        assert_eq!(redact_url("https://user:tok@github.com/a/b"), "https://[redacted]@github.com/a/b");
        assert_eq!(redact_url("https://github.com/a/b@c"), "https://github.com/a/b@c");
        assert_eq!(redact_url("git@github.com:a/b"), "git@github.com:a/b");
    }
}
