//! Threads and callbacks run in the spawner's span, under its (thread-local)
//! subscriber and OpenTelemetry context.

use instrument_core::testing::capture;
use instrument_threads::thread;
use opentelemetry::baggage::BaggageExt as _;

#[test]
fn a_spawned_thread_runs_in_the_spawners_span_under_its_subscriber() {
    let ((), spans) = capture(|| {
        let _parent = tracing::info_span!("parent").entered();
        thread::spawn(|| tracing::info_span!("child").in_scope(|| {}))
            .join()
            .expect("join");
        // A std thread loses the test's thread-local subscriber: its span is not seen.
        std::thread::spawn(|| tracing::info_span!("lost").in_scope(|| {}))
            .join()
            .expect("join");
    });
    let parent = spans.named("parent");
    let child = spans.named("child");
    assert!(child.is_child_of(parent));
    assert_eq!(child.trace_id, parent.trace_id);
    assert!(spans.all_named("lost").is_empty());
}

#[test]
fn scoped_nested_and_built_threads_keep_their_parents() {
    let (name, spans) = capture(|| {
        let _parent = tracing::info_span!("parent").entered();
        let mut counter = 0;
        thread::scope(|scope| {
            scope.spawn(|| {
                let _scoped = tracing::info_span!("scoped").entered();
                thread::spawn(|| tracing::info_span!("nested").in_scope(|| {}))
                    .join()
                    .expect("join");
            });
            scope.spawn(|| counter += 1);
        });
        assert_eq!(counter, 1, "scoped threads borrow, as std's");
        thread::Builder::new()
            .name("worker-7".to_owned())
            .stack_size(256 * 1024)
            .span("resize")
            .spawn(|| {
                tracing::info_span!("inside").in_scope(|| {});
                std::thread::current().name().map(str::to_owned)
            })
            .expect("spawn")
            .join()
            .expect("join")
    });
    assert_eq!(name.as_deref(), Some("worker-7"));
    let parent = spans.named("parent");
    let scoped = spans.named("scoped");
    assert!(scoped.is_child_of(parent));
    assert!(spans.named("nested").is_child_of(scoped));
    let resize = spans.named("resize");
    assert!(resize.is_child_of(parent));
    assert!(spans.named("inside").is_child_of(resize));
}

#[test]
fn a_panic_comes_back_from_join_as_with_std() {
    let (result, _) = capture(|| thread::spawn(|| -> u32 { std::panic::panic_any("boom") }).join());
    let payload = result.expect_err("the thread panicked");
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"boom"));
}

#[test]
fn the_opentelemetry_context_follows_too() {
    let (user, _) = capture(|| {
        let _context = opentelemetry::Context::current()
            .with_baggage([opentelemetry::KeyValue::new("user", "alice")])
            .attach();
        thread::spawn(|| {
            opentelemetry::Context::current()
                .baggage()
                .get("user")
                .map(|value| value.to_string())
        })
        .join()
        .expect("join")
    });
    assert_eq!(user.as_deref(), Some("alice"));
}

#[test]
fn baggage_added_inside_a_span_follows_too() {
    let ((user, inner), spans) = capture(|| {
        let _request = tracing::info_span!("request").entered();
        let _context = opentelemetry::Context::current()
            .with_baggage([opentelemetry::KeyValue::new("user", "alice")])
            .attach();
        thread::spawn(|| {
            let user = opentelemetry::Context::current()
                .baggage()
                .get("user")
                .map(|value| value.to_string());
            // A span made there still has the request as its parent.
            let inner = tracing::info_span!("inner").in_scope(|| {
                opentelemetry::Context::current()
                    .baggage()
                    .get("user")
                    .map(|value| value.to_string())
            });
            (user, inner)
        })
        .join()
        .expect("join")
    });
    assert_eq!(user.as_deref(), Some("alice"));
    assert_eq!(inner.as_deref(), Some("alice"));
    assert!(spans.named("inner").is_child_of(spans.named("request")));
}

#[test]
fn a_threads_work_span_is_the_parent_of_what_its_threads_spawn() {
    let ((), spans) = capture(|| {
        let _parent = tracing::info_span!("parent").entered();
        thread::Builder::new()
            .span("resize")
            .spawn(|| {
                thread::spawn(|| tracing::info_span!("nested").in_scope(|| {}))
                    .join()
                    .expect("nested");
            })
            .expect("spawn")
            .join()
            .expect("join");
    });
    assert!(spans.named("resize").is_child_of(spans.named("parent")));
    assert!(spans.named("nested").is_child_of(spans.named("resize")));
}

#[test]
fn detached_work_keeps_the_baggage_but_not_the_spawners_trace() {
    use opentelemetry::trace::TraceContextExt as _;
    let ((spawner_trace, (user, work_trace)), spans) = capture(|| {
        let _context = opentelemetry::Context::current()
            .with_baggage([opentelemetry::KeyValue::new("user", "alice")])
            .attach();
        let _order = tracing::info_span!("order").entered();
        let spawner_trace = opentelemetry::Context::current()
            .span()
            .span_context()
            .trace_id();
        let seen = thread::spawn_detached("send sms", || {
            let current = opentelemetry::Context::current();
            let user = current.baggage().get("user").map(|value| value.to_string());
            (user, current.span().span_context().trace_id())
        })
        .join()
        .expect("join");
        (spawner_trace, seen)
    });
    assert_eq!(user.as_deref(), Some("alice"), "the baggage went along");
    let detached = spans.named("send sms");
    assert_eq!(
        work_trace, detached.trace_id,
        "the work's own trace is current"
    );
    assert_ne!(work_trace, spawner_trace);
    assert_eq!(spans.named("order").trace_id, spawner_trace);
}

#[test]
fn a_bound_callback_runs_in_the_span_it_was_bound_in_on_any_thread() {
    let ((), spans) = capture(|| {
        let callback = {
            let _bound = tracing::info_span!("bound").entered();
            instrument_threads::bind(|n: u32| tracing::info_span!("callback").in_scope(|| n))
        };
        let _elsewhere = tracing::info_span!("elsewhere").entered();
        // Called later, from a plain std thread with no subscriber of its own.
        assert_eq!(
            std::thread::spawn(move || callback(7))
                .join()
                .expect("join"),
            7
        );
    });
    assert!(spans.named("callback").is_child_of(spans.named("bound")));
}

#[test]
fn a_closing_callback_called_or_dropped_elsewhere_lets_its_parent_close() {
    let (done, spans) = capture(|| {
        let (called, dropped) = {
            let _outer = tracing::info_span!("outer").entered();
            let upload = tracing::info_span!("upload");
            let called = instrument_threads::bind_closing(upload, |bytes: usize| bytes);
            let abandoned = tracing::info_span!("abandoned");
            let dropped = instrument_threads::bind_closing(abandoned, |bytes: usize| bytes);
            (called, dropped)
        };
        // Each callback holds the last handle to its span, and lets go on another thread.
        let size = std::thread::spawn(move || called(512))
            .join()
            .expect("join");
        assert_eq!(size, 512);
        std::thread::spawn(move || drop(dropped))
            .join()
            .expect("join");
        std::time::SystemTime::now()
    });
    let outer = spans.named("outer");
    assert!(spans.named("upload").is_child_of(outer));
    assert!(spans.named("abandoned").is_child_of(outer));
    assert!(
        outer.end_time <= done,
        "`outer` closed when the callbacks let go"
    );
}

#[test]
fn work_bound_without_a_subscriber_sees_the_one_current_where_it_runs() {
    // Bound with no subscriber at all, as before `init()`: nothing to carry, so the
    // callback is not pinned to "no subscriber".
    let callback = instrument_threads::bind0(|| tracing::info_span!("late").in_scope(|| {}));
    let ((), spans) = capture(callback);
    spans.named("late");
}

#[test]
fn a_closing_callback_finishes_the_span_opened_before_the_call() {
    let (size, spans) = capture(|| {
        let upload = tracing::info_span!("upload");
        let on_complete = instrument_threads::bind_closing(upload, |bytes: usize| {
            tracing::info_span!("on_complete").in_scope(|| bytes)
        });
        std::thread::spawn(move || on_complete(512))
            .join()
            .expect("join")
    });
    assert_eq!(size, 512);
    assert!(
        spans
            .named("on_complete")
            .is_child_of(spans.named("upload"))
    );
}

#[test]
fn threads_spawned_from_scoped_threads_keep_the_span() {
    let ((), spans) = capture(|| {
        let _parent = tracing::info_span!("parent").entered();
        thread::scope(|s| {
            s.spawn(|| {
                let _middle = tracing::info_span!("middle").entered();
                // Through the same scope, from inside a scoped thread, as with std's.
                s.spawn(|| tracing::info_span!("leaf").in_scope(|| {}));
            });
        });
    });
    let middle = spans.named("middle");
    assert!(middle.is_child_of(spans.named("parent")));
    assert!(spans.named("leaf").is_child_of(middle));
}

#[test]
fn a_thread_outliving_its_spawners_span_lets_every_span_close() {
    let (done, spans) = capture(|| {
        let (go, wait) = std::sync::mpsc::channel::<()>();
        let worker = {
            let _outer = tracing::info_span!("outer").entered();
            let _request = tracing::info_span!("request").entered();
            thread::spawn(move || wait.recv().expect("go"))
        };
        // The thread now holds the last handle to `request`: when it lets go, `request`
        // closes there, and must let go of `outer` through the test's dispatcher.
        go.send(()).expect("send");
        worker.join().expect("join");
        std::time::SystemTime::now()
    });
    let outer = spans.named("outer");
    assert!(spans.named("request").is_child_of(outer));
    // A span left open would only end when the capture's subscriber is dropped.
    assert!(
        outer.end_time <= done,
        "`outer` closed when the thread let go"
    );
}

#[test]
fn the_rest_of_std_thread_is_there() {
    let name = thread::Builder::new()
        .name("worker".to_owned())
        .spawn(|| thread::current().name().map(str::to_owned))
        .expect("spawn")
        .join()
        .expect("join");
    assert_eq!(name.as_deref(), Some("worker"));
    thread::sleep(std::time::Duration::from_millis(1));
    assert!(thread::available_parallelism().is_ok());
    let handle: thread::JoinHandle<()> = thread::spawn(|| {});
    handle.join().expect("join");
}

#[test]
fn detached_work_does_not_hold_its_spawners_span_open() {
    let ((), spans) = capture(|| {
        let (go, wait) = std::sync::mpsc::channel::<()>();
        let detached = {
            let _order = tracing::info_span!("order").entered();
            thread::spawn_detached("send sms", move || {
                wait.recv().expect("order answered");
                tracing::info_span!("sms").in_scope(|| {});
            })
        };
        // `order` is over; the detached work only starts now.
        go.send(()).expect("send");
        detached.join().expect("join");
    });
    let order = spans.named("order");
    let detached = spans.named("send sms");
    assert!(detached.links_to(order), "follows from the order");
    assert!(
        order.end_time <= spans.named("sms").start_time,
        "order ended when its code did, not when the detached work did"
    );
}

#[test]
fn detached_work_starts_its_own_trace() {
    let ((), spans) = capture(|| {
        let _order = tracing::info_span!("order").entered();
        thread::spawn_detached("send sms", || tracing::info_span!("sms").in_scope(|| {}))
            .join()
            .expect("join");
    });
    let order = spans.named("order");
    let detached = spans.named("send sms");
    assert_eq!(detached.parent_span_id, None);
    assert_ne!(detached.trace_id, order.trace_id, "a trace of its own");
    assert!(spans.named("sms").is_child_of(detached));
}
