//! `Traced` and `TracedStream` keep the span open for the whole call and no longer.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::{StreamExt as _, stream};
use instrument_core::testing::capture_async;
use instrument_core::{
    CountRows, DbCall, DbSystem, LazyTraced, Library, RecordResult, Traced, TracedStream, WorkCall,
    each_item,
};

fn query_span(sql: &str) -> instrument_core::CallSpan {
    DbCall::new(Library::Sqlx, DbSystem::Postgresql)
        .sql(sql, true)
        .start()
}

fn assert_send<T: Send>(_: &T) {}

#[tokio::test]
async fn a_traced_future_records_an_error_on_its_span() {
    let (result, spans) = capture_async(async {
        let future = Traced::new(
            query_span("SELECT * FROM users"),
            async { Err::<u32, _>(std::io::Error::other("boom")) },
            RecordResult,
        );
        assert_send(&future);
        future.await
    })
    .await;
    assert_eq!(result.map_err(|e| e.to_string()), Err("boom".to_owned()));
    assert!(spans.named("SELECT users").is_error());
}

#[tokio::test]
async fn work_runs_inside_its_span_and_a_database_call_does_not() {
    let ((), spans) = capture_async(async {
        let outer = tracing::info_span!("outer");
        let _outer = outer.enter();
        Traced::new(
            WorkCall::new(Library::Threads, "work").start(),
            async { tracing::info_span!("inside work").in_scope(|| {}) },
            |_: &(), _: &instrument_core::CallSpan| {},
        )
        .await;
        Traced::new(
            query_span("SELECT * FROM users"),
            // What a driver might make while the query runs: never a child of the query.
            async { tracing::info_span!("inside query").in_scope(|| {}) },
            |_: &(), _: &instrument_core::CallSpan| {},
        )
        .await;
    })
    .await;
    assert!(spans.named("inside work").is_child_of(spans.named("work")));
    let outer = spans.named("outer");
    assert!(spans.named("SELECT users").is_child_of(outer));
    assert!(spans.named("inside query").is_child_of(outer));
}

#[tokio::test]
async fn a_closure_records_what_the_wrapper_knows_of_the_output() {
    let (rows, spans) = capture_async(async {
        Traced::new(
            query_span("SELECT * FROM users"),
            async { Ok::<u64, std::io::Error>(42) },
            |output: &Result<u64, std::io::Error>, span: &instrument_core::CallSpan| {
                if let Ok(rows) = output {
                    span.record_returned_rows(*rows);
                }
            },
        )
        .await
    })
    .await;
    assert_eq!(rows.ok(), Some(42));
    spans
        .named("SELECT users")
        .assert_attr("db.response.returned_rows", 42);
}

/// Pending once, then ready: lets a test drop it mid-call.
struct PendingOnce(bool);
impl Future for PendingOnce {
    type Output = Result<(), std::io::Error>;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if self.0 {
            Poll::Ready(Ok(()))
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

#[tokio::test]
async fn a_future_dropped_by_the_caller_ends_its_span_without_error() {
    let ((), spans) = capture_async(async {
        let mut future = Box::pin(Traced::new(
            query_span("SELECT * FROM slow"),
            PendingOnce(false),
            RecordResult,
        ));
        let waker = futures_util::task::noop_waker();
        assert!(
            future
                .as_mut()
                .poll(&mut Context::from_waker(&waker))
                .is_pending()
        );
        drop(future);
    })
    .await;
    let span = spans.named("SELECT slow");
    assert!(!span.is_error());
}

#[tokio::test]
async fn a_lazy_span_starts_at_the_first_poll_and_records_the_output() {
    let (result, spans) = capture_async(async {
        let started = std::cell::Cell::new(false);
        let future = LazyTraced::new(
            async { Err::<u32, _>(std::io::Error::other("boom")) },
            || {
                started.set(true);
                query_span("SELECT * FROM users")
            },
            RecordResult,
        );
        // Made, not polled: no span yet, as an `async fn` has done nothing yet.
        assert!(!started.get());
        let result = future.await;
        assert!(started.get());
        result
    })
    .await;
    assert_eq!(result.map_err(|e| e.to_string()), Err("boom".to_owned()));
    assert!(spans.named("SELECT users").is_error());
}

#[tokio::test]
async fn a_lazy_span_never_polled_is_never_made() {
    let ((), spans) = capture_async(async {
        let future = LazyTraced::new(
            async { Ok::<u32, std::io::Error>(1) },
            || query_span("SELECT * FROM users"),
            RecordResult,
        );
        assert_send(&future);
        drop(future);
    })
    .await;
    spans.assert_empty();
}

#[tokio::test]
async fn a_lazy_span_dropped_mid_call_ends_without_error() {
    let ((), spans) = capture_async(async {
        let mut future = Box::pin(LazyTraced::new(
            PendingOnce(false),
            || query_span("SELECT * FROM slow"),
            RecordResult,
        ));
        let waker = futures_util::task::noop_waker();
        let mut context = Context::from_waker(&waker);
        assert!(future.as_mut().poll(&mut context).is_pending());
        drop(future);
    })
    .await;
    assert!(!spans.named("SELECT slow").is_error());
}

#[tokio::test]
async fn switched_off_a_lazy_future_is_its_inner_future() {
    let (value, spans) = capture_async(async {
        LazyTraced::<_, fn() -> instrument_core::CallSpan, RecordResult>::switched_off(async {
            Ok::<u32, std::io::Error>(7)
        })
        .await
    })
    .await;
    assert_eq!(value.ok(), Some(7));
    spans.assert_empty();
}

#[tokio::test]
async fn a_stream_span_covers_every_row_and_ends_with_the_stream() {
    let (rows, spans) = capture_async(async {
        let rows = stream::iter(vec![Ok::<_, std::io::Error>(1), Ok(2), Ok(3)]);
        let traced = TracedStream::new(
            query_span("SELECT * FROM items"),
            rows,
            CountRows::default(),
        );
        assert_send(&traced);
        let collected: Vec<_> = traced.collect().await;
        // A span opened after the stream ended is not its child.
        tracing::info_span!("after").in_scope(|| {});
        collected
    })
    .await;
    assert_eq!(rows.len(), 3);
    let query = spans.named("SELECT items");
    query.assert_attr("db.response.returned_rows", 3);
    assert!(!spans.named("after").is_child_of(query));
    assert!(query.end_time <= spans.named("after").start_time);
}

#[tokio::test]
async fn a_stream_dropped_part_way_records_the_rows_read_so_far() {
    let (first, spans) = capture_async(async {
        let rows = stream::iter(vec![Ok::<_, std::io::Error>(1), Ok(2), Ok(3)]);
        let mut traced = TracedStream::new(
            query_span("SELECT * FROM items"),
            rows,
            CountRows::default(),
        );
        traced.next().await
    })
    .await;
    assert!(matches!(first, Some(Ok(1))));
    spans
        .named("SELECT items")
        .assert_attr("db.response.returned_rows", 1);
}

#[tokio::test]
async fn a_stream_error_marks_the_span_failed_once() {
    let (items, spans) = capture_async(async {
        let rows = stream::iter(vec![
            Ok(1),
            Err(std::io::Error::other("first")),
            Err(std::io::Error::other("second")),
        ]);
        TracedStream::new(
            query_span("SELECT * FROM items"),
            rows,
            CountRows::default(),
        )
        .collect::<Vec<_>>()
        .await
    })
    .await;
    assert_eq!(items.len(), 3);
    let span = spans.named("SELECT items");
    assert!(span.is_error());
    assert_eq!(
        span.events.iter().filter(|e| e.name == "exception").count(),
        1
    );
    span.assert_attr("db.response.returned_rows", 1);
}

#[tokio::test]
async fn each_item_observes_with_a_closure() {
    let (count, spans) = capture_async(async {
        let mut seen = 0;
        let items: Vec<i32> = TracedStream::new(
            query_span("SELECT * FROM items"),
            stream::iter(vec![1, 2]),
            each_item(|_: &i32, _: &instrument_core::CallSpan| seen += 1),
        )
        .collect()
        .await;
        (items.len(), seen)
    })
    .await;
    assert_eq!(count, (2, 2));
    assert_eq!(spans.len(), 1);
}
