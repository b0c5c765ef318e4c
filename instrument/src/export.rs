//! Exporting that never blocks the application and never fails silently.
//!
//! The SDK's batch processor already runs exports on its own thread with a bounded
//! queue, but it reports drops and export failures only through OpenTelemetry's
//! internal logs, which also warn about sampler names the SDK does not know (our
//! `ratelimiting`). So the queue bound is enforced here, where drops are counted and
//! reported once (and their total at shutdown), and failed exports are reported once
//! per outage, naming what to check.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use opentelemetry::Context;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{
    BatchConfigBuilder, BatchSpanProcessor, Span, SpanData, SpanExporter, SpanProcessor,
};

/// Spans queued or being exported, shared by the queue and the exporter.
type InFlight = Arc<AtomicUsize>;

/// Where run-time warnings go: the log when one is printed, else stderr.
pub(crate) type Report = fn(&str);

/// A batch processor whose queue holds at most `limit` spans; past that, spans are
/// dropped and counted instead of blocking the thread that ended them.
pub(crate) struct BoundedBatch {
    inner: BatchSpanProcessor,
    in_flight: InFlight,
    limit: usize,
    dropped: AtomicUsize,
    report: Report,
}

impl fmt::Debug for BoundedBatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BoundedBatch")
            .field("limit", &self.limit)
            .field("in_flight", &self.in_flight.load(Ordering::Relaxed))
            .field("dropped", &self.dropped.load(Ordering::Relaxed))
            .finish()
    }
}

impl BoundedBatch {
    /// Batches `exporter`'s spans with at most `limit` of them waiting.
    pub(crate) fn new<E: SpanExporter + 'static>(
        exporter: E,
        limit: usize,
        describe: &'static str,
        report: Report,
    ) -> Self {
        let limit = limit.max(1);
        let in_flight = InFlight::default();
        let exporter = ReportingExporter {
            inner: exporter,
            in_flight: in_flight.clone(),
            failing: AtomicBool::new(false),
            failed_batches: AtomicUsize::new(0),
            describe,
            report,
        };
        // The inner queue can never overflow: no more than `limit` spans are let in.
        let config = BatchConfigBuilder::default()
            .with_max_queue_size(limit)
            .with_max_export_batch_size(limit.min(512))
            .build();
        BoundedBatch {
            inner: BatchSpanProcessor::builder(exporter)
                .with_batch_config(config)
                .build(),
            in_flight,
            limit,
            dropped: AtomicUsize::new(0),
            report,
        }
    }

    /// Spans dropped so far because the queue was full.
    pub(crate) fn dropped(&self) -> usize {
        self.dropped.load(Ordering::Relaxed)
    }
}

impl SpanProcessor for BoundedBatch {
    fn on_start(&self, span: &mut Span, cx: &Context) {
        self.inner.on_start(span, cx);
    }

    fn on_end(&self, span: SpanData) {
        if self.in_flight.fetch_add(1, Ordering::AcqRel) >= self.limit {
            self.in_flight.fetch_sub(1, Ordering::AcqRel);
            if self.dropped.fetch_add(1, Ordering::Relaxed) == 0 {
                (self.report)(&format!(
                    "the span export queue is full ({} spans): dropping spans until it drains. \
                     The exporter is slower than the application; raise OTEL_BSP_MAX_QUEUE_SIZE or sample less \
                     (OTEL_TRACES_SAMPLER). The total is reported at shutdown",
                    self.limit
                ));
            }
            return;
        }
        self.inner.on_end(span);
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.inner.force_flush()
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        let result = self.inner.shutdown_with_timeout(timeout);
        let dropped = self.dropped();
        if dropped > 0 {
            (self.report)(&format!(
                "{dropped} spans were dropped in all because the export queue ({} spans) was full",
                self.limit
            ));
        }
        result
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.inner.set_resource(resource);
    }
}

/// Wraps the real exporter: releases queue places as batches finish (or time out) and
/// reports failures once per outage.
struct ReportingExporter<E> {
    inner: E,
    in_flight: InFlight,
    failing: AtomicBool,
    failed_batches: AtomicUsize,
    describe: &'static str,
    report: Report,
}

impl<E: fmt::Debug> fmt::Debug for ReportingExporter<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReportingExporter")
            .field("inner", &self.inner)
            .finish()
    }
}

/// Gives back a batch's places in the queue when the export ends, even when the batch
/// processor abandons it on timeout.
struct Release {
    in_flight: InFlight,
    spans: usize,
}

impl Drop for Release {
    fn drop(&mut self) {
        self.in_flight.fetch_sub(self.spans, Ordering::AcqRel);
    }
}

impl<E: SpanExporter> SpanExporter for ReportingExporter<E> {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        let _release = Release {
            in_flight: self.in_flight.clone(),
            spans: batch.len(),
        };
        let result = self.inner.export(batch).await;
        match &result {
            Err(error) => {
                self.failed_batches.fetch_add(1, Ordering::Relaxed);
                if !self.failing.swap(true, Ordering::Relaxed) {
                    (self.report)(&format!(
                        "exporting spans to {} failed: {error}. Is the collector running, and do \
                         OTEL_EXPORTER_OTLP_ENDPOINT and OTEL_EXPORTER_OTLP_PROTOCOL match it? \
                         (reported once until exporting works again)",
                        self.describe
                    ));
                }
            }
            Ok(()) => {
                if self.failing.swap(false, Ordering::Relaxed) {
                    let failed = self.failed_batches.swap(0, Ordering::Relaxed);
                    tracing::info!(target: "instrument", "exporting spans works again after {failed} failed batches");
                }
            }
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry::trace::{Span as _, Tracer as _, TracerProvider as _};
    use opentelemetry_sdk::error::OTelSdkError;
    use opentelemetry_sdk::trace::SdkTracerProvider;
    use std::sync::mpsc;

    /// An exporter that holds every batch until the test lets it go.
    #[derive(Debug)]
    struct Stuck {
        release: std::sync::Mutex<mpsc::Receiver<()>>,
        exported: Arc<AtomicUsize>,
        fail: bool,
    }

    impl SpanExporter for Stuck {
        async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
            if let Ok(release) = self.release.lock() {
                let _ = release.recv_timeout(Duration::from_secs(5));
            }
            self.exported.fetch_add(batch.len(), Ordering::Relaxed);
            if self.fail {
                Err(OTelSdkError::InternalFailure(
                    "collector unreachable".into(),
                ))
            } else {
                Ok(())
            }
        }
    }

    fn provider(
        limit: usize,
        fail: bool,
    ) -> (SdkTracerProvider, Arc<AtomicUsize>, mpsc::Sender<()>) {
        let (tx, rx) = mpsc::channel();
        let exported = Arc::new(AtomicUsize::new(0));
        let exporter = Stuck {
            release: std::sync::Mutex::new(rx),
            exported: exported.clone(),
            fail,
        };
        let provider = SdkTracerProvider::builder()
            .with_span_processor(BoundedBatch::new(
                exporter,
                limit,
                "a test exporter",
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
