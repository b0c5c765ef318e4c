//! [`TracingLayer`] and the service it makes, [`Tracing`].

use std::sync::Arc;
use std::task::{Context, Poll};

use http::{Request, Response};
use instrument_core::Library;
use tower_layer::Layer;
use tower_service::Service;

use crate::describe;
use crate::future::ResponseFuture;
use crate::options::{Options, RequestHead, ResponseHead};
use instrument_core::hooks::{NameSpan, OnEnd, OnStart, SkipIf};

/// The layer: wraps a service so that each request is a SERVER span.
///
/// Its hooks have the shape of every wrapper's ([`instrument_core::hooks`]): a skip
/// filter, a span-name formatter, request and response hooks, and headers captured by
/// name with credential values redacted.
///
/// ```
/// use axum::{Router, routing::get};
/// use instrument_core::CallSpan;
/// use instrument_tower::{RequestHead, TracingLayer};
///
/// let layer = TracingLayer::new()
///     .skip_tracing_if(|request: &RequestHead<'_>| request.uri.path() == "/health")
///     .capture_request_headers(["x-request-id"])
///     .on_request(|request: &RequestHead<'_>, span: &CallSpan| {
///         if let Some(tenant) = request.headers.get("x-tenant").and_then(|v| v.to_str().ok()) {
///             span.set_dynamic_attribute("tenant.id", tenant.to_owned());
///         }
///     });
/// let app: Router = Router::new()
///     .route("/health", get(|| async { "ok" }))
///     .layer(layer);
/// ```
#[derive(Debug, Clone, Default)]
pub struct TracingLayer {
    options: Arc<Options>,
}

impl TracingLayer {
    /// The layer, recording what the conventions ask for.
    pub fn new() -> Self {
        Self::default()
    }

    fn options_mut(&mut self) -> &mut Options {
        Arc::make_mut(&mut self.options)
    }

    /// Keeps the trace of every request `debug` picks out (a debug header or query flag),
    /// whatever the sampler would decide: its span starts with `sampling.priority = 1`.
    pub fn force_sampling_if(
        mut self,
        debug: impl Fn(&RequestHead<'_>) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.options_mut().force_sampling = Some(Arc::new(debug));
        self
    }

    /// Makes no span (and no metric) for the requests `skip` picks out (health checks,
    /// metrics scrapes); they go straight to the service, and the handler runs in the
    /// caller's context as without the layer.
    pub fn skip_tracing_if(mut self, skip: impl for<'a> SkipIf<RequestHead<'a>>) -> Self {
        self.options_mut().skip = Some(Arc::new(skip));
        self
    }

    /// Names the spans (`None` keeps `{method} {route}`).
    pub fn span_name(mut self, name: impl for<'a> NameSpan<RequestHead<'a>>) -> Self {
        self.options_mut().name = Some(Arc::new(name));
        self
    }

    /// Called with each request and its span before the service is called, to add
    /// attributes (`span.set_dynamic_attribute`).
    pub fn on_request(mut self, hook: impl for<'a> OnStart<RequestHead<'a>>) -> Self {
        self.options_mut().on_request = Some(Arc::new(hook));
        self
    }

    /// Called with each response head and the span when the service answers.
    pub fn on_response(mut self, hook: impl for<'a> OnEnd<ResponseHead<'a>>) -> Self {
        self.options_mut().on_response = Some(Arc::new(hook));
        self
    }

    instrument_core::header_capture_methods!();

    fn header_captures_mut(&mut self) -> &mut instrument_core::redact::HeaderCaptures {
        &mut self.options_mut().headers
    }
}

impl<S> Layer<S> for TracingLayer {
    type Service = Tracing<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Tracing {
            inner,
            options: self.options.clone(),
        }
    }
}

/// A service whose requests are SERVER spans; made by [`TracingLayer`].
#[derive(Clone)]
pub struct Tracing<S> {
    inner: S,
    options: Arc<Options>,
}

/// A traced gRPC service keeps its name, so that
/// `Server::builder().add_service(TracingLayer::new().layer(GreeterServer::new(..)))`
/// routes as the raw service does (feature `tonic`).
#[cfg(feature = "tonic")]
#[cfg_attr(docsrs, doc(cfg(feature = "tonic")))]
impl<S: tonic::server::NamedService> tonic::server::NamedService for Tracing<S> {
    const NAME: &'static str = S::NAME;
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
        let options = &self.options;
        let head = RequestHead::of(&request);
        if options.skip.as_ref().is_some_and(|skip| skip.skip(&head)) {
            return ResponseFuture::untraced(self.inner.call(request));
        }
        let forced = options
            .force_sampling
            .as_ref()
            .is_some_and(|debug| debug(&head));
        let name = options.name.as_ref().and_then(|name| name.name(&head));
        let span = describe::start_span(&request, forced, name);
        options.headers.record_request(&span, request.headers());
        if let Some(hook) = &options.on_request {
            hook.on_start(&head, &span);
        }
        let watching = options.watches_responses().then(|| options.clone());
        // The service is called inside the span: work it starts eagerly is its child too.
        let future = span.in_scope(|| self.inner.call(request));
        ResponseFuture::traced(future, span, watching)
    }
}
