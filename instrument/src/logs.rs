//! The application's `tracing` events exported as OpenTelemetry log records, beside
//! its spans: `OTEL_LOGS_EXPORTER` = `otlp` | `console` | `none` (the default: log
//! lines go to the terminal only, as before).
//!
//! Events become log records through OpenTelemetry's own bridge
//! (`opentelemetry-appender-tracing`): severity, target, the message as the body, the
//! other fields as attributes, and the trace and span ids of the current context. Which
//! events: the application's own, through `OTEL_RUST_TRACING_FILTER` (default `info`),
//! as for span events; another library's events (sqlx, hyper, ...; they can quote
//! query values or headers) only when that filter names the library's target
//! (`OTEL_RUST_TRACING_FILTER=info,sqlx=warn`). The exporters' own events never.
//!
//! Records wait in a bounded queue (`OTEL_BLRP_MAX_QUEUE_SIZE`, default 2048): past
//! it, they are dropped and counted, reported once and in total at shutdown, and
//! failed exports are reported once per outage, as for spans. The kill switch turns log
//! export off with the rest; the terminal's log lines stay.

use std::fmt;
use std::io::Write as _;
use std::sync::Arc;
use std::time::Duration;

use opentelemetry::InstrumentationScope;
use opentelemetry::logs::AnyValue;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::logs::{
    BatchConfigBuilder, BatchLogProcessor, LogBatch, LogExporter, LogProcessor, SdkLogRecord,
    SdkLoggerProvider, SimpleLogProcessor,
};

use crate::export::{Destination, Outage, QueueBound, Report, Signal};

/// `OTEL_BLRP_MAX_QUEUE_SIZE`: log records waiting for export before new ones are dropped.
pub(crate) const OTEL_BLRP_MAX_QUEUE_SIZE: &str = "OTEL_BLRP_MAX_QUEUE_SIZE";
/// A logger provider batching `exporter`'s records, at most `limit` waiting.
pub(crate) fn provider<E: LogExporter + 'static>(
    exporter: E,
    limit: usize,
    destination: Destination,
    resource: Resource,
    report: Report,
) -> SdkLoggerProvider {
    SdkLoggerProvider::builder()
        .with_resource(resource)
        .with_log_processor(BoundedLogs::new(exporter, limit, destination, report))
        .build()
}

/// The console's logger provider: each record on stderr as it is emitted.
pub(crate) fn console_provider(resource: Resource) -> SdkLoggerProvider {
    SdkLoggerProvider::builder()
        .with_resource(resource)
        .with_log_processor(SimpleLogProcessor::new(ConsoleLogs))
        .build()
}

/// Is `target` one the tracing filter `filter` names (`sqlx` in `info,sqlx=warn`)? Only
/// then are another library's events exported as log records.
pub(crate) fn named_targets(filter: Option<&str>) -> Vec<String> {
    let Some(filter) = filter else {
        return Vec::new();
    };
    filter
        .split(',')
        .filter_map(|directive| {
            // `target[span{field}]=level`: the target is what comes before `[` or `=`.
            let target = directive.split(['[', '=']).next()?.trim();
            let is_level = target
                .parse::<tracing::level_filters::LevelFilter>()
                .is_ok();
            (!target.is_empty() && !is_level).then(|| target.to_owned())
        })
        .collect()
}

/// Log records: the signal of [`BoundedLogs`].
const LOG_RECORDS: Signal = Signal {
    one: "log record",
    many: "log records",
    advice: "raise OTEL_BLRP_MAX_QUEUE_SIZE or log less (OTEL_RUST_TRACING_FILTER)",
};

/// A batch processor whose queue holds at most `limit` records; past that, records are
/// dropped and counted instead of blocking the thread that logged them.
#[derive(Debug)]
struct BoundedLogs {
    inner: BatchLogProcessor,
    bound: Arc<QueueBound>,
    destination: Destination,
}

impl BoundedLogs {
    fn new<E: LogExporter + 'static>(
        exporter: E,
        limit: usize,
        destination: Destination,
        report: Report,
    ) -> Self {
        let bound = QueueBound::new(limit, LOG_RECORDS, report);
        let exporter = ReportingLogs {
            inner: exporter,
            bound: bound.clone(),
            outage: Outage::new(LOG_RECORDS.many, destination.clone(), report),
        };
        // The inner queue can never overflow: no more than `limit` records are let in.
        let config = BatchConfigBuilder::default()
            .with_max_queue_size(bound.limit())
            .with_max_export_batch_size(bound.limit().min(512))
            .build();
        BoundedLogs {
            inner: BatchLogProcessor::builder(exporter)
                .with_batch_config(config)
                .build(),
            bound,
            destination,
        }
    }
}

impl LogProcessor for BoundedLogs {
    fn emit(&self, record: &mut SdkLogRecord, scope: &InstrumentationScope) {
        if self.bound.admit() {
            self.inner.emit(record, scope);
        }
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.inner.force_flush()
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        let result = self.inner.shutdown_with_timeout(timeout);
        self.bound
            .report_undelivered(&self.destination, &result, timeout);
        result
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.inner.set_resource(resource);
    }
}

/// Wraps the real exporter: gives back queue places as exports end and reports
/// failures once per outage.
#[derive(Debug)]
struct ReportingLogs<E> {
    inner: E,
    bound: Arc<QueueBound>,
    outage: Outage,
}

impl<E: LogExporter> LogExporter for ReportingLogs<E> {
    async fn export(&self, batch: LogBatch<'_>) -> OTelSdkResult {
        let count = batch.iter().count();
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

    fn set_resource(&mut self, resource: &Resource) {
        self.inner.set_resource(resource);
    }
}

/// The console's log exporter: one line per record on stderr, as it would be exported.
///
/// ```text
/// log record  INFO shop: card charged order=7 · trace 4bf92f3577b34da6a3ce929d0e0e4736 span 00f067aa0ba902b7
/// ```
#[derive(Debug)]
struct ConsoleLogs;

impl LogExporter for ConsoleLogs {
    async fn export(&self, batch: LogBatch<'_>) -> OTelSdkResult {
        let mut out = String::new();
        for (record, _) in batch.iter() {
            out.push_str(&console_line(record));
        }
        // A failed write to stderr has nowhere better to be reported.
        let _ = std::io::stderr().write_all(out.as_bytes());
        Ok(())
    }
}

/// One record as the console shows it.
fn console_line(record: &SdkLogRecord) -> String {
    use fmt::Write as _;
    let mut line = format!(
        "log record {:>5} {}:",
        record.severity_text().unwrap_or("-"),
        record.target().map_or("", |target| target.as_ref())
    );
    if let Some(body) = record.body() {
        let _ = write!(line, " {}", text_of(body));
    }
    for (key, value) in record.attributes_iter() {
        let _ = write!(line, " {key}={}", text_of(value));
    }
    if let Some(trace) = record.trace_context() {
        let _ = write!(line, " · trace {} span {}", trace.trace_id, trace.span_id);
    }
    // One line, with nothing in it that acts on the terminal (see `printable`).
    let mut line = crate::console::printable(&line).into_owned();
    line.push('\n');
    line
}

fn text_of(value: &AnyValue) -> String {
    match value {
        AnyValue::String(text) => text.as_str().to_owned(),
        AnyValue::Int(number) => number.to_string(),
        AnyValue::Double(number) => number.to_string(),
        AnyValue::Boolean(flag) => flag.to_string(),
        other => format!("{other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::stuck::Stuck;
    use opentelemetry::logs::{LogRecord as _, Logger as _, LoggerProvider as _};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::mpsc;

    impl LogExporter for Stuck {
        async fn export(&self, batch: LogBatch<'_>) -> OTelSdkResult {
            self.hold(batch.iter().count())
        }
    }

    static REPORTS: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

    fn stuck(limit: usize, fail: bool) -> (SdkLoggerProvider, Arc<AtomicUsize>, mpsc::Sender<()>) {
        let (exporter, exported, tx) = Stuck::new(fail);
        let report: Report = |text| REPORTS.lock().expect("reports").push(text.to_owned());
        let provider = provider(
            exporter,
            limit,
            Destination::new("a test exporter"),
            Resource::builder().build(),
            report,
        );
        (provider, exported, tx)
    }

    fn log(provider: &SdkLoggerProvider) {
        let logger = provider.logger("test");
        let mut record = logger.create_log_record();
        record.set_body("work".into());
        logger.emit(record);
    }

    #[test]
    fn a_full_queue_drops_records_without_blocking_counts_them_and_says_so_once() {
        let (provider, exported, release) = stuck(4, false);
        for _ in 0..100 {
            log(&provider);
        }
        for _ in 0..100 {
            let _ = release.send(());
        }
        let _ = provider.shutdown();
        let exported = exported.load(Ordering::Relaxed);
        // Blocking instead of dropping would have exported all 100 once released.
        assert!((1..=4).contains(&exported), "exported {exported}");
        let reports = REPORTS.lock().expect("reports").clone();
        let dropping: Vec<&String> = reports
            .iter()
            .filter(|report| report.contains("queue is full"))
            .collect();
        assert_eq!(dropping.len(), 1, "{reports:?}");
        let total = format!(
            "{} log records were not delivered to a test exporter: {} dropped",
            100 - exported,
            100 - exported
        );
        assert!(
            reports.iter().any(|report| report.contains(&total)),
            "{reports:?}"
        );
    }

    #[test]
    fn a_console_record_is_one_line_without_control_characters() {
        let provider = SdkLoggerProvider::builder().build();
        let logger = provider.logger("test");
        let mut record = logger.create_log_record();
        record.set_body("upload of a\nb\x1b[2J failed".into());
        record.add_attribute("file", "\x1b]0;x\x07");
        let line = console_line(&record);
        assert_eq!(line.matches('\n').count(), 1, "{line:?}");
        assert!(line.ends_with('\n'));
        assert!(!line.trim_end().chars().any(char::is_control), "{line:?}");
    }

    #[test]
    fn a_failing_exporter_frees_its_queue_places() {
        let (provider, exported, release) = stuck(8, true);
        for _ in 0..3 {
            let _ = release.send(());
            log(&provider);
            let _ = provider.force_flush();
        }
        assert_eq!(exported.load(Ordering::Relaxed), 3, "each batch was tried");
        let _ = provider.shutdown();
    }

    #[test]
    fn only_targets_a_filter_names_count_as_asked_for() {
        assert!(named_targets(None).is_empty());
        assert!(named_targets(Some("info")).is_empty());
        assert_eq!(named_targets(Some("info,sqlx=warn")), ["sqlx"]);
        assert_eq!(
            named_targets(Some("warn,hyper::proto[conn]=debug, tower_http ")),
            ["hyper::proto", "tower_http"]
        );
        assert!(named_targets(Some("[checkout]=debug,,=")).is_empty());
    }
}
