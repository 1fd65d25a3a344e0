//! The two keys of one resource: Heroku's uuid and the provider's id, and which one each
//! call uses. Shared by the engine's events and the ledger that follows them.

use crate::encoding::is_dot_or_empty_segment;
use kensa_manifest::ApiVersion;

/// The keys kensa knows for one resource. Either may be missing for a resource made
/// elsewhere (`--id`, `--uuid`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResourceKeys {
    /// Heroku's uuid, sent at provision.
    pub uuid: Option<String>,
    /// The provider's id, from its answer.
    pub id: Option<String>,
}

impl ResourceKeys {
    /// One key whose kind is not known (`kensa test sso KEY` for a resource kensa never saw):
    /// used for both.
    pub fn either(key: &str) -> ResourceKeys {
        ResourceKeys { uuid: Some(key.to_string()), id: Some(key.to_string()) }
    }

    pub fn both(uuid: &str, id: &str) -> ResourceKeys {
        ResourceKeys { uuid: Some(uuid.to_string()), id: Some(id.to_string()) }
    }

    /// The key in `<base_url>/KEY` paths: Heroku's uuid in v3, the provider's id in v1.
    pub fn path_key(&self, version: ApiVersion) -> &str {
        let (first, second) = match version {
            ApiVersion::V3 => (&self.uuid, &self.id),
            ApiVersion::V1 => (&self.id, &self.uuid),
        };
        first.as_deref().or(second.as_deref()).unwrap_or_default()
    }

    /// The provider's id, as SSO sends it in `id` (the uuid when the id is not known).
    pub fn sso_id(&self) -> &str {
        self.id.as_deref().or(self.uuid.as_deref()).unwrap_or_default()
    }

    /// Heroku's uuid, as v3 SSO sends it in `resource_id` (the id when not known).
    pub fn sso_uuid(&self) -> &str {
        self.uuid.as_deref().or(self.id.as_deref()).unwrap_or_default()
    }

    /// The provider's id when it differs from the v3 path key: what to try once when a
    /// call by uuid gets 404 (a service that finds resources by its own id). Never a key
    /// that would address the collection instead.
    pub fn fallback_id(&self, version: ApiVersion) -> Option<&str> {
        let id = self.id.as_deref().filter(|id| !is_dot_or_empty_segment(id))?;
        (version == ApiVersion::V3 && Some(id) != self.uuid.as_deref() && self.uuid.is_some()).then_some(id)
    }

    /// The first key given that cannot be a path segment (see
    /// [`crate::encoding::is_dot_or_empty_segment`]): hosts refuse such keys before a run.
    pub fn unusable_key(&self) -> Option<&str> {
        [&self.uuid, &self.id].into_iter().flatten().map(String::as_str).find(|key| is_dot_or_empty_segment(key))
    }
}

/// A status by which a call by uuid may have missed a resource its service keeps by id: 404,
/// or a server error from code that assumed the lookup found something.
pub(crate) fn missed_by_uuid(status: u16) -> bool {
    status == 404 || (500..600).contains(&status)
}

/// Whether `text` has the 8-4-4-4-12 hex shape of a uuid such as Heroku's resource uuid.
pub fn looks_like_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(group, len)| group.len() == len && group.bytes().all(|byte| byte.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_a_uuid_from_a_plan_or_an_id() {
        assert!(looks_like_uuid("01234567-89ab-cdef-0123-456789ABCDEF"));
        for not in ["premium", "123", "01234567-89ab-cdef-0123-456789abcde", "01234567-89ab-cdef-0123-456789abcdeg", ""]
        {
            assert!(!looks_like_uuid(not), "{not}");
        }
    }

    #[test]
    fn keys_choose_the_path_and_the_sso_fields() {
        let keys = ResourceKeys::both("u-1", "1");
        assert_eq!(keys.path_key(ApiVersion::V3), "u-1");
        assert_eq!(keys.path_key(ApiVersion::V1), "1");
        assert_eq!((keys.sso_id(), keys.sso_uuid()), ("1", "u-1"));
        assert_eq!(keys.fallback_id(ApiVersion::V3), Some("1"));
        assert_eq!(keys.fallback_id(ApiVersion::V1), None);
        assert_eq!(ResourceKeys::either("k").fallback_id(ApiVersion::V3), None);
        let only_id = ResourceKeys { uuid: None, id: Some("7".into()) };
        assert_eq!((only_id.path_key(ApiVersion::V3), only_id.sso_uuid()), ("7", "7"));
    }

    #[test]
    fn a_dot_segment_id_is_never_the_key_to_retry_by() {
        for id in ["..", ".", "%2e%2e", ""] {
            let keys = ResourceKeys::both("u-1", id);
            assert_eq!(keys.fallback_id(ApiVersion::V3), None, "{id:?}");
            assert_eq!(keys.unusable_key(), Some(id));
        }
        assert_eq!(ResourceKeys::both(".", "1").unusable_key(), Some("."));
        assert_eq!(ResourceKeys::both("u-1", "1").unusable_key(), None);
        assert_eq!(ResourceKeys::default().unusable_key(), None);
    }
}
