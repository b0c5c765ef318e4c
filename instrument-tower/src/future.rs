//! [`ResponseFuture`]: the service's future, polled inside the request's span.

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::pin::Pin;
use std::task::{Context, Poll};

use std::sync::Arc;

use http::Response;
use instrument_core::{CallSpan, ErrorInfo};

use crate::options::{Options, ResponseHead};

pin_project_lite::pin_project! {
    /// The response future of [`Tracing`](crate::Tracing).
    pub struct ResponseFuture<F> {
        #[pin]
        inner: F,
        span: Option<CallSpan>,
        // The layer's options, when its response hooks or captures need the response.
        watching: Option<Arc<Options>>,
    }
}

impl<F> std::fmt::Debug for ResponseFuture<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseFuture").finish_non_exhaustive()
    }
}

impl<F> ResponseFuture<F> {
    pub(crate) fn untraced(inner: F) -> Self {
        ResponseFuture {
            inner,
            span: None,
            watching: None,
        }
    }

    pub(crate) fn traced(inner: F, span: CallSpan, watching: Option<Arc<Options>>) -> Self {
        ResponseFuture {
            inner,
            span: Some(span),
            watching,
        }
    }
}

/// A handler's panic, as the span's error. Its message is not recorded: panics quote
/// whatever the code put in them (`unwrap` on a database error prints the row the
/// server quoted), and privacy comes first.
#[derive(Debug)]
struct Panicked;

impl std::fmt::Display for Panicked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the handler panicked (message not recorded: it may quote data)")
    }
}

impl std::error::Error for Panicked {}

/// A service error, as the span's error: its type, not its text, which is the
/// application's own and may quote data.
#[derive(Debug)]
struct ServiceError(&'static str);

impl std::fmt::Display for ServiceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the service failed with a {} (message not recorded)",
            self.0
        )
    }
}

impl std::error::Error for ServiceError {}

impl<F, B, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let Some(span) = this.span.as_ref() else {
            return this.inner.poll(cx);
        };
        let inner = this.inner;
        let polled = span.in_scope(|| catch_unwind(AssertUnwindSafe(|| inner.poll(cx))));
        let output = match polled {
            Ok(Poll::Pending) => return Poll::Pending,
            Ok(Poll::Ready(output)) => output,
            Err(payload) => {
                span.record_error(&Panicked, ErrorInfo::new().error_type("panic"));
                this.span.take();
                resume_unwind(payload);
            }
        };
        match &output {
            Ok(response) => {
                span.record_http_status(response.status().as_u16());
                if let Some(options) = this.watching.take() {
                    options.headers.record_response(span, response.headers());
                    if let Some(hook) = &options.on_response {
                        hook.on_end(&ResponseHead::of(response), span);
                    }
                }
            }
            Err(_) => span.record_error(
                &ServiceError(std::any::type_name::<E>()),
                ErrorInfo::new().error_type("_OTHER"),
            ),
        }
        this.span.take();
        Poll::Ready(output)
    }
}
