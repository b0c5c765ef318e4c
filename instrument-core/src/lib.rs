//! The one place that creates spans for the `instrument` crates.
//!
//! Wrapper crates (`instrument-sqlx`, `instrument-redis`, ...) never make spans
//! themselves. They *describe* a call, get back a [`CallSpan`], run the call inside it
//! and record the outcome; this crate owns the kill switch, the span names and
//! attributes of the [OpenTelemetry semantic conventions], sanitization, and error
//! recording. Spans go straight through the OpenTelemetry SDK, and join the
//! application's `tracing` spans in one tree both ways: see [`emit`].
//!
//! ```
//! use instrument_core::{DbCall, DbSystem, ErrorInfo, Library};
//!
//! fn query_users() -> Result<u64, std::io::Error> {
//!     Ok(3)
//! }
//!
//! // A wrapper's whole job, for one call:
//! let span = DbCall::new(Library::Sqlx, DbSystem::Postgresql)
//!     .namespace("shop")
//!     .sql("SELECT * FROM users WHERE name = 'alice'", false) // inline literal: sanitized
//!     .start();
//! match span.in_scope(query_users) {
//!     Ok(rows) => span.record_returned_rows(rows),
//!     Err(error) => span.record_error(&error, ErrorInfo::new().error_type("io")),
//! }
//! ```
//!
//! With the `testing` feature, [`testing::capture`] shows what that span looks like to
//! an exporter: named `SELECT users`, kind CLIENT, `db.query.text` =
//! `SELECT * FROM users WHERE name = ?`.
//!
//! # The kill switch
//!
//! [`enabled`] is the first thing every wrapper calls: one relaxed atomic load. When it
//! says no, the wrapper calls straight through, with no span, no string work and no
//! allocation. It is read from `OTEL_SDK_DISABLED` (only `true`, in any case, disables)
//! and `OTEL_RUST_DISABLED_INSTRUMENTATIONS` (a comma list of [`Library`] names, or `*`)
//! on first use, and can be changed at run time with [`set_enabled`] and
//! [`set_library_enabled`]. Rejected values give one warning naming the variable.
//!
//! # Pieces
//!
//! - [`DbCall`], [`HttpClientCall`], [`HttpServerCall`],
//!   [`MessagingCall`](messaging::MessagingCall): call descriptions; [`Text`] and
//!   [`OwnedText`] for the strings a wrapper keeps anyway (recorded without interning
//!   them per call).
//! - [`hooks`]: the one shape of every wrapper's hooks (skip a call, name its span, add
//!   attributes at its start and end), as traits that closures implement.
//! - [`CallSpan`]: the started span; `record_*` methods record the outcome, on the span
//!   and on the call's [`metrics`] (recorded when the call ends, sampled or not).
//! - [`Traced`] and [`TracedStream`]: keep a span open over a future or a whole stream;
//!   [`LazyTraced`]: a library's own future, its span made at the first poll, and
//!   nothing but one test per poll when switched off.
//! - [`sql`]: `db.query.summary` extraction and the literal sanitizer (computed once per
//!   distinct statement text, from a bounded cache).
//! - [`redact`]: what never reaches a span: credentials in URLs and headers, values in
//!   database error messages.
//! - [`emit`]: which tracer makes the spans, and how they find their parent.
//! - [`SpanEvents`], [`otel_layer`], [`exported`]: the application's own `tracing` spans
//!   and events, as `init()` and the `testing` capture export them.
//! - [`testing`] (feature `testing`): capture spans and metrics in tests, in parallel
//!   threads.
//!
//! [OpenTelemetry semantic conventions]: https://opentelemetry.io/docs/specs/semconv/
#![cfg_attr(docsrs, feature(doc_cfg))]

mod db;
pub mod emit;
pub mod env;
mod events;
mod future;
pub mod hooks;
mod http;
mod intern;
mod library;
pub mod messaging;
pub mod metrics;
pub mod pool;
pub mod propagation;
mod recent;
pub mod redact;
mod span;
pub mod sql;
mod statements;
mod stream;
mod switch;
#[cfg(feature = "testing")]
#[cfg_attr(docsrs, doc(cfg(feature = "testing")))]
pub mod testing;
mod text;
mod work;

pub use db::{DbCall, DbSystem, QueryText};
pub use events::SpanEvents;
pub use future::{LazyTraced, RecordOutput, RecordResult, Traced};
pub use http::{HttpClientCall, HttpServerCall, protocol_version_name};
pub use library::{Library, SCHEMA_URL, recording};
pub use redact::{redact_query, redact_url};
pub use span::{CallSpan, ErrorInfo};
pub use stream::{CountRows, EachItem, ObserveEnd, ObserveItems, TracedStream, each_item};
pub use switch::{
    enabled, ensure_env_read, globally_enabled, sdk_disabled_by_env, set_enabled,
    set_library_enabled,
};
pub use text::{OwnedText, Text};
pub use work::{WorkCall, detached_context};

/// The `tracing-opentelemetry` layer as this project configures it for the application's
/// own `tracing` spans, for `init()` and for [`testing`] alike, so captured spans are
/// exactly what is exported: semantic-convention attributes only, without the layer's
/// source-location, target, thread and busy/idle extras. Its context activation (the
/// default) makes an entered `tracing` span's context current: see [`emit`]. Give it
/// spans only: events go through [`SpanEvents`], which also finds our spans.
pub fn otel_layer<S, T>(tracer: T) -> tracing_opentelemetry::OpenTelemetryLayer<S, T>
where
    S: tracing::Subscriber + for<'span> tracing_subscriber::registry::LookupSpan<'span>,
    T: opentelemetry::trace::Tracer + 'static,
    T::Span: Send + Sync,
{
    tracing_opentelemetry::layer()
        .with_tracer(tracer)
        .with_location(false)
        .with_target(false)
        .with_threads(false)
        .with_tracked_inactivity(false)
}

/// Crates whose log events never become span events, whatever the filter: database,
/// cache, HTTP, TLS and runtime libraries log statements, bound values, notices and
/// connection details (sqlx's `sqlx::query` repeats every statement as written, literals
/// and all; `sqlx::postgres::notice` can quote bound values). Code compiled from the
/// cargo registry or a git checkout is treated the same way (see [`exported`]).
const LIBRARY_EVENT_TARGETS: &[&str] = &[
    "sqlx",
    "sqlx_core",
    "sqlx_postgres",
    "sqlx_mysql",
    "sqlx_sqlite",
    "tokio_postgres",
    "postgres",
    "deadpool",
    "deadpool_postgres",
    "redis",
    "hyper",
    "hyper_util",
    "h2",
    "h3",
    "reqwest",
    "reqwest_middleware",
    "rustls",
    "tokio_rustls",
    "native_tls",
    "tonic",
    "tower",
    "tower_http",
    "axum",
    "tokio",
    "mio",
    "want",
    "rayon",
    "lapin",
    "async_nats",
    "opentelemetry",
    "opentelemetry_sdk",
    "opentelemetry_otlp",
    "opentelemetry_http",
    "tracing_opentelemetry",
    // This project's own crates.
    "instrument",
    "instrument_core",
    "instrument_sqlx",
    "instrument_tokio_postgres",
    "instrument_redis",
    "instrument_reqwest",
    "instrument_tower",
    "instrument_threads",
];

/// Should this span or event reach OpenTelemetry? The per-layer filter of [`SpanEvents`]
/// in `init()` and in [`testing`], beside the level filter: every span, and the events
/// of the application's own code. Events of other libraries (sqlx, tokio-postgres, redis,
/// hyper, h2, reqwest, rustls, tonic, tower, tokio and the like, this project's crates,
/// and any code whose source file lies in the cargo registry or a git checkout) never
/// become span events; they still reach the log output.
pub fn exported(metadata: &tracing::Metadata<'_>) -> bool {
    !metadata.is_event() || !is_library_event(metadata)
}

fn is_library_event(metadata: &tracing::Metadata<'_>) -> bool {
    let target = metadata.target();
    LIBRARY_EVENT_TARGETS
        .iter()
        .any(|prefix| target_is_within(target, prefix))
        || metadata.file().is_some_and(compiled_from_a_dependency)
}

/// Is `file` (a `file!()` path) the source of a crate cargo fetched? Cargo compiles
/// those from `$CARGO_HOME/registry/src/...` or `$CARGO_HOME/git/checkouts/...`, while a
/// workspace's own crates have paths relative to the workspace.
fn compiled_from_a_dependency(file: &str) -> bool {
    [
        "/registry/src/",
        "/git/checkouts/",
        "\\registry\\src\\",
        "\\git\\checkouts\\",
    ]
    .iter()
    .any(|part| file.contains(part))
}

/// Is `target` the module path `prefix` or inside it (`a::b` is within `a`, `ab` is not)?
pub fn target_is_within(target: &str, prefix: &str) -> bool {
    target
        .strip_prefix(prefix)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with("::"))
}

/// Reports a configuration problem: as a `tracing` warning when the subscriber takes
/// warnings of target `instrument`, else on stderr (no subscriber, or a log filter such
/// as `RUST_LOG=myapp=debug` that leaves them out), so a rejected setting is never
/// silent.
pub fn warn_config(message: &str) {
    if tracing::enabled!(target: "instrument", tracing::Level::WARN) {
        tracing::warn!(target: "instrument", "{message}");
    } else {
        warn_on_stderr(message);
    }
}

/// Reports a configuration problem on stderr, for when no log output is installed.
pub fn warn_on_stderr(message: &str) {
    eprintln!("instrument: warning: {message}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dependency_sources_are_told_from_the_workspace() {
        assert!(compiled_from_a_dependency(
            "/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/sqlx-core-0.9.0/src/logger.rs"
        ));
        assert!(compiled_from_a_dependency(
            "C:\\Users\\me\\.cargo\\git\\checkouts\\x-1\\abc\\src\\lib.rs"
        ));
        assert!(!compiled_from_a_dependency("src/main.rs"));
        assert!(!compiled_from_a_dependency(
            "examples/src/bin/quickstart.rs"
        ));
    }

    #[test]
    #[cfg(feature = "testing")]
    fn an_application_crate_named_like_ours_keeps_its_events() {
        fn event(target: &'static str) -> bool {
            let (_, spans) = crate::testing::capture(|| {
                let span = crate::HttpServerCall::new(crate::Library::Tower, "GET", "/").start();
                span.in_scope(|| match target {
                    "instrumentation_app" => tracing::info!(target: "instrumentation_app", "x"),
                    _ => tracing::info!(target: "instrument_core::emit", "x"),
                });
            });
            !spans.named("GET").events.is_empty()
        }
        assert!(event("instrumentation_app"));
        assert!(!event("instrument_core::emit"));
    }

    #[test]
    fn targets_match_modules_not_prefixes() {
        assert!(target_is_within("hyper", "hyper"));
        assert!(target_is_within("hyper::client::conn", "hyper"));
        assert!(!target_is_within("hyperloop", "hyper"));
        assert!(!target_is_within("instrument_reqwest", "reqwest"));
    }
}
