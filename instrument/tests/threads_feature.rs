//! The `threads` feature re-exports instrument-threads; `threads` in the disabled list
//! (or the SDK switch) makes its functions std's, tokio's and rayon's again.
#![cfg(feature = "threads")]

use instrument::threads::{rayon, thread, tokio};
use instrument_core::testing::{Spans, capture};

/// A thread, a tokio task and rayon work, each making a span, spawned inside `parent`
/// under a thread-local capturing subscriber: what they computed, and the spans.
fn spawn_everywhere() -> (Vec<u32>, Spans) {
    let runtime = ::tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .expect("runtime");
    capture(|| {
        let _parent = tracing::info_span!("parent").entered();
        let on_thread = thread::spawn(|| tracing::info_span!("thread").in_scope(|| 1))
            .join()
            .expect("join");
        let in_task = runtime
            .block_on(async {
                tokio::spawn(async { tracing::info_span!("task").in_scope(|| 2) }).await
            })
            .expect("task");
        let (left, right) = rayon::join(|| tracing::info_span!("rayon").in_scope(|| 3), || 4);
        vec![on_thread, in_task, left, right]
    })
}

#[test]
fn the_facade_carries_the_span_onto_threads_tasks_and_rayon() {
    let (values, spans) = spawn_everywhere();
    assert_eq!(values, [1, 2, 3, 4]);
    let parent = spans.named("parent");
    for name in ["thread", "task", "rayon"] {
        assert!(spans.named(name).is_child_of(parent), "{name}");
    }
}

mod support;

#[test]
fn child_threads_switched_off_by_env() {
    if !support::in_child() {
        return;
    }
    let (values, spans) = spawn_everywhere();
    assert_eq!(values, [1, 2, 3, 4], "the same results");
    // As with std, tokio and rayon: the work does not have the spawner's thread-local
    // subscriber, so its spans are not seen.
    let names: Vec<&str> = spans.iter().map(|span| span.name.as_str()).collect();
    assert_eq!(names, ["parent"]);
}

#[test]
fn threads_in_the_disabled_list_or_the_sdk_switch_turns_carrying_off() {
    for vars in [
        [("OTEL_RUST_DISABLED_INSTRUMENTATIONS", "threads")],
        [("OTEL_SDK_DISABLED", "true")],
    ] {
        support::run_child("child_threads_switched_off_by_env", &vars);
    }
}
