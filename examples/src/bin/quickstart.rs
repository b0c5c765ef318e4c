//! The quickstart: `cargo run -p examples --bin quickstart`.
//!
//! One `init()`, the clients swapped for their traced drop-ins, and one span written by
//! hand (`place order`, the business step). It needs nothing but Rust: SQLite runs in
//! memory and the HTTP service in this process; Redis and PostgreSQL are used when they
//! answer (`REDIS_URL`, `DATABASE_URL`, or the standard loopback ports), and the run
//! says which were skipped and why.
//!
//! By default the trace is drawn on stderr as a waterfall, and the calls' metrics end
//! the run as a table per operation (count, errors, p50/p95/p99); with
//! `OTEL_EXPORTER_OTLP_ENDPOINT` set both go to that collector (Jaeger, Tempo, ...);
//! with `OTEL_SDK_DISABLED=true` the same work runs and no trace or metric is made.

use std::time::Duration;

use axum::extract::Path;
use tracing::Instrument as _;

type Error = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let _telemetry = instrument::builder()
        .service_name("quickstart")
        .default_exporter(instrument::Exporter::Console)
        .init()?;

    let db = instrument::sqlx::SqlitePool::connect("sqlite::memory:").await?; // was sqlx::SqlitePool
    sqlx::query("CREATE TABLE orders (id INTEGER PRIMARY KEY, item TEXT NOT NULL)")
        .execute(&db)
        .await?;
    let inventory = start_inventory_service().await?;
    let http = instrument::reqwest::Client::new(); // was reqwest::Client

    let order = tracing::info_span!("place order", order.id = 42);
    let total = async {
        sqlx::query("INSERT INTO orders (id, item) VALUES ($1, $2)")
            .bind(42)
            .bind("widget")
            .execute(&db)
            .await?;
        let stock = http
            .get(format!("http://{inventory}/inventory/widget"))
            .send()
            .await?
            .text()
            .await?;
        cache_and_archive().await;
        // Work on another thread and another task, still inside `place order`.
        let runtime = tokio::runtime::Handle::current();
        let invoice_db = db.clone();
        let total: i64 = instrument::threads::thread::spawn(move || {
            runtime.block_on(
                sqlx::query_scalar("SELECT count(*) * 42 FROM orders").fetch_one(&invoice_db),
            )
        })
        .join()
        .map_err(|_| "the invoice thread panicked")??;
        let confirm_db = db.clone();
        instrument::threads::tokio::spawn(async move {
            sqlx::query("UPDATE orders SET item = item || ' (confirmed)' WHERE id = $1")
                .bind(42)
                .execute(&confirm_db)
                .await
        })
        .await??;
        // A log line inside the trace: it ends with its trace_id and span_id.
        tracing::info!("order 42: {stock}, total {total}");
        Ok::<_, Error>(total)
    }
    .instrument(order)
    .await?;
    assert_eq!(total, 42);
    Ok(())
}

/// An HTTP service in this process, behind the server layer: its span joins the trace
/// of the call that reaches it.
async fn start_inventory_service() -> Result<std::net::SocketAddr, Error> {
    let app = axum::Router::new()
        .route(
            "/inventory/{item}",
            axum::routing::get(
                |Path(item): Path<String>| async move { format!("{item}: 7 in stock") },
            ),
        )
        .layer(instrument::tower::TracingLayer::new());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(address)
}

/// Redis and PostgreSQL, when they answer; otherwise says why they were skipped.
async fn cache_and_archive() {
    let redis_url =
        std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379/".to_owned());
    match redis_order(&redis_url).await {
        Ok(()) => {}
        Err(error) => eprintln!("skipped Redis ({redis_url}): {error}"),
    }
    let postgres_url = std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    match postgres_order(&postgres_url).await {
        Ok(()) => {}
        // sqlx retries a refused connection until the acquire timeout: say what it means.
        Err(error) if matches!(error.downcast_ref(), Some(sqlx::Error::PoolTimedOut)) => {
            eprintln!("skipped PostgreSQL ({postgres_url}): nothing answered within 1 s");
        }
        Err(error) => eprintln!("skipped PostgreSQL ({postgres_url}): {error}"),
    }
}

async fn redis_order(url: &str) -> Result<(), Error> {
    let client = instrument::redis::Client::open(url)?; // was redis::Client
    let mut cache = tokio::time::timeout(
        Duration::from_secs(1),
        client.get_multiplexed_async_connection(),
    )
    .await
    .map_err(|_| "no answer within 1 s")??;
    redis::cmd("SET")
        .arg("order:42")
        .arg("widget")
        .arg("EX")
        .arg(60)
        .query_async::<()>(&mut cache)
        .await?;
    Ok(())
}

async fn postgres_order(url: &str) -> Result<(), Error> {
    let archive = instrument::sqlx::PoolOptions::<sqlx::Postgres>::new()
        .acquire_timeout(Duration::from_secs(1))
        .connect(url)
        .await?; // was sqlx::PgPool
    let now: i64 = sqlx::query_scalar("SELECT $1::int8")
        .bind(42_i64)
        .fetch_one(&archive)
        .await?;
    assert_eq!(now, 42);
    Ok(())
}
