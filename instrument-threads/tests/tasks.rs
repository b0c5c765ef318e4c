//! Tokio tasks run in the spawner's span: 10,000 tasks from 100 parents each land under
//! their own parent.

use std::collections::HashMap;

use instrument_core::testing::capture_async;
use instrument_threads::tokio::{JoinSet, spawn, spawn_blocking, spawn_in_span};
use tracing::Instrument as _;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn spawned_tasks_and_blocking_closures_keep_their_parent() {
    let ((), spans) = capture_async(async {
        async {
            spawn(async { tracing::info_span!("task").in_scope(|| {}) })
                .await
                .expect("task");
            spawn_blocking(|| tracing::info_span!("blocking").in_scope(|| {}))
                .await
                .expect("blocking");
            spawn_in_span("own", async {
                tracing::info_span!("inner").in_scope(|| {})
            })
            .await
            .expect("own");
        }
        .instrument(tracing::info_span!("parent"))
        .await
    })
    .await;
    let parent = spans.named("parent");
    assert!(spans.named("task").is_child_of(parent));
    assert!(spans.named("blocking").is_child_of(parent));
    let own = spans.named("own");
    assert!(own.is_child_of(parent));
    assert!(spans.named("inner").is_child_of(own));
}

const PARENTS: i64 = 100;
const TASKS_EACH: i64 = 100;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ten_thousand_tasks_from_a_hundred_parents_each_under_their_own() {
    let ((), spans) = capture_async(async {
        let mut set = JoinSet::new();
        for parent in 0..PARENTS {
            let _parent = tracing::info_span!("parent", parent.id = parent).entered();
            for task in 0..TASKS_EACH {
                set.spawn(async move {
                    tokio::task::yield_now().await;
                    tracing::info_span!("task", parent.id = parent, task.id = task).in_scope(|| {});
                });
            }
        }
        assert_eq!(set.len(), (PARENTS * TASKS_EACH) as usize);
        set.join_all().await;
    })
    .await;
    let parents: HashMap<_, _> = spans
        .all_named("parent")
        .into_iter()
        .map(|s| (s.span_id, s.i64_attr("parent.id").expect("id")))
        .collect();
    let tasks = spans.all_named("task");
    assert_eq!(tasks.len(), (PARENTS * TASKS_EACH) as usize);
    for task in tasks {
        let parent = task
            .parent_span_id
            .and_then(|id| parents.get(&id))
            .expect("a parent");
        assert_eq!(Some(*parent), task.i64_attr("parent.id"));
    }
}
