//! One check per fuzz target: the parser must not panic, must do bounded work, and must
//! keep the property named in each function's docs. A violated property panics, which
//! the fuzzer reports as a crash.
//!
//! Only the crates' public API is used, so the same file is compiled into the corpus
//! replay test of the `instrument` crate.

use std::borrow::Cow;

use instrument_core::redact;
use instrument_core::sql::{self, Dialect, SanitizeOptions};
use opentelemetry::propagation::{Extractor as _, TextMapPropagator as _};
use opentelemetry::trace::TraceContextExt as _;

const DIALECTS: [Dialect; 4] = [
    Dialect::Postgres,
    Dialect::MySql,
    Dialect::Sqlite,
    Dialect::Generic,
];

/// The SQL summary, sanitizer and statement splitter on any text, in every dialect: no
/// panic, a summary within its length limit, a sanitized text within its limit, and
/// statements that are pieces of the input.
pub fn sql(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    for dialect in DIALECTS {
        if let Some(summary) = sql::summarize(&text, dialect) {
            assert!(summary.len() <= sql::MAX_SUMMARY_LEN, "summary too long");
        }
        let options = SanitizeOptions {
            dialect,
            ..SanitizeOptions::default()
        };
        let sanitized = sql::sanitize(&text, &options);
        assert!(
            sanitized.len() <= options.max_len,
            "sanitized text too long"
        );
        for statement in sql::split_statements(&text, dialect) {
            assert!(
                text.contains(statement),
                "a statement is not part of the input"
            );
        }
    }
}

/// A value planted in fuzzed messages: it must never survive masking or redaction.
const MARKER: &str = "S3CR3TMARK";

/// `data` as two pieces of text, to put around a planted value; `None` when `data`
/// holds the planted value itself (then finding it says nothing).
fn around(data: &[u8]) -> Option<(Cow<'_, str>, Cow<'_, str>)> {
    let (prefix, suffix) = data.split_at(data.len() / 2);
    let (prefix, suffix) = (
        String::from_utf8_lossy(prefix),
        String::from_utf8_lossy(suffix),
    );
    (!prefix.contains(MARKER) && !suffix.contains(MARKER)).then_some((prefix, suffix))
}

/// The database error masker on any text: no panic, never longer than the input, and
/// stable (a masked message masks to itself), with and without a status code; and a
/// value quoted or given as a key's value anywhere in any message never survives.
pub fn database_error(data: &[u8]) {
    let planted_messages = around(data).map(|(prefix, suffix)| {
        [
            format!("{prefix} value: \"{MARKER}\" {suffix}"),
            format!("{prefix} value: '{MARKER}' {suffix}"),
            format!("{prefix} Key (k)=({MARKER}) {suffix}"),
        ]
    });
    for planted in planted_messages.into_iter().flatten() {
        let masked = redact::mask_database_message(&planted, None);
        assert!(
            !masked.contains(MARKER) || planted.len() > redact::MAX_MESSAGE_BYTES,
            "a planted value survived: {masked}"
        );
    }
    let text = String::from_utf8_lossy(data);
    for code in [None, Some("23505"), Some("1062"), Some("P0001")] {
        let masked = redact::mask_database_message(&text, code);
        assert!(
            masked.len() <= text.len().max(redact::RAISED_BY_APPLICATION.len()),
            "masking made the message longer"
        );
        let again = redact::mask_database_message(&masked, code);
        assert_eq!(again, masked, "masking is not stable");
    }
}

/// A connection that answers every command with `OK`, to run the traced connection's
/// command reader (RESP parsing, command names, masking) on any bytes.
struct AlwaysOk;

impl redis::ConnectionLike for AlwaysOk {
    fn req_packed_command(&mut self, _cmd: &[u8]) -> redis::RedisResult<redis::Value> {
        Ok(redis::Value::Okay)
    }

    fn req_packed_commands(
        &mut self,
        _cmd: &[u8],
        _offset: usize,
        count: usize,
    ) -> redis::RedisResult<Vec<redis::Value>> {
        Ok(vec![redis::Value::Okay; count.min(64)])
    }

    fn get_db(&self) -> i64 {
        0
    }

    fn check_connection(&mut self) -> bool {
        true
    }

    fn is_open(&self) -> bool {
        true
    }
}

/// The Redis wrapper's reading of any bytes as packed commands (what it describes and
/// masks before the call): no panic, and the caller gets the connection's answer
/// unchanged.
pub fn redis_command(data: &[u8]) {
    use redis::ConnectionLike as _;
    let mut connection = instrument_redis::Instrumented::new(AlwaysOk);
    assert_eq!(
        connection.req_packed_command(data),
        Ok(redis::Value::Okay),
        "the reply changed"
    );
    let count = data.first().map_or(0, |b| usize::from(*b % 8));
    let replies = connection.req_packed_commands(data, 0, count);
    assert_eq!(
        replies,
        Ok(vec![redis::Value::Okay; count]),
        "the replies changed"
    );
}

/// The W3C propagators on any `traceparent`, `tracestate` and `baggage` (the input split
/// at `\n`; each header may repeat): no panic, and what is extracted re-injects to
/// headers that extract to the same context.
pub fn propagation(data: &[u8]) {
    let mut headers = http::HeaderMap::new();
    let names = ["traceparent", "tracestate", "baggage"];
    for (i, line) in data.split(|b| *b == b'\n').enumerate().take(16) {
        if let Ok(value) = http::HeaderValue::from_bytes(line) {
            headers.append(names[i % names.len()], value);
        }
    }
    let trace_context = instrument_core::propagation::TraceContextPropagator::new();
    let baggage = instrument_core::propagation::BaggagePropagator::new();
    let extract = |headers: &http::HeaderMap| {
        let extractor = instrument_core::propagation::HeaderExtractor(headers);
        let _ = extractor.keys();
        let context =
            trace_context.extract_with_context(&opentelemetry::Context::new(), &extractor);
        baggage.extract_with_context(&context, &extractor)
    };
    let context = extract(&headers);
    let mut injected = http::HeaderMap::new();
    let mut injector = instrument_core::propagation::HeaderInjector(&mut injected);
    trace_context.inject_context(&context, &mut injector);
    baggage.inject_context(&context, &mut injector);
    let again = extract(&injected);
    assert_eq!(
        again.span().span_context(),
        context.span().span_context(),
        "the trace context does not survive re-injection"
    );
    use opentelemetry::baggage::BaggageExt as _;
    let pairs = |context: &opentelemetry::Context| {
        let mut pairs: Vec<(String, String)> = context
            .baggage()
            .iter()
            .map(|(key, (value, _))| (key.to_string(), value.to_string()))
            .collect();
        pairs.sort();
        pairs
    };
    assert_eq!(
        pairs(&again),
        pairs(&context),
        "baggage does not survive re-injection"
    );
}

/// URL redaction on any text: no panic; stable; in the redacted URL, no userinfo is
/// left, no fragment, and every sensitive query key's value is `REDACTED`. Inside a
/// message: a token planted in a URL anywhere in any text never survives.
pub fn url(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let redacted = redact::redact_url(&text);
    assert_eq!(
        redact::redact_url(&redacted),
        redacted,
        "URL redaction is not stable"
    );
    assert!(!redacted.contains('#'), "a fragment survived");
    if let Some((_, query)) = redacted.split_once('?') {
        for pair in query.split('&') {
            if let Some((key, value)) = pair.split_once('=') {
                assert!(
                    !redact::is_sensitive_query_key(key)
                        || value.is_empty()
                        || value == redact::REDACTED,
                    "{key}={value} survived"
                );
            }
        }
    }
    let query = redact::redact_query(&text);
    assert_eq!(
        redact::redact_query(&query),
        query,
        "query redaction is not stable"
    );
    if let Some((prefix, suffix)) = around(data) {
        let planted = format!("{prefix} http://h/p?token={MARKER} {suffix}");
        let redacted = redact::redact_urls_in_text(&planted);
        assert!(
            !redacted.contains(MARKER),
            "a planted token survived: {redacted}"
        );
    }
    // Not checked: that redacting a message twice changes nothing. Where a URL ends in
    // free text is a guess from its brackets, and redacted values can hold brackets, so
    // a second pass may draw the URL's end elsewhere and redact a little more; it never
    // brings back what the first removed.
    let _ = redact::redact_urls_in_text(&text);
}
