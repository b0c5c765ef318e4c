//! Metrics of the same calls as the spans: the semantic conventions' duration
//! histograms, recorded when a call ends, whether or not its span was sampled.
//!
//! | metric | recorded for | attributes |
//! |---|---|---|
//! | `db.client.operation.duration` (s) | every [`DbCall`](crate::DbCall) query | `db.system.name`, `db.namespace`, `db.operation.name`, `db.collection.name`, `db.query.summary`, `server.address`, `server.port`, `network.peer.address`, `network.peer.port`; on failure `error.type`, `db.response.status_code` |
//! | `db.client.connection.wait_time` (s) | a pool's wait for a connection | `db.client.connection.pool.name` |
//! | `db.client.connection.timeouts` | a wait that timed out | `db.client.connection.pool.name` |
//! | `db.client.connection.count`, `.max` | each registered pool ([`crate::pool`]) | `db.client.connection.pool.name`, `db.client.connection.state` |
//! | `http.client.request.duration` (s) | every [`HttpClientCall`](crate::HttpClientCall) | `http.request.method`, `server.address`, `server.port`, `network.protocol.version`, `http.response.status_code`, `error.type` |
//! | `http.server.request.duration` (s) | every [`HttpServerCall`](crate::HttpServerCall) | `http.request.method`, `url.scheme`, `http.route`, `network.protocol.version`, `http.response.status_code`, `error.type` |
//! | `http.server.active_requests` | requests in flight | `http.request.method`, `url.scheme` |
//!
//! Only these low-cardinality attributes: never query text, full URLs, paths or ids.
//! The meter provider is found like the tracer (see [`crate::emit`]): the one a
//! [`scoped_context`](crate::emit::scoped_context_with_meters) carries, else the one
//! [`install_meters`](crate::emit::install_meters) set (`instrument::init()` does).
//! With neither, no metric is recorded. A switched-off library records none.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use opentelemetry::metrics::{BoundHistogram, Counter, Histogram, Meter, UpDownCounter};
use opentelemetry::{KeyValue, Value};

use crate::Library;
use crate::emit::LibraryInstruments;
use crate::pool::PoolInstruments;

/// Bucket boundaries the conventions advise for `db.client.operation.duration`, in seconds.
const DB_BUCKETS: [f64; 9] = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0];
/// Bucket boundaries the conventions advise for the HTTP durations, in seconds.
const HTTP_BUCKETS: [f64; 14] = [
    0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
];

/// The most attribute sets a histogram keeps bound; past it, measurements take the
/// SDK's own lookup (which has its own limit of distinct sets).
const MAX_BOUND_SETS: usize = 2000;

/// A histogram, and its instruments bound to each attribute set seen so far.
///
/// The SDK's `Histogram::record` finds the aggregator of an attribute set by hashing
/// the whole set with SipHash: about 1,300 of the 2,000 instructions it costs per call.
/// The calls of a service repeat a few hundred sets, so each is bound once (the SDK's
/// bound instruments skip the lookup) and found again here, by a cheap hash of the set
/// and a comparison of the whole set: no false match.
struct BoundHistogramCache {
    histogram: Histogram<f64>,
    bound: Mutex<HashMap<OwnedAttributeSet, BoundHistogram<f64>, foldhash::fast::RandomState>>,
}

/// An attribute set as a map key, hashed and compared as its [`AttributeSet`].
struct OwnedAttributeSet(Vec<KeyValue>);

impl std::borrow::Borrow<AttributeSet> for OwnedAttributeSet {
    fn borrow(&self) -> &AttributeSet {
        use ref_cast::RefCast as _;
        AttributeSet::ref_cast(&self.0)
    }
}

impl std::hash::Hash for OwnedAttributeSet {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        std::borrow::Borrow::<AttributeSet>::borrow(self).hash(state);
    }
}

impl PartialEq for OwnedAttributeSet {
    fn eq(&self, other: &Self) -> bool {
        use std::borrow::Borrow as _;
        let (a, b): (&AttributeSet, &AttributeSet) = (self.borrow(), other.borrow());
        a == b
    }
}

impl Eq for OwnedAttributeSet {}

/// An attribute set, hashed by what tells the sets of one service apart cheaply (each
/// value's length and first bytes) and compared whole, pointers first: the names and
/// most values are the same interned strings call after call.
#[derive(ref_cast::RefCast)]
#[repr(transparent)]
struct AttributeSet([KeyValue]);

impl std::hash::Hash for AttributeSet {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write_usize(self.0.len());
        for attribute in &self.0 {
            match &attribute.value {
                Value::String(text) => {
                    let text = text.as_str().as_bytes();
                    state.write_usize(text.len());
                    let mut head = [0u8; 8];
                    let taken = text.len().min(8);
                    head[..taken].copy_from_slice(&text[..taken]);
                    state.write_u64(u64::from_le_bytes(head));
                }
                Value::I64(number) => state.write_i64(*number),
                Value::Bool(flag) => state.write_u8(u8::from(*flag)),
                // Never among a call's metric attributes; equal sets still hash equal.
                _ => state.write_u8(0xff),
            }
        }
    }
}

impl PartialEq for AttributeSet {
    fn eq(&self, other: &Self) -> bool {
        fn same_text(a: &str, b: &str) -> bool {
            (a.as_ptr() == b.as_ptr() && a.len() == b.len()) || a == b
        }
        self.0.len() == other.0.len()
            && self.0.iter().zip(&other.0).all(|(a, b)| {
                same_text(a.key.as_str(), b.key.as_str())
                    && match (&a.value, &b.value) {
                        (Value::String(a), Value::String(b)) => same_text(a.as_str(), b.as_str()),
                        (a, b) => a == b,
                    }
            })
    }
}

impl Eq for AttributeSet {}

impl BoundHistogramCache {
    fn new(histogram: Histogram<f64>) -> Self {
        BoundHistogramCache {
            histogram,
            bound: Mutex::new(HashMap::default()),
        }
    }

    fn record(&self, value: f64, attributes: &[KeyValue]) {
        use ref_cast::RefCast as _;
        let set = AttributeSet::ref_cast(attributes);
        if let Ok(mut bound) = self.bound.lock() {
            if let Some(histogram) = bound.get(set) {
                histogram.record(value);
                return;
            }
            if bound.len() < MAX_BOUND_SETS {
                let histogram = self.histogram.bind(attributes);
                histogram.record(value);
                bound.insert(OwnedAttributeSet(attributes.to_vec()), histogram);
                return;
            }
        }
        self.histogram.record(value, attributes);
    }
}

impl std::fmt::Debug for BoundHistogramCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BoundHistogramCache")
            .finish_non_exhaustive()
    }
}

/// The instruments of one library's meter.
#[derive(Debug)]
pub(crate) struct Instruments {
    db_operation: BoundHistogramCache,
    connection_wait: BoundHistogramCache,
    connection_timeouts: Counter<u64>,
    _pools: PoolInstruments,
    http_client: BoundHistogramCache,
    http_server: BoundHistogramCache,
    http_server_active: UpDownCounter<i64>,
}

impl Instruments {
    pub(crate) fn new(meter: &Meter, library: Library, scope: u64) -> Self {
        let seconds = |name: &'static str, description: &'static str, buckets: &[f64]| {
            BoundHistogramCache::new(
                meter
                    .f64_histogram(name)
                    .with_unit("s")
                    .with_description(description)
                    .with_boundaries(buckets.to_vec())
                    .build(),
            )
        };
        Instruments {
            db_operation: seconds(
                "db.client.operation.duration",
                "Duration of database client operations.",
                &DB_BUCKETS,
            ),
            connection_wait: seconds(
                "db.client.connection.wait_time",
                "The time it took to obtain an open connection from the pool.",
                &DB_BUCKETS,
            ),
            http_client: seconds(
                "http.client.request.duration",
                "Duration of HTTP client requests.",
                &HTTP_BUCKETS,
            ),
            http_server: seconds(
                "http.server.request.duration",
                "Duration of HTTP server requests.",
                &HTTP_BUCKETS,
            ),
            http_server_active: meter
                .i64_up_down_counter("http.server.active_requests")
                .with_unit("{request}")
                .with_description("Number of active HTTP server requests.")
                .build(),
            connection_timeouts: meter
                .u64_counter("db.client.connection.timeouts")
                .with_unit("{timeout}")
                .with_description(
                    "The number of connection timeouts that have occurred trying to obtain a connection from the pool.",
                )
                .build(),
            _pools: PoolInstruments::new(meter, library, scope),
        }
    }

    /// Counts one timeout waiting for a pooled connection.
    pub(crate) fn record_connection_timeout(&self, pool_name: String) {
        self.connection_timeouts.add(
            1,
            &[KeyValue::new("db.client.connection.pool.name", pool_name)],
        );
    }

    /// Records one wait for a pooled connection.
    pub(crate) fn record_connection_wait(&self, seconds: f64, pool_name: String) {
        self.connection_wait.record(
            seconds,
            &[KeyValue::new("db.client.connection.pool.name", pool_name)],
        );
    }
}

/// A library's instruments as a call holds them: those installed for the process (for
/// good, so a plain reference), or a scoped pipeline's.
#[derive(Debug, Clone)]
pub(crate) enum InstrumentsRef {
    Installed(&'static Instruments),
    Scoped(Arc<LibraryInstruments>, usize),
}

impl std::ops::Deref for InstrumentsRef {
    type Target = Instruments;

    fn deref(&self) -> &Instruments {
        match self {
            InstrumentsRef::Installed(instruments) => instruments,
            InstrumentsRef::Scoped(all, index) => &all[*index],
        }
    }
}

/// Which duration a call records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CallMetricKind {
    DbOperation,
    /// Waiting for a pooled connection: only the wait is recorded, on its own.
    PoolAcquire,
    HttpClient,
    HttpServer,
}

impl CallMetricKind {
    /// Does the metric take this span attribute as one of its own?
    fn keeps(self, key: &str) -> bool {
        match self {
            CallMetricKind::DbOperation | CallMetricKind::PoolAcquire => matches!(
                key,
                "db.system.name"
                    | "db.namespace"
                    | "db.operation.name"
                    | "db.collection.name"
                    | "db.query.summary"
                    | "db.stored_procedure.name"
                    | "server.address"
                    | "server.port"
                    | "network.peer.address"
                    | "network.peer.port"
            ),
            CallMetricKind::HttpClient => matches!(
                key,
                "http.request.method"
                    | "server.address"
                    | "server.port"
                    | "network.protocol.version"
            ),
            CallMetricKind::HttpServer => matches!(
                key,
                "http.request.method" | "url.scheme" | "http.route" | "network.protocol.version"
            ),
        }
    }
}

/// The metric of one call in flight: its instruments, attributes so far and start.
/// Recorded once, when the call's span is let go of.
#[derive(Debug)]
pub(crate) struct CallMetric {
    kind: CallMetricKind,
    instruments: InstrumentsRef,
    attributes: Vec<KeyValue>,
    started: Instant,
    /// `http.server.active_requests`' attributes, for the decrement at the end (boxed:
    /// only server calls have them, and every call's metric is moved into its span).
    active: Option<Box<[KeyValue; 2]>>,
}

impl CallMetric {
    /// Starts the metric of a call whose span has `span_attributes`.
    pub(crate) fn start(
        kind: CallMetricKind,
        instruments: InstrumentsRef,
        span_attributes: &[KeyValue],
    ) -> Self {
        // Every call in flight holds these, so no room is kept for a database failure's
        // attributes (they may grow it); HTTP calls always add a status and a protocol
        // version.
        let outcome = match kind {
            CallMetricKind::DbOperation | CallMetricKind::PoolAcquire => 0,
            CallMetricKind::HttpClient | CallMetricKind::HttpServer => 2,
        };
        let mut attributes = Vec::with_capacity(span_attributes.len() + outcome);
        attributes.extend(
            span_attributes
                .iter()
                .filter(|attribute| kind.keeps(attribute.key.as_str()))
                .cloned(),
        );
        let active = (kind == CallMetricKind::HttpServer).then(|| {
            let value = |key: &str| find(&attributes, key).cloned().unwrap_or_else(|| "".into());
            let active = [
                KeyValue::new("http.request.method", value("http.request.method")),
                KeyValue::new("url.scheme", value("url.scheme")),
            ];
            instruments.http_server_active.add(1, &active);
            Box::new(active)
        });
        CallMetric {
            kind,
            instruments,
            attributes,
            started: Instant::now(),
            active,
        }
    }

    /// Sets an attribute of the call's outcome (`error.type`, a status code), replacing
    /// an earlier value of the same key.
    pub(crate) fn set(&mut self, attribute: KeyValue) {
        match self
            .attributes
            .iter_mut()
            .find(|kept| kept.key == attribute.key)
        {
            Some(kept) => *kept = attribute,
            None => self.attributes.push(attribute),
        }
    }

    /// The instruments of the call's library.
    pub(crate) fn instruments(&self) -> &Instruments {
        &self.instruments
    }

    /// The name of the pool the call's connection comes from (`address[:port]/database`).
    pub(crate) fn pool_name(&self) -> String {
        let text = |key: &str| find(&self.attributes, key).map(|value| value.as_str().into_owned());
        crate::pool::pool_name(
            &text("server.address").unwrap_or_default(),
            text("server.port").as_deref(),
            text("db.namespace").as_deref(),
        )
    }

    /// Records the call's duration, now that it has ended.
    pub(crate) fn record(self) {
        let histogram = match self.kind {
            CallMetricKind::DbOperation => &self.instruments.db_operation,
            CallMetricKind::PoolAcquire => return,
            CallMetricKind::HttpClient => &self.instruments.http_client,
            CallMetricKind::HttpServer => &self.instruments.http_server,
        };
        histogram.record(self.started.elapsed().as_secs_f64(), &self.attributes);
        if let Some(active) = &self.active {
            self.instruments.http_server_active.add(-1, &active[..]);
        }
    }
}

/// The value of `key` among `attributes`.
fn find<'a>(attributes: &'a [KeyValue], key: &str) -> Option<&'a Value> {
    attributes
        .iter()
        .find(|attribute| attribute.key.as_str() == key)
        .map(|attribute| &attribute.value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ref_cast::RefCast as _;
    use std::hash::BuildHasher as _;

    fn hash(set: &[KeyValue]) -> u64 {
        foldhash::fast::FixedState::with_seed(7).hash_one(AttributeSet::ref_cast(set))
    }

    #[test]
    fn sets_with_the_same_values_match_wherever_their_strings_live() {
        let interned = [
            KeyValue::new("db.system.name", "redis"),
            KeyValue::new("db.operation.name", "GET"),
        ];
        let owned = [
            KeyValue::new("db.system.name", String::from("redis")),
            KeyValue::new(String::from("db.operation.name"), String::from("GET")),
        ];
        assert!(AttributeSet::ref_cast(&interned) == AttributeSet::ref_cast(&owned));
        assert_eq!(hash(&interned), hash(&owned));
    }

    #[test]
    fn sets_alike_in_their_first_bytes_still_differ() {
        let a = [KeyValue::new(
            "db.query.summary",
            "SELECT orders_archive_2024",
        )];
        let b = [KeyValue::new(
            "db.query.summary",
            "SELECT orders_archive_2025",
        )];
        assert_eq!(
            hash(&a),
            hash(&b),
            "the cheap hash sees the same length and head"
        );
        assert!(AttributeSet::ref_cast(&a) != AttributeSet::ref_cast(&b));
        let c = [KeyValue::new("error.type", "500")];
        let d = [KeyValue::new("error.type", 500_i64)];
        assert!(AttributeSet::ref_cast(&c) != AttributeSet::ref_cast(&d));
    }
}
