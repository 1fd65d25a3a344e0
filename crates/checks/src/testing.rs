//! Stand-ins for the host's effects, for tests of the engine on any target: a transport
//! answered by a function, a clock that moves only when told, and counting ids.

use crate::transport::{Capabilities, Clock, IdSource, Request, Response, Transport, TransportError};
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

/// A transport whose answers come from a function; it keeps every request it was sent.
pub struct ScriptedTransport<F> {
    answer: RefCell<F>,
    pub capabilities: Capabilities,
    pub requests: RefCell<Vec<Request>>,
}

impl<F: FnMut(&Request) -> Result<Response, TransportError>> ScriptedTransport<F> {
    pub fn new(answer: F) -> ScriptedTransport<F> {
        ScriptedTransport {
            answer: RefCell::new(answer),
            capabilities: Capabilities::FULL,
            requests: RefCell::new(Vec::new()),
        }
    }
}

impl<F: FnMut(&Request) -> Result<Response, TransportError>> Transport for ScriptedTransport<F> {
    fn capabilities(&self) -> Capabilities {
        self.capabilities
    }

    async fn send(&self, request: Request) -> Result<Response, TransportError> {
        let result = (self.answer.borrow_mut())(&request);
        self.requests.borrow_mut().push(request);
        result
    }
}

/// A clock that only moves when [`ManualClock::advance`] is called; clones share the time.
#[derive(Clone, Debug, Default)]
pub struct ManualClock(std::rc::Rc<Cell<u64>>);

impl ManualClock {
    pub fn at(unix_ms: u64) -> ManualClock {
        ManualClock(std::rc::Rc::new(Cell::new(unix_ms)))
    }

    pub fn advance(&self, ms: u64) {
        self.0.set(self.0.get() + ms);
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> u64 {
        self.0.get()
    }
}

/// Ids from a counter: deterministic and all different.
#[derive(Debug, Default)]
pub struct CountingIds(u64);

impl IdSource for CountingIds {
    fn random_bytes(&mut self) -> [u8; 16] {
        self.0 += 1;
        let mut bytes = [0u8; 16];
        bytes[8..].copy_from_slice(&self.0.to_be_bytes());
        bytes[..8].copy_from_slice(&self.0.wrapping_mul(0x9E37_79B9_7F4A_7C15).to_be_bytes());
        bytes
    }
}

/// Runs a future that never waits on anything outside itself (such as the engine over a
/// [`ScriptedTransport`]) to completion.
pub fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut context = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output;
        }
    }
}
