//! Rayon work that runs in the caller's span (feature `rayon`).

use rayon::iter::ParallelIterator;
use ref_cast::RefCast;

use crate::carry::{self, Carried};

/// Like [`rayon::spawn`]; the closure runs in the current span.
pub fn spawn<F>(f: F)
where
    F: FnOnce() + Send + 'static,
{
    match Carried::capture() {
        Some(carried) => rayon::spawn(move || carried.run(f)),
        None => rayon::spawn(f),
    }
}

/// Like [`rayon::join`]; both closures run in the current span.
pub fn join<A, B, RA, RB>(a: A, b: B) -> (RA, RB)
where
    A: FnOnce() -> RA + Send,
    B: FnOnce() -> RB + Send,
    RA: Send,
    RB: Send,
{
    let carried = Carried::capture();
    let carried = carried.as_ref();
    rayon::join(|| carry::run_in(carried, a), || carry::run_in(carried, b))
}

/// Like [`rayon::spawn_fifo`]; the closure runs in the current span.
pub fn spawn_fifo<F>(f: F)
where
    F: FnOnce() + Send + 'static,
{
    match Carried::capture() {
        Some(carried) => rayon::spawn_fifo(move || carried.run(f)),
        None => rayon::spawn_fifo(f),
    }
}

/// Like [`rayon::broadcast`]: each thread's call runs in the current span.
pub fn broadcast<OP, R>(op: OP) -> Vec<R>
where
    OP: Fn(rayon::BroadcastContext<'_>) -> R + Sync,
    R: Send,
{
    let carried = Carried::capture();
    rayon::broadcast(|context| carry::run_in(carried.as_ref(), || op(context)))
}

/// Like [`rayon::in_place_scope`]: `f` runs here, and work spawned through the
/// [`Scope`] runs in the span current at its spawn.
pub fn in_place_scope<'scope, F, R>(f: F) -> R
where
    F: FnOnce(&Scope<'scope>) -> R,
{
    rayon::in_place_scope(|inner| f(Scope::ref_cast(inner)))
}

/// Like [`rayon::scope`]: work spawned through the [`Scope`] runs in the span current
/// at its spawn.
pub fn scope<'scope, F, R>(f: F) -> R
where
    F: FnOnce(&Scope<'scope>) -> R + Send,
    R: Send,
{
    // rayon runs `f` itself on one of its threads: it needs the context too.
    let carried = Carried::capture();
    rayon::scope(|inner| carry::run_in(carried.as_ref(), || f(Scope::ref_cast(inner))))
}

/// Like [`rayon::Scope`]. It is rayon's scope under another type, handed to spawned
/// work as rayon's is, so that work spawned from spawned work follows the span too.
#[derive(Debug, RefCast)]
#[repr(transparent)]
pub struct Scope<'scope> {
    inner: rayon::Scope<'scope>,
}

impl<'scope> Scope<'scope> {
    /// Like [`rayon::Scope::spawn`].
    pub fn spawn<F>(&self, f: F)
    where
        F: FnOnce(&Scope<'scope>) + Send + 'scope,
    {
        let carried = Carried::capture();
        self.inner.spawn(move |inner| {
            carry::run_in(carried.as_ref(), || f(Scope::ref_cast(inner)));
        });
    }

    /// Like [`rayon::Scope::spawn_broadcast`]: each thread's call runs in the span current
    /// here.
    pub fn spawn_broadcast<F>(&self, f: F)
    where
        F: Fn(&Scope<'scope>, rayon::BroadcastContext<'_>) + Send + Sync + 'scope,
    {
        let carried = Carried::capture();
        self.inner.spawn_broadcast(move |inner, context| {
            carry::run_in(carried.as_ref(), || f(Scope::ref_cast(inner), context));
        });
    }

    /// The rayon scope: work spawned on it directly does not follow the span.
    pub fn inner(&self) -> &rayon::Scope<'scope> {
        &self.inner
    }
}

/// A rayon thread pool whose work runs in the caller's span; made from rayon's with
/// `ThreadPool::from`.
#[derive(Debug)]
pub struct ThreadPool {
    inner: rayon::ThreadPool,
}

impl From<rayon::ThreadPool> for ThreadPool {
    fn from(inner: rayon::ThreadPool) -> Self {
        ThreadPool { inner }
    }
}

impl ThreadPool {
    /// Like [`rayon::ThreadPool::install`].
    pub fn install<OP, R>(&self, op: OP) -> R
    where
        OP: FnOnce() -> R + Send,
        R: Send,
    {
        let carried = Carried::capture();
        self.inner.install(|| carry::run_in(carried.as_ref(), op))
    }

    /// Like [`rayon::ThreadPool::spawn`].
    pub fn spawn<OP>(&self, op: OP)
    where
        OP: FnOnce() + Send + 'static,
    {
        match Carried::capture() {
            Some(carried) => self.inner.spawn(move || carried.run(op)),
            None => self.inner.spawn(op),
        }
    }

    /// Like [`rayon::ThreadPool::spawn_fifo`].
    pub fn spawn_fifo<OP>(&self, op: OP)
    where
        OP: FnOnce() + Send + 'static,
    {
        match Carried::capture() {
            Some(carried) => self.inner.spawn_fifo(move || carried.run(op)),
            None => self.inner.spawn_fifo(op),
        }
    }

    /// Like [`rayon::ThreadPool::join`]; both closures run in the current span.
    pub fn join<A, B, RA, RB>(&self, a: A, b: B) -> (RA, RB)
    where
        A: FnOnce() -> RA + Send,
        B: FnOnce() -> RB + Send,
        RA: Send,
        RB: Send,
    {
        let carried = Carried::capture();
        let carried = carried.as_ref();
        self.inner
            .join(|| carry::run_in(carried, a), || carry::run_in(carried, b))
    }

    /// Like [`rayon::ThreadPool::scope`]: work spawned through the [`Scope`] runs in
    /// the span current at its spawn.
    pub fn scope<'scope, OP, R>(&self, op: OP) -> R
    where
        OP: FnOnce(&Scope<'scope>) -> R + Send,
        R: Send,
    {
        let carried = Carried::capture();
        self.inner
            .scope(|inner| carry::run_in(carried.as_ref(), || op(Scope::ref_cast(inner))))
    }

    /// Like [`rayon::ThreadPool::in_place_scope`].
    pub fn in_place_scope<'scope, OP, R>(&self, op: OP) -> R
    where
        OP: FnOnce(&Scope<'scope>) -> R,
    {
        self.inner
            .in_place_scope(|inner| op(Scope::ref_cast(inner)))
    }

    /// Like [`rayon::ThreadPool::broadcast`]: each thread's call runs in the current
    /// span.
    pub fn broadcast<OP, R>(&self, op: OP) -> Vec<R>
    where
        OP: Fn(rayon::BroadcastContext<'_>) -> R + Sync,
        R: Send,
    {
        let carried = Carried::capture();
        self.inner
            .broadcast(|context| carry::run_in(carried.as_ref(), || op(context)))
    }

    /// Like [`rayon::ThreadPool::current_num_threads`].
    pub fn current_num_threads(&self) -> usize {
        self.inner.current_num_threads()
    }

    /// Like [`rayon::ThreadPool::current_thread_index`].
    pub fn current_thread_index(&self) -> Option<usize> {
        self.inner.current_thread_index()
    }

    /// The rayon pool: work given to it directly does not follow the span.
    pub fn inner(&self) -> &rayon::ThreadPool {
        &self.inner
    }
}

/// Parallel iterators whose per-item work runs in the caller's span.
pub trait ParallelIteratorExt: ParallelIterator {
    /// Like [`ParallelIterator::map`], each call of `f` in the span current here.
    fn map_in_current_span<F, R>(
        self,
        f: F,
    ) -> rayon::iter::Map<Self, impl Fn(Self::Item) -> R + Sync + Send>
    where
        F: Fn(Self::Item) -> R + Sync + Send,
        R: Send,
    {
        self.map(crate::bind(f))
    }

    /// Like [`ParallelIterator::for_each`], each call of `f` in the span current here.
    fn for_each_in_current_span<F>(self, f: F)
    where
        F: Fn(Self::Item) + Sync + Send,
    {
        self.for_each(crate::bind(f));
    }
}

impl<I: ParallelIterator> ParallelIteratorExt for I {}
