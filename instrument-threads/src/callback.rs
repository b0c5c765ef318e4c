//! Callbacks that run, whenever and wherever they are called, in the span that was
//! current when they were bound.

use crate::carry::{self, Carried};

/// `f`, bound to the current span, subscriber and OpenTelemetry context: each call
/// runs in them, on whatever thread it happens.
///
/// ```
/// let on_done = instrument_threads::bind(|status: u16| status == 200);
/// assert!(std::thread::spawn(move || on_done(200)).join().unwrap());
/// ```
pub fn bind<A, R>(f: impl Fn(A) -> R) -> impl Fn(A) -> R {
    let carried = Carried::capture();
    move |argument| carry::run_in(carried.as_ref(), || f(argument))
}

/// [`bind`] for a callback that keeps state between calls.
pub fn bind_mut<A, R>(mut f: impl FnMut(A) -> R) -> impl FnMut(A) -> R {
    let carried = Carried::capture();
    move |argument| carry::run_in(carried.as_ref(), || f(argument))
}

/// [`bind`] for a callback called once.
pub fn bind_once<A, R>(f: impl FnOnce(A) -> R) -> impl FnOnce(A) -> R {
    let carried = Carried::capture();
    move |argument| carry::run_in(carried.as_ref(), || f(argument))
}

/// [`bind`] for a callback without arguments.
pub fn bind0<R>(f: impl Fn() -> R) -> impl Fn() -> R {
    let carried = Carried::capture();
    move || carry::run_in(carried.as_ref(), &f)
}

/// [`bind_once`] for a callback without arguments.
pub fn bind0_once<R>(f: impl FnOnce() -> R) -> impl FnOnce() -> R {
    let carried = Carried::capture();
    move || carry::run_in(carried.as_ref(), f)
}

/// A completion callback that finishes `span`: the span was opened before an
/// asynchronous call, the callback runs inside it when the call completes, and the span
/// closes when the callback returns (or when the callback is dropped uncalled).
///
/// ```
/// let span = tracing::info_span!("upload");
/// let on_complete = instrument_threads::bind_closing(span, |bytes: usize| bytes > 0);
/// assert!(on_complete(512)); // runs in `upload`, then `upload` closes
/// ```
pub fn bind_closing<A, R>(span: tracing::Span, f: impl FnOnce(A) -> R) -> impl FnOnce(A) -> R {
    // Carried with `span` in it: called or dropped uncalled, anywhere, the span is let
    // go of under the carried dispatcher (see `Drop for Carried`).
    let closing = match Carried::capture() {
        Some(carried) => Closing::Carried(carried.with_span(span)),
        None => Closing::Plain(span),
    };
    move |argument| match closing {
        Closing::Carried(carried) => carried.run(|| f(argument)),
        Closing::Plain(span) => span.in_scope(|| f(argument)),
    }
}

/// The span a [`bind_closing`] callback finishes, with the context it was bound in when
/// there is one.
enum Closing {
    Carried(Carried),
    /// Threads switched off: the span alone, as the caller's own instrumentation.
    Plain(tracing::Span),
}
