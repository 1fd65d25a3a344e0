//! The credentials kensa sends besides the manifest's own: what the authentication probes
//! use, and what the redactor must blank wherever a provider echoes it.

use kensa_manifest::Manifest;

/// The credentials the three authentication probes send, each of which must get 401.
pub(crate) fn bad_credentials(manifest: &Manifest) -> [(&'static str, String, String); 3] {
    let password = manifest.api.password.expose();
    let wrong_password =
        if password == "kensa-wrong-password" { "kensa-other-password" } else { "kensa-wrong-password" };
    let wrong_user = format!("{}-kensa-wrong-user", manifest.id);
    [
        ("a wrong username", wrong_user.clone(), password.to_string()),
        ("a wrong password", manifest.id.clone(), wrong_password.to_string()),
        ("a wrong username and password", wrong_user, wrong_password.to_string()),
    ]
}
