//! The metrics a call description records beside its span: the conventions' names,
//! units, buckets and low-cardinality attributes, for every call, sampled or not.

use instrument_core::testing::{capture, unsampled_parent};
use instrument_core::{
    DbCall, DbSystem, ErrorInfo, HttpClientCall, HttpServerCall, Library, WorkCall,
};
use opentelemetry_semantic_conventions::metric as semconv;

fn query() -> instrument_core::CallSpan {
    DbCall::new(Library::Sqlx, DbSystem::Postgresql)
        .namespace("shop")
        .server("db.internal", Some(5433))
        .sql("SELECT * FROM orders WHERE id = $1", true)
        .start()
}

#[test]
fn a_query_records_its_duration_with_low_cardinality_attributes() {
    let ((), spans) = capture(|| {
        drop(query());
        drop(query());
    });
    let metrics = spans.metrics();
    let duration = metrics.named(semconv::DB_CLIENT_OPERATION_DURATION);
    assert_eq!(duration.unit, "s");
    assert_eq!(duration.scope, "instrument-sqlx");
    let point = duration.point(&[("db.query.summary", &"SELECT orders")]);
    assert_eq!(point.count, 2);
    assert_eq!(
        point.bounds,
        [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0]
    );
    assert_eq!(
        point.keys(),
        [
            "db.namespace",
            "db.query.summary",
            "db.system.name",
            "server.address",
            "server.port"
        ],
        "never the query text"
    );
    assert!(point.sum >= 0.0);
    assert_eq!(metrics.names(), [semconv::DB_CLIENT_OPERATION_DURATION]);
}

#[test]
fn a_failure_adds_its_error_type_and_status_code() {
    let ((), spans) = capture(|| {
        let span = query();
        span.record_error(
            &std::io::Error::other("duplicate key value violates unique constraint"),
            ErrorInfo::new().status_code("23505"),
        );
        drop(span);
        drop(query());
    });
    let duration = spans.metrics().named(semconv::DB_CLIENT_OPERATION_DURATION);
    assert_eq!(duration.point(&[("error.type", &"23505")]).count, 1);
    assert_eq!(
        duration
            .point(&[("db.response.status_code", &"23505")])
            .str_attr("error.type"),
        Some("23505")
    );
    assert_eq!(duration.total_count(), 2);
}

#[test]
fn an_unsampled_call_still_records_its_metric() {
    let ((), spans) = capture(|| {
        // On top of the capture's context, which carries its pipeline.
        let _parent = unsampled_parent().attach();
        let span = query();
        assert!(!span.is_recording(), "the parent's decision: not sampled");
        span.record_error(
            &std::io::Error::other("boom"),
            ErrorInfo::new().error_type("io"),
        );
    });
    assert!(spans.is_empty(), "no span: {:?}", spans.names());
    let duration = spans.metrics().named(semconv::DB_CLIENT_OPERATION_DURATION);
    assert_eq!(duration.point(&[("error.type", &"io")]).count, 1);
}

#[test]
fn an_http_client_call_records_method_server_and_status() {
    let ((), spans) = capture(|| {
        let span = HttpClientCall::new(
            Library::Reqwest,
            "GET",
            "https://api.example.com/users/7?token=secret",
        )
        .server("api.example.com", 443)
        .start();
        span.record_protocol_version("1.1");
        span.record_http_status(503);
    });
    let duration = spans.metrics().named(semconv::HTTP_CLIENT_REQUEST_DURATION);
    assert_eq!(duration.unit, "s");
    let point = duration.point(&[("http.request.method", &"GET")]);
    assert_eq!(point.count, 1);
    assert_eq!(
        point.keys(),
        [
            "error.type",
            "http.request.method",
            "http.response.status_code",
            "network.protocol.version",
            "server.address",
            "server.port"
        ],
        "never the URL"
    );
    assert_eq!(point.str_attr("error.type"), Some("503"));
    assert_eq!(point.bounds.len(), 14);
}

#[test]
fn a_server_request_records_its_duration_and_is_active_while_it_runs() {
    let ((), spans) = capture(|| {
        let span = HttpServerCall::new(Library::Tower, "POST", "/orders/7")
            .route("/orders/{id}")
            .scheme("http")
            .start();
        span.record_http_status(201);
    });
    let metrics = spans.metrics();
    let duration = metrics.named(semconv::HTTP_SERVER_REQUEST_DURATION);
    let point = duration.point(&[("http.route", &"/orders/{id}")]);
    assert_eq!(point.count, 1);
    assert_eq!(
        point.keys(),
        [
            "http.request.method",
            "http.response.status_code",
            "http.route",
            "url.scheme"
        ],
        "never the path"
    );
    let active = metrics.named(semconv::HTTP_SERVER_ACTIVE_REQUESTS);
    let point = active.point(&[("http.request.method", &"POST"), ("url.scheme", &"http")]);
    assert_eq!(point.sum, 0.0, "one started, one ended");
}

#[test]
fn work_and_pool_acquires_record_no_operation_duration_and_an_acquire_its_wait() {
    let ((), spans) = capture(|| {
        drop(WorkCall::new(Library::Threads, "resize").start());
        let acquire = DbCall::new(Library::Sqlx, DbSystem::Postgresql)
            .namespace("shop")
            .server("db.internal", Some(5433))
            .start_acquire();
        acquire.record_connection_wait(std::time::Duration::from_millis(3));
    });
    let metrics = spans.metrics();
    assert!(metrics.get(semconv::DB_CLIENT_OPERATION_DURATION).is_none());
    let wait = metrics.named(semconv::DB_CLIENT_CONNECTION_WAIT_TIME);
    assert_eq!(
        wait.point(&[("db.client.connection.pool.name", &"db.internal:5433/shop")])
            .count,
        1
    );
    assert!(
        spans
            .named("acquire")
            .attr("db.client.connection.wait_time")
            .is_none()
    );
}

#[test]
fn a_query_records_the_wait_for_its_pooled_connection() {
    let ((), spans) = capture(|| {
        query().record_connection_wait(std::time::Duration::from_millis(3));
    });
    let wait = spans
        .metrics()
        .named(semconv::DB_CLIENT_CONNECTION_WAIT_TIME);
    assert_eq!(wait.unit, "s");
    let point = wait.point(&[("db.client.connection.pool.name", &"db.internal:5433/shop")]);
    assert_eq!(point.count, 1);
    assert!((point.sum - 0.003).abs() < 1e-9);
    assert!(
        spans
            .named("SELECT orders")
            .attr("db.client.connection.wait_time")
            .is_none(),
        "a metric, not a span attribute"
    );
}
