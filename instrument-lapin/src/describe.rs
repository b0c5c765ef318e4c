//! What a lapin operation says about itself, for its span.

use instrument_core::messaging::{MessagingCall, MessagingOperation, MessagingSystem};
use instrument_core::{CallSpan, ErrorInfo, Library};
use lapin::BasicProperties;
use lapin::types::DeliveryTag;
use opentelemetry::KeyValue;
use opentelemetry::trace::TraceContextExt as _;

use crate::connection::Broker;
use crate::headers::HeadersExtractor;

/// RabbitMQ's name for the exchange whose name is empty.
const DEFAULT_EXCHANGE: &str = "amq.default";
/// The prefix of queues RabbitMQ names itself (`queue_declare("")`).
const SERVER_NAMED_QUEUE: &str = "amq.gen-";

/// A RabbitMQ operation through lapin, on `broker`.
pub(crate) fn call<'a>(
    broker: &'a Broker,
    operation: MessagingOperation,
    name: &'a str,
) -> MessagingCall<'a> {
    let call = MessagingCall::new(Library::Lapin, MessagingSystem::Rabbitmq, operation, name);
    if broker.address.is_empty() {
        call
    } else {
        call.server(&broker.address, broker.port)
    }
}

/// An operation on `queue`: a queue RabbitMQ named itself is temporary (its name is
/// left out of the span name and the metrics).
pub(crate) fn on_queue<'a>(call: MessagingCall<'a>, queue: &'a str) -> MessagingCall<'a> {
    let call = call.destination(queue);
    if queue.starts_with(SERVER_NAMED_QUEUE) {
        call.temporary_destination()
    } else {
        call
    }
}

pub(crate) fn delivery_tag(tag: DeliveryTag) -> KeyValue {
    KeyValue::new(
        "messaging.rabbitmq.message.delivery_tag",
        i64::try_from(tag).unwrap_or(i64::MAX),
    )
}

fn routing_key(key: &str) -> KeyValue {
    KeyValue::new("messaging.rabbitmq.destination.routing_key", key.to_owned())
}

/// The PRODUCER span of a publish.
pub(crate) fn publish(
    broker: &Broker,
    exchange: &str,
    key: &str,
    body_size: usize,
    properties: &BasicProperties,
) -> CallSpan {
    let exchange = if exchange.is_empty() {
        DEFAULT_EXCHANGE
    } else {
        exchange
    };
    let mut call = call(broker, MessagingOperation::Send, "publish")
        .destination(exchange)
        .body_size(u64::try_from(body_size).unwrap_or(u64::MAX));
    if !key.is_empty() {
        call = call.attribute(routing_key(key));
    }
    if let Some(id) = properties.message_id() {
        call = call.message_id(id.as_str());
    }
    call.start()
}

/// The CONSUMER span of processing `delivery`, taken from `queue`: child of and linked
/// to the context its headers carry (none, or a malformed one: a new trace).
pub(crate) fn process(
    broker: &Broker,
    queue: &str,
    delivery: &lapin::message::Delivery,
) -> CallSpan {
    let mut call = on_queue(call(broker, MessagingOperation::Process, "process"), queue)
        .body_size(u64::try_from(delivery.data.len()).unwrap_or(u64::MAX))
        .attribute(delivery_tag(delivery.delivery_tag));
    if !delivery.routing_key.as_str().is_empty() {
        call = call.attribute(routing_key(delivery.routing_key.as_str()));
    }
    if let Some(id) = delivery.properties.message_id() {
        call = call.message_id(id.as_str());
    }
    if let Some(headers) = delivery.properties.headers() {
        call = call.creation_context(instrument_core::propagation::extract_from(
            &HeadersExtractor(headers),
        ));
    }
    call.start()
}

/// The CLIENT span of a `basic_get` on `queue`.
pub(crate) fn receive(broker: &Broker, queue: &str) -> CallSpan {
    on_queue(call(broker, MessagingOperation::Receive, "receive"), queue).start()
}

/// What the message a `basic_get` received says of itself, on its span.
pub(crate) fn received(span: &CallSpan, delivery: &lapin::message::Delivery) {
    span.set_dynamic_attribute(
        "messaging.message.body.size",
        i64::try_from(delivery.data.len()).unwrap_or(i64::MAX),
    );
    let tag = delivery_tag(delivery.delivery_tag);
    span.set_dynamic_attribute(tag.key, tag.value);
    if let Some(id) = delivery.properties.message_id() {
        span.set_dynamic_attribute("messaging.message.id", id.as_str().to_owned());
    }
    // The context the message was created in, as a link (a remote span only: without
    // one, the extraction gives back the current context's).
    if let Some(headers) = delivery.properties.headers() {
        let creation = instrument_core::propagation::extract_from(&HeadersExtractor(headers));
        if creation.span().span_context().is_remote() {
            span.add_link_to(&creation);
        }
    }
}

/// Records a failed operation on its span: `error.type` is the kind of lapin's error
/// (`ProtocolError`, `InvalidChannelState`, ...).
pub(crate) fn record<T>(result: &lapin::Result<T>, span: &CallSpan) {
    if let Err(error) = result {
        span.record_error(error, ErrorInfo::new().error_kind(error.kind()));
    }
}
