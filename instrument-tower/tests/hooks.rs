//! The layer's hooks, in the shape every wrapper shares: a skip filter, a span-name
//! formatter, request and response hooks, and headers captured by name with
//! credential values redacted.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::routing::get;
use instrument_core::CallSpan;
use instrument_core::hooks::SkipIf;
use instrument_core::testing::{capture_async, string_array};
use instrument_tower::{RequestHead, ResponseHead, TracingLayer};
use tower::ServiceExt as _;

/// Health checks, as a type of the application's: the hooks are traits.
struct HealthChecks;

impl SkipIf<RequestHead<'_>> for HealthChecks {
    fn skip(&self, request: &RequestHead<'_>) -> bool {
        request.uri.path() == "/health"
    }
}

fn app(layer: TracingLayer) -> Router {
    Router::new()
        .route("/health", get(|| async { "ok" }))
        .route(
            "/users/{id}",
            get(|| async {
                (
                    [("x-cache", "hit"), ("set-cookie", "session=s3cr3t")],
                    "alice",
                )
            }),
        )
        .layer(layer)
}

async fn send(app: Router, request: Request<Body>) -> StatusCode {
    app.oneshot(request).await.expect("infallible").status()
}

fn request(uri: &str) -> Request<Body> {
    Request::builder()
        .uri(uri)
        .header("x-tenant", "acme")
        .header("x-request-id", "r-9")
        .header("authorization", "Bearer s3cr3t")
        .body(Body::empty())
        .expect("request")
}

#[tokio::test]
async fn a_skipped_request_has_no_span_and_reaches_the_service() {
    let layer = TracingLayer::new().skip_tracing_if(HealthChecks);
    let (statuses, spans) = capture_async(async {
        let health = send(app(layer.clone()), request("/health")).await;
        let user = send(app(layer), request("/users/7")).await;
        [health, user]
    })
    .await;
    assert_eq!(statuses, [StatusCode::OK, StatusCode::OK]);
    assert_eq!(
        spans.names(),
        ["GET /users/{id}"],
        "the health check is skipped"
    );
}

#[tokio::test]
async fn a_closure_skip_filter_works_as_well() {
    let layer = TracingLayer::new().skip_tracing_if(|request: &RequestHead<'_>| {
        request.headers.contains_key("x-synthetic-probe")
    });
    let (_, spans) = capture_async(async {
        let mut probe = request("/users/1");
        probe
            .headers_mut()
            .insert("x-synthetic-probe", http::HeaderValue::from_static("1"));
        send(app(layer.clone()), probe).await;
        send(app(layer), request("/users/2")).await
    })
    .await;
    assert_eq!(spans.len(), 1, "the probe is skipped: {:?}", spans.names());
    spans
        .named("GET /users/{id}")
        .assert_attr("url.path", "/users/2");
}

#[tokio::test]
async fn the_span_name_hook_names_the_span_from_the_request() {
    let layer = TracingLayer::new().span_name(|request: &RequestHead<'_>| {
        let tenant = request.headers.get("x-tenant")?.to_str().ok()?;
        Some(format!(
            "{} {} ({tenant})",
            request.method,
            request.route()?
        ))
    });
    let (_, spans) = capture_async(send(app(layer), request("/users/7"))).await;
    spans
        .named("GET /users/{id} (acme)")
        .assert_attr("http.route", "/users/{id}");
}

#[tokio::test]
async fn request_and_response_hooks_add_attributes_to_the_span() {
    let layer = TracingLayer::new()
        .on_request(|request: &RequestHead<'_>, span: &CallSpan| {
            if let Some(tenant) = request
                .headers
                .get("x-tenant")
                .and_then(|v| v.to_str().ok())
            {
                span.set_dynamic_attribute("tenant.id", tenant.to_owned());
            }
        })
        .on_response(|response: &ResponseHead<'_>, span: &CallSpan| {
            let cached = response.headers.get("x-cache").is_some_and(|v| v == "hit");
            span.set_dynamic_attribute("app.cache_hit", cached);
        });
    let (_, spans) = capture_async(send(app(layer), request("/users/7"))).await;
    spans
        .named("GET /users/{id}")
        .assert_attr("tenant.id", "acme")
        .assert_attr("app.cache_hit", true);
}

#[tokio::test]
async fn named_headers_are_captured_with_credentials_redacted_unless_opted_out() {
    let layer = TracingLayer::new()
        .capture_request_headers(["X-Request-Id", "authorization", "not a header"])
        .capture_response_headers(["x-cache", "set-cookie"]);
    let (_, spans) = capture_async(send(app(layer), request("/users/7"))).await;
    let span = spans.named("GET /users/{id}");
    span.assert_attr("http.request.header.x-request-id", string_array(["r-9"]))
        .assert_attr(
            "http.request.header.authorization",
            string_array(["REDACTED"]),
        )
        .assert_attr("http.response.header.x-cache", string_array(["hit"]))
        .assert_attr(
            "http.response.header.set-cookie",
            string_array(["REDACTED"]),
        )
        .assert_no_attr("http.request.header.x-tenant");
    assert!(
        !format!("{spans:?}").contains("s3cr3t"),
        "a credential reached a span"
    );

    let opted_out = TracingLayer::new()
        .record_sensitive_header_values(["Authorization"])
        .capture_request_headers(["authorization"]);
    let (_, spans) = capture_async(send(app(opted_out), request("/users/7"))).await;
    spans.named("GET /users/{id}").assert_attr(
        "http.request.header.authorization",
        string_array(["Bearer s3cr3t"]),
    );
}
