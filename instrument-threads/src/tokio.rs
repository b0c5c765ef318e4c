//! Tokio tasks that run in the spawner's span (feature `tokio`).

use std::fmt;
use std::future::Future;
use std::task::{Context, Poll};

use instrument_core::{Library, WorkCall};
use tokio::runtime::Handle;
use tokio::task::{AbortHandle, Id, JoinError, JoinHandle, LocalSet};

use crate::carry::Carried;

/// Like [`tokio::spawn`]; the task runs in the current span, under the current
/// subscriber and OpenTelemetry context.
#[track_caller]
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
#[track_caller]
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
#[track_caller]
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
#[track_caller]
pub fn spawn_in_span<F>(name: &str, future: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let Some(carried) = Carried::capture() else {
        return tokio::spawn(future);
    };
    let span = carried.run(|| WorkCall::new(Library::Threads, name).start());
    let future = instrument_core::Traced::new(span, future, ignore_output::<F::Output>);
    tokio::spawn(carried.wrap(future))
}

/// The work span of [`spawn_in_span`] records nothing of the task's output.
fn ignore_output<T>(_: &T, _: &instrument_core::CallSpan) {}

/// Fire-and-forget work that outlives its spawner: a task whose span `name` starts a
/// trace of its own, linked to the current span (follows-from). The spawner's span
/// can end before the task does.
#[track_caller]
pub fn spawn_detached<F>(name: &str, future: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    match Carried::detached(name) {
        Some(carried) => tokio::spawn(carried.wrap(future)),
        None => tokio::spawn(future),
    }
}

/// Like [`tokio::task::JoinSet`]: every task it spawns runs in the span current at its
/// spawn. Joining, aborting and polling are tokio's.
pub struct JoinSet<T> {
    inner: tokio::task::JoinSet<T>,
}

impl<T> fmt::Debug for JoinSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinSet").field("len", &self.len()).finish()
    }
}

impl<T> Default for JoinSet<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> JoinSet<T> {
    /// Like [`tokio::task::JoinSet::new`].
    pub fn new() -> Self {
        JoinSet {
            inner: tokio::task::JoinSet::new(),
        }
    }

    /// Like [`tokio::task::JoinSet::len`].
    pub fn len(&self) -> usize {
        self.inner.len()
    }

    /// Like [`tokio::task::JoinSet::is_empty`].
    pub fn is_empty(&self) -> bool {
        self.inner.is_empty()
    }
}

impl<T: 'static> JoinSet<T> {
    /// Like [`tokio::task::JoinSet::spawn`].
    #[track_caller]
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

    /// Like [`tokio::task::JoinSet::spawn_on`].
    #[track_caller]
    pub fn spawn_on<F>(&mut self, future: F, handle: &Handle) -> AbortHandle
    where
        F: Future<Output = T> + Send + 'static,
        T: Send,
    {
        match Carried::capture() {
            Some(carried) => self.inner.spawn_on(carried.wrap(future), handle),
            None => self.inner.spawn_on(future, handle),
        }
    }

    /// Like [`tokio::task::JoinSet::spawn_local`].
    #[track_caller]
    pub fn spawn_local<F>(&mut self, future: F) -> AbortHandle
    where
        F: Future<Output = T> + 'static,
    {
        match Carried::capture() {
            Some(carried) => self.inner.spawn_local(carried.wrap(future)),
            None => self.inner.spawn_local(future),
        }
    }

    /// Like [`tokio::task::JoinSet::spawn_local_on`].
    #[track_caller]
    pub fn spawn_local_on<F>(&mut self, future: F, local_set: &LocalSet) -> AbortHandle
    where
        F: Future<Output = T> + 'static,
    {
        match Carried::capture() {
            Some(carried) => self.inner.spawn_local_on(carried.wrap(future), local_set),
            None => self.inner.spawn_local_on(future, local_set),
        }
    }

    /// Like [`tokio::task::JoinSet::spawn_blocking`].
    #[track_caller]
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

    /// Like [`tokio::task::JoinSet::spawn_blocking_on`].
    #[track_caller]
    pub fn spawn_blocking_on<F>(&mut self, f: F, handle: &Handle) -> AbortHandle
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send,
    {
        match Carried::capture() {
            Some(carried) => self.inner.spawn_blocking_on(move || carried.run(f), handle),
            None => self.inner.spawn_blocking_on(f, handle),
        }
    }

    /// Like [`tokio::task::JoinSet::join_next`].
    pub async fn join_next(&mut self) -> Option<Result<T, JoinError>> {
        self.inner.join_next().await
    }

    /// Like [`tokio::task::JoinSet::join_next_with_id`].
    pub async fn join_next_with_id(&mut self) -> Option<Result<(Id, T), JoinError>> {
        self.inner.join_next_with_id().await
    }

    /// Like [`tokio::task::JoinSet::try_join_next`].
    pub fn try_join_next(&mut self) -> Option<Result<T, JoinError>> {
        self.inner.try_join_next()
    }

    /// Like [`tokio::task::JoinSet::try_join_next_with_id`].
    pub fn try_join_next_with_id(&mut self) -> Option<Result<(Id, T), JoinError>> {
        self.inner.try_join_next_with_id()
    }

    /// Like [`tokio::task::JoinSet::poll_join_next`].
    pub fn poll_join_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<T, JoinError>>> {
        self.inner.poll_join_next(cx)
    }

    /// Like [`tokio::task::JoinSet::poll_join_next_with_id`].
    pub fn poll_join_next_with_id(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<(Id, T), JoinError>>> {
        self.inner.poll_join_next_with_id(cx)
    }

    /// Like [`tokio::task::JoinSet::join_all`].
    pub async fn join_all(self) -> Vec<T> {
        self.inner.join_all().await
    }

    /// Like [`tokio::task::JoinSet::abort_all`].
    pub fn abort_all(&mut self) {
        self.inner.abort_all();
    }

    /// Like [`tokio::task::JoinSet::detach_all`].
    pub fn detach_all(&mut self) {
        self.inner.detach_all();
    }

    /// Like [`tokio::task::JoinSet::shutdown`].
    pub async fn shutdown(&mut self) {
        self.inner.shutdown().await;
    }
}

impl<T, F> FromIterator<F> for JoinSet<T>
where
    F: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    fn from_iter<I: IntoIterator<Item = F>>(futures: I) -> Self {
        let mut set = Self::new();
        set.extend(futures);
        set
    }
}

impl<T, F> Extend<F> for JoinSet<T>
where
    F: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    fn extend<I: IntoIterator<Item = F>>(&mut self, futures: I) {
        for future in futures {
            self.spawn(future);
        }
    }
}
