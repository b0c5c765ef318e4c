//! The libraries this project instruments, each with its switch and `tracing` target.

use std::fmt;

/// One instrumented library: the unit of the per-library kill switch.
///
/// The [`name`](Library::name) is what `OTEL_RUST_DISABLED_INSTRUMENTATIONS` takes; the
/// [`scope_name`](Library::scope_name) is the instrumentation scope of that library's
/// spans. What is traced never depends on a log filter such as `RUST_LOG`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Library {
    /// `instrument-sqlx`.
    Sqlx,
    /// `instrument-tokio-postgres`.
    TokioPostgres,
    /// `instrument-redis`.
    Redis,
    /// `instrument-reqwest`.
    Reqwest,
    /// `instrument-tower`.
    Tower,
    /// `instrument-threads`.
    Threads,
    /// `instrument-lapin`.
    Lapin,
    /// `instrument-nats`.
    Nats,
}

impl Library {
    /// Every library, in declaration order.
    pub const ALL: [Library; 8] = [
        Library::Sqlx,
        Library::TokioPostgres,
        Library::Redis,
        Library::Reqwest,
        Library::Tower,
        Library::Threads,
        Library::Lapin,
        Library::Nats,
    ];

    /// The name used in `OTEL_RUST_DISABLED_INSTRUMENTATIONS` (`tokio-postgres`, `redis`, ...).
    pub const fn name(self) -> &'static str {
        match self {
            Library::Sqlx => "sqlx",
            Library::TokioPostgres => "tokio-postgres",
            Library::Redis => "redis",
            Library::Reqwest => "reqwest",
            Library::Tower => "tower",
            Library::Threads => "threads",
            Library::Lapin => "lapin",
            Library::Nats => "nats",
        }
    }

    /// The instrumentation scope of this library's spans: the crate's name
    /// (`instrument-sqlx`, ...).
    pub const fn scope_name(self) -> &'static str {
        match self {
            Library::Sqlx => "instrument-sqlx",
            Library::TokioPostgres => "instrument-tokio-postgres",
            Library::Redis => "instrument-redis",
            Library::Reqwest => "instrument-reqwest",
            Library::Tower => "instrument-tower",
            Library::Threads => "instrument-threads",
            Library::Lapin => "instrument-lapin",
            Library::Nats => "instrument-nats",
        }
    }

    /// The instrumentation scope of this library's spans and metrics: its name, this
    /// project's version and the schema URL of the semantic conventions they follow.
    pub fn scope(self) -> opentelemetry::InstrumentationScope {
        opentelemetry::InstrumentationScope::builder(self.scope_name())
            .with_version(env!("CARGO_PKG_VERSION"))
            .with_schema_url(SCHEMA_URL)
            .build()
    }

    /// The `tracing` target of this library's own log events (`instrument_sqlx`, ...).
    pub const fn target(self) -> &'static str {
        match self {
            Library::Sqlx => "instrument_sqlx",
            Library::TokioPostgres => "instrument_tokio_postgres",
            Library::Redis => "instrument_redis",
            Library::Reqwest => "instrument_reqwest",
            Library::Tower => "instrument_tower",
            Library::Threads => "instrument_threads",
            Library::Lapin => "instrument_lapin",
            Library::Nats => "instrument_nats",
        }
    }

    /// The library with this switch name, ignoring ASCII case and surrounding blanks.
    /// `tokio_postgres` is accepted as well as `tokio-postgres`.
    pub fn from_name(name: &str) -> Option<Library> {
        let name = name.trim();
        Library::ALL.into_iter().find(|lib| {
            lib.name().eq_ignore_ascii_case(name)
                || (*lib == Library::TokioPostgres && name.eq_ignore_ascii_case("tokio_postgres"))
        })
    }

    /// This library's bit in the switch state.
    pub(crate) const fn bit(self) -> u32 {
        1 << (self as u32)
    }
}

impl fmt::Display for Library {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Will a call through `library` be recorded? Its kill switch is on. Wrappers check
/// this first and call straight through when it says no, so describing the call
/// (masking, summarizing) costs nothing then: one relaxed atomic load.
#[inline(always)]
pub fn recording(library: Library) -> bool {
    crate::enabled(library)
}

/// The schema URL of the semantic conventions the spans and metrics follow: the release
/// the `opentelemetry-semantic-conventions` crate tracks, whose names the tests check
/// every attribute against.
pub const SCHEMA_URL: &str = opentelemetry_semantic_conventions::SCHEMA_URL;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_ignoring_case_and_blanks() {
        for lib in Library::ALL {
            assert_eq!(Library::from_name(lib.name()), Some(lib));
            assert_eq!(
                Library::from_name(&format!(" {} ", lib.name().to_uppercase())),
                Some(lib)
            );
        }
        assert_eq!(
            Library::from_name("tokio_postgres"),
            Some(Library::TokioPostgres)
        );
        assert_eq!(Library::from_name("mongodb"), None);
    }

    #[test]
    fn targets_match_the_crate_names() {
        for lib in Library::ALL {
            assert_eq!(
                lib.target(),
                format!("instrument_{}", lib.name().replace('-', "_"))
            );
        }
    }
}
