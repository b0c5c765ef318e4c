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

/// Writes `span`'s context into any carrier (a message's headers) through the global
/// propagator: the consumer's spans link to it and become its children.
pub fn inject_into(span: &crate::CallSpan, carrier: &mut dyn opentelemetry::propagation::Injector) {
    if let Some(context) = span.context() {
        inject_context(&context, carrier);
    }
}

/// Reads the context a carrier (a message's headers) holds through the global
/// propagator, on top of the current context. A missing or malformed `traceparent`
/// gives a context without a valid span; the propagators read no further than the
/// longest valid values.
pub fn extract_from(carrier: &dyn opentelemetry::propagation::Extractor) -> opentelemetry::Context {
    opentelemetry::global::get_text_map_propagator(|propagator| propagator.extract(carrier))
}
