//! Tokio tasks that run in the spawner's span (feature `tokio`).

use std::future::Future;

use instrument_core::{Library, WorkCall};
use tokio::task::{AbortHandle, JoinError, JoinHandle};

use crate::carry::Carried;

/// Like [`tokio::spawn`]; the task runs in the current span, under the current
/// subscriber and OpenTelemetry context.
pub fn spawn<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    match Carried::capture() {
        Some(carried) => tokio::spawn(carried.wrap(future)),
        None => tokio::spawn(future),
    }
}

/// Like [`tokio::task::spawn_blocking`]; the closure runs in the current span.
pub fn spawn_blocking<F, R>(f: F) -> JoinHandle<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    match Carried::capture() {
        Some(carried) => tokio::task::spawn_blocking(move || carried.run(f)),
        None => tokio::task::spawn_blocking(f),
    }
}

/// Like [`tokio::task::spawn_local`]; the task runs in the current span.
pub fn spawn_local<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    match Carried::capture() {
        Some(carried) => tokio::task::spawn_local(carried.wrap(future)),
        None => tokio::task::spawn_local(future),
    }
}

/// [`spawn`], in a span of its own named `name` (INTERNAL, a child of the current span).
pub fn spawn_in_span<F>(name: &str, future: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let Some(carried) = Carried::capture() else {
        return tokio::spawn(future);
    };
    let span = carried.run(|| WorkCall::new(Library::Threads, name).start());
    let future = tracing::Instrument::instrument(future, span.span().clone());
    tokio::spawn(carried.wrap(future))
}

/// Fire-and-forget work that outlives its spawner: a task whose span `name` starts a
/// trace of its own, linked to the current span (follows-from).
pub fn spawn_detached<F>(name: &str, future: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let Some(carried) = Carried::capture() else {
        return tokio::spawn(future);
    };
    let span = carried.run(|| {
        WorkCall::new(Library::Threads, name)
            .detached_from(carried.span())
            .start()
    });
    let future = tracing::Instrument::instrument(future, span.span().clone());
    tokio::spawn(carried.wrap(future))
}

/// Like [`tokio::task::JoinSet`]: every task it spawns runs in the span current at its
/// spawn.
#[derive(Debug)]
pub struct JoinSet<T> {
    inner: tokio::task::JoinSet<T>,
}

impl<T: 'static> Default for JoinSet<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: 'static> JoinSet<T> {
    /// Like [`tokio::task::JoinSet::new`].
    pub fn new() -> Self {
        JoinSet {
            inner: tokio::task::JoinSet::new(),
        }
    }

    /// Like [`tokio::task::JoinSet::spawn`].
    pub fn spawn<F>(&mut self, future: F) -> AbortHandle
    where
        F: Future<Output = T> + Send + 'static,
        T: Send,
    {
        match Carried::capture() {
            Some(carried) => self.inner.spawn(carried.wrap(future)),
            None => self.inner.spawn(future),
        }
    }

    /// Like [`tokio::task::JoinSet::spawn_blocking`].
    pub fn spawn_blocking<F>(&mut self, f: F) -> AbortHandle
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send,
    {
        match Carried::capture() {
            Some(carried) => self.inner.spawn_blocking(move || carried.run(f)),
            None => self.inner.spawn_blocking(f),
        }
    }

    /// Like [`tokio::task::JoinSet::join_next`].
    pub async fn join_next(&mut self) -> Option<Result<T, JoinError>> {
        self.inner.join_next().await
    }

    /// Like [`tokio::task::JoinSet::join_all`].
    pub async fn join_all(self) -> Vec<T> {
        self.inner.join_all().await
    }

    /// Like [`tokio::task::JoinSet::len`].
    pub fn len(&self) -> usize {
        self.inner.len()
    }

    /// Like [`tokio::task::JoinSet::is_empty`].
    pub fn is_empty(&self) -> bool {
        self.inner.is_empty()
    }

    /// Like [`tokio::task::JoinSet::abort_all`].
    pub fn abort_all(&mut self) {
        self.inner.abort_all();
    }

    /// Like [`tokio::task::JoinSet::shutdown`].
    pub async fn shutdown(&mut self) {
        self.inner.shutdown().await;
    }
}
