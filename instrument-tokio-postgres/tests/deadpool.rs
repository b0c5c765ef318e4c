//! deadpool-postgres: pooled clients are traced, the wait for one is an `acquire` span,
//! and 1,000 tasks on one pool each keep their own parent.

mod support;

use std::collections::HashMap;

use instrument_core::testing::{SpanKind, capture_async};
use instrument_tokio_postgres::deadpool::{Pool, Runtime};
use support::database_url;
use tracing::Instrument as _;
use tracing::instrument::WithSubscriber as _;

fn pool(max_size: usize) -> Pool {
    let mut config = deadpool_postgres::Config::new();
    config.url = Some(database_url());
    config.pool = Some(deadpool_postgres::PoolConfig::new(max_size));
    Pool::from_config(&config, Some(Runtime::Tokio1), tokio_postgres::NoTls).expect("pool")
}

#[tokio::test]
async fn a_pooled_client_is_traced_and_its_wait_is_an_acquire_span() {
    let ((), spans) = capture_async(async {
        let pool = pool(2);
        let mut client = pool.get().await.expect("get");
        let row = client.query_one("SELECT 40 + 2", &[]).await.expect("query");
        assert_eq!(row.get::<_, i32>(0), 42);
        let tx = client.transaction().await.expect("begin");
        tx.commit().await.expect("commit");
        assert!(client.pool_object().is_some());
    })
    .await;
    let acquire = spans.named("acquire");
    assert_eq!(acquire.kind, SpanKind::Internal);
    acquire
        .assert_attr("db.system.name", "postgresql")
        .assert_attr("db.namespace", "test");
    assert_eq!(
        spans
            .metrics()
            .named("db.client.connection.wait_time")
            .total_count(),
        1
    );
    spans
        .named("SELECT")
        .assert_attr("db.query.text", "SELECT ? + ?");
    spans.named("START TRANSACTION");
    spans.named("COMMIT");
}

#[tokio::test]
async fn a_statement_from_the_connections_cache_names_its_queries() {
    let ((), spans) = capture_async(async {
        let pool = pool(1);
        let client = pool.get().await.expect("get");
        for _ in 0..2 {
            let statement = client
                .prepare_cached("SELECT $1::int + 1")
                .await
                .expect("prepare");
            let row = client
                .query_one(&statement, &[&41_i32])
                .await
                .expect("query");
            assert_eq!(row.get::<_, i32>(0), 42);
        }
        let typed = client
            .prepare_typed_cached("SELECT $1 + 1", &[tokio_postgres::types::Type::INT4])
            .await
            .expect("prepare");
        assert_eq!(typed.sql(), "SELECT $1 + 1");
        // Both from the pool object's own cache.
        let object = client.pool_object().expect("pooled");
        assert_eq!(object.statement_cache.size(), 2);
    })
    .await;
    let queries = spans.all_named("SELECT");
    assert_eq!(queries.len(), 2, "{spans:?}");
    for query in queries {
        query.assert_attr("db.query.text", "SELECT $1::int + 1");
    }
}

#[tokio::test]
async fn a_pools_hooks_reach_the_clients_it_hands_out() {
    use instrument_core::hooks::{DbCallInfo, DbHooks};

    let ((), spans) = capture_async(async {
        let pool = pool(1).hooks(
            DbHooks::new()
                .skip_tracing_if(|call: &DbCallInfo<'_>| call.query() == Some("SELECT 1"))
                .span_name(|call: &DbCallInfo<'_>| Some(format!("pooled {}", call.default_name()))),
        );
        let client = pool.get().await.expect("get");
        client.execute("SELECT 1", &[]).await.expect("probe");
        client.execute("SELECT 2", &[]).await.expect("query");
    })
    .await;
    assert_eq!(spans.names(), ["acquire", "pooled SELECT"]);
}

const TASKS: i64 = 1000;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_thousand_tasks_on_one_pool_each_get_their_own_parent() {
    let (results, spans) = capture_async(async {
        let pool = pool(8);
        let handles: Vec<_> = (0..TASKS)
            .map(|i| {
                let pool = pool.clone();
                let parent = tracing::info_span!("task", task.id = i);
                // The alias, an identifier, keeps each task's text apart in its span.
                let sql = format!("SELECT $1::int8 AS task_{i}");
                tokio::spawn(
                    async move {
                        let client = pool.get().await.expect("get");
                        client
                            .query_one(&sql, &[&i])
                            .await
                            .map(|row| row.get::<_, i64>(0))
                    }
                    .instrument(parent)
                    .with_current_subscriber(),
                )
            })
            .collect();
        let mut results = Vec::new();
        for handle in handles {
            results.push(handle.await.expect("join").expect("query"));
        }
        results
    })
    .await;
    assert_eq!(results, (0..TASKS).collect::<Vec<_>>());

    let tasks: HashMap<_, _> = spans
        .all_named("task")
        .into_iter()
        .map(|span| (span.span_id, span.i64_attr("task.id").expect("task.id")))
        .collect();
    assert_eq!(tasks.len(), TASKS as usize);
    let queries = spans.all_named("SELECT");
    assert_eq!(queries.len(), TASKS as usize);
    for query in queries {
        let task = query
            .parent_span_id
            .and_then(|id| tasks.get(&id))
            .expect("a task parent");
        assert_eq!(
            query.str_attr("db.query.text"),
            Some(format!("SELECT $1::int8 AS task_{task}").as_str())
        );
    }
    let acquires = spans.all_named("acquire");
    assert_eq!(acquires.len(), TASKS as usize);
    assert!(
        acquires
            .iter()
            .all(|a| a.parent_span_id.is_some_and(|id| tasks.contains_key(&id)))
    );
    let wait = spans.metrics().named("db.client.connection.wait_time");
    assert_eq!(wait.total_count(), TASKS as u64, "every acquire's wait");
    let waited: u64 = wait
        .points
        .iter()
        .map(|point| point.count_above(0.001))
        .sum();
    // Eight connections for a thousand tasks: many queued for a while.
    assert!(waited > 100, "only {waited} waited over 1 ms");
}

#[tokio::test]
async fn a_pool_reports_its_connections_by_state_its_maximum_and_its_timeouts() {
    // The pool and a client held are the capture's output: they still live when the
    // capture collects the metrics.
    let ((pool, held), spans) = capture_async(async {
        let mut config = deadpool_postgres::Config::new();
        config.url = Some(database_url());
        let mut pool_config = deadpool_postgres::PoolConfig::new(1);
        pool_config.timeouts.wait = Some(std::time::Duration::from_millis(50));
        config.pool = Some(pool_config);
        let pool =
            Pool::from_config(&config, Some(Runtime::Tokio1), tokio_postgres::NoTls).expect("pool");
        let held = pool.get().await.expect("get");
        pool.get()
            .await
            .map(drop)
            .expect_err("the only client is held");
        (pool, held)
    })
    .await;
    let metrics = spans.metrics();
    let name = "127.0.0.1/test";
    assert_eq!(
        metrics.named("db.client.connection.count").unit,
        "{connection}"
    );
    assert_eq!(
        metrics.pool(name),
        instrument_core::pool::PoolConnections {
            idle: 0,
            used: 1,
            max: 1
        }
    );
    let timeouts = metrics.named("db.client.connection.timeouts");
    assert_eq!(timeouts.unit, "{timeout}");
    assert_eq!(
        timeouts
            .point(&[("db.client.connection.pool.name", &name)])
            .sum,
        1.0
    );
    drop((held, pool));
}
