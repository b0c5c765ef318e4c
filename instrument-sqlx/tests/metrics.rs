//! Every query through a traced pool records `db.client.operation.duration`, failures
//! and unsampled queries included; switched off, none.

use instrument_core::testing::{capture_async, unsampled};
use instrument_sqlx::PgPool;

fn database_url() -> String {
    std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

#[tokio::test]
async fn every_query_records_its_duration_sampled_or_not() {
    let ((), spans) = capture_async(async {
        let pool = PgPool::connect(&database_url()).await.expect("connect");
        let one: i32 = sqlx::query_scalar("SELECT 1")
            .fetch_one(&pool)
            .await
            .expect("query");
        assert_eq!(one, 1);
        sqlx::query("SELECT * FROM no_such_table_for_metrics")
            .execute(&pool)
            .await
            .expect_err("no such table");
        unsampled(async {
            sqlx::query_scalar::<_, i32>("SELECT 1")
                .fetch_one(&pool)
                .await
                .expect("query");
        })
        .await;
    })
    .await;
    assert_eq!(
        spans.all_named("SELECT").len(),
        1,
        "the unsampled query exports no span"
    );
    let duration = spans.metrics().named("db.client.operation.duration");
    assert_eq!(duration.unit, "s");
    assert_eq!(duration.scope, "instrument-sqlx");
    let ok = duration.point(&[("db.query.summary", &"SELECT")]);
    assert_eq!(ok.count, 2, "sampled and unsampled alike");
    assert_eq!(
        ok.keys(),
        [
            "db.namespace",
            "db.query.summary",
            "db.system.name",
            "server.address"
        ]
    );
    assert_eq!(ok.str_attr("db.system.name"), Some("postgresql"));
    let failed = duration.point(&[("db.query.summary", &"SELECT no_such_table_for_metrics")]);
    assert_eq!(failed.count, 1);
    assert_eq!(failed.str_attr("error.type"), Some("42P01"));
    assert_eq!(failed.str_attr("db.response.status_code"), Some("42P01"));
}

#[tokio::test]
async fn a_pool_reports_its_connections_by_state_and_its_maximum() {
    // The pool and a connection held are the capture's output: they still live when the
    // capture collects the metrics.
    let ((pool, held), spans) = capture_async(async {
        let pool = instrument_sqlx::PoolOptions::<sqlx::Postgres>::new()
            .max_connections(3)
            .connect(&database_url())
            .await
            .expect("connect");
        let held = pool.acquire().await.expect("acquire");
        (pool, held)
    })
    .await;
    let metrics = spans.metrics();
    assert_eq!(
        metrics.named("db.client.connection.count").unit,
        "{connection}"
    );
    let open = u64::from(pool.size());
    assert_eq!(
        metrics.pool("127.0.0.1/test"),
        instrument_core::pool::PoolConnections {
            idle: open - 1,
            used: 1,
            max: 3
        },
        "the connection held is used"
    );
    drop((held, pool));
}
