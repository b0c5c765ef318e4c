//! Keeping a request's span open while its response body is read, so that a failure
//! after the response head (the connection cut mid-body, a decompression error, the
//! client's timeout running out) fails the span.
//!
//! The conventions let a client span end at the response head or after the body; only
//! the latter can see the body fail. The response stays a `reqwest::Response`: its body
//! is swapped for one that holds a clone of the span and passes every frame and error
//! through, so the caller's bytes are reqwest's own, and so is its error for a failed
//! body: the same kind (`is_decode`, `is_timeout`, ... answer as without tracing), the
//! same message and the same cause at the end of its `source()` chain. reqwest offers
//! no way to hand a body's error back untouched through a body of one's own: each of
//! its `Body`s on the way wraps it in a `reqwest::Error` of kind body, so that chain
//! holds two more such links than without tracing.

use std::pin::Pin;
use std::task::{Context, Poll, ready};

use http_body::{Body, Frame, SizeHint};
use instrument_core::{CallSpan, ErrorInfo};
use pin_project_lite::pin_project;
use reqwest::ResponseBuilderExt as _;

/// `response`, with its body holding `span` until the body is read to its end, fails
/// or is dropped (the span and its duration metric end then).
pub(crate) fn ending_with_body(response: reqwest::Response, span: CallSpan) -> reqwest::Response {
    let url = response.url().clone();
    let response: http::Response<reqwest::Body> = response.into();
    let (mut parts, body) = response.into_parts();
    // reqwest's conversion to `http::Response` leaves its URL behind; put it back where
    // the conversion from `http::Response` looks for it. Only a builder can add it
    // (reqwest's extension type is private): the builder is lent the response's own
    // extensions and gives them back with the URL in them, rather than making a map
    // of its own to merge (measured: about 700 instructions and two allocations less).
    let mut builder = http::Response::builder();
    if let Some(extensions) = builder.extensions_mut() {
        std::mem::swap(extensions, &mut parts.extensions);
    }
    let mut builder = builder.url(url);
    if let Some(extensions) = builder.extensions_mut() {
        std::mem::swap(extensions, &mut parts.extensions);
    }
    let body = SpanUntilEnd {
        inner: body,
        span: Some(span),
    };
    http::Response::from_parts(parts, reqwest::Body::wrap(body)).into()
}

pin_project! {
    /// A response body that lets go of its request's span at its end.
    struct SpanUntilEnd {
        #[pin]
        inner: reqwest::Body,
        span: Option<CallSpan>,
    }
}

impl Body for SpanUntilEnd {
    type Data = bytes::Bytes;
    type Error = reqwest::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let this = self.project();
        let frame = ready!(this.inner.poll_frame(cx));
        match &frame {
            Some(Ok(_)) => {}
            Some(Err(error)) => {
                if let Some(span) = this.span.take() {
                    record_body_error(error, &span);
                }
            }
            None => *this.span = None,
        }
        Poll::Ready(frame)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// Fails the span with a body error: `error.type` from reqwest's classification
/// (`timeout`, `decode`, else `body`), the message redacted as for a send error.
fn record_body_error(error: &reqwest::Error, span: &CallSpan) {
    let kind = if error.is_timeout() {
        "timeout"
    } else if error.is_decode() {
        "decode"
    } else {
        "body"
    };
    let message = crate::outcome::message_without_secrets(error, error.url());
    span.record_error(error, ErrorInfo::new().error_type(kind).message(message));
}
