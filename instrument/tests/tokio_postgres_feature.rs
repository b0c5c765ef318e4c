//! The `tokio-postgres` feature re-exports instrument-tokio-postgres; the environment
//! switches it off.
#![cfg(feature = "tokio-postgres")]

mod support;

use instrument_core::testing::{Spans, capture_async};

async fn select_one() -> (Result<i32, tokio_postgres::Error>, Spans) {
    let url = std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
    capture_async(async {
        let (client, connection) = instrument::tokio_postgres::connect(&url, tokio_postgres::NoTls)
            .await
            .expect("connect");
        tokio::spawn(connection);
        client
            .query_one("SELECT 1", &[])
            .await
            .map(|row| row.get(0))
    })
    .await
}

#[tokio::test]
async fn the_facade_hands_out_the_traced_client() {
    if support::in_child() {
        return;
    }
    let (one, spans) = select_one().await;
    assert_eq!(one.ok(), Some(1));
    spans
        .named("SELECT")
        .assert_attr("db.system.name", "postgresql");
}

#[tokio::test]
async fn child_tokio_postgres_switched_off_by_env() {
    if !support::in_child() {
        return;
    }
    let (one, spans) = select_one().await;
    assert_eq!(one.ok(), Some(1), "the same result");
    spans.assert_empty();
}

#[test]
fn tokio_postgres_in_the_disabled_list_or_the_sdk_switch_turns_its_spans_off() {
    for vars in [
        [("OTEL_RUST_DISABLED_INSTRUMENTATIONS", "tokio-postgres")],
        [("OTEL_SDK_DISABLED", "true")],
    ] {
        support::run_child("child_tokio_postgres_switched_off_by_env", &vars);
    }
}
