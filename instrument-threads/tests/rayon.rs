//! Rayon work runs in the caller's span.

use instrument_core::testing::capture;
use instrument_threads::rayon::{ParallelIteratorExt as _, ThreadPool};
use rayon::iter::{IntoParallelIterator as _, ParallelIterator as _};

#[test]
fn join_scope_pools_and_parallel_iterators_keep_the_callers_span() {
    let (sum, spans) = capture(|| {
        let _parent = tracing::info_span!("parent").entered();
        instrument_threads::rayon::join(
            || tracing::info_span!("left").in_scope(|| {}),
            || tracing::info_span!("right").in_scope(|| {}),
        );
        instrument_threads::rayon::scope(|scope| {
            scope.spawn(|_| tracing::info_span!("scoped").in_scope(|| {}));
        });
        let pool = ThreadPool::from(
            rayon::ThreadPoolBuilder::new()
                .num_threads(3)
                .build()
                .expect("pool"),
        );
        pool.install(|| tracing::info_span!("installed").in_scope(|| {}));
        let (done, wait) = std::sync::mpsc::channel();
        pool.spawn(move || {
            tracing::info_span!("pooled").in_scope(|| {});
            done.send(()).expect("send");
        });
        wait.recv().expect("pooled work ran");
        (0..100u64)
            .into_par_iter()
            .map_in_current_span(|n| tracing::info_span!("item").in_scope(|| n))
            .sum::<u64>()
    });
    assert_eq!(sum, 4950);
    let parent = spans.named("parent");
    for name in ["left", "right", "scoped", "installed", "pooled"] {
        assert!(spans.named(name).is_child_of(parent), "{name}");
    }
    let items = spans.all_named("item");
    assert_eq!(items.len(), 100);
    assert!(items.iter().all(|item| item.is_child_of(parent)));
}

#[test]
fn work_spawned_from_spawned_scope_work_keeps_the_span() {
    let ((), spans) = capture(|| {
        let _parent = tracing::info_span!("parent").entered();
        instrument_threads::rayon::scope(|scope| {
            scope.spawn(|scope| {
                let _middle = tracing::info_span!("middle").entered();
                scope.spawn(|_| tracing::info_span!("leaf").in_scope(|| {}));
            });
        });
        instrument_threads::rayon::scope(|scope| {
            scope.spawn_broadcast(|_, context| {
                tracing::info_span!("broadcast", index = context.index()).in_scope(|| {});
            });
        });
        let (done, wait) = std::sync::mpsc::channel();
        instrument_threads::rayon::spawn(move || {
            tracing::info_span!("global").in_scope(|| {});
            done.send(()).expect("send");
        });
        wait.recv().expect("spawned work ran");
    });
    let parent = spans.named("parent");
    assert!(spans.named("global").is_child_of(parent));
    let broadcast = spans.all_named("broadcast");
    assert_eq!(broadcast.len(), rayon::current_num_threads());
    assert!(broadcast.iter().all(|span| span.is_child_of(parent)));
    let middle = spans.named("middle");
    assert!(middle.is_child_of(spans.named("parent")));
    assert!(spans.named("leaf").is_child_of(middle));
}

#[test]
fn the_rest_of_a_pools_and_rayons_ways_keep_the_callers_span() {
    let (threads, spans) = capture(|| {
        let _parent = tracing::info_span!("parent").entered();
        let pool = ThreadPool::from(
            rayon::ThreadPoolBuilder::new()
                .num_threads(2)
                .build()
                .expect("pool"),
        );
        pool.join(
            || tracing::info_span!("pool left").in_scope(|| {}),
            || tracing::info_span!("pool right").in_scope(|| {}),
        );
        pool.scope(|scope| {
            scope.spawn(|_| tracing::info_span!("pool scoped").in_scope(|| {}));
        });
        pool.in_place_scope(|scope| {
            scope.spawn(|_| tracing::info_span!("pool in place").in_scope(|| {}));
        });
        let broadcast = pool.broadcast(|_| tracing::info_span!("pool broadcast").in_scope(|| 1));
        let (done, wait) = std::sync::mpsc::channel();
        let pool_done = done.clone();
        pool.spawn_fifo(move || {
            tracing::info_span!("pool fifo").in_scope(|| {});
            pool_done.send(()).expect("send");
        });
        instrument_threads::rayon::spawn_fifo(move || {
            tracing::info_span!("fifo").in_scope(|| {});
            done.send(()).expect("send");
        });
        wait.recv().expect("fifo work ran");
        wait.recv().expect("fifo work ran");
        instrument_threads::rayon::in_place_scope(|scope| {
            scope.spawn(|_| tracing::info_span!("in place").in_scope(|| {}));
        });
        let everywhere = instrument_threads::rayon::broadcast(|_| {
            tracing::info_span!("broadcast").in_scope(|| 1)
        });
        assert_eq!(pool.current_num_threads(), 2);
        (broadcast.len(), everywhere.len())
    });
    assert_eq!(threads.0, 2);
    let parent = spans.named("parent");
    for name in [
        "pool left",
        "pool right",
        "pool scoped",
        "pool in place",
        "pool fifo",
        "fifo",
        "in place",
    ] {
        assert!(spans.named(name).is_child_of(parent), "{name}");
    }
    let broadcasts = spans.all_named("pool broadcast");
    assert_eq!(broadcasts.len(), 2);
    assert!(broadcasts.iter().all(|span| span.is_child_of(parent)));
    let everywhere = spans.all_named("broadcast");
    assert_eq!(everywhere.len(), threads.1);
    assert!(everywhere.iter().all(|span| span.is_child_of(parent)));
}
