//! [`SpanQueue`]: ended spans wait under a lock in vectors of one batch each, and a
//! thread of their own hands those vectors to the exporter.
//!
//! Written here rather than using the SDK's `BatchSpanProcessor` for its cost per span:
//! that one sends each `SpanData` (about 400 bytes) through a channel, takes it out on
//! its thread, pushes it into a vector, and copies the whole batch once more before the
//! export (`split_off(0)`): about 900 of the 3,700 instructions a bare SDK span costs
//! (callgrind, BENCHMARKS.md). Here a span is moved once, into the vector of the batch
//! being filled, and that vector is what the exporter gets, however far behind the
//! exporter is. What it does is the SDK's: an export when a batch is full
//! (`OTEL_BSP_MAX_EXPORT_BATCH_SIZE`, 512) or when the delay since the last one has
//! passed (`OTEL_BSP_SCHEDULE_DELAY`, 5 s), on a thread whose own telemetry is
//! suppressed, everything queued exported on `force_flush` and on shutdown.

use std::sync::{Arc, Condvar, Mutex, MutexGuard, mpsc};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use opentelemetry::Context;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
use opentelemetry_sdk::trace::{SpanData, SpanExporter};

/// `OTEL_BSP_SCHEDULE_DELAY`: the longest a span waits for its batch's export, in
/// milliseconds.
const OTEL_BSP_SCHEDULE_DELAY: &str = "OTEL_BSP_SCHEDULE_DELAY";
/// `OTEL_BSP_MAX_EXPORT_BATCH_SIZE`: the most spans in one export.
const OTEL_BSP_MAX_EXPORT_BATCH_SIZE: &str = "OTEL_BSP_MAX_EXPORT_BATCH_SIZE";
/// The specification's defaults.
const DEFAULT_DELAY_MS: u64 = 5000;
const DEFAULT_MAX_BATCH: usize = 512;
/// The most room a batch being filled is given at once.
const INITIAL_BATCH_ROOM: usize = DEFAULT_MAX_BATCH;
/// How long `force_flush` waits for the export thread, as the SDK's processor does.
const FLUSH_TIMEOUT: Duration = Duration::from_secs(5);

/// How spans are batched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BatchSettings {
    /// The most spans waiting or being exported; past it, spans are dropped (see
    /// [`QueueBound`](super::QueueBound)).
    pub(crate) queue: usize,
    /// The most spans in one export, never more than `queue`.
    pub(crate) max_batch: usize,
    /// The longest between exports while spans wait.
    pub(crate) delay: Duration,
}

impl BatchSettings {
    /// `queue` spans at most, the batch size and delay from the environment; a value
    /// that is not a positive whole number is a warning, and the default.
    pub(crate) fn from_env(queue: usize, warnings: &mut Vec<String>) -> Self {
        Self::from_vars(queue, instrument_core::env::read_var, warnings)
    }

    /// [`from_env`](Self::from_env), with the variables read by `read`.
    fn from_vars(
        queue: usize,
        read: impl Fn(&str) -> Option<String>,
        warnings: &mut Vec<String>,
    ) -> Self {
        let delay = super::positive_or(
            OTEL_BSP_SCHEDULE_DELAY,
            read(OTEL_BSP_SCHEDULE_DELAY).as_deref(),
            DEFAULT_DELAY_MS,
            warnings,
        );
        let max_batch = super::positive_or(
            OTEL_BSP_MAX_EXPORT_BATCH_SIZE,
            read(OTEL_BSP_MAX_EXPORT_BATCH_SIZE).as_deref(),
            DEFAULT_MAX_BATCH,
            warnings,
        );
        BatchSettings::new(queue, max_batch, Duration::from_millis(delay))
    }

    /// Exactly these, with the batch no larger than the queue and neither empty.
    pub(crate) fn new(queue: usize, max_batch: usize, delay: Duration) -> Self {
        let queue = queue.max(1);
        BatchSettings {
            queue,
            max_batch: max_batch.clamp(1, queue),
            delay,
        }
    }
}

/// What the application's threads and the export thread share.
struct Shared {
    queue: Mutex<Queue>,
    /// Wakes the export thread: a batch filled, a flush, a resource, the end.
    wake: Condvar,
    max_batch: usize,
}

/// The spans waiting for export, and the requests waiting for the export thread.
struct Queue {
    /// The batch being filled, allocated for a whole batch at its first span.
    filling: Vec<SpanData>,
    /// Batches filled and not taken yet.
    full: Vec<Vec<SpanData>>,
    /// Callers of `force_flush`, answered once what was queued has been exported.
    flushes: Vec<mpsc::SyncSender<OTelSdkResult>>,
    /// The shutdown's caller and how long the exporter may take to shut down.
    shutdown: Option<(mpsc::SyncSender<OTelSdkResult>, Duration)>,
    resource: Option<Resource>,
    /// No span is taken any more: shut down, or the processor dropped.
    closed: bool,
}

impl Queue {
    /// Is there work for the export thread besides waiting for its delay?
    fn needs_export_thread(&self) -> bool {
        !self.full.is_empty()
            || !self.flushes.is_empty()
            || self.shutdown.is_some()
            || self.resource.is_some()
            || self.closed
    }
}

fn lock(queue: &Mutex<Queue>) -> MutexGuard<'_, Queue> {
    // A panic while the lock was held (an allocation failing) leaves the queue whole.
    queue
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A queue of ended spans and the thread that exports them.
pub(crate) struct SpanQueue {
    shared: Arc<Shared>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl SpanQueue {
    /// Starts the export thread for `exporter`. When no thread can be started, says so
    /// through `report` and takes no span.
    pub(crate) fn start<E: SpanExporter + 'static>(
        exporter: E,
        settings: BatchSettings,
        report: super::Report,
    ) -> Self {
        let shared = Arc::new(Shared {
            queue: Mutex::new(Queue {
                filling: Vec::new(),
                full: Vec::new(),
                flushes: Vec::new(),
                shutdown: None,
                resource: None,
                closed: false,
            }),
            wake: Condvar::new(),
            max_batch: settings.max_batch,
        });
        let for_thread = shared.clone();
        let thread = std::thread::Builder::new()
            .name("instrument-span-export".to_owned())
            .spawn(move || export_thread(&for_thread, exporter, settings.delay));
        let thread = match thread {
            Ok(thread) => Some(thread),
            Err(error) => {
                report(&format!(
                    "the span export thread could not be started ({error}): no span is exported"
                ));
                lock(&shared.queue).closed = true;
                None
            }
        };
        SpanQueue {
            shared,
            thread: Mutex::new(thread),
        }
    }

    /// Queues `span` for export; `false` when the queue no longer takes spans (shut
    /// down), and the span is dropped.
    pub(crate) fn push(&self, span: SpanData) -> bool {
        let mut queue = lock(&self.shared.queue);
        if queue.closed {
            return false;
        }
        let max_batch = self.shared.max_batch;
        if queue.filling.capacity() == 0 {
            // Room for a whole batch of the usual size at once; a batch size from the
            // environment may be far larger (2^31), and then the batch grows as it fills.
            queue
                .filling
                .reserve_exact(max_batch.min(INITIAL_BATCH_ROOM));
        }
        queue.filling.push(span);
        let filled = queue.filling.len() == max_batch;
        if filled {
            let batch = std::mem::take(&mut queue.filling);
            queue.full.push(batch);
        }
        drop(queue);
        if filled {
            self.shared.wake.notify_one();
        }
        true
    }

    /// Exports everything queued now, waiting at most 5 s for the result.
    pub(crate) fn force_flush(&self) -> OTelSdkResult {
        let (answer, result) = mpsc::sync_channel(1);
        {
            let mut queue = lock(&self.shared.queue);
            if queue.closed {
                return Err(OTelSdkError::AlreadyShutdown);
            }
            queue.flushes.push(answer);
        }
        self.shared.wake.notify_one();
        wait_for(&result, FLUSH_TIMEOUT)
    }

    /// Exports everything queued, shuts the exporter down and ends the export thread,
    /// waiting at most `timeout`. Spans ended afterwards are not taken.
    pub(crate) fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        let (answer, result) = mpsc::sync_channel(1);
        {
            let mut queue = lock(&self.shared.queue);
            if queue.closed {
                return Err(OTelSdkError::AlreadyShutdown);
            }
            queue.closed = true;
            queue.shutdown = Some((answer, timeout));
        }
        self.shared.wake.notify_one();
        let outcome = wait_for(&result, timeout);
        if outcome.is_ok() {
            let thread = self
                .thread
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .take();
            // The thread has answered and only returns now; a panic in the exporter
            // would have left no answer.
            if let Some(thread) = thread {
                let _ = thread.join();
            }
        }
        outcome
    }

    /// Gives the exporter `resource` before its next export.
    pub(crate) fn set_resource(&self, resource: &Resource) {
        lock(&self.shared.queue).resource = Some(resource.clone());
        self.shared.wake.notify_one();
    }
}

/// Without a shutdown, the export thread exports what is left and ends.
impl Drop for SpanQueue {
    fn drop(&mut self) {
        lock(&self.shared.queue).closed = true;
        self.shared.wake.notify_one();
    }
}

impl std::fmt::Debug for SpanQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SpanQueue")
            .field("max_batch", &self.shared.max_batch)
            .finish_non_exhaustive()
    }
}

/// The export thread's answer to a flush or shutdown, or why there is none.
fn wait_for(result: &mpsc::Receiver<OTelSdkResult>, timeout: Duration) -> OTelSdkResult {
    match result.recv_timeout(timeout) {
        Ok(result) => result,
        Err(mpsc::RecvTimeoutError::Timeout) => Err(OTelSdkError::Timeout(timeout)),
        Err(mpsc::RecvTimeoutError::Disconnected) => Err(OTelSdkError::InternalFailure(
            "the span export thread stopped".into(),
        )),
    }
}

/// What the export thread took from the queue in one turn.
struct Turn {
    batches: Vec<Vec<SpanData>>,
    flushes: Vec<mpsc::SyncSender<OTelSdkResult>>,
    shutdown: Option<(mpsc::SyncSender<OTelSdkResult>, Duration)>,
    resource: Option<Resource>,
    last: bool,
}

/// The export thread: waits for a full batch, a request or the delay, then exports.
fn export_thread<E: SpanExporter>(shared: &Shared, mut exporter: E, delay: Duration) {
    // The exporter's own HTTP or gRPC calls are not traced.
    let _suppressed = Context::enter_telemetry_suppressed_scope();
    // `None`: a delay so long that no export is ever due by it.
    let due = || Instant::now().checked_add(delay);
    let mut next_export = due();
    loop {
        let turn = take_turn(shared, next_export);
        if let Some(resource) = &turn.resource {
            exporter.set_resource(resource);
        }
        let result = export_all(&exporter, turn.batches);
        next_export = due();
        for flush in turn.flushes {
            let _ = flush.try_send(copy_of(&result));
        }
        if let Some((answer, timeout)) = turn.shutdown {
            let _ = exporter.shutdown_with_timeout(timeout);
            let _ = answer.try_send(result);
            return;
        }
        if turn.last {
            let _ = exporter.shutdown();
            return;
        }
    }
}

/// Waits until there is work or `next_export` has come, and takes every batch, the one
/// being filled too.
fn take_turn(shared: &Shared, next_export: Option<Instant>) -> Turn {
    let mut queue = lock(&shared.queue);
    while !queue.needs_export_thread() {
        let Some(next_export) = next_export else {
            queue = shared
                .wake
                .wait(queue)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            continue;
        };
        let now = Instant::now();
        if now >= next_export {
            break;
        }
        queue = shared
            .wake
            .wait_timeout(queue, next_export - now)
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .0;
    }
    let mut batches = std::mem::take(&mut queue.full);
    if !queue.filling.is_empty() {
        batches.push(std::mem::take(&mut queue.filling));
    }
    Turn {
        batches,
        flushes: std::mem::take(&mut queue.flushes),
        shutdown: queue.shutdown.take(),
        resource: queue.resource.take(),
        last: queue.closed,
    }
}

/// `result` once more, for another waiting caller (`OTelSdkError` is not `Clone`).
fn copy_of(result: &OTelSdkResult) -> OTelSdkResult {
    match result {
        Ok(()) => Ok(()),
        Err(OTelSdkError::AlreadyShutdown) => Err(OTelSdkError::AlreadyShutdown),
        Err(OTelSdkError::Timeout(timeout)) => Err(OTelSdkError::Timeout(*timeout)),
        Err(OTelSdkError::InternalFailure(failure)) => {
            Err(OTelSdkError::InternalFailure(failure.clone()))
        }
    }
}

/// Exports `batches` one by one; the first failure, if any. An exporter that panics
/// fails that export (the panic hook has printed it): the thread must go on, or every
/// flush and the exit would wait for it to their time-outs and the queue would fill.
fn export_all<E: SpanExporter>(exporter: &E, batches: Vec<Vec<SpanData>>) -> OTelSdkResult {
    let mut result = Ok(());
    for batch in batches {
        let exported = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            futures_executor::block_on(exporter.export(batch))
        }))
        .unwrap_or_else(|_| {
            Err(OTelSdkError::InternalFailure(
                "the span exporter panicked".into(),
            ))
        });
        if result.is_ok() {
            result = exported;
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry::InstrumentationScope;
    use opentelemetry::trace::{SpanContext, SpanId, SpanKind, Status};
    use std::time::SystemTime;

    /// What the exporter saw, for the test to read.
    #[derive(Debug, Default)]
    struct Seen {
        batches: Vec<Vec<String>>,
        suppressed: Vec<bool>,
        resource: Option<String>,
        resource_before_first_export: Option<bool>,
        shut_down: bool,
    }

    /// Records every batch (its span names); fails every export when `fail`.
    #[derive(Debug, Clone)]
    struct Recording {
        seen: Arc<Mutex<Seen>>,
        fail: bool,
    }

    impl Recording {
        fn new() -> Self {
            Recording {
                seen: Arc::default(),
                fail: false,
            }
        }

        fn seen(&self) -> std::sync::MutexGuard<'_, Seen> {
            self.seen.lock().expect("not poisoned")
        }

        fn exported(&self) -> Vec<String> {
            self.seen().batches.concat()
        }

        /// Waits up to 5 s for `count` spans to be exported.
        fn wait_for(&self, count: usize) -> Vec<String> {
            let deadline = Instant::now() + Duration::from_secs(5);
            while self.exported().len() < count && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(5));
            }
            self.exported()
        }
    }

    impl SpanExporter for Recording {
        async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
            let mut seen = self.seen();
            let resource_known = seen.resource.is_some();
            seen.resource_before_first_export
                .get_or_insert(resource_known);
            seen.suppressed
                .push(Context::is_current_telemetry_suppressed());
            seen.batches.push(
                batch
                    .into_iter()
                    .map(|span| span.name.into_owned())
                    .collect(),
            );
            if self.fail {
                Err(OTelSdkError::InternalFailure(
                    "collector unreachable".into(),
                ))
            } else {
                Ok(())
            }
        }

        fn shutdown_with_timeout(&self, _timeout: Duration) -> OTelSdkResult {
            self.seen().shut_down = true;
            Ok(())
        }

        fn set_resource(&mut self, resource: &Resource) {
            self.seen().resource = resource
                .get(&opentelemetry::Key::from_static_str("service.name"))
                .map(|name| name.to_string());
        }
    }

    fn span(name: &str) -> SpanData {
        SpanData {
            span_context: SpanContext::empty_context(),
            parent_span_id: SpanId::INVALID,
            parent_span_is_remote: false,
            span_kind: SpanKind::Internal,
            name: name.to_owned().into(),
            start_time: SystemTime::UNIX_EPOCH,
            end_time: SystemTime::UNIX_EPOCH,
            attributes: Vec::new(),
            dropped_attributes_count: 0,
            events: Default::default(),
            links: Default::default(),
            status: Status::Unset,
            instrumentation_scope: InstrumentationScope::builder("test").build(),
        }
    }

    fn queue(exporter: &Recording, max_batch: usize, delay: Duration) -> SpanQueue {
        SpanQueue::start(
            exporter.clone(),
            BatchSettings::new(64, max_batch, delay),
            |_| {},
        )
    }

    const LONG: Duration = Duration::from_secs(3600);

    #[test]
    fn a_full_batch_is_exported_at_once_in_order() {
        let exporter = Recording::new();
        let queue = queue(&exporter, 3, LONG);
        for name in ["a", "b", "c"] {
            assert!(queue.push(span(name)));
        }
        assert_eq!(exporter.wait_for(3), ["a", "b", "c"]);
        assert_eq!(exporter.seen().batches.len(), 1);
    }

    #[test]
    fn spans_short_of_a_batch_are_exported_after_the_delay() {
        let exporter = Recording::new();
        let queue = queue(&exporter, 100, Duration::from_millis(20));
        assert!(queue.push(span("lonely")));
        assert_eq!(exporter.wait_for(1), ["lonely"]);
    }

    #[test]
    fn force_flush_exports_everything_queued_in_batches_no_larger_than_the_limit() {
        let exporter = Recording::new();
        let queue = queue(&exporter, 4, LONG);
        let names: Vec<String> = (0..10).map(|i| format!("span {i}")).collect();
        for name in &names {
            assert!(queue.push(span(name)));
        }
        assert!(queue.force_flush().is_ok());
        assert_eq!(
            exporter.exported(),
            names,
            "all of them, in order, by the flush's end"
        );
        assert!(exporter.seen().batches.iter().all(|batch| batch.len() <= 4));
    }

    /// Panics in its first export, then records as [`Recording`] does.
    #[derive(Debug, Clone)]
    struct PanicsOnce {
        panicked: Arc<std::sync::atomic::AtomicBool>,
        then: Recording,
    }

    impl SpanExporter for PanicsOnce {
        async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
            if !self
                .panicked
                .swap(true, std::sync::atomic::Ordering::Relaxed)
            {
                panic!("an exporter's bug");
            }
            self.then.export(batch).await
        }
    }

    #[test]
    fn an_exporter_that_panics_fails_its_export_and_the_thread_goes_on() {
        let recording = Recording::new();
        let exporter = PanicsOnce {
            panicked: Arc::default(),
            then: recording.clone(),
        };
        let queue = SpanQueue::start(exporter, BatchSettings::new(64, 100, LONG), |_| {});
        assert!(queue.push(span("lost")));
        let started = Instant::now();
        assert!(matches!(
            queue.force_flush(),
            Err(OTelSdkError::InternalFailure(_))
        ));
        assert!(
            started.elapsed() < Duration::from_secs(4),
            "answered, not timed out"
        );
        assert!(queue.push(span("after")));
        assert!(queue.force_flush().is_ok());
        assert_eq!(recording.exported(), ["after"]);
    }

    #[test]
    fn force_flush_returns_the_exports_failure() {
        let exporter = Recording {
            fail: true,
            ..Recording::new()
        };
        let queue = queue(&exporter, 4, LONG);
        assert!(queue.push(span("lost")));
        assert!(matches!(
            queue.force_flush(),
            Err(OTelSdkError::InternalFailure(_))
        ));
    }

    #[test]
    fn shutdown_exports_the_rest_shuts_the_exporter_down_and_takes_no_more() {
        let exporter = Recording::new();
        let queue = queue(&exporter, 100, LONG);
        assert!(queue.push(span("last")));
        assert!(queue.shutdown_with_timeout(Duration::from_secs(5)).is_ok());
        assert_eq!(exporter.exported(), ["last"]);
        assert!(exporter.seen().shut_down);
        assert!(!queue.push(span("too late")), "not taken after shutdown");
        assert!(matches!(
            queue.shutdown_with_timeout(Duration::from_secs(5)),
            Err(OTelSdkError::AlreadyShutdown)
        ));
        assert!(matches!(
            queue.force_flush(),
            Err(OTelSdkError::AlreadyShutdown)
        ));
        assert_eq!(exporter.exported(), ["last"]);
    }

    #[test]
    fn dropped_without_shutdown_it_still_exports_what_was_queued() {
        let exporter = Recording::new();
        let queue = queue(&exporter, 100, LONG);
        assert!(queue.push(span("queued")));
        drop(queue);
        assert_eq!(exporter.wait_for(1), ["queued"]);
    }

    #[test]
    fn the_resource_reaches_the_exporter_before_its_first_export() {
        let exporter = Recording::new();
        let queue = queue(&exporter, 100, LONG);
        queue.set_resource(&Resource::builder().with_service_name("shop").build());
        assert!(queue.push(span("a")));
        assert!(queue.force_flush().is_ok());
        let seen = exporter.seen();
        assert_eq!(seen.resource.as_deref(), Some("shop"));
        assert_eq!(seen.resource_before_first_export, Some(true));
    }

    #[test]
    fn exports_run_with_telemetry_suppressed() {
        let exporter = Recording::new();
        let queue = queue(&exporter, 100, LONG);
        assert!(queue.push(span("a")));
        assert!(queue.force_flush().is_ok());
        assert_eq!(exporter.seen().suppressed, [true]);
    }

    /// Variables read from `pairs` instead of the environment.
    fn vars(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name: &str| {
            pairs
                .iter()
                .find(|(var, _)| *var == name)
                .map(|(_, value)| (*value).to_owned())
        }
    }

    #[test]
    fn settings_read_the_batch_size_and_delay_and_warn_of_bad_values() {
        let mut warnings = Vec::new();
        let settings = BatchSettings::from_vars(2048, vars(&[]), &mut warnings);
        assert_eq!(
            settings,
            BatchSettings::new(2048, 512, Duration::from_millis(5000))
        );
        let settings = BatchSettings::from_vars(
            2048,
            vars(&[
                ("OTEL_BSP_SCHEDULE_DELAY", " 250 "),
                ("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "64"),
            ]),
            &mut warnings,
        );
        assert_eq!(
            settings,
            BatchSettings::new(2048, 64, Duration::from_millis(250))
        );
        assert!(warnings.is_empty(), "{warnings:?}");
        let settings = BatchSettings::from_vars(
            2048,
            vars(&[
                ("OTEL_BSP_SCHEDULE_DELAY", "0"),
                ("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "lots"),
            ]),
            &mut warnings,
        );
        assert_eq!(
            settings,
            BatchSettings::new(2048, 512, Duration::from_millis(5000))
        );
        assert_eq!(
            warnings,
            [
                "OTEL_BSP_SCHEDULE_DELAY=\"0\" is not a positive whole number; using 5000",
                "OTEL_BSP_MAX_EXPORT_BATCH_SIZE=\"lots\" is not a positive whole number; using 512",
            ]
        );
    }

    #[test]
    fn an_empty_variable_is_an_unset_one() {
        let mut warnings = Vec::new();
        let settings = BatchSettings::from_vars(
            2048,
            vars(&[
                ("OTEL_BSP_SCHEDULE_DELAY", ""),
                ("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "  "),
            ]),
            &mut warnings,
        );
        assert_eq!(
            settings,
            BatchSettings::new(2048, 512, Duration::from_millis(5000))
        );
        assert!(warnings.is_empty(), "{warnings:?}");
    }

    #[test]
    fn a_batch_as_large_as_the_specification_allows_is_not_reserved_up_front() {
        let exporter = Recording::new();
        let most = i32::MAX as usize;
        let queue = SpanQueue::start(
            exporter.clone(),
            BatchSettings::new(most, most, LONG),
            |_| {},
        );
        assert!(queue.push(span("a")));
        assert!(queue.force_flush().is_ok());
        assert_eq!(exporter.exported(), ["a"]);
    }

    #[test]
    fn a_delay_too_long_to_fall_due_still_exports_full_batches_and_flushes() {
        let exporter = Recording::new();
        let queue = queue(&exporter, 2, Duration::from_millis(u64::MAX));
        assert!(queue.push(span("a")));
        assert!(queue.push(span("b")));
        assert_eq!(exporter.wait_for(2), ["a", "b"]);
        assert!(queue.push(span("c")));
        assert!(queue.force_flush().is_ok());
        assert_eq!(exporter.exported(), ["a", "b", "c"]);
    }

    #[test]
    fn settings_keep_the_batch_within_the_queue() {
        let settings = BatchSettings::new(100, 512, LONG);
        assert_eq!((settings.queue, settings.max_batch), (100, 100));
        let settings = BatchSettings::new(0, 0, LONG);
        assert_eq!((settings.queue, settings.max_batch), (1, 1));
    }
}
