pub(crate) mod addons_api;
pub(crate) mod completions;
pub(crate) mod cors_proxy;
pub(crate) mod create;
pub(crate) mod explain;
pub(crate) mod init;
pub(crate) mod sso;
pub(crate) mod test;
