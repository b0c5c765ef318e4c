//! The libraries this project instruments, each with its switch and `tracing` target.

use std::fmt;

/// One instrumented library: the unit of the per-library kill switch.
///
/// The [`name`](Library::name) is what `OTEL_RUST_DISABLED_INSTRUMENTATIONS` takes; the
/// [`target`](Library::target) is the `tracing` target of that library's spans, so
/// `RUST_LOG=instrument_sqlx=off` filters them like any other target.
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
}

impl Library {
    /// Every library, in declaration order.
    pub const ALL: [Library; 6] = [
        Library::Sqlx,
        Library::TokioPostgres,
        Library::Redis,
        Library::Reqwest,
        Library::Tower,
        Library::Threads,
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
        }
    }

    /// The `tracing` target of this library's spans (`instrument_sqlx`, ...).
    pub const fn target(self) -> &'static str {
        match self {
            Library::Sqlx => "instrument_sqlx",
            Library::TokioPostgres => "instrument_tokio_postgres",
            Library::Redis => "instrument_redis",
            Library::Reqwest => "instrument_reqwest",
            Library::Tower => "instrument_tower",
            Library::Threads => "instrument_threads",
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

/// Expands `$mac!(target_literal, args...)` in one match arm per library, because a
/// `tracing` callsite needs its target as a literal.
macro_rules! with_target {
    ($library:expr, $mac:ident ! ( $($args:tt)* )) => {
        match $library {
            $crate::Library::Sqlx => $mac!("instrument_sqlx", $($args)*),
            $crate::Library::TokioPostgres => $mac!("instrument_tokio_postgres", $($args)*),
            $crate::Library::Redis => $mac!("instrument_redis", $($args)*),
            $crate::Library::Reqwest => $mac!("instrument_reqwest", $($args)*),
            $crate::Library::Tower => $mac!("instrument_tower", $($args)*),
            $crate::Library::Threads => $mac!("instrument_threads", $($args)*),
        }
    };
}
pub(crate) use with_target;

/// Will a call through `library` be recorded? The kill switch is on for it and a
/// subscriber listens to its target. Wrappers check this first and call straight through
/// when it says no, so describing the call (masking, summarizing) costs nothing then.
/// Switched off, it is the one relaxed atomic load of [`enabled`](crate::enabled).
#[inline(always)]
pub fn recording(library: Library) -> bool {
    crate::enabled(library) && listening(library)
}

/// Does a subscriber want INFO spans of `library`'s target? Kept out of line so that the
/// switched-off path above stays one load and one branch.
#[inline(never)]
fn listening(library: Library) -> bool {
    macro_rules! listening {
        ($target:literal,) => {
            tracing::enabled!(target: $target, tracing::Level::INFO)
        };
    }
    with_target!(library, listening!())
}

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
