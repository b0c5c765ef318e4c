//! Queries through a traced pool are CLIENT spans; the caller's results are sqlx's own.

use futures_util::StreamExt as _;
use instrument_core::testing::{SpanKind, Status, capture_async};
use instrument_sqlx::{PgPool, SqlitePool};

fn database_url() -> String {
    std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// A table name no other test uses.
fn table(name: &str) -> String {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    format!(
        "it_{}_{}_{name}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

#[tokio::test]
async fn a_parameterized_postgres_query_is_named_by_its_summary_and_recorded_as_written() {
    let ((), spans) = capture_async(async {
        let pool = PgPool::connect(&database_url()).await.expect("connect");
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM pg_class WHERE relname = $1")
            .bind("no-such-relation")
            .fetch_one(&pool)
            .await
            .expect("query");
        assert_eq!(n, 0);
    })
    .await;
    let span = spans.named("SELECT pg_class");
    assert_eq!(span.kind, SpanKind::Client);
    assert_eq!(span.status, Status::Unset);
    span.assert_attr("db.system.name", "postgresql")
        .assert_attr("db.namespace", "test")
        .assert_attr(
            "db.query.text",
            "SELECT count(*) FROM pg_class WHERE relname = $1",
        )
        .assert_attr("server.address", "127.0.0.1")
        .assert_no_attr("server.port")
        .assert_attr("db.response.returned_rows", 1);
}

#[tokio::test]
async fn a_query_without_bind_arguments_is_sanitized() {
    let ((), spans) = capture_async(async {
        let pool = SqlitePool::connect("sqlite::memory:")
            .await
            .expect("connect");
        let name: String = sqlx::query_scalar("SELECT 'alice' AS name WHERE 1 = 1")
            .fetch_one(&pool)
            .await
            .expect("query");
        assert_eq!(name, "alice");
    })
    .await;
    let span = spans.named("SELECT");
    span.assert_attr("db.system.name", "sqlite")
        .assert_attr("db.query.text", "SELECT ? AS name WHERE ? = ?")
        .assert_no_attr("server.address");
}

#[tokio::test]
async fn a_unique_violation_records_its_sqlstate_and_the_caller_gets_sqlxs_error() {
    let table = table("users");
    let (error, spans) = capture_async(async {
        let pool = PgPool::connect(&database_url()).await.expect("connect");
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "CREATE TABLE {table} (id int PRIMARY KEY)"
        )))
        .execute(&pool)
        .await
        .expect("create");
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO {table} (id) VALUES ($1)"
        )))
        .bind(1)
        .execute(&pool)
        .await
        .expect("insert");
        let error = sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO {table} (id) VALUES ($1)"
        )))
        .bind(1)
        .execute(&pool)
        .await
        .expect_err("duplicate");
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP TABLE {table}")))
            .execute(&pool)
            .await
            .expect("drop");
        error
    })
    .await;
    let code = error
        .as_database_error()
        .and_then(|e| e.code())
        .map(|c| c.into_owned());
    assert_eq!(code.as_deref(), Some("23505"));
    let inserts = spans.all_named(&format!("INSERT {table}"));
    assert_eq!(inserts.len(), 2);
    assert!(!inserts[0].is_error());
    assert!(inserts[1].is_error());
    inserts[1]
        .assert_attr("db.response.status_code", "23505")
        .assert_attr("error.type", "23505");
    assert!(inserts[1].event("exception").is_some());
}

#[tokio::test]
async fn a_stream_read_partly_then_dropped_records_the_rows_read() {
    let ((), spans) = capture_async(async {
        let pool = PgPool::connect(&database_url()).await.expect("connect");
        let mut rows = sqlx::query("SELECT generate_series(1, 1000) AS n").fetch(&pool);
        let first = rows.next().await.expect("a row").expect("ok");
        drop(first);
        drop(rows);
        // A query after the drop is not inside the dropped stream's span.
        sqlx::query("SELECT 2").execute(&pool).await.expect("query");
    })
    .await;
    let stream = spans.named("SELECT");
    stream.assert_attr("db.response.returned_rows", 1);
    let after = spans.all_named("SELECT");
    assert_eq!(after.len(), 2);
    assert!(!after[1].is_child_of(stream));
}

#[tokio::test]
async fn fetch_one_finding_no_row_records_zero_rows_and_no_error() {
    let (result, spans) = capture_async(async {
        let pool = SqlitePool::connect("sqlite::memory:")
            .await
            .expect("connect");
        sqlx::query("SELECT 1 WHERE 1 = 0")
            .fetch_one(&pool)
            .await
            .map(|_| ())
    })
    .await;
    assert!(
        matches!(result, Err(sqlx::Error::RowNotFound)),
        "the caller gets RowNotFound"
    );
    let span = spans.named("SELECT");
    assert!(!span.is_error());
    span.assert_attr("db.response.returned_rows", 0);
}

#[tokio::test]
async fn a_syntax_error_and_a_missing_table_record_their_sqlstates() {
    let ((), spans) = capture_async(async {
        let pool = PgPool::connect(&database_url()).await.expect("connect");
        assert!(sqlx::query("SELEC 1").execute(&pool).await.is_err());
        assert!(
            sqlx::query("SELECT * FROM no_such_table_anywhere")
                .execute(&pool)
                .await
                .is_err()
        );
    })
    .await;
    let codes: Vec<_> = spans
        .iter()
        .map(|span| span.str_attr("db.response.status_code").map(str::to_owned))
        .collect();
    assert_eq!(
        codes,
        vec![Some("42601".to_owned()), Some("42P01".to_owned())]
    );
}

async fn count(pool: &PgPool, table: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT count(*) FROM {table}")))
        .fetch_one(pool)
        .await
        .expect("count")
}

#[tokio::test]
async fn transactions_commit_roll_back_and_drop_like_sqlxs_with_their_own_spans() {
    let table = table("tx");
    let (counts, spans) = capture_async(async {
        let pool = PgPool::connect(&database_url()).await.expect("connect");
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "CREATE TABLE {table} (id int)"
        )))
        .execute(&pool)
        .await
        .expect("create");
        let insert = format!("INSERT INTO {table} (id) VALUES ($1)");

        let mut tx = pool.begin().await.expect("begin");
        sqlx::query(sqlx::AssertSqlSafe(insert.clone()))
            .bind(1)
            .execute(&mut *tx)
            .await
            .expect("insert");
        tx.commit().await.expect("commit");
        let after_commit = count(&pool, &table).await;

        let mut tx = pool.begin().await.expect("begin");
        sqlx::query(sqlx::AssertSqlSafe(insert.clone()))
            .bind(2)
            .execute(&mut *tx)
            .await
            .expect("insert");
        tx.rollback().await.expect("rollback");
        let after_rollback = count(&pool, &table).await;

        {
            let mut tx = pool.begin().await.expect("begin");
            sqlx::query(sqlx::AssertSqlSafe(insert))
                .bind(3)
                .execute(&mut *tx)
                .await
                .expect("insert");
            // dropped without commit
        }
        let after_drop = count(&pool, &table).await;
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP TABLE {table}")))
            .execute(&pool)
            .await
            .expect("drop");
        (after_commit, after_rollback, after_drop)
    })
    .await;
    assert_eq!(
        counts,
        (1, 1, 1),
        "commit kept one row; rollback and drop kept none"
    );
    assert_eq!(spans.all_named("BEGIN").len(), 3);
    assert_eq!(spans.all_named(&format!("INSERT {table}")).len(), 3);
    let commit = spans.named("COMMIT");
    commit
        .assert_attr("db.system.name", "postgresql")
        .assert_attr("db.query.text", "COMMIT");
    assert!(!commit.is_error());
    assert_eq!(
        spans.all_named("ROLLBACK").len(),
        1,
        "a dropped transaction is rolled back by sqlx, untraced"
    );
}

#[tokio::test]
async fn a_failing_statement_inside_a_transaction_is_recorded_and_the_transaction_still_rolls_back()
{
    let (result, spans) = capture_async(async {
        let pool = SqlitePool::connect("sqlite::memory:")
            .await
            .expect("connect");
        let mut tx = pool.begin().await.expect("begin");
        let failed = sqlx::query("SELECT * FROM nowhere")
            .execute(&mut *tx)
            .await
            .is_err();
        tx.rollback().await.expect("rollback");
        failed
    })
    .await;
    assert!(result);
    let select = spans.named("SELECT nowhere");
    assert!(select.is_error());
    select.assert_attr("db.system.name", "sqlite");
    assert!(select.str_attr("db.response.status_code").is_some());
    assert!(!spans.named("ROLLBACK").is_error());
}

#[tokio::test]
async fn a_sqlite_constraint_failure_records_its_result_code() {
    let (error, spans) = capture_async(async {
        let pool = instrument_sqlx::PoolOptions::<sqlx::Sqlite>::new()
            .max_connections(1)
            .connect("sqlite::memory:")
            .await
            .expect("connect");
        sqlx::query("CREATE TABLE tags (name TEXT PRIMARY KEY)")
            .execute(&pool)
            .await
            .expect("create");
        sqlx::query("INSERT INTO tags (name) VALUES ($1)")
            .bind("rust")
            .execute(&pool)
            .await
            .expect("first");
        sqlx::query("INSERT INTO tags (name) VALUES ($1)")
            .bind("rust")
            .execute(&pool)
            .await
            .expect_err("duplicate")
    })
    .await;
    // SQLITE_CONSTRAINT_PRIMARYKEY, the extended result code.
    let code = error.as_database_error().and_then(|e| e.code());
    assert_eq!(code.as_deref(), Some("1555"), "{error:?}");
    let failed = spans
        .all_named("INSERT tags")
        .into_iter()
        .find(|s| s.str_attr("error.type").is_some())
        .expect("the failed insert");
    failed
        .assert_attr("db.response.status_code", "1555")
        .assert_attr("error.type", "1555");
}

#[tokio::test]
async fn query_builder_statements_run_on_the_pool_and_are_spans() {
    let table = table("builder");
    let (names, spans) = capture_async(async {
        let pool = PgPool::connect(&database_url()).await.expect("connect");
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "CREATE TABLE {table} (id int, name text)"
        )))
        .execute(&pool)
        .await
        .expect("create");
        let mut insert =
            sqlx::QueryBuilder::<sqlx::Postgres>::new(format!("INSERT INTO {table} (id, name) "));
        insert.push_values([(1, "ann"), (2, "bo")], |mut row, (id, name)| {
            row.push_bind(id).push_bind(name);
        });
        insert.build().execute(&pool).await.expect("insert");
        let mut select = sqlx::QueryBuilder::<sqlx::Postgres>::new(format!(
            "SELECT name FROM {table} WHERE id > "
        ));
        select.push_bind(0).push(" ORDER BY id");
        let names: Vec<String> = select
            .build_query_scalar()
            .fetch_all(&pool)
            .await
            .expect("select");
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP TABLE {table}")))
            .execute(&pool)
            .await
            .expect("drop");
        names
    })
    .await;
    assert_eq!(names, ["ann", "bo"]);
    spans
        .named(&format!("INSERT {table}"))
        .assert_attr(
            "db.query.text",
            format!("INSERT INTO {table} (id, name) VALUES ($1, $2), ($3, $4)").as_str(),
        )
        .assert_attr("db.response.returned_rows", 0)
        .assert_attr("db.response.affected_rows", 2);
    spans
        .named(&format!("SELECT {table}"))
        .assert_no_attr("db.response.affected_rows")
        .assert_attr("db.response.returned_rows", 2);
}

#[tokio::test]
async fn sqlxs_own_statement_log_does_not_carry_literals_into_the_span() {
    let ((), spans) = capture_async(async {
        let pool = PgPool::connect(&database_url()).await.expect("connect");
        // sqlx logs each statement as written (a DEBUG `sqlx::query` event), inside our
        // span (PostgreSQL's run in the caller's task; SQLite's on its worker thread).
        sqlx::query("SELECT 'card-4111-1111' AS secret")
            .execute(&pool)
            .await
            .expect("query");
    })
    .await;
    let span = spans.named("SELECT");
    span.assert_attr("db.query.text", "SELECT ? AS secret");
    assert!(
        span.events.is_empty(),
        "sqlx's log line became a span event: {:?}",
        span.events
    );
}

#[tokio::test]
async fn try_begin_and_a_spawned_acquire_work_as_sqlxs() {
    let ((), spans) = capture_async(async {
        let pool: PgPool = instrument_sqlx::PoolOptions::<sqlx::Postgres>::new()
            .max_connections(1)
            .connect(&database_url())
            .await
            .expect("connect");
        // The acquire's future borrows nothing: it can be spawned, as sqlx's.
        let held = tokio::spawn(pool.acquire())
            .await
            .expect("task")
            .expect("acquire");
        assert!(
            pool.try_begin().await.expect("try_begin").is_none(),
            "none idle"
        );
        drop(held);
        let mut tx = loop {
            if let Some(tx) = pool
                .try_begin_with("BEGIN ISOLATION LEVEL SERIALIZABLE")
                .await
                .expect("try_begin_with")
            {
                break tx;
            }
            tokio::task::yield_now().await;
        };
        let one: i32 = sqlx::query_scalar("SELECT 1")
            .fetch_one(&mut *tx)
            .await
            .expect("query");
        assert_eq!(one, 1);
        tx.commit().await.expect("commit");
        pool.set_connect_options(pool.connect_options().as_ref().clone());
    })
    .await;
    assert_eq!(spans.all_named("BEGIN").len(), 1, "{spans:?}");
    spans
        .named("BEGIN")
        .assert_attr("db.query.text", "BEGIN ISOLATION LEVEL SERIALIZABLE");
    spans.named("COMMIT");
}
