//! Requests through the layer are SERVER spans named by their route, children of the
//! caller's context read from the headers by the W3C rules.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::routing::get;
use instrument_core::testing::{SpanKind, Status, capture_async};
use opentelemetry::baggage::BaggageExt as _;
use opentelemetry::propagation::{TextMapCompositePropagator, TextMapPropagator};
use opentelemetry::trace::TraceContextExt as _;
use tower::ServiceExt as _;

/// The OpenTelemetry context of the current span, as the handler sees it.
fn current_context() -> opentelemetry::Context {
    opentelemetry::Context::current()
}

const TRACE: &str = "0af7651916cd43dd8448eb211c80319c";
const PARENT: &str = "b7ad6b7169203331";

fn install_propagators() {
    let propagators: Vec<Box<dyn TextMapPropagator + Send + Sync>> = vec![
        Box::new(instrument_core::propagation::TraceContextPropagator::new()),
        Box::new(instrument_core::propagation::BaggagePropagator::new()),
    ];
    opentelemetry::global::set_text_map_propagator(TextMapCompositePropagator::new(propagators));
}

fn app() -> Router {
    Router::new()
        .route("/users/{id}", get(|| async { "alice" }))
        .route(
            "/fail",
            get(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "broken") }),
        )
        .route(
            "/context",
            get(|| async {
                let cx = current_context();
                let span = cx.span();
                let state = span.span_context().trace_state().header();
                let user = cx
                    .baggage()
                    .get("user")
                    .map(|v| v.to_string())
                    .unwrap_or_default();
                let _work = tracing::info_span!("work").entered();
                format!("{state}|{user}")
            }),
        )
        .route(
            "/panic",
            get(|| async {
                panic!("handler bug");
                #[allow(unreachable_code)]
                ""
            }),
        )
        .layer(instrument_tower::TracingLayer::new())
}

async fn send(request: Request<Body>) -> (StatusCode, String) {
    let response = app().oneshot(request).await.expect("infallible");
    let status = response.status();
    let body = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .expect("body");
    (status, String::from_utf8_lossy(&body).into_owned())
}

fn get_request(uri: &str) -> axum::http::request::Builder {
    Request::builder().uri(uri).header("host", "api.local:8080")
}

#[tokio::test]
async fn a_request_is_a_server_span_named_by_its_route() {
    install_propagators();
    let ((status, body), spans) = capture_async(send(
        get_request("/users/42?full=1&X-Amz-Signature=abc")
            .body(Body::empty())
            .expect("request"),
    ))
    .await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "alice"));
    let span = spans.named("GET /users/{id}");
    assert_eq!(span.kind, SpanKind::Server);
    assert_eq!(span.status, Status::Unset);
    span.assert_attr("http.request.method", "GET")
        .assert_attr("http.route", "/users/{id}")
        .assert_attr("url.path", "/users/42")
        .assert_attr("url.query", "full=1&X-Amz-Signature=REDACTED")
        .assert_attr("url.scheme", "http")
        .assert_attr("server.address", "api.local")
        .assert_attr("server.port", 8080)
        .assert_attr("network.protocol.version", "1.1")
        .assert_attr("http.response.status_code", 200);
}

#[tokio::test]
async fn only_a_5xx_fails_the_span_and_an_unmatched_path_is_named_by_its_method() {
    install_propagators();
    let (_, spans) = capture_async(async {
        send(
            get_request("/nowhere")
                .body(Body::empty())
                .expect("request"),
        )
        .await;
        send(get_request("/fail").body(Body::empty()).expect("request")).await;
    })
    .await;
    let missing = spans.named("GET");
    missing.assert_attr("http.response.status_code", 404);
    assert_eq!(missing.status, Status::Unset);
    let failed = spans.named("GET /fail");
    failed
        .assert_attr("http.response.status_code", 500)
        .assert_attr("error.type", "500");
    assert!(matches!(failed.status, Status::Error(_)));
}

#[tokio::test]
async fn a_handler_panic_is_recorded_and_still_unwinds() {
    install_propagators();
    let (joined, spans) = capture_async(async {
        let request = get_request("/panic").body(Body::empty()).expect("request");
        tokio::spawn(instrument_core::testing::carried(async move {
            app().oneshot(request).await
        }))
        .await
    })
    .await;
    let error = joined.expect_err("the panic reaches the caller");
    assert!(error.is_panic());
    let span = spans.named("GET /panic");
    span.assert_attr("error.type", "panic");
    match &span.status {
        // The panic's own message is not recorded: it may quote data.
        Status::Error(description) => {
            assert!(
                description.starts_with("the handler panicked"),
                "{description}"
            );
            assert!(!description.contains("handler bug"), "{description}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn the_callers_traceparent_is_the_remote_parent_and_the_handler_runs_inside() {
    install_propagators();
    let ((_, body), spans) = capture_async(send(
        get_request("/context")
            .header("traceparent", format!("00-{TRACE}-{PARENT}-01"))
            .header("tracestate", "a=1")
            .header("tracestate", "b=2")
            .header("baggage", "user=alice")
            .body(Body::empty())
            .expect("request"),
    ))
    .await;
    assert_eq!(
        body, "a=1,b=2|alice",
        "tracestate combined in order, baggage arrives"
    );
    let server = spans.named("GET /context");
    assert_eq!(server.trace_id.to_string(), TRACE);
    assert_eq!(
        server.parent_span_id.map(|id| id.to_string()).as_deref(),
        Some(PARENT)
    );
    let work = spans.named("work");
    assert!(work.is_child_of(server));
}

#[tokio::test]
async fn two_traceparent_headers_start_a_new_trace() {
    install_propagators();
    let (_, spans) = capture_async(send(
        get_request("/users/1")
            .header("traceparent", format!("00-{TRACE}-{PARENT}-01"))
            .header("traceparent", format!("00-{TRACE}-{}-01", "1".repeat(16)))
            .body(Body::empty())
            .expect("request"),
    ))
    .await;
    let server = spans.named("GET /users/{id}");
    assert_ne!(server.trace_id.to_string(), TRACE);
    assert_eq!(server.parent_span_id, None);
}

/// An error type with `Debug` only, as a tower service may have.
#[derive(Debug)]
struct NotDisplayed;

#[tokio::test]
async fn a_service_whose_error_is_not_display_is_traced_and_fails_as_itself() {
    let service = tower::service_fn(|_request: Request<Body>| async {
        Err::<axum::http::Response<Body>, _>(NotDisplayed)
    });
    let traced = tower::Layer::layer(&instrument_tower::TracingLayer::new(), service);
    let (outcome, spans) = capture_async(async move {
        traced
            .oneshot(get_request("/broken").body(Body::empty()).expect("request"))
            .await
    })
    .await;
    assert!(matches!(outcome, Err(NotDisplayed)));
    let span = spans.named("GET");
    assert_eq!(span.kind, SpanKind::Server);
    assert!(matches!(&span.status, Status::Error(text) if text.contains("NotDisplayed")));
}

/// A gRPC service as tonic's code generator makes one: a service with a name.
#[cfg(feature = "tonic")]
#[derive(Clone)]
struct Greeter;

#[cfg(feature = "tonic")]
impl tonic::server::NamedService for Greeter {
    const NAME: &'static str = "helloworld.Greeter";
}

#[cfg(feature = "tonic")]
#[test]
fn a_traced_grpc_service_keeps_its_name() {
    fn name_of<S: tonic::server::NamedService>(_: &S) -> &'static str {
        S::NAME
    }
    let traced = tower::Layer::layer(&instrument_tower::TracingLayer::new(), Greeter);
    assert_eq!(name_of(&traced), "helloworld.Greeter");
}
