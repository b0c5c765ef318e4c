//! The environment's say in how much query text is recorded.

use std::sync::OnceLock;

use instrument_core::QueryText;

/// The environment variable for [`QueryText`]: `sanitized` (the default: queries with
/// parameters as written, others with their literals replaced by `?`), `as_written` or
/// `off`. [`Client::query_text`](crate::Client::query_text) overrides it.
pub const OTEL_RUST_TOKIO_POSTGRES_QUERY_TEXT: &str = "OTEL_RUST_TOKIO_POSTGRES_QUERY_TEXT";

/// [`OTEL_RUST_TOKIO_POSTGRES_QUERY_TEXT`], read once; a rejected value warns and keeps
/// the default.
pub(crate) fn query_text_from_env() -> QueryText {
    static FROM_ENV: OnceLock<QueryText> = OnceLock::new();
    *FROM_ENV.get_or_init(|| QueryText::from_env_var(OTEL_RUST_TOKIO_POSTGRES_QUERY_TEXT))
}
