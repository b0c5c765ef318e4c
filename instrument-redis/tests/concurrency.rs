//! 1,000 tasks sharing one multiplexed connection, each under its own parent span: every
//! command span is the child of its own task's span.

mod support;

use instrument_core::testing::capture_async;
use redis::AsyncCommands as _;
use support::{client, unique};
use tracing::Instrument as _;
use tracing::instrument::WithSubscriber as _;

const TASKS: usize = 1000;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_thousand_tasks_on_one_connection_each_get_their_own_parent() {
    let prefix = unique("task");
    let (results, spans) = capture_async(async {
        let con = client()
            .get_multiplexed_async_connection()
            .await
            .expect("connect");
        let handles: Vec<_> = (0..TASKS)
            .map(|i| {
                let mut con = con.clone();
                let key = format!("{prefix}:{i}");
                let parent = tracing::info_span!("task", task.id = i as i64);
                // Spawned tasks carry the test's capturing subscriber along explicitly.
                tokio::spawn(
                    async move {
                        let _: () = con.set(&key, i).await?;
                        con.get::<_, usize>(&key).await
                    }
                    .instrument(parent)
                    .with_current_subscriber(),
                )
            })
            .collect();
        let mut results = Vec::with_capacity(TASKS);
        for handle in handles {
            results.push(handle.await.expect("join").expect("reply"));
        }
        results
    })
    .await;
    assert_eq!(results, (0..TASKS).collect::<Vec<_>>());

    let tasks: std::collections::HashMap<_, _> = spans
        .all_named("task")
        .into_iter()
        .map(|span| (span.span_id, span.i64_attr("task.id").expect("task.id")))
        .collect();
    assert_eq!(tasks.len(), TASKS);
    let commands: Vec<_> = spans
        .iter()
        .filter(|s| s.name == "SET" || s.name == "GET")
        .collect();
    assert_eq!(commands.len(), 2 * TASKS);
    for command in commands {
        let parent = command
            .parent_span_id
            .and_then(|id| tasks.get(&id))
            .expect("a task parent");
        let text = command.str_attr("db.query.text").expect("text");
        let key_index = text
            .split(' ')
            .nth(1)
            .and_then(|key| key.rsplit(':').next())
            .expect("key");
        assert_eq!(
            key_index,
            parent.to_string(),
            "{} under task {parent}",
            text
        );
    }
}
