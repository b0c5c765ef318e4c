//! Exporting that never blocks the application and never fails silently.
//!
//! Spans wait for export in a bounded queue of our own ([`batch`]); past its bound,
//! spans are dropped and counted instead of blocking, reported once (and their total at
//! shutdown), and failed exports are reported once per outage, naming what to check.
//! The SDK's batch processors report drops and failures only through OpenTelemetry's
//! internal logs, which also warn about sampler names the SDK does not know (our
//! `ratelimiting`); log records still go through the SDK's (see `logs`), behind the
//! same bound.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use opentelemetry::Context;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{Span, SpanData, SpanExporter, SpanProcessor};

mod batch;

pub(crate) use batch::BatchSettings;
use batch::SpanQueue;

/// Where run-time warnings go: the log when one is printed, else stderr.
pub(crate) type Report = fn(&str);

/// Where exports go, as reports name it (`the OTLP HTTP endpoint http://...`), and the
/// cause of the last failed request when the transport keeps one (the OTLP HTTP
/// exporter's own error says only "network error").
#[derive(Debug, Clone)]
pub(crate) struct Destination {
    name: Arc<str>,
    cause: Option<Arc<LastCause>>,
}

impl Destination {
    pub(crate) fn new(name: impl Into<Arc<str>>) -> Self {
        Destination {
            name: name.into(),
            cause: None,
        }
    }

    /// With the transport's record of why its last request failed.
    #[cfg(feature = "otlp-http")]
    pub(crate) fn with_cause(mut self, cause: Arc<LastCause>) -> Self {
        self.cause = Some(cause);
        self
    }

    /// `error`, with the transport's cause when it adds one.
    fn explain(&self, error: &dyn fmt::Display) -> String {
        let error = error.to_string();
        match self.cause.as_ref().and_then(|cause| cause.take()) {
            Some(cause) if !error.contains(&cause) => format!("{error} ({cause})"),
            _ => error,
        }
    }
}

impl fmt::Display for Destination {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

/// Why the transport's last request failed, kept for the next report.
#[derive(Debug, Default)]
pub(crate) struct LastCause(std::sync::Mutex<Option<String>>);

impl LastCause {
    #[cfg(feature = "otlp-http")]
    pub(crate) fn set(&self, cause: String) {
        if let Ok(mut last) = self.0.lock() {
            *last = Some(cause);
        }
    }

    fn take(&self) -> Option<String> {
        self.0.lock().ok().and_then(|mut last| last.take())
    }
}

/// What a queue holds, for its reports.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Signal {
    /// `span`, `log record`.
    pub(crate) one: &'static str,
    /// `spans`, `log records`.
    pub(crate) many: &'static str,
    /// What sizes the queue and what makes fewer, as advice: `raise OTEL_BSP_MAX_QUEUE_SIZE ...`.
    pub(crate) advice: &'static str,
}

/// Spans: the signal of [`BoundedBatch`].
pub(crate) const SPANS: Signal = Signal {
    one: "span",
    many: "spans",
    advice: "raise OTEL_BSP_MAX_QUEUE_SIZE or sample less (OTEL_TRACES_SAMPLER)",
};

/// The default of the queue sizes (`OTEL_BSP_MAX_QUEUE_SIZE`, `OTEL_BLRP_MAX_QUEUE_SIZE`),
/// the OpenTelemetry specification's.
pub(crate) const DEFAULT_QUEUE_SIZE: usize = 2048;

/// The largest queue size taken from the environment. The log records' queue is the
/// SDK's channel, which allocates every place up front: 2^31 places (which the
/// specification's range allows) would be 32 GiB, made inside `init()`.
pub(crate) const MAX_QUEUE_SIZE: usize = 1 << 20;

/// The queue size `variable` sets, else [`DEFAULT_QUEUE_SIZE`]; a value that is not a
/// positive whole number is a warning, and one above [`MAX_QUEUE_SIZE`] is capped there
/// with a warning.
pub(crate) fn queue_size_from(variable: &str, warnings: &mut Vec<String>) -> usize {
    let value = instrument_core::env::read_var(variable);
    queue_size(variable, value.as_deref(), warnings)
}

/// [`queue_size_from`], given the variable's value.
fn queue_size(variable: &str, value: Option<&str>, warnings: &mut Vec<String>) -> usize {
    let size = positive_or(variable, value, DEFAULT_QUEUE_SIZE, warnings);
    if size > MAX_QUEUE_SIZE {
        warnings.push(format!(
            "{variable}={size} is more than this exporter queues; using {MAX_QUEUE_SIZE}"
        ));
        return MAX_QUEUE_SIZE;
    }
    size
}

/// `value`, the value of `variable` (`None` when unset; empty is unset too, as the
/// specification says), as a positive whole number; else `default`, with a warning
/// when it was set to something else.
pub(crate) fn positive_or<N>(
    variable: &str,
    value: Option<&str>,
    default: N,
    warnings: &mut Vec<String>,
) -> N
where
    N: std::str::FromStr + PartialOrd + Default + fmt::Display,
{
    let Some(value) = value.map(str::trim).filter(|value| !value.is_empty()) else {
        return default;
    };
    match value.parse::<N>() {
        Ok(number) if number > N::default() => number,
        _ => {
            warnings.push(format!(
                "{variable}={value:?} is not a positive whole number; using {default}"
            ));
            default
        }
    }
}

/// A bound on what waits for export, shared by a batch processor (which lets items in)
/// and its exporter (which gives their places back): past `limit`, items are dropped
/// and counted instead of blocking the thread that made them; the first drop and the
/// total at shutdown are reported.
#[derive(Debug)]
pub(crate) struct QueueBound {
    in_flight: Arc<AtomicUsize>,
    limit: usize,
    dropped: AtomicUsize,
    /// Items in exports that failed.
    failed: AtomicUsize,
    report: Report,
    signal: Signal,
}

impl QueueBound {
    pub(crate) fn new(limit: usize, signal: Signal, report: Report) -> Arc<Self> {
        Arc::new(QueueBound {
            in_flight: Arc::default(),
            limit: limit.max(1),
            dropped: AtomicUsize::new(0),
            failed: AtomicUsize::new(0),
            report,
            signal,
        })
    }

    /// The most items let in at once.
    pub(crate) fn limit(&self) -> usize {
        self.limit
    }

    /// Takes a place for one item, or counts it dropped (`false`).
    pub(crate) fn admit(&self) -> bool {
        if self.in_flight.fetch_add(1, Ordering::AcqRel) < self.limit {
            return true;
        }
        self.in_flight.fetch_sub(1, Ordering::AcqRel);
        if self.dropped.fetch_add(1, Ordering::Relaxed) == 0 {
            let Signal { one, many, advice } = self.signal;
            (self.report)(&format!(
                "the {one} export queue is full ({} {many}): dropping {many} until it drains. \
                 The exporter is slower than the application; {advice}. The total is reported at shutdown",
                self.limit
            ));
        }
        false
    }

    /// Gives back `count` places when the returned guard is dropped: when an export
    /// ends, even one the batch processor abandons on timeout.
    pub(crate) fn release_later(&self, count: usize) -> Release {
        Release {
            in_flight: self.in_flight.clone(),
            count,
        }
    }

    /// Counts `count` items of an export that failed.
    pub(crate) fn export_failed(&self, count: usize) {
        self.failed.fetch_add(count, Ordering::Relaxed);
    }

    /// Items queued or being exported now.
    fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::Acquire)
    }

    /// Reports, once at a shutdown that ended with `shutdown` after waiting up to
    /// `timeout`, every item that never reached `destination`: dropped because the queue
    /// was full, in exports that failed, and (when the shutdown failed with items still
    /// in flight: it gave up) those still queued or being exported.
    pub(crate) fn report_undelivered(
        &self,
        destination: &Destination,
        shutdown: &OTelSdkResult,
        timeout: Duration,
    ) {
        let gave_up = (shutdown.is_err() && self.in_flight() > 0).then_some(timeout);
        let Signal { one, many, .. } = self.signal;
        let dropped = self.dropped.load(Ordering::Relaxed);
        let failed = self.failed.load(Ordering::Relaxed);
        let abandoned = gave_up.map_or(0, |_| self.in_flight());
        let total = dropped + failed + abandoned;
        if total == 0 {
            return;
        }
        let mut causes = Vec::new();
        if dropped > 0 {
            causes.push(format!(
                "{dropped} dropped because the {one} export queue ({} {many}) was full",
                self.limit
            ));
        }
        if failed > 0 {
            causes.push(format!("{failed} in exports that failed"));
        }
        if let Some(waited) = gave_up {
            causes.push(format!(
                "{abandoned} still waiting or being exported when the shutdown gave up after {waited:?}"
            ));
        }
        (self.report)(&format!(
            "{total} {many} were not delivered to {destination}: {}",
            causes.join(", ")
        ));
    }
}

/// Places in a [`QueueBound`], given back when dropped.
pub(crate) struct Release {
    in_flight: Arc<AtomicUsize>,
    count: usize,
}

impl Drop for Release {
    fn drop(&mut self) {
        self.in_flight.fetch_sub(self.count, Ordering::AcqRel);
    }
}

/// Export failures, reported once per outage (and its end, with the batches lost).
#[derive(Debug)]
pub(crate) struct Outage {
    failing: AtomicBool,
    failed_batches: AtomicUsize,
    destination: Destination,
    report: Report,
    many: &'static str,
}

impl Outage {
    /// For exports of `many` (`spans`) to `destination`.
    pub(crate) fn new(many: &'static str, destination: Destination, report: Report) -> Self {
        Outage {
            failing: AtomicBool::new(false),
            failed_batches: AtomicUsize::new(0),
            destination,
            report,
            many,
        }
    }

    /// Notes an export's result, reporting the first failure of an outage.
    pub(crate) fn observe(&self, result: &OTelSdkResult) {
        match result {
            Err(error) => {
                self.failed_batches.fetch_add(1, Ordering::Relaxed);
                if !self.failing.swap(true, Ordering::Relaxed) {
                    (self.report)(&format!(
                        "exporting {} to {} failed: {}. Is the collector running, and do \
                         OTEL_EXPORTER_OTLP_ENDPOINT and OTEL_EXPORTER_OTLP_PROTOCOL match it? \
                         (reported once until exporting works again)",
                        self.many,
                        self.destination,
                        self.destination.explain(error)
                    ));
                }
            }
            Ok(()) => {
                if self.failing.swap(false, Ordering::Relaxed) {
                    let failed = self.failed_batches.swap(0, Ordering::Relaxed);
                    tracing::info!(
                        target: "instrument",
                        "exporting {} works again after {failed} failed batches",
                        self.many
                    );
                }
            }
        }
    }
}

/// A batch processor whose queue holds at most `settings.queue` spans; past that, spans
/// are dropped and counted instead of blocking the thread that ended them.
pub(crate) struct BoundedBatch {
    queue: SpanQueue,
    bound: Arc<QueueBound>,
    destination: Destination,
}

impl fmt::Debug for BoundedBatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BoundedBatch")
            .field("bound", &self.bound)
            .finish_non_exhaustive()
    }
}

impl BoundedBatch {
    /// Batches `exporter`'s spans as `settings` say.
    pub(crate) fn new<E: SpanExporter + 'static>(
        exporter: E,
        settings: BatchSettings,
        destination: Destination,
        report: Report,
    ) -> Self {
        let bound = QueueBound::new(settings.queue, SPANS, report);
        let exporter = ReportingExporter {
            inner: exporter,
            bound: bound.clone(),
            outage: Outage::new(SPANS.many, destination.clone(), report),
        };
        BoundedBatch {
            queue: SpanQueue::start(exporter, settings, report),
            bound,
            destination,
        }
    }
}

impl SpanProcessor for BoundedBatch {
    fn on_start(&self, _span: &mut Span, _cx: &Context) {}

    fn on_end(&self, span: SpanData) {
        if self.bound.admit() && !self.queue.push(span) {
            // Shut down: the span is dropped, and its place given back.
            drop(self.bound.release_later(1));
        }
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.queue.force_flush()
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        let result = self.queue.shutdown_with_timeout(timeout);
        self.bound
            .report_undelivered(&self.destination, &result, timeout);
        result
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.queue.set_resource(resource);
    }
}

/// Wraps the real exporter: releases queue places as batches finish (or time out) and
/// reports failures once per outage.
struct ReportingExporter<E> {
    inner: E,
    bound: Arc<QueueBound>,
    outage: Outage,
}

impl<E: fmt::Debug> fmt::Debug for ReportingExporter<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReportingExporter")
            .field("inner", &self.inner)
            .finish()
    }
}

impl<E: SpanExporter> SpanExporter for ReportingExporter<E> {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        let count = batch.len();
        let _release = self.bound.release_later(count);
        let result = self.inner.export(batch).await;
        if result.is_err() {
            self.bound.export_failed(count);
        }
        self.outage.observe(&result);
        result
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.inner.shutdown_with_timeout(timeout)
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.inner.force_flush()
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.inner.set_resource(resource);
    }
}

/// An exporter for the tests of the bounded queues, of spans and of log records alike.
#[cfg(test)]
pub(crate) mod stuck {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex, mpsc};
    use std::time::Duration;

    use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
    use opentelemetry_sdk::trace::{SpanData, SpanExporter};

    /// Holds every batch until the test lets it go (or 5 s pass), counts what it was
    /// given, and fails every export when told to.
    #[derive(Debug)]
    pub(crate) struct Stuck {
        release: Mutex<mpsc::Receiver<()>>,
        exported: Arc<AtomicUsize>,
        fail: bool,
    }

    impl Stuck {
        /// The exporter, its count of items exported, and what lets one batch go.
        pub(crate) fn new(fail: bool) -> (Self, Arc<AtomicUsize>, mpsc::Sender<()>) {
            let (release, released) = mpsc::channel();
            let exported = Arc::new(AtomicUsize::new(0));
            let stuck = Stuck {
                release: Mutex::new(released),
                exported: exported.clone(),
                fail,
            };
            (stuck, exported, release)
        }

        /// One export of `items` items: waits to be let go, counts them, then fails or not.
        pub(crate) fn hold(&self, items: usize) -> OTelSdkResult {
            if let Ok(release) = self.release.lock() {
                let _ = release.recv_timeout(Duration::from_secs(5));
            }
            self.exported.fetch_add(items, Ordering::Relaxed);
            if self.fail {
                Err(OTelSdkError::InternalFailure(
                    "collector unreachable".into(),
                ))
            } else {
                Ok(())
            }
        }
    }

    impl SpanExporter for Stuck {
        async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
            self.hold(batch.len())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::stuck::Stuck;
    use super::*;

    #[test]
    fn a_queue_size_past_the_cap_is_capped_with_a_warning() {
        let mut warnings = Vec::new();
        let variable = "OTEL_BLRP_MAX_QUEUE_SIZE";
        assert_eq!(
            queue_size(variable, Some("2147483647"), &mut warnings),
            MAX_QUEUE_SIZE
        );
        assert_eq!(
            warnings,
            [
                "OTEL_BLRP_MAX_QUEUE_SIZE=2147483647 is more than this exporter queues; using 1048576"
            ]
        );
        warnings.clear();
        assert_eq!(queue_size(variable, Some("4096"), &mut warnings), 4096);
        assert_eq!(
            queue_size(variable, Some(""), &mut warnings),
            DEFAULT_QUEUE_SIZE
        );
        assert_eq!(
            queue_size(variable, None, &mut warnings),
            DEFAULT_QUEUE_SIZE
        );
        assert!(warnings.is_empty(), "{warnings:?}");
    }
    use opentelemetry::trace::{Span as _, Tracer as _, TracerProvider as _};
    use opentelemetry_sdk::trace::SdkTracerProvider;
    use std::sync::mpsc;

    fn provider(
        limit: usize,
        fail: bool,
    ) -> (SdkTracerProvider, Arc<AtomicUsize>, mpsc::Sender<()>) {
        let (exporter, exported, tx) = Stuck::new(fail);
        let provider = SdkTracerProvider::builder()
            .with_span_processor(BoundedBatch::new(
                exporter,
                BatchSettings::new(limit, 512, Duration::from_secs(5)),
                Destination::new("a test exporter"),
                |_| {},
            ))
            .build();
        (provider, exported, tx)
    }

    #[test]
    fn a_full_queue_drops_spans_without_blocking_and_counts_them() {
        let (provider, exported, release) = provider(4, false);
        let tracer = provider.tracer("test");
        for _ in 0..100 {
            tracer.start("work").end();
        }
        for _ in 0..100 {
            let _ = release.send(());
        }
        let _ = provider.shutdown();
        let exported = exported.load(Ordering::Relaxed);
        // Blocking instead of dropping would have exported all 100 once released.
        assert!((1..=4).contains(&exported), "exported {exported}");
    }

    #[test]
    fn a_failing_exporter_does_not_panic_and_frees_its_queue_places() {
        let (provider, exported, release) = provider(8, true);
        let tracer = provider.tracer("test");
        for _ in 0..3 {
            let _ = release.send(());
            tracer.start("work").end();
            let _ = provider.force_flush();
        }
        assert_eq!(
            exported.load(Ordering::Relaxed),
            3,
            "each batch was tried: places were released"
        );
        let _ = provider.shutdown();
    }
}
