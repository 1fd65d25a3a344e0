//! Work the provider does after it has answered: the asynchronous provisions it finishes
//! through Heroku's API. The tasks are counted, so that a test can wait until they are
//! all done instead of sleeping, and aborted when the server stops.

use std::future::Future;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use tokio::task::JoinSet;

/// The background tasks of one provider.
#[derive(Default)]
pub(crate) struct Background {
    tasks: Mutex<JoinSet<()>>,
    tally: Arc<Tally>,
}

impl Background {
    /// Runs `task` on the current tokio runtime. It counts as started before this returns.
    pub(crate) fn spawn(&self, task: impl Future<Output = ()> + Send + 'static) {
        let ended = Ended::start(Arc::clone(&self.tally));
        let mut tasks = self.tasks.lock().unwrap_or_else(PoisonError::into_inner);
        // Forget the finished ones so the set does not grow.
        while tasks.try_join_next().is_some() {}
        tasks.spawn(async move {
            // Dropped when the task ends, however it ends (aborted included).
            let _ended = ended;
            task.await;
        });
    }

    /// Aborts the tasks still running (the server is stopping).
    pub(crate) fn abort_all(&self) {
        self.tasks.lock().unwrap_or_else(PoisonError::into_inner).abort_all();
    }

    /// See [`Tally::wait_until_done`].
    pub(crate) fn wait_until_done(&self, timeout: Duration) -> Result<usize, Counts> {
        self.tally.wait_until_done(timeout)
    }
}

/// How many background tasks started and how many ended.
#[derive(Default)]
struct Tally {
    counts: Mutex<Counts>,
    changed: Condvar,
}

#[derive(Clone, Copy, Default, Debug)]
pub(crate) struct Counts {
    pub(crate) started: usize,
    pub(crate) ended: usize,
}

impl Tally {
    /// Blocks until every task started so far has ended, and returns how many started;
    /// the counts so far when `timeout` passes first.
    fn wait_until_done(&self, timeout: Duration) -> Result<usize, Counts> {
        let deadline = Instant::now() + timeout;
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        while counts.ended < counts.started {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(*counts);
            }
            counts = self.changed.wait_timeout(counts, left).unwrap_or_else(PoisonError::into_inner).0;
        }
        Ok(counts.started)
    }
}

/// Counts a task as started while it lives and as ended once dropped.
struct Ended(Arc<Tally>);

impl Ended {
    fn start(tally: Arc<Tally>) -> Ended {
        tally.counts.lock().unwrap_or_else(PoisonError::into_inner).started += 1;
        Ended(tally)
    }
}

impl Drop for Ended {
    fn drop(&mut self) {
        self.0.counts.lock().unwrap_or_else(PoisonError::into_inner).ended += 1;
        self.0.changed.notify_all();
    }
}
