//! Every request through the layer records `http.server.request.duration` by route and
//! status, and `http.server.active_requests` while it runs; unsampled ones too.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::routing::get;
use instrument_core::testing::{capture_async, unsampled};
use tower::ServiceExt as _;

fn app() -> Router {
    Router::new()
        .route("/users/{id}", get(|| async { "alice" }))
        .route(
            "/fail",
            get(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "broken") }),
        )
        .layer(instrument_tower::TracingLayer::new())
}

async fn get_status(path: &str) -> StatusCode {
    let request = Request::builder()
        .uri(path)
        .header("host", "api.local:8080")
        .body(Body::empty())
        .expect("request");
    app().oneshot(request).await.expect("infallible").status()
}

#[tokio::test]
async fn every_request_records_its_duration_by_route_sampled_or_not() {
    let ((), spans) = capture_async(async {
        assert_eq!(get_status("/users/7").await, StatusCode::OK);
        assert_eq!(get_status("/fail").await, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(unsampled(get_status("/users/8")).await, StatusCode::OK);
    })
    .await;
    assert_eq!(spans.all_named("GET /users/{id}").len(), 1);
    let metrics = spans.metrics();
    let duration = metrics.named("http.server.request.duration");
    assert_eq!(duration.unit, "s");
    assert_eq!(duration.scope, "instrument-tower");
    let users = duration.point(&[("http.route", &"/users/{id}")]);
    assert_eq!(users.count, 2, "sampled and unsampled alike");
    assert_eq!(
        users.keys(),
        [
            "http.request.method",
            "http.response.status_code",
            "http.route",
            "network.protocol.version",
            "url.scheme"
        ],
        "never the path or the host"
    );
    let failed = duration.point(&[("http.route", &"/fail")]);
    assert_eq!(failed.str_attr("error.type"), Some("500"));
    let active = metrics.named("http.server.active_requests");
    assert_eq!(active.unit, "{request}");
    let point = active.point(&[("http.request.method", &"GET"), ("url.scheme", &"http")]);
    assert_eq!(point.sum, 0.0, "three started, three ended");
}
