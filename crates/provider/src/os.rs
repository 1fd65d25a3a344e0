//! What the provider takes from the operating system: random ids and tokens, and the clock.

use std::io;

use kensa_checks::encoding::hex;

/// Random lowercase letters (a–p, 4 bits each). Letters only, so an id can never
/// contain the digits of a `heroku_id` by chance.
pub(crate) fn random_id() -> io::Result<String> {
    let mut buf = [0u8; 10];
    getrandom::fill(&mut buf).map_err(|e| io::Error::other(format!("random source: {e}")))?;
    Ok(buf.iter().flat_map(|b| [b >> 4, b & 15]).map(|nibble| char::from(b'a' + nibble)).collect())
}

/// `bytes` random bytes in lowercase hex.
pub(crate) fn random_hex(bytes: usize) -> io::Result<String> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(|e| io::Error::other(format!("random source: {e}")))?;
    Ok(hex(&buf))
}

/// Seconds since the Unix epoch.
pub(crate) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_letters_only() {
        let a = random_id().unwrap();
        let b = random_id().unwrap();
        assert_eq!(a.len(), 20);
        assert!(a.bytes().all(|c| (b'a'..=b'p').contains(&c)));
        assert_ne!(a, b);
    }
}
