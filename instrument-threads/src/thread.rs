//! A drop-in for [`std::thread`]: new threads run in the spawner's span, under its
//! subscriber and OpenTelemetry context.

use std::borrow::Cow;
use std::io;

use instrument_core::{Library, WorkCall};
use ref_cast::RefCast;

use crate::carry::{self, Carried};

// The rest of `std::thread`, so that `use instrument_threads::thread;` replaces
// `use std::thread;` (`thread::sleep`, `thread::current()`, ...).
pub use std::thread::{
    AccessError, JoinHandle, LocalKey, Result, ScopedJoinHandle, Thread, ThreadId,
    available_parallelism, current, panicking, park, park_timeout, sleep, yield_now,
};

/// Like [`std::thread::spawn`]; the thread runs in the current span.
pub fn spawn<F, T>(f: F) -> JoinHandle<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let Some(carried) = Carried::capture() else {
        return std::thread::spawn(f);
    };
    std::thread::spawn(move || carried.run(f))
}

/// Like [`std::thread::Builder`], plus [`span`](Self::span).
#[derive(Debug)]
#[must_use]
pub struct Builder {
    inner: std::thread::Builder,
    span: Option<Cow<'static, str>>,
}

impl Default for Builder {
    fn default() -> Self {
        Self::new()
    }
}

impl Builder {
    /// Like [`std::thread::Builder::new`].
    pub fn new() -> Self {
        Builder {
            inner: std::thread::Builder::new(),
            span: None,
        }
    }

    /// Like [`std::thread::Builder::name`].
    pub fn name(mut self, name: String) -> Self {
        self.inner = self.inner.name(name);
        self
    }

    /// Like [`std::thread::Builder::stack_size`].
    pub fn stack_size(mut self, size: usize) -> Self {
        self.inner = self.inner.stack_size(size);
        self
    }

    /// Runs the thread in a span of its own named `name` (INTERNAL, a child of the
    /// spawner's span), rather than directly in the spawner's.
    pub fn span(mut self, name: impl Into<Cow<'static, str>>) -> Self {
        self.span = Some(name.into());
        self
    }

    /// Like [`std::thread::Builder::spawn`].
    pub fn spawn<F, T>(self, f: F) -> io::Result<JoinHandle<T>>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let Some(carried) = Carried::capture() else {
            return self.inner.spawn(f);
        };
        let span = self.span;
        self.inner
            .spawn(move || carried.run(|| in_own_span(span.as_deref(), f)))
    }

    /// Like [`std::thread::Builder::spawn_scoped`].
    pub fn spawn_scoped<'scope, 'env, F, T>(
        self,
        scope: &'scope Scope<'scope, 'env>,
        f: F,
    ) -> io::Result<ScopedJoinHandle<'scope, T>>
    where
        F: FnOnce() -> T + Send + 'scope,
        T: Send + 'scope,
    {
        let Some(carried) = Carried::capture() else {
            return self.inner.spawn_scoped(&scope.inner, f);
        };
        let span = self.span;
        self.inner.spawn_scoped(&scope.inner, move || {
            carried.run(|| in_own_span(span.as_deref(), f))
        })
    }
}

/// Runs `f` in a work span named `name`, when there is one.
fn in_own_span<T>(name: Option<&str>, f: impl FnOnce() -> T) -> T {
    match name {
        Some(name) => WorkCall::new(Library::Threads, name).start().in_scope(f),
        None => f(),
    }
}

/// Like [`std::thread::scope`]: threads spawned through the [`Scope`] run in the span
/// current at their spawn.
pub fn scope<'env, F, T>(f: F) -> T
where
    F: for<'scope> FnOnce(&'scope Scope<'scope, 'env>) -> T,
{
    std::thread::scope(|inner| f(Scope::ref_cast(inner)))
}

/// Like [`std::thread::Scope`]. It is std's scope under another type (so a
/// `&'scope Scope` lives as long as std's does, and scoped threads can spawn more
/// through it, as with std's).
#[derive(Debug, RefCast)]
#[repr(transparent)]
pub struct Scope<'scope, 'env> {
    inner: std::thread::Scope<'scope, 'env>,
}

impl<'scope> Scope<'scope, '_> {
    /// Like [`std::thread::Scope::spawn`].
    pub fn spawn<F, T>(&'scope self, f: F) -> ScopedJoinHandle<'scope, T>
    where
        F: FnOnce() -> T + Send + 'scope,
        T: Send + 'scope,
    {
        let carried = Carried::capture();
        self.inner.spawn(move || carry::run_in(carried.as_ref(), f))
    }
}

/// Fire-and-forget work that outlives its spawner (sending a notification after the
/// request is answered): a thread whose span `name` starts a trace of its own, linked
/// to the current span (follows-from) instead of being its child.
pub fn spawn_detached<F, T>(name: &str, f: F) -> JoinHandle<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    match Carried::detached(name) {
        Some(carried) => std::thread::spawn(move || carried.run(f)),
        None => std::thread::spawn(f),
    }
}
