//! `SELECT 1`, `n` times, in one mode: for counting instructions, which unlike
//! wall-clock time do not depend on what else the two cores are doing.
//!
//! ```text
//! cargo bench -p instrument-sqlx --all-features --bench instructions --no-run
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null \
//!     target/release/deps/instructions-* sqlite traced 2000
//! ```
//!
//! The per-query cost is the difference between runs of 2,000 and 1,000 queries,
//! divided by 1,000 (setup cancels out). Without arguments (as `cargo bench` runs it),
//! every mode runs once and prints its time per query.

use std::time::Instant;

use instrument_core::Library;
use instrument_core::testing::ExportToNowhere;
use sqlx::Executor;

async fn select_1_times<DB, P>(pool: &P, n: usize)
where
    DB: sqlx::Database,
    for<'c> &'c P: Executor<'c, Database = DB>,
    for<'q> DB::Arguments: sqlx::IntoArguments<DB>,
{
    for _ in 0..n {
        sqlx::query::<DB>("SELECT 1")
            .fetch_one(pool)
            .await
            .expect("SELECT 1");
    }
}

async fn run(backend: &str, mode: &str, n: usize) {
    if mode == "switched_off" {
        instrument_core::set_library_enabled(Library::Sqlx, false);
    }
    let url = std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
    match (backend, mode) {
        ("sqlite", "raw") => {
            let pool = sqlx::SqlitePool::connect("sqlite::memory:")
                .await
                .expect("sqlite");
            select_1_times(&pool, n).await;
        }
        ("sqlite", _) => {
            let pool = instrument_sqlx::SqlitePool::connect("sqlite::memory:")
                .await
                .expect("sqlite");
            select_1_times(&pool, n).await;
        }
        ("postgres", "raw") => {
            let pool = sqlx::PgPool::connect(&url).await.expect("postgres");
            select_1_times(&pool, n).await;
        }
        ("postgres", _) => {
            let pool = instrument_sqlx::PgPool::connect(&url)
                .await
                .expect("postgres");
            select_1_times(&pool, n).await;
        }
        _ => panic!("backend is sqlite or postgres, mode raw, switched_off or traced"),
    }
    instrument_core::set_library_enabled(Library::Sqlx, true);
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let nowhere = ExportToNowhere::new();
    let _subscriber = tracing::dispatcher::set_default(nowhere.dispatch());
    if let [backend, mode, n] = args.as_slice() {
        let n = n.parse().expect("a number of queries");
        runtime.block_on(run(backend, mode, n));
        return;
    }
    for backend in ["sqlite", "postgres"] {
        for mode in ["raw", "switched_off", "traced"] {
            let started = Instant::now();
            runtime.block_on(run(backend, mode, 2000));
            let per_query = started.elapsed() / 2000;
            println!("{backend} {mode}: {per_query:?} per SELECT 1 (pool setup included)");
        }
    }
}
