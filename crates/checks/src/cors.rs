//! What a provider answers a browser's preflight so that the playground's calls get through:
//! every method the engine's calls use, the request headers they carry, and how long the
//! browser may cache the answer. One source for the playground's advice, `kensa cors-proxy`
//! and the reference provider.

pub const ALLOW_METHODS: &str = "GET, POST, PUT, DELETE, PATCH, OPTIONS";
pub const ALLOW_HEADERS: &str = "Authorization, Content-Type, Accept";
/// Seconds, as `Access-Control-Max-Age` writes them.
pub const MAX_AGE_SECS: &str = "600";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::Method;

    /// Every method a check can send.
    const SENT: [Method; 5] = [Method::Get, Method::Post, Method::Put, Method::Patch, Method::Delete];

    #[test]
    fn every_method_the_engine_sends_is_allowed() {
        let allowed: Vec<&str> = ALLOW_METHODS.split(", ").collect();
        for method in SENT {
            assert!(allowed.contains(&method.as_str()), "{method:?}");
        }
    }
}
