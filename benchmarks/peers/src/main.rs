//! The peers' instrumentation on the workloads of `ours`, for counting instructions with
//! callgrind (`benchmarks/run`).
//!
//! ```text
//! peers {sqlx|tokio-postgres} {raw|sqlx-otel|oxtel-mapping|oxtel-sql} N
//! ```
//!
//! Each peer gets the pipeline its documentation sets up, batching spans to an exporter
//! that drops them, installed only in its own mode; `raw` runs the same client
//! uninstrumented, in this binary, with no pipeline.

use std::sync::atomic::{AtomicUsize, Ordering};

/// Spans the exporters were handed, printed at the end: each case must export one
/// span per call, or its figure means nothing.
static EXPORTED: AtomicUsize = AtomicUsize::new(0);

/// Drops every batch (OpenTelemetry SDK 0.32, for sqlx-otel).
#[derive(Debug)]
struct DropSpans;

impl opentelemetry_sdk_0_32::trace::SpanExporter for DropSpans {
    async fn export(
        &self,
        batch: Vec<opentelemetry_sdk_0_32::trace::SpanData>,
    ) -> opentelemetry_sdk_0_32::error::OTelSdkResult {
        EXPORTED.fetch_add(batch.len(), Ordering::Relaxed);
        drop(batch);
        Ok(())
    }
}

/// Drops every batch (oxtel's SDK).
struct DropOxtelSpans;

impl oxtel_sdk::trace::SpanExporter for DropOxtelSpans {
    fn export(
        &self,
        batch: &[oxtel_sdk::trace::SpanData],
        _resource: &oxtel_sdk::resource::Resource,
    ) -> Result<(), oxtel_sdk::export::ExportError> {
        EXPORTED.fetch_add(batch.len(), Ordering::Relaxed);
        Ok(())
    }
}

fn database_url() -> String {
    std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// `SELECT 1`, `n` times, on `pool` (a macro: each pool is its own type, and a generic
/// `Executor` bound sends the trait solver into sqlx-otel's impls).
macro_rules! select_1_times {
    ($pool:expr, $n:expr) => {
        for _ in 0..$n {
            let row: (i32,) = sqlx::query_as("SELECT 1")
                .fetch_one($pool)
                .await
                .expect("SELECT 1");
            assert_eq!(row.0, 1);
        }
    };
}

async fn sqlx(mode: &str, n: usize) {
    let pool = sqlx::PgPool::connect(&database_url())
        .await
        .expect("postgres");
    match mode {
        // oxtel's mapping makes its spans from sqlx's own query events.
        "raw" | "oxtel-mapping" => select_1_times!(&pool, n),
        "sqlx-otel" => {
            let pool = sqlx_otel::PoolBuilder::from(pool).build();
            select_1_times!(&pool, n);
        }
        "oxtel-sql" => {
            let pool = oxtel_sql::sqlx::v0_9::Pool::new(pool);
            select_1_times!(&pool, n);
        }
        other => panic!("unknown mode {other}"),
    }
}

async fn tokio_postgres(mode: &str, n: usize) {
    let config: tokio_postgres::Config = database_url().parse().expect("url");
    let (client, connection) = config
        .connect(tokio_postgres::NoTls)
        .await
        .expect("postgres");
    tokio::spawn(connection);
    match mode {
        "raw" => {
            let statement = client.prepare("SELECT 1").await.expect("prepare");
            for _ in 0..n {
                let row = client.query_one(&statement, &[]).await.expect("SELECT 1");
                assert_eq!(row.get::<_, i32>(0), 1);
            }
        }
        "oxtel-sql" => {
            let client = oxtel_sql::postgres::Client::new(client, &config);
            let statement = client.prepare("SELECT 1").await.expect("prepare");
            for _ in 0..n {
                let row = client.query_one(&statement, &[]).await.expect("SELECT 1");
                assert_eq!(row.get::<_, i32>(0), 1);
            }
        }
        other => panic!("unknown mode {other}"),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [workload, mode, n] = args.as_slice() else {
        eprintln!("usage: peers WORKLOAD MODE N");
        std::process::exit(2);
    };
    let n: usize = n.parse().expect("N, a number of calls");

    // Each peer's pipeline only in its own mode, so that `raw` pays for none of them
    // (oxtel's mapping, for one, works in every sqlx call once installed).
    // sqlx-otel: an SDK tracer provider, installed globally, as its README says.
    let provider = (mode == "sqlx-otel").then(|| {
        let provider = opentelemetry_sdk_0_32::trace::SdkTracerProvider::builder()
            .with_batch_exporter(DropSpans)
            .build();
        opentelemetry_0_32::global::set_tracer_provider(provider.clone());
        provider
    });
    // oxtel: its own init, with its pipeline exporting to nowhere and no local logs.
    let oxtel = mode.starts_with("oxtel").then(|| {
        oxtel::builder()
            .without_env_exporters()
            .without_local_logs()
            .with_traces(|traces| traces.with_batch_exporter(DropOxtelSpans))
            .install()
            .expect("oxtel")
    });

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        match workload.as_str() {
            "sqlx" => sqlx(mode, n).await,
            "tokio-postgres" => tokio_postgres(mode, n).await,
            other => panic!("unknown workload {other}"),
        }
    });
    if let Some(provider) = provider {
        let _ = provider.shutdown();
    }
    drop(oxtel);
    eprintln!("exported spans: {}", EXPORTED.load(Ordering::Relaxed));
}
