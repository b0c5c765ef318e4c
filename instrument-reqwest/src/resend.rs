//! Counting resends: the redirects the client's redirect policy follows, and the
//! retries of a retry policy made by [`crate::retry`].
//!
//! reqwest resends inside the request's future. The counts for this request live in a
//! task-local the send sets around that future, and are recorded on the span once,
//! when the response arrives (recording a field at each resend would repeat the
//! attribute).

use std::future::Future;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use reqwest::redirect::Policy;

use crate::outcome::SendError;

tokio::task_local! {
    static RESENDS: Arc<Resends>;
}

/// The resends of one request so far.
#[derive(Debug, Default)]
pub(crate) struct Resends {
    /// Redirects the policy was asked about.
    redirects: AtomicU32,
    /// Where the last of them led.
    last_target: Mutex<Option<reqwest::Url>>,
    retries: AtomicU32,
}

impl Resends {
    /// How many times the request was really resent, now that `output` is known.
    pub(crate) fn made<E: SendError>(&self, output: &Result<reqwest::Response, E>) -> u32 {
        self.redirects_followed(output)
            .saturating_add(self.retries.load(Ordering::Relaxed))
    }

    /// The redirects followed: the policy is asked before it decides, so the last one
    /// it was asked about was not followed when the policy stopped there (the response
    /// then comes from before it, or is a redirect error). A 3xx the policy is not asked
    /// about (304, or one without `Location`) ends the chain without saying so.
    fn redirects_followed<E: SendError>(&self, output: &Result<reqwest::Response, E>) -> u32 {
        let asked = self.redirects.load(Ordering::Relaxed);
        if asked == 0 {
            return 0;
        }
        let stopped = match output {
            Ok(response) => self
                .last_target
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .as_ref()
                .is_some_and(|target| target != response.url()),
            Err(error) => error.as_reqwest().is_some_and(reqwest::Error::is_redirect),
        };
        if stopped { asked - 1 } else { asked }
    }
}

/// `policy`, counting the redirects of the request being sent before deciding as
/// `policy` does.
pub(crate) fn counting_redirects(policy: Policy) -> Policy {
    Policy::custom(move |attempt| {
        // `previous` holds the first URL and every redirect before this one.
        let redirects = u32::try_from(attempt.previous().len()).unwrap_or(u32::MAX);
        let _ = RESENDS.try_with(|resends| {
            resends.redirects.store(redirects, Ordering::Relaxed);
            *resends
                .last_target
                .lock()
                .unwrap_or_else(PoisonError::into_inner) = Some(attempt.url().clone());
        });
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
