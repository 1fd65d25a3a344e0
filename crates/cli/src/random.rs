//! Secrets for manifests and the Heroku stand-in's tokens, from the OS random source.

/// 32 hex characters from the operating system's random source.
pub(crate) fn random_hex() -> Result<String, String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|error| format!("the system random source failed: {error}"))?;
    Ok(kensa_checks::encoding::hex(&bytes))
}
