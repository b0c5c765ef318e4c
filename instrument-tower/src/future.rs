//! [`ResponseFuture`]: the service's future, polled inside the request's span.

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::pin::Pin;
use std::task::{Context, Poll};

use http::Response;
use instrument_core::{CallSpan, ErrorInfo};

pin_project_lite::pin_project! {
    /// The response future of [`Tracing`](crate::Tracing).
    pub struct ResponseFuture<F> {
        #[pin]
        inner: F,
        span: Option<CallSpan>,
    }
}

impl<F> std::fmt::Debug for ResponseFuture<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseFuture").finish_non_exhaustive()
    }
}

impl<F> ResponseFuture<F> {
    pub(crate) fn untraced(inner: F) -> Self {
        ResponseFuture { inner, span: None }
    }

    pub(crate) fn traced(inner: F, span: CallSpan) -> Self {
        ResponseFuture {
            inner,
            span: Some(span),
        }
    }
}

/// A handler's panic, as the span's error.
#[derive(Debug)]
struct Panicked(String);

impl std::fmt::Display for Panicked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the handler panicked: {}", self.0)
    }
}

impl std::error::Error for Panicked {}

/// A service error, as the span's error (service errors need only be `Display`).
#[derive(Debug)]
struct ServiceError(String);

impl std::fmt::Display for ServiceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ServiceError {}

impl<F, B, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response<B>, E>>,
    E: std::fmt::Display,
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
                let message = payload
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                span.record_error(&Panicked(message), ErrorInfo::new().error_type("panic"));
                this.span.take();
                resume_unwind(payload);
            }
        };
        match &output {
            Ok(response) => span.record_http_status(response.status().as_u16()),
            Err(error) => span.record_error(
                &ServiceError(error.to_string()),
                ErrorInfo::new().error_type("_OTHER"),
            ),
        }
        this.span.take();
        Poll::Ready(output)
    }
}
