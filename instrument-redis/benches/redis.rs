//! A `GET` and a 100-command pipeline: raw redis-rs, the traced connection switched
//! off, and traced with spans exported (to nowhere); over loopback to a real Redis, and
//! against an in-process fake connection that answers at once (the pure CPU cost of the
//! tracing, which loopback noise on a small machine hides).
//!
//! `cargo bench -p instrument-redis --bench redis` (needs Redis at `REDIS_URL`, default
//! `redis://127.0.0.1:6379/`; `scripts/services.sh` brings one up).

use criterion::{Criterion, criterion_group, criterion_main};
use instrument_core::Library;
use instrument_core::testing::ExportToNowhere;
use redis::aio::ConnectionLike;
use tracing::instrument::WithSubscriber as _;

#[path = "../tests/support/fake.rs"]
mod fake;
use fake::Fake;

fn url() -> String {
    std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379/".to_owned())
}

fn get() -> redis::Cmd {
    let mut cmd = redis::cmd("GET");
    cmd.arg("bench:key");
    cmd
}

fn pipeline() -> redis::Pipeline {
    let mut pipe = redis::pipe();
    for i in 0..100 {
        pipe.cmd("SET").arg(format!("bench:{i}")).arg(i);
    }
    pipe
}

/// Every case runs under the same subscriber, so the only difference is the wrapper.
fn bench_pair<C: ConnectionLike + Send>(
    c: &mut Criterion,
    runtime: &tokio::runtime::Runtime,
    group_name: &str,
    case: &str,
    con: &mut C,
    dispatch: &tracing::Dispatch,
) {
    let (get, pipe) = (get(), pipeline());
    let mut group = c.benchmark_group(group_name);
    group.bench_function(format!("get/{case}"), |b| {
        b.iter(|| {
            runtime.block_on(
                get.query_async::<Option<String>>(con)
                    .with_subscriber(dispatch.clone()),
            )
        })
    });
    group.bench_function(format!("pipeline_100/{case}"), |b| {
        b.iter(|| {
            runtime.block_on(
                pipe.query_async::<()>(con)
                    .with_subscriber(dispatch.clone()),
            )
        })
    });
    group.finish();
}

fn redis_calls(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let (mut raw, mut traced) = runtime.block_on(async {
        let raw = redis::Client::open(url()).expect("url");
        let traced = instrument_redis::Client::open(url()).expect("url");
        (
            raw.get_multiplexed_async_connection()
                .await
                .expect("connect: is Redis running?"),
            traced
                .get_multiplexed_async_connection()
                .await
                .expect("connect"),
        )
    });
    let nowhere = ExportToNowhere::new();
    let (mut fake, mut traced_fake) = (Fake, instrument_redis::Instrumented::new(Fake));

    bench_pair(
        c,
        &runtime,
        "redis_fake",
        "raw",
        &mut fake,
        nowhere.dispatch(),
    );
    bench_pair(
        c,
        &runtime,
        "redis_loopback",
        "raw",
        &mut raw,
        nowhere.dispatch(),
    );
    instrument_core::set_library_enabled(Library::Redis, false);
    bench_pair(
        c,
        &runtime,
        "redis_fake",
        "switched_off",
        &mut traced_fake,
        nowhere.dispatch(),
    );
    bench_pair(
        c,
        &runtime,
        "redis_loopback",
        "switched_off",
        &mut traced,
        nowhere.dispatch(),
    );
    instrument_core::set_library_enabled(Library::Redis, true);
    bench_pair(
        c,
        &runtime,
        "redis_fake",
        "traced",
        &mut traced_fake,
        nowhere.dispatch(),
    );
    bench_pair(
        c,
        &runtime,
        "redis_loopback",
        "traced",
        &mut traced,
        nowhere.dispatch(),
    );
    // Raw again, last: loopback timings drift, and its ratios are only as good as the
    // agreement of the first and last raw runs.
    bench_pair(
        c,
        &runtime,
        "redis_loopback",
        "raw_again",
        &mut raw,
        nowhere.dispatch(),
    );
}

criterion_group!(benches, redis_calls);
criterion_main!(benches);
