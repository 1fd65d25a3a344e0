//! The state every handler and background task shares: the options, the store, the SSO
//! sessions and the background work. Handlers and the Heroku client take it from here;
//! it takes nothing from them.

use std::io;
use std::net::SocketAddr;

use axum::http::{HeaderMap, header};

use crate::auth::{authorized, parse_basic};
use crate::background::Background;
use crate::fault::{Fault, Faults};
use crate::options::ProviderOptions;
use crate::sessions::Sessions;
use crate::store::{Found, Store};

pub(crate) struct App {
    pub(crate) options: ProviderOptions,
    pub(crate) store: Store,
    /// Origin used in config vars, e.g. `http://127.0.0.1:4567`.
    pub(crate) public_url: String,
    /// The listening address.
    pub(crate) addr: SocketAddr,
    pub(crate) sessions: Sessions,
    /// Asynchronous provisions being finished.
    pub(crate) background: Background,
}

impl App {
    pub(crate) fn new(options: ProviderOptions, store: Store, addr: SocketAddr) -> App {
        App {
            public_url: options.public_origin(addr),
            options,
            store,
            addr,
            sessions: Sessions::default(),
            background: Background::default(),
        }
    }

    pub(crate) fn has(&self, fault: Fault) -> bool {
        self.options.faults.contains(fault)
    }

    /// Whether the request carries the right Basic credentials, as the auth faults bend the check.
    pub(crate) fn authorized(&self, headers: &HeaderMap) -> bool {
        self.authorized_with(headers, self.options.faults)
    }

    /// Whether the request carries the right Basic credentials, with `faults` bending the check.
    pub(crate) fn authorized_with(&self, headers: &HeaderMap, faults: Faults) -> bool {
        let given = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(parse_basic);
        authorized(given.as_ref(), &self.options.id, &self.options.password, faults)
    }

    /// The resource a path names: by Heroku's uuid or by the provider's id (only the
    /// latter under the key-by-provider-id fault).
    pub(crate) fn find(&self, key: &str) -> io::Result<Found> {
        self.store.find(key, !self.has(Fault::KeyByProviderId))
    }
}
