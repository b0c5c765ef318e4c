//! The `reqwest` and `tower` features: the traced client and the server layer, switched
//! off by the environment.
#![cfg(all(feature = "reqwest", feature = "tower"))]

mod support;

use instrument_core::testing::{Spans, capture_async};

/// One GET from the facade's client to an in-process server behind the facade's layer,
/// on loopback.
async fn call() -> (String, Spans) {
    capture_async(async {
        let app = axum::Router::new()
            .route("/ping", axum::routing::get(|| async { "pong" }))
            .layer(instrument::tower::TracingLayer::new());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let address = listener.local_addr().expect("address");
        let server = instrument_tower::testing::serve_one_connection(listener, app);
        let client = async move {
            let http = instrument::reqwest::Client::new();
            let body = http
                .get(format!("http://{address}/ping"))
                .send()
                .await
                .expect("send")
                .text()
                .await
                .expect("body");
            drop(http);
            body
        };
        tokio::join!(server, client).1
    })
    .await
}

#[tokio::test]
async fn the_facade_hands_out_the_client_and_the_layer() {
    if support::in_child() {
        return;
    }
    let (body, spans) = call().await;
    assert_eq!(body, "pong");
    spans.named("GET");
    spans.named("GET /ping");
}

#[tokio::test]
async fn child_http_switched_off_by_env() {
    if !support::in_child() {
        return;
    }
    let (body, spans) = call().await;
    assert_eq!(body, "pong", "the same response");
    let names: Vec<_> = spans.iter().map(|s| s.name.clone()).collect();
    let expected: Vec<&str> = match std::env::var("EXPECTED").as_deref() {
        Ok("server") => vec!["GET /ping"],
        Ok("client") => vec!["GET"],
        _ => vec![],
    };
    assert_eq!(names, expected);
}

#[test]
fn reqwest_or_tower_in_the_disabled_list_or_the_sdk_switch_turn_their_spans_off() {
    for vars in [
        [
            ("OTEL_RUST_DISABLED_INSTRUMENTATIONS", "reqwest"),
            ("EXPECTED", "server"),
        ],
        [
            ("OTEL_RUST_DISABLED_INSTRUMENTATIONS", "tower"),
            ("EXPECTED", "client"),
        ],
        [("OTEL_SDK_DISABLED", "true"), ("EXPECTED", "none")],
    ] {
        support::run_child("child_http_switched_off_by_env", &vars);
    }
}
