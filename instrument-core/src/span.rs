//! [`CallSpan`]: the span of one traced call, and how its outcome is recorded.

use std::borrow::Cow;
use std::error::Error;
use std::fmt::Write as _;

use std::sync::{Arc, Mutex};

use opentelemetry::trace::{Span as _, SpanContext, Status, TraceContextExt as _};
use opentelemetry::{Context, KeyValue};

use crate::emit::{BuiltSpan, Started};
use crate::metrics::{CallMetric, Outcome};

/// Longest `exception.message` recorded; longer messages are cut at a character boundary.
const MAX_EXCEPTION_MESSAGE: usize = 4096;

/// Which side of a call a span stands for; decides what counts as a failed HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CallKind {
    /// Database calls, and any other span whose failures are only errors.
    Database,
    HttpClient,
    HttpServer,
    /// Work handed to another thread or task: its errors are the application's own.
    Work,
    /// Messaging operations: failures are the broker's or the client's errors.
    Messaging,
}

/// The span of one traced call, created by a call description
/// ([`DbCall::start`](crate::DbCall::start), [`HttpClientCall::start`](crate::HttpClientCall::start), ...).
///
/// Wrapper crates record the call's outcome through it. The span ends when the last
/// clone of it is dropped. A `CallSpan` that records nothing ([`CallSpan::none`], or a
/// span the sampler dropped) accepts every call and does nothing, but a sampled-out span
/// still carries its trace to the next service.
///
/// Spans of calls that run the application's code (an HTTP server's handler, work
/// handed to another thread) live in an OpenTelemetry [`Context`] that is made current
/// while the work runs ([`in_scope`](Self::in_scope), [`Traced`](crate::Traced)), so the
/// spans and events made inside are their children. Database and HTTP client calls run
/// none, so their spans are held on their own and never made current: cheaper, and no
/// library's span or event can land inside them (see [`crate::emit`]).
#[derive(Debug, Clone)]
pub struct CallSpan {
    held: Held,
    kind: CallKind,
}

/// Where a [`CallSpan`]'s span is held. Both kinds are shared by the clones; the last
/// clone let go of records the call's metric and ends the span.
#[derive(Debug, Clone)]
enum Held {
    /// No span: the library is switched off.
    Nothing,
    /// In a context made current while the call's work runs.
    InContext(Arc<InContext>),
    /// On its own.
    Alone(Arc<Alone>),
}

/// A span in its context, and the call's metric.
#[derive(Debug)]
struct InContext {
    context: Context,
    recording: bool,
    metric: Mutex<Option<CallMetric>>,
}

/// A span held on its own, with what is read of it without the lock. Its ids are read
/// from the span, under the lock: kept beside it as well, they made every call's span 64
/// bytes larger and cloned the parent's `tracestate` once more.
struct Alone {
    state: Mutex<AloneState>,
    recording: bool,
}

/// What an [`Alone`] span changes as the call goes: the span, and the call's metric.
struct AloneState {
    span: BuiltSpan,
    metric: Option<CallMetric>,
}

impl Alone {
    /// The span's trace and span ids and flags.
    fn span_context(&self) -> SpanContext {
        match &lock(&self.state).span {
            BuiltSpan::Sdk(span) => span.span_context().clone(),
            BuiltSpan::Global(span) => span.span_context().clone(),
            BuiltSpan::Unset => SpanContext::NONE,
        }
    }
}

impl std::fmt::Debug for Alone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Alone")
            .field("recording", &self.recording)
            .finish_non_exhaustive()
    }
}

// A span in a context ends when the context's last clone is let go of (work the call
// handed its context to may hold one), so only its metric is recorded here.
impl Drop for InContext {
    fn drop(&mut self) {
        let metric = self.metric.get_mut();
        if let Some(metric) = metric.unwrap_or_else(|poison| poison.into_inner()) {
            metric.record(opentelemetry::time::now());
        }
    }
}

// A span held alone ends with its metric, at the same time (one clock read for both);
// without a metric, it ends when dropped, reading the clock only if it records.
impl Drop for Alone {
    fn drop(&mut self) {
        let state = self
            .state
            .get_mut()
            .unwrap_or_else(|poison| poison.into_inner());
        // Recorded where it lies: taken out, the metric would be moved (copied) first.
        if let Some(metric) = &state.metric {
            let ended = opentelemetry::time::now();
            metric.record(ended);
            match &mut state.span {
                BuiltSpan::Sdk(span) => span.end_with_timestamp(ended),
                BuiltSpan::Global(span) => span.end_with_timestamp(ended),
                BuiltSpan::Unset => {}
            }
        }
    }
}

/// Locks `mutex`; a poisoned lock only means a panic while recording, and what it holds
/// is still whole.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poison| poison.into_inner())
}

/// Runs `$body` with `$span` bound to the call's span when it records, wherever it is held.
macro_rules! with_recording_span {
    ($call:expr, |$span:ident| $body:expr) => {
        match &$call.held {
            Held::InContext(held) if held.recording => {
                let $span = held.context.span();
                $body
            }
            Held::Alone(alone) if alone.recording => {
                let mut state = lock(&alone.state);
                match &mut state.span {
                    BuiltSpan::Sdk($span) => $body,
                    BuiltSpan::Global($span) => $body,
                    BuiltSpan::Unset => {}
                }
            }
            _ => {}
        }
    };
}

/// What a wrapper knows about a failure beyond the error value itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct ErrorInfo<'a> {
    status_code: Option<Cow<'a, str>>,
    error_type: Option<Cow<'a, str>>,
    message: Option<Cow<'a, str>>,
    raised_by_application: bool,
}

impl<'a> ErrorInfo<'a> {
    /// Nothing known beyond the error's type.
    pub fn new() -> Self {
        Self::default()
    }

    /// The system's own status code: SQLSTATE, MySQL error number, SQLite result code,
    /// Redis error prefix. Becomes `db.response.status_code` and `error.type`.
    pub fn status_code(mut self, code: impl Into<Cow<'a, str>>) -> Self {
        self.status_code = Some(code.into());
        self
    }

    /// A low-cardinality name for the failure when there is no status code (`timeout`,
    /// `io`, `connect`). Becomes `error.type`.
    pub fn error_type(mut self, name: impl Into<Cow<'a, str>>) -> Self {
        self.error_type = Some(name.into());
        self
    }

    /// `error.type` from a library's error kind: the name of its variant
    /// (`ProtocolError` for `ProtocolError(..)`, `TimedOut` for `TimedOut`), never the
    /// data it holds.
    pub fn error_kind(self, kind: &impl std::fmt::Debug) -> Self {
        let shown = format!("{kind:?}");
        let name = shown
            .split(|c: char| !c.is_alphanumeric() && c != '_')
            .next()
            .filter(|name| !name.is_empty())
            .unwrap_or("_OTHER");
        self.error_type(name.to_owned())
    }

    /// The database error's message was written by the application's own SQL
    /// (PostgreSQL `RAISE` or `ASSERT` with any code, MySQL `SIGNAL`, a SQLite trigger's
    /// `RAISE()`): it quotes whatever the code put in it, unescaped, so it is not
    /// recorded; the span says so instead. Codes that only such messages carry
    /// (`P0001`, `P0004`, `1644`, `1811`) are recognised without this.
    pub fn raised_by_application(mut self) -> Self {
        self.raised_by_application = true;
        self
    }

    /// The message to record instead of the error's own text, for systems whose error
    /// messages echo data back (Redis: `unknown command 'X', with args beginning with:
    /// 'secret'`), or whose own text says little (tokio-postgres: `db error`). Used as
    /// the status description and `exception.message`, with the same masking as the
    /// error's own text; the error's `source()` chain is then not added.
    pub fn message(mut self, message: impl Into<Cow<'a, str>>) -> Self {
        self.message = Some(message.into());
        self
    }
}

impl CallSpan {
    /// A span in a context, for calls whose work runs the application's code.
    pub(crate) fn in_context(started: Started, kind: CallKind, metric: Option<CallMetric>) -> Self {
        CallSpan {
            held: Held::InContext(Arc::new(InContext {
                context: started.context,
                recording: started.recording,
                metric: Mutex::new(metric),
            })),
            kind,
        }
    }

    /// A span held on its own, for calls that run none of the application's code.
    /// `build` makes it once the `Arc` is there to hold it: the SDK's span is a few
    /// hundred bytes, and built first, it was copied into the `Arc` twice more (about
    /// 110 instructions per call).
    #[inline]
    pub(crate) fn alone(
        kind: CallKind,
        metric: Option<CallMetric>,
        build: impl FnOnce() -> BuiltSpan,
    ) -> Self {
        let mut alone = Arc::new(Alone {
            state: Mutex::new(AloneState {
                span: BuiltSpan::Unset,
                metric,
            }),
            recording: false,
        });
        // Always: nothing else holds the new `Arc` yet.
        if let Some(alone) = Arc::get_mut(&mut alone) {
            let state = alone
                .state
                .get_mut()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            state.span = build();
            alone.recording = match &state.span {
                BuiltSpan::Sdk(span) => span.is_recording(),
                BuiltSpan::Global(span) => span.is_recording(),
                BuiltSpan::Unset => false,
            };
        }
        CallSpan {
            held: Held::Alone(alone),
            kind,
        }
    }

    /// Runs `f` on the call's metric, if it records one (even when its span does not).
    fn with_metric(&self, f: impl FnOnce(&mut CallMetric)) {
        match &self.held {
            Held::Nothing => {}
            Held::InContext(held) => lock(&held.metric).as_mut().map_or((), f),
            Held::Alone(alone) => lock(&alone.state).metric.as_mut().map_or((), f),
        }
    }

    /// A span that records nothing: what a call gets when its library is switched off.
    pub const fn none() -> Self {
        CallSpan {
            held: Held::Nothing,
            kind: CallKind::Database,
        }
    }

    /// Is this [`CallSpan::none`]: no span at all, its library switched off?
    pub fn is_none(&self) -> bool {
        matches!(self.held, Held::Nothing)
    }

    /// Is the span recorded (its library on, and sampled or recorded only)? When not,
    /// recording does nothing.
    pub fn is_recording(&self) -> bool {
        match &self.held {
            Held::Nothing => false,
            Held::InContext(held) => held.recording,
            Held::Alone(alone) => alone.recording,
        }
    }

    /// The span's trace and span ids and flags; `None` for [`CallSpan::none`].
    pub fn span_context(&self) -> Option<SpanContext> {
        match &self.held {
            Held::Nothing => None,
            Held::InContext(held) => Some(held.context.span().span_context().clone()),
            Held::Alone(alone) => Some(alone.span_context()),
        }
    }

    /// An OpenTelemetry context whose span is this one, `None` for [`CallSpan::none`]:
    /// to inject into outgoing headers, to make current elsewhere, or to start a child.
    /// For a span held on its own, it is the current context (its baggage) with this
    /// span's ids as the active span; attributes recorded through it are not kept.
    pub fn context(&self) -> Option<Context> {
        match &self.held {
            Held::Nothing => None,
            Held::InContext(held) => Some(held.context.clone()),
            Held::Alone(alone) => {
                Some(Context::current().with_remote_span_context(alone.span_context()))
            }
        }
    }

    /// Runs `f` inside the span: with its context current when the span lives in one
    /// (server and work spans); as it is otherwise.
    pub fn in_scope<T>(&self, f: impl FnOnce() -> T) -> T {
        match &self.held {
            Held::InContext(held) => {
                let _current = held.context.clone().attach();
                f()
            }
            Held::Nothing | Held::Alone(_) => f(),
        }
    }

    /// Sets one attribute, when the span records.
    fn set(&self, attribute: KeyValue) {
        with_recording_span!(self, |span| span.set_attribute(attribute));
    }

    /// Sets an attribute of the call's outcome: `attribute` on the span when it records,
    /// and through `outcome` on the call's metric when it has one; one lock for both.
    fn set_outcome(&self, attribute: KeyValue, outcome: impl FnOnce(&mut Outcome)) {
        match &self.held {
            Held::Nothing => {}
            Held::InContext(held) => {
                if let Some(metric) = lock(&held.metric).as_mut() {
                    outcome(metric.outcome_mut());
                }
                if held.recording {
                    held.context.span().set_attribute(attribute);
                }
            }
            Held::Alone(alone) => {
                let mut state = lock(&alone.state);
                if let Some(metric) = state.metric.as_mut() {
                    outcome(metric.outcome_mut());
                }
                if alone.recording {
                    match &mut state.span {
                        BuiltSpan::Sdk(span) => span.set_attribute(attribute),
                        BuiltSpan::Global(span) => span.set_attribute(attribute),
                        BuiltSpan::Unset => {}
                    }
                }
            }
        }
    }

    /// Sets the span's status, when it records.
    fn set_status(&self, status: Status) {
        with_recording_span!(self, |span| span.set_status(status));
    }

    /// Adds an event, when the span records.
    fn add_event(&self, name: &'static str, attributes: Vec<KeyValue>) {
        with_recording_span!(self, |span| span.add_event(name, attributes));
    }

    /// Links the span to the span of `context` when it has a valid one (a message a
    /// receive got: the context it was created in, as the messaging conventions ask),
    /// while the span records.
    pub fn add_link_to(&self, context: &opentelemetry::Context) {
        let linked = context.span().span_context().clone();
        if linked.is_valid() {
            with_recording_span!(self, |span| span.add_link(linked, Vec::new()));
        }
    }

    /// Records `db.response.returned_rows`.
    pub fn record_returned_rows(&self, rows: u64) {
        // Integers reach OpenTelemetry as integers only through `i64`; `u64` becomes a string.
        self.set(KeyValue::new(
            "db.response.returned_rows",
            i64::try_from(rows).unwrap_or(i64::MAX),
        ));
    }

    /// Records `db.response.affected_rows`: the rows an `INSERT`, `UPDATE`, `DELETE` or
    /// the like changed. No stable attribute holds them yet; this is the name proposed
    /// for it (semantic-conventions#3094), next to `db.response.returned_rows`.
    pub fn record_affected_rows(&self, rows: u64) {
        self.set(KeyValue::new(
            "db.response.affected_rows",
            i64::try_from(rows).unwrap_or(i64::MAX),
        ));
    }

    /// Records how long the call waited for a connection from a client-side pool, as the
    /// `db.client.connection.wait_time` metric (seconds), for the pool named after the
    /// call's `server.address:server.port/db.namespace`. The span keeps no attribute of
    /// it: the wait shows as the gap between the span's start and the server's work.
    pub fn record_connection_wait(&self, wait: std::time::Duration) {
        self.with_metric(|metric| metric.record_connection_wait(wait));
    }

    /// Counts a timeout waiting for a connection from a client-side pool, in the
    /// `db.client.connection.timeouts` metric of the call's pool (the span records the
    /// failure itself through [`record_error`](Self::record_error)).
    pub fn record_connection_timeout(&self) {
        self.with_metric(|metric| metric.record_connection_timeout());
    }

    /// Records `http.response.status_code`, and marks the span failed when the status is
    /// an error for this side: 4xx and 5xx for a client, 5xx for a server.
    pub fn record_http_status(&self, status: u16) {
        let failed = match self.kind {
            CallKind::HttpServer => status >= 500,
            CallKind::HttpClient | CallKind::Database | CallKind::Work | CallKind::Messaging => {
                status >= 400
            }
        };
        self.set_outcome(
            KeyValue::new("http.response.status_code", i64::from(status)),
            |outcome| outcome.set_http_status(status),
        );
        if failed {
            self.set_status(Status::error(""));
            let error_type = status.to_string();
            self.set_outcome(KeyValue::new("error.type", error_type.clone()), |outcome| {
                outcome.set_error_type(&error_type);
            });
        }
    }

    /// Records `network.protocol.version` (`1.1`, `2`).
    pub fn record_protocol_version(&self, version: &str) {
        let version = crate::http::protocol_version_value(version);
        self.set_outcome(
            KeyValue::new("network.protocol.version", version.clone()),
            |outcome| outcome.set_protocol_version(version),
        );
    }

    /// Marks a receive (a `basic_get`, a pull) that found no message: it counts none in
    /// `messaging.client.consumed.messages`, which counts the messages delivered. Its
    /// duration is still recorded, as every call's is.
    pub fn record_no_message_received(&self) {
        self.with_metric(CallMetric::received_nothing);
    }

    /// Records `http.request.resend_count`.
    pub fn record_resend_count(&self, count: u32) {
        self.set(KeyValue::new("http.request.resend_count", i64::from(count)));
    }

    /// Marks the span failed with `error`: status Error with the error's message,
    /// `error.type`, `db.response.status_code` when given, and an `exception` event whose
    /// message follows the error's `source()` chain. The error itself is left untouched.
    pub fn record_error<E: Error + 'static>(&self, error: &E, info: ErrorInfo<'_>) {
        self.record_error_dyn(error, std::any::type_name::<E>(), info);
    }

    /// [`record_error`](Self::record_error) for an error whose type is known only by name.
    pub fn record_error_dyn(
        &self,
        error: &(dyn Error + 'static),
        type_name: &str,
        info: ErrorInfo<'_>,
    ) {
        let error_type = info
            .status_code
            .as_deref()
            .or(info.error_type.as_deref())
            .unwrap_or(type_name);
        self.set_outcome(
            KeyValue::new("error.type", error_type.to_owned()),
            |outcome| {
                outcome.set_error_type(error_type);
            },
        );
        if self.kind == CallKind::Database
            && let Some(code) = info.status_code.as_deref()
        {
            self.set_outcome(
                KeyValue::new("db.response.status_code", code.to_owned()),
                |outcome| outcome.set_db_status(code),
            );
        }
        if !self.is_recording() {
            return;
        }
        let (message, exception_message) = match info.message {
            Some(ref message) => {
                let message = self.without_values(message.to_string(), &info);
                (message.clone(), message)
            }
            None => {
                let message = error.to_string();
                let chain = chain_message(message.clone(), error);
                (
                    self.without_values(message, &info),
                    self.without_values(chain, &info),
                )
            }
        };
        self.set_status(Status::error(message));
        self.add_event(
            "exception",
            vec![
                KeyValue::new("exception.type", type_name.to_owned()),
                KeyValue::new("exception.message", exception_message),
            ],
        );
    }

    /// An error's own text as recorded: any URL in it redacted, and for a database
    /// call, the values the server echoed back masked (see [`crate::redact`]).
    fn without_values(&self, text: String, info: &ErrorInfo<'_>) -> String {
        let text = match self.kind {
            CallKind::Database if info.raised_by_application => {
                crate::redact::RAISED_BY_APPLICATION.to_owned()
            }
            CallKind::Database => {
                match crate::redact::mask_database_message(&text, info.status_code.as_deref()) {
                    // Unchanged: the very same text back.
                    Cow::Borrowed(same) if std::ptr::eq(same, text.as_str()) => text,
                    masked => masked.into_owned(),
                }
            }
            _ => text,
        };
        match crate::redact::redact_urls_in_text(&text) {
            Cow::Borrowed(_) => text,
            Cow::Owned(redacted) => redacted,
        }
    }

    /// Records an attribute whose name is only known at run time, such as a captured
    /// header (`http.request.header.x-id`).
    pub fn set_dynamic_attribute(
        &self,
        key: impl Into<opentelemetry::Key>,
        value: impl Into<opentelemetry::Value>,
    ) {
        self.set(KeyValue::new(key, value));
    }
}

/// The error's message followed by each cause the message does not already include.
fn chain_message(mut message: String, error: &(dyn Error + 'static)) -> String {
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !text.is_empty() && !message.contains(&text) {
            let _ = write!(message, ": {text}");
        }
        source = cause.source();
    }
    truncate_at_char_boundary(&mut message, MAX_EXCEPTION_MESSAGE);
    message
}

/// Cuts `text` to at most `max` bytes, at a character boundary.
#[inline]
pub(crate) fn truncate_at_char_boundary(text: &mut String, max: usize) {
    if text.len() > max {
        let mut cut = max;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fmt;

    #[derive(Debug)]
    struct Layer(&'static str, Option<Box<Layer>>);
    impl fmt::Display for Layer {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }
    }
    impl Error for Layer {
        fn source(&self) -> Option<&(dyn Error + 'static)> {
            self.1.as_deref().map(|e| e as _)
        }
    }

    #[test]
    fn the_chain_message_adds_causes_not_already_in_the_message() {
        let err = Layer(
            "query failed: connection reset",
            Some(Box::new(Layer(
                "connection reset",
                Some(Box::new(Layer("os error 104", None))),
            ))),
        );
        assert_eq!(
            chain_message(err.to_string(), &err),
            "query failed: connection reset: os error 104"
        );
    }

    #[test]
    fn a_long_chain_message_is_cut_at_a_char_boundary() {
        let err = Layer("é", None);
        let long = "é".repeat(MAX_EXCEPTION_MESSAGE);
        let cut = chain_message(long, &err);
        assert!(cut.len() <= MAX_EXCEPTION_MESSAGE);
        assert!(cut.chars().all(|c| c == 'é'));
    }
}
