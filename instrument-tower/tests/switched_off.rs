//! Switched off, the layer passes requests straight through: the same responses, no spans.

use axum::Router;
use axum::body::Body;
use axum::http::Request;
use axum::routing::get;
use instrument_core::Library;
use instrument_core::testing::capture_async;
use tower::ServiceExt as _;

async fn status_and_body(app: Router, uri: &str) -> (u16, Vec<u8>) {
    let response = app
        .oneshot(
            Request::builder()
                .uri(uri)
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .expect("infallible");
    let status = response.status().as_u16();
    let body = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .expect("body");
    (status, body.to_vec())
}

#[tokio::test]
async fn switched_off_the_layer_answers_as_without_it_and_makes_no_span() {
    let routes = || Router::new().route("/users/{id}", get(|| async { "alice" }));
    let traced = || routes().layer(instrument_tower::TracingLayer::new());
    for uri in ["/users/1", "/missing"] {
        let raw = status_and_body(routes(), uri).await;
        let (on, spans) = capture_async(status_and_body(traced(), uri)).await;
        assert_eq!(on, raw);
        assert_eq!(spans.len(), 1);

        instrument_core::set_library_enabled(Library::Tower, false);
        let (off, spans) = capture_async(status_and_body(traced(), uri)).await;
        instrument_core::set_library_enabled(Library::Tower, true);
        assert_eq!(off, raw);
        spans.assert_empty();
    }
}
