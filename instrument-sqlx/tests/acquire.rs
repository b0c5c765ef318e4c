//! Connections from the pool: `acquire()`, the wait for a connection on every span that
//! waited, `begin_with`, `PoolOptions`, and `sqlx::Acquire` (migrations).

use std::time::Duration;

use instrument_core::testing::{SpanKind, Status, capture_async};
use instrument_sqlx::{PgPool, PoolOptions, SqlitePool};

fn database_url() -> String {
    std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// The waits for a connection recorded (`db.client.connection.wait_time`): how many, and
/// how long in all, in seconds.
fn waits(spans: &instrument_core::testing::Spans) -> (u64, f64) {
    let wait = spans.metrics().named("db.client.connection.wait_time");
    assert_eq!(wait.unit, "s");
    (
        wait.total_count(),
        wait.points.iter().map(|point| point.sum).sum(),
    )
}

#[tokio::test]
async fn acquire_is_a_span_of_its_own_and_the_connection_is_traced() {
    let ((), spans) = capture_async(async {
        let pool = PgPool::connect(&database_url()).await.expect("connect");
        let mut connection = pool.acquire().await.expect("acquire");
        let pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
            .fetch_one(&mut connection)
            .await
            .expect("query");
        assert!(pid > 0);
        let mut tx = connection.begin().await.expect("begin");
        sqlx::query("SELECT 1")
            .execute(&mut *tx)
            .await
            .expect("in tx");
        tx.commit().await.expect("commit");
    })
    .await;
    let acquire = spans.named("acquire");
    assert_eq!(acquire.kind, SpanKind::Internal);
    acquire
        .assert_attr("db.system.name", "postgresql")
        .assert_attr("db.namespace", "test")
        .assert_attr("server.address", "127.0.0.1")
        .assert_no_attr("db.client.connection.wait_time");
    // The acquire's wait, for the pool named after its address and database; a query
    // on a connection already held waits for nothing.
    spans
        .metrics()
        .named("db.client.connection.wait_time")
        .point(&[("db.client.connection.pool.name", &"127.0.0.1/test")]);
    assert_eq!(waits(&spans).0, 1);
    let query = spans.named("SELECT");
    assert_eq!(query.kind, SpanKind::Client);
    query.assert_attr("db.query.text", "SELECT pg_backend_pid()");
    spans.named("BEGIN");
    spans.named("COMMIT");
}

#[tokio::test]
async fn a_query_that_waited_for_a_connection_records_how_long() {
    let ((), spans) = capture_async(async {
        let pool = PoolOptions::<sqlx::Postgres>::new()
            .max_connections(1)
            .connect(&database_url())
            .await
            .expect("connect");
        let held = pool.acquire().await.expect("acquire");
        let release = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            drop(held);
        });
        let one: i32 = sqlx::query_scalar("SELECT 1 AS waited")
            .fetch_one(&pool)
            .await
            .expect("query");
        assert_eq!(one, 1);
        release.await.expect("release");
        let tx = pool.begin().await.expect("begin");
        tx.rollback().await.expect("rollback");
    })
    .await;
    // The first acquire's wait, the query's and the BEGIN's; the query waited for the
    // held connection.
    let (count, waited) = waits(&spans);
    assert_eq!(count, 3);
    assert!((0.2..30.0).contains(&waited), "waited {waited} s");
    spans
        .named("SELECT")
        .assert_no_attr("db.client.connection.wait_time");
}

#[tokio::test]
async fn a_pool_timeout_fails_the_span_that_waited() {
    let (error, spans) = capture_async(async {
        let pool = PoolOptions::<sqlx::Sqlite>::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_millis(100))
            .connect("sqlite::memory:")
            .await
            .expect("connect");
        let _held = pool.acquire().await.expect("acquire");
        sqlx::query("SELECT 1")
            .execute(&pool)
            .await
            .expect_err("no connection free")
    })
    .await;
    assert!(matches!(error, sqlx::Error::PoolTimedOut), "{error:?}");
    let query = spans.named("SELECT");
    assert!(matches!(query.status, Status::Error { .. }));
    query.assert_attr("error.type", "pool_timed_out");
    // The acquire's short wait and the query's timed-out one.
    let (count, waited) = waits(&spans);
    assert_eq!(count, 2);
    assert!(waited >= 0.09, "waited {waited} s");
    let timeouts = spans.metrics().named("db.client.connection.timeouts");
    assert_eq!(timeouts.points.len(), 1);
    assert_eq!(timeouts.points[0].sum, 1.0);
}

#[tokio::test]
async fn begin_with_names_its_span_by_the_statement() {
    let ((), spans) = capture_async(async {
        let pool = PgPool::connect(&database_url()).await.expect("connect");
        let mut tx = pool
            .begin_with("BEGIN ISOLATION LEVEL SERIALIZABLE")
            .await
            .expect("begin");
        let level: String = sqlx::query_scalar("SHOW transaction_isolation")
            .fetch_one(&mut *tx)
            .await
            .expect("show");
        assert_eq!(level, "serializable");
        tx.commit().await.expect("commit");
        // And on a connection of its own.
        let mut conn = pool.acquire().await.expect("acquire");
        assert!(!conn.is_in_transaction());
        let mut tx = conn
            .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ")
            .await
            .expect("begin");
        let level: String = sqlx::query_scalar("SHOW transaction_isolation")
            .fetch_one(&mut *tx)
            .await
            .expect("show");
        assert_eq!(level, "repeatable read");
        tx.rollback().await.expect("rollback");
    })
    .await;
    let begins: Vec<_> = spans
        .all_named("BEGIN")
        .into_iter()
        .filter_map(|span| span.str_attr("db.query.text"))
        .collect();
    assert_eq!(
        begins,
        [
            "BEGIN ISOLATION LEVEL SERIALIZABLE",
            "BEGIN ISOLATION LEVEL REPEATABLE READ"
        ]
    );
}

#[tokio::test]
async fn query_text_set_on_the_pool_options_applies_to_its_queries() {
    let ((), spans) = capture_async(async {
        let pool = PoolOptions::<sqlx::Sqlite>::new()
            .query_text(instrument_sqlx::QueryText::Off)
            .connect("sqlite::memory:")
            .await
            .expect("connect");
        sqlx::query("SELECT 'secret'")
            .execute(&pool)
            .await
            .expect("query");
    })
    .await;
    spans.named("SELECT").assert_no_attr("db.query.text");
}

#[tokio::test]
async fn migrations_run_through_sqlx_acquire_with_the_acquire_traced() {
    let (notes, spans) = capture_async(async {
        let pool = PoolOptions::<sqlx::Sqlite>::new()
            .max_connections(1) // one in-memory database, not one per connection
            .connect("sqlite::memory:")
            .await
            .expect("connect");
        sqlx::migrate!("tests/migrations")
            .run(&pool)
            .await
            .expect("migrate");
        let pool: &SqlitePool = &pool;
        sqlx::query_scalar::<_, String>("SELECT body FROM notes")
            .fetch_all(pool)
            .await
            .expect("notes")
    })
    .await;
    assert_eq!(notes, ["first"]);
    assert!(!spans.all_named("acquire").is_empty());
    spans.named("SELECT notes");
}

#[tokio::test]
async fn a_pool_connection_is_traced_through_mut_star_like_sqlxs() {
    let ((), spans) = capture_async(async {
        let pool = SqlitePool::connect("sqlite::memory:")
            .await
            .expect("connect");
        let mut connection = pool.acquire().await.expect("acquire");
        let two: i64 = sqlx::query_scalar("SELECT 2 AS two")
            .fetch_one(&mut *connection)
            .await
            .expect("query");
        assert_eq!(two, 2);
    })
    .await;
    spans
        .named("SELECT")
        .assert_attr("db.query.text", "SELECT ? AS two");
}

#[tokio::test]
async fn savepoints_nest_and_release_or_roll_back_with_their_own_spans() {
    let (names, spans) = capture_async(async {
        let pool = PoolOptions::<sqlx::Sqlite>::new()
            .max_connections(1)
            .connect("sqlite::memory:")
            .await
            .expect("connect");
        sqlx::query("CREATE TABLE kept (name TEXT)")
            .execute(&pool)
            .await
            .expect("create");
        let mut tx = pool.begin().await.expect("begin");
        sqlx::query("INSERT INTO kept VALUES ('outer')")
            .execute(&mut *tx)
            .await
            .expect("outer");
        let mut inner = tx.begin().await.expect("savepoint");
        sqlx::query("INSERT INTO kept VALUES ('rolled back')")
            .execute(&mut *inner)
            .await
            .expect("inner");
        inner.rollback().await.expect("rollback to");
        let mut kept = tx.begin().await.expect("savepoint");
        sqlx::query("INSERT INTO kept VALUES ('released')")
            .execute(&mut *kept)
            .await
            .expect("kept");
        kept.commit().await.expect("release");
        tx.commit().await.expect("commit");
        sqlx::query_scalar::<_, String>("SELECT name FROM kept ORDER BY name")
            .fetch_all(&pool)
            .await
            .expect("names")
    })
    .await;
    assert_eq!(names, ["outer", "released"]);
    assert_eq!(spans.all_named("SAVEPOINT").len(), 2);
    // Named by their summaries; the text says which statement it was.
    spans
        .named("ROLLBACK")
        .assert_attr("db.query.text", "ROLLBACK TO SAVEPOINT");
    spans
        .named("RELEASE")
        .assert_attr("db.query.text", "RELEASE SAVEPOINT");
    spans.named("COMMIT");
}

#[tokio::test]
async fn a_raw_sql_script_is_a_batch_and_begin_with_is_sanitized() {
    let ((), spans) = capture_async(async {
        let pool = PgPool::connect(&database_url()).await.expect("connect");
        sqlx::raw_sql("SELECT 1; SELECT 'two'")
            .execute(&pool)
            .await
            .expect("script");
        let tx = pool
            .begin_with("BEGIN; SET LOCAL application_name = 'secret-app'")
            .await
            .expect("begin");
        tx.rollback().await.expect("rollback");
    })
    .await;
    spans
        .named("BATCH SELECT")
        .assert_attr("db.operation.batch.size", 2)
        .assert_attr("db.query.text", "SELECT ?; SELECT ?");
    let begin = spans
        .iter()
        .find(|s| {
            s.str_attr("db.query.text")
                .is_some_and(|t| t.starts_with("BEGIN;"))
        })
        .expect("begin_with span");
    begin.assert_attr("db.query.text", "BEGIN; SET LOCAL application_name = ?");
}

/// Code generic over `sqlx::Acquire`, as sqlx's docs suggest writing it: a query on
/// the acquired connection, then a transaction of its own, rolled back.
async fn answer_through<'a, A>(db: A) -> i64
where
    A: sqlx::Acquire<'a, Database = sqlx::Sqlite>,
{
    let mut tx = db.begin().await.expect("begin");
    let answer = sqlx::query_scalar("SELECT 42")
        .fetch_one(&mut *tx)
        .await
        .expect("query");
    tx.rollback().await.expect("rollback");
    answer
}

#[tokio::test]
async fn transactions_and_connections_are_sqlx_acquire_with_their_begin_traced() {
    let (answers, spans) = capture_async(async {
        let pool = SqlitePool::connect("sqlite::memory:")
            .await
            .expect("connect");
        let mut answers = vec![answer_through(&pool).await];
        let mut connection = pool.acquire().await.expect("acquire");
        answers.push(answer_through(&mut connection).await);
        answers.push(answer_through(&mut *connection).await);
        let mut tx = connection.begin().await.expect("begin");
        answers.push(answer_through(&mut tx).await);
        answers.push(answer_through(&mut *tx).await);
        tx.commit().await.expect("commit");
        answers
    })
    .await;
    assert_eq!(answers, [42; 5]);
    // Through the pool and the two connection forms: BEGIN; the explicit begin on the
    // connection is a fourth. Through the transaction forms: SAVEPOINT.
    assert_eq!(spans.all_named("BEGIN").len(), 4);
    assert_eq!(spans.all_named("SAVEPOINT").len(), 2);
    for span in spans.all_named("SAVEPOINT") {
        span.assert_attr("db.system.name", "sqlite");
        assert_eq!(span.status, Status::Unset);
    }
}

#[tokio::test]
#[allow(clippy::needless_borrow)] // `(&mut *tx).begin()` as written in code generic over `Acquire`
async fn begin_through_mut_star_is_ours_even_with_sqlx_acquire_in_scope() {
    #[allow(unused_imports)] // what `sqlx::prelude::*` brings: must not take over `begin`
    use sqlx::Acquire as _;
    let ((), spans) = capture_async(async {
        let pool = SqlitePool::connect("sqlite::memory:")
            .await
            .expect("connect");
        let mut connection = pool.acquire().await.expect("acquire");
        let mut tx: instrument_sqlx::Transaction<'_, sqlx::Sqlite> =
            (&mut *connection).begin().await.expect("begin");
        let nested: instrument_sqlx::Transaction<'_, sqlx::Sqlite> =
            (&mut *tx).begin().await.expect("savepoint");
        nested.commit().await.expect("release");
        tx.commit().await.expect("commit");
    })
    .await;
    for name in ["BEGIN", "SAVEPOINT", "RELEASE", "COMMIT"] {
        spans.named(name);
    }
}

#[tokio::test]
async fn migrations_run_inside_a_transaction_roll_back_with_it() {
    let (seen, spans) = capture_async(async {
        let pool = PoolOptions::<sqlx::Sqlite>::new()
            .max_connections(1)
            .connect("sqlite::memory:")
            .await
            .expect("connect");
        let mut tx = pool.begin().await.expect("begin");
        sqlx::migrate!("tests/migrations")
            .run(&mut *tx)
            .await
            .expect("migrate");
        let inside: Vec<String> = sqlx::query_scalar("SELECT body FROM notes")
            .fetch_all(&mut *tx)
            .await
            .expect("notes");
        tx.rollback().await.expect("rollback");
        let after = sqlx::query("SELECT body FROM notes").fetch_all(&pool).await;
        (inside, after.is_err())
    })
    .await;
    assert_eq!(seen, (vec!["first".to_owned()], true));
    // The migrator works on sqlx's connection (what `Acquire` must give): its own
    // statements are not traced; ours around it are.
    spans.named("BEGIN");
    spans.named("SELECT notes");
    spans.named("ROLLBACK");
}
