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
//! | `messaging.client.operation.duration` (s) | every [`MessagingCall`](crate::messaging::MessagingCall) but a delivery's processing | `messaging.system`, `messaging.operation.name`, `messaging.operation.type`, `messaging.destination.name` or `.template`, `messaging.consumer.group.name`, `server.address`, `server.port`, `error.type` |
//! | `messaging.process.duration` (s) | a delivery's processing | the same but the operation type |
//! | `messaging.client.sent.messages` | a message sent | as the operation's duration, but the operation type |
//! | `messaging.client.consumed.messages` | a message received or delivered to the application (a receive that finds none counts none) | as the operation's duration, but the operation type |
//!
//! Only these low-cardinality attributes: never query text, full URLs, paths or ids.
//! The meter provider is found like the tracer (see [`crate::emit`]): the one a
//! [`scoped_context`](crate::emit::scoped_context_with_meters) carries, else the one
//! [`install_meters`](crate::emit::install_meters) set (`instrument::init()` does).
//! With neither, no metric is recorded. A switched-off library records none.

mod bound;
mod identity;
mod outcome;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use opentelemetry::metrics::{Counter, Meter, UpDownCounter};
use opentelemetry::{KeyValue, Value};

use bound::{BoundHistograms, CallBase};
pub(crate) use identity::Identity;
pub(crate) use outcome::Outcome;

use crate::Library;
use crate::emit::LibraryInstruments;
use crate::pool::PoolInstruments;

/// Bucket boundaries the conventions advise for `db.client.operation.duration`, in seconds.
const DB_BUCKETS: [f64; 9] = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0];
/// Bucket boundaries the conventions advise for the HTTP durations, in seconds.
const HTTP_BUCKETS: [f64; 14] = [
    0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
];

/// Bucket boundaries the conventions advise for the messaging durations, in seconds.
const MESSAGING_BUCKETS: [f64; 14] = HTTP_BUCKETS;

/// The instruments of one library's meter.
#[derive(Debug)]
pub(crate) struct Instruments {
    messaging_client: BoundHistograms,
    messaging_process: BoundHistograms,
    messages_sent: Counter<u64>,
    messages_consumed: Counter<u64>,
    db_operation: BoundHistograms,
    connection_wait: BoundHistograms,
    connection_timeouts: Counter<u64>,
    _pools: PoolInstruments,
    http_client: BoundHistograms,
    http_server: BoundHistograms,
    http_server_active: UpDownCounter<i64>,
}

impl Instruments {
    pub(crate) fn new(meter: &Meter, library: Library, scope: u64) -> Self {
        let seconds = |name: &'static str, description: &'static str, buckets: &[f64]| {
            BoundHistograms::new(
                meter
                    .f64_histogram(name)
                    .with_unit("s")
                    .with_description(description)
                    .with_boundaries(buckets.to_vec())
                    .build(),
            )
        };
        let messages = |name: &'static str, description: &'static str| {
            meter
                .u64_counter(name)
                .with_unit("{message}")
                .with_description(description)
                .build()
        };
        Instruments {
            messaging_client: seconds(
                "messaging.client.operation.duration",
                "Duration of messaging operation initiated by a producer or consumer client.",
                &MESSAGING_BUCKETS,
            ),
            messaging_process: seconds(
                "messaging.process.duration",
                "Duration of processing operation.",
                &MESSAGING_BUCKETS,
            ),
            messages_sent: messages(
                "messaging.client.sent.messages",
                "Number of messages producer attempted to send to the broker.",
            ),
            messages_consumed: messages(
                "messaging.client.consumed.messages",
                "Number of messages that were delivered to the application.",
            ),
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
    MessagingSend,
    MessagingReceive,
    MessagingProcess,
    MessagingSettle,
}

/// What a call's metric takes from its span: its kind, and how many of the span's
/// attributes, pushed first, are the metric's own. A description puts them first so
/// that the metric takes them as they are: no filter, no copy (see [`bound`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct MetricShape<'a> {
    kind: CallMetricKind,
    attributes: usize,
    /// Where the metric's attributes live, as the description wrote it down.
    identity: &'a Identity,
}

impl<'a> MetricShape<'a> {
    /// The metric `kind` of a span whose attributes so far are all the metric's own,
    /// which `identity` tells (see [`identity`]).
    pub(crate) fn new(
        kind: CallMetricKind,
        attributes: &[KeyValue],
        identity: &'a Identity,
    ) -> Self {
        debug_assert!(
            attributes.iter().all(|kept| kind.keeps(kept.key.as_str())),
            "a {kind:?} metric got an attribute of the span's only: {attributes:?}"
        );
        MetricShape {
            kind,
            attributes: attributes.len(),
            identity,
        }
    }
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
            // A processing's type is implied by its metric's name.
            CallMetricKind::MessagingProcess if key == "messaging.operation.type" => false,
            CallMetricKind::MessagingSend
            | CallMetricKind::MessagingReceive
            | CallMetricKind::MessagingProcess
            | CallMetricKind::MessagingSettle => matches!(
                key,
                "messaging.system"
                    | "messaging.operation.name"
                    | "messaging.operation.type"
                    | "messaging.destination.name"
                    | "messaging.destination.template"
                    | "messaging.consumer.group.name"
                    | "server.address"
                    | "server.port"
            ),
        }
    }
}

/// The metric of one call in flight: its instruments, attributes so far and start.
/// Recorded once, when the call's span is let go of.
#[derive(Debug)]
pub(crate) struct CallMetric {
    kind: CallMetricKind,
    /// A receive that found no message (an empty queue): it counts none.
    received_nothing: bool,
    instruments: InstrumentsRef,
    /// The attributes known at the start, found bound (see [`bound`]).
    base: CallBase,
    /// The attributes of the call's outcome, set as it ends.
    outcome: Outcome,
    /// The start of the call's span: the wall clock, as spans are timed, so that a
    /// span and its measurement agree.
    started: SystemTime,
    /// `http.server.active_requests`' attributes, for the decrement at the end (boxed:
    /// only server calls have them, and every call's metric is moved into its span).
    active: Option<Box<[KeyValue; 2]>>,
}

impl CallMetric {
    /// Starts the metric `shape` of a call whose span has `span_attributes` and started
    /// at `started`.
    pub(crate) fn start(
        shape: MetricShape<'_>,
        instruments: InstrumentsRef,
        span_attributes: &[KeyValue],
        started: SystemTime,
    ) -> Self {
        let kind = shape.kind;
        let kept = &span_attributes[..shape.attributes.min(span_attributes.len())];
        debug_assert!(
            !span_attributes[kept.len()..]
                .iter()
                .any(|attribute| kind.keeps(attribute.key.as_str())),
            "a {kind:?} metric's attribute after the span's own: {span_attributes:?}"
        );
        let base = match kind.histogram(&instruments) {
            Some(histogram) => histogram.base_as(kept, Some(shape.identity), <[KeyValue]>::to_vec),
            // A pool acquire records no duration of its own, only its wait: found by the
            // acquire's attributes, bound to the pool's name, which is built once per
            // pool, not per wait.
            None => {
                instruments
                    .connection_wait
                    .base_as(kept, Some(shape.identity), pool_attributes)
            }
        };
        let active = (kind == CallMetricKind::HttpServer).then(|| {
            let value = |key: &str| {
                find(base.attributes(), key)
                    .cloned()
                    .unwrap_or_else(|| "".into())
            };
            let active = [
                KeyValue::new("http.request.method", value("http.request.method")),
                KeyValue::new("url.scheme", value("url.scheme")),
            ];
            instruments.http_server_active.add(1, &active);
            Box::new(active)
        });
        CallMetric {
            kind,
            received_nothing: false,
            instruments,
            base,
            outcome: Outcome::default(),
            started,
            active,
        }
    }

    /// The call's outcome, to set as it ends.
    pub(crate) fn outcome_mut(&mut self) -> &mut Outcome {
        &mut self.outcome
    }

    /// Marks a receive that found no message: `messaging.client.consumed.messages`
    /// counts the messages delivered, not the attempts.
    pub(crate) fn received_nothing(&mut self) {
        self.received_nothing = true;
    }

    /// Records a wait for a pooled connection in `db.client.connection.wait_time`.
    pub(crate) fn record_connection_wait(&self, wait: Duration) {
        let histogram = &self.instruments.connection_wait;
        let succeeded = Outcome::default();
        if self.kind == CallMetricKind::PoolAcquire {
            histogram.record(wait.as_secs_f64(), &self.base, &succeeded);
        } else {
            histogram.with_related(&self.base, pool_attributes, |pool| {
                histogram.record(wait.as_secs_f64(), pool, &succeeded);
            });
        }
    }

    /// Counts a timeout waiting for a pooled connection in `db.client.connection.timeouts`.
    pub(crate) fn record_connection_timeout(&self) {
        let counter = &self.instruments.connection_timeouts;
        if self.kind == CallMetricKind::PoolAcquire {
            counter.add(1, self.base.attributes());
        } else {
            let waits = &self.instruments.connection_wait;
            waits.with_related(&self.base, pool_attributes, |pool| {
                counter.add(1, pool.attributes());
            });
        }
    }

    /// Records the call's duration, now that it has `ended` (when its span ends too).
    pub(crate) fn record(&self, ended: SystemTime) {
        if let Some(histogram) = self.kind.histogram(&self.instruments) {
            // A clock set back during the call measures zero, not a panic.
            let duration = ended.duration_since(self.started).unwrap_or_default();
            histogram.record(duration.as_secs_f64(), &self.base, &self.outcome);
            if let Some(counter) = self.kind.message_counter(&self.instruments)
                && !self.received_nothing
            {
                histogram.count(counter, &self.base, &self.outcome);
            }
        }
        if let Some(active) = &self.active {
            self.instruments.http_server_active.add(-1, &active[..]);
        }
    }
}

impl CallMetricKind {
    /// The histogram a call of this kind records its duration in.
    fn histogram(self, instruments: &Instruments) -> Option<&BoundHistograms> {
        match self {
            CallMetricKind::DbOperation => Some(&instruments.db_operation),
            CallMetricKind::PoolAcquire => None,
            CallMetricKind::HttpClient => Some(&instruments.http_client),
            CallMetricKind::HttpServer => Some(&instruments.http_server),
            CallMetricKind::MessagingProcess => Some(&instruments.messaging_process),
            CallMetricKind::MessagingSend
            | CallMetricKind::MessagingReceive
            | CallMetricKind::MessagingSettle => Some(&instruments.messaging_client),
        }
    }

    /// The counter of messages a call of this kind adds one to.
    fn message_counter(self, instruments: &Instruments) -> Option<&Counter<u64>> {
        match self {
            CallMetricKind::MessagingSend => Some(&instruments.messages_sent),
            CallMetricKind::MessagingReceive | CallMetricKind::MessagingProcess => {
                Some(&instruments.messages_consumed)
            }
            _ => None,
        }
    }
}

/// The attributes of the pool a call with `attributes` takes its connection from: its
/// `db.client.connection.pool.name`, `address[:port]/database`.
fn pool_attributes(attributes: &[KeyValue]) -> Vec<KeyValue> {
    let text = |key: &str| find(attributes, key).map(|value| value.as_str().into_owned());
    let name = crate::pool::pool_name(
        &text("server.address").unwrap_or_default(),
        text("server.port").as_deref(),
        text("db.namespace").as_deref(),
    );
    vec![KeyValue::new("db.client.connection.pool.name", name)]
}

/// The value of `key` among `attributes`.
fn find<'a>(attributes: &'a [KeyValue], key: &str) -> Option<&'a Value> {
    attributes
        .iter()
        .find(|attribute| attribute.key.as_str() == key)
        .map(|attribute| &attribute.value)
}
