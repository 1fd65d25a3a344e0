//! One component per file; data flows down as props, events come up through `on…` callbacks.

pub(crate) mod diagnostic_item;
pub(crate) mod diagnostic_list;
pub(crate) mod editor;
pub(crate) mod header;
pub(crate) mod summary;
