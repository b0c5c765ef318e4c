//! Counting resends: the redirects the client's redirect policy follows, and the
//! retries of a retry policy made by [`crate::retry`].
//!
//! reqwest resends inside the request's future. The counts for this request live in a
//! task-local the send sets around that future, and are recorded on the span once,
//! when the response arrives (recording a field at each resend would repeat the
//! attribute).

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use reqwest::redirect::Policy;

use crate::outcome::{self, SendError};

tokio::task_local! {
    static RESENDS: Arc<Resends>;
}

/// The resends of one request so far.
#[derive(Debug, Default)]
pub(crate) struct Resends {
    /// Redirects the policy was asked about.
    redirects: AtomicU32,
    retries: AtomicU32,
}

impl Resends {
    /// How many times the request was really resent, now that `output` is known.
    pub(crate) fn made<E: SendError>(&self, output: &Result<reqwest::Response, E>) -> u32 {
        let redirects = outcome::redirects_made(output, self.redirects.load(Ordering::Relaxed));
        redirects.saturating_add(self.retries.load(Ordering::Relaxed))
    }
}

/// `policy`, counting the redirects of the request being sent before deciding as
/// `policy` does.
pub(crate) fn counting_redirects(policy: Policy) -> Policy {
    Policy::custom(move |attempt| {
        // `previous` holds the first URL and every redirect before this one.
        let redirects = u32::try_from(attempt.previous().len()).unwrap_or(u32::MAX);
        let _ = RESENDS.try_with(|resends| resends.redirects.store(redirects, Ordering::Relaxed));
        policy.redirect(attempt)
    })
}

/// Counts one retry of the request being sent (nothing outside [`counted`]).
pub(crate) fn count_retry() {
    let _ = RESENDS.try_with(|resends| resends.retries.fetch_add(1, Ordering::Relaxed));
}

/// Runs `send` with `resends` receiving its resends.
pub(crate) fn counted<F: Future>(
    resends: Arc<Resends>,
    send: F,
) -> impl Future<Output = F::Output> {
    RESENDS.scope(resends, send)
}
