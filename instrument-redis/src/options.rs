//! Options: how much command text to record, from code or the environment.

use std::sync::OnceLock;

/// The environment variable for [`QueryText`]: `sanitized` (default) or `off`.
pub const OTEL_RUST_REDIS_QUERY_TEXT: &str = "OTEL_RUST_REDIS_QUERY_TEXT";

/// How much of each command reaches `db.query.text`. There is no unmasked mode: values
/// and credentials never reach a span.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QueryText {
    /// The command with values masked: `SET user:1 ?`. The default.
    #[default]
    Sanitized,
    /// No `db.query.text` (the span keeps the command name).
    Off,
}

impl QueryText {
    /// From `OTEL_RUST_REDIS_QUERY_TEXT`, read once; a rejected value warns and keeps the default.
    pub fn from_env() -> QueryText {
        static FROM_ENV: OnceLock<QueryText> = OnceLock::new();
        *FROM_ENV.get_or_init(|| {
            let value = instrument_core::env::read_var(OTEL_RUST_REDIS_QUERY_TEXT);
            let (mode, warning) = Self::parse(value.as_deref());
            if let Some(warning) = warning {
                instrument_core::warn_config(&warning);
            }
            mode
        })
    }

    /// Parses a value of `OTEL_RUST_REDIS_QUERY_TEXT` (`None` when unset).
    fn parse(value: Option<&str>) -> (QueryText, Option<String>) {
        match value.map(str::trim) {
            None | Some("") => (QueryText::Sanitized, None),
            Some(v) if v.eq_ignore_ascii_case("sanitized") => (QueryText::Sanitized, None),
            Some(v) if v.eq_ignore_ascii_case("off") => (QueryText::Off, None),
            Some(v) => (
                QueryText::Sanitized,
                Some(format!(
                    "{OTEL_RUST_REDIS_QUERY_TEXT}={v:?} is not `sanitized` or `off`; using sanitized"
                )),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted_and_rejected_values() {
        assert_eq!(QueryText::parse(None), (QueryText::Sanitized, None));
        assert_eq!(QueryText::parse(Some("OFF")).0, QueryText::Off);
        assert_eq!(
            QueryText::parse(Some(" sanitized ")).0,
            QueryText::Sanitized
        );
        let (mode, warning) = QueryText::parse(Some("full"));
        assert_eq!(mode, QueryText::Sanitized);
        assert!(
            warning.is_some_and(|w| w.contains(OTEL_RUST_REDIS_QUERY_TEXT) && w.contains("full"))
        );
    }
}
