//! Emission: which OpenTelemetry tracer makes this project's spans, and how a span is
//! started from the current OpenTelemetry [`Context`].
//!
//! Spans are made straight through the OpenTelemetry SDK, not through `tracing`: a span
//! through `tracing` and tracing-opentelemetry costs about three times as much, and a
//! log filter (`RUST_LOG`) would decide what is traced. The tracer is, first that
//! applies:
//!
//! 1. the one a [`scoped_context`] carries (the `testing` capture, a pipeline built
//!    without being installed): it travels with the context, across threads and tasks
//!    that carry the context along;
//! 2. the one [`install`] set for the process (`instrument::init()` does that);
//! 3. OpenTelemetry's global tracer provider.
//!
//! # How our spans and `tracing` spans form one tree
//!
//! The parent of every span made here is the span of the current OpenTelemetry
//! [`Context`]. tracing-opentelemetry (with its default *context activation*) makes a
//! `tracing` span's OpenTelemetry context current while the span is entered, so a
//! query inside `tracing::info_span!("checkout")` is a child of `checkout`. The other
//! way round, [`Traced`](crate::Traced), [`TracedStream`](crate::TracedStream) and
//! [`CallSpan::in_scope`](crate::CallSpan::in_scope) make the call's context current
//! while its work runs, and tracing-opentelemetry takes the current context as the
//! parent of a new `tracing` span: a handler's `tracing` span behind the server layer is
//! a child of the server span.
//!
//! Database and HTTP client calls run none of the application's code, so their spans
//! are held on their own, outside any `Context`, and never made current: nothing that
//! could be their child runs inside them (a driver's own spans and events stay out of
//! them), and it saves a context and an attach per poll. Their context is built on demand ([`CallSpan::context`](crate::CallSpan::context)),
//! for injection into outgoing headers.

use std::sync::{Arc, OnceLock};

use opentelemetry::Context;
use opentelemetry::metrics::MeterProvider as _;
use opentelemetry::trace::{SpanBuilder, TraceContextExt as _, Tracer as _, TracerProvider as _};
use opentelemetry_sdk::metrics::SdkMeterProvider;
use opentelemetry_sdk::trace::{SdkTracer, SdkTracerProvider};

use crate::Library;
use crate::metrics::{CallMetric, Instruments, InstrumentsRef, MetricShape};
use crate::span::{CallKind, CallSpan};

/// One tracer per library, so each library's spans carry its own instrumentation scope
/// (`instrument-sqlx`, ...), in the order of [`Library::ALL`].
type Tracers = [SdkTracer; Library::ALL.len()];

/// The tracers of the provider [`install`] set for the process.
static INSTALLED: OnceLock<Tracers> = OnceLock::new();

fn tracers(provider: &SdkTracerProvider) -> Tracers {
    Library::ALL.map(|library| provider.tracer_with_scope(library.scope()))
}

/// Makes `provider` the one this project's spans go to, for the whole process (unless a
/// [`scoped_context`] says otherwise). `instrument::init()` calls it. The first provider
/// installed stays: returns `false`, changing nothing, when one already was.
pub fn install(provider: &SdkTracerProvider) -> bool {
    let mut installed = false;
    INSTALLED.get_or_init(|| {
        installed = true;
        tracers(provider)
    });
    installed
}

/// One library's instruments per library, in the order of [`Library::ALL`].
pub(crate) type LibraryInstruments = [Instruments; Library::ALL.len()];

/// The instruments of the meter provider [`install_meters`] set for the process.
static INSTALLED_METERS: OnceLock<LibraryInstruments> = OnceLock::new();

fn instruments(provider: &SdkMeterProvider, scope: u64) -> LibraryInstruments {
    Library::ALL.map(|library| {
        Instruments::new(&provider.meter_with_scope(library.scope()), library, scope)
    })
}

/// The id of the scoped pipeline current here, 0 for the installed one: pools made
/// under a scoped pipeline are observed by its meters only.
pub(crate) fn current_scope() -> u64 {
    Context::map_current(|current| {
        current
            .get::<ScopedTracer>()
            .map_or(0, |ScopedTracer(scoped)| scoped.id)
    })
}

/// Makes `provider` the one this project's metrics go to, for the whole process (unless
/// a [`scoped_context_with_meters`] says otherwise). `instrument::init()` calls it. The
/// first provider installed stays: returns `false`, changing nothing, when one already
/// was. Without one, no metric is recorded.
pub fn install_meters(provider: &SdkMeterProvider) -> bool {
    let mut installed = false;
    INSTALLED_METERS.get_or_init(|| {
        installed = true;
        instruments(provider, 0)
    });
    installed
}

/// A pipeline carried in a [`Context`]: see [`scoped_context`].
#[derive(Debug)]
struct Scoped {
    /// Unique per scoped pipeline, never 0.
    id: u64,
    tracers: Tracers,
    instruments: Option<Arc<LibraryInstruments>>,
}

/// A [`Scoped`] pipeline as a context value.
#[derive(Debug, Clone)]
struct ScopedTracer(Arc<Scoped>);

/// The current context, plus `provider` as the tracer of every span this project makes
/// while the returned context (or one derived from it) is current. Attach it around
/// code to send that code's spans to a pipeline of its own: the `testing` capture does,
/// per test thread, and so does `instrument::Telemetry` for a pipeline that is not
/// installed globally. No metric is recorded meanwhile; see
/// [`scoped_context_with_meters`].
pub fn scoped_context(provider: &SdkTracerProvider) -> Context {
    scoped(provider, None)
}

/// [`scoped_context`], with `meters` as the meter provider of the calls' metrics.
pub fn scoped_context_with_meters(
    provider: &SdkTracerProvider,
    meters: &SdkMeterProvider,
) -> Context {
    scoped(provider, Some(meters))
}

/// Has any scoped pipeline had meters? Until one has, only the installed meters can
/// record.
static SCOPED_METERS: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Could a call's metric be recorded at all: a meter provider installed, or one ever
/// carried by a scoped pipeline? When not, descriptions skip the work only metrics use.
pub(crate) fn meters_may_record() -> bool {
    INSTALLED_METERS.get().is_some() || SCOPED_METERS.load(std::sync::atomic::Ordering::Relaxed)
}

fn scoped(provider: &SdkTracerProvider, meters: Option<&SdkMeterProvider>) -> Context {
    static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let id = NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    if meters.is_some() {
        SCOPED_METERS.store(true, std::sync::atomic::Ordering::Relaxed);
    }
    Context::current().with_value(ScopedTracer(Arc::new(Scoped {
        id,
        tracers: tracers(provider),
        instruments: meters.map(|meters| Arc::new(instruments(meters, id))),
    })))
}

/// A context with nothing of `from` but what must follow work that outlives its
/// spawner: baggage, and the tracer a [`scoped_context`] set. No active span.
pub(crate) fn without_span(from: &Context) -> Context {
    use opentelemetry::baggage::BaggageExt as _;
    let mut context = Context::new();
    let baggage = from.baggage();
    if !baggage.is_empty() {
        // `Baggage` is not `Clone`: copied entry by entry.
        let copy: opentelemetry::baggage::Baggage = baggage
            .iter()
            .map(|(key, (value, metadata))| (key.clone(), (value.clone(), metadata.clone())))
            .collect();
        context = context.with_baggage(copy);
    }
    if let Some(scoped) = from.get::<ScopedTracer>() {
        context = context.with_value(scoped.clone());
    }
    context
}

/// A started span: the context holding it (to make current, to inject, to be the
/// parent of other spans) and whether it records (sampled, or recorded only).
pub(crate) struct Started {
    pub(crate) context: Context,
    pub(crate) recording: bool,
}

/// Starts `builder`'s span for `library` as a child of `parent`, or of the current
/// context when `parent` is `None`.
pub(crate) fn start(
    library: Library,
    builder: SpanBuilder,
    parent: Option<&Context>,
    metric: Option<MetricShape<'_>>,
) -> (Started, Option<CallMetric>) {
    match parent {
        Some(parent) => start_in(library, builder, parent, metric),
        None => Context::map_current(|current| start_in(library, builder, current, metric)),
    }
}

fn start_in(
    library: Library,
    mut builder: SpanBuilder,
    parent: &Context,
    metric: Option<MetricShape<'_>>,
) -> (Started, Option<CallMetric>) {
    let scoped = parent.get::<ScopedTracer>();
    let metric = call_metric(library, scoped, metric, &mut builder);
    let started = match build_span(library, builder, parent, scoped) {
        BuiltSpan::Sdk(span) => started(parent, span),
        BuiltSpan::Global(span) => started(parent, span),
        BuiltSpan::Unset => Started {
            context: parent.clone(),
            recording: false,
        },
    };
    (started, metric)
}

/// A span as its library's tracer built it: the SDK's span when the tracer is the
/// SDK's (the usual case, held without a box), the global provider's otherwise.
#[allow(
    clippy::large_enum_variant,
    reason = "held in the span's one Arc; boxing the SDK's span would add the allocation this avoids"
)]
pub(crate) enum BuiltSpan {
    Sdk(opentelemetry_sdk::trace::Span),
    Global(opentelemetry::global::BoxedSpan),
    /// Not built yet: only while a [`CallSpan`] is being made around it.
    Unset,
}

/// Builds `builder`'s span for `library` as a child of `parent`, with the tracer the
/// rule above picks (`scoped` is `parent`'s scoped pipeline, if any).
#[inline]
fn build_span(
    library: Library,
    builder: SpanBuilder,
    parent: &Context,
    scoped: Option<&ScopedTracer>,
) -> BuiltSpan {
    let index = library as usize;
    if let Some(ScopedTracer(scoped)) = scoped {
        return BuiltSpan::Sdk(scoped.tracers[index].build_with_context(builder, parent));
    }
    if let Some(tracers) = INSTALLED.get() {
        return BuiltSpan::Sdk(tracers[index].build_with_context(builder, parent));
    }
    let tracer = opentelemetry::global::tracer_provider().tracer_with_scope(library.scope());
    BuiltSpan::Global(tracer.build_with_context(builder, parent))
}

/// Starts `builder`'s span for `library` as a child of the current context, held on its
/// own ([`CallSpan::alone`]) with the call's metric (none when no meter provider is
/// set). The span is built where it is put in its `CallSpan`: the SDK's span is a few
/// hundred bytes, and each move of it on the way cost about 75 instructions.
pub(crate) fn start_alone(
    library: Library,
    mut builder: SpanBuilder,
    metric: Option<MetricShape<'_>>,
    kind: CallKind,
) -> CallSpan {
    Context::map_current(|parent| {
        let scoped = parent.get::<ScopedTracer>();
        let metric = call_metric(library, scoped, metric, &mut builder);
        CallSpan::alone(kind, metric, || {
            build_span(library, builder, parent, scoped)
        })
    })
}

/// The metric `shape` of a call whose span `builder` describes, from the instruments of
/// the scoped pipeline or the installed ones; `None` when there are none. The span and
/// the metric share their start (set on `builder` here) and their end (see
/// [`CallMetric::record`]): one clock read each, and the same duration in both.
fn call_metric(
    library: Library,
    scoped: Option<&ScopedTracer>,
    shape: Option<MetricShape<'_>>,
    builder: &mut SpanBuilder,
) -> Option<CallMetric> {
    let shape = shape?;
    let index = library as usize;
    let instruments = match scoped {
        Some(ScopedTracer(scoped)) => {
            InstrumentsRef::Scoped(scoped.instruments.as_ref()?.clone(), index)
        }
        None => InstrumentsRef::Installed(&INSTALLED_METERS.get()?[index]),
    };
    let started = *builder
        .start_time
        .get_or_insert_with(opentelemetry::time::now);
    Some(CallMetric::start(
        shape,
        instruments,
        builder.attributes.as_deref().unwrap_or_default(),
        started,
    ))
}

fn started<S>(parent: &Context, span: S) -> Started
where
    S: opentelemetry::trace::Span + Send + Sync + 'static,
{
    let recording = span.is_recording();
    Started {
        context: parent.with_span(span),
        recording,
    }
}
