//! The console exporter: each finished trace drawn as a waterfall on stderr.
//!
//! ```text
//! trace 0af7651916cd43dd8448eb211c80319c · 4 spans · 31.2ms
//! GET /report                     31.2ms ▕██████████████████████████████████████████▏
//!   authorize                    402µs ▕█                                         ▏
//!   SELECT reports                2.9ms ▕ ████                                      ▏
//!   GET                          25.8ms ▕      ███████████████████████████████████ ▏
//! ```
//!
//! A trace is drawn when its local root ends (a span with no parent in this process: a
//! server span whose remote parent is a client span of this same process is not one).
//! Lines are in tree order (children under their parent, by start time), indented by
//! depth; failed spans are marked `✗`, and an `ERROR` event logged inside a span is
//! shown under its line, marked `!`. Width from `COLUMNS`, else 100; colour only when
//! stderr is a terminal and `NO_COLOR` is unset. A span that ends after its trace was
//! drawn (detached work) gets a line of its own.
//!
//! It draws on the thread that ends the root span, at once, which is what a developer
//! watching a terminal wants; it is a development exporter, not one for production load.

use std::collections::{HashMap, HashSet, VecDeque};
use std::fmt::Write as _;
use std::io::{IsTerminal as _, Write as _};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use opentelemetry::Context;
use opentelemetry::trace::{SpanId, Status, TraceId};
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{Span, SpanData, SpanProcessor};

/// Traces held at once while waiting for their root; the oldest is drawn incomplete past that.
const MAX_OPEN_TRACES: usize = 256;
/// Spans held per trace; later ones are counted, not drawn.
const MAX_SPANS_PER_TRACE: usize = 2000;
/// Spans remembered as running at once.
const MAX_RUNNING_SPANS: usize = 65_536;
/// Recently drawn traces, to label spans that end after their trace was drawn.
const REMEMBERED_TRACES: usize = 256;

/// Draws traces on stderr as they finish.
#[derive(Debug)]
pub(crate) struct ConsoleWaterfall {
    state: Mutex<Buffer>,
    style: Style,
}

#[derive(Debug, Default)]
struct Buffer {
    open: HashMap<TraceId, OpenTrace>,
    order: VecDeque<TraceId>,
    drawn: VecDeque<TraceId>,
    /// Spans started in this process and not ended yet: a span whose remote parent is
    /// one of them (a server called over loopback by this process's client) is not a
    /// local root.
    running: HashSet<SpanId>,
}

#[derive(Debug, Default)]
struct OpenTrace {
    spans: Vec<SpanData>,
    overflow: usize,
}

/// The widest drawing, whatever `COLUMNS` says (a line is built whole in memory).
const MAX_WIDTH: usize = 1000;

/// How to draw: width and colour.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Style {
    pub(crate) width: usize,
    pub(crate) color: bool,
}

impl Style {
    /// From `COLUMNS`, the terminal and `NO_COLOR`.
    pub(crate) fn from_env() -> Self {
        let width = std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.trim().parse::<usize>().ok())
            .filter(|w| *w >= 40)
            .unwrap_or(100)
            .min(MAX_WIDTH);
        let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        Style { width, color }
    }
}

impl ConsoleWaterfall {
    pub(crate) fn new(style: Style) -> Self {
        ConsoleWaterfall {
            state: Mutex::new(Buffer::default()),
            style,
        }
    }

    /// Takes a finished span; returns the text to print, if a trace is now complete.
    fn accept(&self, span: SpanData) -> Option<String> {
        let Ok(mut buffer) = self.state.lock() else {
            return None;
        };
        let trace_id = span.span_context.trace_id();
        buffer.running.remove(&span.span_context.span_id());
        // A parent neither running here nor ended here is another process's (remote) or
        // one the sampler dropped (a span forced by `sampling.priority` under a dropped
        // request): nothing here will end it, so this span is the root of what is drawn.
        // Unless its trace was drawn already: then it is a late span, drawn below.
        let parent = span.parent_span_id;
        let parent_here = buffer.running.contains(&parent)
            || buffer.open.get(&trace_id).is_some_and(|trace| {
                trace
                    .spans
                    .iter()
                    .any(|ended| ended.span_context.span_id() == parent)
            });
        let is_local_root = parent == SpanId::INVALID
            || (!parent_here && (span.parent_span_is_remote || !buffer.drawn.contains(&trace_id)));
        // A span of a trace already drawn is drawn on its own line at once, unless its
        // parent still runs here (a message processed after the request that sent it
        // was answered): then it waits for that local root, as any child does.
        if !is_local_root
            && !buffer.open.contains_key(&trace_id)
            && buffer.drawn.contains(&trace_id)
            && !buffer.running.contains(&span.parent_span_id)
        {
            return Some(render(&[span], 0, self.style, true));
        }
        if !buffer.open.contains_key(&trace_id) {
            if buffer.open.len() >= MAX_OPEN_TRACES {
                // Drop the oldest unfinished trace rather than grow without bound.
                if let Some(oldest) = buffer.order.pop_front() {
                    buffer.open.remove(&oldest);
                }
            }
            buffer.order.push_back(trace_id);
        }
        let trace = buffer.open.entry(trace_id).or_default();
        if trace.spans.len() < MAX_SPANS_PER_TRACE {
            trace.spans.push(span);
        } else {
            trace.overflow += 1;
        }
        if !is_local_root {
            return None;
        }
        let mut trace = buffer.open.remove(&trace_id)?;
        buffer.order.retain(|id| *id != trace_id);
        // Spans under a span that still runs here belong to another local root of the
        // same trace (a message being processed while the request that sent it is
        // answered): they wait for it.
        let waiting = waiting_for_running(&mut trace.spans, &buffer.running);
        if !waiting.is_empty() {
            buffer.order.push_back(trace_id);
            buffer.open.insert(
                trace_id,
                OpenTrace {
                    spans: waiting,
                    overflow: 0,
                },
            );
        }
        if buffer.drawn.len() >= REMEMBERED_TRACES {
            buffer.drawn.pop_front();
        }
        buffer.drawn.push_back(trace_id);
        drop(buffer);
        Some(render(&trace.spans, trace.overflow, self.style, false))
    }
}

/// Takes out of `spans` those whose parent, or an ancestor's among them, still runs.
fn waiting_for_running(spans: &mut Vec<SpanData>, running: &HashSet<SpanId>) -> Vec<SpanData> {
    let mut waiting_ids: HashSet<SpanId> = HashSet::new();
    loop {
        let before = waiting_ids.len();
        for span in spans.iter() {
            if running.contains(&span.parent_span_id) || waiting_ids.contains(&span.parent_span_id)
            {
                waiting_ids.insert(span.span_context.span_id());
            }
        }
        if waiting_ids.len() == before {
            break;
        }
    }
    if waiting_ids.is_empty() {
        return Vec::new();
    }
    let (waiting, drawn) = std::mem::take(spans)
        .into_iter()
        .partition(|span| waiting_ids.contains(&span.span_context.span_id()));
    *spans = drawn;
    waiting
}

impl SpanProcessor for ConsoleWaterfall {
    fn on_start(&self, span: &mut Span, _cx: &Context) {
        use opentelemetry::trace::Span as _;
        let Ok(mut buffer) = self.state.lock() else {
            return;
        };
        // Bounded: past the cap a loopback call may be drawn as a trace of its own.
        if buffer.running.len() < MAX_RUNNING_SPANS {
            buffer.running.insert(span.span_context().span_id());
        }
    }

    fn on_end(&self, span: SpanData) {
        if let Some(text) = self.accept(span) {
            // One write per trace so concurrent traces do not interleave.
            let _ = std::io::stderr().lock().write_all(text.as_bytes());
        }
    }

    fn force_flush(&self) -> OTelSdkResult {
        Ok(())
    }

    fn shutdown_with_timeout(&self, _timeout: Duration) -> OTelSdkResult {
        Ok(())
    }
}

fn duration_between(start: SystemTime, end: SystemTime) -> Duration {
    end.duration_since(start).unwrap_or_default()
}

/// `850µs`, `12.3ms`, `1.25s`.
pub(crate) fn format_duration(d: Duration) -> String {
    let micros = d.as_micros();
    if micros < 1000 {
        format!("{micros}µs")
    } else if micros < 1_000_000 {
        format!("{:.1}ms", d.as_secs_f64() * 1000.0)
    } else {
        format!("{:.2}s", d.as_secs_f64())
    }
}

/// The spans in tree order with their depth: each span followed by its children by start
/// time. Spans whose parent is missing hang under the first root.
fn tree_order(spans: &[SpanData]) -> Vec<(usize, &SpanData)> {
    let ids: HashMap<SpanId, usize> = spans
        .iter()
        .enumerate()
        .map(|(i, s)| (s.span_context.span_id(), i))
        .collect();
    let mut children: HashMap<Option<usize>, Vec<usize>> = HashMap::new();
    for (i, span) in spans.iter().enumerate() {
        let parent = ids.get(&span.parent_span_id).copied().filter(|p| *p != i);
        children.entry(parent).or_default().push(i);
    }
    for list in children.values_mut() {
        list.sort_by_key(|i| spans[*i].start_time);
    }
    let mut out = Vec::with_capacity(spans.len());
    let mut stack: Vec<(usize, usize)> = children
        .get(&None)
        .map(|roots| roots.iter().rev().map(|r| (*r, 0)).collect())
        .unwrap_or_default();
    while let Some((index, depth)) = stack.pop() {
        out.push((depth, &spans[index]));
        if let Some(kids) = children.get(&Some(index)) {
            stack.extend(kids.iter().rev().map(|k| (*k, depth + 1)));
        }
    }
    out
}

const RESET: &str = "\x1b[0m";
const DIM: &str = "\x1b[2m";
const BOLD: &str = "\x1b[1m";
const RED: &str = "\x1b[31m";
const BAR_COLORS: [&str; 3] = ["\x1b[36m", "\x1b[33m", "\x1b[32m"];

fn paint(out: &mut String, color: bool, code: &str, text: &str) {
    if color {
        let _ = write!(out, "{code}{text}{RESET}");
    } else {
        out.push_str(text);
    }
}

/// Draws spans of one trace. `late` draws spans that ended after their trace was drawn.
pub(crate) fn render(spans: &[SpanData], overflow: usize, style: Style, late: bool) -> String {
    let mut out = String::new();
    let Some(first) = spans.first() else {
        return out;
    };
    let start = spans
        .iter()
        .map(|s| s.start_time)
        .min()
        .unwrap_or(first.start_time);
    let end = spans
        .iter()
        .map(|s| s.end_time)
        .max()
        .unwrap_or(first.end_time);
    let total = duration_between(start, end);
    let trace_id = first.span_context.trace_id();

    let header = if late {
        format!("trace {trace_id} · span ended after its trace was drawn\n")
    } else {
        let count = spans.len() + overflow;
        let plural = if count == 1 { "" } else { "s" };
        format!(
            "trace {trace_id} · {count} span{plural} · {}\n",
            format_duration(total)
        )
    };
    paint(&mut out, style.color, DIM, &header);

    // name column | duration (8) | space | ▕bar▏
    let style = Style {
        width: style.width.min(MAX_WIDTH),
        ..style
    };
    let bar_width = (style.width * 45 / 100).max(10);
    let name_width = style.width.saturating_sub(bar_width + 2 + 9 + 2).max(12);
    for (depth, span) in tree_order(spans) {
        let failed = matches!(span.status, Status::Error { .. });
        let indent = "  ".repeat(depth.min(12));
        let mark = if failed { "✗ " } else { "" };
        let label: String = format!("{indent}{mark}{}", span.name);
        let label = fit(&label, name_width);
        let pad = name_width.saturating_sub(label.chars().count());
        if failed {
            paint(&mut out, style.color, RED, &label);
        } else if depth == 0 {
            paint(&mut out, style.color, BOLD, &label);
        } else {
            out.push_str(&label);
        }
        out.push_str(&" ".repeat(pad));
        let duration = format_duration(duration_between(span.start_time, span.end_time));
        let _ = write!(out, " {duration:>9} ");

        let offset = fraction(duration_between(start, span.start_time), total);
        let length = fraction(duration_between(span.start_time, span.end_time), total);
        let bar_start = ((offset * bar_width as f64) as usize).min(bar_width - 1);
        let bar_len =
            ((length * bar_width as f64).round() as usize).clamp(1, bar_width - bar_start);
        out.push('▕');
        out.push_str(&" ".repeat(bar_start));
        let bar = "█".repeat(bar_len);
        let color = if failed {
            RED
        } else {
            BAR_COLORS[depth % BAR_COLORS.len()]
        };
        paint(&mut out, style.color, color, &bar);
        out.push_str(&" ".repeat(bar_width - bar_start - bar_len));
        out.push_str("▏\n");
        for message in error_events(span) {
            let line = fit(&format!("{indent}  ! {message}"), style.width);
            paint(&mut out, style.color, RED, &line);
            out.push('\n');
        }
    }
    if overflow > 0 {
        paint(
            &mut out,
            style.color,
            DIM,
            &format!("… {overflow} more spans not drawn\n"),
        );
    }
    out
}

/// The messages of the `ERROR` events logged inside `span`, in order (see
/// `instrument_core::SpanEvents`: each carries its level as an attribute).
fn error_events(span: &SpanData) -> impl Iterator<Item = &str> {
    span.events
        .iter()
        .filter(|event| {
            event.attributes.iter().any(|attribute| {
                attribute.key.as_str() == "level" && attribute.value.as_str() == "ERROR"
            })
        })
        .map(|event| event.name.as_ref())
}

fn fraction(part: Duration, total: Duration) -> f64 {
    if total.is_zero() {
        0.0
    } else {
        (part.as_secs_f64() / total.as_secs_f64()).clamp(0.0, 1.0)
    }
}

/// `text` cut to `width` characters, ending in `…` when cut, and safe to write to a
/// terminal (see [`printable`]).
fn fit(text: &str, width: usize) -> String {
    let text = printable(text);
    if text.chars().count() <= width {
        return text.into_owned();
    }
    let mut cut: String = text.chars().take(width.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// `text` with its control characters as `?`: span names and messages come from the
/// application and its input (a file name in an error, a request path), and an escape
/// sequence written raw would act on the terminal (retitle it, clear it, forge output)
/// and a line break would break the drawing. Bidirectional overrides too, which reorder
/// what is read.
pub(crate) fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char =
        |c: char| c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    if !text.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(
        text.chars()
            .map(|c| if unsafe_char(c) { '?' } else { c })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry::InstrumentationScope;
    use opentelemetry::trace::{SpanContext, SpanKind, TraceFlags, TraceState};
    use opentelemetry_sdk::trace::{SpanEvents, SpanLinks};

    const PLAIN: Style = Style {
        width: 100,
        color: false,
    };

    fn span(
        id: u64,
        parent: u64,
        name: &str,
        start_ms: u64,
        end_ms: u64,
        failed: bool,
    ) -> SpanData {
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        SpanData {
            span_context: SpanContext::new(
                TraceId::from(0xabcu128),
                SpanId::from(id),
                TraceFlags::SAMPLED,
                false,
                TraceState::default(),
            ),
            parent_span_id: SpanId::from(parent),
            parent_span_is_remote: false,
            span_kind: SpanKind::Internal,
            name: name.to_owned().into(),
            start_time: t0 + Duration::from_millis(start_ms),
            end_time: t0 + Duration::from_millis(end_ms),
            attributes: Vec::new(),
            dropped_attributes_count: 0,
            events: SpanEvents::default(),
            links: SpanLinks::default(),
            status: if failed {
                Status::error("boom")
            } else {
                Status::Unset
            },
            instrumentation_scope: InstrumentationScope::builder("test").build(),
        }
    }

    #[test]
    fn a_trace_is_drawn_when_its_root_ends_in_tree_order_with_bars_on_one_timeline() {
        let console = ConsoleWaterfall::new(PLAIN);
        still_running(&console, 1);
        still_running(&console, 2);
        assert!(
            console
                .accept(span(3, 2, "SELECT users", 10, 20, false))
                .is_none()
        );
        assert!(console.accept(span(2, 1, "load", 5, 60, false)).is_none());
        assert!(console.accept(span(4, 1, "GET", 62, 100, true)).is_none());
        let text = console
            .accept(span(1, 0, "GET /report", 0, 100, false))
            .expect("drawn at root end");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 5, "{text}");
        assert!(lines[0].starts_with("trace 00000000000000000000000000000abc · 4 spans · 100.0ms"));
        assert!(lines[1].starts_with("GET /report "));
        assert!(lines[2].starts_with("  load "));
        assert!(lines[3].starts_with("    SELECT users "));
        assert!(
            lines[4].starts_with("  ✗ GET "),
            "errors are marked: {}",
            lines[4]
        );
        for line in &lines[1..] {
            assert_eq!(line.chars().count(), 100, "lines fill the width: {line:?}");
        }
        let bar = |line: &str| {
            line.split('▕')
                .nth(1)
                .map(|b| b.trim_end_matches('▏').to_owned())
                .unwrap_or_default()
        };
        assert!(
            !bar(lines[1]).contains(' '),
            "the root spans the whole timeline"
        );
        assert!(
            bar(lines[4]).starts_with(&" ".repeat(20)),
            "a late child starts late: {:?}",
            bar(lines[4])
        );
    }

    #[test]
    fn an_error_logged_inside_a_span_shows_under_its_line() {
        use opentelemetry::KeyValue;
        let console = ConsoleWaterfall::new(PLAIN);
        still_running(&console, 1);
        let mut child = span(2, 1, "charge", 5, 60, true);
        for (name, level) in [("retrying", "WARN"), ("card declined", "ERROR")] {
            child.events.events.push(opentelemetry::trace::Event::new(
                name,
                SystemTime::UNIX_EPOCH,
                vec![KeyValue::new("level", level)],
                0,
            ));
        }
        assert!(console.accept(child).is_none());
        let text = console
            .accept(span(1, 0, "POST /checkout", 0, 100, false))
            .expect("drawn at root end");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4, "{text}");
        assert!(lines[2].starts_with("  ✗ charge "), "{text}");
        assert_eq!(
            lines[3], "    ! card declined",
            "only errors are shown: {text}"
        );
    }

    #[test]
    fn names_and_messages_reach_the_terminal_without_control_characters() {
        use opentelemetry::KeyValue;
        let console = ConsoleWaterfall::new(PLAIN);
        still_running(&console, 1);
        let mut child = span(2, 1, "GET \x1b]0;owned\x07\x1b[2J", 5, 60, true);
        child.events.events.push(opentelemetry::trace::Event::new(
            "bad upload a\nb\x1b[31m\u{202e}gpj.exe",
            SystemTime::UNIX_EPOCH,
            vec![KeyValue::new("level", "ERROR")],
            0,
        ));
        assert!(console.accept(child).is_none());
        let text = console
            .accept(span(1, 0, "POST /upload\r", 0, 100, false))
            .expect("drawn at root end");
        assert!(
            !text
                .chars()
                .any(|c| c.is_control() && c != '\n' || c == '\u{202e}'),
            "{text:?}"
        );
        assert_eq!(text.lines().count(), 4, "no line of its own: {text}");
        assert!(text.contains("GET ?]0;owned??[2J"), "{text}");
    }

    #[test]
    fn a_huge_terminal_width_is_capped() {
        let wide = Style {
            width: usize::MAX / 10,
            color: false,
        };
        let text = render(&[span(1, 0, "GET", 0, 10, false)], 0, wide, false);
        assert!(text.len() < 20_000, "{} bytes", text.len());
    }

    #[test]
    fn a_span_whose_parent_was_not_sampled_is_drawn_as_its_own_root() {
        let console = ConsoleWaterfall::new(PLAIN);
        // Span 1 (the request) was dropped by the sampler: never started here; span 2
        // was forced through, and its child ends first.
        still_running(&console, 2);
        assert!(
            console
                .accept(span(3, 2, "SELECT users", 10, 20, false))
                .is_none()
        );
        let text = console
            .accept(span(2, 1, "debug", 5, 60, false))
            .expect("drawn when it ends");
        assert!(
            text.lines()
                .nth(1)
                .is_some_and(|line| line.starts_with("debug ")),
            "{text}"
        );
        assert!(text.contains("  SELECT users "), "{text}");
    }

    /// Marks span `id` as started and not ended, as `on_start` does.
    fn still_running(console: &ConsoleWaterfall, id: u64) {
        console
            .state
            .lock()
            .expect("not poisoned")
            .running
            .insert(SpanId::from(id));
    }

    #[test]
    fn a_consumers_spans_wait_for_their_local_root_in_a_trace_already_drawn() {
        let console = ConsoleWaterfall::new(PLAIN);
        let _ = console.accept(span(1, 0, "GET /reports/{id}", 0, 10, false));
        // The message is processed after the request was answered: its span (7) runs
        // when its children end, so they wait for it.
        still_running(&console, 7);
        assert!(console.accept(span(8, 7, "ack", 12, 14, false)).is_none());
        let mut process = span(7, 2, "process reports", 11, 15, false);
        process.parent_span_is_remote = true;
        let text = console.accept(process).expect("drawn at its end");
        assert!(text.contains("2 spans"), "{text}");
        assert!(
            text.contains("process reports") && text.contains("  ack"),
            "{text}"
        );
    }

    #[test]
    fn a_consumers_spans_ended_before_the_request_was_answered_wait_for_their_root() {
        let console = ConsoleWaterfall::new(PLAIN);
        still_running(&console, 7);
        // The message is processed while the request still runs: a child of its
        // processing span ends first, then the request, then the processing.
        assert!(
            console
                .accept(span(8, 7, "mail report", 3, 4, false))
                .is_none()
        );
        let request = console
            .accept(span(1, 0, "GET /reports/{id}", 0, 10, false))
            .expect("drawn at its end");
        assert!(!request.contains("mail report"), "{request}");
        let mut process = span(7, 2, "process reports", 2, 12, false);
        process.parent_span_is_remote = true;
        let text = console.accept(process).expect("drawn at its end");
        assert!(text.contains("  mail report"), "{text}");
    }

    #[test]
    fn a_span_ending_after_its_trace_was_drawn_gets_its_own_line() {
        let console = ConsoleWaterfall::new(PLAIN);
        let _ = console.accept(span(1, 0, "answer", 0, 10, false));
        let text = console
            .accept(span(9, 1, "send sms", 5, 40, false))
            .expect("drawn alone");
        assert!(text.contains("ended after its trace was drawn"));
        assert!(text.contains("send sms"));
    }

    #[test]
    fn colour_codes_appear_only_when_asked() {
        let spans = [span(1, 0, "root", 0, 10, true)];
        assert!(!render(&spans, 0, PLAIN, false).contains('\x1b'));
        assert!(
            render(
                &spans,
                0,
                Style {
                    width: 100,
                    color: true
                },
                false
            )
            .contains('\x1b')
        );
    }

    #[test]
    fn long_names_are_cut_and_narrow_widths_still_draw() {
        let long = "x".repeat(300);
        let text = render(
            &[span(1, 0, &long, 0, 10, false)],
            0,
            Style {
                width: 40,
                color: false,
            },
            false,
        );
        assert!(text.contains('…'));
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(format_duration(Duration::from_micros(850)), "850µs");
        assert_eq!(format_duration(Duration::from_micros(12_345)), "12.3ms");
        assert_eq!(format_duration(Duration::from_millis(1250)), "1.25s");
    }

    #[test]
    fn unfinished_traces_are_bounded() {
        let console = ConsoleWaterfall::new(PLAIN);
        still_running(&console, 1); // every trace's root, never ending
        for i in 0..(MAX_OPEN_TRACES as u128 + 10) {
            let mut child = span(2, 1, "child", 0, 1, false);
            child.span_context = SpanContext::new(
                TraceId::from(i + 1),
                SpanId::from(2),
                TraceFlags::SAMPLED,
                false,
                TraceState::default(),
            );
            let _ = console.accept(child);
        }
        let open = console.state.lock().map(|b| b.open.len()).unwrap_or(0);
        assert_eq!(open, MAX_OPEN_TRACES);
    }
}
