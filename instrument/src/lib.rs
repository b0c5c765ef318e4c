//! Automatic tracing and metrics for Rust services: one `init()` line, and the clients
//! you already use swapped for instrumented ones.
//!
//! ```
//! fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let _guard = instrument::init()?; // reads OTEL_* and RUST_LOG; flushes on drop
//!
//!     let span = tracing::info_span!("checkout", order.id = 42);
//!     let _entered = span.enter();
//!     // database, cache and HTTP calls made through the instrumented clients here
//!     // become children of `checkout`, with OpenTelemetry attributes
//!     Ok(())
//! }
//! ```
//!
//! With `OTEL_TRACES_EXPORTER=console` each finished trace is drawn on stderr:
//!
//! ```text
//! trace 0af7651916cd43dd8448eb211c80319c · 3 spans · 4.1ms
//! checkout                        4.1ms ▕██████████████████████████████████████████▏
//!   SELECT orders                 1.2ms ▕  ████████████                            ▏
//!   GET                           2.3ms ▕               ███████████████████████    ▏
//! ```
//!
//! # Configuration
//!
//! Environment first; the main settings can be overridden in code through [`builder`]
//! (the OTLP headers, timeouts and batch settings are read from the environment only).
//!
//! | variable | meaning |
//! |---|---|
//! | `OTEL_SDK_DISABLED=true` | no exporter, and every wrapper calls straight through (so no trace context is read or forwarded either) |
//! | `OTEL_RUST_DISABLED_INSTRUMENTATIONS` | `sqlx,redis,...` or `*`: switch single libraries off |
//! | `OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES` | the resource |
//! | `OTEL_TRACES_EXPORTER` | `otlp` (default), `console`, `none` |
//! | `OTEL_METRICS_EXPORTER` | `otlp`, `console` (a table per operation at the end), `none`; unset, where the spans go |
//! | `OTEL_METRIC_EXPORT_INTERVAL` | milliseconds between metric exports (60000) |
//! | `OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE` | `cumulative` (default), `delta`, `lowmemory` |
//! | `OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_EXPORTER_OTLP_PROTOCOL` | `grpc` or `http/protobuf` (default) |
//! | `OTEL_EXPORTER_OTLP_HEADERS`, `OTEL_EXPORTER_OTLP_TIMEOUT` | read by the OTLP exporter |
//! | `OTEL_TRACES_SAMPLER`, `OTEL_TRACES_SAMPLER_ARG` | `parentbased_always_on` (default), `always_on`, `always_off`, `traceidratio` (arg: ratio), `ratelimiting` (arg: spans per second, default 1; traces with `parentbased_`), `jaeger_remote` (arg: `endpoint=...,pollingIntervalMs=...,initialSamplingRate=...`; [`RemoteSampling`]), each also `parentbased_` |
//! | `OTEL_PROPAGATORS` | `tracecontext,baggage` (default), `none`: W3C Trace Context Level 2 and W3C Baggage, by the letter of the specifications (`instrument_core::propagation`) |
//! | `OTEL_BSP_MAX_QUEUE_SIZE` | spans waiting for export before new ones are dropped (2048, at most 1,048,576) |
//! | `OTEL_BSP_MAX_EXPORT_BATCH_SIZE`, `OTEL_BSP_SCHEDULE_DELAY` | the most spans in one export (512) and the longest a span waits for its batch, in ms (5000) |
//! | `RUST_LOG` | filter for log lines only (default `info`); never what is traced |
//! | `OTEL_RUST_LOG_FORMAT` | `plain` (default) or `json`; lines inside a trace end with `trace_id` and `span_id` ([`WithTraceIds`]) |
//! | `OTEL_LOGS_EXPORTER` | `otlp`, `console`, `none` (default): your `tracing` events as OpenTelemetry log records |
//! | `OTEL_BLRP_MAX_QUEUE_SIZE` | log records waiting for export before new ones are dropped (2048, at most 1,048,576) |
//! | `OTEL_RUST_TRACING_FILTER` | which of your own `tracing` spans and events are exported (`RUST_LOG` syntax, default `info`) |
//! | `OTEL_RUST_REDACTED_QUERY_KEYS` | more URL query keys whose values are redacted (comma list), or `*` for every value ([`instrument_core::redact`]) |
//!
//! A span started with `sampling.priority = 1` (or more) is always sampled, whatever the
//! sampler: the debug switch of the OpenTracing days.
//!
//! The same calls record the semantic conventions' metrics (operation and request
//! durations, active requests, pool connections, waits and timeouts), sampled or not:
//! see [`instrument_core::metrics`] and [`instrument_core::pool`].
//!
//! Log lines point at their trace: inside a traced context (a request, your own span,
//! work carried onto a thread or a task) each ends with its `trace_id` and `span_id`.
//! With `OTEL_LOGS_EXPORTER=otlp` your events are also exported as OpenTelemetry log
//! records beside the spans, with the same ids; other libraries' events only when
//! `OTEL_RUST_TRACING_FILTER` names them.
//!
//! The instrumented clients' spans go straight through the OpenTelemetry SDK; your own
//! `tracing` spans are their parents and children as you would expect, and other
//! libraries' log events never become span events. To compose your own subscriber, add
//! [`layer()`] to it instead of calling `init()`.
//!
//! A value that cannot be used gives one warning naming the variable and what it
//! accepts, and the default is used instead. `init()` never panics on configuration,
//! and exporting never blocks the application: spans queue up to a bound, and past it
//! they are dropped and counted, reported once.
//!
//! # Feature flags
//!
//! - `otlp-http` (default): OTLP over HTTP/protobuf.
//! - `otlp-grpc` (default): OTLP over gRPC (runs its own one-thread runtime).
//! - `otlp-tls` (default): `https://` endpoints for both and for the remote sampler
//!   (rustls, the system's trusted certificates). Without it an `https://` endpoint
//!   fails: over gRPC at set-up, with a warning; over HTTP at each export, reported.
//! - `jaeger-remote` (default): `OTEL_TRACES_SAMPLER=jaeger_remote`, the SDK's remote
//!   sampler polling its strategies on that same runtime.
//! - `redis`: [`redis`], traced redis-rs (`instrument_redis::Client` for `redis::Client`).
//! - `sqlx-postgres`, `sqlx-mysql`, `sqlx-sqlite`: [`sqlx`], traced sqlx pools
//!   (`instrument::sqlx::PgPool` for `sqlx::PgPool`, ...), one feature per database.
//! - `tokio-postgres`: [`tokio_postgres`], traced tokio-postgres
//!   (`instrument::tokio_postgres::connect` for `tokio_postgres::connect`);
//!   `deadpool-postgres` adds its pools.
//! - `tower`: [`tower`], the layer that makes each request to an axum, hyper or tonic
//!   server a SERVER span continuing the caller's trace.
//! - `reqwest`: [`reqwest`], the traced HTTP client (`instrument::reqwest::Client` for
//!   `reqwest::Client`), sending the trace context along; `reqwest-middleware` adds
//!   its `TracingMiddleware`. Its builder mirrors reqwest's, setting for setting: the
//!   settings of reqwest's optional features (TLS, compression, cookies, HTTP/2, ...)
//!   come with the same features of `instrument-reqwest`, enabled in your own
//!   `Cargo.toml` (`instrument-reqwest = { version = "0.1", features = ["rustls"] }`).
//! - `threads`: [`threads`], the current span following work onto threads, tokio tasks
//!   and callbacks (`instrument::threads::thread::spawn` for `std::thread::spawn`).
//! - `lapin`: [`lapin`], RabbitMQ through lapin: publishes carry the trace in the
//!   message headers, each delivery continues it (`instrument::lapin::Connection` for
//!   `lapin::Connection`).
//! - `nats`: [`nats`], NATS through async-nats: publishes and requests carry the trace
//!   in the message headers, subscribers and JetStream consumers continue it
//!   (`instrument::nats::connect` for `async_nats::connect`).
//! - `full`: every instrumented library.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod console;
mod export;
mod in_flight;
mod init;
mod log_lines;
mod logs;
mod metrics;
mod otlp;
#[cfg(feature = "jaeger-remote")]
mod remote_sampler;
mod sampler;
mod settings;

pub use init::{Builder, ExportLayer, Guard, InitError, Telemetry, builder, init, layer};
pub use instrument_core::{CallSpan, hooks};
pub use instrument_core::{Library, enabled, globally_enabled, set_enabled, set_library_enabled};
pub use log_lines::{LineWithIds, LogFormat, WithTraceIds};
pub use opentelemetry_sdk::metrics::Temporality;
pub use sampler::{RemoteSampling, SAMPLING_PRIORITY, Sampling};
pub use settings::{Exporter, OtlpProtocol, Propagator};

/// Traced redis-rs: the `instrument-redis` crate.
#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub use instrument_redis as redis;

/// Traced sqlx pools: the `instrument-sqlx` crate.
#[cfg(any(
    feature = "sqlx-postgres",
    feature = "sqlx-mysql",
    feature = "sqlx-sqlite"
))]
#[cfg_attr(
    docsrs,
    doc(cfg(any(
        feature = "sqlx-postgres",
        feature = "sqlx-mysql",
        feature = "sqlx-sqlite"
    )))
)]
pub use instrument_sqlx as sqlx;

/// Traced tokio-postgres: the `instrument-tokio-postgres` crate.
#[cfg(feature = "tokio-postgres")]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio-postgres")))]
pub use instrument_tokio_postgres as tokio_postgres;

/// The server layer: the `instrument-tower` crate.
#[cfg(feature = "tower")]
#[cfg_attr(docsrs, doc(cfg(feature = "tower")))]
pub use instrument_tower as tower;

/// The traced HTTP client: the `instrument-reqwest` crate.
#[cfg(feature = "reqwest")]
#[cfg_attr(docsrs, doc(cfg(feature = "reqwest")))]
pub use instrument_reqwest as reqwest;

/// Spans that follow work onto threads, tasks and callbacks: the `instrument-threads`
/// crate.
#[cfg(feature = "threads")]
#[cfg_attr(docsrs, doc(cfg(feature = "threads")))]
pub use instrument_threads as threads;

/// RabbitMQ, traced: the `instrument-lapin` crate.
#[cfg(feature = "lapin")]
#[cfg_attr(docsrs, doc(cfg(feature = "lapin")))]
pub use instrument_lapin as lapin;

/// NATS, traced: the `instrument-nats` crate.
#[cfg(feature = "nats")]
#[cfg_attr(docsrs, doc(cfg(feature = "nats")))]
pub use instrument_nats as nats;
