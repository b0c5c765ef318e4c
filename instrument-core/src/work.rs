//! [`WorkCall`]: a piece of work handed to another thread or task, as an INTERNAL span.

use opentelemetry::baggage::BaggageExt as _;
use tracing_opentelemetry::OpenTelemetrySpanExt as _;

use crate::Library;
use crate::library::with_target;
use crate::span::{CallKind, CallSpan};

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
    detached_from: Option<&'a tracing::Span>,
}

macro_rules! work_span {
    ($target:literal, $name:expr, $parent:expr) => {
        tracing::info_span!(
            target: $target,
            parent: $parent,
            "work",
            otel.name = $name,
            otel.kind = "internal",
        )
    };
}

macro_rules! child_work_span {
    ($target:literal, $name:expr) => {
        tracing::info_span!(target: $target, "work", otel.name = $name, otel.kind = "internal")
    };
}

impl<'a> WorkCall<'a> {
    /// Work named `name`, moved elsewhere through `library`'s wrapper.
    pub fn new(library: Library, name: &'a str) -> Self {
        WorkCall {
            library,
            name,
            detached_from: None,
        }
    }

    /// Work that outlives the code that started it (fire and forget): its span starts a
    /// trace of its own, linked to `spawner` (follows-from) instead of being its child.
    pub fn detached_from(mut self, spawner: &'a tracing::Span) -> Self {
        self.detached_from = Some(spawner);
        self
    }

    /// Makes the span: a child of the current span, or, detached, a root linked to the
    /// spawner. [`CallSpan::none`] when the library is off or nobody listens.
    pub fn start(self) -> CallSpan {
        if !crate::recording(self.library) {
            return CallSpan::none();
        }
        let span = match self.detached_from {
            None => with_target!(self.library, child_work_span!(self.name)),
            Some(spawner) => {
                let span = with_target!(self.library, work_span!(self.name, None));
                span.follows_from(spawner);
                // A root still, but with the spawner's baggage (a tenant, a user id)
                // current inside it. Fails only without the OpenTelemetry layer, when
                // there is no context to give it.
                let _ = span.set_parent(detached_context());
                span
            }
        };
        CallSpan::new(span, CallKind::Database)
    }
}

/// What detached work carries of the current OpenTelemetry context: its baggage, and
/// no active span, so that nothing the work does (a span, an outgoing `traceparent`)
/// can become a child of the spawner's span, which may have ended long before.
pub fn detached_context() -> opentelemetry::Context {
    opentelemetry::Context::map_current(|current| {
        let baggage = current.baggage();
        if baggage.is_empty() {
            return opentelemetry::Context::new();
        }
        // `Baggage` is not `Clone`: copied entry by entry.
        let copy: opentelemetry::baggage::Baggage = baggage
            .iter()
            .map(|(key, (value, metadata))| (key.clone(), (value.clone(), metadata.clone())))
            .collect();
        opentelemetry::Context::new().with_baggage(copy)
    })
}
