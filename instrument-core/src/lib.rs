//! The one place that creates spans for the `instrument` crates.
//!
//! Wrapper crates (`instrument-sqlx`, `instrument-redis`, ...) never call `tracing::span!`
//! themselves. They *describe* a call, get back a [`CallSpan`], run the call inside it
//! and record the outcome; this crate owns the kill switch, the span names and
//! attributes of the [OpenTelemetry semantic conventions], sanitization, and error
//! recording.
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
//! - [`DbCall`], [`HttpClientCall`], [`HttpServerCall`]: call descriptions.
//! - [`CallSpan`]: the started span; `record_*` methods record the outcome.
//! - [`Traced`] and [`TracedStream`]: keep a span open over a future or a whole stream.
//! - [`sql`]: `db.query.summary` extraction and the literal sanitizer.
//! - [`testing`] (feature `testing`): capture spans in tests, in parallel threads.
//!
//! [OpenTelemetry semantic conventions]: https://opentelemetry.io/docs/specs/semconv/
#![cfg_attr(docsrs, feature(doc_cfg))]

mod db;
pub mod env;
mod future;
mod http;
mod library;
mod span;
pub mod sql;
mod stream;
mod switch;
#[cfg(feature = "testing")]
#[cfg_attr(docsrs, doc(cfg(feature = "testing")))]
pub mod testing;

pub use db::{DbCall, DbSystem, QueryText};
pub use future::{RecordOutput, RecordResult, Traced};
pub use http::{HttpClientCall, HttpServerCall, redact_url};
pub use library::{Library, recording};
pub use span::{CallSpan, ErrorInfo};
pub use stream::{CountRows, EachItem, ObserveEnd, ObserveItems, TracedStream, each_item};
pub use switch::{
    enabled, ensure_env_read, globally_enabled, sdk_disabled_by_env, set_enabled,
    set_library_enabled,
};

/// The `tracing-opentelemetry` layer as this project configures it, for `init()` and for
/// [`testing`] alike, so captured spans are exactly what is exported: semantic-convention
/// attributes only, without the layer's source-location, target, thread and busy/idle extras.
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

/// Reports a configuration problem: as a `tracing` warning when a subscriber is listening,
/// else on stderr, so a rejected setting is never silent.
pub fn warn_config(message: &str) {
    let listening = tracing::dispatcher::get_default(|dispatch| {
        !dispatch.is::<tracing::subscriber::NoSubscriber>()
    });
    if listening {
        tracing::warn!(target: "instrument", "{message}");
    } else {
        warn_on_stderr(message);
    }
}

/// Reports a configuration problem on stderr, for when no log output is installed.
pub fn warn_on_stderr(message: &str) {
    eprintln!("instrument: warning: {message}");
}
