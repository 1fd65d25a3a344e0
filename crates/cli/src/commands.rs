pub(crate) mod init;
pub(crate) mod test;
