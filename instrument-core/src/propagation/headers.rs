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
            .map(|value| bounded(value.as_bytes(), max_bytes(key)).unwrap_or(NOT_TEXT))
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(HeaderName::as_str).collect()
    }

    /// Every value, in order, but never more than the W3C limits let a valid header
    /// hold (see `max_bytes`): values past the limit are not read, and stand as one
    /// invalid value, so a megabyte of header costs what the limit does.
    fn get_all(&self, key: &str) -> Option<Vec<&str>> {
        let mut budget = max_bytes(key);
        let mut values = Vec::new();
        for value in self.0.get_all(key) {
            let bytes = value.as_bytes();
            if bytes.len() > budget {
                // Baggage keeps the members that fit; a `traceparent` or `tracestate`
                // past its limit is invalid whole, and is not read at all. Then a mark
                // that there was more. A `,` right after the budget still ends a member
                // that fits (the value is longer than the budget, so it is in range).
                if keeps_members_that_fit(key)
                    && let Some(cut) = bytes[..=budget].iter().rposition(|b| *b == b',')
                {
                    values.push(bounded(&bytes[..cut], cut).unwrap_or(NOT_TEXT));
                }
                values.push(NOT_TEXT);
                break;
            }
            values.push(bounded(bytes, budget).unwrap_or(NOT_TEXT));
            budget -= bytes.len();
            budget = budget.saturating_sub(1); // the `,` that joins repeated headers
        }
        (!values.is_empty()).then_some(values)
    }
}

/// The most bytes of header `key` read: what the longest valid value can hold
/// (`traceparent`: a future version's longer value is still read by its first 55
/// bytes), 16 KiB for any other header.
fn max_bytes(key: &str) -> usize {
    match key {
        "traceparent" => super::MAX_TRACEPARENT_BYTES,
        "tracestate" => super::MAX_TRACESTATE_BYTES,
        "baggage" => super::MAX_BAGGAGE_BYTES,
        _ => 16 * 1024,
    }
}

/// Does a value of `key` past its limit keep the list members that fit (`baggage`, and
/// any list we do not know), or is it invalid whole (`traceparent`, `tracestate`)?
fn keeps_members_that_fit(key: &str) -> bool {
    !matches!(key, "traceparent" | "tracestate")
}

/// `bytes` as text when it is at most `max` bytes of visible ASCII (or tab), as
/// `HeaderValue::to_str` would accept; `None` otherwise.
fn bounded(bytes: &[u8], max: usize) -> Option<&str> {
    if bytes.len() > max
        || !bytes
            .iter()
            .all(|b| *b == b'\t' || (0x20..0x7f).contains(b))
    {
        return None;
    }
    std::str::from_utf8(bytes).ok()
}

/// Writes propagation headers into an `http::HeaderMap`, replacing any of the same
/// name, except `baggage`: members the request already carries (set by the caller)
/// are kept, and the context's are added after them when their keys are not among
/// them, within 8,192 bytes. A value that is not a valid header value is not written.
#[derive(Debug)]
pub struct HeaderInjector<'a>(pub &'a mut HeaderMap);

impl Injector for HeaderInjector<'_> {
    fn set(&mut self, key: &str, value: String) {
        // The propagators' own names need no parsing: constants, as `from_static` called
        // at run time checks its text every time (about 90 instructions per request).
        // The value's buffer is kept, not copied.
        const TRACEPARENT: HeaderName = HeaderName::from_static("traceparent");
        const TRACESTATE: HeaderName = HeaderName::from_static("tracestate");
        const BAGGAGE: HeaderName = HeaderName::from_static("baggage");
        let (name, value) = match key {
            "traceparent" => (TRACEPARENT, value),
            "tracestate" => (TRACESTATE, value),
            // Only `baggage` looks at what the request holds (not every `traceparent`).
            "baggage" => {
                let callers = self.0.get(&BAGGAGE).and_then(|v| v.to_str().ok());
                let value = match callers {
                    Some(callers) => super::baggage::merged_with_callers(callers, &value),
                    None => value,
                };
                (BAGGAGE, value)
            }
            other => match HeaderName::from_bytes(other.as_bytes()) {
                Ok(name) => (name, value),
                Err(_) => return,
            },
        };
        if let Ok(value) = HeaderValue::try_from(value) {
            self.0.insert(name, value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry::baggage::BaggageExt as _;
    use opentelemetry::propagation::TextMapPropagator as _;
    use opentelemetry::trace::TraceContextExt as _;

    const TRACEPARENT: &str = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    fn headers(pairs: &[(&'static str, String)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_str(value).expect("header value"));
        }
        map
    }

    #[test]
    fn a_megabyte_of_baggage_keeps_the_members_within_the_limits() {
        let members: Vec<String> = (0..100_000).map(|i| format!("k{i}=v{i}")).collect();
        let map = headers(&[("baggage", members.join(","))]);
        let extractor = HeaderExtractor(&map);
        let values = extractor.get_all("baggage").expect("values");
        let read: usize = values.iter().map(|v| v.len()).sum();
        assert!(
            read <= super::super::MAX_BAGGAGE_BYTES + NOT_TEXT.len(),
            "{read}"
        );
        let context = super::super::BaggagePropagator::new()
            .extract_with_context(&opentelemetry::Context::new(), &HeaderExtractor(&map));
        assert_eq!(context.baggage().len(), super::super::MAX_BAGGAGE_MEMBERS);
        assert_eq!(
            context
                .baggage()
                .get("k0")
                .map(ToString::to_string)
                .as_deref(),
            Some("v0")
        );
    }

    #[test]
    fn baggage_the_caller_set_is_kept_and_the_contexts_added() {
        let mut map = headers(&[("baggage", "tenant=acme,user=caller".to_owned())]);
        let context = opentelemetry::Context::new().with_baggage([
            opentelemetry::KeyValue::new("user", "alice"),
            opentelemetry::KeyValue::new("region", "eu"),
        ]);
        super::super::BaggagePropagator::new()
            .inject_context(&context, &mut HeaderInjector(&mut map));
        let sent = map.get_all("baggage").iter().collect::<Vec<_>>();
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0], "tenant=acme,user=caller,region=eu");
        // Without a header of the caller's, the context's alone.
        let mut map = HeaderMap::new();
        super::super::BaggagePropagator::new()
            .inject_context(&context, &mut HeaderInjector(&mut map));
        let sent = map
            .get("baggage")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let mut members: Vec<&str> = sent.split(',').collect();
        members.sort_unstable();
        assert_eq!(members, ["region=eu", "user=alice"]);
    }

    #[test]
    fn baggage_of_exactly_8192_bytes_before_a_comma_is_kept_whole() {
        // `a` and `b` are 4096 and 4095 bytes: with their comma, exactly the limit.
        let a = format!("a={}", "x".repeat(4094));
        let b = format!("b={}", "y".repeat(4093));
        let map = headers(&[("baggage", format!("{a},{b},c=1"))]);
        let context = super::super::BaggagePropagator::new()
            .extract_with_context(&opentelemetry::Context::new(), &HeaderExtractor(&map));
        let baggage = context.baggage();
        assert!(baggage.get("a").is_some() && baggage.get("b").is_some());
        assert!(baggage.get("c").is_none());
    }

    #[test]
    fn a_tracestate_longer_than_any_valid_one_is_dropped_and_the_parent_kept() {
        let huge = format!("a={}", "b".repeat(1 << 20));
        for tracestate in [huge, vec!["k=v"; 200_000].join(",")] {
            let map = headers(&[
                ("traceparent", TRACEPARENT.to_owned()),
                ("tracestate", tracestate),
            ]);
            let context = super::super::TraceContextPropagator::new()
                .extract_with_context(&opentelemetry::Context::new(), &HeaderExtractor(&map));
            let span = context.span();
            assert!(span.span_context().is_valid());
            assert_eq!(span.span_context().trace_state().header(), "");
        }
    }

    #[test]
    fn a_megabyte_traceparent_or_thousands_of_repeats_are_invalid_without_being_read() {
        let long = format!("{TRACEPARENT}-{}", "f".repeat(1 << 20));
        let map = headers(&[("traceparent", long)]);
        let extractor = HeaderExtractor(&map);
        let values = extractor.get_all("traceparent").expect("values");
        assert_eq!(values, [NOT_TEXT]);
        let repeated: Vec<(&'static str, String)> = (0..10_000)
            .map(|_| ("traceparent", TRACEPARENT.to_owned()))
            .collect();
        let map = headers(&repeated);
        let extractor = HeaderExtractor(&map);
        let values = extractor.get_all("traceparent").expect("values");
        assert!(values.len() < 16, "{}", values.len());
        let context = super::super::TraceContextPropagator::new()
            .extract_with_context(&opentelemetry::Context::new(), &HeaderExtractor(&map));
        assert!(!context.span().span_context().is_valid());
    }
}
