//! Switched off, the traced pool gives sqlx's results and makes no span.

use instrument_core::Library;
use instrument_core::testing::capture_async;
use instrument_sqlx::SqlitePool;

#[tokio::test]
async fn switched_off_the_pool_returns_the_same_rows_and_no_spans() {
    let pool = SqlitePool::connect("sqlite::memory:")
        .await
        .expect("connect");
    let raw = pool.inner().clone();
    let query = "SELECT 1 AS a UNION ALL SELECT 2";
    let expected: Vec<i64> = sqlx::query_scalar(query)
        .fetch_all(&raw)
        .await
        .expect("raw");

    let (traced, spans) = capture_async(sqlx::query_scalar::<_, i64>(query).fetch_all(&pool)).await;
    assert_eq!(traced.expect("traced"), expected);
    assert_eq!(spans.len(), 1);

    instrument_core::set_library_enabled(Library::Sqlx, false);
    let (off, spans) = capture_async(sqlx::query_scalar::<_, i64>(query).fetch_all(&pool)).await;
    instrument_core::set_library_enabled(Library::Sqlx, true);
    assert_eq!(off.expect("switched off"), expected);
    spans.assert_empty();
}
