//! `OTEL_PROPAGATORS` decides which headers carry the context to the next process.

mod support;

use std::collections::HashMap;

use opentelemetry::baggage::BaggageExt as _;
use opentelemetry::trace::{
    SpanContext, SpanId, TraceContextExt as _, TraceFlags, TraceId, TraceState,
};
use opentelemetry::{Context, KeyValue};
use support::{in_child, run_child, stderr};

/// Injects a sampled context with one baggage entry and prints the header names. The
/// trace state is empty, so no `tracestate` is sent (W3C: vendors should not send an
/// empty one).
fn print_injected_headers() {
    let _guard = instrument::builder()
        .logs(false)
        .exporter(instrument::Exporter::None)
        .init()
        .expect("init");
    let span_context = SpanContext::new(
        TraceId::from(0x4bf92f3577b34da6a3ce929d0e0e4736u128),
        SpanId::from(0x00f067aa0ba902b7u64),
        TraceFlags::SAMPLED,
        false,
        TraceState::default(),
    );
    let cx = Context::new()
        .with_remote_span_context(span_context)
        .with_baggage([KeyValue::new("tenant", "acme")]);
    let mut headers = HashMap::new();
    opentelemetry::global::get_text_map_propagator(|propagator| {
        propagator.inject_context(&cx, &mut headers)
    });
    let mut names: Vec<_> = headers.keys().cloned().collect();
    names.sort();
    eprintln!("headers: {}", names.join(","));
    if let Some(traceparent) = headers.get("traceparent") {
        eprintln!("traceparent: {traceparent}");
    }
}

#[test]
fn child_injects() {
    if in_child() {
        print_injected_headers();
    }
}

fn injected(vars: &[(&str, &str)]) -> String {
    let output = run_child("child_injects", vars);
    stderr(&output)
}

#[test]
fn by_default_trace_context_and_baggage_are_injected() {
    let text = injected(&[]);
    assert!(text.contains("headers: baggage,traceparent\n"), "{text}");
    // A local span of a trace no traceparent brought in: started here, with a random
    // trace id, so the Level 2 random flag (02) is set beside sampled (01).
    assert!(
        text.contains("traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-03"),
        "{text}"
    );
}

#[test]
fn only_the_named_propagators_are_used() {
    assert!(injected(&[("OTEL_PROPAGATORS", "tracecontext")]).contains("headers: traceparent\n"));
    assert!(injected(&[("OTEL_PROPAGATORS", "baggage")]).contains("headers: baggage\n"));
    assert!(injected(&[("OTEL_PROPAGATORS", "none")]).contains("headers: \n"));
}

#[test]
fn an_unsupported_propagator_warns_and_the_rest_apply() {
    let text = injected(&[("OTEL_PROPAGATORS", "b3,tracecontext")]);
    assert!(text.contains("headers: traceparent\n"), "{text}");
    assert!(
        text.contains("OTEL_PROPAGATORS") && text.contains("b3"),
        "{text}"
    );
}
