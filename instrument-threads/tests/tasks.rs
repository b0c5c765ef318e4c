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

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_task_spawned_inside_a_work_span_is_its_child() {
    let ((), spans) = capture_async(async {
        async {
            spawn_in_span("own", async {
                spawn(async { tracing::info_span!("nested").in_scope(|| {}) })
                    .await
                    .expect("nested");
            })
            .await
            .expect("own");
        }
        .instrument(tracing::info_span!("parent"))
        .await
    })
    .await;
    assert!(spans.named("own").is_child_of(spans.named("parent")));
    assert!(spans.named("nested").is_child_of(spans.named("own")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_outliving_its_spawners_span_lets_every_span_close() {
    let (done, spans) = capture_async(async {
        let (go, wait) = tokio::sync::oneshot::channel::<()>();
        let task = tracing::info_span!("outer").in_scope(|| {
            tracing::info_span!("request")
                .in_scope(|| spawn(async move { wait.await.expect("go") }))
        });
        // The task, dropped on a worker thread, holds the last handle to `request`.
        go.send(()).expect("send");
        task.await.expect("task");
        // Let the worker drop the finished task.
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        std::time::SystemTime::now()
    })
    .await;
    let outer = spans.named("outer");
    assert!(spans.named("request").is_child_of(outer));
    // A span left open would only end when the capture's subscriber is dropped.
    assert!(
        outer.end_time <= done,
        "`outer` closed when the task let go"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_detached_task_links_to_its_spawner_and_does_not_hold_it_open() {
    let ((), spans) = capture_async(async {
        let (go, wait) = tokio::sync::oneshot::channel::<()>();
        let detached = tracing::info_span!("order").in_scope(|| {
            instrument_threads::tokio::spawn_detached("send sms", async move {
                wait.await.expect("order answered");
                tracing::info_span!("sms").in_scope(|| {});
            })
        });
        go.send(()).expect("send");
        detached.await.expect("detached");
    })
    .await;
    let order = spans.named("order");
    let detached = spans.named("send sms");
    assert_eq!(detached.parent_span_id, None);
    assert_ne!(detached.trace_id, order.trace_id);
    assert!(detached.links_to(order));
    assert!(spans.named("sms").is_child_of(detached));
    assert!(order.end_time <= spans.named("sms").start_time);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_way_into_a_join_set_keeps_the_parent() {
    let (results, spans) = capture_async(async {
        async {
            let mut set: JoinSet<&str> = ["a", "b"]
                .into_iter()
                .map(|name| async move { tracing::info_span!("collected").in_scope(|| name) })
                .collect();
            set.spawn_blocking(|| tracing::info_span!("blocking").in_scope(|| "c"));
            set.spawn_on(
                async { tracing::info_span!("on").in_scope(|| "d") },
                &tokio::runtime::Handle::current(),
            );
            let local = tokio::task::LocalSet::new();
            set.spawn_local_on(
                async { tracing::info_span!("local").in_scope(|| "e") },
                &local,
            );
            local.await;
            let mut results = Vec::new();
            while let Some(joined) = set.join_next().await {
                results.push(joined.expect("task"));
            }
            results.sort_unstable();
            results
        }
        .instrument(tracing::info_span!("parent"))
        .await
    })
    .await;
    assert_eq!(results, ["a", "b", "c", "d", "e"]);
    let parent = spans.named("parent");
    assert_eq!(spans.all_named("collected").len(), 2);
    for span in spans.all_named("collected") {
        assert!(span.is_child_of(parent));
    }
    for name in ["blocking", "on", "local"] {
        assert!(spans.named(name).is_child_of(parent), "{name}");
    }
}

#[tokio::test]
async fn a_local_task_keeps_the_parent_and_a_panic_comes_back_as_tokios() {
    let ((), spans) = capture_async(async {
        let local = tokio::task::LocalSet::new();
        local
            .run_until(
                async {
                    instrument_threads::tokio::spawn_local(async {
                        tracing::info_span!("local").in_scope(|| {})
                    })
                    .await
                    .expect("local");
                }
                .instrument(tracing::info_span!("parent")),
            )
            .await;
        let error = spawn(async { panic!("boom") })
            .await
            .expect_err("the task panicked");
        assert!(error.is_panic());
        let payload = error.into_panic();
        assert_eq!(payload.downcast_ref::<&str>(), Some(&"boom"));
    })
    .await;
    assert!(spans.named("local").is_child_of(spans.named("parent")));
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
