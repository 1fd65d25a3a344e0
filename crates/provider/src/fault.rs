//! Fault switches: each one breaks one part of the provider contract on purpose, so
//! that a checker can be shown to notice.

use std::fmt;
use std::str::FromStr;

macro_rules! faults {
    ($($(#[$meta:meta])* $variant:ident = $name:literal : $description:literal,)+) => {
        /// One deliberate contract violation. [`Fault::ALL`] lists them in a stable order.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Fault {
            $($(#[$meta])* #[doc = $description] $variant,)+
        }

        impl Fault {
            /// Every fault, in declaration order (the order `--list-faults` prints).
            pub const ALL: &'static [Fault] = &[$(Fault::$variant,)+];

            /// The kebab-case name used on the command line.
            pub const fn name(self) -> &'static str {
                match self {
                    $(Fault::$variant => $name,)+
                }
            }

            /// One line saying what the provider does wrong with this switch on.
            pub const fn description(self) -> &'static str {
                match self {
                    $(Fault::$variant => $description,)+
                }
            }
        }
    };
}

faults! {
    NoAuth = "no-auth": "accepts any Basic credentials, or none",
    AuthPasswordOnly = "auth-password-only": "checks only the Basic password, not the user (add-on id)",
    AuthUserOnly = "auth-user-only": "checks only the Basic user (add-on id), not the password",
    ProvisionStatus201 = "provision-status-201": "answers a successful provision with 201 instead of 200",
    ProvisionStatus202 = "provision-status-202": "answers a provision with 202 (async) but never completes it",
    AsyncNeverCallback = "async-never-callback": "async mode: answers 202 and never calls back",
    AsyncSkipOauth = "async-skip-oauth": "async mode (v3): skips the token exchange and calls Heroku's API without Authorization",
    AsyncWrongToken = "async-wrong-token": "async mode (v3): exchanges the grant, then sends `Bearer wrong-token`",
    AsyncLegacyCallback = "async-legacy-callback": "async mode: finishes with the legacy PUT to callback_url even for v3",
    AsyncUndeclaredConfigVar = "async-undeclared-config-var": "async mode: the callback's config has a var the manifest does not declare",
    AsyncNoClientSecret = "async-no-client-secret": "async mode (v3): exchanges the grant without client_secret",
    AsyncNoAccept = "async-no-accept": "async mode (v3): calls Heroku's Platform API without `Accept: application/vnd.heroku+json; version=3`",
    ProvisionStatus422 = "provision-status-422": "refuses every provision with 422 and a message",
    ProvisionNotJson = "provision-not-json": "answers a provision with a body that is not JSON",
    ProvisionJsonArray = "provision-json-array": "wraps the provision answer in a JSON array",
    ProvisionNull = "provision-null": "answers a provision with the JSON value null",
    ProvisionMissingId = "provision-missing-id": "leaves `id` out of the provision answer",
    ProvisionEmptyId = "provision-empty-id": "answers a provision with \"id\": \"\"",
    UndeclaredConfigVar = "undeclared-config-var": "adds a config var that the manifest does not declare",
    ConfigExportsPath = "config-exports-path": "adds PATH, LD_PRELOAD and BASH_ENV to the provision config",
    NonStringConfigValue = "non-string-config-value": "returns the first config var as a number",
    ConfigNotObject = "config-not-object": "returns `config` as an array of {name, value} pairs",
    InvalidConfigUrl = "invalid-config-url": "returns _URL config vars without scheme and host",
    LocalhostConfigUrl = "localhost-config-url": "returns _URL config vars pointing at localhost",
    MissingDeclaredConfigVar = "missing-declared-config-var": "leaves the last declared config var out",
    MissingLogDrainUrl = "missing-log-drain-url": "ignores log_drain_token and returns no log_drain_url",
    SameIdForEveryUuid = "same-id-for-every-uuid": "answers every provision with the same resource, whatever the uuid",
    NewIdForRepeatedUuid = "new-id-for-repeated-uuid": "creates a second resource when a uuid is sent again",
    DuplicateOverlappingProvisions = "duplicate-overlapping-provisions": "looks a uuid up, then inserts without the unique constraint: a provision of a uuid already in flight makes a second resource",
    IdContainsHerokuId = "id-contains-heroku-id": "builds the id from heroku_id (v1), e.g. app1234-...",
    SlowProvision = "slow-provision": "waits (30 s by default) before answering a provision",
    DropConnection = "drop-connection": "closes the connection without answering a provision",
    OversizedBody = "oversized-body": "pads the provision answer to 50 MB",
    RejectV3Accept = "reject-v3-accept": "answers 406 to the v3 Accept header (application/vnd.heroku-addons+json)",
    RejectUnknownFields = "reject-unknown-fields": "answers 422 when a provision body has fields it does not know",
    NullOauthGrantCrash = "null-oauth-grant-crash": "answers 500 to a provision whose oauth_grant is null, as code reading oauth_grant.code does",
    RejectRegionEu = "reject-region-eu": "refuses (422) a provision from any eu-* AWS region, such as amazon-web-services::eu-west-1",
    KeyByProviderId = "key-by-provider-id": "finds resources only by the provider id, never by the Heroku uuid",
    DeprovisionStatus500 = "deprovision-status-500": "answers every deprovision with an empty 500",
    DeprovisionWithMessage500 = "deprovision-with-message-500": "answers every deprovision with 500 and a JSON message",
    DeprovisionRepeatSuccess = "deprovision-repeat-success": "answers success, not 410, for a resource already deprovisioned",
    DeprovisionRepeat500 = "deprovision-repeat-500": "answers 500, not 410, for a resource already deprovisioned",
    PlanchangeStatus500 = "planchange-status-500": "answers every plan change with an empty 500",
    Planchange503Message = "planchange-503-message": "answers every plan change with 503 and a message (manual change needed)",
    PlanchangeRepeatError = "planchange-repeat-error": "answers 422 with a message to a plan change to the plan the resource is already on",
    SsoIgnoreToken = "sso-ignore-token": "logs in whatever the SSO token is",
    SsoIgnoreTimestamp = "sso-ignore-timestamp": "accepts SSO timestamps older than 5 minutes",
    SsoAcceptFutureTimestamp = "sso-accept-future-timestamp": "accepts SSO timestamps from the future",
    SsoNoCookie = "sso-no-cookie": "does not set the heroku-nav-data cookie",
    SsoBadCookie = "sso-bad-cookie": "sets heroku-nav-data to a value that is not the nav-data sent",
    SsoNoLayout = "sso-no-layout": "renders the dashboard without `<div id=\"heroku-header\">`",
    SsoLoginFails = "sso-login-fails": "answers 403 to a valid SSO login",
}

impl Fault {
    /// Whether this fault bends asynchronous provisioning. Each of these switches async
    /// mode on by itself.
    pub const fn is_async(self) -> bool {
        matches!(
            self,
            Fault::AsyncNeverCallback
                | Fault::AsyncSkipOauth
                | Fault::AsyncWrongToken
                | Fault::AsyncLegacyCallback
                | Fault::AsyncUndeclaredConfigVar
                | Fault::AsyncNoClientSecret
                | Fault::AsyncNoAccept
        )
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A fault name that is not in [`Fault::ALL`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownFault {
    /// The name as given.
    pub name: String,
}

impl fmt::Display for UnknownFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown fault `{}`", self.name)?;
        if let Some(near) = closest(&self.name) {
            write!(f, "; did you mean `{near}`?")?;
        }
        Ok(())
    }
}

impl std::error::Error for UnknownFault {}

impl FromStr for Fault {
    type Err = UnknownFault;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim();
        Fault::ALL
            .iter()
            .copied()
            .find(|fault| fault.name().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| UnknownFault { name: wanted.to_owned() })
    }
}

/// Cheapest suggestion that still helps: a name that contains the input, or the
/// other way round.
fn closest(input: &str) -> Option<&'static str> {
    let input = input.to_ascii_lowercase();
    if input.len() < 3 {
        return None;
    }
    Fault::ALL.iter().map(|fault| fault.name()).find(|name| name.contains(input.as_str()) || input.contains(name))
}

/// A set of [`Fault`]s. Empty means a correct provider.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Faults(u64);

// One bit per fault: fails to compile once there are more than 64.
const _: () = assert!(Fault::ALL.len() <= 64);

impl Faults {
    /// The empty set.
    pub const NONE: Faults = Faults(0);

    /// The empty set.
    pub const fn new() -> Self {
        Faults(0)
    }

    /// This set plus `fault`.
    #[must_use]
    pub const fn with(self, fault: Fault) -> Self {
        Faults(self.0 | bit(fault))
    }

    /// Adds `fault`.
    pub fn insert(&mut self, fault: Fault) {
        self.0 |= bit(fault);
    }

    /// Removes `fault`.
    pub fn remove(&mut self, fault: Fault) {
        self.0 &= !bit(fault);
    }

    /// Whether `fault` is switched on.
    pub const fn contains(self, fault: Fault) -> bool {
        self.0 & bit(fault) != 0
    }

    /// Whether no fault is switched on.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// How many faults are switched on.
    pub const fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// Whether any fault that bends asynchronous provisioning is switched on.
    pub fn any_async(self) -> bool {
        self.iter().any(Fault::is_async)
    }

    /// The faults switched on, in [`Fault::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = Fault> {
        Fault::ALL.iter().copied().filter(move |fault| self.contains(*fault))
    }
}

const fn bit(fault: Fault) -> u64 {
    1 << fault as u32
}

impl From<Fault> for Faults {
    fn from(fault: Fault) -> Self {
        Faults::NONE.with(fault)
    }
}

impl FromIterator<Fault> for Faults {
    fn from_iter<I: IntoIterator<Item = Fault>>(iter: I) -> Self {
        let mut faults = Faults::NONE;
        faults.extend(iter);
        faults
    }
}

impl Extend<Fault> for Faults {
    fn extend<I: IntoIterator<Item = Fault>>(&mut self, iter: I) {
        for fault in iter {
            self.insert(fault);
        }
    }
}

impl fmt::Debug for Faults {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

/// Comma-separated names, `none` when empty.
impl fmt::Display for Faults {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return f.write_str("none");
        }
        for (i, fault) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            f.write_str(fault.name())?;
        }
        Ok(())
    }
}

/// Parses a comma-separated list of names; the empty string and `none` give the empty set.
impl FromStr for Faults {
    type Err = UnknownFault;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.is_empty() || s.eq_ignore_ascii_case("none") {
            return Ok(Faults::NONE);
        }
        s.split(',').map(str::parse).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_kebab_case() {
        for fault in Fault::ALL {
            assert_eq!(fault.name().parse::<Fault>(), Ok(*fault));
            assert_eq!(fault.to_string(), fault.name());
            assert!(fault.name().chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'), "{fault}");
            assert!(!fault.description().is_empty());
        }
    }

    #[test]
    fn names_are_unique() {
        let mut names: Vec<_> = Fault::ALL.iter().map(|f| f.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Fault::ALL.len());
    }

    #[test]
    fn async_faults_are_named_async() {
        for fault in Fault::ALL {
            assert_eq!(fault.is_async(), fault.name().starts_with("async-"), "{fault}");
        }
        assert!(Faults::from(Fault::AsyncWrongToken).any_async());
        assert!(!Faults::from(Fault::ProvisionStatus202).any_async());
    }

    #[test]
    fn set_operations() {
        let mut set = Faults::new();
        assert!(set.is_empty());
        set.insert(Fault::SsoNoLayout);
        set.insert(Fault::NoAuth);
        assert!(set.contains(Fault::NoAuth));
        assert!(!set.contains(Fault::AuthUserOnly));
        assert_eq!(set.len(), 2);
        // Iteration follows declaration order, not insertion order.
        assert_eq!(set.to_string(), "no-auth,sso-no-layout");
        set.remove(Fault::NoAuth);
        assert_eq!(set, Faults::from(Fault::SsoNoLayout));
        assert_eq!(Faults::NONE.to_string(), "none");
    }

    #[test]
    fn parses_lists_and_suggests() {
        let set: Faults = "no-auth, slow-provision".parse().unwrap();
        assert_eq!(set, Faults::NONE.with(Fault::NoAuth).with(Fault::SlowProvision));
        assert_eq!("none".parse::<Faults>(), Ok(Faults::NONE));
        let err = "slow".parse::<Fault>().unwrap_err();
        assert_eq!(err.to_string(), "unknown fault `slow`; did you mean `slow-provision`?");
        assert_eq!("bogus".parse::<Fault>().unwrap_err().to_string(), "unknown fault `bogus`");
    }
}
