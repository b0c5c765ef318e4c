//! With the layer, without it, and with it switched off (the `testing` parity helper):
//! the same responses; switched off, no spans.

use axum::Router;
use axum::body::Body;
use axum::http::Request;
use axum::routing::get;
use instrument_core::Library;
use instrument_core::testing::assert_parity;
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
        let parity = assert_parity(
            Library::Tower,
            || status_and_body(routes(), uri),
            || status_and_body(traced(), uri),
        )
        .await;
        assert_eq!(parity.traced_spans.len(), 1);
    }
}
