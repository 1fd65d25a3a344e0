//! Region names a manifest may list in `api.regions`.

/// One accepted region name and where it comes from.
#[derive(Clone, Copy, Debug)]
pub struct Region {
    pub name: &'static str,
    pub note: &'static str,
}

/// Every name `api.regions` accepts: the old gem's list plus the Platform API's current
/// Common Runtime and Private Spaces regions. `*` means "every region".
pub const REGIONS: &[Region] = &[
    Region { name: "*", note: "every region" },
    Region { name: "us", note: "Common Runtime, United States" },
    Region { name: "eu", note: "Common Runtime, Europe" },
    Region { name: "dublin", note: "Private Spaces, Ireland" },
    Region { name: "frankfurt", note: "Private Spaces, Germany" },
    Region { name: "london", note: "Private Spaces, United Kingdom" },
    Region { name: "montreal", note: "Private Spaces, Canada" },
    Region { name: "mumbai", note: "Private Spaces, India" },
    Region { name: "oregon", note: "Private Spaces, United States" },
    Region { name: "singapore", note: "Private Spaces, Singapore" },
    Region { name: "sydney", note: "Private Spaces, Australia" },
    Region { name: "tokyo", note: "Private Spaces, Japan" },
    Region { name: "virginia", note: "Private Spaces, United States" },
];

/// Heroku requires every add-on to be available in the US region.
pub const REQUIRED_REGIONS: &[&str] = &["us", "*"];

pub(crate) fn is_known(name: &str) -> bool {
    REGIONS.iter().any(|region| region.name == name)
}

pub(crate) fn names() -> impl Iterator<Item = &'static str> {
    REGIONS.iter().map(|region| region.name)
}
