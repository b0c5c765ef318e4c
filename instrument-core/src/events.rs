//! [`SpanEvents`]: the application's `tracing` events as events of the current
//! OpenTelemetry span, whichever made it: a `tracing` span of the application's, or a
//! span of ours (a handler's `info!` behind the server layer lands on the request's
//! span).
//!
//! tracing-opentelemetry adds an event only to the current *`tracing`* span, and our
//! spans are not `tracing` spans; so events are left out of its layer and handled here,
//! through the current OpenTelemetry context, which always holds the innermost span
//! (tracing-opentelemetry makes an entered `tracing` span's context current).

use std::fmt::Write as _;

use opentelemetry::trace::{Status, TraceContextExt as _};
use opentelemetry::{Context, KeyValue};
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::Context as LayerContext;

use crate::span::truncate_at_char_boundary;

/// Longest text recorded for one field; longer values are cut at a character boundary.
const MAX_FIELD_LEN: usize = 4096;

/// Adds each event it sees to the current OpenTelemetry span, when that span records:
/// named by its message, with `level`, `target` and its other fields as attributes. An
/// `ERROR` event marks the span failed. Give it the same filter as the spans it may land
/// on, plus [`exported`](crate::exported) so that other libraries' events never reach it.
#[derive(Debug, Default, Clone, Copy)]
pub struct SpanEvents {
    _private: (),
}

impl SpanEvents {
    /// The layer.
    pub fn new() -> Self {
        Self::default()
    }
}

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for SpanEvents {
    fn on_event(&self, event: &tracing::Event<'_>, _ctx: LayerContext<'_, S>) {
        Context::map_current(|context| {
            let span = context.span();
            if !span.is_recording() {
                return;
            }
            let metadata = event.metadata();
            let mut fields = Fields {
                message: None,
                attributes: vec![
                    KeyValue::new("level", metadata.level().as_str()),
                    KeyValue::new("target", metadata.target().to_owned()),
                ],
            };
            event.record(&mut fields);
            if *metadata.level() == tracing::Level::ERROR {
                span.set_status(Status::error(""));
            }
            let name = fields.message.unwrap_or_else(|| metadata.name().to_owned());
            span.add_event(name, fields.attributes);
        });
    }
}

/// An event's fields, as OpenTelemetry attributes.
struct Fields {
    message: Option<String>,
    attributes: Vec<KeyValue>,
}

impl Fields {
    fn text(&mut self, field: &Field, mut text: String) {
        truncate_at_char_boundary(&mut text, MAX_FIELD_LEN);
        if field.name() == "message" {
            self.message = Some(text);
        } else {
            self.attributes.push(KeyValue::new(field.name(), text));
        }
    }
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.text(field, value.to_owned());
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.attributes.push(KeyValue::new(field.name(), value));
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        match i64::try_from(value) {
            Ok(value) => self.attributes.push(KeyValue::new(field.name(), value)),
            Err(_) => self.text(field, value.to_string()),
        }
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        self.attributes.push(KeyValue::new(field.name(), value));
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.attributes.push(KeyValue::new(field.name(), value));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let mut text = String::new();
        let _ = write!(text, "{value:?}");
        self.text(field, text);
    }
}
