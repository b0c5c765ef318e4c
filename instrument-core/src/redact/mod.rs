//! What never reaches a span: credentials and personal data in URLs, headers and
//! database error messages.
//!
//! Every wrapper records through these rules; none can be turned off by accident, and
//! each can be widened or, for one named header, narrowed on purpose:
//!
//! - URLs ([`redact_url`], [`redact_query`], [`redact_urls_in_text`]): userinfo becomes
//!   `REDACTED:REDACTED`, the fragment is dropped, and the values of sensitive query
//!   keys become `REDACTED`. Keys are compared after percent-decoding, ignoring case,
//!   `-` and `_`: the semantic conventions' list plus the usual names of tokens, keys,
//!   secrets, passwords, sessions and signatures ([`is_sensitive_query_key`]). More
//!   keys, or every value: [`QueryRedaction`], from [`OTEL_RUST_REDACTED_QUERY_KEYS`]
//!   or `instrument::Builder::redact_query_keys`.
//! - Headers ([`HeaderCapture`]): only headers named for capture are recorded, and the
//!   values of credential headers ([`is_sensitive_header`]) are `REDACTED` unless a
//!   header is opted out by name.
//! - Database error messages ([`mask_database_message`]): values the server echoes
//!   back become `?`; wording, codes and names stay.

mod database;
mod headers;
mod url;

pub use database::{
    MAX_MESSAGE_BYTES, RAISED_BY_APPLICATION, database_error_field, is_raise_routine,
    mask_database_message,
};
pub use headers::{HeaderCapture, HeaderCaptures, is_sensitive_header};
pub use url::{
    OTEL_RUST_REDACTED_QUERY_KEYS, QueryRedaction, is_sensitive_query_key, query_redaction,
    redact_query, redact_url, redact_urls_in_text, set_query_redaction,
};

/// What a redacted value is recorded as.
pub const REDACTED: &str = "REDACTED";
