pub(crate) mod init;
pub(crate) mod sso;
pub(crate) mod test;
