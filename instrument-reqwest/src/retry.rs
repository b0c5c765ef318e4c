//! Retry policies whose retries the client counts, as `http.request.resend_count`.
//!
//! A drop-in for [`reqwest::retry`]: build the policy here instead of there and give it
//! to [`ClientBuilder::retry`](crate::ClientBuilder::retry); it decides exactly as
//! reqwest's does.
//!
//! ```no_run
//! # fn build() -> Result<instrument_reqwest::Client, reqwest::Error> {
//! use instrument_reqwest::retry;
//!
//! let http = instrument_reqwest::Client::builder()
//!     .retry(
//!         retry::for_host("inventory.internal") // was reqwest::retry::for_host
//!             .max_retries_per_request(3)
//!             .classify_fn(|attempt| match attempt.status() {
//!                 Some(reqwest::StatusCode::SERVICE_UNAVAILABLE) => attempt.retryable(),
//!                 _ => attempt.success(),
//!             }),
//!     )
//!     .build()?;
//! # Ok(http) }
//! ```
//!
//! Retries of a policy built with `reqwest::retry` itself, and those of reqwest's
//! default policy (HTTP/2 streams the server refused), are made but not counted.

pub use reqwest::retry::{Builder, never};

/// Like [`reqwest::retry::for_host`]: retries requests to `host`, as the policy's
/// classifier decides; the client counts each retry.
pub fn for_host<S>(host: S) -> Builder
where
    S: for<'a> PartialEq<&'a str> + Send + Sync + 'static,
{
    reqwest::retry::for_host(CountingHost(host))
}

/// A policy's host, counting a retry at each comparison.
///
/// reqwest's retry policy is sealed: nothing outside reqwest sees a retry happen,
/// except its scope, the `host == request host` check of `for_host`. reqwest makes that
/// check once before each resend and at no other time (when it copies the request for
/// the next attempt), so each comparison is one retry. The retry tests would catch a
/// reqwest release that changes this.
struct CountingHost<S>(S);

impl<'a, S: PartialEq<&'a str>> PartialEq<&'a str> for CountingHost<S> {
    fn eq(&self, host: &&'a str) -> bool {
        crate::resend::count_retry();
        self.0 == *host
    }
}
