//! Log lines that point at their trace: `trace_id` and `span_id` of the current
//! OpenTelemetry context on every line written inside a traced context.
//!
//! ```text
//! 2026-11-30T17:02:11.204Z  INFO checkout{order=7}: shop: card charged trace_id=4bf92f3577b34da6a3ce929d0e0e4736 span_id=00f067aa0ba902b7
//! ```
//!
//! The current context is the innermost span wherever it was made: a span of ours (a
//! request behind the server layer, work carried by the threads crate), or the
//! application's own `tracing` span (tracing-opentelemetry makes an entered span's
//! context current). Lines outside any trace carry no ids. A span the sampler dropped
//! still has its trace's ids: they tie the line to the logs of the other services the
//! request went through.
//!
//! The ids are added to each formatted line as it is written, so `tracing-subscriber`'s
//! own formats (colours included) stay as they are: [`WithTraceIds`] wraps the writer.
//! Compose it with a `fmt` layer of your own the same way.

use std::io;

use opentelemetry::Context;
use opentelemetry::trace::{SpanId, TraceContextExt as _, TraceId};
use tracing_subscriber::fmt::MakeWriter;

/// How `init()` writes log lines (`OTEL_RUST_LOG_FORMAT=plain|json`, or
/// [`Builder::log_format`](crate::Builder::log_format)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    /// `tracing-subscriber`'s full format, one line per event, the ids at the end.
    #[default]
    Plain,
    /// One JSON object per line (`tracing-subscriber`'s JSON format), with `trace_id`
    /// and `span_id` members.
    Json,
}

/// Wraps a [`MakeWriter`] so that each line written inside a traced context ends with
/// its `trace_id` and `span_id` (as `key=value` for [`LogFormat::Plain`], as members of
/// the object for [`LogFormat::Json`]).
///
/// ```
/// use tracing_subscriber::layer::SubscriberExt as _;
/// use instrument::{LogFormat, WithTraceIds};
///
/// let (export, _guard) = instrument::builder().layer();
/// let subscriber = tracing_subscriber::registry()
///     .with(tracing_subscriber::fmt::layer()
///         .with_writer(WithTraceIds::new(std::io::stderr, LogFormat::Plain)))
///     .with(export);
/// tracing::subscriber::with_default(subscriber, || {
///     tracing::info_span!("checkout").in_scope(|| tracing::info!("card charged"));
/// });
/// ```
#[derive(Debug, Clone)]
pub struct WithTraceIds<M> {
    inner: M,
    format: LogFormat,
}

impl<M> WithTraceIds<M> {
    /// Lines written through `inner`, in `format`, with the ids added.
    pub fn new(inner: M, format: LogFormat) -> Self {
        WithTraceIds { inner, format }
    }
}

impl<'a, M: MakeWriter<'a>> MakeWriter<'a> for WithTraceIds<M> {
    type Writer = LineWithIds<M::Writer>;

    fn make_writer(&'a self) -> Self::Writer {
        LineWithIds::new(self.inner.make_writer(), self.format)
    }

    fn make_writer_for(&'a self, meta: &tracing::Metadata<'_>) -> Self::Writer {
        LineWithIds::new(self.inner.make_writer_for(meta), self.format)
    }
}

/// The writer of one log line: the ids of the context current when it was made (the
/// `fmt` layer makes it for each event, on the event's thread) go at the end of the line.
#[derive(Debug)]
pub struct LineWithIds<W> {
    inner: W,
    ids: Option<(TraceId, SpanId)>,
    format: LogFormat,
}

impl<W> LineWithIds<W> {
    fn new(inner: W, format: LogFormat) -> Self {
        let ids = Context::map_current(|context| {
            let span = context.span();
            let span_context = span.span_context();
            span_context
                .is_valid()
                .then(|| (span_context.trace_id(), span_context.span_id()))
        });
        LineWithIds { inner, ids, format }
    }
}

impl<W: io::Write> io::Write for LineWithIds<W> {
    fn write(&mut self, text: &[u8]) -> io::Result<usize> {
        // The `fmt` layer hands over each formatted event whole, in one `write_all`;
        // anything else (no ids, or not a whole line) goes through unchanged.
        let Some((trace_id, span_id)) = self.ids.take() else {
            return self.inner.write(text);
        };
        // The line without its ending, and the ending with the ids in it.
        let (body, ending) = match self.format {
            LogFormat::Plain => (
                text.strip_suffix(b"\n"),
                format!(" trace_id={trace_id} span_id={span_id}\n"),
            ),
            LogFormat::Json => (
                text.strip_suffix(b"}\n"),
                format!(",\"trace_id\":\"{trace_id}\",\"span_id\":\"{span_id}\"}}\n"),
            ),
        };
        let line = body.map(|body| [body, ending.as_bytes()].concat());
        match line {
            Some(line) => {
                // One write, so that lines of concurrent threads never interleave.
                self.inner.write_all(&line)?;
                Ok(text.len())
            }
            None => self.inner.write(text),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use io::Write as _;
    use opentelemetry::trace::{SpanContext, TraceFlags, TraceState};

    fn traced<T>(f: impl FnOnce() -> T) -> T {
        let span_context = SpanContext::new(
            TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").expect("hex"),
            SpanId::from_hex("00f067aa0ba902b7").expect("hex"),
            TraceFlags::SAMPLED,
            false,
            TraceState::default(),
        );
        let _attached = Context::new()
            .with_remote_span_context(span_context)
            .attach();
        f()
    }

    fn written(format: LogFormat, text: &str, inside: bool) -> String {
        let mut out = Vec::new();
        {
            let mut writer = if inside {
                traced(|| LineWithIds::new(&mut out, format))
            } else {
                LineWithIds::new(&mut out, format)
            };
            writer.write_all(text.as_bytes()).expect("written");
        }
        String::from_utf8(out).expect("utf-8")
    }

    #[test]
    fn a_line_inside_a_trace_ends_with_its_ids() {
        assert_eq!(
            written(LogFormat::Plain, "INFO app: charged\n", true),
            "INFO app: charged trace_id=4bf92f3577b34da6a3ce929d0e0e4736 span_id=00f067aa0ba902b7\n"
        );
        let json = written(LogFormat::Json, "{\"level\":\"INFO\"}\n", true);
        let parsed: serde_json::Value = serde_json::from_str(&json).expect("still JSON");
        assert_eq!(parsed["trace_id"], "4bf92f3577b34da6a3ce929d0e0e4736");
        assert_eq!(parsed["span_id"], "00f067aa0ba902b7");
        assert_eq!(parsed["level"], "INFO");
    }

    #[test]
    fn lines_outside_a_trace_and_partial_writes_are_unchanged() {
        assert_eq!(
            written(LogFormat::Plain, "INFO app: idle\n", false),
            "INFO app: idle\n"
        );
        assert_eq!(written(LogFormat::Plain, "no newline", true), "no newline");
        assert_eq!(
            written(LogFormat::Json, "not an object\n", true),
            "not an object\n"
        );
    }
}
