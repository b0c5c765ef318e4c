//! `http` headers as the propagators' carrier.

use ::http::HeaderMap;
use ::http::header::{HeaderName, HeaderValue};
use opentelemetry::propagation::{Extractor, Injector};

/// Stands for a header value that is not text: invalid wherever a value is parsed.
const NOT_TEXT: &str = "\u{fffd}";

/// Reads propagation headers from an `http::HeaderMap`, every value of a repeated
/// header in order. A value that is not text is still counted, as an invalid value
/// (so a repeated `traceparent` is seen as repeated, and a bad `tracestate` voids the
/// list).
#[derive(Debug)]
pub struct HeaderExtractor<'a>(pub &'a HeaderMap);

impl Extractor for HeaderExtractor<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0
            .get(key)
            .map(|value| value.to_str().unwrap_or(NOT_TEXT))
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(HeaderName::as_str).collect()
    }

    fn get_all(&self, key: &str) -> Option<Vec<&str>> {
        let values: Vec<&str> = self
            .0
            .get_all(key)
            .iter()
            .map(|value| value.to_str().unwrap_or(NOT_TEXT))
            .collect();
        (!values.is_empty()).then_some(values)
    }
}

/// Writes propagation headers into an `http::HeaderMap`, replacing any of the same
/// name. A value that is not a valid header value is not written.
#[derive(Debug)]
pub struct HeaderInjector<'a>(pub &'a mut HeaderMap);

impl Injector for HeaderInjector<'_> {
    fn set(&mut self, key: &str, value: String) {
        // The propagators' own names need no parsing; the value's buffer is kept, not
        // copied.
        let name = match key {
            "traceparent" => HeaderName::from_static("traceparent"),
            "tracestate" => HeaderName::from_static("tracestate"),
            "baggage" => HeaderName::from_static("baggage"),
            other => match HeaderName::from_bytes(other.as_bytes()) {
                Ok(name) => name,
                Err(_) => return,
            },
        };
        if let Ok(value) = HeaderValue::try_from(value) {
            self.0.insert(name, value);
        }
    }
}
