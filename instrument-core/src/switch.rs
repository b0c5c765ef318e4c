//! The kill switch: one atomic word says which libraries are traced.
//!
//! Every wrapper starts each call with [`enabled`]: one relaxed atomic load and a bit
//! test. The environment is read once, on the first call of any function here.

use std::sync::Once;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use crate::{Library, env, warn_config};

/// Set until the environment has been read.
const UNREAD: u32 = 1 << 31;
/// Set while everything is switched off (`OTEL_SDK_DISABLED=true` or [`set_enabled`]).
const ALL_OFF: u32 = 1 << 30;

/// Bit `Library::bit()` set = that library is off.
static STATE: AtomicU32 = AtomicU32::new(UNREAD);
static READ_ENV: Once = Once::new();
/// What `OTEL_SDK_DISABLED` said, kept apart from run-time switching.
static SDK_DISABLED_BY_ENV: AtomicBool = AtomicBool::new(false);

/// Is `library` traced now? One relaxed atomic load on the fast path.
#[inline]
pub fn enabled(library: Library) -> bool {
    let state = STATE.load(Ordering::Relaxed);
    if state & (UNREAD | ALL_OFF | library.bit()) == 0 {
        return true;
    }
    if state & UNREAD != 0 {
        return enabled_after_reading_env(library);
    }
    false
}

#[cold]
#[inline(never)]
fn enabled_after_reading_env(library: Library) -> bool {
    ensure_env_read();
    enabled(library)
}

/// Reads `OTEL_SDK_DISABLED` and `OTEL_RUST_DISABLED_INSTRUMENTATIONS` if that has not
/// happened yet, warning once about each rejected value (to the current subscriber, or
/// stderr when there is none). Every function here calls it first; call it yourself to
/// choose when the warnings appear.
pub fn ensure_env_read() {
    READ_ENV.call_once(|| {
        let switches = env::from_process_env();
        for warning in &switches.warnings {
            warn_config(warning);
        }
        let mut state = switches
            .disabled_libraries
            .iter()
            .fold(0, |bits, lib| bits | lib.bit());
        if switches.sdk_disabled {
            state |= ALL_OFF;
        }
        // Writers all pass through this `Once` first, so nothing can be overwritten.
        STATE.store(state, Ordering::Relaxed);
        SDK_DISABLED_BY_ENV.store(switches.sdk_disabled, Ordering::Relaxed);
    });
}

/// Did the environment say `OTEL_SDK_DISABLED=true`? (`init()` then installs no exporter.)
pub fn sdk_disabled_by_env() -> bool {
    ensure_env_read();
    SDK_DISABLED_BY_ENV.load(Ordering::Relaxed)
}

/// Switches all instrumentation (the wrapped clients' spans, metrics and propagation)
/// on or off at run time. Per-library settings are kept: switching everything back on
/// restores them. The application's own `tracing` spans and log records are exported
/// still; only `OTEL_SDK_DISABLED=true` stops those.
pub fn set_enabled(on: bool) {
    set_bits(ALL_OFF, !on);
}

/// Switches one library on or off at run time.
pub fn set_library_enabled(library: Library, on: bool) {
    set_bits(library.bit(), !on);
}

/// Is instrumentation on as a whole (before per-library switches)?
pub fn globally_enabled() -> bool {
    ensure_env_read();
    STATE.load(Ordering::Relaxed) & ALL_OFF == 0
}

fn set_bits(bits: u32, set: bool) {
    ensure_env_read();
    if set {
        STATE.fetch_or(bits, Ordering::Relaxed);
    } else {
        STATE.fetch_and(!bits, Ordering::Relaxed);
    }
}
