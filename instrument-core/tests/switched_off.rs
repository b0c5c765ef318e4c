//! Switched off, a traced call is the raw call: no span, no string work, no allocation.

use futures_util::FutureExt as _;
use instrument_core::testing::capture;
use instrument_core::{DbCall, DbSystem, HttpClientCall, Library, RecordResult, Traced};

/// What a wrapper does per call.
fn wrapped_query(id: u64) -> u64 {
    if !instrument_core::enabled(Library::Sqlx) {
        return id * 2;
    }
    let span = DbCall::new(Library::Sqlx, DbSystem::Postgresql)
        .sql("SELECT * FROM users WHERE name = 'alice'", false)
        .start();
    let rows = span.in_scope(|| id * 2);
    span.record_returned_rows(rows);
    rows
}

/// One test, because the switches are process-wide.
#[test]
fn a_switched_off_call_creates_no_span_and_allocates_nothing() {
    // Read the environment before measuring (the first use reads it once).
    assert!(instrument_core::enabled(Library::Sqlx));

    // On, with no pipeline installed: the span goes to OpenTelemetry's global tracer
    // provider, a no-op until one is set, and records nothing.
    let span = DbCall::new(Library::Redis, DbSystem::Redis)
        .operation("GET")
        .masked_query("GET user:1")
        .start();
    assert!(!span.is_recording());
    span.record_returned_rows(1);

    instrument_core::set_library_enabled(Library::Sqlx, false);
    let (result, spans) = capture(|| wrapped_query(21));
    assert_eq!(result, 42);
    spans.assert_empty();
    let allocations = allocation_counter::measure(|| {
        std::hint::black_box(wrapped_query(std::hint::black_box(21)));
        // Even a description started directly does no work when switched off.
        let span = DbCall::new(Library::Sqlx, DbSystem::Postgresql)
            .sql("SELECT * FROM users WHERE name = 'alice'", false)
            .start();
        assert!(!span.is_recording());
    });
    assert_eq!(
        allocations.count_total, 0,
        "switched off, a call allocates nothing"
    );

    instrument_core::set_library_enabled(Library::Sqlx, true);
    instrument_core::set_enabled(false);
    let allocations = allocation_counter::measure(|| {
        let span = HttpClientCall::new(Library::Reqwest, "GET", "https://u:p@example.com/").start();
        span.record_http_status(200);
        std::hint::black_box(wrapped_query(1));
    });
    assert_eq!(
        allocations.count_total, 0,
        "globally off, nothing allocates either"
    );
    let (output, spans) = capture(|| {
        Traced::new(
            DbCall::new(Library::Sqlx, DbSystem::Sqlite).start(),
            std::future::ready(Ok::<_, std::io::Error>(1)),
            RecordResult,
        )
        .now_or_never()
    });
    assert!(
        matches!(output, Some(Ok(1))),
        "a switched-off future passes its output through"
    );
    spans.assert_empty();
    instrument_core::set_enabled(true);

    let (result, spans) = capture(|| wrapped_query(21));
    assert_eq!(result, 42, "the same result with tracing on");
    assert_eq!(spans.names(), vec!["SELECT users"]);
}
