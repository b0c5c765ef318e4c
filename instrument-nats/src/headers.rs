//! The trace context in a NATS message's headers.

use async_nats::HeaderMap;
use opentelemetry::propagation::{Extractor, Injector};

/// Writes propagation fields into a message's headers, reading what is there (the
/// application's own, which injection keeps) as [`HeadersExtractor`] does. A value
/// NATS cannot carry (a line break, which async-nats's `From<&str>` panics on) is not
/// written.
pub(crate) struct HeadersInjector<'a>(pub(crate) &'a mut HeaderMap);

impl Injector for HeadersInjector<'_> {
    fn set(&mut self, key: &str, value: String) {
        if let Ok(value) = value.parse::<async_nats::HeaderValue>() {
            self.0.insert(key, value);
        }
    }
}

impl Extractor for HeadersInjector<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        get(self.0, key)
    }

    fn keys(&self) -> Vec<&str> {
        keys(self.0)
    }

    fn get_all(&self, key: &str) -> Option<Vec<&str>> {
        get_all(self.0, key)
    }
}

/// Reads propagation fields from a message's headers (names in any case: NATS keeps
/// them as sent).
pub(crate) struct HeadersExtractor<'a>(pub(crate) &'a HeaderMap);

impl Extractor for HeadersExtractor<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        get(self.0, key)
    }

    fn keys(&self) -> Vec<&str> {
        keys(self.0)
    }

    /// Every value of `key`, in order, under any spelling of the name: the propagators
    /// see a repeated `traceparent` (invalid) and every `tracestate` and `baggage`
    /// value. At most [`MAX_VALUES`] of them (the propagators' own limits stop well
    /// before that), so a hostile message costs no more than that.
    fn get_all(&self, key: &str) -> Option<Vec<&str>> {
        get_all(self.0, key)
    }
}

/// The first value of header `key`, in any case.
fn get<'a>(headers: &'a HeaderMap, key: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(name, _)| AsRef::<str>::as_ref(name).eq_ignore_ascii_case(key))
        .and_then(|(_, values)| values.first())
        .map(async_nats::HeaderValue::as_str)
}

fn keys(headers: &HeaderMap) -> Vec<&str> {
    headers
        .iter()
        .map(|(name, _)| AsRef::<str>::as_ref(name))
        .collect()
}

fn get_all<'a>(headers: &'a HeaderMap, key: &str) -> Option<Vec<&'a str>> {
    let values: Vec<&str> = headers
        .iter()
        .filter(|(name, _)| AsRef::<str>::as_ref(name).eq_ignore_ascii_case(key))
        .flat_map(|(_, values)| values)
        .take(MAX_VALUES)
        .map(async_nats::HeaderValue::as_str)
        .collect();
    (!values.is_empty()).then_some(values)
}

/// Most values of one header read.
const MAX_VALUES: usize = 64;

/// Writes `span`'s context into the headers of a message whose payload is
/// `payload_len` bytes, unless the headers would then make it larger than the server
/// takes (`max_payload`, headers and payload together, as async-nats checks before
/// sending) where the application's message alone fits: then they stay as the
/// application set them, and the publish goes through as the raw one would.
pub(crate) fn inject_within_limit(
    span: &instrument_core::CallSpan,
    headers: &mut HeaderMap,
    payload_len: usize,
    max_payload: impl FnOnce() -> usize,
) {
    let max_payload = max_payload();
    // Copied only when the injection could cross the limit: near it, or past it.
    let as_set =
        (payload_len + wire_len(headers) + MOST_INJECTED > max_payload).then(|| headers.clone());
    instrument_core::propagation::inject_into(span, &mut HeadersInjector(headers));
    if let Some(as_set) = as_set
        && payload_len + wire_len(headers) > max_payload
    {
        *headers = as_set;
    }
}

/// The most bytes injection adds to a message's headers: the framing a message
/// without headers gains, and lines of a `traceparent`, the longest `tracestate` and
/// the longest `baggage`.
const MOST_INJECTED: usize = b"NATS/1.0\r\n\r\n".len()
    + b"traceparent: \r\n".len()
    + instrument_core::propagation::MAX_TRACEPARENT_BYTES
    + b"tracestate: \r\n".len()
    + instrument_core::propagation::MAX_TRACESTATE_BYTES
    + b"baggage: \r\n".len()
    + instrument_core::propagation::MAX_BAGGAGE_BYTES;

/// The bytes `headers` take on the wire: none when empty (async-nats then sends no
/// header block), else the block `NATS/1.0`, a `name: value` line per value, and the
/// blank line.
fn wire_len(headers: &HeaderMap) -> usize {
    if headers.is_empty() {
        return 0;
    }
    let lines: usize = headers
        .iter()
        .map(|(name, values)| {
            let name: &str = name.as_ref();
            values
                .iter()
                .map(|value| name.len() + b": \r\n".len() + value.as_str().len())
                .sum::<usize>()
        })
        .sum();
    b"NATS/1.0\r\n\r\n".len() + lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry::baggage::BaggageExt as _;
    use opentelemetry::propagation::TextMapPropagator as _;
    use opentelemetry::trace::TraceContextExt as _;

    const TRACEPARENT: &str = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    fn extracted(pairs: &[(&str, &str)]) -> opentelemetry::Context {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.append(*name, *value);
        }
        let extractor = HeadersExtractor(&headers);
        let context =
            instrument_core::propagation::TraceContextPropagator::new().extract(&extractor);
        instrument_core::propagation::BaggagePropagator::new()
            .extract_with_context(&context, &extractor)
    }

    #[test]
    fn a_repeated_traceparent_starts_a_new_trace() {
        let context = extracted(&[("traceparent", TRACEPARENT)]);
        assert!(context.span().span_context().is_valid());
        for second in ["traceparent", "Traceparent"] {
            let context = extracted(&[("traceparent", TRACEPARENT), (second, TRACEPARENT)]);
            assert!(!context.span().span_context().is_valid(), "{second}");
        }
    }

    #[test]
    fn every_tracestate_and_baggage_value_is_read() {
        let context = extracted(&[
            ("traceparent", TRACEPARENT),
            ("tracestate", "a=1"),
            ("tracestate", "b=2"),
            ("baggage", "user=alice"),
            ("baggage", "tier=gold"),
        ]);
        assert_eq!(
            context.span().span_context().trace_state().header(),
            "a=1,b=2"
        );
        assert_eq!(context.baggage().len(), 2);
    }

    #[test]
    fn thousands_of_values_are_read_no_further_than_the_limit() {
        let mut headers = HeaderMap::new();
        for _ in 0..10_000 {
            headers.append("baggage", "k=v");
        }
        let extractor = HeadersExtractor(&headers);
        let values = extractor.get_all("baggage").expect("values");
        assert_eq!(values.len(), MAX_VALUES);
    }
}
