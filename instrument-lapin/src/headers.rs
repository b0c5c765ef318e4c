//! The trace context in a message's AMQP headers, as `traceparent`, `tracestate` and
//! `baggage` long-string entries.

use lapin::types::{AMQPValue, FieldTable, LongString, ShortString};
use opentelemetry::propagation::{Extractor, Injector};

/// Writes propagation fields into a message's header table, reading what is there
/// (the application's own, which injection keeps) as [`HeadersExtractor`] does.
pub(crate) struct HeadersInjector<'a>(pub(crate) &'a mut FieldTable);

impl Injector for HeadersInjector<'_> {
    fn set(&mut self, key: &str, value: String) {
        self.0.insert(
            ShortString::from(key),
            AMQPValue::LongString(LongString::from(value)),
        );
    }
}

impl Extractor for HeadersInjector<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        get(self.0, key)
    }

    fn keys(&self) -> Vec<&str> {
        keys(self.0)
    }
}

/// Reads propagation fields from a message's header table. Only string values count:
/// a header of another AMQP type (a number, a table) is not a trace context.
pub(crate) struct HeadersExtractor<'a>(pub(crate) &'a FieldTable);

impl Extractor for HeadersExtractor<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        get(self.0, key)
    }

    fn keys(&self) -> Vec<&str> {
        keys(self.0)
    }
}

/// The text of header `key`, in any case.
fn get<'a>(headers: &'a FieldTable, key: &str) -> Option<&'a str> {
    let value = headers
        .inner()
        .iter()
        .find_map(|(name, value)| name.as_str().eq_ignore_ascii_case(key).then_some(value))?;
    match value {
        AMQPValue::LongString(text) => std::str::from_utf8(text.as_bytes()).ok(),
        AMQPValue::ShortString(text) => Some(text.as_str()),
        _ => None,
    }
}

fn keys(headers: &FieldTable) -> Vec<&str> {
    headers.inner().keys().map(ShortString::as_str).collect()
}
