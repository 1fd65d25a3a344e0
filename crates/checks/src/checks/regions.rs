//! `Testing regions`: a provision carries the app's region, and an app may be in any region
//! the manifest declares. The provision under test is sent from the first; this provisions
//! once from each of the others (as [`super::tolerance`] sends its probes, side by side).

use crate::checks::tolerance::{Probe, SideProvision, with_field};
use crate::engine::CheckRun;
use crate::transport::Transport;
use kensa_manifest::Manifest;
use kensa_manifest::references::PARTNER_API_ARTICLE;
use kensa_manifest::regions::provisioned_in;
use serde_json::Value;

kensa_manifest::checks! {
    /// The region checks, in the order they run.
    pub(crate) const CHECKS;
    EVERY_DECLARED_REGION {
        code: "G01",
        name: "provision/every-declared-region",
        label: "every declared region provisions",
        summary: "A provision from each other region the manifest declares (a sample of them for `*`), sent as \
                  `amazon-web-services::<aws-region>`, succeeds with a usable id.",
        why: "`api.regions` lists where Heroku lets users add the add-on, and each provision carries the app's \
              region: a region the provider refuses fails every app there.",
        example: "region `eu` (amazon-web-services::eu-west-1): expected 200, got 422: the manifest declares `eu`, \
                  so Heroku provisions apps there and sends their region in this form; accept it, or remove `eu` \
                  from `api.regions`",
        fix: "Accept every region `api.regions` lists in the provision's `region` field \
              (`amazon-web-services::us-east-1` for `us`, `amazon-web-services::eu-west-1` for `eu`, ...), or \
              list only the regions you serve.",
        reference: PARTNER_API_ARTICLE,
    }
}

/// A region G01 provisions from.
#[derive(Debug, PartialEq, Eq)]
struct OtherRegion {
    /// The table's name for it, such as `eu`.
    name: &'static str,
    /// What the manifest declared that brings it in: its name, or `*`.
    declared: String,
    /// Its request form, such as `amazon-web-services::eu-west-1`.
    form: String,
}

/// The regions the manifest declares, besides `main`, once per request form: two names of
/// one AWS region (`us` and `virginia`) are one provision.
fn other_regions(declared: &[String], main: &str) -> Vec<OtherRegion> {
    let mut others: Vec<OtherRegion> = Vec::new();
    for name in declared {
        for (region, form) in provisioned_in(name) {
            if form != main && others.iter().all(|other| other.form != form) {
                others.push(OtherRegion { name: region.name, declared: name.clone(), form });
            }
        }
    }
    others
}

impl<T: Transport> CheckRun<'_, T> {
    /// G01's provisions, one per other declared region; skipped when there is none.
    pub(crate) fn region_probe(&mut self, manifest: &Manifest) -> Probe {
        let main = self.region.clone();
        let others = other_regions(&manifest.api.regions, &main);
        if others.is_empty() {
            let declared: Vec<String> = manifest.api.regions.iter().map(|name| format!("`{name}`")).collect();
            let reason = format!(
                "every region the manifest declares ({}) is sent as {main}, as the provision above was",
                declared.join(", ")
            );
            return Probe { def: &EVERY_DECLARED_REGION, group: "regions", sides: Err(reason), note: None };
        }
        let names: Vec<&str> = others.iter().map(|other| other.name).collect();
        let note = Some(format!("(also from {})", names.join(", ")));
        let sides = others
            .into_iter()
            .map(|other| {
                let OtherRegion { name, declared, form } = other;
                let rule = if declared == "*" {
                    format!(
                        "the manifest declares `*` (every region), so Heroku provisions apps in `{name}` too and sends \
                         their region in this form; accept it, or list only the regions you serve in `api.regions`"
                    )
                } else {
                    format!(
                        "the manifest declares `{declared}`, so Heroku provisions apps there and sends their region \
                         in this form; accept it, or remove `{declared}` from `api.regions`"
                    )
                };
                let payload = with_field(self.provision_payload(manifest, None), "region", Value::from(form.clone()));
                SideProvision { payload, what: format!("region `{name}` ({form})"), rule, region: form }
            })
            .collect();
        Probe { def: &EVERY_DECLARED_REGION, group: "regions", sides: Ok(sides), note }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kensa_manifest::regions::first_request_form;

    fn names(declared: &[&str]) -> Vec<(&'static str, String)> {
        let declared: Vec<String> = declared.iter().map(|name| name.to_string()).collect();
        other_regions(&declared, &first_request_form(&declared))
            .into_iter()
            .map(|other| (other.name, other.declared))
            .collect()
    }

    #[test]
    fn the_main_provision_is_sent_from_the_first_declared_region() {
        assert_eq!(first_request_form(&[]), "amazon-web-services::us-east-1");
        let manifest = |regions: &str| {
            let source = format!(
                r#"{{"id": "myaddon", "api": {{"config_vars": ["MYADDON_URL"], "password": "p-0123456789",
                "sso_salt": "s-0123456789", "regions": {regions}, "version": "3",
                "production": {{"base_url": "https://myaddon.example.com/heroku/resources"}},
                "test": {{"base_url": "http://localhost:4567/heroku/resources"}}}}}}"#
            );
            kensa_manifest::validate(source.as_bytes()).manifest.expect("a valid manifest")
        };
        let regions_of = |manifest: &Manifest| manifest.api.regions.clone();
        assert_eq!(first_request_form(&regions_of(&manifest(r#"["us", "eu"]"#))), "amazon-web-services::us-east-1");
        assert_eq!(first_request_form(&regions_of(&manifest(r#"["eu", "us"]"#))), "amazon-web-services::eu-west-1");
        assert_eq!(first_request_form(&regions_of(&manifest(r#"["*"]"#))), "amazon-web-services::us-east-1");
    }

    #[test]
    fn the_others_are_each_other_aws_region_once() {
        assert!(names(&["us"]).is_empty());
        assert!(names(&["us", "virginia"]).is_empty(), "one AWS region, already provisioned in");
        assert_eq!(names(&["us", "eu", "dublin", "tokyo"]), [("eu", "eu".into()), ("tokyo", "tokyo".into())]);
        assert_eq!(names(&["*"]), [("eu", "*".into()), ("tokyo", "*".into())]);
        assert_eq!(names(&["us", "eu", "*"]), [("eu", "eu".into()), ("tokyo", "*".into())]);
    }
}
