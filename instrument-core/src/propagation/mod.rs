//! W3C Trace Context (Level 2) and W3C Baggage propagation, to the letter.
//!
//! opentelemetry-rust's stock propagators get several of the rules wrong (they read only
//! the first of repeated `tracestate` headers, accept two `traceparent` headers, cap
//! `tracestate` silently instead of dropping an invalid list, ...), so these are written
//! here and installed by `instrument::init()` for `tracecontext` and `baggage` in
//! `OTEL_PROPAGATORS`. Both implement opentelemetry's `TextMapPropagator`, so anything
//! that propagates through the global propagator uses them.
//!
//! [`HeaderExtractor`] and [`HeaderInjector`] carry them over `http` headers, reading
//! every value of a repeated header.
//!
//! Work is bounded whatever arrives: an incoming header is read no further than the
//! longest valid value ([`MAX_TRACEPARENT_BYTES`], [`MAX_TRACESTATE_BYTES`],
//! [`MAX_BAGGAGE_BYTES`]), and the propagators themselves stop there too, so a
//! megabyte of `baggage` costs what 8 KiB does.

mod baggage;
mod headers;
mod trace_context;

pub use baggage::{BaggagePropagator, MAX_BAGGAGE_BYTES, MAX_BAGGAGE_MEMBERS};
pub use headers::{HeaderExtractor, HeaderInjector};
pub use trace_context::{
    MAX_TRACEPARENT_BYTES, MAX_TRACESTATE_BYTES, MAX_TRACESTATE_MEMBERS, TraceContextPropagator,
};

/// Writes `span`'s context into `headers` through the global propagator (what
/// `OTEL_PROPAGATORS` chose): the next service's spans become its children. For a span
/// of a switched-off library, writes the current context instead, so the trace still
/// reaches the next service.
pub fn inject(span: &crate::CallSpan, headers: &mut ::http::HeaderMap) {
    match span.context() {
        Some(context) => inject_context(&context, &mut HeaderInjector(headers)),
        None => inject_current(headers),
    }
}

/// Writes the current OpenTelemetry context into `headers`, for a call that has no span
/// of its own: `traceparent` when the context has a valid span, `baggage` when it
/// carries any.
pub fn inject_current(headers: &mut ::http::HeaderMap) {
    opentelemetry::Context::map_current(|context| {
        inject_context(context, &mut HeaderInjector(headers));
    });
}

/// Writes `context` into `carrier` through the global propagator.
fn inject_context(
    context: &opentelemetry::Context,
    carrier: &mut dyn opentelemetry::propagation::Injector,
) {
    opentelemetry::global::get_text_map_propagator(|propagator| {
        propagator.inject_context(context, carrier);
    });
}

/// Writes `span`'s context into a message's headers (which `carrier` reads and writes)
/// through the global propagator: the consumer's spans link to it and become its
/// children. What the application put in the headers stays: a message that already
/// carries a valid `traceparent` keeps it and its `tracestate` (the messaging
/// conventions: a creation context the application set is not modified, so a message
/// forwarded or retried with its headers still points at where it was created), and a
/// `baggage` it carries keeps its members, the context's added after them as for HTTP
/// (see [`HeaderInjector`]).
pub fn inject_into<C>(span: &crate::CallSpan, carrier: &mut C)
where
    C: opentelemetry::propagation::Injector + opentelemetry::propagation::Extractor,
{
    if let Some(context) = span.context() {
        let keeps_its_context = carrier.get("traceparent").is_some() && {
            use opentelemetry::propagation::TextMapPropagator as _;
            use opentelemetry::trace::TraceContextExt as _;
            TraceContextPropagator::new()
                .extract(carrier)
                .span()
                .span_context()
                .is_valid()
        };
        inject_context(
            &context,
            &mut KeepingTheMessages {
                carrier,
                keeps_its_context,
            },
        );
    }
}

/// A message's headers as [`inject_into`] writes them: around what the application set.
struct KeepingTheMessages<'a, C> {
    carrier: &'a mut C,
    /// The message carries a valid `traceparent` of the application's.
    keeps_its_context: bool,
}

impl<C> opentelemetry::propagation::Injector for KeepingTheMessages<'_, C>
where
    C: opentelemetry::propagation::Injector + opentelemetry::propagation::Extractor,
{
    fn set(&mut self, key: &str, value: String) {
        match key {
            "traceparent" | "tracestate" if self.keeps_its_context => {}
            "baggage" => {
                // Every value the message holds (repeated headers are one list), as
                // setting the header replaces them all.
                let value = match self.carrier.get_all(key) {
                    Some(callers) => baggage::merged_with_callers(&callers.join(","), &value),
                    None => value,
                };
                self.carrier.set(key, value);
            }
            _ => self.carrier.set(key, value),
        }
    }
}

/// Reads the context a carrier (a message's headers) holds through the global
/// propagator, on top of the current context. A missing or malformed `traceparent`
/// gives a context without a valid span; the propagators read no further than the
/// longest valid values.
pub fn extract_from(carrier: &dyn opentelemetry::propagation::Extractor) -> opentelemetry::Context {
    opentelemetry::global::get_text_map_propagator(|propagator| propagator.extract(carrier))
}
