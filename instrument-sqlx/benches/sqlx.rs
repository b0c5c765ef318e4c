//! `SELECT 1` through a pool: raw sqlx, the traced pool switched off, and traced with
//! spans exported (to nowhere); over loopback to PostgreSQL, and on SQLite in memory
//! (no network, so the tracing's own cost shows more).
//!
//! `cargo bench -p instrument-sqlx --all-features --bench sqlx` (needs PostgreSQL at
//! `DATABASE_URL`, default `postgres://postgres@127.0.0.1:5432/test`;
//! `scripts/services.sh` brings one up).

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use instrument_core::Library;
use instrument_core::testing::ExportToNowhere;
use sqlx::Executor;
use tracing::instrument::WithSubscriber as _;

/// Every case runs under the same subscriber, so the only difference is the wrapper.
fn bench_select_1<DB, P>(
    c: &mut Criterion,
    runtime: &tokio::runtime::Runtime,
    group_name: &str,
    case: &str,
    pool: &P,
    dispatch: &tracing::Dispatch,
) where
    DB: sqlx::Database,
    for<'c> &'c P: Executor<'c, Database = DB>,
    for<'q> DB::Arguments: sqlx::IntoArguments<DB>,
{
    let mut group = c.benchmark_group(group_name);
    group.measurement_time(Duration::from_secs(4));
    group.bench_function(format!("select_1/{case}"), |b| {
        b.iter(|| {
            runtime
                .block_on(
                    sqlx::query::<DB>("SELECT 1")
                        .fetch_one(pool)
                        .with_subscriber(dispatch.clone()),
                )
                .expect("SELECT 1")
        })
    });
    group.finish();
}

fn pools(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let url = std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
    let (pg_raw, pg_traced, lite_raw, lite_traced) = runtime.block_on(async {
        (
            sqlx::PgPool::connect(&url)
                .await
                .expect("connect: is PostgreSQL running?"),
            instrument_sqlx::PgPool::connect(&url)
                .await
                .expect("connect"),
            sqlx::SqlitePool::connect("sqlite::memory:")
                .await
                .expect("sqlite"),
            instrument_sqlx::SqlitePool::connect("sqlite::memory:")
                .await
                .expect("sqlite"),
        )
    });
    let nowhere = ExportToNowhere::new();
    let dispatch = nowhere.dispatch();
    let (pg, lite) = ("sqlx_postgres_loopback", "sqlx_sqlite_memory");

    bench_select_1::<sqlx::Postgres, _>(c, &runtime, pg, "raw", &pg_raw, dispatch);
    bench_select_1::<sqlx::Sqlite, _>(c, &runtime, lite, "raw", &lite_raw, dispatch);
    instrument_core::set_library_enabled(Library::Sqlx, false);
    bench_select_1::<sqlx::Postgres, _>(c, &runtime, pg, "switched_off", &pg_traced, dispatch);
    bench_select_1::<sqlx::Sqlite, _>(c, &runtime, lite, "switched_off", &lite_traced, dispatch);
    instrument_core::set_library_enabled(Library::Sqlx, true);
    bench_select_1::<sqlx::Postgres, _>(c, &runtime, pg, "traced", &pg_traced, dispatch);
    bench_select_1::<sqlx::Sqlite, _>(c, &runtime, lite, "traced", &lite_traced, dispatch);
    // Raw again, last: timings drift, and the ratios are only as good as the agreement
    // of the first and last raw runs.
    bench_select_1::<sqlx::Postgres, _>(c, &runtime, pg, "raw_again", &pg_raw, dispatch);
    bench_select_1::<sqlx::Sqlite, _>(c, &runtime, lite, "raw_again", &lite_raw, dispatch);
}

criterion_group!(benches, pools);
criterion_main!(benches);
