//! Against the real RabbitMQ of `scripts/test`: a message published inside a span is
//! processed in another task, on another connection, as that span's child; what the
//! spans carry; `basic_get` and settling; hostile headers.

use std::time::Duration;

use futures_util::StreamExt as _;
use instrument_core::testing::{SpanKind, capture_async, carried};
use lapin::options::{
    BasicAckOptions, BasicConsumeOptions, BasicGetOptions, BasicNackOptions, BasicPublishOptions,
};
use lapin::types::{AMQPValue, FieldTable, LongString};
use lapin::{BasicProperties, ConnectionProperties};
use tracing::Instrument as _;

mod support;

use support::{amqp_url, connect, declare, delete, queue_name};

const SECRET_BODY: &[u8] = b"order 7 for alice@example.com";

#[tokio::test]
async fn a_published_message_is_processed_in_another_task_as_the_publishers_child() {
    let queue = queue_name("orders");
    let ((), spans) = capture_async(async {
        let producer = connect().await.create_channel().await.expect("channel");
        declare(&producer, &queue).await;
        let consumer_channel = connect().await.create_channel().await.expect("channel");
        let mut consumer = consumer_channel
            .basic_consume(
                queue.as_str().into(),
                "it-consumer".into(),
                BasicConsumeOptions::default(),
                FieldTable::default(),
            )
            .await
            .expect("consume");
        let consuming = tokio::spawn(carried(async move {
            let delivery = consumer
                .next()
                .await
                .expect("a delivery")
                .expect("delivered");
            assert_eq!(delivery.data, SECRET_BODY, "the body is the caller's");
            delivery.ack(BasicAckOptions::default()).await.expect("ack");
        }));
        {
            let request = tracing::info_span!("request");
            let _entered = request.enter();
            producer
                .basic_publish(
                    "".into(),
                    queue.as_str().into(),
                    BasicPublishOptions::default(),
                    SECRET_BODY,
                    BasicProperties::default().with_message_id("m-1".into()),
                )
                .await
                .expect("publish");
        }
        tokio::time::timeout(Duration::from_secs(10), consuming)
            .await
            .expect("consumed in time")
            .expect("consumer task");
        delete(&producer, &queue).await;
    })
    .await;

    let broker: lapin::uri::AMQPUri = amqp_url().parse().expect("AMQP_URL parses");
    let request = spans.named("request");
    let publish = spans.named("publish amq.default");
    assert_eq!(publish.kind, SpanKind::Producer);
    assert_eq!(publish.parent_span_id, Some(request.span_id));
    publish
        .assert_attr("messaging.system", "rabbitmq")
        .assert_attr("messaging.operation.type", "send")
        .assert_attr("messaging.operation.name", "publish")
        .assert_attr("messaging.destination.name", "amq.default")
        .assert_attr("messaging.rabbitmq.destination.routing_key", queue.as_str())
        .assert_attr("messaging.message.id", "m-1")
        .assert_attr("messaging.message.body.size", SECRET_BODY.len() as i64)
        .assert_attr("server.address", broker.authority.host.as_str())
        .assert_attr("server.port", i64::from(broker.authority.port));

    let process = spans.named(&format!("process {queue}"));
    assert_eq!(process.kind, SpanKind::Consumer);
    assert_eq!(process.trace_id, publish.trace_id);
    assert_eq!(
        process.parent_span_id,
        Some(publish.span_id),
        "child of the publish"
    );
    assert!(process.links_to(publish), "and linked to it");
    process
        .assert_attr("messaging.operation.type", "process")
        .assert_attr("messaging.destination.name", queue.as_str())
        .assert_attr("messaging.message.id", "m-1")
        .assert_attr("messaging.message.body.size", SECRET_BODY.len() as i64);

    let ack = spans.named(&format!("ack {queue}"));
    assert_eq!(ack.kind, SpanKind::Client);
    assert_eq!(ack.parent_span_id, Some(process.span_id));
    ack.assert_attr("messaging.operation.type", "settle");

    assert!(
        !format!("{spans:?}").contains("alice@example.com"),
        "the payload reached a span"
    );

    let metrics = spans.metrics();
    assert_eq!(
        metrics.named("messaging.client.sent.messages").total_sum(),
        1.0
    );
    assert_eq!(
        metrics
            .named("messaging.client.consumed.messages")
            .total_sum(),
        1.0
    );
    let sent = metrics.named("messaging.client.sent.messages").point(&[
        ("messaging.system", &"rabbitmq"),
        ("messaging.destination.name", &"amq.default"),
        ("messaging.operation.name", &"publish"),
    ]);
    // The counters carry the conventions' attributes for them: no operation type.
    let consumed = metrics
        .named("messaging.client.consumed.messages")
        .point(&[("messaging.operation.name", &"process")]);
    for point in [sent, consumed] {
        assert!(
            !point.keys().contains(&"messaging.operation.type"),
            "{:?}",
            point.keys()
        );
    }
    assert_eq!(metrics.named("messaging.process.duration").total_count(), 1);
    assert_eq!(
        metrics
            .named("messaging.client.operation.duration")
            .total_count(),
        2,
        "the publish and the ack"
    );
}

#[tokio::test]
async fn basic_get_is_a_receive_span_and_a_nack_a_settle_span() {
    let queue = queue_name("get");
    let ((), spans) = capture_async(async {
        let channel = connect().await.create_channel().await.expect("channel");
        declare(&channel, &queue).await;
        let empty = channel
            .basic_get(queue.as_str().into(), BasicGetOptions::default())
            .await
            .expect("get");
        assert!(empty.is_none(), "nothing published yet");
        channel
            .basic_publish(
                "".into(),
                queue.as_str().into(),
                BasicPublishOptions::default(),
                b"x",
                BasicProperties::default(),
            )
            .await
            .expect("publish");
        let message = loop {
            if let Some(message) = channel
                .basic_get(queue.as_str().into(), BasicGetOptions::default())
                .await
                .expect("get")
            {
                break message;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        assert_eq!(message.data, b"x");
        message
            .nack(BasicNackOptions {
                requeue: false,
                ..BasicNackOptions::default()
            })
            .await
            .expect("nack");
        delete(&channel, &queue).await;
    })
    .await;
    let publish = spans.named("publish amq.default");
    let receive = spans
        .all_named(&format!("receive {queue}"))
        .into_iter()
        .find(|span| span.attr("messaging.message.body.size").is_some())
        .expect("the receive that got the message");
    assert_eq!(receive.kind, SpanKind::Client);
    receive.assert_attr("messaging.operation.type", "receive");
    assert!(
        receive.links_to(publish),
        "linked to the message's creation"
    );
    let nack = spans.named(&format!("nack {queue}"));
    assert_eq!(
        nack.parent_span_id,
        Some(publish.span_id),
        "settled in the producer's context"
    );
    // However many gets found the queue empty, one message was consumed.
    assert!(spans.all_named(&format!("receive {queue}")).len() >= 2);
    assert_eq!(
        spans
            .metrics()
            .named("messaging.client.consumed.messages")
            .total_sum(),
        1.0
    );
}

#[tokio::test]
async fn malformed_or_foreign_trace_headers_start_a_new_trace_without_panicking() {
    let queue = queue_name("hostile");
    let hostile: Vec<(&str, AMQPValue)> = vec![
        (
            "traceparent",
            AMQPValue::LongString(LongString::from("00-zzzz-not-hex-01")),
        ),
        ("traceparent", AMQPValue::LongInt(42)),
        (
            "traceparent",
            AMQPValue::LongString(LongString::from(
                "ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
            )),
        ),
        (
            "traceparent",
            AMQPValue::LongString(LongString::from(vec![0xff_u8, 0xfe, 0x00, 0x2d].as_slice())),
        ),
        (
            "baggage",
            AMQPValue::LongString(LongString::from("x".repeat(100_000))),
        ),
    ];
    let count = hostile.len();
    let ((), spans) = capture_async(async {
        let raw = lapin::Connection::connect(&amqp_url(), ConnectionProperties::default())
            .await
            .expect("connect");
        let raw = raw.create_channel().await.expect("channel");
        let channel = connect().await.create_channel().await.expect("channel");
        declare(&channel, &queue).await;
        for (name, value) in hostile {
            let mut headers = FieldTable::default();
            headers.insert(name.into(), value);
            raw.basic_publish(
                "".into(),
                queue.as_str().into(),
                BasicPublishOptions::default(),
                b"hostile",
                BasicProperties::default().with_headers(headers),
            )
            .await
            .expect("publish");
        }
        // And one with no headers at all.
        raw.basic_publish(
            "".into(),
            queue.as_str().into(),
            BasicPublishOptions::default(),
            b"hostile",
            BasicProperties::default(),
        )
        .await
        .expect("publish");
        let mut consumer = channel
            .basic_consume(
                queue.as_str().into(),
                "it-hostile".into(),
                BasicConsumeOptions::default(),
                FieldTable::default(),
            )
            .await
            .expect("consume");
        // Consumed inside a span of the worker's own: still no parent, and no link.
        async {
            for _ in 0..=count {
                let delivery = tokio::time::timeout(Duration::from_secs(10), consumer.next())
                    .await
                    .expect("in time")
                    .expect("a delivery")
                    .expect("delivered");
                assert_eq!(delivery.data, b"hostile");
                delivery.ack(BasicAckOptions::default()).await.expect("ack");
            }
        }
        .instrument(tracing::info_span!("worker"))
        .await;
        delete(&channel, &queue).await;
    })
    .await;
    let processed = spans.all_named(&format!("process {queue}"));
    assert_eq!(processed.len(), count + 1);
    for span in processed {
        assert_eq!(span.parent_span_id, None, "a new trace: {span:?}");
        assert!(span.links.is_empty(), "no producer to link to: {span:?}");
    }
}

#[tokio::test]
async fn settling_on_a_queue_the_server_named_keeps_its_name_out() {
    let ((), spans) = capture_async(async {
        let channel = connect().await.create_channel().await.expect("channel");
        let queue = channel
            .inner()
            .queue_declare(
                "".into(),
                lapin::options::QueueDeclareOptions {
                    exclusive: true,
                    auto_delete: true,
                    ..Default::default()
                },
                FieldTable::default(),
            )
            .await
            .expect("declare");
        let queue = queue.name().clone();
        assert!(queue.as_str().starts_with("amq.gen-"));
        for _ in 0..3 {
            channel
                .basic_publish(
                    "".into(),
                    queue.clone(),
                    BasicPublishOptions::default(),
                    b"x",
                    BasicProperties::default(),
                )
                .await
                .expect("publish");
        }
        let mut consumer = channel
            .basic_consume(
                queue.clone(),
                "it-temporary".into(),
                BasicConsumeOptions::default(),
                FieldTable::default(),
            )
            .await
            .expect("consume");
        let mut next = async || {
            tokio::time::timeout(Duration::from_secs(10), consumer.next())
                .await
                .expect("in time")
                .expect("a delivery")
                .expect("delivered")
        };
        next()
            .await
            .ack(BasicAckOptions::default())
            .await
            .expect("ack");
        next()
            .await
            .nack(BasicNackOptions::default())
            .await
            .expect("nack");
        let rejected = next().await;
        rejected
            .reject(lapin::options::BasicRejectOptions { requeue: false })
            .await
            .expect("reject");
    })
    .await;
    for name in ["ack (temporary)", "nack (temporary)", "reject (temporary)"] {
        spans
            .named(name)
            .assert_attr("messaging.destination.temporary", true);
    }
    let everything = format!("{spans:?}");
    assert!(
        !spans.iter().any(|span| span.name.contains("amq.gen-")),
        "{everything}"
    );
    assert!(
        !format!("{}", spans.metrics()).contains("amq.gen-"),
        "a server-named queue in the metrics"
    );
}

#[tokio::test]
async fn a_trace_context_the_application_set_is_kept_and_its_baggage_merged() {
    use opentelemetry::baggage::BaggageExt as _;
    use opentelemetry::context::FutureExt as _;

    const CUSTOM: &str = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    let queue = queue_name("outbox");
    let (received, _spans) = capture_async(async {
        let channel = connect().await.create_channel().await.expect("channel");
        declare(&channel, &queue).await;
        let mut headers = FieldTable::default();
        for (name, value) in [
            ("traceparent", CUSTOM),
            ("tracestate", "app=1"),
            ("baggage", "tenant=acme"),
        ] {
            headers.insert(name.into(), AMQPValue::LongString(value.into()));
        }
        let context = opentelemetry::Context::current()
            .with_baggage([opentelemetry::KeyValue::new("user", "alice")]);
        channel
            .basic_publish(
                "".into(),
                queue.as_str().into(),
                BasicPublishOptions::default(),
                b"x",
                BasicProperties::default().with_headers(headers),
            )
            .with_context(context)
            .await
            .expect("publish");
        let message = loop {
            if let Some(message) = channel
                .inner()
                .basic_get(queue.as_str().into(), BasicGetOptions { no_ack: true })
                .await
                .expect("get")
            {
                break message;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        delete(&channel, &queue).await;
        message
            .delivery
            .properties
            .headers()
            .clone()
            .unwrap_or_default()
    })
    .await;
    let value = |name: &str| match received.inner().get(name) {
        Some(AMQPValue::LongString(text)) => Some(text.to_string()),
        _ => None,
    };
    assert_eq!(value("traceparent").as_deref(), Some(CUSTOM));
    assert_eq!(value("tracestate").as_deref(), Some("app=1"));
    assert_eq!(value("baggage").as_deref(), Some("tenant=acme,user=alice"));
}
