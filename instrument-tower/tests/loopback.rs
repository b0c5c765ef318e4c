//! A real axum server on loopback, spoken to over TCP in plain HTTP/1.1, so that headers
//! can repeat exactly as a proxy might send them.

use axum::Router;
use axum::routing::get;
use instrument_core::testing::{SpanKind, capture_async};
use opentelemetry::propagation::{TextMapCompositePropagator, TextMapPropagator};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

#[tokio::test]
async fn a_loopback_request_continues_the_callers_trace() {
    let propagators: Vec<Box<dyn TextMapPropagator + Send + Sync>> = vec![
        Box::new(instrument_core::propagation::TraceContextPropagator::new()),
        Box::new(instrument_core::propagation::BaggagePropagator::new()),
    ];
    opentelemetry::global::set_text_map_propagator(TextMapCompositePropagator::new(propagators));
    let (response, spans) = capture_async(async {
        let app = Router::new()
            .route("/orders/{id}", get(|| async { "shipped" }))
            .layer(instrument_tower::TracingLayer::new());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let address = listener.local_addr().expect("address");
        let server = instrument_tower::testing::serve_one_connection(listener, app);
        let client = async move {
            let request = format!(
                "GET /orders/7 HTTP/1.1\r\nhost: {address}\r\n\
             traceparent: 00-{TRACE}-00f067aa0ba902b7-01\r\n\
             tracestate: congo=t61rcWkgMzE\r\ntracestate: rojo=00f067aa0ba902b7\r\n\
             connection: close\r\n\r\n"
            );
            let mut stream = tokio::net::TcpStream::connect(address)
                .await
                .expect("connect");
            stream.write_all(request.as_bytes()).await.expect("write");
            let mut response = String::new();
            stream.read_to_string(&mut response).await.expect("read");
            response
        };
        tokio::join!(server, client).1
    })
    .await;
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.ends_with("shipped"), "{response}");
    let span = spans.named("GET /orders/{id}");
    assert_eq!(span.kind, SpanKind::Server);
    assert_eq!(span.trace_id.to_string(), TRACE);
    assert_eq!(
        span.parent_span_id.map(|id| id.to_string()).as_deref(),
        Some("00f067aa0ba902b7")
    );
    span.assert_attr("server.address", "127.0.0.1")
        .assert_attr("network.protocol.version", "1.1");
}
