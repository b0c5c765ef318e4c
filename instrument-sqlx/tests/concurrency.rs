//! 1,000 tasks on one pool of 8 connections, each under its own parent span: every query
//! span is the child of its own task's span, and records how long it waited for a
//! connection.

use std::collections::HashMap;

use instrument_core::testing::capture_async;
use instrument_sqlx::PoolOptions;
use tracing::Instrument as _;
use tracing::instrument::WithSubscriber as _;

const TASKS: i64 = 1000;

fn database_url() -> String {
    std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_thousand_tasks_on_one_pool_each_get_their_own_parent_and_a_wait_time() {
    let (results, spans) = capture_async(async {
        let pool = PoolOptions::<sqlx::Postgres>::new()
            .max_connections(8)
            .connect(&database_url())
            .await
            .expect("connect");
        let handles: Vec<_> = (0..TASKS)
            .map(|i| {
                let pool = pool.clone();
                let parent = tracing::info_span!("task", task.id = i);
                // The alias, an identifier, keeps each task's text apart in its span.
                let sql = format!("SELECT $1::int8 AS task_{i}");
                tokio::spawn(
                    async move {
                        sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql))
                            .bind(i)
                            .fetch_one(&pool)
                            .await
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
        let text = query.str_attr("db.query.text").expect("text");
        assert_eq!(text, format!("SELECT $1::int8 AS task_{task}"));
    }
    let waits = spans
        .metrics()
        .named("db.client.connection.wait_time")
        .points
        .clone();
    assert_eq!(waits.len(), 1, "one pool");
    assert_eq!(waits[0].count, TASKS as u64, "every query's wait");
    let waited = waits[0].count_above(0.001);
    // Eight connections for a thousand tasks: most of them queued for a while.
    assert!(waited > 100, "only {waited} queries waited over 1 ms");
}
