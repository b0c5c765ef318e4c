//! The meter provider `init()` installs for the calls' metrics, and the console table.
//!
//! `OTEL_METRICS_EXPORTER` picks where metrics go (`otlp`, `console`, `none`); unset,
//! they go where the spans go (the OTLP endpoint, the console, or nowhere), so a
//! quickstart that shows its traces on the console shows its metrics there too.
//! `OTEL_METRIC_EXPORT_INTERVAL` (milliseconds, default 60000) is how often they are
//! exported, and the guard exports them once more when dropped. With no exporter, no
//! meter provider is made and calls record no metric at all.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::sync::Mutex;
use std::time::Duration;

use opentelemetry::{KeyValue, Value};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::metrics::data::{AggregatedMetrics, MetricData, ResourceMetrics};
use opentelemetry_sdk::metrics::exporter::PushMetricExporter;
use opentelemetry_sdk::metrics::{PeriodicReader, SdkMeterProvider, Temporality};

#[cfg(any(feature = "otlp-grpc", feature = "otlp-http"))]
use crate::export::{Destination, Outage, Report};

/// The default of `OTEL_METRIC_EXPORT_INTERVAL`.
pub(crate) const DEFAULT_INTERVAL: Duration = Duration::from_secs(60);

/// A meter provider exporting through `exporter` every `interval`.
pub(crate) fn provider<E: PushMetricExporter>(
    exporter: E,
    interval: Duration,
    resource: Resource,
) -> SdkMeterProvider {
    SdkMeterProvider::builder()
        .with_resource(resource)
        .with_reader(
            PeriodicReader::builder(exporter)
                .with_interval(interval)
                .build(),
        )
        .build()
}

/// A metric exporter that says, once until exporting works again, that exports fail.
#[derive(Debug)]
#[cfg(any(feature = "otlp-grpc", feature = "otlp-http"))]
pub(crate) struct Reporting<E> {
    inner: E,
    outage: Outage,
}

#[cfg(any(feature = "otlp-grpc", feature = "otlp-http"))]
impl<E> Reporting<E> {
    pub(crate) fn new(inner: E, destination: Destination, report: Report) -> Self {
        Reporting {
            inner,
            outage: Outage::new("metrics", destination, report),
        }
    }
}

#[cfg(any(feature = "otlp-grpc", feature = "otlp-http"))]
impl<E: PushMetricExporter> PushMetricExporter for Reporting<E> {
    async fn export(&self, metrics: &ResourceMetrics) -> OTelSdkResult {
        let result = self.inner.export(metrics).await;
        self.outage.observe(&result);
        result
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.inner.force_flush()
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.inner.shutdown_with_timeout(timeout)
    }

    fn temporality(&self) -> Temporality {
        self.inner.temporality()
    }
}

/// The console's metrics: a table per operation on stderr when the provider shuts down
/// (the guard is dropped), from the totals of the last export.
///
/// ```text
/// operation                                        count  errors       p50       p95       p99
/// db    SELECT orders (postgresql)                     3       1    2.1 ms    4.8 ms    4.8 ms
/// http  GET /orders/{id}                               3       0    5.0 ms    9.4 ms    9.9 ms
/// http→ GET api.example.com                            3       0    3.2 ms    6.0 ms    6.0 ms
/// msg   publish orders (rabbitmq)                      3       0    180 µs    410 µs    430 µs
/// ```
///
/// `db` rows are database calls by query summary (or command), `http` rows requests
/// this service served, by route, `http→` rows requests it sent, by server, and `msg`
/// rows messaging operations (publish, process, ack, ...) by destination.
/// Percentiles are estimated from the histogram's buckets (linear within a bucket,
/// clamped to the smallest and largest value seen), so they are as fine as the buckets.
#[derive(Debug, Default)]
pub(crate) struct ConsoleMetrics {
    rows: Mutex<Vec<Row>>,
}

/// One line of the table.
#[derive(Debug, Clone, PartialEq)]
struct Row {
    kind: &'static str,
    operation: String,
    count: u64,
    errors: u64,
    bounds: Vec<f64>,
    buckets: Vec<u64>,
    min: f64,
    max: f64,
}

impl PushMetricExporter for ConsoleMetrics {
    async fn export(&self, metrics: &ResourceMetrics) -> OTelSdkResult {
        let rows = rows(metrics);
        if let Ok(mut kept) = self.rows.lock() {
            *kept = rows;
        }
        Ok(())
    }

    fn force_flush(&self) -> OTelSdkResult {
        Ok(())
    }

    fn shutdown_with_timeout(&self, _timeout: Duration) -> OTelSdkResult {
        let rows = self
            .rows
            .lock()
            .map(|mut rows| std::mem::take(&mut *rows))
            .unwrap_or_default();
        if !rows.is_empty() {
            let _ = std::io::stderr().lock().write_all(table(&rows).as_bytes());
        }
        Ok(())
    }

    fn temporality(&self) -> Temporality {
        // Totals since the start: the last export holds the whole run.
        Temporality::Cumulative
    }
}

/// The rows of every duration histogram, one per operation, errors counted apart.
fn rows(metrics: &ResourceMetrics) -> Vec<Row> {
    let mut rows: BTreeMap<(&'static str, String), Row> = BTreeMap::new();
    for scope in metrics.scope_metrics() {
        for metric in scope.metrics() {
            let kind = match metric.name() {
                "db.client.operation.duration" => "db",
                "http.client.request.duration" => "http→",
                "http.server.request.duration" => "http",
                "messaging.client.operation.duration" | "messaging.process.duration" => "msg",
                _ => continue,
            };
            let AggregatedMetrics::F64(MetricData::Histogram(histogram)) = metric.data() else {
                continue;
            };
            for point in histogram.data_points() {
                let attributes: Vec<&KeyValue> = point.attributes().collect();
                let operation = operation(kind, &attributes);
                let failed = attributes
                    .iter()
                    .any(|attribute| attribute.key.as_str() == "error.type");
                let row = rows
                    .entry((kind, operation.clone()))
                    .or_insert_with(|| Row {
                        kind,
                        operation,
                        count: 0,
                        errors: 0,
                        bounds: point.bounds().collect(),
                        buckets: vec![0; point.bounds().count() + 1],
                        min: f64::INFINITY,
                        max: 0.0,
                    });
                row.count += point.count();
                if failed {
                    row.errors += point.count();
                }
                for (total, count) in row.buckets.iter_mut().zip(point.bucket_counts()) {
                    *total += count;
                }
                row.min = row.min.min(point.min().unwrap_or(f64::INFINITY));
                row.max = row.max.max(point.max().unwrap_or(0.0));
            }
        }
    }
    rows.into_values().collect()
}

/// A short name for the operation: the query summary or command, the method and route,
/// the method and server.
fn operation(kind: &str, attributes: &[&KeyValue]) -> String {
    let get = |key: &str| {
        attributes
            .iter()
            .find(|attribute| attribute.key.as_str() == key)
            .map(|attribute| match &attribute.value {
                Value::String(text) => text.as_str().to_owned(),
                other => other.to_string(),
            })
    };
    let text = match kind {
        "db" => {
            let what = get("db.query.summary")
                .or_else(|| get("db.operation.name"))
                .unwrap_or_default();
            format!("{what} ({})", get("db.system.name").unwrap_or_default())
        }
        "http" => format!(
            "{} {}",
            get("http.request.method").unwrap_or_default(),
            get("http.route").unwrap_or_default()
        ),
        "msg" => format!(
            "{} {} ({})",
            get("messaging.operation.name").unwrap_or_default(),
            get("messaging.destination.template")
                .or_else(|| get("messaging.destination.name"))
                .unwrap_or_else(|| "(temporary)".to_owned()),
            get("messaging.system").unwrap_or_default()
        ),
        _ => format!(
            "{} {}",
            get("http.request.method").unwrap_or_default(),
            get("server.address").unwrap_or_default()
        ),
    };
    text.trim().to_owned()
}

/// The `q` quantile (0 to 1) of a row, in seconds.
fn quantile(row: &Row, q: f64) -> f64 {
    let target = q * row.count as f64;
    let mut seen = 0.0;
    for (index, &count) in row.buckets.iter().enumerate() {
        let count = count as f64;
        if count > 0.0 && seen + count >= target {
            let lower = if index == 0 {
                row.min
            } else {
                row.bounds[index - 1].max(row.min)
            };
            let upper = row
                .bounds
                .get(index)
                .copied()
                .unwrap_or(row.max)
                .min(row.max);
            let within = ((target - seen) / count).clamp(0.0, 1.0);
            return lower + (upper - lower).max(0.0) * within;
        }
        seen += count;
    }
    row.max
}

/// A duration for a person: µs, ms or s, three significant digits or so.
fn human(seconds: f64) -> String {
    if seconds < 0.001 {
        format!("{:.0} µs", seconds * 1e6)
    } else if seconds < 1.0 {
        format!("{:.1} ms", seconds * 1e3)
    } else {
        format!("{seconds:.2} s")
    }
}

const OPERATION_WIDTH: usize = 40;

fn table(rows: &[Row]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<w$} {:>7} {:>7} {:>9} {:>9} {:>9}",
        "operation",
        "count",
        "errors",
        "p50",
        "p95",
        "p99",
        w = OPERATION_WIDTH + 6
    );
    for row in rows {
        let mut operation = crate::console::printable(&row.operation).into_owned();
        if operation.chars().count() > OPERATION_WIDTH {
            operation = operation.chars().take(OPERATION_WIDTH - 1).collect();
            operation.push('…');
        }
        let _ = writeln!(
            out,
            "{:<5} {:<w$} {:>7} {:>7} {:>9} {:>9} {:>9}",
            row.kind,
            operation,
            row.count,
            row.errors,
            human(quantile(row, 0.50)),
            human(quantile(row, 0.95)),
            human(quantile(row, 0.99)),
            w = OPERATION_WIDTH
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(buckets: Vec<u64>, min: f64, max: f64) -> Row {
        Row {
            kind: "db",
            operation: "SELECT orders (postgresql)".to_owned(),
            count: buckets.iter().sum(),
            errors: 1,
            bounds: vec![0.001, 0.005, 0.01, 0.05],
            buckets,
            min,
            max,
        }
    }

    #[test]
    fn quantiles_stay_within_the_bucket_and_the_values_seen() {
        // 10 values in (1 ms, 5 ms], 10 in (5 ms, 10 ms].
        let row = row(vec![0, 10, 10, 0, 0], 0.002, 0.008);
        let p50 = quantile(&row, 0.5);
        assert!((0.002..=0.005).contains(&p50), "{p50}");
        let p99 = quantile(&row, 0.99);
        assert!((0.005..=0.008).contains(&p99), "{p99}");
        // Beyond the last bound: up to the largest value seen.
        let slow = row_with_overflow();
        assert!(quantile(&slow, 0.99) <= 2.0);
    }

    fn row_with_overflow() -> Row {
        row(vec![0, 0, 0, 0, 3], 0.5, 2.0)
    }

    #[test]
    fn the_table_has_one_line_per_operation() {
        let text = table(&[row(vec![0, 3, 0, 0, 0], 0.002, 0.004)]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        assert!(lines[0].starts_with("operation"));
        assert!(
            lines[1].starts_with("db    SELECT orders (postgresql)"),
            "{text}"
        );
        assert!(lines[1].contains("      3       1"), "{text}");
    }

    #[test]
    fn durations_read_at_a_glance() {
        assert_eq!(human(0.000_25), "250 µs");
        assert_eq!(human(0.0123), "12.3 ms");
        assert_eq!(human(2.5), "2.50 s");
    }
}
