//! The scenario this project was designed from: `cargo run -p examples --bin report-service`.
//!
//! A client asks the report service for a report. The service authorizes the caller,
//! looks in the Redis cache, falls back to PostgreSQL, asks two data services over HTTP
//! (separate servers on their own ports), prepares the data on a thread pool, publishes
//! a "report generated" message to RabbitMQ and answers; a mailer, on a connection of
//! its own, processes the message in the same trace. Report 13 fails deep inside: the
//! pricing service errors, and the error shows in the trace. Every request is one trace
//! across the services and the queue.
//!
//! The sampler keeps no trace (`parentbased_traceidratio` at 0) except those a caller
//! asks for with the `x-debug: 1` header, which sets `sampling.priority` at the span's
//! start: so the run prints the debug requests' traces and no other.
//!
//! It needs the PostgreSQL, Redis and RabbitMQ that `scripts/test` starts
//! (`DATABASE_URL`, `REDIS_URL`, `AMQP_URL`) and says so when they are missing.

use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use futures_util::StreamExt as _;
use instrument::threads::rayon::ParallelIteratorExt as _;
use lapin::options::{
    BasicAckOptions, BasicConsumeOptions, BasicPublishOptions, QueueDeclareOptions,
};
use lapin::types::FieldTable;
use lapin::{BasicProperties, ConnectionProperties};
use opentelemetry::context::FutureExt as _;
use rayon::iter::{IndexedParallelIterator as _, IntoParallelIterator as _, ParallelIterator as _};

type Error = Box<dyn std::error::Error + Send + Sync>;

#[derive(Clone)]
struct Services {
    db: instrument::sqlx::PgPool,
    cache: instrument::redis::aio::MultiplexedConnection,
    http: instrument::reqwest::Client,
    inventory: SocketAddr,
    pricing: SocketAddr,
    events: instrument::lapin::Channel,
}

/// Where the report service announces the reports it generated.
const GENERATED: &str = "example.reports.generated";

#[tokio::main]
async fn main() -> Result<(), Error> {
    let _telemetry = instrument::builder()
        .service_name("report-service")
        .default_exporter(instrument::Exporter::Console)
        .sampling(instrument::Sampling::ParentBased(Box::new(
            instrument::Sampling::Ratio(0.0),
        )))
        .init()?;
    let database = std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
    let redis = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379/".to_owned());
    let (db, mut cache) = match connect(&database, &redis).await {
        Ok(connected) => connected,
        Err(error) => {
            eprintln!(
                "report-service needs PostgreSQL ({database}) and Redis ({redis}): {error}\n\
                 scripts/test starts both (or set DATABASE_URL and REDIS_URL)"
            );
            std::process::exit(2);
        }
    };
    prepare_reports(&db).await?;
    forget_cached_titles(&mut cache).await?;
    let amqp = std::env::var("AMQP_URL")
        .unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672/%2f".to_owned());
    let (events, mailer) = match queues(&amqp).await {
        Ok(channels) => channels,
        Err(error) => {
            eprintln!(
                "report-service needs RabbitMQ ({amqp}): {error}
                 scripts/test starts it (or set AMQP_URL)"
            );
            std::process::exit(2);
        }
    };
    let (mailed, mut mailed_count) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(mail_reports(mailer, mailed));

    let inventory = serve(data_service("inventory")).await?;
    let pricing = serve(data_service("pricing")).await?;
    let services = Services {
        db,
        cache,
        http: instrument::reqwest::Client::new(),
        inventory,
        pricing,
        events,
    };
    let reports = serve(
        axum::Router::new()
            .route("/reports/{id}", get(report))
            .with_state(services),
    )
    .await?;

    // The client: an outside caller, with plain reqwest.
    let client = reqwest::Client::new();
    for (id, debug) in [(1, false), (1, true), (13, true)] {
        let mut request = client
            .get(format!("http://{reports}/reports/{id}"))
            .header("authorization", "Bearer demo-token");
        if debug {
            request = request.header("x-debug", "1");
        }
        let response = request.send().await?;
        let status = response.status();
        println!(
            "report {id} (debug: {debug}): {status} {}",
            response.text().await?
        );
    }
    // The two reports that were generated have been mailed before the run ends.
    for _ in 0..2 {
        let mailed = tokio::time::timeout(Duration::from_secs(10), mailed_count.recv()).await;
        println!("mailed: {}", mailed.ok().flatten().unwrap_or_default());
    }
    Ok(())
}

/// Two channels on two connections: one the service publishes on, one the mailer
/// consumes from, as two services would have.
async fn queues(
    amqp: &str,
) -> Result<(instrument::lapin::Channel, instrument::lapin::Channel), Error> {
    let connect = || async {
        let connection = tokio::time::timeout(
            Duration::from_secs(2),
            instrument::lapin::Connection::connect(amqp, ConnectionProperties::default()),
        )
        .await
        .map_err(|_| "RabbitMQ did not answer within 2 s")??;
        Ok::<_, Error>(connection.create_channel().await?)
    };
    let (events, mailer) = (connect().await?, connect().await?);
    events
        .queue_declare(
            GENERATED.into(),
            QueueDeclareOptions::default(),
            FieldTable::default(),
        )
        .await?;
    Ok((events, mailer))
}

/// The mailer: processes each "report generated" message (its span continues the
/// report's trace), and says so on `mailed`.
async fn mail_reports(
    channel: instrument::lapin::Channel,
    mailed: tokio::sync::mpsc::UnboundedSender<String>,
) -> Result<(), Error> {
    let mut deliveries = channel
        .basic_consume(
            GENERATED.into(),
            "mailer".into(),
            BasicConsumeOptions::default(),
            FieldTable::default(),
        )
        .await?;
    while let Some(delivery) = deliveries.next().await {
        let delivery = delivery?;
        let context = delivery.context();
        async {
            let _span = tracing::info_span!("mail report").entered();
            let _ = mailed.send(String::from_utf8_lossy(&delivery.data).into_owned());
        }
        .with_context(context.clone())
        .await;
        delivery
            .ack(BasicAckOptions::default())
            .with_context(context)
            .await?;
    }
    Ok(())
}

async fn connect(
    database: &str,
    redis: &str,
) -> Result<
    (
        instrument::sqlx::PgPool,
        instrument::redis::aio::MultiplexedConnection,
    ),
    Error,
> {
    let db = instrument::sqlx::PoolOptions::<sqlx::Postgres>::new()
        .acquire_timeout(Duration::from_secs(2))
        .connect(database)
        .await?;
    let cache = tokio::time::timeout(
        Duration::from_secs(2),
        instrument::redis::Client::open(redis)?.get_multiplexed_async_connection(),
    )
    .await
    .map_err(|_| "Redis did not answer within 2 s")??;
    Ok((db, cache))
}

async fn prepare_reports(db: &instrument::sqlx::PgPool) -> Result<(), Error> {
    sqlx::raw_sql(
        "CREATE TABLE IF NOT EXISTS example_reports (id int PRIMARY KEY, title text NOT NULL);
         INSERT INTO example_reports VALUES (1, 'Q3 sales'), (13, 'Q4 forecast')
         ON CONFLICT (id) DO NOTHING",
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Empties the title cache, so each run shows the fallback to PostgreSQL.
async fn forget_cached_titles(
    cache: &mut instrument::redis::aio::MultiplexedConnection,
) -> Result<(), Error> {
    redis::cmd("DEL")
        .arg("example:report:1:title")
        .arg("example:report:13:title")
        .query_async::<()>(cache)
        .await?;
    Ok(())
}

/// A data service: answers `/data/{id}` with numbers, except that pricing fails for
/// report 13. The debug flag keeps its traces too.
fn data_service(name: &'static str) -> axum::Router {
    axum::Router::new().route(
        "/data/{id}",
        get(move |Path(id): Path<u32>| async move {
            if name == "pricing" && id == 13 {
                tracing::error!("no price list for report {id}");
                return Err((StatusCode::INTERNAL_SERVER_ERROR, "price list missing"));
            }
            Ok((1..=20)
                .map(|n| (n * id).to_string())
                .collect::<Vec<_>>()
                .join(","))
        }),
    )
}

/// Serves `router` behind the tracing layer on a loopback port of its own.
async fn serve(router: axum::Router) -> Result<SocketAddr, Error> {
    let app = router.layer(
        instrument::tower::TracingLayer::new()
            .force_sampling_if(|request| request.headers.contains_key("x-debug")),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(address)
}

async fn report(
    State(services): State<Services>,
    Path(id): Path<u32>,
    headers: HeaderMap,
) -> Result<String, (StatusCode, String)> {
    let failed = |status: StatusCode| move |error: Error| (status, error.to_string());
    authorize(&headers).map_err(failed(StatusCode::UNAUTHORIZED))?;
    let title = cached_title(&services, id)
        .await
        .map_err(failed(StatusCode::INTERNAL_SERVER_ERROR))?;
    let debug = headers.contains_key("x-debug");
    let (stock, prices) = tokio::join!(
        fetch(&services, services.inventory, id, debug),
        fetch(&services, services.pricing, id, debug),
    );
    let (stock, prices) = (
        stock.map_err(failed(StatusCode::BAD_GATEWAY))?,
        prices.map_err(failed(StatusCode::BAD_GATEWAY))?,
    );
    let total = prepare(stock, prices);
    announce(&services, id)
        .await
        .map_err(failed(StatusCode::INTERNAL_SERVER_ERROR))?;
    Ok(format!("{title}: {total}"))
}

/// Publishes "report generated": the message carries the trace to the mailer.
async fn announce(services: &Services, id: u32) -> Result<(), Error> {
    services
        .events
        .basic_publish(
            "".into(),
            GENERATED.into(),
            BasicPublishOptions::default(),
            format!("report {id} generated").as_bytes(),
            BasicProperties::default(),
        )
        .await?;
    Ok(())
}

/// A business step, as a span written by hand.
fn authorize(headers: &HeaderMap) -> Result<(), Error> {
    let _span = tracing::info_span!("authorize").entered();
    match headers.get("authorization").and_then(|v| v.to_str().ok()) {
        Some(token) if token.starts_with("Bearer ") => Ok(()),
        _ => Err("no bearer token".into()),
    }
}

/// The title from the cache, else from PostgreSQL (then cached).
async fn cached_title(services: &Services, id: u32) -> Result<String, Error> {
    let mut cache = services.cache.clone();
    let key = format!("example:report:{id}:title");
    let cached: Option<String> = redis::cmd("GET").arg(&key).query_async(&mut cache).await?;
    if let Some(title) = cached {
        return Ok(title);
    }
    let title: String = sqlx::query_scalar("SELECT title FROM example_reports WHERE id = $1")
        .bind(i32::try_from(id)?)
        .fetch_one(&services.db)
        .await?;
    redis::cmd("SET")
        .arg(&key)
        .arg(&title)
        .arg("EX")
        .arg(5)
        .query_async::<()>(&mut cache)
        .await?;
    Ok(title)
}

/// Numbers from a data service.
async fn fetch(
    services: &Services,
    service: SocketAddr,
    id: u32,
    debug: bool,
) -> Result<Vec<u64>, Error> {
    let mut request = services.http.get(format!("http://{service}/data/{id}"));
    if debug {
        request = request.header("x-debug", "1");
    }
    let response = request.send().await?.error_for_status()?;
    Ok(response
        .text()
        .await?
        .split(',')
        .filter_map(|n| n.parse().ok())
        .collect())
}

/// The data combined on the rayon pool, each item in the request's span.
fn prepare(stock: Vec<u64>, prices: Vec<u64>) -> u64 {
    let _span = tracing::info_span!("prepare report").entered();
    stock
        .into_par_iter()
        .zip(prices)
        .map_in_current_span(|(count, price)| count * price)
        .sum()
}
