//! The shapes of the names a manifest holds: add-on slugs, config var names and their prefix.

/// `^[A-Z][0-9A-Z_]+$`, as Heroku requires of config var names.
pub(crate) fn is_env_key(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|first| first.is_ascii_uppercase())
        && name.len() >= 2
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

pub(crate) fn is_slug(id: &str) -> bool {
    id.chars().next().is_some_and(|first| first.is_ascii_lowercase())
        && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

pub(crate) fn slugify(id: &str) -> String {
    let mut slug = String::new();
    for c in id.trim().chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-').trim_start_matches(|c: char| c.is_ascii_digit()).to_string();
    if slug.is_empty() { "myaddon".to_string() } else { slug }
}

/// The prefix config vars get when `config_vars_prefix` is not set: `fast-db` gives `FAST_DB`.
/// ASCII only, as a valid id is (Unicode case tables would cost the playground ~3 KB).
pub fn default_prefix(id: &str) -> String {
    id.to_ascii_uppercase().replace('-', "_")
}
