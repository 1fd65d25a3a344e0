//! Region names a manifest may list in `api.regions`, and the form a provision request
//! carries for each.

/// One accepted region name, where it comes from, and the AWS region its apps run in.
#[derive(Clone, Copy, Debug)]
pub struct Region {
    pub name: &'static str,
    pub note: &'static str,
    /// The AWS region of a provision's `region` field; `None` for `*`, which is no one place.
    pub aws_region: Option<&'static str>,
}

/// Every name `api.regions` accepts: the old gem's list plus the Platform API's current
/// Common Runtime and Private Spaces regions. `*` means "every region".
pub const REGIONS: &[Region] = &[
    Region { name: "*", note: "every region", aws_region: None },
    Region { name: "us", note: "Common Runtime, United States", aws_region: Some("us-east-1") },
    Region { name: "eu", note: "Common Runtime, Europe", aws_region: Some("eu-west-1") },
    Region { name: "dublin", note: "Private Spaces, Ireland", aws_region: Some("eu-west-1") },
    Region { name: "frankfurt", note: "Private Spaces, Germany", aws_region: Some("eu-central-1") },
    Region { name: "london", note: "Private Spaces, United Kingdom", aws_region: Some("eu-west-2") },
    Region { name: "montreal", note: "Private Spaces, Canada", aws_region: Some("ca-central-1") },
    Region { name: "mumbai", note: "Private Spaces, India", aws_region: Some("ap-south-1") },
    Region { name: "oregon", note: "Private Spaces, United States", aws_region: Some("us-west-2") },
    Region { name: "singapore", note: "Private Spaces, Singapore", aws_region: Some("ap-southeast-1") },
    Region { name: "sydney", note: "Private Spaces, Australia", aws_region: Some("ap-southeast-2") },
    Region { name: "tokyo", note: "Private Spaces, Japan", aws_region: Some("ap-northeast-1") },
    Region { name: "virginia", note: "Private Spaces, United States", aws_region: Some("us-east-1") },
];

/// Heroku requires every add-on to be available in the US region.
pub const REQUIRED_REGIONS: &[&str] = &["us", "*"];

/// The regions kensa provisions in for `*`: trying all twelve would cost twelve resources
/// per run, and these three cover the Common Runtime on both continents and a Private Space
/// in Asia.
pub const EVERY_REGION_SAMPLE: &[&str] = &["us", "eu", "tokyo"];

/// The `region` a provision request carries for an app in `region`:
/// `amazon-web-services::<aws-region>`, such as `amazon-web-services::eu-west-1` for `eu`.
pub fn request_form(region: &Region) -> Option<String> {
    region.aws_region.map(|aws| format!("amazon-web-services::{aws}"))
}

/// The regions a manifest's `name` lets Heroku provision in, each with its request form:
/// the region itself, or for `*` the [`EVERY_REGION_SAMPLE`]. Empty for an unknown name.
pub fn provisioned_in(name: &str) -> Vec<(&'static Region, String)> {
    let names: &[&str] = if name == "*" { EVERY_REGION_SAMPLE } else { &[name] };
    names
        .iter()
        .filter_map(|name| REGIONS.iter().find(|region| region.name == *name))
        .filter_map(|region| Some((region, request_form(region)?)))
        .collect()
}

/// The region every provision but kensa's region probe carries: the request form of the
/// first of `declared` (for `*`, of the first of its sample), `us`'s when it names none known.
pub fn first_request_form(declared: &[String]) -> String {
    let first = declared.first().map_or("us", String::as_str);
    provisioned_in(first).into_iter().chain(provisioned_in("us")).next().map(|(_, form)| form).unwrap_or_default()
}

pub(crate) fn is_known(name: &str) -> bool {
    REGIONS.iter().any(|region| region.name == name)
}

pub(crate) fn names() -> impl Iterator<Item = &'static str> {
    REGIONS.iter().map(|region| region.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each manifest region and the AWS region Heroku names in the provision it sends.
    #[test]
    fn every_named_region_has_its_request_form() {
        let table = [
            ("us", "us-east-1"),
            ("eu", "eu-west-1"),
            ("dublin", "eu-west-1"),
            ("frankfurt", "eu-central-1"),
            ("london", "eu-west-2"),
            ("montreal", "ca-central-1"),
            ("mumbai", "ap-south-1"),
            ("oregon", "us-west-2"),
            ("singapore", "ap-southeast-1"),
            ("sydney", "ap-southeast-2"),
            ("tokyo", "ap-northeast-1"),
            ("virginia", "us-east-1"),
        ];
        assert_eq!(table.len() + 1, REGIONS.len(), "every region but `*` is in the table");
        for (name, aws) in table {
            let forms: Vec<String> = provisioned_in(name).into_iter().map(|(_, form)| form).collect();
            assert_eq!(forms, [format!("amazon-web-services::{aws}")], "{name}");
        }
    }

    #[test]
    fn every_region_is_a_sample_and_unknown_names_are_none() {
        let sample: Vec<(&str, String)> =
            provisioned_in("*").into_iter().map(|(region, form)| (region.name, form)).collect();
        assert_eq!(
            sample,
            [
                ("us", "amazon-web-services::us-east-1".to_string()),
                ("eu", "amazon-web-services::eu-west-1".to_string()),
                ("tokyo", "amazon-web-services::ap-northeast-1".to_string()),
            ]
        );
        assert!(provisioned_in("mars").is_empty());
        assert_eq!(request_form(&REGIONS[0]), None);
    }
}
