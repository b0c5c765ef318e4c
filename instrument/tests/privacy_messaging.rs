//! Privacy, end to end, for RabbitMQ and NATS: message bodies, the application's own
//! message headers, and a failed request, through the real `init()` pipeline exporting
//! OTLP/HTTP to a collector on loopback. None reaches the exported bytes, while the
//! consumers get every byte of them.
#![cfg(all(feature = "lapin", feature = "nats"))]

mod support;

use futures_util::StreamExt as _;
use lapin::options::{
    BasicAckOptions, BasicConsumeOptions, BasicPublishOptions, QueueDeclareOptions,
    QueueDeleteOptions,
};
use lapin::types::{AMQPValue, FieldTable, LongString};
use lapin::{BasicProperties, ConnectionProperties};
use support::collector;

const SECRETS: &[&str] = &[
    "S3CR3T",
    "amqp-body",
    "amqp-header",
    "nats-body",
    "nats-header",
    "nats-request",
];

fn amqp_url() -> String {
    std::env::var("AMQP_URL").unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672/%2f".to_owned())
}

fn nats_url() -> String {
    std::env::var("NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".to_owned())
}

/// Publishes a message with secrets in its body and headers, consumes and acks it.
async fn rabbitmq(queue: &str) -> Vec<u8> {
    let connection =
        instrument::lapin::Connection::connect(&amqp_url(), ConnectionProperties::default())
            .await
            .expect("rabbitmq");
    let channel = connection.create_channel().await.expect("channel");
    channel
        .queue_declare(
            queue.into(),
            QueueDeclareOptions::default(),
            FieldTable::default(),
        )
        .await
        .expect("declare");
    let mut headers = FieldTable::default();
    headers.insert(
        "x-card".into(),
        AMQPValue::LongString(LongString::from("S3CR3T-amqp-header")),
    );
    channel
        .basic_publish(
            "".into(),
            queue.into(),
            BasicPublishOptions::default(),
            b"S3CR3T-amqp-body",
            BasicProperties::default().with_headers(headers),
        )
        .await
        .expect("publish");
    let mut consumer = channel
        .basic_consume(
            queue.into(),
            "privacy".into(),
            BasicConsumeOptions::default(),
            FieldTable::default(),
        )
        .await
        .expect("consume");
    let delivery = consumer
        .next()
        .await
        .expect("a delivery")
        .expect("delivered");
    delivery.ack(BasicAckOptions::default()).await.expect("ack");
    let body = delivery.data.clone();
    drop(delivery);
    channel
        .queue_delete(queue.into(), QueueDeleteOptions::default())
        .await
        .expect("delete");
    body
}

/// Publishes a message with secrets in its body and headers and receives it; sends a
/// request nobody answers.
async fn nats(subject: &str) -> (Vec<u8>, String) {
    let client = instrument::nats::connect(nats_url()).await.expect("nats");
    let mut subscriber = client
        .subscribe(subject.to_owned())
        .await
        .expect("subscribe");
    client.flush().await.expect("flush");
    let mut headers = async_nats::HeaderMap::new();
    headers.insert("x-card", "S3CR3T-nats-header");
    client
        .publish_with_headers(subject.to_owned(), headers, "S3CR3T-nats-body".into())
        .await
        .expect("publish");
    client.flush().await.expect("flush");
    let message = subscriber.next().await.expect("a message");
    let body = message.payload.to_vec();
    drop(message);
    let failed = client
        .request(format!("{subject}.nobody"), "S3CR3T-nats-request".into())
        .await
        .expect_err("no responders");
    (body, failed.to_string())
}

#[test]
fn message_bodies_and_headers_never_reach_the_export() {
    let runtime = support::runtime();
    let (endpoint, received) = collector::start();
    let telemetry = collector::pipeline(&endpoint);
    let queue = format!("privacy.{}", std::process::id());
    let (amqp_body, (nats_body, nats_error)) = telemetry
        .in_scope(|| runtime.block_on(async { (rabbitmq(&queue).await, nats(&queue).await) }));
    drop(telemetry);
    assert_eq!(amqp_body, b"S3CR3T-amqp-body", "the consumer gets the body");
    assert_eq!(nats_body, b"S3CR3T-nats-body");
    assert!(!nats_error.contains("S3CR3T"), "{nats_error}");
    received.assert_free_of(SECRETS);
    assert!(
        received.contains(&format!("process {queue}")),
        "the spans were exported"
    );
    assert!(received.contains("messaging.message.body.size"));
}
