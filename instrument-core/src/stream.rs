//! [`TracedStream`]: a stream whose span stays open until it ends or is dropped.

use std::pin::Pin;
use std::task::{Context, Poll, ready};

use futures_core::Stream;
use pin_project_lite::pin_project;

use crate::span::{CallSpan, ErrorInfo};

/// Told when a traced stream is over (ended or dropped), just before its span ends.
pub trait ObserveEnd {
    /// Called once, inside the span's lifetime.
    fn end(&mut self, _span: &CallSpan) {}
}

/// Watches a stream's items for its span. Implemented by [`CountRows`]; wrap a closure
/// with [`each_item`].
pub trait ObserveItems<T>: ObserveEnd {
    /// Called for every item.
    fn item(&mut self, item: &T, span: &CallSpan);
}

/// An observer that calls `f` for every item and does nothing at the end.
pub fn each_item<F>(f: F) -> EachItem<F> {
    EachItem(f)
}

/// See [`each_item`].
#[derive(Debug, Clone, Copy)]
pub struct EachItem<F>(F);

impl<F> ObserveEnd for EachItem<F> {}

impl<T, F: FnMut(&T, &CallSpan)> ObserveItems<T> for EachItem<F> {
    fn item(&mut self, item: &T, span: &CallSpan) {
        (self.0)(item, span);
    }
}

/// Counts `Ok` items as rows (`db.response.returned_rows`, recorded at the end, also when
/// the stream is dropped part-way) and records the first `Err` as the call's failure.
#[derive(Debug, Clone, Copy, Default)]
pub struct CountRows {
    rows: u64,
    failed: bool,
}

impl ObserveEnd for CountRows {
    fn end(&mut self, span: &CallSpan) {
        span.record_returned_rows(self.rows);
    }
}

impl<T, E: std::error::Error + 'static> ObserveItems<Result<T, E>> for CountRows {
    fn item(&mut self, item: &Result<T, E>, span: &CallSpan) {
        match item {
            Ok(_) => self.rows += 1,
            Err(error) if !self.failed => {
                self.failed = true;
                span.record_error(error, ErrorInfo::new());
            }
            Err(_) => {}
        }
    }
}

pin_project! {
    /// A stream polled inside its span ([`CallSpan::in_scope`]). The span ends when the stream
    /// returns `None` or when it is dropped, whichever comes first.
    #[derive(Debug)]
    #[must_use = "streams do nothing unless polled"]
    pub struct TracedStream<S, O: ObserveEnd> {
        #[pin]
        inner: S,
        span: CallSpan,
        observer: O,
        ended: bool,
    }

    impl<S, O: ObserveEnd> PinnedDrop for TracedStream<S, O> {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            if !*this.ended {
                this.observer.end(this.span);
            }
        }
    }
}

impl<S, O: ObserveEnd> TracedStream<S, O> {
    /// Polls `inner` inside `span`, showing each item to `observer`.
    pub fn new(span: CallSpan, inner: S, observer: O) -> Self {
        TracedStream {
            inner,
            span,
            observer,
            ended: false,
        }
    }

    /// The span this stream runs in.
    pub fn span(&self) -> &CallSpan {
        &self.span
    }

    /// The wrapped stream, for the methods of its own (`rows_affected`, ...).
    pub fn get_ref(&self) -> &S {
        &self.inner
    }
}

impl<S: Stream, O: ObserveItems<S::Item>> Stream for TracedStream<S, O> {
    type Item = S::Item;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.project();
        if *this.ended {
            return this.inner.poll_next(cx);
        }
        let item = ready!(this.span.in_scope(|| this.inner.poll_next(cx)));
        match &item {
            Some(item) => this.observer.item(item, this.span),
            None => {
                this.observer.end(this.span);
                *this.ended = true;
                *this.span = CallSpan::none();
            }
        }
        Poll::Ready(item)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}
