//! Random ids and tokens.

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn random_bytes() -> [u8; 16] {
    let mut bytes = [0u8; 16];
    if let Err(error) = getrandom::fill(&mut bytes) {
        panic!("the system random source failed: {error}");
    }
    bytes
}

pub fn random_hex() -> String {
    hex(&random_bytes())
}

/// Letters only, so an id never contains the app number of a v1 heroku_id.
pub fn new_id() -> String {
    random_bytes()[..10]
        .iter()
        .map(|byte| char::from(b'a' + byte % 26))
        .collect()
}
