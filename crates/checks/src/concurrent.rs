//! Running independent exchanges at the same time without an executor of our own: the
//! engine only polls, so it works under tokio's current-thread runtime and in a browser.

use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::task::Poll;

/// Waits for every future and returns their outputs in the order given, whatever order
/// they finish in, so reports stay deterministic.
pub(crate) async fn join_all<F: Future>(futures: impl IntoIterator<Item = F>) -> Vec<F::Output> {
    let mut futures: Vec<Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    poll_fn(|context| {
        let mut waiting = false;
        for (future, output) in futures.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                match future.as_mut().poll(context) {
                    Poll::Ready(value) => *output = Some(value),
                    Poll::Pending => waiting = true,
                }
            }
        }
        if waiting { Poll::Pending } else { Poll::Ready(outputs.iter_mut().filter_map(Option::take).collect()) }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::block_on;
    use std::cell::RefCell;

    /// Ready after being polled `polls` times, logging when it finishes.
    async fn after_polls(polls: usize, name: &'static str, finished: &RefCell<Vec<&'static str>>) -> &'static str {
        let mut left = polls;
        poll_fn(|context| {
            if left == 0 {
                return Poll::Ready(());
            }
            left -= 1;
            context.waker().wake_by_ref();
            Poll::Pending
        })
        .await;
        finished.borrow_mut().push(name);
        name
    }

    #[test]
    fn outputs_keep_the_order_given_whatever_finishes_first() {
        let finished = RefCell::new(Vec::new());
        let outputs = block_on(join_all([
            after_polls(3, "slow", &finished),
            after_polls(0, "instant", &finished),
            after_polls(1, "quick", &finished),
        ]));
        assert_eq!(outputs, ["slow", "instant", "quick"]);
        assert_eq!(*finished.borrow(), ["instant", "quick", "slow"], "they ran side by side");
    }

    #[test]
    fn nothing_to_wait_for() {
        let none: Vec<std::future::Ready<u8>> = Vec::new();
        assert!(block_on(join_all(none)).is_empty());
    }
}
