//! [`Traced`]: a future that runs inside a [`CallSpan`] and records its output on it.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use pin_project_lite::pin_project;

use crate::span::{CallSpan, ErrorInfo};

/// Records a call's output on its span: a closure `FnOnce(&Output, &CallSpan)`, or
/// [`RecordResult`] for any `Result` whose error is a `std::error::Error`.
pub trait RecordOutput<T> {
    /// Called once, with the output, before the span ends.
    fn record(self, output: &T, span: &CallSpan);
}

impl<T, F: FnOnce(&T, &CallSpan)> RecordOutput<T> for F {
    fn record(self, output: &T, span: &CallSpan) {
        self(output, span);
    }
}

/// Records an `Err` with [`CallSpan::record_error`] and nothing for `Ok`.
#[derive(Debug, Clone, Copy, Default)]
pub struct RecordResult;

impl<T, E: std::error::Error + 'static> RecordOutput<Result<T, E>> for RecordResult {
    fn record(self, output: &Result<T, E>, span: &CallSpan) {
        if let Err(error) = output {
            span.record_error(error, ErrorInfo::new());
        }
    }
}

pin_project! {
    /// A future that is polled inside its span ([`CallSpan::in_scope`]), records its output, and
    /// lets go of its span as soon as it completes (the span ends then, unless the call
    /// handed a clone of it to work still running). Dropped before completion (cancelled
    /// by the caller), the span ends with no error. With [`CallSpan::none`] (its library
    /// switched off) it is the inner future and a test: nothing is recorded. `Send` when
    /// the inner future and the recorder are.
    #[derive(Debug)]
    #[must_use = "futures do nothing unless polled"]
    pub struct Traced<F, R> {
        #[pin]
        inner: F,
        span: CallSpan,
        recorder: Option<R>,
    }
}

impl<F, R> Traced<F, R> {
    /// Runs `inner` inside `span`, recording its output with `recorder`.
    #[inline]
    pub fn new(span: CallSpan, inner: F, recorder: R) -> Self {
        Traced {
            inner,
            span,
            recorder: Some(recorder),
        }
    }

    /// The span this future runs in.
    pub fn span(&self) -> &CallSpan {
        &self.span
    }
}

impl<F: Future, R: RecordOutput<F::Output>> Future for Traced<F, R> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        if this.span.is_none() {
            // Switched off: the inner future as it is, nothing recorded.
            return this.inner.poll(cx);
        }
        let output = ready!(this.span.in_scope(|| this.inner.poll(cx)));
        if let Some(recorder) = this.recorder.take() {
            recorder.record(&output, this.span);
        }
        // Let go of the span now, not whenever the caller drops this future: it ends
        // here unless the call handed a clone to something still running.
        *this.span = CallSpan::none();
        Poll::Ready(output)
    }
}
