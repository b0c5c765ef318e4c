//! Hooks: the one shape in which every wrapper lets the application change what a call
//! records.
//!
//! Four small traits, each implemented by closures of the matching signature and by any
//! type of yours (a `struct HealthChecks` with its list of paths), as tower-http's
//! `OnRequest` and `MakeSpan` are:
//!
//! | trait | called | to |
//! |---|---|---|
//! | [`SkipIf`] | before the span starts | make no span (and no metric) for calls it picks: health checks, `SELECT 1` probes |
//! | [`NameSpan`] | before the span starts | name the span (`None` keeps the conventions' name) |
//! | [`OnStart`] | when the span has started | add attributes from the call, or from a task-local (a tenant id) |
//! | [`OnEnd`] | when the outcome is known | add attributes from the response |
//!
//! Each wrapper offers them on its builder under the same names (`skip_tracing_if`,
//! `span_name`, `on_request`/`on_start`, `on_response`), with what its calls are as the
//! argument: `reqwest::Request` and `reqwest::Response` for the HTTP client, the request
//! head and the response for the server layer, [`DbCallInfo`] for every database
//! wrapper (set through one [`DbHooks`]).
//!
//! As with tower-http, give a closure's argument types: Rust infers a closure's
//! signature from `Fn` bounds only, not from a trait a closure implements.
//!
//! ```
//! use instrument_core::hooks::{DbCallInfo, DbHooks};
//! use instrument_core::CallSpan;
//!
//! tokio::task_local! { static TENANT: String; }
//!
//! let hooks = DbHooks::new()
//!     // no span for the pool's health probe
//!     .skip_tracing_if(|call: &DbCallInfo<'_>| call.query() == Some("SELECT 1"))
//!     // the tenant of the request being served, on every query it makes
//!     .on_start(|_call: &DbCallInfo<'_>, span: &CallSpan| {
//!         let _ = TENANT.try_with(|tenant| span.set_dynamic_attribute("tenant.id", tenant.clone()));
//!     })
//!     // the conventions' name, prefixed with the database
//!     .span_name(|call: &DbCallInfo<'_>| {
//!         Some(format!("{} {}", call.namespace()?, call.default_name()))
//!     });
//! # let _ = hooks;
//! ```
//!
//! A hook runs on the caller's task, inside the call: keep it quick, and never record
//! values you would not want in traces (the query text it sees is as written, literals
//! included). A hook that panics panics the caller, as any code of yours there would.

use std::borrow::Cow;
use std::sync::Arc;

use crate::db::DbCall;
use crate::{CallSpan, DbSystem, Library};

/// Picks the calls that get no span: `true` skips. The call then runs as the raw
/// client's would, with no span, metric or propagated context of its own.
pub trait SkipIf<C: ?Sized>: Send + Sync + 'static {
    /// Whether `call` goes untraced.
    fn skip(&self, call: &C) -> bool;
}

impl<C: ?Sized, F> SkipIf<C> for F
where
    F: Fn(&C) -> bool + Send + Sync + 'static,
{
    fn skip(&self, call: &C) -> bool {
        self(call)
    }
}

/// Names a call's span; `None` keeps the name the conventions give.
pub trait NameSpan<C: ?Sized>: Send + Sync + 'static {
    /// The span's name for `call`.
    fn name(&self, call: &C) -> Option<String>;
}

impl<C: ?Sized, F> NameSpan<C> for F
where
    F: Fn(&C) -> Option<String> + Send + Sync + 'static,
{
    fn name(&self, call: &C) -> Option<String> {
        self(call)
    }
}

/// Called once the call's span has started, to add attributes
/// ([`CallSpan::set_dynamic_attribute`]).
pub trait OnStart<C: ?Sized>: Send + Sync + 'static {
    /// Called with the call and its span.
    fn on_start(&self, call: &C, span: &CallSpan);
}

impl<C: ?Sized, F> OnStart<C> for F
where
    F: Fn(&C, &CallSpan) + Send + Sync + 'static,
{
    fn on_start(&self, call: &C, span: &CallSpan) {
        self(call, span);
    }
}

/// Called when the call's outcome is known (an HTTP response's head), to add attributes.
pub trait OnEnd<O: ?Sized>: Send + Sync + 'static {
    /// Called with the outcome and the span.
    fn on_end(&self, outcome: &O, span: &CallSpan);
}

impl<O: ?Sized, F> OnEnd<O> for F
where
    F: Fn(&O, &CallSpan) + Send + Sync + 'static,
{
    fn on_end(&self, outcome: &O, span: &CallSpan) {
        self(outcome, span);
    }
}

/// What a database hook sees of a call: the wrapper's description of it, before the
/// span starts.
#[derive(Debug, Clone, Copy)]
pub struct DbCallInfo<'c> {
    call: &'c DbCall<'c>,
}

impl<'c> DbCallInfo<'c> {
    pub(crate) fn new(call: &'c DbCall<'c>) -> Self {
        DbCallInfo { call }
    }

    /// The wrapper making the call.
    pub fn library(&self) -> Library {
        self.call.library()
    }

    /// The database system.
    pub fn system(&self) -> DbSystem {
        self.call.system()
    }

    /// The database (`db.namespace`), when known.
    pub fn namespace(&self) -> Option<&'c str> {
        self.call.namespace_name()
    }

    /// The operation the wrapper names (a Redis command, `PREPARE`); SQL has none, its
    /// summary is in [`default_name`](Self::default_name).
    pub fn operation(&self) -> Option<&'c str> {
        self.call.operation_name()
    }

    /// The query: SQL as written, literals and all (never record it as it is), or a
    /// Redis command with its values masked.
    pub fn query(&self) -> Option<&str> {
        self.call.query_str()
    }

    /// The name the conventions give the span: the query summary (`SELECT users`), the
    /// Redis command, else the system.
    pub fn default_name(&self) -> Cow<'static, str> {
        self.call.default_name()
    }
}

type DbSkip = dyn for<'c> SkipIf<DbCallInfo<'c>>;
type DbName = dyn for<'c> NameSpan<DbCallInfo<'c>>;
type DbStart = dyn for<'c> OnStart<DbCallInfo<'c>>;

/// The hooks of a database wrapper (a sqlx pool, a tokio-postgres client, a Redis
/// client), given to it with its `hooks` method. Cheap to clone; empty by default, and
/// then costs one test per call.
#[derive(Clone, Default)]
#[must_use]
pub struct DbHooks {
    skip: Option<Arc<DbSkip>>,
    name: Option<Arc<DbName>>,
    on_start: Option<Arc<DbStart>>,
}

impl std::fmt::Debug for DbHooks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DbHooks")
            .field("skip", &self.skip.is_some())
            .field("name", &self.name.is_some())
            .field("on_start", &self.on_start.is_some())
            .finish()
    }
}

impl DbHooks {
    /// No hooks.
    pub fn new() -> Self {
        Self::default()
    }

    /// Makes no span for the calls `skip` picks.
    pub fn skip_tracing_if(mut self, skip: impl for<'c> SkipIf<DbCallInfo<'c>>) -> Self {
        self.skip = Some(Arc::new(skip));
        self
    }

    /// Names the spans (`None` keeps the conventions' name).
    pub fn span_name(mut self, name: impl for<'c> NameSpan<DbCallInfo<'c>>) -> Self {
        self.name = Some(Arc::new(name));
        self
    }

    /// Called with each call and its span once the span has started.
    pub fn on_start(mut self, hook: impl for<'c> OnStart<DbCallInfo<'c>>) -> Self {
        self.on_start = Some(Arc::new(hook));
        self
    }

    /// Whether no hook is set.
    pub fn is_empty(&self) -> bool {
        self.skip.is_none() && self.name.is_none() && self.on_start.is_none()
    }

    pub(crate) fn skips(&self, call: &DbCallInfo<'_>) -> bool {
        self.skip.as_ref().is_some_and(|skip| skip.skip(call))
    }

    pub(crate) fn name(&self, call: &DbCallInfo<'_>) -> Option<String> {
        self.name.as_ref().and_then(|name| name.name(call))
    }

    pub(crate) fn has_on_start(&self) -> bool {
        self.on_start.is_some()
    }

    pub(crate) fn started(&self, call: &DbCallInfo<'_>, span: &CallSpan) {
        if let Some(hook) = &self.on_start {
            hook.on_start(call, span);
        }
    }
}
