//! Counting redirects: the user's redirect policy, wrapped.
//!
//! reqwest follows redirects inside the request's future, calling the client's one
//! policy; the count for this request lives in a task-local the send sets around that
//! future, and is recorded on the span once, when the response arrives (recording a
//! field at each redirect would repeat the attribute).

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use reqwest::redirect::Policy;

tokio::task_local! {
    static RESENDS: Arc<AtomicU32>;
}

/// `policy`, counting the resends of the request being sent before deciding as
/// `policy` does.
pub(crate) fn counting(policy: Policy) -> Policy {
    Policy::custom(move |attempt| {
        // `previous` holds the first URL and every redirect before this one.
        let resends = u32::try_from(attempt.previous().len()).unwrap_or(u32::MAX);
        let _ = RESENDS.try_with(|count| count.store(resends, Ordering::Relaxed));
        policy.redirect(attempt)
    })
}

/// Runs `send` with `count` receiving its number of resends.
pub(crate) fn counted<F: Future>(
    count: Arc<AtomicU32>,
    send: F,
) -> impl Future<Output = F::Output> {
    RESENDS.scope(count, send)
}
