//! `SELECT 1` over loopback: raw tokio-postgres, the traced client switched off, and
//! traced with the span exported (to nowhere), timed by criterion.
//!
//! `cargo bench -p instrument-tokio-postgres --bench tokio_postgres` (needs PostgreSQL
//! at `DATABASE_URL`, default `postgres://postgres@127.0.0.1:5432/test`).
//!
//! With arguments `{raw|switched_off|traced} {n}` it runs `n` queries in that mode and
//! exits, for counting instructions with callgrind (see BENCHMARKS.md).

use std::time::Duration;

use criterion::Criterion;
use instrument_core::Library;
use instrument_core::testing::ExportToNowhere;
use tracing::instrument::WithSubscriber as _;

fn url() -> String {
    std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

async fn clients() -> (tokio_postgres::Client, instrument_tokio_postgres::Client) {
    let (raw, connection) = tokio_postgres::connect(&url(), tokio_postgres::NoTls)
        .await
        .expect("connect: is PostgreSQL running?");
    tokio::spawn(connection);
    let (traced, connection) = instrument_tokio_postgres::connect(&url(), tokio_postgres::NoTls)
        .await
        .expect("connect");
    tokio::spawn(connection);
    (raw, traced)
}

fn criterion_benches(runtime: &tokio::runtime::Runtime, dispatch: &tracing::Dispatch) {
    let (raw, traced) = runtime.block_on(clients());
    let mut c = Criterion::default()
        .measurement_time(Duration::from_secs(4))
        .configure_from_args();
    let mut group = c.benchmark_group("tokio_postgres_loopback");
    let mut case = |name: &str, run: &dyn Fn() -> tokio_postgres::Row| {
        group.bench_function(format!("select_1/{name}"), |b| b.iter(run));
    };
    let raw_select = || {
        runtime
            .block_on(
                raw.query_one("SELECT 1", &[])
                    .with_subscriber(dispatch.clone()),
            )
            .expect("SELECT 1")
    };
    let traced_select = || {
        runtime
            .block_on(
                traced
                    .query_one("SELECT 1", &[])
                    .with_subscriber(dispatch.clone()),
            )
            .expect("SELECT 1")
    };
    case("raw", &raw_select);
    instrument_core::set_library_enabled(Library::TokioPostgres, false);
    case("switched_off", &traced_select);
    instrument_core::set_library_enabled(Library::TokioPostgres, true);
    case("traced", &traced_select);
    // Raw again, last: timings drift, and the ratios are only as good as the agreement
    // of the first and last raw runs.
    case("raw_again", &raw_select);
    group.finish();
    c.final_summary();
}

/// `n` queries in one mode, for an instruction count.
fn count_run(
    runtime: &tokio::runtime::Runtime,
    dispatch: &tracing::Dispatch,
    mode: &str,
    n: usize,
) {
    let _default = tracing::dispatcher::set_default(dispatch);
    runtime.block_on(async {
        let (raw, traced) = clients().await;
        if mode == "switched_off" {
            instrument_core::set_library_enabled(Library::TokioPostgres, false);
        }
        for _ in 0..n {
            match mode {
                "raw" => raw.query_one("SELECT 1", &[]).await,
                _ => traced.query_one("SELECT 1", &[]).await,
            }
            .expect("SELECT 1");
        }
    });
}

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let nowhere = ExportToNowhere::new();
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    if let [mode, n] = args.as_slice() {
        let n = n.parse().expect("a number of queries");
        count_run(&runtime, nowhere.dispatch(), mode, n);
    } else {
        criterion_benches(&runtime, nowhere.dispatch());
    }
}
