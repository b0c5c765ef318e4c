//! The current span follows work onto threads, tasks and callbacks: no
//! `.in_current_span()` to remember at each hand-off.
//!
//! ```
//! use instrument_threads::thread;
//!
//! let _request = tracing::info_span!("request").entered();
//! let handle = thread::spawn(|| {
//!     // runs inside `request`, under the spawner's subscriber (a thread-local one
//!     // set with `with_default` too) and OpenTelemetry context
//!     tracing::info_span!("resize").in_scope(|| 2 + 2)
//! });
//! assert_eq!(handle.join().unwrap(), 4);
//! ```
//!
//! - [`thread`]: `spawn`, `Builder` (`name`, `stack_size`, `spawn`, `spawn_scoped`, and
//!   `span` for a span of the thread's own), `scope` and `Scope::spawn` (scoped threads
//!   spawn more through the same scope, as with std's), `spawn_detached`, and the rest
//!   of `std::thread` re-exported, so `use instrument_threads::thread;` replaces
//!   `use std::thread;`. Join handles are std's: a panic comes back from `join` as `Err`
//!   with its payload, as always.
//! - `tokio` (feature `tokio`): `spawn`, `spawn_blocking`, `spawn_local`,
//!   `spawn_in_span`, `spawn_detached`, and a `JoinSet` with tokio's methods.
//! - `rayon` (feature `rayon`): `spawn`, `join`, `scope`, a `ThreadPool` (`install`,
//!   `spawn`), and `map_in_current_span` / `for_each_in_current_span` for parallel
//!   iterators.
//! - Callbacks: [`bind`], [`bind_mut`], [`bind_once`], [`bind0`], [`bind0_once`] run
//!   later, anywhere, in the span current when they were bound; [`bind_closing`] also
//!   finishes a span opened before an asynchronous call.
//! - Detached work (`spawn_detached`): fire-and-forget work that outlives its spawner
//!   gets a span starting a trace of its own, linked to the spawner's (follows-from).
//!   It does not hold the spawner's span open: that span ends when its own code does.
//!
//! The work lets go of the spans it carried under the spawner's subscriber too: with a
//! thread-local subscriber, a span closed elsewhere would leave its parent open (the
//! registry closes the parent through the subscriber current where the child closes).
//!
//! Switched off by `OTEL_SDK_DISABLED=true` or `threads` in
//! `OTEL_RUST_DISABLED_INSTRUMENTATIONS`: then every function is std's or tokio's, after
//! one atomic load, capturing and allocating nothing.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod callback;
mod carry;
#[cfg(feature = "tokio")]
mod carrying;
#[cfg(feature = "rayon")]
#[cfg_attr(docsrs, doc(cfg(feature = "rayon")))]
pub mod rayon;
pub mod thread;
#[cfg(feature = "tokio")]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
pub mod tokio;

pub use callback::{bind, bind_closing, bind_mut, bind_once, bind0, bind0_once};
