//! The same messages delivered through async-nats, the traced client and the traced
//! client switched off (the `testing` parity helper); switched off, no header is added.
//! A binary of its own: the switch is process-wide.

mod support;

use futures_util::StreamExt as _;
use instrument_core::Library;
use instrument_core::testing::{assert_parity, capture_async};
use support::{client, nats_url, subject};

const BODIES: [&str; 3] = ["first", "second", "third"];

fn app_headers() -> async_nats::HeaderMap {
    let mut headers = async_nats::HeaderMap::new();
    headers.insert("tenant", "acme");
    headers
}

/// A received message as the application sees it, trace headers aside (the traced
/// publish adds them on purpose; switched off, there are none: checked below).
fn described(payload: &[u8], headers: Option<&async_nats::HeaderMap>) -> String {
    let mut names: Vec<String> = headers
        .map(|headers| {
            headers
                .iter()
                .filter(|(name, _)| {
                    !["traceparent", "tracestate", "baggage"].contains(&AsRef::<str>::as_ref(*name))
                })
                .map(|(name, values)| format!("{name}={values:?}"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    format!("{} {names:?}", String::from_utf8_lossy(payload))
}

/// Subscribes with `$client` (async-nats's or ours: the same calls), publishes the
/// bodies, and describes what arrived.
macro_rules! round_trip {
    ($client:expr) => {{
        let client = $client;
        let subject = subject("parity");
        let mut subscriber = client.subscribe(subject.clone()).await.expect("subscribe");
        client.flush().await.expect("flush");
        for body in BODIES {
            client
                .publish_with_headers(subject.clone(), app_headers(), body.into())
                .await
                .expect("publish");
        }
        client.flush().await.expect("flush");
        let mut got = Vec::new();
        while got.len() < BODIES.len() {
            let message = subscriber.next().await.expect("a message");
            got.push(described(&message.payload, message.headers.as_ref()));
        }
        got
    }};
}

#[tokio::test]
async fn raw_traced_and_switched_off_deliver_the_same_and_off_adds_no_header() {
    let parity = assert_parity(
        Library::Nats,
        || async { round_trip!(async_nats::connect(nats_url()).await.expect("connect")) },
        || async { round_trip!(client().await) },
    )
    .await;
    assert_eq!(parity.result.len(), BODIES.len());
    assert_eq!(parity.traced_spans.all_named("process").len(), 0);
    assert_eq!(
        parity
            .traced_spans
            .iter()
            .filter(|span| span.name.starts_with("publish "))
            .count(),
        BODIES.len()
    );

    // Switched off, the message carries no trace header, even inside a span.
    instrument_core::set_library_enabled(Library::Nats, false);
    let ((), spans) = capture_async(async {
        let client = client().await;
        let subject = subject("off");
        let mut subscriber = client.subscribe(subject.clone()).await.expect("subscribe");
        client.flush().await.expect("flush");
        let _request = tracing::info_span!("request").entered();
        client
            .publish(subject, "quiet".into())
            .await
            .expect("publish");
        client.flush().await.expect("flush");
        let message = subscriber.next().await.expect("a message");
        let headers = message.headers.clone().unwrap_or_default();
        assert!(headers.get("traceparent").is_none(), "no header added");
    })
    .await;
    instrument_core::set_library_enabled(Library::Nats, true);
    assert_eq!(spans.names(), ["request"], "no span of ours");
}
