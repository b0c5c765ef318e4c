//! The same messages delivered through lapin, the traced channel and the traced channel
//! switched off (the `testing` parity helper); switched off, no header is added. A
//! binary of its own: the switch is process-wide.

mod support;

use std::time::Duration;

use instrument_core::Library;
use instrument_core::testing::{assert_parity, capture_async};
use lapin::options::{
    BasicGetOptions, BasicPublishOptions, QueueDeclareOptions, QueueDeleteOptions,
};
use lapin::types::{AMQPValue, FieldTable, LongString};
use lapin::{BasicProperties, ConnectionProperties};
use support::{amqp_url, connect, declare, delete, queue_name};

/// Declares `$queue` on `$channel` (lapin's or ours: the same calls), publishes
/// `$bodies` to it, takes them back with `basic_get`, deletes it: what was delivered.
macro_rules! round_trip {
    ($channel:expr, $queue:expr, $bodies:expr) => {{
        let (channel, queue, bodies) = ($channel, $queue, $bodies);
        let declared = channel
            .queue_declare(
                queue.into(),
                QueueDeclareOptions::default(),
                FieldTable::default(),
            )
            .await;
        declared.expect("declare");
        for body in bodies {
            channel
                .basic_publish(
                    "".into(),
                    queue.into(),
                    BasicPublishOptions::default(),
                    body.as_bytes(),
                    app_properties(),
                )
                .await
                .expect("publish");
        }
        let mut got = Vec::new();
        while got.len() < bodies.len() {
            match channel
                .basic_get(queue.into(), BasicGetOptions { no_ack: true })
                .await
                .expect("get")
            {
                Some(message) => got.push(described(
                    &message.delivery.data,
                    message.delivery.routing_key.as_str() == queue,
                    &message.delivery.properties,
                )),
                None => tokio::time::sleep(Duration::from_millis(20)).await,
            }
        }
        channel
            .queue_delete(queue.into(), QueueDeleteOptions::default())
            .await
            .expect("delete");
        got
    }};
}

async fn deliveries_raw(queue: &str, bodies: &[&str]) -> Vec<String> {
    let connection = lapin::Connection::connect(&amqp_url(), ConnectionProperties::default())
        .await
        .expect("connect");
    round_trip!(
        connection.create_channel().await.expect("channel"),
        queue,
        bodies
    )
}

async fn deliveries_traced(queue: &str, bodies: &[&str]) -> Vec<String> {
    round_trip!(
        connect().await.create_channel().await.expect("channel"),
        queue,
        bodies
    )
}

fn app_properties() -> BasicProperties {
    let mut headers = FieldTable::default();
    headers.insert(
        "tenant".into(),
        AMQPValue::LongString(LongString::from("acme")),
    );
    BasicProperties::default()
        .with_headers(headers)
        .with_content_type("text/plain".into())
}

/// A delivered message as the application sees it, trace headers aside (the traced
/// publish adds them on purpose; switched off, there are none: checked below).
fn described(data: &[u8], routed_to_queue: bool, properties: &BasicProperties) -> String {
    let headers: Vec<String> = properties
        .headers()
        .as_ref()
        .map(|headers| {
            headers
                .inner()
                .iter()
                .filter(|(name, _)| {
                    !["traceparent", "tracestate", "baggage"].contains(&name.as_str())
                })
                .map(|(name, value)| format!("{name}={value:?}"))
                .collect()
        })
        .unwrap_or_default();
    format!(
        "{} routed to the queue: {routed_to_queue} {:?} {headers:?}",
        String::from_utf8_lossy(data),
        properties.content_type()
    )
}

fn trace_headers(properties: &BasicProperties) -> Vec<String> {
    properties
        .headers()
        .as_ref()
        .map(|headers| {
            headers
                .inner()
                .keys()
                .filter(|name| ["traceparent", "tracestate", "baggage"].contains(&name.as_str()))
                .map(|name| name.to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// One test for the switch: it is process-wide, and this binary's other tests trace.
#[tokio::test]
async fn raw_traced_and_switched_off_deliver_the_same_and_off_adds_no_header() {
    let bodies = ["first", "second", "third"];
    let parity = assert_parity(
        Library::Lapin,
        || async { deliveries_raw(&queue_name("parity-raw"), &bodies).await },
        || async {
            let queue = queue_name("parity");
            deliveries_traced(&queue, &bodies).await
        },
    )
    .await;
    assert_eq!(parity.result.len(), bodies.len());
    assert_eq!(
        parity.traced_spans.all_named("publish amq.default").len(),
        bodies.len()
    );

    // Switched off, the message carries no trace header, even inside a span.
    let queue = queue_name("off");
    instrument_core::set_library_enabled(Library::Lapin, false);
    let ((), spans) = capture_async(async {
        let channel = connect().await.create_channel().await.expect("channel");
        declare(&channel, &queue).await;
        let _request = tracing::info_span!("request").entered();
        channel
            .basic_publish(
                "".into(),
                queue.as_str().into(),
                BasicPublishOptions::default(),
                b"quiet",
                BasicProperties::default(),
            )
            .await
            .expect("publish");
        let message = loop {
            if let Some(message) = channel
                .basic_get(queue.as_str().into(), BasicGetOptions { no_ack: true })
                .await
                .expect("get")
            {
                break message;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        assert!(
            trace_headers(&message.properties).is_empty(),
            "no header added"
        );
        delete(&channel, &queue).await;
    })
    .await;
    instrument_core::set_library_enabled(Library::Lapin, true);
    assert_eq!(spans.names(), ["request"], "no span of ours");
}
