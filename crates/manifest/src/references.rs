//! The Dev Center articles that define what kensa checks; every check's `reference`.

pub const ASYNC_ARTICLE: &str = "https://devcenter.heroku.com/articles/getting-started-with-asynchronous-provisioning";
pub const GUIDE_ARTICLE: &str = "https://devcenter.heroku.com/articles/building-a-heroku-add-on";
pub const LOG_ARTICLE: &str = "https://devcenter.heroku.com/articles/add-on-partner-log-integration";
pub const MANIFEST_ARTICLE: &str = "https://devcenter.heroku.com/articles/add-on-manifest";
pub const PARTNER_API_ARTICLE: &str = "https://devcenter.heroku.com/articles/add-on-partner-api-reference";
pub const PLATFORM_API_ARTICLE: &str = "https://devcenter.heroku.com/articles/platform-api-for-partners";
pub const SSO_ARTICLE: &str = "https://devcenter.heroku.com/articles/add-on-single-sign-on";
pub const V3_MIGRATION_ARTICLE: &str =
    "https://devcenter.heroku.com/articles/migrating-to-v3-of-the-add-on-partner-api";
