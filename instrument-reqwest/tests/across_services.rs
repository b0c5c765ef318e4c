//! A traced client calling a server behind instrument-tower, both in this process over
//! loopback: one trace, the server span the child of the client span, baggage and
//! tracestate carried across.

mod support;

use instrument_core::testing::{SpanKind, capture_async};
use opentelemetry::baggage::BaggageExt as _;
use opentelemetry::trace::{
    SpanContext, SpanId, TraceContextExt as _, TraceFlags, TraceId, TraceState,
};
use support::{install_propagators, routes};

/// The body `app`'s `/headers` answers to a traced GET (made as `request` says), sent
/// inside the current context as `context` extends it (the current one carries the
/// capture's tracer): the request headers the server saw.
async fn headers_seen_by(
    app: axum::Router,
    context: impl FnOnce(opentelemetry::Context) -> opentelemetry::Context,
    request: impl FnOnce(instrument_reqwest::RequestBuilder) -> instrument_reqwest::RequestBuilder,
) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    let server = instrument_tower::testing::serve_one_connection(listener, app);
    let context = context(opentelemetry::Context::current());
    let client = async move {
        let _attached = context.attach();
        let http = instrument_reqwest::Client::new();
        let body = request(http.get(format!("http://{address}/headers")))
            .send()
            .await
            .expect("send")
            .text()
            .await
            .expect("body");
        drop(http); // closes the connection, so the server's future ends
        body
    };
    tokio::join!(server, client).1
}

#[tokio::test]
async fn client_and_server_spans_are_one_trace_with_context_carried_across() {
    install_propagators();
    // The caller is itself inside a trace another service started, with a trace state
    // and baggage of its own.
    let upstream = SpanContext::new(
        TraceId::from(0x4bf9_2f35_77b3_4da6_a3ce_929d_0e0e_4736_u128),
        SpanId::from(0x00f0_67aa_0ba9_02b7_u64),
        TraceFlags::SAMPLED,
        true,
        TraceState::from_key_value([("vendor", "abc")]).expect("state"),
    );
    let (body, spans) = capture_async(headers_seen_by(
        routes().layer(instrument_tower::TracingLayer::new()),
        move |context| {
            context
                .with_remote_span_context(upstream)
                .with_baggage([opentelemetry::KeyValue::new("user", "alice")])
        },
        |request| request,
    ))
    .await;
    assert!(body.contains("tracestate: vendor=abc"), "{body}");
    assert!(body.contains("baggage: user=alice"), "{body}");
    let client = spans.named("GET");
    let server = spans.named("GET /headers");
    assert_eq!(client.kind, SpanKind::Client);
    assert_eq!(server.kind, SpanKind::Server);
    assert_eq!(
        client.trace_id.to_string(),
        "4bf92f3577b34da6a3ce929d0e0e4736"
    );
    assert_eq!(server.trace_id, client.trace_id);
    assert_eq!(server.parent_span_id, Some(client.span_id));
}

#[tokio::test]
async fn a_baggage_header_the_caller_set_goes_along_with_the_contexts() {
    install_propagators();
    let (body, _spans) = capture_async(headers_seen_by(
        routes(),
        |context| {
            context.with_baggage([
                opentelemetry::KeyValue::new("user", "alice"),
                opentelemetry::KeyValue::new("tenant", "from-context"),
            ])
        },
        |request| request.header("baggage", "tenant=acme"),
    ))
    .await;
    assert!(body.contains("baggage: tenant=acme,user=alice"), "{body}");
}
