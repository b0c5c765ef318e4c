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
}
