//! What carrying the context costs at a spawn: std's thread spawn and tokio's task
//! spawn, raw, through this crate switched off, and through it on (inside a span, under
//! an exporting subscriber).
//!
//! `cargo bench -p instrument-threads --all-features --bench spawn`

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use instrument_core::Library;
use instrument_core::testing::ExportToNowhere;

fn spawns(c: &mut Criterion) {
    let nowhere = ExportToNowhere::new();
    let _subscriber = tracing::dispatcher::set_default(nowhere.dispatch());
    let _request = tracing::info_span!("request").entered();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .expect("runtime");

    let mut group = c.benchmark_group("spawn");
    group.measurement_time(Duration::from_secs(3));
    for case in ["raw", "switched_off", "carried"] {
        instrument_core::set_library_enabled(Library::Threads, case != "switched_off");
        group.bench_function(format!("thread/{case}"), |b| {
            b.iter(|| match case {
                "raw" => std::thread::spawn(|| 1).join().expect("join"),
                _ => instrument_threads::thread::spawn(|| 1)
                    .join()
                    .expect("join"),
            })
        });
        group.bench_function(format!("tokio_task/{case}"), |b| {
            b.iter(|| {
                runtime.block_on(async {
                    match case {
                        "raw" => tokio::spawn(async { 1 }).await.expect("join"),
                        _ => instrument_threads::tokio::spawn(async { 1 })
                            .await
                            .expect("join"),
                    }
                })
            })
        });
    }
    instrument_core::set_library_enabled(Library::Threads, true);
    group.finish();

    // The carrying alone, without a thread: bind a callback, then call it.
    let mut group = c.benchmark_group("bind_and_call");
    for case in ["raw", "switched_off", "carried"] {
        instrument_core::set_library_enabled(Library::Threads, case != "switched_off");
        group.bench_function(case, |b| {
            b.iter(|| match case {
                "raw" => {
                    let callback = std::hint::black_box(|| 1);
                    std::hint::black_box(callback())
                }
                _ => std::hint::black_box(instrument_threads::bind0_once(|| 1)()),
            })
        });
    }
    instrument_core::set_library_enabled(Library::Threads, true);
    group.finish();
}

criterion_group!(benches, spawns);
criterion_main!(benches);
