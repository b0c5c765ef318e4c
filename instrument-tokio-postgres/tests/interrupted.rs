//! Queries interrupted from outside: cancelled through the cancel token, or their
//! connection killed with `pg_terminate_backend`. The caller gets tokio-postgres's
//! error; the span records the same failure.

mod support;

use std::time::Duration;

use instrument_core::testing::{CapturedSpan, Spans, Status, capture_async};
use support::{client, raw_client};

/// Waits until backend `pid` runs `pg_sleep`.
async fn wait_until_sleeping(observer: &tokio_postgres::Client, pid: i32) {
    for _ in 0..200 {
        let running: bool = observer
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM pg_stat_activity \
                 WHERE pid = $1 AND state = 'active' AND query LIKE 'SELECT pg_sleep%')",
                &[&pid],
            )
            .await
            .expect("activity")
            .get(0);
        if running {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("backend {pid} never started sleeping");
}

fn sleep_span(spans: &Spans) -> &CapturedSpan {
    spans
        .iter()
        .find(|s| s.str_attr("db.query.text") == Some("SELECT pg_sleep(?)"))
        .expect("the sleep's span")
}

fn assert_failed(span: &CapturedSpan, error: &tokio_postgres::Error) {
    let expected = match error.as_db_error() {
        Some(db) => format!("{}: {}", db.severity(), db.message()),
        None => error.to_string(),
    };
    match &span.status {
        Status::Error(description) => assert_eq!(description, &expected),
        other => panic!("status {other:?}"),
    }
    assert!(span.event("exception").is_some(), "no exception event");
}

#[tokio::test]
async fn a_query_cancelled_through_the_cancel_token_records_sqlstate_57014() {
    let (error, spans) = capture_async(async {
        let client = client().await;
        let observer = raw_client().await;
        let pid: i32 = client
            .query_one("SELECT pg_backend_pid()", &[])
            .await
            .expect("pid")
            .get(0);
        let token = client.cancel_token();
        let cancel = tokio::spawn(async move {
            wait_until_sleeping(&observer, pid).await;
            token
                .cancel_query(tokio_postgres::NoTls)
                .await
                .expect("cancel");
        });
        let error = client
            .simple_query("SELECT pg_sleep(30)")
            .await
            .expect_err("cancelled");
        cancel.await.expect("canceller");
        error
    })
    .await;
    assert_eq!(error.code().map(|c| c.code()), Some("57014"), "{error:?}");
    let span = sleep_span(&spans);
    assert_failed(span, &error);
    span.assert_attr("db.response.status_code", "57014");
}

#[tokio::test]
async fn a_query_whose_connection_is_killed_records_the_failure() {
    let (error, spans) = capture_async(async {
        let client = client().await;
        let observer = raw_client().await;
        let pid: i32 = client
            .query_one("SELECT pg_backend_pid()", &[])
            .await
            .expect("pid")
            .get(0);
        let kill = tokio::spawn(async move {
            wait_until_sleeping(&observer, pid).await;
            let killed: bool = observer
                .query_one("SELECT pg_terminate_backend($1)", &[&pid])
                .await
                .expect("terminate")
                .get(0);
            assert!(killed);
        });
        let error = client
            .query("SELECT pg_sleep(30)", &[])
            .await
            .expect_err("killed");
        kill.await.expect("killer");
        // The client knows its connection is gone, as tokio-postgres's does.
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(client.is_closed());
        error
    })
    .await;
    let span = sleep_span(&spans);
    assert_failed(span, &error);
    match error.code() {
        // The server says goodbye first: 57P01 admin_shutdown.
        Some(code) => span.assert_attr("db.response.status_code", code.code()),
        None => span.assert_attr("error.type", "connection_closed"),
    };
}
