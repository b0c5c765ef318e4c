//! Queries the server interrupts: cancelled with `pg_cancel_backend`, or their
//! connection killed with `pg_terminate_backend`. The caller gets sqlx's error; the span
//! records the same failure.

use std::time::Duration;

use instrument_core::testing::{CapturedSpan, Spans, Status, capture_async};
use instrument_sqlx::PgPool;

fn database_url() -> String {
    std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// Runs `pg_sleep(30)` on its own connection and, once it is running, `interrupt($pid)`
/// from another connection. Returns the sleeper's error.
async fn interrupted_sleep(interrupt: &'static str) -> sqlx::Error {
    let pool = PgPool::connect(&database_url()).await.expect("connect");
    // The interrupting side runs untraced, on sqlx's own pool.
    let other = sqlx::PgPool::connect(&database_url())
        .await
        .expect("connect");
    let mut sleeper = pool.acquire().await.expect("acquire");
    let pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
        .fetch_one(&mut sleeper)
        .await
        .expect("pid");
    let interrupter = tokio::spawn(async move {
        // Wait until the sleep is running, then interrupt it.
        for _ in 0..200 {
            let running: bool = sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM pg_stat_activity \
                 WHERE pid = $1 AND state = 'active' AND query LIKE 'SELECT pg_sleep%')",
            )
            .bind(pid)
            .fetch_one(&other)
            .await
            .expect("activity");
            if running {
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        let done: bool = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT {interrupt}($1)")))
            .bind(pid)
            .fetch_one(&other)
            .await
            .expect("interrupt");
        assert!(done, "{interrupt} found no backend {pid}");
    });
    let error = sqlx::query("SELECT pg_sleep(30)")
        .execute(&mut sleeper)
        .await
        .expect_err("interrupted");
    interrupter.await.expect("interrupter");
    error
}

/// The sleep's span (its literal sanitized: it has no bind arguments).
fn sleep_span(spans: &Spans) -> &CapturedSpan {
    spans
        .all_named("SELECT")
        .into_iter()
        .find(|s| s.str_attr("db.query.text") == Some("SELECT pg_sleep(?)"))
        .expect("the sleep's span")
}

fn assert_failed(span: &CapturedSpan, error: &sqlx::Error) {
    match &span.status {
        Status::Error(description) => assert_eq!(description, &error.to_string()),
        other => panic!("status {other:?}"),
    }
    assert!(span.event("exception").is_some(), "no exception event");
}

#[tokio::test]
async fn a_query_cancelled_by_the_server_records_sqlstate_57014() {
    let (error, spans) = capture_async(interrupted_sleep("pg_cancel_backend")).await;
    let code = error
        .as_database_error()
        .and_then(|e| e.code())
        .map(|c| c.into_owned());
    assert_eq!(code.as_deref(), Some("57014"), "{error:?}");
    let span = sleep_span(&spans);
    assert_failed(span, &error);
    span.assert_attr("db.response.status_code", "57014")
        .assert_attr("error.type", "57014");
}

#[tokio::test]
async fn a_query_whose_connection_is_killed_records_the_failure() {
    let (error, spans) = capture_async(interrupted_sleep("pg_terminate_backend")).await;
    let span = sleep_span(&spans);
    assert_failed(span, &error);
    match error.as_database_error() {
        // The server says goodbye first: 57P01 admin_shutdown.
        Some(database) => {
            let code = database.code().map(|c| c.into_owned()).expect("code");
            assert_eq!(code, "57P01");
            span.assert_attr("db.response.status_code", code.as_str());
        }
        // Or the socket closes before the notice is read.
        None => {
            let kind = span.str_attr("error.type").expect("error.type");
            assert!(["io", "protocol"].contains(&kind), "{kind} for {error:?}");
        }
    }
}
