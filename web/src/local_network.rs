//! Local Network Access (Chromium 142 and later): a page on a public origin may call a
//! provider on this device (loopback) or on the local network (a private address) only with
//! the visitor's permission, `loopback-network` resp. `local-network-access`, and inside an
//! iframe only when the embedding page delegates it. These are the page's rules for when
//! that applies and what it tells the visitor before a run; `browser.rs` reads the state.
//! Pure, so the decisions and the wording are tested on the host.

use kensa_manifest::url::HttpUrl;

/// The address space a target is in, when it is not public.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Space {
    /// `localhost`, `127.0.0.0/8`, `[::1]`: this device.
    Loopback,
    /// A private address such as `192.168.1.5`: the local network.
    Local,
}

impl Space {
    /// The space of `url`'s host; `None` for public addresses and for names other than
    /// `localhost` (the page cannot resolve them).
    pub(crate) fn of(url: &str) -> Option<Space> {
        let url = HttpUrl::parse(url).ok()?;
        if url.is_loopback() {
            Some(Space::Loopback)
        } else if url.is_private() {
            Some(Space::Local)
        } else {
            None
        }
    }

    /// The value of `fetch`'s `targetAddressSpace` (the specification's `IPAddressSpace`).
    pub(crate) fn fetch_value(self) -> &'static str {
        match self {
            Space::Loopback => "loopback",
            Space::Local => "local",
        }
    }

    /// The permission that gates it, also the permissions-policy feature an iframe needs.
    pub(crate) fn permission(self) -> &'static str {
        match self {
            Space::Loopback => "loopback-network",
            Space::Local => "local-network-access",
        }
    }

    fn place(self) -> &'static str {
        match self {
            Space::Loopback => "on this device",
            Space::Local => "on your local network",
        }
    }
}

/// Whether the browser may treat this page as public. The page cannot read the address space
/// the browser gave it (Chromium can override it, as the hosted tests do), so it goes by what
/// it sees: an http page on a loopback or private host runs next to the provider and needs no
/// permission; an https page is how the playground is hosted, wherever it is served from.
pub(crate) fn page_may_be_public(page_origin: &str) -> bool {
    HttpUrl::parse(page_origin).is_ok_and(|page| page.is_https() || !(page.is_loopback() || page.is_private()))
}

/// The space a request from `page_origin` to `url` enters when Local Network Access gates it.
pub(crate) fn gated(page_origin: &str, url: &str) -> Option<Space> {
    if page_may_be_public(page_origin) { Space::of(url) } else { None }
}

/// What the browser says of the permission: `#network-notice[data-permission]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Access {
    /// The browser asks the visitor at the first request.
    Prompt,
    Granted,
    Denied,
    /// In an iframe whose embedding page did not delegate the feature: the frame cannot
    /// even ask.
    NotDelegated,
    /// The browser does not know the permission (Firefox and `local-network-access`).
    Unknown,
}

impl Access {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Access::Prompt => "prompt",
            Access::Granted => "granted",
            Access::Denied => "denied",
            Access::NotDelegated => "not-delegated",
            Access::Unknown => "unknown",
        }
    }

    /// From `PermissionStatus.state`.
    pub(crate) fn from_state(state: &str) -> Access {
        match state {
            "prompt" => Access::Prompt,
            "granted" => Access::Granted,
            "denied" => Access::Denied,
            _ => Access::Unknown,
        }
    }

    /// The permission may stop requests: it is not granted, in a browser that has it.
    pub(crate) fn may_block(self) -> bool {
        matches!(self, Access::Prompt | Access::Denied | Access::NotDelegated)
    }

    /// What the visitor does when the permission stands in the way. The attribute is the
    /// docs' embed snippet's: in Chromium `local-network-access` alone delegates all three
    /// features, while Firefox ESR delegates only on `loopback-network` / `local-network`.
    fn fix(self) -> &'static str {
        match self {
            Access::NotDelegated => {
                "the page that embeds this playground must add \
                 allow=\"local-network-access; loopback-network; local-network\" to its <iframe> (or open the \
                 playground in a tab of its own)"
            }
            Access::Denied => {
                "re-allow it in the site settings (the icon left of the address, then \"Local network access\") \
                 and run again"
            }
            _ => {
                "allow it when the browser asks (or in the site settings: the icon left of the address, then \
                  \"Local network access\")"
            }
        }
    }
}

/// `#network-notice`: what the visitor should know before a run's requests go out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct NetworkNotice {
    pub(crate) access: Access,
    pub(crate) space: Space,
    /// The provider's origin, such as `http://127.0.0.1:4567`.
    pub(crate) provider: String,
}

impl NetworkNotice {
    pub(crate) fn text(&self) -> String {
        let (provider, place) = (&self.provider, self.space.place());
        let (before, after) = match self.access {
            Access::Prompt => {
                ("The checks call", ": your browser may ask whether this site may reach it (Local network access)")
            }
            Access::Granted => ("Local network access is allowed: this site may reach", ""),
            Access::Denied => ("Local network access is blocked for this site, so the checks cannot reach", ""),
            Access::NotDelegated => ("This embedded playground may not reach", ""),
            Access::Unknown => ("The checks call", "; this browser has no Local network access permission to ask for"),
        };
        let fix = if self.access.may_block() { self.access.fix() } else { "" };
        let colon = if fix.is_empty() {
            ""
        } else if after.is_empty() {
            ": "
        } else {
            "; "
        };
        format!("{before} {provider}, {place}{after}{colon}{fix}.")
    }
}

/// The notice for `url`'s provider from `page_origin`, given what the browser said;
/// `None` when Local Network Access does not gate it.
pub(crate) fn notice(page_origin: &str, url: &str, access: Access) -> Option<NetworkNotice> {
    let space = gated(page_origin, url)?;
    Some(NetworkNotice { access, space, provider: kensa_manifest::origin_of(url) })
}

/// Why a request to a provider in `space` failed when the permission was refused or not
/// delegated, for the engine's "unable to connect to ... (<this>)".
pub(crate) fn blocked_reason(space: Space, access: Access) -> String {
    let state = if access == Access::NotDelegated { "is not delegated to this frame" } else { "is denied" };
    format!("the browser blocked the request (Local network access, {}, {state}): {}", space.permission(), access.fix())
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTED: &str = "https://kensa.example";

    #[test]
    fn targets_are_loopback_local_or_neither() {
        for url in ["http://127.0.0.1:4567/heroku/resources", "http://localhost:5000", "https://[::1]:4567"] {
            assert_eq!(Space::of(url), Some(Space::Loopback), "{url}");
        }
        for url in ["http://192.168.1.5:5000", "http://10.1.2.3", "http://[fd12::1]:80"] {
            assert_eq!(Space::of(url), Some(Space::Local), "{url}");
        }
        for url in ["https://provider.example", "http://8.8.8.8", "http://printer.lan", "not a url"] {
            assert_eq!(Space::of(url), None, "{url}");
        }
        assert_eq!((Space::Loopback.fetch_value(), Space::Local.fetch_value()), ("loopback", "local"));
        assert_eq!(
            (Space::Loopback.permission(), Space::Local.permission()),
            ("loopback-network", "local-network-access")
        );
    }

    /// The existing e2e serves the page on http://127.0.0.1, next to the provider:
    /// no permission, no notice. An https page is treated as hosted, even on 127.0.0.1
    /// (the hosted tests make Chromium see such a page as public).
    #[test]
    fn only_an_http_page_on_a_local_host_is_local() {
        for page in ["http://127.0.0.1:8080", "http://localhost:3000", "http://192.168.1.5:8080", "null", ""] {
            assert!(!page_may_be_public(page), "{page}");
            assert_eq!(gated(page, "http://127.0.0.1:4567"), None, "{page}");
        }
        for page in [HOSTED, "http://kensa.example", "https://127.0.0.1:8443", "https://localhost"] {
            assert!(page_may_be_public(page), "{page}");
            assert_eq!(gated(page, "http://127.0.0.1:4567/heroku/resources"), Some(Space::Loopback), "{page}");
            assert_eq!(gated(page, "http://192.168.1.5:5000"), Some(Space::Local), "{page}");
            assert_eq!(gated(page, "https://provider.example"), None, "{page}");
        }
    }

    #[test]
    fn permission_states_map_to_data_permission() {
        for state in ["prompt", "granted", "denied"] {
            assert_eq!(Access::from_state(state).as_str(), state);
        }
        assert_eq!(Access::from_state("something new"), Access::Unknown);
        assert_eq!(Access::Unknown.as_str(), "unknown");
        assert_eq!(Access::NotDelegated.as_str(), "not-delegated");
        assert!(!Access::Granted.may_block());
        assert!(!Access::Unknown.may_block());
        assert!(Access::Prompt.may_block() && Access::Denied.may_block() && Access::NotDelegated.may_block());
    }

    #[test]
    fn the_notice_says_what_happens_and_what_to_do() {
        let url = "http://127.0.0.1:4567/heroku/resources";
        let text = |access| notice(HOSTED, url, access).expect("a notice").text();
        let prompt = text(Access::Prompt);
        assert_eq!(
            prompt,
            "The checks call http://127.0.0.1:4567, on this device: your browser may ask whether this site may \
             reach it (Local network access); allow it when the browser asks (or in the site settings: the icon \
             left of the address, then \"Local network access\")."
        );
        assert_eq!(
            text(Access::Granted),
            "Local network access is allowed: this site may reach http://127.0.0.1:4567, on this device."
        );
        assert_eq!(
            text(Access::Denied),
            "Local network access is blocked for this site, so the checks cannot reach http://127.0.0.1:4567, on \
             this device: re-allow it in the site settings (the icon left of the address, then \"Local network \
             access\") and run again."
        );
        assert_eq!(
            text(Access::NotDelegated),
            "This embedded playground may not reach http://127.0.0.1:4567, on this device: the page that embeds \
             this playground must add allow=\"local-network-access; loopback-network; local-network\" to its \
             <iframe> (or open the playground in a tab of its own)."
        );
        assert_eq!(
            text(Access::Unknown),
            "The checks call http://127.0.0.1:4567, on this device; this browser has no Local network access \
             permission to ask for."
        );
        let local = notice(HOSTED, "http://192.168.1.5:5000/x", Access::Prompt).expect("a notice");
        assert_eq!(local.provider, "http://192.168.1.5:5000");
        assert!(local.text().contains("on your local network"), "{}", local.text());
        assert_eq!(notice("http://127.0.0.1:8080", url, Access::Prompt), None, "a local page has none");
        assert_eq!(notice(HOSTED, "https://provider.example", Access::Prompt), None, "a public target has none");
    }

    /// The attribute the page asks a docs author for, exactly as README's and the guide's
    /// embed snippet write it.
    const EMBED_ALLOW: &str = r#"allow="local-network-access; loopback-network; local-network""#;

    #[test]
    fn the_attribute_asked_for_is_the_documented_one() {
        for (name, text) in
            [("README.md", include_str!("../../README.md")), ("docs/guide.md", include_str!("../../docs/guide.md"))]
        {
            assert!(text.contains(EMBED_ALLOW), "{name} embeds the playground without {EMBED_ALLOW}");
        }
    }

    #[test]
    fn a_blocked_request_names_the_permission_and_the_fix() {
        assert_eq!(
            blocked_reason(Space::Loopback, Access::Denied),
            "the browser blocked the request (Local network access, loopback-network, is denied): re-allow it in \
             the site settings (the icon left of the address, then \"Local network access\") and run again"
        );
        assert!(blocked_reason(Space::Local, Access::Denied).contains("(Local network access, local-network-access,"));
        let framed = blocked_reason(Space::Loopback, Access::NotDelegated);
        assert!(framed.contains("is not delegated to this frame"), "{framed}");
        assert!(framed.contains(&format!("must add {EMBED_ALLOW} to its <iframe>")), "{framed}");
    }
}
