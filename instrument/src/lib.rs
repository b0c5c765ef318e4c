//! Automatic tracing for Rust services: one `init()` line, and the clients you already
//! use swapped for instrumented ones.
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
//! Environment first; each variable can be overridden in code through [`builder`].
//!
//! | variable | meaning |
//! |---|---|
//! | `OTEL_SDK_DISABLED=true` | no exporter, and every wrapper calls straight through |
//! | `OTEL_RUST_DISABLED_INSTRUMENTATIONS` | `sqlx,redis,...` or `*`: switch single libraries off |
//! | `OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES` | the resource |
//! | `OTEL_TRACES_EXPORTER` | `otlp` (default), `console`, `none` |
//! | `OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_EXPORTER_OTLP_PROTOCOL` | `grpc` or `http/protobuf` (default) |
//! | `OTEL_EXPORTER_OTLP_HEADERS`, `OTEL_EXPORTER_OTLP_TIMEOUT` | read by the OTLP exporter |
//! | `OTEL_TRACES_SAMPLER`, `OTEL_TRACES_SAMPLER_ARG` | `parentbased_always_on` (default), `always_on`, `always_off`, `traceidratio` (arg: ratio), `ratelimiting` (arg: traces per second, default 1), each also `parentbased_` |
//! | `OTEL_PROPAGATORS` | `tracecontext,baggage` (default), `none` |
//! | `OTEL_BSP_MAX_QUEUE_SIZE` | spans waiting for export before new ones are dropped (2048) |
//! | `RUST_LOG` | filter for logs and spans (default `info`) |
//!
//! A span started with `sampling.priority = 1` (or more) is always sampled, whatever the
//! sampler: the debug switch of the OpenTracing days.
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
//! - `redis`: [`redis`], traced redis-rs (`instrument_redis::Client` for `redis::Client`).
//! - `full`: every instrumented library.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod console;
mod export;
mod init;
mod otlp;
mod sampler;
mod settings;

pub use init::{Builder, Guard, InitError, Telemetry, builder, init};
pub use instrument_core::{Library, enabled, globally_enabled, set_enabled, set_library_enabled};
pub use sampler::{SAMPLING_PRIORITY, Sampling};
pub use settings::{Exporter, OtlpProtocol, Propagator};

/// Traced redis-rs: the `instrument-redis` crate.
#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub use instrument_redis as redis;
