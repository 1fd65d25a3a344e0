//! The config vars a resource gets: `*_URL` vars point at its page, the others hold a
//! value that is stable per resource, so a repeated provision answers the same config.

use kensa_checks::encoding::hex;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use crate::options::ProviderOptions;
use crate::state::App;

/// The config of resource `id`, as a correct provider answers it.
pub(crate) fn config(app: &App, id: &str) -> Map<String, Value> {
    let mut map = Map::new();
    for name in &app.options.config_vars {
        let value = if name.ends_with("_URL") {
            json!(format!("{}/resources/{id}", app.public_url))
        } else {
            let digest = Sha256::digest(format!("{id}:{name}").as_bytes());
            json!(hex(&digest[..16]))
        };
        map.insert(name.clone(), value);
    }
    map
}

/// What the config vars start with: `MYADDON` for `MYADDON_URL`, or the add-on id in
/// upper case when there is no var to tell.
pub(crate) fn prefix(options: &ProviderOptions) -> String {
    options
        .config_vars
        .first()
        .and_then(|v| v.rsplit_once('_'))
        .map(|(prefix, _)| prefix.to_owned())
        .unwrap_or_else(|| options.id.to_ascii_uppercase().replace('-', "_"))
}
