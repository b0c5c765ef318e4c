//! The trace context in a NATS message's headers.

use async_nats::HeaderMap;
use opentelemetry::propagation::{Extractor, Injector};

/// Writes propagation fields into a message's headers.
pub(crate) struct HeadersInjector<'a>(pub(crate) &'a mut HeaderMap);

impl Injector for HeadersInjector<'_> {
    fn set(&mut self, key: &str, value: String) {
        self.0.insert(key, value.as_str());
    }
}

/// Reads propagation fields from a message's headers (names in any case: NATS keeps
/// them as sent).
pub(crate) struct HeadersExtractor<'a>(pub(crate) &'a HeaderMap);

impl Extractor for HeadersExtractor<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(name, _)| AsRef::<str>::as_ref(name).eq_ignore_ascii_case(key))
            .and_then(|(_, values)| values.first())
            .map(async_nats::HeaderValue::as_str)
    }

    fn keys(&self) -> Vec<&str> {
        self.0
            .iter()
            .map(|(name, _)| AsRef::<str>::as_ref(name))
            .collect()
    }

    /// Every value of `key`, in order, under any spelling of the name: the propagators
    /// see a repeated `traceparent` (invalid) and every `tracestate` and `baggage`
    /// value. At most [`MAX_VALUES`] of them (the propagators' own limits stop well
    /// before that), so a hostile message costs no more than that.
    fn get_all(&self, key: &str) -> Option<Vec<&str>> {
        let values: Vec<&str> = self
            .0
            .iter()
            .filter(|(name, _)| AsRef::<str>::as_ref(name).eq_ignore_ascii_case(key))
            .flat_map(|(_, values)| values)
            .take(MAX_VALUES)
            .map(async_nats::HeaderValue::as_str)
            .collect();
        (!values.is_empty()).then_some(values)
    }
}

/// Most values of one header read.
const MAX_VALUES: usize = 64;

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
