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

pin_project! {
    /// A wrapped library's own future, and, when its library is traced, a span made when
    /// the future is first polled (as the wrapped `async fn`'s work starts then), kept
    /// open while it runs and given its output as [`Traced`] does.
    ///
    /// For drop-in methods that return the library's future: switched off
    /// ([`LazyTraced::switched_off`]), it is that future and one test per poll, with no
    /// state machine of ours around it.
    ///
    /// ```
    /// use instrument_core::{DbCall, DbSystem, LazyTraced, Library, RecordResult};
    ///
    /// async fn query() -> Result<u64, std::io::Error> { Ok(1) }
    ///
    /// fn traced_query() -> impl Future<Output = Result<u64, std::io::Error>> {
    ///     let raw = query();
    ///     if !instrument_core::recording(Library::Sqlx) {
    ///         return LazyTraced::switched_off(raw);
    ///     }
    ///     LazyTraced::new(
    ///         raw,
    ///         || DbCall::new(Library::Sqlx, DbSystem::Postgresql).operation("SELECT").start(),
    ///         RecordResult,
    ///     )
    /// }
    /// # let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    /// # runtime.block_on(traced_query()).unwrap();
    /// ```
    #[derive(Debug)]
    #[must_use = "futures do nothing unless polled"]
    pub struct LazyTraced<F, S, R> {
        #[pin]
        inner: F,
        state: LazyState<S, R>,
    }
}

/// Where a [`LazyTraced`] is. Its own tag byte, so that switched off is one compare.
#[derive(Debug)]
#[repr(u8)]
enum LazyState<S, R> {
    /// Switched off: the future as it is.
    Off,
    /// Traced, not polled yet.
    Unstarted { start: S, recorder: R },
    /// Traced, polled: its span is open.
    Running { span: CallSpan, recorder: R },
    /// Traced, and complete: the span was let go of.
    Done,
}

impl<F, S, R> LazyTraced<F, S, R> {
    /// `inner`, inside the span `start` makes when it is first polled; its output is
    /// recorded with `recorder`.
    #[inline]
    pub fn new(inner: F, start: S, recorder: R) -> Self {
        LazyTraced {
            inner,
            state: LazyState::Unstarted { start, recorder },
        }
    }

    /// `inner` as it is: its library is switched off.
    #[inline]
    pub fn switched_off(inner: F) -> Self {
        LazyTraced {
            inner,
            state: LazyState::Off,
        }
    }
}

impl<F, S, R> Future for LazyTraced<F, S, R>
where
    F: Future,
    S: FnOnce() -> CallSpan,
    R: RecordOutput<F::Output>,
{
    type Output = F::Output;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        if let LazyState::Off = this.state {
            return this.inner.poll(cx);
        }
        if let LazyState::Unstarted { .. } = this.state
            && let LazyState::Unstarted { start, recorder } =
                std::mem::replace(this.state, LazyState::Done)
        {
            *this.state = LazyState::Running {
                span: start(),
                recorder,
            };
        }
        let LazyState::Running { span, .. } = this.state else {
            // Polled again after completing: the inner future says what that does.
            return this.inner.poll(cx);
        };
        let output = ready!(span.in_scope(|| this.inner.poll(cx)));
        // Let go of the span now, as `Traced` does.
        if let LazyState::Running { span, recorder } =
            std::mem::replace(this.state, LazyState::Done)
        {
            recorder.record(&output, &span);
        }
        Poll::Ready(output)
    }
}
