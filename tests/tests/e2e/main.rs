//! End-to-end tests: the `kensa` binary against the reference provider (and a recording
//! provider) on 127.0.0.1.
//!
//! One test binary on purpose: cargo runs test binaries one after another but the tests of
//! one binary in parallel, so the single 25-second test (`limits::slow_provision...`)
//! overlaps everything else.
#![allow(clippy::unwrap_used, reason = "tests panic on purpose")]
#![allow(clippy::disallowed_methods, reason = "host-side tests: read and write temporary files")]

mod async_provision;
mod deadlines;
mod faults;
mod formats;
mod har;
mod ledger;
mod limits;
mod local_servers;
mod not_regular_files;
mod output_safety;
mod output_snapshots;
mod parse_once;
mod plain_servers;
mod private_files;
mod redaction;
mod reproduce;
mod resource_keys;
mod run;
mod sarif;
mod setup;
mod sso;
mod suites;
mod terminal_text;
