//! HTTP plumbing the commands share: the async runtime, the clients' common policy and the
//! causes of a reqwest failure. Each command adds only what is its own (the checks' fresh
//! connections, push/pull's overall timeout, the proxy's long reads).

use crate::error::{CliError, Result};
use std::error::Error as _;
use std::time::Duration;

/// A single-threaded runtime: kensa waits on one provider at a time, concurrency comes
/// from joined futures, not threads.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| CliError::new(format!("cannot start the async runtime: {error}")))
}

/// What every client does: never follows a redirect (a check must see it, push/pull must
/// not send the token elsewhere) and gives up connecting after 10 s.
pub(crate) fn client_builder() -> reqwest::ClientBuilder {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).connect_timeout(Duration::from_secs(10))
}

/// The failure's causes, outermost first. The last names what went wrong without
/// repeating the request.
pub(crate) fn causes(error: &reqwest::Error) -> Vec<String> {
    let mut causes = Vec::new();
    let mut source = error.source();
    while let Some(cause) = source {
        causes.push(cause.to_string());
        source = cause.source();
    }
    causes
}

/// The body of `response`, read chunk by chunk up to `max_bytes`; `None` as soon as it
/// would exceed them, without reading further (an answer is never read whole first).
pub(crate) async fn read_body(
    response: &mut reqwest::Response,
    max_bytes: usize,
) -> Result<Option<Vec<u8>>, reqwest::Error> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        if body.len() + chunk.len() > max_bytes {
            return Ok(None);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Some(body))
}
