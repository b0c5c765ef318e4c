//! [`TracingLayer`] and the service it makes, [`Tracing`].

use std::sync::Arc;
use std::task::{Context, Poll};

use http::{Request, Response};
use instrument_core::Library;
use tower_layer::Layer;
use tower_service::Service;

use crate::describe;
use crate::future::ResponseFuture;

/// What a predicate on a request sees: its method, URI and headers.
#[derive(Debug, Clone, Copy)]
pub struct RequestHead<'a> {
    /// The method.
    pub method: &'a http::Method,
    /// The URI.
    pub uri: &'a http::Uri,
    /// The headers.
    pub headers: &'a http::HeaderMap,
}

type ForceSampling = dyn Fn(&RequestHead<'_>) -> bool + Send + Sync;

/// The layer: wraps a service so that each request is a SERVER span.
#[derive(Clone, Default)]
pub struct TracingLayer {
    force_sampling: Option<Arc<ForceSampling>>,
}

impl std::fmt::Debug for TracingLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TracingLayer")
            .field("force_sampling", &self.force_sampling.is_some())
            .finish()
    }
}

impl TracingLayer {
    /// The layer.
    pub fn new() -> Self {
        Self::default()
    }

    /// Keeps the trace of every request `debug` picks out (a debug header or query flag),
    /// whatever the sampler would decide: its span starts with `sampling.priority = 1`.
    pub fn force_sampling_if(
        mut self,
        debug: impl Fn(&RequestHead<'_>) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.force_sampling = Some(Arc::new(debug));
        self
    }
}

impl<S> Layer<S> for TracingLayer {
    type Service = Tracing<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Tracing {
            inner,
            force_sampling: self.force_sampling.clone(),
        }
    }
}

/// A service whose requests are SERVER spans; made by [`TracingLayer`].
#[derive(Clone)]
pub struct Tracing<S> {
    inner: S,
    force_sampling: Option<Arc<ForceSampling>>,
}

impl<S: std::fmt::Debug> std::fmt::Debug for Tracing<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tracing")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

impl<S, B, ResBody> Service<Request<B>> for Tracing<S>
where
    S: Service<Request<B>, Response = Response<ResBody>>,
    S::Error: std::fmt::Display,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        if !instrument_core::recording(Library::Tower) {
            return ResponseFuture::untraced(self.inner.call(request));
        }
        let forced = self.force_sampling.as_ref().is_some_and(|debug| {
            debug(&RequestHead {
                method: request.method(),
                uri: request.uri(),
                headers: request.headers(),
            })
        });
        let span = describe::start_span(&request, forced);
        // The service is called inside the span: work it starts eagerly is its child too.
        let future = span.in_scope(|| self.inner.call(request));
        ResponseFuture::traced(future, span)
    }
}
