//! The credentials kensa sends besides the manifest's own: what the authentication probes
//! use, and what the redactor must blank wherever a provider echoes it.

use kensa_manifest::Manifest;

/// What the wrong username adds to the add-on's id.
pub(crate) const WRONG_USER_SUFFIX: &str = "-kensa-wrong-user";
/// The wrong password, unless it is the manifest's own.
pub(crate) const WRONG_PASSWORD: &str = "kensa-wrong-password";

/// The credentials the three authentication probes send, each of which must get 401, in
/// the order they are sent and recorded.
pub(crate) fn bad_credentials(manifest: &Manifest) -> [(&'static str, String, String); 3] {
    let password = manifest.api.password.expose();
    let wrong_password = if password == WRONG_PASSWORD { "kensa-other-password" } else { WRONG_PASSWORD };
    let wrong_user = format!("{}{WRONG_USER_SUFFIX}", manifest.id);
    [
        ("a wrong username", wrong_user.clone(), password.to_string()),
        ("a wrong password", manifest.id.clone(), wrong_password.to_string()),
        ("a wrong username and password", wrong_user, wrong_password.to_string()),
    ]
}
