//! [`TracingMiddleware`], for clients built with reqwest-middleware (feature
//! `middleware`).

use std::sync::Arc;

use http::Extensions;
use reqwest_middleware::{Middleware, Next};

use crate::options::Options;

/// A reqwest-middleware [`Middleware`]: each request through the chain is a CLIENT
/// span, with the trace context added to its headers, as with [`Client`](crate::Client).
///
/// ```
/// let client = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
///     .with(instrument_reqwest::TracingMiddleware::new())
///     .build();
/// ```
///
/// Put it first in the chain to have one span per call, retries included, or after a
/// retry middleware for a span per attempt (before one, the span's resend count adds up
/// what reqwest resent in all the attempts; the middleware's own attempts are not seen
/// from before it, and are not counted, and the redirects of every attempt but the
/// last count as followed: an attempt that ends at a redirect the client's policy
/// stops or refuses is one that retry strategies, reqwest-retry's default among them,
/// do not send again). The retries of the reqwest client's own
/// retry policy are counted when the policy comes from [`crate::retry`]. Redirects
/// that reqwest follows are not counted here (the count needs the client's redirect
/// policy: build the client with [`ClientBuilder`](crate::ClientBuilder) for that).
#[derive(Debug, Clone, Default)]
pub struct TracingMiddleware {
    options: Arc<Options>,
}

impl TracingMiddleware {
    /// The middleware, recording what the conventions ask for; the methods below add to
    /// that, as on [`ClientBuilder`](crate::ClientBuilder).
    pub fn new() -> Self {
        Self::default()
    }

    crate::options::option_setters!();

    fn options_mut(&mut self) -> &mut Options {
        Arc::make_mut(&mut self.options)
    }
}

#[async_trait::async_trait]
impl Middleware for TracingMiddleware {
    async fn handle(
        &self,
        request: reqwest::Request,
        extensions: &mut Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<reqwest::Response> {
        crate::send::send_traced(request, true, &self.options, |request| {
            next.run(request, extensions)
        })
        .await
    }
}
