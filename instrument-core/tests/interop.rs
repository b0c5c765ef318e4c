//! Our spans (straight through OpenTelemetry) and the application's `tracing` spans form
//! one tree, both ways; the application's events land on the innermost span, whichever
//! made it; other libraries' events land nowhere.

use futures_util::FutureExt as _;
use instrument_core::testing::{capture, capture_async};
use instrument_core::{DbCall, DbSystem, HttpServerCall, Library, RecordResult, Traced};

fn query() -> instrument_core::CallSpan {
    DbCall::new(Library::Sqlx, DbSystem::Postgresql)
        .sql("SELECT * FROM orders WHERE id = $1", true)
        .start()
}

#[test]
fn a_tracing_span_is_the_parent_of_our_spans() {
    let (_, spans) = capture(|| {
        tracing::info_span!("checkout").in_scope(|| drop(query()));
    });
    let checkout = spans.named("checkout");
    let select = spans.named("SELECT orders");
    assert!(select.is_child_of(checkout), "{spans:?}");
}

#[test]
fn a_tracing_span_inside_ours_is_its_child_and_its_children_are_ours_again() {
    let (_, spans) = capture(|| {
        let server = HttpServerCall::new(Library::Tower, "GET", "/orders/7")
            .route("/orders/{id}")
            .start();
        server.in_scope(|| {
            tracing::info_span!("load order").in_scope(|| drop(query()));
        });
    });
    let server = spans.named("GET /orders/{id}");
    let handler = spans.named("load order");
    let select = spans.named("SELECT orders");
    assert!(handler.is_child_of(server));
    assert!(select.is_child_of(handler));
    assert_eq!(select.trace_id, server.trace_id);
}

#[tokio::test]
async fn a_tracing_span_made_while_a_traced_handler_is_polled_is_its_child() {
    let (_, spans) = capture_async(async {
        let handler = async {
            tracing::info_span!("inside").in_scope(|| {});
            Ok::<_, std::io::Error>(())
        };
        let server = HttpServerCall::new(Library::Tower, "GET", "/orders/7")
            .route("/orders/{id}")
            .start();
        Traced::new(server, handler, RecordResult).await
    })
    .await;
    assert!(
        spans
            .named("inside")
            .is_child_of(spans.named("GET /orders/{id}"))
    );
}

#[tokio::test]
async fn a_database_call_is_never_made_current() {
    // A driver's own span made while the query is polled: the query runs no code of the
    // application's, so nothing inside it is its child.
    let (_, spans) = capture_async(async {
        let driver = async {
            tracing::info_span!("driver").in_scope(|| {});
            Ok::<_, std::io::Error>(())
        };
        let checkout = tracing::info_span!("checkout");
        let _checkout = checkout.enter();
        Traced::new(query(), driver, RecordResult).await
    })
    .await;
    let checkout = spans.named("checkout");
    assert!(spans.named("SELECT orders").is_child_of(checkout));
    assert!(spans.named("driver").is_child_of(checkout));
}

#[test]
fn the_applications_events_land_on_the_innermost_span_and_libraries_events_nowhere() {
    let (_, spans) = capture(|| {
        let server = HttpServerCall::new(Library::Tower, "GET", "/").start();
        server.in_scope(|| {
            tracing::info!(order.id = 7, "on the server span");
            tracing::info!(target: "sqlx::query", "SELECT secret FROM t");
            tracing::info!(target: "hyper::proto", "connection detail");
            tracing::info_span!("handler").in_scope(|| {
                tracing::error!("on the handler span");
            });
        });
    });
    let server = spans.named("GET");
    let names: Vec<&str> = server.events.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, vec!["on the server span"]);
    let event = &server.events[0];
    assert_eq!(event.str_attr("level"), Some("INFO"));
    assert!(
        event
            .attributes
            .iter()
            .any(|(k, v)| k == "order.id" && *v == opentelemetry::Value::I64(7))
    );
    let handler = spans.named("handler");
    assert_eq!(handler.events.len(), 1);
    assert!(handler.is_error(), "an ERROR event marks its span failed");
    assert!(!server.is_error());
}

#[test]
fn a_traced_future_dropped_before_it_completes_ends_its_span_without_error() {
    let (_, spans) = capture(|| {
        let future = Traced::new(
            query(),
            std::future::pending::<Result<(), std::io::Error>>(),
            RecordResult,
        );
        let mut future = Box::pin(future);
        assert!(future.as_mut().now_or_never().is_none());
        drop(future);
    });
    assert!(!spans.named("SELECT orders").is_error());
}
