//! Who signed in through SSO: the provider's session cookie names one of these.

use std::collections::HashMap;
use std::io;
use std::sync::Mutex;
use std::sync::PoisonError;

use crate::os::random_hex;

/// Name of the provider's own session cookie.
pub(crate) const SESSION_COOKIE: &str = "kensa-provider-session";

/// Sessions kept before the oldest half is forgotten; a test bench needs no more.
const MAX_SESSIONS: usize = 10_000;

/// One signed-in user.
#[derive(Clone)]
pub(crate) struct Session {
    pub(crate) resource_id: String,
    pub(crate) email: String,
    /// The Heroku app the user came from.
    pub(crate) app: String,
}

/// Sessions by token, each with the order it was opened in.
#[derive(Default)]
pub(crate) struct Sessions(Mutex<Open>);

#[derive(Default)]
struct Open {
    by_token: HashMap<String, (u64, Session)>,
    opened: u64,
}

impl Sessions {
    /// Opens a session; returns its token.
    pub(crate) fn open(&self, session: Session) -> io::Result<String> {
        let token = random_hex(16)?;
        let mut open = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if open.by_token.len() >= MAX_SESSIONS {
            let mut ages: Vec<u64> = open.by_token.values().map(|(number, _)| *number).collect();
            ages.sort_unstable();
            let cutoff = ages[ages.len() / 2];
            open.by_token.retain(|_, (number, _)| *number > cutoff);
        }
        let number = open.opened;
        open.opened += 1;
        open.by_token.insert(token.clone(), (number, session));
        Ok(token)
    }

    pub(crate) fn get(&self, token: &str) -> Option<Session> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).by_token.get(token).map(|(_, session)| session.clone())
    }
}
