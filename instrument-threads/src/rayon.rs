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

/// A rayon thread pool whose `install` and `spawn` run in the caller's span; made from
/// rayon's with `ThreadPool::from`.
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
