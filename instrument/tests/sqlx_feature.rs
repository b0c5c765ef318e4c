//! The `sqlx-*` features re-export instrument-sqlx; the environment switches it off and
//! sets how much query text it records.
#![cfg(feature = "sqlx-sqlite")]

mod support;

use instrument_core::testing::{Spans, capture_async};

/// A query with an inline literal through the facade's traced SQLite pool.
async fn select_literal() -> (Result<i64, sqlx::Error>, Spans) {
    capture_async(async {
        let pool = instrument::sqlx::SqlitePool::connect("sqlite::memory:")
            .await
            .expect("connect");
        sqlx::query_scalar::<_, i64>("SELECT 42")
            .fetch_one(&pool)
            .await
    })
    .await
}

#[tokio::test]
async fn the_facade_hands_out_the_traced_sqlx_pool() {
    if support::in_child() {
        return;
    }
    let (answer, spans) = select_literal().await;
    assert_eq!(answer.ok(), Some(42));
    spans
        .named("SELECT")
        .assert_attr("db.system.name", "sqlite")
        .assert_attr("db.query.text", "SELECT ?");
}

#[tokio::test]
async fn child_sqlx_switched_off_by_env() {
    if !support::in_child() {
        return;
    }
    let (answer, spans) = select_literal().await;
    assert_eq!(answer.ok(), Some(42), "the same result");
    spans.assert_empty();
}

#[test]
fn sqlx_in_the_disabled_list_or_the_sdk_switch_turns_sqlx_spans_off() {
    for vars in [
        [("OTEL_RUST_DISABLED_INSTRUMENTATIONS", "redis,sqlx")],
        [("OTEL_SDK_DISABLED", "true")],
    ] {
        support::run_child("child_sqlx_switched_off_by_env", &vars);
    }
}

#[tokio::test]
async fn child_query_text_from_env() {
    if !support::in_child() {
        return;
    }
    // The variable is read by the first pool; this one is made with no subscriber
    // listening, so a warning goes to stderr.
    let _ = instrument::sqlx::SqlitePool::connect_lazy("sqlite::memory:").expect("pool");
    let (answer, spans) = select_literal().await;
    assert_eq!(answer.ok(), Some(42));
    let span = spans.named("SELECT");
    match std::env::var("EXPECTED_TEXT").as_deref() {
        Ok("none") => {
            span.assert_no_attr("db.query.text");
        }
        Ok(text) => {
            span.assert_attr("db.query.text", text);
        }
        Err(_) => panic!("EXPECTED_TEXT unset"),
    }
}

#[test]
fn otel_rust_sqlx_query_text_sets_the_default_and_a_bad_value_warns() {
    for (value, expected) in [
        ("off", "none"),
        ("AS_WRITTEN", "SELECT 42"),
        ("sanitized", "SELECT ?"),
    ] {
        support::run_child(
            "child_query_text_from_env",
            &[
                ("OTEL_RUST_SQLX_QUERY_TEXT", value),
                ("EXPECTED_TEXT", expected),
            ],
        );
    }
    let output = support::run_child(
        "child_query_text_from_env",
        &[
            ("OTEL_RUST_SQLX_QUERY_TEXT", "everything"),
            ("EXPECTED_TEXT", "SELECT ?"),
        ],
    );
    let stderr = support::stderr(&output);
    assert!(
        stderr.contains("OTEL_RUST_SQLX_QUERY_TEXT") && stderr.contains("everything"),
        "{stderr}"
    );
}
