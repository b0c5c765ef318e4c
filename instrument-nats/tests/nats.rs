//! Against the real NATS server of `scripts/test`: a message published inside a span is
//! processed in another task, on another connection, as that span's child; requests,
//! queue groups, templates; hostile headers.

mod support;

use std::time::Duration;

use futures_util::StreamExt as _;
use instrument_core::testing::{SpanKind, capture_async, carried};
use opentelemetry::context::FutureExt as _;
use support::{client, nats_url, subject};
use tracing::Instrument as _;

const SECRET: &str = "invoice for alice@example.com";

#[tokio::test]
async fn a_published_message_is_processed_in_another_task_as_the_publishers_child() {
    let subject = subject("reports");
    let ((), spans) = capture_async(async {
        let consumer = client().await;
        let mut subscriber = consumer
            .subscribe(subject.clone())
            .await
            .expect("subscribe");
        consumer.flush().await.expect("flush");
        let consuming = tokio::spawn(carried(async move {
            let message = subscriber.next().await.expect("a message");
            assert_eq!(message.payload, SECRET.as_bytes());
        }));
        let producer = client().await;
        {
            let _request = tracing::info_span!("request").entered();
            producer
                .publish(subject.clone(), SECRET.into())
                .await
                .expect("publish");
        }
        producer.flush().await.expect("flush");
        tokio::time::timeout(Duration::from_secs(10), consuming)
            .await
            .expect("in time")
            .expect("consumer task");
    })
    .await;
    let url: url_like::Url = url_like::parse(&nats_url());
    let request = spans.named("request");
    let publish = spans.named(&format!("publish {subject}"));
    assert_eq!(publish.kind, SpanKind::Producer);
    assert_eq!(publish.parent_span_id, Some(request.span_id));
    publish
        .assert_attr("messaging.system", "nats")
        .assert_attr("messaging.operation.type", "send")
        .assert_attr("messaging.operation.name", "publish")
        .assert_attr("messaging.destination.name", subject.as_str())
        .assert_attr("messaging.message.body.size", SECRET.len() as i64)
        .assert_attr("server.address", url.host.as_str())
        .assert_attr("server.port", i64::from(url.port));
    let process = spans.named(&format!("process {subject}"));
    assert_eq!(process.kind, SpanKind::Consumer);
    assert_eq!(process.parent_span_id, Some(publish.span_id));
    assert!(process.links_to(publish));
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
    assert_eq!(metrics.named("messaging.process.duration").total_count(), 1);
}

#[tokio::test]
async fn a_request_is_a_span_until_the_reply_and_the_responder_continues_it() {
    let subject = subject("prices");
    let ((), spans) = capture_async(async {
        let responder = client().await;
        let mut requests = responder
            .queue_subscribe(subject.clone(), "pricing".to_owned())
            .await
            .expect("subscribe");
        responder.flush().await.expect("flush");
        let answering = tokio::spawn(carried(async move {
            let request = requests.next().await.expect("a request");
            let reply = request.reply.clone().expect("a reply subject");
            // The handler's work inside the request's processing span.
            let context = request.context();
            async {
                responder.publish(reply, "42".into()).await.expect("reply");
                responder.flush().await.expect("flush");
            }
            .with_context(context)
            .await;
        }));
        let reply = client()
            .await
            .request(subject.clone(), "sku 7".into())
            .await
            .expect("a reply");
        assert_eq!(reply.payload, "42".as_bytes());
        answering.await.expect("responder");
    })
    .await;
    let request = spans.named(&format!("request {subject}"));
    assert_eq!(request.kind, SpanKind::Client, "it waits for its reply");
    request.assert_attr("messaging.operation.name", "request");
    let process = spans.named(&format!("process {subject}"));
    assert_eq!(process.parent_span_id, Some(request.span_id));
    process.assert_attr("messaging.consumer.group.name", "pricing");
    let reply = spans.named("publish (temporary)");
    assert_eq!(
        reply.parent_span_id,
        Some(process.span_id),
        "the reply is sent while processing"
    );
    reply.assert_attr("messaging.destination.temporary", true);
}

#[tokio::test]
async fn a_subject_template_names_spans_that_carry_ids() {
    let prefix = subject("orders");
    let ((), spans) = capture_async(async {
        let template = format!("{prefix}.{{id}}");
        let client = client().await.subject_template(move |subject: &str| {
            subject.rsplit_once('.').map(|_| template.clone())
        });
        client
            .publish(format!("{prefix}.1234"), "x".into())
            .await
            .expect("publish");
        client.flush().await.expect("flush");
    })
    .await;
    spans
        .named(&format!("publish {prefix}.{{id}}"))
        .assert_attr(
            "messaging.destination.template",
            format!("{prefix}.{{id}}").as_str(),
        )
        .assert_no_attr("messaging.destination.name");
}

#[tokio::test]
async fn malformed_trace_headers_start_a_new_trace_without_panicking() {
    let subject = subject("hostile");
    let hostile = [
        "00-zzzz-not-hex-01".to_owned(),
        "ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01".to_owned(),
        "x".repeat(60_000),
        String::new(),
    ];
    let count = hostile.len();
    let ((), spans) = capture_async(async {
        let client = client().await;
        let mut subscriber = client.subscribe(subject.clone()).await.expect("subscribe");
        client.flush().await.expect("flush");
        let raw = async_nats::connect(nats_url()).await.expect("connect");
        for value in hostile {
            let mut headers = async_nats::HeaderMap::new();
            headers.insert("traceparent", value.as_str());
            headers.insert("baggage", "a=1,%%%,=,".repeat(1000).as_str());
            raw.publish_with_headers(subject.clone(), headers, "hostile".into())
                .await
                .expect("publish");
        }
        // And one with no headers at all.
        raw.publish(subject.clone(), "hostile".into())
            .await
            .expect("publish");
        raw.flush().await.expect("flush");
        // Received inside a span of the worker's own: still no parent, and no link.
        async {
            for _ in 0..=count {
                let message = tokio::time::timeout(Duration::from_secs(10), subscriber.next())
                    .await
                    .expect("in time")
                    .expect("a message");
                assert_eq!(message.payload, "hostile".as_bytes());
            }
        }
        .instrument(tracing::info_span!("worker"))
        .await;
    })
    .await;
    let processed = spans.all_named(&format!("process {subject}"));
    assert_eq!(processed.len(), count + 1);
    for span in processed {
        assert_eq!(span.parent_span_id, None, "a new trace: {span:?}");
        assert!(span.links.is_empty(), "no producer to link to: {span:?}");
    }
}

/// The host and port of a `nats://` URL, as the spans record them.
mod url_like {
    pub struct Url {
        pub host: String,
        pub port: u16,
    }

    pub fn parse(url: &str) -> Url {
        let rest = url.split("://").nth(1).unwrap_or(url);
        let authority = rest.split('/').next().unwrap_or(rest);
        let authority = authority.rsplit('@').next().unwrap_or(authority);
        let (host, port) = authority.rsplit_once(':').unwrap_or((authority, "4222"));
        Url {
            host: host.to_owned(),
            port: port.parse().unwrap_or(4222),
        }
    }
}

#[tokio::test]
async fn jetstream_publish_and_pulled_messages_continue_the_trace() {
    use async_nats::jetstream::{consumer, stream};

    let subject = subject("events");
    let stream_name = subject.replace('.', "_").to_uppercase();
    let ((), spans) = capture_async(async {
        let jetstream = instrument_nats::jetstream::new(client().await);
        let stream = jetstream
            .inner()
            .get_or_create_stream(stream::Config {
                name: stream_name.clone(),
                subjects: vec![subject.clone()],
                ..Default::default()
            })
            .await
            .expect("stream");
        {
            let _request = tracing::info_span!("request").entered();
            jetstream
                .publish(subject.clone(), SECRET.into())
                .await
                .expect("publish")
                .await
                .expect("stored");
        }
        let consumer = stream
            .create_consumer(consumer::pull::Config {
                durable_name: Some("mailer".to_owned()),
                ..Default::default()
            })
            .await
            .expect("consumer");
        let mut messages = jetstream.traced(consumer.messages().await.expect("messages"));
        let message = tokio::time::timeout(Duration::from_secs(10), messages.next())
            .await
            .expect("in time")
            .expect("a message")
            .expect("pulled");
        assert_eq!(message.payload, SECRET.as_bytes());
        message.ack().await.expect("ack");
        drop(message);
        jetstream
            .inner()
            .delete_stream(&stream_name)
            .await
            .expect("delete the stream");
    })
    .await;
    let publish = spans.named(&format!("publish {subject}"));
    assert_eq!(publish.kind, SpanKind::Producer);
    let process = spans.named(&format!("process {subject}"));
    assert_eq!(process.parent_span_id, Some(publish.span_id));
    assert!(process.links_to(publish));
    let ack = spans.named(&format!("ack {subject}"));
    assert_eq!(ack.parent_span_id, Some(process.span_id));
    ack.assert_attr("messaging.operation.type", "settle");
    assert!(!format!("{spans:?}").contains("alice@example.com"));
}

#[tokio::test]
async fn a_jetstream_ack_is_named_by_the_subject_template() {
    use async_nats::jetstream::{consumer, stream};

    let prefix = subject("invoices");
    let stream_name = prefix.replace('.', "_").to_uppercase();
    let ((), spans) = capture_async(async {
        let template = format!("{prefix}.{{id}}");
        let client = client().await.subject_template(move |subject: &str| {
            subject.rsplit_once('.').map(|_| template.clone())
        });
        let jetstream = instrument_nats::jetstream::new(client);
        let stream = jetstream
            .inner()
            .get_or_create_stream(stream::Config {
                name: stream_name.clone(),
                subjects: vec![format!("{prefix}.*")],
                ..Default::default()
            })
            .await
            .expect("stream");
        jetstream
            .publish(format!("{prefix}.7"), "x".into())
            .await
            .expect("publish")
            .await
            .expect("stored");
        let consumer = stream
            .create_consumer(consumer::pull::Config::default())
            .await
            .expect("consumer");
        let mut messages = jetstream.traced(consumer.messages().await.expect("messages"));
        let message = tokio::time::timeout(Duration::from_secs(10), messages.next())
            .await
            .expect("in time")
            .expect("a message")
            .expect("pulled");
        message.ack().await.expect("ack");
        drop(message);
        jetstream
            .inner()
            .delete_stream(&stream_name)
            .await
            .expect("delete the stream");
    })
    .await;
    let template = format!("{prefix}.{{id}}");
    spans
        .named(&format!("ack {template}"))
        .assert_attr("messaging.destination.template", template.as_str())
        .assert_no_attr("messaging.destination.name");
    let acks = spans.metrics();
    let ack = acks
        .named("messaging.client.operation.duration")
        .point(&[("messaging.operation.name", &"ack")]);
    assert_eq!(
        ack.str_attr("messaging.destination.template"),
        Some(template.as_str())
    );
    assert_eq!(ack.attr("messaging.destination.name"), None);
}

/// What a raw subscriber to `subject` receives of each publish `publish` makes.
async fn received_headers<F>(subject: &str, count: usize, publish: F) -> Vec<async_nats::HeaderMap>
where
    F: AsyncFnOnce(&instrument_nats::Client),
{
    let raw = async_nats::connect(nats_url()).await.expect("connect");
    let mut subscriber = raw.subscribe(subject.to_owned()).await.expect("subscribe");
    raw.flush().await.expect("flush");
    let client = client().await;
    publish(&client).await;
    client.flush().await.expect("flush");
    let mut received = Vec::new();
    for _ in 0..count {
        let message = tokio::time::timeout(Duration::from_secs(10), subscriber.next())
            .await
            .expect("in time")
            .expect("a message");
        received.push(message.headers.unwrap_or_default());
    }
    received
}

#[tokio::test]
async fn a_trace_context_the_application_set_is_kept_and_its_baggage_merged() {
    use opentelemetry::baggage::BaggageExt as _;

    const CUSTOM: &str = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    let subject = subject("outbox");
    let (received, _spans) = capture_async(async {
        let context = opentelemetry::Context::current()
            .with_baggage([opentelemetry::KeyValue::new("user", "alice")]);
        received_headers(&subject, 2, async |client| {
            let mut headers = async_nats::HeaderMap::new();
            headers.insert("traceparent", CUSTOM);
            headers.insert("tracestate", "app=1");
            headers.insert("baggage", "tenant=acme");
            headers.append("baggage", "region=eu");
            client
                .publish_with_headers(subject.clone(), headers, "x".into())
                .with_context(context.clone())
                .await
                .expect("publish");
            // Not a trace context: replaced by the publish's.
            let mut headers = async_nats::HeaderMap::new();
            headers.insert("traceparent", "00-garbage");
            client
                .publish_with_headers(subject.clone(), headers, "x".into())
                .await
                .expect("publish");
        })
        .await
    })
    .await;
    let value = |headers: &async_nats::HeaderMap, name: &str| {
        headers.get(name).map(|value| value.as_str().to_owned())
    };
    assert_eq!(value(&received[0], "traceparent").as_deref(), Some(CUSTOM));
    assert_eq!(value(&received[0], "tracestate").as_deref(), Some("app=1"));
    assert_eq!(
        value(&received[0], "baggage").as_deref(),
        Some("tenant=acme,region=eu,user=alice")
    );
    let replaced = value(&received[1], "traceparent").unwrap_or_default();
    assert_ne!(replaced, "00-garbage");
    assert_eq!(replaced.len(), 55, "{replaced}");
}

#[tokio::test]
async fn a_message_the_server_takes_raw_is_taken_traced() {
    let subject = subject("large");
    let (received, spans) = capture_async(async {
        let max_payload = client().await.inner().max_payload();
        received_headers(&subject, 2, async |client| {
            client
                .publish(subject.clone(), vec![0_u8; max_payload].into())
                .await
                .expect("a payload of max_payload bytes, as raw");
            // Headers of the application's own, the whole just within the limit.
            let mut headers = async_nats::HeaderMap::new();
            headers.insert("k", "v");
            let framing = "NATS/1.0\r\n\r\nk: v\r\n".len();
            client
                .publish_with_headers(
                    subject.clone(),
                    headers,
                    vec![0_u8; max_payload - framing].into(),
                )
                .await
                .expect("within the limit with the application's headers, as raw");
        })
        .await
    })
    .await;
    assert!(received[0].is_empty(), "no room for the trace context");
    assert_eq!(received[1].len(), 1, "the application's header alone");
    assert_eq!(spans.all_named(&format!("publish {subject}")).len(), 2);
}

#[tokio::test]
async fn a_jetstream_send_publish_keeps_its_message_id_and_carries_the_trace() {
    use async_nats::jetstream::message::PublishMessage;
    use async_nats::jetstream::stream;

    let subject = subject("dedup");
    let stream_name = subject.replace('.', "_").to_uppercase();
    let (acks, spans) = capture_async(async {
        let jetstream = instrument_nats::jetstream::new(client().await);
        jetstream
            .inner()
            .get_or_create_stream(stream::Config {
                name: stream_name.clone(),
                subjects: vec![subject.clone()],
                ..Default::default()
            })
            .await
            .expect("stream");
        let mut acks = Vec::new();
        for _ in 0..2 {
            let publish = PublishMessage::build()
                .payload("x".into())
                .message_id("order-7");
            let ack = jetstream
                .send_publish(subject.clone(), publish)
                .await
                .expect("publish")
                .await
                .expect("stored");
            acks.push(ack.duplicate);
        }
        let stored = jetstream
            .inner()
            .get_stream(&stream_name)
            .await
            .expect("stream")
            .get_raw_message(1)
            .await
            .expect("the message");
        jetstream
            .inner()
            .delete_stream(&stream_name)
            .await
            .expect("delete the stream");
        (acks, stored.headers)
    })
    .await;
    let (duplicates, headers) = acks;
    assert_eq!(duplicates, [false, true], "deduplicated by its id");
    assert_eq!(
        headers.get("Nats-Msg-Id").map(|v| v.as_str()),
        Some("order-7")
    );
    let publishes = spans.all_named(&format!("publish {subject}"));
    assert_eq!(publishes.len(), 2);
    let traceparent = headers.get("traceparent").map(|v| v.as_str().to_owned());
    assert!(
        traceparent.is_some_and(|t| t.contains(&publishes[0].span_id.to_string())),
        "{headers:?}"
    );
}
