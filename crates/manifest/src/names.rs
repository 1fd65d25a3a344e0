//! The shapes of the names a manifest holds: add-on slugs, config var names and their prefix.

/// `^[A-Z][0-9A-Z_]+$`, as Heroku requires of config var names.
pub(crate) fn is_env_key(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|first| first.is_ascii_uppercase())
        && name.len() >= 2
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// What rule M05 accepts: lower-case ASCII letters, digits and dashes, starting with a letter.
pub(crate) fn is_slug(id: &str) -> bool {
    id.chars().next().is_some_and(|first| first.is_ascii_lowercase())
        && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// The add-on id made from a name: the hint of rule M05 (`manifest/id-charset`) for an id it
/// refuses, and the id `kensa create` derives from a folder name. ASCII letters and digits are
/// kept, lower-cased; every run of anything else becomes one dash; dashes at either end go;
/// a name with nothing left gives `myaddon`.
///
/// A name that starts with a digit gets `addon-` in front: `2fast` becomes `addon-2fast`, not
/// `fast`. An id must start with a letter (M05), and adding one keeps every character the
/// author chose, where dropping the digits would suggest another name altogether (`2fast` and
/// `fast` are different add-ons, and `123` would end up as the placeholder `myaddon`).
/// Heroku's own slug prompt (`addons-admin manifest:generate`) never rewrites a name either.
pub fn slug(name: &str) -> String {
    let mut slug = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    match slug.chars().next() {
        None => "myaddon".to_string(),
        Some(first) if first.is_ascii_digit() => format!("addon-{slug}"),
        Some(_) => slug.to_string(),
    }
}

/// The prefix config vars get when `config_vars_prefix` is not set: `fast-db` gives `FAST_DB`.
/// ASCII only, as a valid id is (Unicode case tables would cost the playground ~3 KB).
pub fn default_prefix(id: &str) -> String {
    id.to_ascii_uppercase().replace('-', "_")
}

/// Why a program started with `name` in its environment would load or run something else,
/// when it would: such a name is never a config var (the manifest rule fails it) and `kensa
/// run` never exports it, declared or not. An add-on's vars reach every process of the app,
/// so one of these would let the provider run its own code there. The list: the dynamic
/// linkers' (`LD_*`, `DYLD_*`), glibc's own list of variables it drops for setuid programs
/// (`GCONV_PATH`, `GLIBC_TUNABLES`, `HOSTALIASES`, `LOCPATH`, `MALLOC_*`, `NLSPATH`,
/// `RESOLV_HOST_CONF`, `TMPDIR`, ...), the shell's start-up and lookup variables, the start-up
/// options and module paths of the common language runtimes, and the variables git and ssh
/// take a program or configuration from. Compared case-insensitively (Windows ignores case).
pub fn changes_how_programs_start(name: &str) -> Option<&'static str> {
    const LINKER: &str = "the dynamic linker reads it to load code into every program";
    const LIBC: &str = "the C library reads it to load code or data files, or to place temporary files";
    const SHELL: &str = "shells read it to find programs or to run code as they start";
    const RUNTIME: &str = "a language runtime reads it to load code or options as it starts";
    const TOOLS: &str = "git, ssh or another tool reads it to run a program or read configuration";
    const PREFIXES: &[(&str, &str)] = &[
        ("LD_", LINKER),
        ("DYLD_", LINKER),
        ("MALLOC_", LIBC),
        ("BASH_FUNC_", SHELL),
        ("NPM_CONFIG_", RUNTIME),
        ("GIT_CONFIG", TOOLS),
        ("GIT_TRACE", TOOLS),
    ];
    const NAMES: &[(&str, &str)] = &[
        ("GCONV_PATH", LIBC),
        ("GETCONF_DIR", LIBC),
        ("GLIBC_TUNABLES", LIBC),
        ("HOSTALIASES", LIBC),
        ("LOCALDOMAIN", LIBC),
        ("LOCPATH", LIBC),
        ("NIS_PATH", LIBC),
        ("NLSPATH", LIBC),
        ("RESOLV_HOST_CONF", LIBC),
        ("RES_OPTIONS", LIBC),
        ("TMPDIR", LIBC),
        ("TZDIR", LIBC),
        ("PATH", SHELL),
        ("BASH_ENV", SHELL),
        ("ENV", SHELL),
        ("SHELLOPTS", SHELL),
        ("BASHOPTS", SHELL),
        ("PS4", SHELL),
        ("PROMPT_COMMAND", SHELL),
        ("IFS", SHELL),
        ("CDPATH", SHELL),
        ("GLOBIGNORE", SHELL),
        ("SHELL", SHELL),
        ("HOME", SHELL),
        ("ZDOTDIR", SHELL),
        ("INPUTRC", SHELL),
        ("NODE_OPTIONS", RUNTIME),
        ("NODE_PATH", RUNTIME),
        ("RUBYOPT", RUNTIME),
        ("RUBYLIB", RUNTIME),
        ("GEM_HOME", RUNTIME),
        ("GEM_PATH", RUNTIME),
        ("BUNDLE_GEMFILE", RUNTIME),
        ("PERL5OPT", RUNTIME),
        ("PERL5LIB", RUNTIME),
        ("PERLLIB", RUNTIME),
        ("PERL5DB", RUNTIME),
        ("PYTHONSTARTUP", RUNTIME),
        ("PYTHONPATH", RUNTIME),
        ("PYTHONHOME", RUNTIME),
        ("PYTHONINSPECT", RUNTIME),
        ("PYTHONUSERBASE", RUNTIME),
        ("PYTHONBREAKPOINT", RUNTIME),
        ("PYTHONWARNINGS", RUNTIME),
        ("JAVA_TOOL_OPTIONS", RUNTIME),
        ("_JAVA_OPTIONS", RUNTIME),
        ("JDK_JAVA_OPTIONS", RUNTIME),
        ("CLASSPATH", RUNTIME),
        ("PHPRC", RUNTIME),
        ("PHP_INI_SCAN_DIR", RUNTIME),
        ("LUA_INIT", RUNTIME),
        ("LUA_PATH", RUNTIME),
        ("LUA_CPATH", RUNTIME),
        ("GIT_SSH", TOOLS),
        ("GIT_SSH_COMMAND", TOOLS),
        ("GIT_EXEC_PATH", TOOLS),
        ("GIT_ASKPASS", TOOLS),
        ("GIT_EDITOR", TOOLS),
        ("GIT_PAGER", TOOLS),
        ("GIT_PROXY_COMMAND", TOOLS),
        ("GIT_EXTERNAL_DIFF", TOOLS),
        ("GIT_TEMPLATE_DIR", TOOLS),
        ("GIT_DIR", TOOLS),
        ("XDG_CONFIG_HOME", TOOLS),
        ("SSH_ASKPASS", TOOLS),
        ("SUDO_ASKPASS", TOOLS),
        ("EDITOR", TOOLS),
        ("VISUAL", TOOLS),
        ("PAGER", TOOLS),
        ("BROWSER", TOOLS),
    ];
    let upper = name.to_ascii_uppercase();
    PREFIXES
        .iter()
        .find(|(prefix, _)| upper.starts_with(prefix))
        .or_else(|| NAMES.iter().find(|(known, _)| upper == *known))
        .map(|(_, why)| *why)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_valid_ids_close_to_the_name() {
        for (name, id) in [
            ("demo", "demo"),
            ("2fast", "addon-2fast"),
            ("2-fast", "addon-2-fast"),
            ("--2fast", "addon-2fast"),
            ("123", "addon-123"),
            ("My Add-on!", "my-add-on"),
            ("FAST DB", "fast-db"),
            ("  fast   db  ", "fast-db"),
            ("fast_db", "fast-db"),
            ("--Fast__DB--", "fast-db"),
            ("café-db", "caf-db"),
            ("日本", "myaddon"),
            ("", "myaddon"),
            ("   ", "myaddon"),
            ("-_-", "myaddon"),
        ] {
            assert_eq!(slug(name), id, "{name:?}");
            assert!(is_slug(&slug(name)), "{name:?}");
        }
    }

    #[test]
    fn a_valid_id_is_its_own_slug() {
        for id in ["myaddon", "fast-db", "a1", "x-2-y"] {
            assert!(is_slug(id));
            assert_eq!(slug(id), id);
        }
    }
}
