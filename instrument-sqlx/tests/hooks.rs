//! The database hooks (instrument_core::hooks) on a pool, its transactions and its
//! options: a skip filter, a span-name formatter, and attributes from a task-local.

use instrument_core::CallSpan;
use instrument_core::hooks::{DbCallInfo, DbHooks};
use instrument_core::testing::capture_async;
use instrument_sqlx::{PgPool, PoolOptions};

tokio::task_local! {
    static TENANT: &'static str;
}

fn database_url() -> String {
    std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

fn hooks() -> DbHooks {
    DbHooks::new()
        .skip_tracing_if(|call: &DbCallInfo<'_>| call.query() == Some("SELECT 1"))
        .span_name(|call: &DbCallInfo<'_>| {
            (call.default_name() == "SELECT pg_class").then(|| "catalog lookup".to_owned())
        })
        .on_start(|call: &DbCallInfo<'_>, span: &CallSpan| {
            let _ = TENANT.try_with(|tenant| span.set_dynamic_attribute("tenant.id", *tenant));
            span.set_dynamic_attribute("app.wrapper", call.library().name());
        })
}

#[tokio::test]
async fn a_pools_hooks_skip_name_and_add_attributes_to_its_queries() {
    let ((), spans) = capture_async(TENANT.scope("acme", async {
        let pool = PgPool::connect(&database_url())
            .await
            .expect("connect")
            .hooks(hooks());
        let one: i32 = sqlx::query_scalar("SELECT 1")
            .fetch_one(&pool)
            .await
            .expect("probe");
        assert_eq!(one, 1, "a skipped query still runs");
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM pg_class WHERE relname = $1")
            .bind("no-such-relation")
            .fetch_one(&pool)
            .await
            .expect("query");
        assert_eq!(n, 0);
        let mut tx = pool.begin().await.expect("begin");
        sqlx::query("SELECT 2")
            .execute(&mut *tx)
            .await
            .expect("in tx");
        tx.commit().await.expect("commit");
    }))
    .await;
    assert!(
        spans
            .iter()
            .all(|span| span.str_attr("db.query.text") != Some("SELECT 1")),
        "the probe is skipped: {:?}",
        spans.names()
    );
    for name in ["catalog lookup", "BEGIN", "SELECT", "COMMIT"] {
        spans
            .named(name)
            .assert_attr("tenant.id", "acme")
            .assert_attr("app.wrapper", "sqlx");
    }
    spans
        .named("catalog lookup")
        .assert_attr("db.query.summary", "SELECT pg_class");
}

#[tokio::test]
async fn pool_options_take_the_hooks_too() {
    let ((), spans) = capture_async(async {
        let pool: PgPool = PoolOptions::new()
            .max_connections(1)
            .hooks(hooks())
            .connect(&database_url())
            .await
            .expect("connect");
        sqlx::query("SELECT 1").execute(&pool).await.expect("probe");
        sqlx::query("SELECT 3").execute(&pool).await.expect("query");
    })
    .await;
    assert_eq!(spans.all_named("SELECT").len(), 1, "{:?}", spans.names());
}
