//! HTTP call descriptions become CLIENT and SERVER spans per the semantic conventions.

use instrument_core::testing::{SpanKind, Status, capture};
use instrument_core::{ErrorInfo, HttpClientCall, HttpServerCall, Library};

#[test]
fn a_client_request_is_named_by_its_method_with_a_redacted_url() {
    let (_, spans) = capture(|| {
        let span = HttpClientCall::new(
            Library::Reqwest,
            "GET",
            "https://bob:hunter2@api.example.com/v1/items?X-Amz-Signature=abc&page=2",
        )
        .server("api.example.com", 443)
        .protocol_version("1.1")
        .start();
        span.record_http_status(200);
        span.record_resend_count(1);
    });
    let span = spans.named("GET");
    assert_eq!(span.kind, SpanKind::Client);
    assert_eq!(span.status, Status::Unset);
    span.assert_attr("http.request.method", "GET")
        .assert_attr(
            "url.full",
            "https://REDACTED:REDACTED@api.example.com/v1/items?X-Amz-Signature=REDACTED&page=2",
        )
        .assert_attr("server.address", "api.example.com")
        .assert_attr("server.port", 443)
        .assert_attr("network.protocol.version", "1.1")
        .assert_attr("http.response.status_code", 200)
        .assert_attr("http.request.resend_count", 1)
        .assert_no_attr("http.request.method_original")
        .assert_no_attr("error.type");
}

#[test]
fn an_unknown_method_is_named_http_and_recorded_as_other() {
    let (_, spans) = capture(|| {
        let _ = HttpClientCall::new(Library::Reqwest, "PURGE", "http://cache/x").start();
    });
    spans
        .named("HTTP")
        .assert_attr("http.request.method", "_OTHER")
        .assert_attr("http.request.method_original", "PURGE");
}

#[test]
fn client_4xx_and_5xx_are_errors_with_the_status_as_error_type() {
    let (_, spans) = capture(|| {
        for status in [404, 503, 302] {
            HttpClientCall::new(Library::Reqwest, "GET", "http://x/")
                .start()
                .record_http_status(status);
        }
    });
    let statuses: Vec<_> = spans
        .iter()
        .map(|span| {
            (
                span.is_error(),
                span.str_attr("error.type").map(str::to_owned),
            )
        })
        .collect();
    assert_eq!(
        statuses,
        vec![
            (true, Some("404".to_owned())),
            (true, Some("503".to_owned())),
            (false, None)
        ]
    );
}

#[test]
fn a_transport_error_records_its_low_cardinality_name() {
    let error = std::io::Error::new(std::io::ErrorKind::TimedOut, "deadline elapsed");
    let (_, spans) = capture(|| {
        HttpClientCall::new(Library::Reqwest, "POST", "http://x/")
            .start()
            .record_error(&error, ErrorInfo::new().error_type("timeout"));
    });
    let span = spans.named("POST");
    assert!(span.is_error());
    span.assert_attr("error.type", "timeout")
        .assert_no_attr("http.response.status_code");
    assert!(span.event("exception").is_some());
}

#[test]
fn a_server_span_is_named_by_method_and_route_and_fails_only_on_5xx() {
    let (_, spans) = capture(|| {
        let ok = HttpServerCall::new(Library::Tower, "GET", "/users/7")
            .route("/users/{id}")
            .scheme("http")
            .start();
        ok.record_http_status(404);
        let failed = HttpServerCall::new(Library::Tower, "POST", "/orders")
            .scheme("https")
            .start();
        failed.record_http_status(500);
    });
    let ok = spans.named("GET /users/{id}");
    assert_eq!(ok.kind, SpanKind::Server);
    assert!(!ok.is_error(), "404 is not a server error");
    ok.assert_attr("http.route", "/users/{id}")
        .assert_attr("url.path", "/users/7")
        .assert_attr("url.scheme", "http")
        .assert_attr("http.response.status_code", 404);
    let failed = spans.named("POST");
    assert!(failed.is_error());
    failed.assert_attr("error.type", "500");
}
