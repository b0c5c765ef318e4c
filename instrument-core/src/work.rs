//! [`WorkCall`]: a piece of work handed to another thread or task, as an INTERNAL span.

use opentelemetry::trace::{Link, SpanBuilder, SpanKind, TraceContextExt as _};

use crate::span::{CallKind, CallSpan};
use crate::{Library, emit};

/// Describes work moved elsewhere (a thread, a task, a callback); [`start`](Self::start)
/// makes its INTERNAL span, named by the caller.
///
/// ```
/// use instrument_core::{Library, WorkCall};
///
/// let span = WorkCall::new(Library::Threads, "resize images").start();
/// span.in_scope(|| { /* the work */ });
/// ```
#[derive(Debug, Clone)]
#[must_use = "a WorkCall does nothing until `start` makes its span"]
pub struct WorkCall<'a> {
    library: Library,
    name: &'a str,
    detached: bool,
}

impl<'a> WorkCall<'a> {
    /// Work named `name`, moved elsewhere through `library`'s wrapper.
    pub fn new(library: Library, name: &'a str) -> Self {
        WorkCall {
            library,
            name,
            detached: false,
        }
    }

    /// Work that outlives the code that started it (fire and forget): its span starts a
    /// trace of its own, linked (follows-from) to the span current at
    /// [`start`](Self::start) instead of being its child.
    pub fn detached(mut self) -> Self {
        self.detached = true;
        self
    }

    /// Makes the span: a child of the current span, or, detached, a root linked to the
    /// current span. [`CallSpan::none`] when the library is off.
    pub fn start(self) -> CallSpan {
        if !crate::recording(self.library) {
            return CallSpan::none();
        }
        let builder = SpanBuilder::from_name(self.name.to_owned()).with_kind(SpanKind::Internal);
        let started = if self.detached {
            let current = opentelemetry::Context::current();
            let spawner = current.span().span_context().clone();
            let builder = if spawner.is_valid() {
                builder.with_links(vec![Link::with_context(spawner)])
            } else {
                builder
            };
            // A root still, but with the spawner's baggage (a tenant, a user id).
            emit::start(
                self.library,
                builder,
                Some(&emit::without_span(&current)),
                None,
            )
            .0
        } else {
            emit::start(self.library, builder, None, None).0
        };
        CallSpan::in_context(started, CallKind::Work, None)
    }
}

/// What detached work carries of the current OpenTelemetry context: its baggage, and
/// no active span, so that nothing the work does (a span, an outgoing `traceparent`)
/// can become a child of the spawner's span, which may have ended long before.
pub fn detached_context() -> opentelemetry::Context {
    opentelemetry::Context::map_current(emit::without_span)
}
