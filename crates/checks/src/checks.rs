//! The live checks, one file per phase. Each file declares its checks' documentation at
//! the top ([`kensa_manifest::checks!`], collected into its `CHECKS`) and below it the
//! [`CheckRun`](crate::CheckRun) methods that make them; [`crate::catalogue::CHECKS`] lists
//! them all in run order. The session those methods share (start, finish, send, skip) is in
//! [`crate::engine`]; which phases a run makes, in [`crate::suite`].

pub(crate) mod async_provision;
pub(crate) mod config;
pub(crate) mod deprovision;
pub(crate) mod idempotency;
pub(crate) mod plan_change;
pub(crate) mod provision;
pub(crate) mod regions;
pub(crate) mod run;
pub mod sso;
pub(crate) mod tolerance;
