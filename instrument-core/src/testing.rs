//! Capturing spans in tests: what would be exported, in memory.
//!
//! [`capture`] (or [`capture_async`]) runs your code with a private OpenTelemetry
//! pipeline exporting to memory, then hands back the spans as an exporter would have
//! received them: names, kinds, statuses, attributes, events, parents and trace ids.
//! The pipeline's tracer travels in the current OpenTelemetry context (see
//! [`emit`](crate::emit)) and its `tracing` subscriber (for your own `tracing` spans) is
//! the current thread's default, so tests running in parallel never see each other's
//! spans.
//!
//! ```
//! use instrument_core::testing::{capture, SpanKind};
//! use instrument_core::{DbCall, DbSystem, Library};
//!
//! let ((), spans) = capture(|| {
//!     let span = DbCall::new(Library::Sqlx, DbSystem::Postgresql)
//!         .sql("SELECT name FROM users WHERE id = $1", true)
//!         .start();
//!     span.record_returned_rows(1);
//! });
//! let query = spans.named("SELECT users");
//! assert_eq!(query.kind, SpanKind::Client);
//! query
//!     .assert_attr("db.system.name", "postgresql")
//!     .assert_attr("db.response.returned_rows", 1);
//! ```
//!
//! The metrics the same calls recorded come with the spans, per capture too:
//!
//! ```
//! # use instrument_core::testing::capture;
//! # use instrument_core::{DbCall, DbSystem, Library};
//! let ((), spans) = capture(|| {
//!     drop(DbCall::new(Library::Sqlx, DbSystem::Postgresql).sql("SELECT 1", true).start());
//! });
//! let duration = spans.metrics().named("db.client.operation.duration");
//! assert_eq!(duration.unit, "s");
//! assert_eq!(duration.point(&[("db.system.name", &"postgresql")]).count, 1);
//! ```
//!
//! [`assert_parity`] runs the same work through the raw client, the traced client and
//! the traced client switched off, and fails with a diff when the results differ.
//!
//! Work moved to another thread or task (`tokio::spawn`) leaves the private pipeline
//! behind unless it is carried along (`instrument-threads` does that).

mod metrics;
mod parity;
pub use metrics::{CapturedMetric, CapturedPoint, ExpectedValue, Metrics};
pub use parity::{Parity, assert_parity};

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime};

use opentelemetry::context::FutureExt as _;
use opentelemetry::trace::{SpanId, TraceId, TracerProvider as _};
use opentelemetry::{Array, Value};
use opentelemetry_sdk::metrics::{InMemoryMetricExporter, PeriodicReader, SdkMeterProvider};
use opentelemetry_sdk::trace::{
    InMemorySpanExporter, SdkTracerProvider, SimpleSpanProcessor, SpanData, SpanProcessor,
};
use tracing::Dispatch;
use tracing::instrument::WithSubscriber as _;
use tracing_subscriber::layer::SubscriberExt as _;

/// The kind of a captured span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpanKind {
    /// `INTERNAL`.
    Internal,
    /// `CLIENT`.
    Client,
    /// `SERVER`.
    Server,
    /// `PRODUCER`.
    Producer,
    /// `CONSUMER`.
    Consumer,
}

/// The status of a captured span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Not set: the default for a call that did not fail.
    Unset,
    /// Failed, with its description.
    Error(String),
    /// Explicitly OK (this project never sets it).
    Ok,
}

/// An event of a captured span (`exception`, ...).
#[derive(Debug, Clone)]
pub struct CapturedEvent {
    /// Event name.
    pub name: String,
    /// Event attributes in recording order.
    pub attributes: Vec<(String, Value)>,
}

impl CapturedEvent {
    /// The attribute's value as a string, when it is one.
    pub fn str_attr(&self, key: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(k, _)| k == key)
            .and_then(|(_, v)| as_str(v))
    }
}

/// One span as an exporter received it.
#[derive(Debug, Clone)]
pub struct CapturedSpan {
    /// The exported span name (`otel.name` when set).
    pub name: String,
    /// The instrumentation scope that made it (`instrument-sqlx`, ... for ours).
    pub scope: String,
    /// That scope's version (this project's, for ours).
    pub scope_version: Option<String>,
    /// That scope's schema URL ([`SCHEMA_URL`](crate::SCHEMA_URL), for ours).
    pub scope_schema_url: Option<String>,
    /// Span kind.
    pub kind: SpanKind,
    /// Span status.
    pub status: Status,
    /// Attributes by name.
    pub attributes: Vec<(String, Value)>,
    /// Events in recording order.
    pub events: Vec<CapturedEvent>,
    /// Trace id.
    pub trace_id: TraceId,
    /// Span id.
    pub span_id: SpanId,
    /// Parent span id (`None` for a root).
    pub parent_span_id: Option<SpanId>,
    /// Whether the parent came from another process.
    pub parent_is_remote: bool,
    /// The spans this one links to (follows-from), as (trace id, span id).
    pub links: Vec<(TraceId, SpanId)>,
    /// Start time.
    pub start_time: SystemTime,
    /// End time.
    pub end_time: SystemTime,
}

impl CapturedSpan {
    fn from_data(data: SpanData) -> Self {
        let parent = data.parent_span_id;
        CapturedSpan {
            name: data.name.into_owned(),
            scope: data.instrumentation_scope.name().to_owned(),
            scope_version: data.instrumentation_scope.version().map(str::to_owned),
            scope_schema_url: data.instrumentation_scope.schema_url().map(str::to_owned),
            kind: match data.span_kind {
                opentelemetry::trace::SpanKind::Client => SpanKind::Client,
                opentelemetry::trace::SpanKind::Server => SpanKind::Server,
                opentelemetry::trace::SpanKind::Producer => SpanKind::Producer,
                opentelemetry::trace::SpanKind::Consumer => SpanKind::Consumer,
                opentelemetry::trace::SpanKind::Internal => SpanKind::Internal,
            },
            status: match data.status {
                opentelemetry::trace::Status::Unset => Status::Unset,
                opentelemetry::trace::Status::Ok => Status::Ok,
                opentelemetry::trace::Status::Error { description } => {
                    Status::Error(description.into_owned())
                }
            },
            attributes: data
                .attributes
                .into_iter()
                .map(|kv| (kv.key.as_str().to_owned(), kv.value))
                .collect(),
            events: data
                .events
                .into_iter()
                .map(|event| CapturedEvent {
                    name: event.name.into_owned(),
                    attributes: event
                        .attributes
                        .into_iter()
                        .map(|kv| (kv.key.as_str().to_owned(), kv.value))
                        .collect(),
                })
                .collect(),
            trace_id: data.span_context.trace_id(),
            span_id: data.span_context.span_id(),
            parent_span_id: (parent != SpanId::INVALID).then_some(parent),
            parent_is_remote: data.parent_span_is_remote,
            links: data
                .links
                .iter()
                .map(|link| (link.span_context.trace_id(), link.span_context.span_id()))
                .collect(),
            start_time: data.start_time,
            end_time: data.end_time,
        }
    }

    /// The attribute's value.
    pub fn attr(&self, key: &str) -> Option<&Value> {
        find_attr(&self.attributes, key)
    }

    /// The attribute's value as a string, when it is one.
    pub fn str_attr(&self, key: &str) -> Option<&str> {
        self.attr(key).and_then(as_str)
    }

    /// The attribute's value as an integer, when it is one.
    pub fn i64_attr(&self, key: &str) -> Option<i64> {
        match self.attr(key) {
            Some(Value::I64(v)) => Some(*v),
            _ => None,
        }
    }

    /// A floating-point attribute's value.
    pub fn f64_attr(&self, key: &str) -> Option<f64> {
        match self.attr(key) {
            Some(Value::F64(v)) => Some(*v),
            _ => None,
        }
    }

    /// Panics, listing the span's attributes, unless `key` has exactly `expected`.
    /// Integers compare across widths; strings compare with `&str`.
    #[track_caller]
    pub fn assert_attr(&self, key: &str, expected: impl Expected) -> &Self {
        let expected = expected.into_value();
        let actual = self.attr(key);
        if actual != Some(&expected) {
            panic!(
                "span {:?}: expected {key} = {expected:?}, found {actual:?}\n{self}",
                self.name
            );
        }
        self
    }

    /// Panics, listing the span's attributes, if `key` is present.
    #[track_caller]
    pub fn assert_no_attr(&self, key: &str) -> &Self {
        if let Some(value) = self.attr(key) {
            panic!(
                "span {:?}: expected no {key}, found {value:?}\n{self}",
                self.name
            );
        }
        self
    }

    /// Does the span's status say it failed?
    pub fn is_error(&self) -> bool {
        matches!(self.status, Status::Error(_))
    }

    /// The first event with this name.
    pub fn event(&self, name: &str) -> Option<&CapturedEvent> {
        self.events.iter().find(|event| event.name == name)
    }

    /// Is this span a direct child of `parent` (same trace, parent id matches)?
    pub fn is_child_of(&self, parent: &CapturedSpan) -> bool {
        self.trace_id == parent.trace_id && self.parent_span_id == Some(parent.span_id)
    }

    /// Does this span link to `other` (follows-from)?
    pub fn links_to(&self, other: &CapturedSpan) -> bool {
        self.links.contains(&(other.trace_id, other.span_id))
    }
}

impl fmt::Display for CapturedSpan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} [{:?}, {:?}]", self.name, self.kind, self.status)?;
        for (key, value) in &self.attributes {
            writeln!(f, "  {key} = {value:?}")?;
        }
        for event in &self.events {
            writeln!(f, "  event {}: {:?}", event.name, event.attributes)?;
        }
        Ok(())
    }
}

/// The value of `key` among captured attributes.
fn find_attr<'a>(attributes: &'a [(String, Value)], key: &str) -> Option<&'a Value> {
    attributes.iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

fn as_str(value: &Value) -> Option<&str> {
    match value {
        Value::String(s) => Some(s.as_str()),
        _ => None,
    }
}

/// The spans captured by one [`capture`], in start order, and the metrics of the same
/// calls ([`metrics`](Spans::metrics)).
#[derive(Debug, Clone, Default)]
pub struct Spans {
    spans: Vec<CapturedSpan>,
    metrics: Metrics,
}

impl Spans {
    /// The metrics the captured code's calls recorded.
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// Number of spans.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// No span at all?
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Every span, in start order.
    pub fn iter(&self) -> impl Iterator<Item = &CapturedSpan> {
        self.spans.iter()
    }

    /// Every span's name, in start order.
    pub fn names(&self) -> Vec<&str> {
        self.spans.iter().map(|span| span.name.as_str()).collect()
    }

    /// The first span with this name; panics listing every name when there is none.
    #[track_caller]
    pub fn named(&self, name: &str) -> &CapturedSpan {
        self.find(|span| span.name == name)
            .unwrap_or_else(|| panic!("no span named {name:?}; captured: {:?}", self.names()))
    }

    /// Every span with this name.
    pub fn all_named(&self, name: &str) -> Vec<&CapturedSpan> {
        self.spans.iter().filter(|span| span.name == name).collect()
    }

    /// The first span matching `predicate`.
    pub fn find(&self, predicate: impl Fn(&CapturedSpan) -> bool) -> Option<&CapturedSpan> {
        self.spans.iter().find(|span| predicate(span))
    }

    /// The captured parent of `span`, if it was captured too.
    pub fn parent_of(&self, span: &CapturedSpan) -> Option<&CapturedSpan> {
        self.find(|candidate| span.is_child_of(candidate))
    }

    /// The direct children of `span`, in start order.
    pub fn children_of(&self, span: &CapturedSpan) -> Vec<&CapturedSpan> {
        self.spans
            .iter()
            .filter(|child| child.is_child_of(span))
            .collect()
    }

    /// Panics listing what was captured unless nothing was: no span and no metric.
    #[track_caller]
    pub fn assert_empty(&self) {
        assert!(
            self.is_empty(),
            "expected no spans, captured: {:?}",
            self.names()
        );
        self.metrics.assert_empty();
    }
}

impl IntoIterator for Spans {
    type Item = CapturedSpan;
    type IntoIter = std::vec::IntoIter<CapturedSpan>;
    fn into_iter(self) -> Self::IntoIter {
        self.spans.into_iter()
    }
}

/// A private OpenTelemetry → memory pipeline, with a `tracing` subscriber for the
/// application's own `tracing` spans.
struct Pipeline {
    exporter: InMemorySpanExporter,
    provider: SdkTracerProvider,
    metric_exporter: InMemoryMetricExporter,
    meters: SdkMeterProvider,
    dispatch: Dispatch,
    /// Makes this pipeline's tracer the one for our spans (see [`crate::emit`]).
    context: opentelemetry::Context,
    open: Arc<AtomicUsize>,
}

/// How long a capture waits for spans still open when its code is done: a client may
/// hold a span a moment longer on its own thread (sqlx's SQLite worker enters the query's
/// span and lets go of it just after replying).
const CLOSE_WAIT: Duration = Duration::from_secs(1);

/// Counts the `tracing` spans of one capture that are open.
struct OpenSpans(Arc<AtomicUsize>);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for OpenSpans {
    fn on_new_span(
        &self,
        _attrs: &tracing::span::Attributes<'_>,
        _id: &tracing::span::Id,
        _ctx: tracing_subscriber::layer::Context<'_, S>,
    ) {
        self.0.fetch_add(1, Ordering::AcqRel);
    }

    fn on_close(&self, _id: tracing::span::Id, _ctx: tracing_subscriber::layer::Context<'_, S>) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Exports each span to memory as it ends, counting the OpenTelemetry spans open.
#[derive(Debug)]
struct CountingExport {
    inner: SimpleSpanProcessor<InMemorySpanExporter>,
    open: Arc<AtomicUsize>,
}

impl SpanProcessor for CountingExport {
    fn on_start(&self, span: &mut opentelemetry_sdk::trace::Span, cx: &opentelemetry::Context) {
        self.open.fetch_add(1, Ordering::AcqRel);
        self.inner.on_start(span, cx);
    }

    fn on_end(&self, span: SpanData) {
        self.inner.on_end(span);
        self.open.fetch_sub(1, Ordering::AcqRel);
    }

    fn force_flush(&self) -> opentelemetry_sdk::error::OTelSdkResult {
        self.inner.force_flush()
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> opentelemetry_sdk::error::OTelSdkResult {
        self.inner.shutdown_with_timeout(timeout)
    }
}

/// The application's own `tracing` spans to `provider`, and its events onto the current
/// span, as `init()` exports them (without `init()`'s level filter: a test sees all).
fn own_tracing<S>(
    provider: &SdkTracerProvider,
    scope: &'static str,
) -> impl tracing_subscriber::Layer<S>
where
    S: tracing::Subscriber + for<'span> tracing_subscriber::registry::LookupSpan<'span>,
{
    use tracing_subscriber::Layer as _;
    use tracing_subscriber::filter::filter_fn;
    crate::otel_layer(provider.tracer(scope))
        .with_filter(filter_fn(|metadata| metadata.is_span()))
        .and_then(crate::SpanEvents::new().with_filter(filter_fn(crate::exported)))
}

/// tracing-core caches each callsite's interest for the whole process. While at most one
/// dispatcher is registered, it computes that interest from the default of whichever
/// thread triggers the computation (tokio-rs/tracing#3611): creating a capture's
/// dispatcher on one test thread, before it is installed, can then switch callsites off
/// for a capture running on another. A second dispatcher registered for the life of the
/// process keeps tracing-core asking every registered dispatcher instead.
fn keep_interest_per_dispatcher() {
    static KEEPER: std::sync::OnceLock<Dispatch> = std::sync::OnceLock::new();
    KEEPER.get_or_init(|| Dispatch::new(tracing_subscriber::registry()));
}

impl Pipeline {
    fn new() -> Self {
        keep_interest_per_dispatcher();
        let exporter = InMemorySpanExporter::default();
        let open = Arc::new(AtomicUsize::new(0));
        let provider = SdkTracerProvider::builder()
            .with_span_processor(CountingExport {
                inner: SimpleSpanProcessor::new(exporter.clone()),
                open: open.clone(),
            })
            .build();
        // Outermost, so that a span counts as closed only once the OpenTelemetry layer
        // inside it has exported it (a layered subscriber closes inner layers first).
        let dispatch = Dispatch::new(
            tracing_subscriber::registry()
                .with(own_tracing(&provider, "instrument-testing"))
                .with(OpenSpans(open.clone())),
        );
        let metric_exporter = InMemoryMetricExporter::default();
        // Collected when the code is done (`finish`), never on a timer.
        let meters = SdkMeterProvider::builder()
            .with_reader(
                PeriodicReader::builder(metric_exporter.clone())
                    .with_interval(Duration::from_secs(24 * 60 * 60))
                    .build(),
            )
            .build();
        let context = crate::emit::scoped_context_with_meters(&provider, &meters);
        Pipeline {
            exporter,
            provider,
            metric_exporter,
            meters,
            dispatch,
            context,
            open,
        }
    }

    /// Should the capture that ended at `code_done` go on waiting: are spans of it still
    /// open somewhere, and has it waited less than [`CLOSE_WAIT`]?
    fn still_waiting(&self, code_done: Instant) -> bool {
        self.open.load(Ordering::Acquire) > 0 && code_done.elapsed() < CLOSE_WAIT
    }

    fn finish(self) -> Spans {
        drop(self.dispatch);
        let _ = self.provider.force_flush();
        let mut spans: Vec<CapturedSpan> = self
            .exporter
            .get_finished_spans()
            .unwrap_or_default()
            .into_iter()
            .map(CapturedSpan::from_data)
            .collect();
        spans.sort_by_key(|span| span.start_time);
        let _ = self.meters.force_flush();
        let metrics = Metrics::from_export(
            self.metric_exporter
                .get_finished_metrics()
                .unwrap_or_default(),
        );
        let _ = self.meters.shutdown();
        Spans { spans, metrics }
    }
}

/// The current context (attach it inside a capture, which it keeps) with a remote parent
/// whose trace the caller chose not to sample: calls made under it are not sampled, so
/// they export no span, but still record their metrics.
pub fn unsampled_parent() -> opentelemetry::Context {
    use opentelemetry::trace::{SpanContext, TraceContextExt as _, TraceFlags, TraceState};
    opentelemetry::Context::current().with_remote_span_context(SpanContext::new(
        TraceId::from_bytes(*b"unsampled-trace!"),
        SpanId::from_bytes(*b"parent!!"),
        TraceFlags::default(),
        true,
        TraceState::default(),
    ))
}

/// `future`, run under [`unsampled_parent`]: its calls export no span, only metrics.
/// Use it inside [`capture_async`].
pub fn unsampled<F: Future>(future: F) -> opentelemetry::context::WithContext<F> {
    future.with_context(unsampled_parent())
}

/// Runs `f` on this thread with a private capturing pipeline and returns its result
/// with the spans that ended while it ran.
///
/// Spans still open when `f` returns (held by another thread a moment longer) are waited
/// for, up to one second; a span still open then is left out.
pub fn capture<T>(f: impl FnOnce() -> T) -> (T, Spans) {
    let pipeline = Pipeline::new();
    let result = {
        let _context = pipeline.context.clone().attach();
        tracing::dispatcher::with_default(&pipeline.dispatch, f)
    };
    let code_done = Instant::now();
    while pipeline.still_waiting(code_done) {
        std::thread::sleep(Duration::from_millis(1));
    }
    (result, pipeline.finish())
}

/// Runs `future` with a private capturing pipeline current at every poll, and returns
/// its output with the spans that ended while it ran.
///
/// Spans still open when `future` completes are waited for as in [`capture`], yielding
/// to the executor meanwhile (so tasks holding them can finish).
pub async fn capture_async<F: Future>(future: F) -> (F::Output, Spans) {
    let pipeline = Pipeline::new();
    let output = future
        .with_subscriber(pipeline.dispatch.clone())
        .with_context(pipeline.context.clone())
        .await;
    let code_done = Instant::now();
    while pipeline.still_waiting(code_done) {
        YieldOnce(false).await;
    }
    (output, pipeline.finish())
}

/// `future`, carrying the current capture (this thread's `tracing` subscriber and
/// OpenTelemetry context) wherever it is polled: for tasks a test spawns with plain
/// `tokio::spawn` (`instrument-threads` carries both by itself).
///
/// ```
/// use instrument_core::testing::{capture_async, carried};
/// use instrument_core::{DbCall, DbSystem, Library};
///
/// # let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
/// # runtime.block_on(async {
/// let ((), spans) = capture_async(async {
///     let task = async { drop(DbCall::new(Library::Redis, DbSystem::Redis).operation("PING").start()) };
///     tokio::spawn(carried(task)).await.unwrap();
/// })
/// .await;
/// assert_eq!(spans.names(), vec!["PING"]);
/// # });
/// ```
pub fn carried<F: Future>(future: F) -> impl Future<Output = F::Output> {
    let dispatch = tracing::dispatcher::get_default(Clone::clone);
    future
        .with_subscriber(dispatch)
        .with_context(opentelemetry::Context::current())
}

/// Returns `Pending` once (waking itself at once), so other tasks get to run.
struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<()> {
        if self.0 {
            std::task::Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            std::task::Poll::Pending
        }
    }
}

/// A value [`CapturedSpan::assert_attr`] compares with: strings, integers, booleans,
/// floats, or an OpenTelemetry [`Value`] (e.g. from [`string_array`]).
pub trait Expected {
    /// The OpenTelemetry value it stands for.
    fn into_value(self) -> Value;
}

impl Expected for Value {
    fn into_value(self) -> Value {
        self
    }
}

impl Expected for &str {
    fn into_value(self) -> Value {
        Value::String(self.to_owned().into())
    }
}

impl Expected for String {
    fn into_value(self) -> Value {
        Value::String(self.into())
    }
}

impl Expected for bool {
    fn into_value(self) -> Value {
        Value::Bool(self)
    }
}

impl Expected for f64 {
    fn into_value(self) -> Value {
        Value::F64(self)
    }
}

macro_rules! expected_integer {
    ($($ty:ty),*) => {$(
        impl Expected for $ty {
            fn into_value(self) -> Value {
                Value::I64(i64::from(self))
            }
        }
    )*};
}
expected_integer!(i8, i16, i32, i64, u8, u16, u32);

/// An array of strings, for comparing array attributes (`http.request.header.*`).
pub fn string_array<'a>(values: impl IntoIterator<Item = &'a str>) -> Value {
    Value::Array(Array::String(
        values
            .into_iter()
            .map(|v| opentelemetry::StringValue::from(v.to_owned()))
            .collect(),
    ))
}

/// A pipeline that does all the work of exporting (the batch processor, and
/// tracing-opentelemetry for `tracing` spans) and then throws the spans away: for
/// benchmarks of the exported path. Its provider is installed for the process
/// ([`emit::install`](crate::emit::install); the first one installed stays), so every
/// span of ours goes to it. The batch processor shuts down when this is dropped.
#[derive(Debug)]
pub struct ExportToNowhere {
    provider: SdkTracerProvider,
    dispatch: Dispatch,
}

#[derive(Debug)]
struct Nowhere;

impl opentelemetry_sdk::trace::SpanExporter for Nowhere {
    async fn export(&self, batch: Vec<SpanData>) -> opentelemetry_sdk::error::OTelSdkResult {
        drop(batch);
        Ok(())
    }
}

impl ExportToNowhere {
    /// The pipeline, configured as `instrument::init()` configures its own.
    pub fn new() -> Self {
        let provider = SdkTracerProvider::builder()
            .with_batch_exporter(Nowhere)
            .build();
        crate::emit::install(&provider);
        let dispatch = Dispatch::new(
            tracing_subscriber::registry().with(own_tracing(&provider, "instrument-bench")),
        );
        ExportToNowhere { provider, dispatch }
    }

    /// The subscriber for `tracing` spans, for `tracing::dispatcher::with_default` or
    /// `.with_subscriber`.
    pub fn dispatch(&self) -> &Dispatch {
        &self.dispatch
    }
}

impl Default for ExportToNowhere {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for ExportToNowhere {
    fn drop(&mut self) {
        let _ = self.provider.shutdown();
    }
}
