//! Captured metrics: what the calls of one capture recorded, by metric and attributes.

use std::fmt;

use opentelemetry::Value;
use opentelemetry_sdk::metrics::data::{AggregatedMetrics, MetricData, ResourceMetrics};

use super::{Expected, as_str, find_attr};

/// Every metric a capture recorded (cumulative over the captured code).
#[derive(Debug, Clone, Default)]
pub struct Metrics {
    metrics: Vec<CapturedMetric>,
}

/// One metric: its name, unit, instrumentation scope and data points.
#[derive(Debug, Clone)]
pub struct CapturedMetric {
    /// The metric's name (`db.client.operation.duration`).
    pub name: String,
    /// Its unit (`s`).
    pub unit: String,
    /// The instrumentation scope that recorded it (`instrument-sqlx`).
    pub scope: String,
    /// One point per distinct set of attributes.
    pub points: Vec<CapturedPoint>,
}

/// One data point: a histogram's count, sum and buckets, or a sum's value.
#[derive(Debug, Clone)]
pub struct CapturedPoint {
    /// The point's attributes, sorted by key.
    pub attributes: Vec<(String, Value)>,
    /// Measurements recorded (histograms); 0 for sums.
    pub count: u64,
    /// The sum of the measurements (histograms), or the value (sums).
    pub sum: f64,
    /// Bucket boundaries (histograms).
    pub bounds: Vec<f64>,
    /// Measurements per bucket (histograms): one more than the boundaries.
    pub buckets: Vec<u64>,
}

impl Metrics {
    pub(super) fn from_export(exported: Vec<ResourceMetrics>) -> Self {
        // Cumulative: the last export holds everything.
        let Some(last) = exported.last() else {
            return Metrics::default();
        };
        let mut metrics = Vec::new();
        for scope in last.scope_metrics() {
            for metric in scope.metrics() {
                let points = points(metric.data());
                if !points.is_empty() {
                    metrics.push(CapturedMetric {
                        name: metric.name().to_owned(),
                        unit: metric.unit().to_owned(),
                        scope: scope.scope().name().to_owned(),
                        points,
                    });
                }
            }
        }
        metrics.sort_by(|a, b| a.name.cmp(&b.name));
        Metrics { metrics }
    }

    /// The names of the metrics recorded.
    pub fn names(&self) -> Vec<&str> {
        self.metrics
            .iter()
            .map(|metric| metric.name.as_str())
            .collect()
    }

    /// Was nothing recorded?
    pub fn is_empty(&self) -> bool {
        self.metrics.is_empty()
    }

    /// The metric `name`, if recorded.
    pub fn get(&self, name: &str) -> Option<&CapturedMetric> {
        self.metrics.iter().find(|metric| metric.name == name)
    }

    /// The metric `name`; panics, listing what was recorded, if it was not.
    #[track_caller]
    pub fn named(&self, name: &str) -> &CapturedMetric {
        self.get(name)
            .unwrap_or_else(|| panic!("no metric named {name:?}; recorded: {:?}", self.names()))
    }

    /// Panics unless nothing was recorded.
    #[track_caller]
    pub fn assert_empty(&self) {
        assert!(self.is_empty(), "expected no metrics, recorded:\n{self}");
    }

    /// The connections the pool `name` reported (`db.client.connection.count` by state,
    /// and `db.client.connection.max`); panics, listing what was recorded, if it
    /// reported none.
    #[track_caller]
    pub fn pool(&self, name: &str) -> crate::pool::PoolConnections {
        let pool = (
            "db.client.connection.pool.name",
            &name as &dyn ExpectedValue,
        );
        let count = self.named("db.client.connection.count");
        let state = |state: &str| {
            count
                .point(&[pool, ("db.client.connection.state", &state)])
                .sum as u64
        };
        crate::pool::PoolConnections {
            idle: state("idle"),
            used: state("used"),
            max: self.named("db.client.connection.max").point(&[pool]).sum as u64,
        }
    }

    /// Every metric.
    pub fn iter(&self) -> impl Iterator<Item = &CapturedMetric> {
        self.metrics.iter()
    }
}

impl CapturedMetric {
    /// The measurements of every point together (histograms).
    pub fn total_count(&self) -> u64 {
        self.points.iter().map(|point| point.count).sum()
    }

    /// The values of every point together (counters).
    pub fn total_sum(&self) -> f64 {
        self.points.iter().map(|point| point.sum).sum()
    }

    /// The one point whose attributes include every `(key, value)` given; panics when
    /// none or several match.
    #[track_caller]
    pub fn point(&self, with: &[(&str, &dyn ExpectedValue)]) -> &CapturedPoint {
        let matching: Vec<&CapturedPoint> = self
            .points
            .iter()
            .filter(|point| {
                with.iter()
                    .all(|(key, value)| point.attr(key) == Some(&value.value()))
            })
            .collect();
        match matching.as_slice() {
            [one] => one,
            [] => panic!("metric {:?}: no point with {with:?}\n{self}", self.name),
            _ => panic!(
                "metric {:?}: several points with {with:?}\n{self}",
                self.name
            ),
        }
    }
}

/// A value a point's attribute is compared with: `&str`, `i64`, `bool`, ...
pub trait ExpectedValue: fmt::Debug {
    /// As an OpenTelemetry value.
    fn value(&self) -> Value;
}

impl<T: Expected + Clone + fmt::Debug> ExpectedValue for T {
    fn value(&self) -> Value {
        self.clone().into_value()
    }
}

impl CapturedPoint {
    /// The attribute `key`.
    pub fn attr(&self, key: &str) -> Option<&Value> {
        find_attr(&self.attributes, key)
    }

    /// The attribute `key` as text.
    pub fn str_attr(&self, key: &str) -> Option<&str> {
        self.attr(key).and_then(as_str)
    }

    /// Measurements above `bound`, which must be one of the bucket boundaries.
    #[track_caller]
    pub fn count_above(&self, bound: f64) -> u64 {
        let index = self
            .bounds
            .iter()
            .position(|b| *b == bound)
            .unwrap_or_else(|| panic!("{bound} is not one of the bounds {:?}", self.bounds));
        self.buckets[index + 1..].iter().sum()
    }

    /// The attribute keys, in order.
    pub fn keys(&self) -> Vec<&str> {
        self.attributes
            .iter()
            .map(|(key, _)| key.as_str())
            .collect()
    }
}

impl fmt::Display for Metrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for metric in &self.metrics {
            write!(f, "{metric}")?;
        }
        Ok(())
    }
}

impl fmt::Display for CapturedMetric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} [{}] ({})", self.name, self.unit, self.scope)?;
        for point in &self.points {
            writeln!(
                f,
                "  count {} sum {} {:?}",
                point.count, point.sum, point.attributes
            )?;
        }
        Ok(())
    }
}

fn points(data: &AggregatedMetrics) -> Vec<CapturedPoint> {
    match data {
        AggregatedMetrics::F64(data) => points_of(data, |v| v),
        // Counts far below 2^53: exact as f64.
        AggregatedMetrics::U64(data) => points_of(data, |v| v as f64),
        AggregatedMetrics::I64(data) => points_of(data, |v| v as f64),
    }
}

fn points_of<T: Copy>(data: &MetricData<T>, as_f64: impl Fn(T) -> f64) -> Vec<CapturedPoint> {
    let attributes = |attributes: &mut dyn Iterator<Item = &opentelemetry::KeyValue>| {
        let mut attributes: Vec<(String, Value)> = attributes
            .map(|kv| (kv.key.as_str().to_owned(), kv.value.clone()))
            .collect();
        attributes.sort_by(|a, b| a.0.cmp(&b.0));
        attributes
    };
    match data {
        MetricData::Histogram(histogram) => histogram
            .data_points()
            .map(|point| CapturedPoint {
                attributes: attributes(&mut point.attributes()),
                count: point.count(),
                sum: as_f64(point.sum()),
                bounds: point.bounds().collect(),
                buckets: point.bucket_counts().collect(),
            })
            .collect(),
        MetricData::Sum(sum) => sum
            .data_points()
            .map(|point| value_point(attributes(&mut point.attributes()), as_f64(point.value())))
            .collect(),
        MetricData::Gauge(gauge) => gauge
            .data_points()
            .map(|point| value_point(attributes(&mut point.attributes()), as_f64(point.value())))
            .collect(),
        MetricData::ExponentialHistogram(_) => Vec::new(),
    }
}

/// A sum's or gauge's point: a value, no buckets.
fn value_point(attributes: Vec<(String, Value)>, value: f64) -> CapturedPoint {
    CapturedPoint {
        attributes,
        count: 0,
        sum: value,
        bounds: Vec::new(),
        buckets: Vec::new(),
    }
}
