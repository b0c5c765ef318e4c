//! Counting resends: the redirects the client's redirect policy follows, and the
//! retries of a retry policy made by [`crate::retry`].
//!
//! reqwest resends inside the request's future. The counts for this request live in a
//! task-local the send sets around that future, and are recorded on the span once,
//! when the response arrives (recording a field at each resend would repeat the
//! attribute).

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, PoisonError};
use std::task::{Context, Poll, ready};

use pin_project_lite::pin_project;
use tokio::task::futures::TaskLocalFuture;

use reqwest::redirect::Policy;

use crate::outcome::SendError;

tokio::task_local! {
    // Held by value: the request's future owns it, so a request that is not redirected
    // allocates nothing for its counts.
    static RESENDS: Resends;
}

/// The resends of one request so far. Only the task sending the request touches it
/// (the policies run inside its poll), but the request's future is `Sync`, as
/// reqwest's is, so the counts are atomics and the target behind a mutex (neither
/// allocates, and uncontended they cost what plain cells do).
#[derive(Default)]
struct Resends {
    /// Redirects the policy was asked about in the current chain (the redirects of one
    /// attempt: a retry middleware placed after ours sends the request again, through
    /// the client, in the same future).
    redirects: AtomicU32,
    /// Redirects followed in the chains before the current one.
    earlier_chains: AtomicU32,
    /// Where the last of them led (boxed: most requests are never redirected, and the
    /// task-local moves this value in and out at every poll).
    last_target: Mutex<Option<Box<reqwest::Url>>>,
    retries: AtomicU32,
}

impl Resends {
    /// How many times the request was really resent, now that `output` is known.
    fn made<E: SendError>(&self, output: &Result<reqwest::Response, E>) -> u32 {
        self.redirects_followed(output)
            .saturating_add(self.earlier_chains.load(Ordering::Relaxed))
            .saturating_add(self.retries.load(Ordering::Relaxed))
    }

    /// Notes that the policy is asked about the redirect that makes `in_chain` redirects
    /// of the current chain. Asked about no more than before, it is a new chain (an
    /// attempt sent again), and every redirect of the one before it counts as followed:
    /// a chain that ends at a redirect the policy stops or refuses ends its attempt with
    /// that 3xx or a redirect error, which retry middlewares do not send again as a rule
    /// (see `TracingMiddleware`).
    fn asked(&self, in_chain: u32, target: &reqwest::Url) {
        let before = self.redirects.swap(in_chain, Ordering::Relaxed);
        if in_chain <= before {
            let earlier = self.earlier_chains.load(Ordering::Relaxed);
            self.earlier_chains
                .store(earlier.saturating_add(before), Ordering::Relaxed);
        }
        let mut target = Box::new(target.clone());
        target.set_fragment(None);
        *self
            .last_target
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(target);
    }

    /// The redirects of the current chain followed: the policy is asked before it
    /// decides, so the last one it was asked about was not followed when the policy
    /// stopped there (the response is then that redirect, to the target) or refused it
    /// (a redirect error). Any other response followed it, or ended a later attempt
    /// that had no redirect.
    fn redirects_followed<E: SendError>(&self, output: &Result<reqwest::Response, E>) -> u32 {
        let asked = self.redirects.load(Ordering::Relaxed);
        if asked == 0 {
            return 0;
        }
        let stopped = match output {
            Ok(response) => redirect_target(response).is_some_and(|next| {
                self.last_target
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .as_deref()
                    == Some(&next)
            }),
            Err(error) => error.as_reqwest().is_some_and(reqwest::Error::is_redirect),
        };
        if stopped { asked - 1 } else { asked }
    }
}

/// Where `response` redirects to, when it is a redirect the policy is asked about (a
/// 301, 302, 303, 307 or 308 with a `Location`), without the fragment.
fn redirect_target(response: &reqwest::Response) -> Option<reqwest::Url> {
    if !matches!(response.status().as_u16(), 301 | 302 | 303 | 307 | 308) {
        return None;
    }
    let location = response
        .headers()
        .get(http::header::LOCATION)?
        .to_str()
        .ok()?;
    let mut next = response.url().join(location).ok()?;
    next.set_fragment(None);
    Some(next)
}

/// `policy`, counting the redirects of the request being sent before deciding as
/// `policy` does.
pub(crate) fn counting_redirects(policy: Policy) -> Policy {
    Policy::custom(move |attempt| {
        // `previous` holds the first URL and every redirect before this one.
        let redirects = u32::try_from(attempt.previous().len()).unwrap_or(u32::MAX);
        let _ = RESENDS.try_with(|resends| resends.asked(redirects, attempt.url()));
        policy.redirect(attempt)
    })
}

/// Counts one retry of the request being sent (nothing outside [`counted`]).
pub(crate) fn count_retry() {
    let _ = RESENDS.try_with(|resends| resends.retries.fetch_add(1, Ordering::Relaxed));
}

/// Runs `send`, counting its resends: its output, and how many times the request was
/// resent to get it.
pub(crate) fn counted<F, E>(send: F) -> Counted<F>
where
    F: Future<Output = Result<reqwest::Response, E>>,
    E: SendError,
{
    Counted {
        inner: RESENDS.scope(Resends::default(), send),
    }
}

pin_project! {
    /// The future of [`counted`]. Written out rather than as an `async` block around the
    /// scope, which moved reqwest's future once more and cost more than it saved.
    pub(crate) struct Counted<F> {
        #[pin]
        inner: TaskLocalFuture<Resends, F>,
    }
}

impl<F, E> Future for Counted<F>
where
    F: Future<Output = Result<reqwest::Response, E>>,
    E: SendError,
{
    type Output = (Result<reqwest::Response, E>, u32);

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut inner = self.project().inner;
        let output = ready!(inner.as_mut().poll(cx));
        let made = inner
            .take_value()
            .map_or(0, |resends| resends.made(&output));
        Poll::Ready((output, made))
    }
}
