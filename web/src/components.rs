//! One component per file; data flows down as props, events come up through `on…` callbacks.

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
