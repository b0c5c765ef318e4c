//! One workload, `n` times, in one mode, for counting instructions with callgrind
//! (`benchmarks/run` runs every case and prints the table of BENCHMARKS.md).
//!
//! ```text
//! ours {sqlx|redis|tokio-postgres|reqwest} {raw|off|traced|spans-only|sdk|reqwest-tracing} N
//! ours {lapin-publish|lapin-consume|nats-publish|nats-consume} {raw|off|traced|spans-only} N
//! ours redis-keys {raw|off|traced|spans-only} N   # GETs of a thousand keys in turn
//! ours redis-concurrent {raw|traced} N      # N GETs in flight at once; peak memory
//! ours reqwest-concurrent {raw|traced|spans-only|sdk} N   # N HTTP GETs in flight at once; peak memory
//! ours propagation {none|at-limits|megabyte|repeated} N   # extracting incoming headers
//! ours pipeline {none|traced|sdk} N   # N spans, no I/O, ended on two threads at once
//! ```
//!
//! Every mode runs under the same pipeline, the real `init()` one, exporting through
//! the batch processor to an exporter that drops the spans, and the calls' metrics to a
//! metric exporter that drops them:
//!
//! - `raw`: the library's own client;
//! - `off`: our client with its library switched off at run time;
//! - `traced`: our client, its span and its metrics;
//! - `spans-only`: our client with no meter provider installed: its span only;
//! - `sdk`: the library's own client inside a span made by hand through the
//!   OpenTelemetry SDK, with the attributes our span has: the floor for any
//!   instrumentation that makes an SDK span per call;
//! - `reqwest-tracing` (reqwest only): reqwest-middleware with reqwest-tracing's
//!   middleware, over tracing-opentelemetry configured as `init()` configures it.

mod messaging;

use std::net::SocketAddr;

use instrument::Library;
use opentelemetry::KeyValue;
use opentelemetry::trace::{Span as _, SpanKind, Tracer as _, TracerProvider as _};
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::metrics::Temporality;
use opentelemetry_sdk::metrics::data::ResourceMetrics;
use opentelemetry_sdk::metrics::exporter::PushMetricExporter;
use opentelemetry_sdk::trace::{
    BatchConfigBuilder, BatchSpanProcessor, SdkTracer, SdkTracerProvider, SpanData, SpanExporter,
};

use std::sync::atomic::{AtomicUsize, Ordering};

/// Spans the exporter was handed, printed at the end: each case must export one span
/// per call (none for `raw` and `off`), or its figure means nothing.
static EXPORTED: AtomicUsize = AtomicUsize::new(0);

/// Takes every batch and drops it.
#[derive(Debug)]
struct Drop;

impl SpanExporter for Drop {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        EXPORTED.fetch_add(batch.len(), Ordering::Relaxed);
        std::mem::drop(batch);
        Ok(())
    }
}

/// Takes every metrics export and drops it.
#[derive(Debug)]
struct DropMetrics;

impl PushMetricExporter for DropMetrics {
    async fn export(&self, metrics: &ResourceMetrics) -> OTelSdkResult {
        std::hint::black_box(metrics);
        Ok(())
    }

    fn force_flush(&self) -> OTelSdkResult {
        Ok(())
    }

    fn shutdown_with_timeout(&self, _timeout: std::time::Duration) -> OTelSdkResult {
        Ok(())
    }

    fn temporality(&self) -> Temporality {
        Temporality::Cumulative
    }
}

fn database_url() -> String {
    std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

fn redis_url() -> String {
    std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379/".to_owned())
}

/// A CLIENT span made by hand with `attributes`, around `call`.
async fn in_sdk_span<T>(
    tracer: &SdkTracer,
    name: &'static str,
    attributes: &[KeyValue],
    call: impl Future<Output = T>,
) -> T {
    let mut span = tracer
        .span_builder(name)
        .with_kind(SpanKind::Client)
        .with_attributes(attributes.to_vec())
        .start(tracer);
    let output = call.await;
    span.set_attribute(KeyValue::new("db.response.returned_rows", 1));
    span.end();
    output
}

/// The attributes of a `GET` of `url` on the in-process server at `address`, as our
/// span has them at its start.
fn get_attributes(url: &str, address: SocketAddr) -> Vec<KeyValue> {
    vec![
        KeyValue::new("http.request.method", "GET"),
        KeyValue::new("url.full", url.to_owned()),
        KeyValue::new("server.address", "127.0.0.1"),
        KeyValue::new("server.port", i64::from(address.port())),
    ]
}

fn db_attributes(system: &'static str, text: &'static str, summary: &'static str) -> Vec<KeyValue> {
    vec![
        KeyValue::new("db.system.name", system),
        KeyValue::new("db.namespace", "test"),
        KeyValue::new("db.query.text", text),
        KeyValue::new("db.query.summary", summary),
        KeyValue::new("server.address", "127.0.0.1"),
    ]
}

async fn sqlx(mode: &str, n: usize, tracer: &SdkTracer) {
    let url = database_url();
    let select_1 = || sqlx::query_as::<_, (i32,)>("SELECT 1");
    match mode {
        "raw" | "raw-bare" | "sdk" => {
            let pool = sqlx::PgPool::connect(&url).await.expect("postgres");
            let attributes = db_attributes("postgresql", "SELECT 1", "SELECT");
            for _ in 0..n {
                let row = if mode == "sdk" {
                    in_sdk_span(tracer, "SELECT", &attributes, select_1().fetch_one(&pool)).await
                } else {
                    select_1().fetch_one(&pool).await
                };
                assert_eq!(row.expect("SELECT 1").0, 1);
            }
        }
        _ => {
            let pool = instrument::sqlx::PgPool::connect(&url)
                .await
                .expect("postgres");
            for _ in 0..n {
                assert_eq!(select_1().fetch_one(&pool).await.expect("SELECT 1").0, 1);
            }
        }
    }
}

async fn redis_get(mode: &str, n: usize, tracer: &SdkTracer) {
    use redis::AsyncCommands as _;
    let url = redis_url();
    let raw = redis::Client::open(url.as_str()).expect("redis url");
    let mut raw = raw.get_multiplexed_async_connection().await.expect("redis");
    let _: () = raw.set("bench:key", "value").await.expect("SET");
    match mode {
        "raw" | "raw-bare" | "sdk" => {
            let attributes = vec![
                KeyValue::new("db.system.name", "redis"),
                KeyValue::new("db.namespace", "0"),
                KeyValue::new("db.query.text", "GET ?"),
                KeyValue::new("db.operation.name", "GET"),
                KeyValue::new("server.address", "127.0.0.1"),
            ];
            for _ in 0..n {
                let value: redis::RedisResult<String> = if mode == "sdk" {
                    in_sdk_span(tracer, "GET", &attributes, raw.get("bench:key")).await
                } else {
                    raw.get("bench:key").await
                };
                assert_eq!(value.expect("GET"), "value");
            }
        }
        _ => {
            let client = instrument::redis::Client::open(url.as_str()).expect("redis url");
            let mut traced = client
                .get_multiplexed_async_connection()
                .await
                .expect("redis");
            for _ in 0..n {
                let value: String = traced.get("bench:key").await.expect("GET");
                assert_eq!(value, "value");
            }
        }
    }
}

/// Redis GETs of a thousand different keys in turn (none set): each call's masked text
/// differs from the last few, so it is copied for its span (`redis` repeats one key,
/// whose text its spans share).
async fn redis_keys(mode: &str, n: usize) {
    use redis::AsyncCommands as _;
    let url = redis_url();
    let key = |i: usize| format!("bench:missing:{}", i % 1000);
    if mode == "raw" {
        let raw = redis::Client::open(url.as_str()).expect("redis url");
        let mut raw = raw.get_multiplexed_async_connection().await.expect("redis");
        for i in 0..n {
            let value: Option<String> = raw.get(key(i)).await.expect("GET");
            assert_eq!(value, None);
        }
    } else {
        let client = instrument::redis::Client::open(url.as_str()).expect("redis url");
        let mut traced = client
            .get_multiplexed_async_connection()
            .await
            .expect("redis");
        for i in 0..n {
            let value: Option<String> = traced.get(key(i)).await.expect("GET");
            assert_eq!(value, None);
        }
    }
}

/// `n` spans in all, made and ended on two threads at once with no call inside: what
/// handing spans to the export pipeline costs when threads end them together.
/// `none`: the two threads and no span; `traced`: a Redis command's span as our wrapper describes it, through `init()`'s
/// pipeline; `sdk`: a span with the same attributes through the SDK's own batch
/// processor.
fn pipeline(mode: &str, n: usize, tracer: &SdkTracer) {
    let attributes = db_attributes("redis", "GET ?", "GET");
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| {
                for _ in 0..n / 2 {
                    if mode == "none" {
                        std::hint::black_box(&attributes);
                    } else if mode == "sdk" {
                        let mut span = tracer
                            .span_builder("GET")
                            .with_kind(SpanKind::Client)
                            .with_attributes(attributes.to_vec())
                            .start(tracer);
                        span.end();
                    } else {
                        let span = instrument_core::DbCall::new(
                            Library::Redis,
                            instrument_core::DbSystem::Redis,
                        )
                        .namespace("0")
                        .operation("GET")
                        .masked_query("GET ?")
                        .server("127.0.0.1", Some(6379))
                        .start();
                        drop(std::hint::black_box(span));
                    }
                }
            });
        }
    });
}

/// `n` GETs in flight at once on one multiplexed connection; prints the peak resident
/// memory of the process (whole-process figures: compare modes, not absolute values).
async fn redis_concurrent(mode: &str, n: usize) {
    use redis::AsyncCommands as _;
    let url = redis_url();
    let raw = redis::Client::open(url.as_str()).expect("redis url");
    let mut setup = raw.get_multiplexed_async_connection().await.expect("redis");
    let _: () = setup.set("bench:key", "value").await.expect("SET");
    // redis-rs's default response timeout: the GETs must complete traced whenever they
    // complete raw.
    let values: Vec<redis::RedisResult<String>> = match mode {
        "raw" => {
            let connection = raw.get_multiplexed_async_connection().await.expect("redis");
            let gets = (0..n).map(|_| {
                let mut connection = connection.clone();
                async move { connection.get("bench:key").await }
            });
            futures_util::future::join_all(gets).await
        }
        _ => {
            let client = instrument::redis::Client::open(url.as_str()).expect("redis url");
            let connection = client
                .get_multiplexed_async_connection()
                .await
                .expect("redis");
            let gets = (0..n).map(|_| {
                let mut connection = connection.clone();
                async move { connection.get("bench:key").await }
            });
            futures_util::future::join_all(gets).await
        }
    };
    let failed = values.iter().filter(|value| value.is_err()).count();
    let peak = peak_resident();
    println!("{mode} {n} concurrent GETs: {failed} failed, peak resident {peak}");
}

/// The process's peak resident memory so far, as `/proc/self/status` writes it.
fn peak_resident() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|line| line.starts_with("VmHWM:"))
                .map(|line| line.trim_start_matches("VmHWM:").trim().to_owned())
        })
        .unwrap_or_default()
}

/// `n` GETs in flight at once, each on its own connection to the in-process server,
/// which holds every answer until all `n` requests have arrived; prints the peak
/// resident memory of the process (compare modes, not absolute values).
async fn reqwest_concurrent(mode: &str, n: usize, tracer: &SdkTracer) {
    let arrived = std::sync::Arc::new(tokio::sync::Barrier::new(n));
    let app = axum::Router::new().route(
        "/item",
        axum::routing::get(move || {
            let arrived = arrived.clone();
            async move {
                arrived.wait().await;
                "item"
            }
        }),
    );
    // A backlog for every connection at once: with the default (1,024) the kernel drops
    // the rest of a burst and their clients wait out SYN retries.
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket
        .bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .expect("bind");
    let listener = socket
        .listen(u32::try_from(n).unwrap_or(u32::MAX))
        .expect("listen");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    let url = format!("http://{address}/item");
    let url = url.as_str();
    let statuses: Vec<Result<u16, reqwest::Error>> = match mode {
        "raw" => {
            let client = reqwest::Client::new();
            let gets = (0..n).map(|_| async {
                let response = client.get(url).send().await?;
                Ok(response.status().as_u16())
            });
            futures_util::future::join_all(gets).await
        }
        // The floor of a span per request: `reqwest`'s `sdk` span, no header added.
        "sdk" => {
            let client = reqwest::Client::new();
            let attributes = get_attributes(url, address);
            let (client, attributes) = (&client, &attributes);
            let gets = (0..n).map(|_| async move {
                let response =
                    in_sdk_span(tracer, "GET", attributes, client.get(url).send()).await?;
                Ok(response.status().as_u16())
            });
            futures_util::future::join_all(gets).await
        }
        _ => {
            let client = instrument::reqwest::Client::new();
            let gets = (0..n).map(|_| async {
                let response = client.get(url).send().await?;
                Ok(response.status().as_u16())
            });
            futures_util::future::join_all(gets).await
        }
    };
    let failed = statuses
        .iter()
        .filter(|status| !matches!(status, Ok(200)))
        .count();
    let peak = peak_resident();
    println!("{mode} {n} concurrent GETs over HTTP: {failed} failed, peak resident {peak}");
}

async fn tokio_postgres(mode: &str, n: usize, tracer: &SdkTracer) {
    let url = database_url();
    match mode {
        "raw" | "raw-bare" | "sdk" => {
            let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
                .await
                .expect("postgres");
            tokio::spawn(connection);
            let statement = client.prepare("SELECT 1").await.expect("prepare");
            let attributes = db_attributes("postgresql", "SELECT 1", "SELECT");
            for _ in 0..n {
                let row = if mode == "sdk" {
                    in_sdk_span(
                        tracer,
                        "SELECT",
                        &attributes,
                        client.query_one(&statement, &[]),
                    )
                    .await
                } else {
                    client.query_one(&statement, &[]).await
                };
                assert_eq!(row.expect("SELECT 1").get::<_, i32>(0), 1);
            }
        }
        _ => {
            let (client, connection) =
                instrument::tokio_postgres::connect(&url, tokio_postgres::NoTls)
                    .await
                    .expect("postgres");
            tokio::spawn(connection);
            let statement = client.prepare("SELECT 1").await.expect("prepare");
            for _ in 0..n {
                let row = client.query_one(&statement, &[]).await.expect("SELECT 1");
                assert_eq!(row.get::<_, i32>(0), 1);
            }
        }
    }
}

async fn serve() -> SocketAddr {
    let app = axum::Router::new().route("/item", axum::routing::get(|| async { "item" }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    address
}

async fn reqwest_get(mode: &str, n: usize, tracer: &SdkTracer) {
    let address = serve().await;
    let url = format!("http://{address}/item");
    match mode {
        "raw" | "raw-bare" | "sdk" => {
            let client = reqwest::Client::new();
            let attributes = get_attributes(&url, address);
            for _ in 0..n {
                let response = if mode == "sdk" {
                    in_sdk_span(tracer, "GET", &attributes, client.get(&url).send()).await
                } else {
                    client.get(&url).send().await
                };
                assert!(response.expect("GET").status().is_success());
            }
        }
        "reqwest-tracing" => {
            let client = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
                .with(reqwest_tracing::TracingMiddleware::default())
                .build();
            for _ in 0..n {
                let response = client.get(&url).send().await.expect("GET");
                assert!(response.status().is_success());
            }
        }
        _ => {
            let client = instrument::reqwest::Client::new();
            for _ in 0..n {
                let response = client.get(&url).send().await.expect("GET");
                assert!(response.status().is_success());
            }
        }
    }
}

/// Incoming propagation headers: none; at the W3C limits (a traceparent, a tracestate of
/// 32 members and 512 bytes, a baggage of 64 members and 8,192 bytes); a megabyte each
/// of tracestate and baggage members; or 10,000 repeated headers of each.
fn propagation_headers(mode: &str) -> http::HeaderMap {
    const TRACEPARENT: &str = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    let mut headers = http::HeaderMap::new();
    let mut add = |name: &'static str, value: String| {
        headers.append(name, http::HeaderValue::from_str(&value).expect("header"));
    };
    match mode {
        "none" => {}
        "at-limits" => {
            add("traceparent", TRACEPARENT.to_owned());
            // 32 members of 15 bytes and the commas: 511 bytes.
            let state: Vec<String> = (0..32).map(|i| format!("vendor{i:02}=abcdef")).collect();
            add("tracestate", state.join(",").chars().take(512).collect());
            // 64 members of 127 bytes and the commas: 8,191 bytes.
            let baggage: Vec<String> = (0..64)
                .map(|i| format!("key{i:02}={}", "v".repeat(121)))
                .collect();
            add("baggage", baggage.join(","));
        }
        "megabyte" => {
            add("traceparent", TRACEPARENT.to_owned());
            let state: Vec<String> = (0..70_000).map(|i| format!("v{i}=abcdef")).collect();
            add("tracestate", state.join(","));
            let baggage: Vec<String> = (0..70_000).map(|i| format!("k{i}=value")).collect();
            add("baggage", baggage.join(","));
        }
        "repeated" => {
            for i in 0..10_000 {
                add("traceparent", TRACEPARENT.to_owned());
                add("tracestate", format!("v{i}=abcdef"));
                add("baggage", format!("k{i}=value"));
            }
        }
        other => panic!("unknown propagation mode {other}"),
    }
    headers
}

/// Extracts the context of `mode`'s headers `n` times, as the server layer does.
fn propagation(mode: &str, n: usize) {
    use instrument_core::propagation::{
        BaggagePropagator, HeaderExtractor, TraceContextPropagator,
    };
    use opentelemetry::propagation::TextMapPropagator as _;
    let headers = propagation_headers(mode);
    let (trace_context, baggage) = (TraceContextPropagator::new(), BaggagePropagator::new());
    for _ in 0..n {
        let extractor = HeaderExtractor(&headers);
        let context =
            trace_context.extract_with_context(&opentelemetry::Context::new(), &extractor);
        let context = baggage.extract_with_context(&context, &extractor);
        std::hint::black_box(context);
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [workload, mode, n] = args.as_slice() else {
        eprintln!("usage: ours WORKLOAD MODE N");
        std::process::exit(2);
    };
    let n: usize = n.parse().expect("N, a number of calls");
    if workload == "propagation" {
        // Pure computation: no pipeline, no runtime.
        propagation(mode, n);
        return;
    }
    // The real init() pipeline, exporting to nowhere, in every mode (`raw-bare`: raw
    // with nothing installed, to show what installing it costs the raw calls).
    // `spans-only`: traced, with no meter provider, to show what the metrics add.
    let guard = (mode != "raw-bare").then(|| {
        let mut builder = instrument::builder().span_exporter(Drop).logs(false);
        if workload == "pipeline" {
            // Every span kept: none dropped for a full queue.
            builder = builder.queue_size(n.max(2048));
        }
        let builder = if mode == "spans-only" {
            builder
        } else {
            builder.metric_exporter(DropMetrics)
        };
        builder.init().expect("init")
    });
    let provider = SdkTracerProvider::builder()
        .with_span_processor(
            BatchSpanProcessor::builder(Drop)
                .with_batch_config(
                    BatchConfigBuilder::default()
                        .with_max_queue_size(if workload == "pipeline" {
                            n.max(2048)
                        } else {
                            2048
                        })
                        .build(),
                )
                .build(),
        )
        .build();
    let tracer = provider.tracer("bench");
    if workload == "pipeline" {
        pipeline(mode, n, &tracer);
        let _ = provider.shutdown();
        drop(guard);
        eprintln!("exported spans: {}", EXPORTED.load(Ordering::Relaxed));
        return;
    }
    if mode == "off" {
        for library in Library::ALL {
            instrument::set_library_enabled(library, false);
        }
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        match workload.as_str() {
            "sqlx" => sqlx(mode, n, &tracer).await,
            "redis" => redis_get(mode, n, &tracer).await,
            "redis-keys" => redis_keys(mode, n).await,
            "redis-concurrent" => redis_concurrent(mode, n).await,
            "tokio-postgres" => tokio_postgres(mode, n, &tracer).await,
            "reqwest" => reqwest_get(mode, n, &tracer).await,
            "reqwest-concurrent" => reqwest_concurrent(mode, n, &tracer).await,
            "lapin-publish" => messaging::lapin_publish(mode, n).await,
            "lapin-consume" => messaging::lapin_consume(mode, n).await,
            "nats-publish" => messaging::nats_publish(mode, n).await,
            "nats-consume" => messaging::nats_consume(mode, n).await,
            other => panic!("unknown workload {other}"),
        }
    });
    let _ = provider.shutdown();
    drop(guard);
    eprintln!("exported spans: {}", EXPORTED.load(Ordering::Relaxed));
}
