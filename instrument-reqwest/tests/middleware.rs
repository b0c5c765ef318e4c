//! Through a reqwest-middleware chain: the same CLIENT span, the context sent along.

mod support;

use instrument_core::testing::{SpanKind, capture_async};
use support::{flaky, install_propagators, routes, serve};

#[tokio::test]
async fn a_request_through_the_middleware_is_a_client_span_that_propagates() {
    install_propagators();
    let address = serve(routes()).await;
    let (body, spans) = capture_async(async {
        let client = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
            .with(instrument_reqwest::TracingMiddleware::new())
            .build();
        client
            .get(format!("http://{address}/headers"))
            .send()
            .await
            .expect("send")
            .text()
            .await
            .expect("body")
    })
    .await;
    let span = spans.named("GET");
    assert_eq!(span.kind, SpanKind::Client);
    span.assert_attr("http.response.status_code", 200);
    let expected = format!("traceparent: 00-{}-{}-01", span.trace_id, span.span_id);
    assert!(body.contains(&expected), "{body}");
}

#[tokio::test]
async fn retries_of_the_clients_policy_from_retry_are_counted() {
    let address = serve(flaky(1)).await;
    let (status, spans) = capture_async(async {
        let policy = instrument_reqwest::retry::for_host("127.0.0.1").classify_fn(|attempt| {
            match attempt.status() {
                Some(reqwest::StatusCode::SERVICE_UNAVAILABLE) => attempt.retryable(),
                _ => attempt.success(),
            }
        });
        let inner = reqwest::Client::builder()
            .retry(policy)
            .build()
            .expect("client");
        reqwest_middleware::ClientBuilder::new(inner)
            .with(instrument_reqwest::TracingMiddleware::new())
            .build()
            .get(format!("http://{address}/flaky"))
            .send()
            .await
            .expect("send")
            .status()
    })
    .await;
    assert_eq!(status, 200);
    spans
        .named("GET")
        .assert_attr("http.request.resend_count", 1);
}
