//! [`Delivery`] and [`BasicGetMessage`]: lapin's messages, with their processing as a
//! span and their acknowledgements as settle spans inside it.

use std::sync::Arc;

use instrument_core::messaging::MessagingOperation;
use instrument_core::{CallSpan, Library};
use lapin::options::{BasicAckOptions, BasicNackOptions, BasicRejectOptions};
use lapin::types::{DeliveryTag, MessageCount, ShortString};
use lapin::{Acker, BasicProperties};

use crate::connection::Broker;
use crate::describe;
use crate::headers::HeadersExtractor;

/// A drop-in for [`lapin::message::Delivery`]: the same fields, and
/// [`ack`](Self::ack), [`nack`](Self::nack) and [`reject`](Self::reject) as settle
/// spans. A delivery from a [`Consumer`](crate::Consumer) carries its processing span
/// (`process {queue}`), which ends when the delivery is dropped: run the handler's work
/// inside it with [`context`](Self::context) to make its queries and calls children.
///
/// ```no_run
/// # async fn handle(consumer: instrument_lapin::Consumer) -> lapin::Result<()> {
/// use futures_util::StreamExt as _;
/// use lapin::options::BasicAckOptions;
/// use opentelemetry::context::FutureExt as _;
///
/// let mut consumer = consumer;
/// while let Some(delivery) = consumer.next().await {
///     let delivery = delivery?;
///     let context = delivery.context();
///     async {
///         // work here is inside the delivery's span
///         delivery.ack(BasicAckOptions::default()).await
///     }
///     .with_context(context)
///     .await?;
/// }
/// # Ok(()) }
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub struct Delivery {
    /// The delivery tag of the message.
    pub delivery_tag: DeliveryTag,
    /// The exchange the message was published to.
    pub exchange: ShortString,
    /// The routing key the message was published with.
    pub routing_key: ShortString,
    /// Whether the message was delivered before.
    pub redelivered: bool,
    /// The message's properties (its headers carry the trace context).
    pub properties: BasicProperties,
    /// The message's body.
    pub data: Vec<u8>,
    acker: Acker,
    span: CallSpan,
    source: Arc<Source>,
}

/// Where deliveries come from: their queue and broker, shared by a consumer's
/// deliveries (one count, not a copy of the queue's name, per delivery).
#[derive(Debug)]
pub(crate) struct Source {
    pub(crate) queue: ShortString,
    pub(crate) broker: Arc<Broker>,
}

impl Delivery {
    pub(crate) fn new(
        delivery: lapin::message::Delivery,
        span: CallSpan,
        source: Arc<Source>,
    ) -> Self {
        let lapin::message::Delivery {
            delivery_tag,
            exchange,
            routing_key,
            redelivered,
            properties,
            data,
            acker,
        } = delivery;
        Delivery {
            delivery_tag,
            exchange,
            routing_key,
            redelivered,
            properties,
            data,
            acker,
            span,
            source,
        }
    }

    /// The OpenTelemetry context the message's processing runs in: its `process` span's,
    /// or, for a message from [`basic_get`](crate::Channel::basic_get), the producer's
    /// as its headers carry it.
    pub fn context(&self) -> opentelemetry::Context {
        if let Some(context) = self.span.context() {
            return context;
        }
        match self.properties.headers() {
            Some(headers) if instrument_core::recording(Library::Lapin) => {
                instrument_core::propagation::extract_from(&HeadersExtractor(headers))
            }
            _ => opentelemetry::Context::current(),
        }
    }

    /// Like lapin's `Acker::ack`, as a settle span `ack {queue}`.
    pub async fn ack(&self, options: BasicAckOptions) -> lapin::Result<bool> {
        let span = self.settle_span("ack");
        let acked = self.acker.ack(options).await;
        describe::record(&acked, &span);
        acked
    }

    /// Like lapin's `Acker::nack`, as a settle span `nack {queue}`.
    pub async fn nack(&self, options: BasicNackOptions) -> lapin::Result<bool> {
        let span = self.settle_span("nack");
        let nacked = self.acker.nack(options).await;
        describe::record(&nacked, &span);
        nacked
    }

    /// Like lapin's `Acker::reject`, as a settle span `reject {queue}`.
    pub async fn reject(&self, options: BasicRejectOptions) -> lapin::Result<bool> {
        let span = self.settle_span("reject");
        let rejected = self.acker.reject(options).await;
        describe::record(&rejected, &span);
        rejected
    }

    /// A settle span, inside the processing span when there is one.
    fn settle_span(&self, operation: &str) -> CallSpan {
        if !instrument_core::recording(Library::Lapin) {
            return CallSpan::none();
        }
        let context = self.context();
        let _inside = context.attach();
        describe::on_queue(
            describe::call(&self.source.broker, MessagingOperation::Settle, operation),
            self.source.queue.as_str(),
        )
        .attribute(describe::delivery_tag(self.delivery_tag))
        .start()
    }

    /// lapin's delivery, with its acker: acknowledging through it is not traced, and
    /// the processing span ends here.
    pub fn into_inner(self) -> lapin::message::Delivery {
        lapin::message::Delivery {
            delivery_tag: self.delivery_tag,
            exchange: self.exchange,
            routing_key: self.routing_key,
            redelivered: self.redelivered,
            properties: self.properties,
            data: self.data,
            acker: self.acker,
        }
    }
}

/// A drop-in for [`lapin::message::BasicGetMessage`]: the message
/// [`basic_get`](crate::Channel::basic_get) received, and how many are left.
#[derive(Debug)]
#[non_exhaustive]
pub struct BasicGetMessage {
    /// The message.
    pub delivery: Delivery,
    /// The number of messages left in the queue.
    pub message_count: MessageCount,
}

impl BasicGetMessage {
    /// A message `basic_get` received: its settle spans go under the producer's
    /// context (the receive span has ended).
    pub(crate) fn received(message: lapin::message::BasicGetMessage, source: Arc<Source>) -> Self {
        BasicGetMessage {
            delivery: Delivery::new(message.delivery, CallSpan::none(), source),
            message_count: message.message_count,
        }
    }
}

impl std::ops::Deref for BasicGetMessage {
    type Target = Delivery;

    fn deref(&self) -> &Delivery {
        &self.delivery
    }
}

impl std::ops::DerefMut for BasicGetMessage {
    fn deref_mut(&mut self) -> &mut Delivery {
        &mut self.delivery
    }
}
