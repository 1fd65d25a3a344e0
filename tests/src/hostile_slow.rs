//! Slow hostile servers, for deadlines that must cover a whole exchange: a body that
//! trickles in one byte at a time, and a sign-in whose redirects each take most of the
//! deadline. [`SlowServer`] is `kensa_testkit`'s one `HostileServer` under the name these
//! tests know, its handlers here answering [`Slow`]ly; every connection gets its own
//! thread, so concurrent requests are each slow on their own rather than queued behind one
//! another.

use crate::hostile::{form_fields, sso_form_is_fresh};
pub use kensa_testkit::{HostileServer as SlowServer, Slow};
use kensa_testkit::{Recorded, Reply};
use std::time::Duration;

/// A JSON body of `length` spaces around `{}`, for a trickle that outlasts any deadline.
pub fn long_json(length: usize) -> Reply {
    let mut body = vec![b' '; length.max(2)];
    body[0] = b'{';
    body[length.max(2) - 1] = b'}';
    Reply { body, ..Reply::new(200) }.header("Content-Type", "application/json")
}

/// A sign-in at `/sso/login` that refuses kensa's probes at once with 403, and answers a
/// good sign-in, after `hop` each time, with an endless chain of redirects
/// (`/hop/1`, `/hop/2`, ...).
pub fn slow_redirect_chain(hop: Duration) -> impl Fn(&Recorded) -> Slow + Send + Sync + 'static {
    move |request| {
        if request.method == "POST" && request.path == "/sso/login" {
            if !sso_form_is_fresh(&form_fields(&String::from_utf8_lossy(&request.body))) {
                return Slow::now(Reply::new(403));
            }
            return Slow::after(hop, Reply::redirect(302, "/hop/1"));
        }
        let next = request.path.strip_prefix("/hop/").and_then(|n| n.parse::<u32>().ok()).unwrap_or(0) + 1;
        Slow::after(hop, Reply::redirect(302, &format!("/hop/{next}")))
    }
}
