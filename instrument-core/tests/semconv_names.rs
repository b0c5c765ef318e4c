//! Every attribute name core emits is a stable OpenTelemetry semantic-convention name,
//! compared with the constants of `opentelemetry-semantic-conventions`, not hand-typed.

use std::collections::BTreeSet;

use instrument_core::testing::capture;
use instrument_core::{DbCall, DbSystem, ErrorInfo, HttpClientCall, HttpServerCall, Library};
use opentelemetry_semantic_conventions::attribute as semconv;

/// Stable attributes core may emit (semantic conventions 1.42 as packaged).
const STABLE: &[&str] = &[
    semconv::DB_SYSTEM_NAME,
    semconv::DB_NAMESPACE,
    semconv::DB_QUERY_TEXT,
    semconv::DB_QUERY_SUMMARY,
    semconv::DB_OPERATION_NAME,
    semconv::DB_COLLECTION_NAME,
    semconv::DB_OPERATION_BATCH_SIZE,
    semconv::DB_RESPONSE_STATUS_CODE,
    semconv::ERROR_TYPE,
    semconv::SERVER_ADDRESS,
    semconv::SERVER_PORT,
    semconv::NETWORK_PEER_ADDRESS,
    semconv::NETWORK_PEER_PORT,
    semconv::NETWORK_PROTOCOL_VERSION,
    semconv::HTTP_REQUEST_METHOD,
    semconv::HTTP_REQUEST_METHOD_ORIGINAL,
    semconv::HTTP_REQUEST_RESEND_COUNT,
    semconv::HTTP_RESPONSE_STATUS_CODE,
    semconv::HTTP_ROUTE,
    semconv::URL_FULL,
    semconv::URL_PATH,
    semconv::URL_QUERY,
    semconv::URL_SCHEME,
    semconv::EXCEPTION_TYPE,
    semconv::EXCEPTION_MESSAGE,
];

/// Opt-in attributes SEMCONV.md asks for whose status is still "development", so the
/// stable constants do not hold them.
const DEVELOPMENT: &[&str] = &[
    "db.response.returned_rows",
    // The name of the metric `db.client.connection.wait_time`, recorded on the span of
    // the call that waited (seconds, as the metric).
    "db.client.connection.wait_time",
    // Proposed (semantic-conventions#3094), not yet in the registry.
    "db.response.affected_rows",
    // Development in the conventions; the client span name uses it when given.
    "url.template",
    // Not a semantic convention: OpenTracing's request to keep a trace, which our
    // sampler honours (SEMCONV.md, "OpenTracing names").
    "sampling.priority",
];

fn emit_every_attribute() {
    let error = std::io::Error::other("failed");
    let db = DbCall::new(Library::Sqlx, DbSystem::Postgresql)
        .namespace("shop")
        .operation("select")
        .collection("users")
        .sql("SELECT * FROM users WHERE id = 1", false)
        .batch_size(2)
        .server("db", Some(6000))
        .network_peer("10.0.0.1", Some(6000))
        .start();
    db.record_returned_rows(3);
    db.record_affected_rows(2);
    db.record_connection_wait(std::time::Duration::from_millis(2));
    db.record_error(&error, ErrorInfo::new().status_code("42P01"));

    let acquire = DbCall::new(Library::Sqlx, DbSystem::Postgresql)
        .namespace("shop")
        .server("db", Some(6000))
        .start_acquire();
    acquire.record_connection_wait(std::time::Duration::from_millis(2));
    drop(acquire);

    let client = HttpClientCall::new(Library::Reqwest, "PURGE", "http://cache:8080/x")
        .server("cache", 8080)
        .url_template("/{key}")
        .protocol_version("1.1")
        .start();
    client.record_http_status(503);
    client.record_resend_count(2);
    client.record_error(&error, ErrorInfo::new().error_type("timeout"));

    let server = HttpServerCall::new(Library::Tower, "GET", "/users/1")
        .route("/users/{id}")
        .scheme("https")
        .query("a=1")
        .server("api", Some(8443))
        .protocol_version("2")
        .force_sampling()
        .start();
    server.record_http_status(500);
}

#[test]
fn every_emitted_attribute_name_is_a_semantic_convention_constant() {
    let (_, spans) = capture(emit_every_attribute);
    assert_eq!(spans.len(), 4);
    let mut emitted = BTreeSet::new();
    for span in spans.iter() {
        for (key, _) in &span.attributes {
            emitted.insert(key.clone());
        }
        for event in &span.events {
            for (key, _) in &event.attributes {
                emitted.insert(key.clone());
            }
        }
    }
    let unknown: Vec<_> = emitted
        .iter()
        .filter(|key| !STABLE.contains(&key.as_str()) && !DEVELOPMENT.contains(&key.as_str()))
        .collect();
    assert!(
        unknown.is_empty(),
        "not semantic-convention names: {unknown:?}"
    );
    // And the test really exercised the names, not an empty set.
    assert!(emitted.len() >= STABLE.len(), "emitted only {emitted:?}");
}

#[test]
fn the_development_names_are_not_in_the_stable_set() {
    for name in DEVELOPMENT {
        assert!(
            !STABLE.contains(name),
            "{name} became stable: compare it with its constant"
        );
    }
}

#[test]
fn spans_carry_the_project_version_and_the_conventions_schema_url() {
    let ((), spans) = capture(|| {
        drop(
            DbCall::new(Library::Redis, DbSystem::Redis)
                .operation("GET")
                .start(),
        );
    });
    let span = spans.named("GET");
    assert_eq!(span.scope, "instrument-redis");
    assert_eq!(
        span.scope_version.as_deref(),
        Some(env!("CARGO_PKG_VERSION"))
    );
    assert_eq!(
        span.scope_schema_url.as_deref(),
        Some(opentelemetry_semantic_conventions::SCHEMA_URL)
    );
    assert!(instrument_core::SCHEMA_URL.starts_with("https://opentelemetry.io/schemas/1."));
}

/// The messaging conventions are still in development: their names, compared with the
/// crate's constants of that status.
const MESSAGING: &[&str] = &[
    semconv::MESSAGING_SYSTEM,
    semconv::MESSAGING_OPERATION_TYPE,
    semconv::MESSAGING_OPERATION_NAME,
    semconv::MESSAGING_DESTINATION_NAME,
    semconv::MESSAGING_DESTINATION_TEMPLATE,
    semconv::MESSAGING_DESTINATION_TEMPORARY,
    semconv::MESSAGING_CONSUMER_GROUP_NAME,
    semconv::MESSAGING_MESSAGE_ID,
    semconv::MESSAGING_MESSAGE_BODY_SIZE,
    semconv::MESSAGING_RABBITMQ_DESTINATION_ROUTING_KEY,
    semconv::SERVER_ADDRESS,
    semconv::SERVER_PORT,
    semconv::ERROR_TYPE,
    semconv::EXCEPTION_TYPE,
    semconv::EXCEPTION_MESSAGE,
];

#[test]
fn every_messaging_attribute_name_is_a_convention_constant() {
    use instrument_core::messaging::{MessagingCall, MessagingOperation, MessagingSystem};
    let ((), spans) = capture(|| {
        let call = |operation, name| {
            MessagingCall::new(Library::Lapin, MessagingSystem::Rabbitmq, operation, name)
                .server("rabbit", Some(5672))
                .message_id("m-1")
                .body_size(3)
                .attribute(opentelemetry::KeyValue::new(
                    semconv::MESSAGING_RABBITMQ_DESTINATION_ROUTING_KEY,
                    "orders.7",
                ))
        };
        let send = call(MessagingOperation::Send, "publish")
            .destination("orders.7")
            .destination_template("orders.{id}")
            .start();
        send.record_error(
            &std::io::Error::other("closed"),
            ErrorInfo::new().error_type("ChannelClosed"),
        );
        drop(
            call(MessagingOperation::Process, "process")
                .destination("amq.gen-x")
                .temporary_destination()
                .consumer_group("mailers")
                .start(),
        );
    });
    assert_eq!(spans.len(), 2);
    let unknown: Vec<String> = spans
        .iter()
        .flat_map(|span| {
            span.attributes.iter().map(|(key, _)| key.clone()).chain(
                span.events
                    .iter()
                    .flat_map(|event| event.attributes.iter().map(|(key, _)| key.clone())),
            )
        })
        .filter(|key| !MESSAGING.contains(&key.as_str()))
        .collect();
    assert!(unknown.is_empty(), "not convention names: {unknown:?}");
    assert_eq!(
        spans.names(),
        ["publish orders.{id}", "process (temporary)"]
    );
}
