//! One piece of the page per file; data flows down, events come up through `on…` callbacks.
//!
//! Pieces with no state worth memoising are plain functions returning `Html`: every
//! component type brings its own copy of yew's lifecycle code, and converting nine of them
//! took 4.2 KB off the page's gzipped bundle. Components remain where a list or an
//! editor gains from re-rendering only when its props change.

pub(crate) mod check_row;
pub(crate) mod cors_panel;
pub(crate) mod diagnostic_item;
pub(crate) mod diagnostic_list;
pub(crate) mod editor;
pub(crate) mod exchange_view;
pub(crate) mod explain;
pub(crate) mod footer;
pub(crate) mod header;
pub(crate) mod notice;
pub(crate) mod report_bar;
pub(crate) mod results;
pub(crate) mod run_panel;
pub(crate) mod run_status;
pub(crate) mod shared_banner;
pub(crate) mod summary;
