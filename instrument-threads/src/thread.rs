//! A drop-in for [`std::thread`]: new threads run in the spawner's span, under its
//! subscriber and OpenTelemetry context.

use std::io;
use std::thread::{JoinHandle, ScopedJoinHandle};

use instrument_core::{Library, WorkCall};

use crate::carry::{self, Carried};

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
    span: Option<String>,
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
    pub fn span(mut self, name: impl Into<String>) -> Self {
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
        scope: &Scope<'scope, 'env>,
        f: F,
    ) -> io::Result<ScopedJoinHandle<'scope, T>>
    where
        F: FnOnce() -> T + Send + 'scope,
        T: Send + 'scope,
    {
        let Some(carried) = Carried::capture() else {
            return self.inner.spawn_scoped(scope.inner, f);
        };
        let span = self.span;
        self.inner.spawn_scoped(scope.inner, move || {
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
    F: for<'scope> FnOnce(&Scope<'scope, 'env>) -> T,
{
    std::thread::scope(|inner| f(&Scope { inner }))
}

/// Like [`std::thread::Scope`].
#[derive(Debug)]
pub struct Scope<'scope, 'env> {
    inner: &'scope std::thread::Scope<'scope, 'env>,
}

impl<'scope> Scope<'scope, '_> {
    /// Like [`std::thread::Scope::spawn`].
    pub fn spawn<F, T>(&self, f: F) -> ScopedJoinHandle<'scope, T>
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
    let Some(carried) = Carried::capture() else {
        return std::thread::spawn(f);
    };
    let name = name.to_owned();
    std::thread::spawn(move || {
        carried.run(|| {
            WorkCall::new(Library::Threads, &name)
                .detached_from(carried.span())
                .start()
                .in_scope(f)
        })
    })
}
