//! The app's effects, one hook per file: what it listens to, what waits for a timer or the
//! browser, and how a button press becomes a run.

pub(crate) mod use_debounced_validation;
pub(crate) mod use_downloads;
pub(crate) mod use_file_loader;
pub(crate) mod use_hash_change;
pub(crate) mod use_network_notice;
pub(crate) mod use_run;
