//! The manifests the rule tests and the fuzzer both start from.

use serde_json::{Value, json};

/// A v3 manifest that passes every rule.
pub(crate) fn valid() -> Value {
    json!({
        "id": "myaddon",
        "name": "MyAddon",
        "api": {
            "config_vars_prefix": "MYADDON",
            "config_vars": ["MYADDON_URL"],
            "password": "0123456789abcdef",
            "sso_salt": "fedcba9876543210",
            "regions": ["us", "eu"],
            "requires": [],
            "production": {
                "base_url": "https://yourapp.com/heroku/resources",
                "sso_url": "https://yourapp.com/sso/login"
            },
            "test": {
                "base_url": "http://localhost:4567/heroku/resources",
                "sso_url": "http://localhost:4567/sso/login"
            },
            "version": "3"
        }
    })
}
