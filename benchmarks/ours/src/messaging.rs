//! Publishing and consuming messages: RabbitMQ through lapin, NATS through async-nats.
//! `raw` uses the library's own client; the other modes ours. A consume workload puts
//! its messages in place with the raw client in every mode first, so that only
//! receiving them differs between the modes.

use futures_util::StreamExt as _;
use lapin::options::{
    BasicConsumeOptions, BasicPublishOptions, QueueDeclareOptions, QueuePurgeOptions,
};
use lapin::types::FieldTable;
use lapin::{BasicProperties, ConnectionProperties};

fn amqp_url() -> String {
    std::env::var("AMQP_URL").unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672/%2f".to_owned())
}

fn nats_url() -> String {
    std::env::var("NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".to_owned())
}

const BODY: &[u8] = b"report 7 generated";

async fn raw_channel(queue: &str) -> lapin::Channel {
    let connection = lapin::Connection::connect(&amqp_url(), ConnectionProperties::default())
        .await
        .expect("rabbitmq");
    let channel = connection.create_channel().await.expect("channel");
    channel
        .queue_declare(queue.into(), QueueDeclareOptions::default(), FieldTable::default())
        .await
        .expect("declare");
    channel
        .queue_purge(queue.into(), QueuePurgeOptions::default())
        .await
        .expect("purge");
    channel
}

async fn traced_channel() -> instrument::lapin::Channel {
    let connection =
        instrument::lapin::Connection::connect(&amqp_url(), ConnectionProperties::default())
            .await
            .expect("rabbitmq");
    connection.create_channel().await.expect("channel")
}

/// Publishes `n` messages to a queue.
pub async fn lapin_publish(mode: &str, n: usize) {
    let queue = format!("bench.publish.{}", std::process::id());
    let raw = raw_channel(&queue).await;
    let traced = traced_channel().await;
    for _ in 0..n {
        let publish = BasicPublishOptions::default();
        if mode == "raw" {
            raw.basic_publish("".into(), queue.as_str().into(), publish, BODY, BasicProperties::default())
                .await
                .expect("publish");
        } else {
            traced
                .basic_publish("".into(), queue.as_str().into(), publish, BODY, BasicProperties::default())
                .await
                .expect("publish");
        }
    }
    raw.queue_delete(queue.as_str().into(), Default::default())
        .await
        .expect("delete");
}

/// Consumes `n` messages the raw client published (auto-acknowledged).
pub async fn lapin_consume(mode: &str, n: usize) {
    let queue = format!("bench.consume.{}", std::process::id());
    let raw = raw_channel(&queue).await;
    for _ in 0..n {
        raw.basic_publish("".into(), queue.as_str().into(), BasicPublishOptions::default(), BODY, BasicProperties::default())
            .await
            .expect("publish");
    }
    let options = BasicConsumeOptions {
        no_ack: true,
        ..BasicConsumeOptions::default()
    };
    if mode == "raw" {
        let mut consumer = raw
            .basic_consume(queue.as_str().into(), "bench".into(), options, FieldTable::default())
            .await
            .expect("consume");
        for _ in 0..n {
            let delivery = consumer.next().await.expect("a delivery").expect("delivered");
            assert_eq!(delivery.data, BODY);
        }
    } else {
        let traced = traced_channel().await;
        let mut consumer = traced
            .basic_consume(queue.as_str().into(), "bench".into(), options, FieldTable::default())
            .await
            .expect("consume");
        for _ in 0..n {
            let delivery = consumer.next().await.expect("a delivery").expect("delivered");
            assert_eq!(delivery.data, BODY);
        }
    }
    raw.queue_delete(queue.as_str().into(), Default::default())
        .await
        .expect("delete");
}

/// Publishes `n` messages to a subject nobody subscribes to.
pub async fn nats_publish(mode: &str, n: usize) {
    let subject = format!("bench.publish.{}", std::process::id());
    if mode == "raw" {
        let client = async_nats::connect(nats_url()).await.expect("nats");
        for _ in 0..n {
            client.publish(subject.clone(), bytes::Bytes::from_static(BODY)).await.expect("publish");
        }
        client.flush().await.expect("flush");
    } else {
        let client = instrument::nats::connect(nats_url()).await.expect("nats");
        for _ in 0..n {
            client.publish(subject.clone(), bytes::Bytes::from_static(BODY)).await.expect("publish");
        }
        client.flush().await.expect("flush");
    }
}

/// Receives `n` messages the raw client published.
pub async fn nats_consume(mode: &str, n: usize) {
    let subject = format!("bench.consume.{}", std::process::id());
    let publisher = async_nats::connect(nats_url()).await.expect("nats");
    if mode == "raw" {
        let client = async_nats::connect(nats_url()).await.expect("nats");
        let mut subscriber = client.subscribe(subject.clone()).await.expect("subscribe");
        client.flush().await.expect("flush");
        publish_all(&publisher, &subject, n).await;
        for _ in 0..n {
            let message = subscriber.next().await.expect("a message");
            assert_eq!(message.payload, BODY);
        }
    } else {
        let client = instrument::nats::connect(nats_url()).await.expect("nats");
        let mut subscriber = client.subscribe(subject.clone()).await.expect("subscribe");
        client.flush().await.expect("flush");
        publish_all(&publisher, &subject, n).await;
        for _ in 0..n {
            let message = subscriber.next().await.expect("a message");
            assert_eq!(message.payload, BODY);
        }
    }
}

async fn publish_all(publisher: &async_nats::Client, subject: &str, n: usize) {
    for _ in 0..n {
        publisher
            .publish(subject.to_owned(), bytes::Bytes::from_static(BODY))
            .await
            .expect("publish");
    }
    publisher.flush().await.expect("flush");
}
