//! Switched off, threads and callbacks behave exactly as std's: nothing follows.

use instrument_core::Library;
use instrument_core::testing::capture;
use instrument_threads::thread;

/// One test: the switch is process-wide.
#[test]
fn switched_off_threads_are_std_threads() {
    nothing_follows_the_work();
    binding_and_spawning_allocate_nothing_more_than_std();
}

fn nothing_follows_the_work() {
    instrument_core::set_library_enabled(Library::Threads, false);
    let ((), spans) = capture(|| {
        let _parent = tracing::info_span!("parent").entered();
        thread::spawn(|| tracing::info_span!("child").in_scope(|| {}))
            .join()
            .expect("join");
        let callback =
            instrument_threads::bind(|()| tracing::info_span!("callback").in_scope(|| {}));
        std::thread::spawn(move || callback(()))
            .join()
            .expect("join");
    });
    instrument_core::set_library_enabled(Library::Threads, true);
    // As with std: the new threads do not have the test's thread-local subscriber.
    assert!(spans.all_named("child").is_empty());
    assert!(spans.all_named("callback").is_empty());
    spans.named("parent");
}

fn binding_and_spawning_allocate_nothing_more_than_std() {
    instrument_core::ensure_env_read();
    instrument_core::set_library_enabled(Library::Threads, false);
    let bound = allocation_counter::measure(|| {
        let callback = instrument_threads::bind(|n: u32| n + 1);
        std::hint::black_box(callback(1));
        let once = instrument_threads::bind0_once(|| 2);
        std::hint::black_box(once());
    });
    // The spawning thread's own allocations: std's spawn, and ours switched off.
    let std_spawn = allocation_counter::measure(|| {
        std::thread::spawn(|| 1).join().expect("join");
    });
    let our_spawn = allocation_counter::measure(|| {
        thread::spawn(|| 1).join().expect("join");
    });
    instrument_core::set_library_enabled(Library::Threads, true);
    assert_eq!(bound.count_total, 0, "binding captured something");
    assert_eq!(our_spawn.count_total, std_spawn.count_total);
}
