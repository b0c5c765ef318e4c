//! [`Channel`]: lapin's, with publishes, deliveries and acknowledgements as spans.

use std::sync::Arc;

use instrument_core::messaging::MessagingOperation;
use instrument_core::{CallSpan, Library};
use lapin::options::{
    AccessRequestOptions, BasicAckOptions, BasicCancelOptions, BasicConsumeOptions,
    BasicGetOptions, BasicNackOptions, BasicPublishOptions, BasicQosOptions,
    BasicRecoverAsyncOptions, BasicRecoverOptions, BasicRejectOptions, ChannelFlowOptions,
    ConfirmSelectOptions, ExchangeBindOptions, ExchangeDeclareOptions, ExchangeDeleteOptions,
    ExchangeUnbindOptions, QueueBindOptions, QueueDeclareOptions, QueueDeleteOptions,
    QueuePurgeOptions,
};
use lapin::types::{
    Boolean, ChannelId, DeliveryTag, FieldTable, MessageCount, ReplyCode, ShortString, ShortUInt,
};
use lapin::{BasicProperties, ExchangeKind, PublisherConfirm, Queue, Result};

use crate::connection::Broker;
use crate::delivery::Source;
use crate::describe;
use crate::headers::HeadersInjector;
use crate::{BasicGetMessage, Consumer};

/// A drop-in for [`lapin::Channel`]: the same methods. [`basic_publish`](Self::basic_publish)
/// is a PRODUCER span whose context goes along in the message's headers;
/// [`basic_consume`](Self::basic_consume) hands out a [`Consumer`] whose deliveries are
/// CONSUMER spans continuing the producer's trace; [`basic_get`](Self::basic_get) is a
/// receive span; acknowledgements are settle spans. Declarations and the other methods
/// are passed through untraced. It does not deref to lapin's channel;
/// [`inner`](Self::inner) is the explicit way there.
#[derive(Debug, Clone)]
pub struct Channel {
    inner: lapin::Channel,
    broker: Arc<Broker>,
}

impl Channel {
    pub(crate) fn new(inner: lapin::Channel, broker: Arc<Broker>) -> Self {
        Channel { inner, broker }
    }

    /// Like [`lapin::Channel::basic_publish`], as a PRODUCER span named `publish
    /// {exchange}` (`amq.default` for the default exchange). Its context is added to
    /// the message's headers (`traceparent`, `tracestate`, `baggage`, as
    /// `OTEL_PROPAGATORS` says), beside the application's own. The span ends when the
    /// message is written; a publisher confirm comes later, in the returned future.
    pub async fn basic_publish(
        &self,
        exchange: ShortString,
        routing_key: ShortString,
        options: BasicPublishOptions,
        payload: &[u8],
        properties: BasicProperties,
    ) -> Result<PublisherConfirm> {
        if !instrument_core::recording(Library::Lapin) {
            return (self.inner)
                .basic_publish(exchange, routing_key, options, payload, properties)
                .await;
        }
        let span = describe::publish(
            &self.broker,
            exchange.as_str(),
            routing_key.as_str(),
            payload.len(),
            &properties,
        );
        let properties = with_trace_context(properties, &span);
        let published = (self.inner)
            .basic_publish(exchange, routing_key, options, payload, properties)
            .await;
        describe::record(&published, &span);
        published
    }

    /// Like [`lapin::Channel::basic_consume`]: a [`Consumer`] whose every delivery is a
    /// CONSUMER span `process {queue}`, child of and linked to the span that published
    /// the message.
    pub async fn basic_consume(
        &self,
        queue: ShortString,
        consumer_tag: ShortString,
        options: BasicConsumeOptions,
        arguments: FieldTable,
    ) -> Result<Consumer> {
        let consumer = (self.inner)
            .basic_consume(queue.clone(), consumer_tag, options, arguments)
            .await?;
        Ok(Consumer::new(consumer, queue, self.broker.clone()))
    }

    /// Like [`lapin::Channel::basic_get`], as a CLIENT span `receive {queue}`; the
    /// message's [`context`](crate::Delivery::context) is the producer's.
    pub async fn basic_get(
        &self,
        queue: ShortString,
        options: BasicGetOptions,
    ) -> Result<Option<BasicGetMessage>> {
        let source = || {
            Arc::new(Source {
                queue: queue.clone(),
                broker: self.broker.clone(),
            })
        };
        if !instrument_core::recording(Library::Lapin) {
            let message = self.inner.basic_get(queue.clone(), options).await?;
            return Ok(message.map(|message| BasicGetMessage::received(message, source())));
        }
        let span = describe::receive(&self.broker, queue.as_str());
        let got = self.inner.basic_get(queue.clone(), options).await;
        describe::record(&got, &span);
        let message = got?;
        match &message {
            Some(message) => describe::received(&span, &message.delivery),
            None => span.record_no_message_received(),
        }
        Ok(message.map(|message| BasicGetMessage::received(message, source())))
    }

    /// Like [`lapin::Channel::basic_ack`], as a settle span `ack`.
    pub async fn basic_ack(
        &self,
        delivery_tag: DeliveryTag,
        options: BasicAckOptions,
    ) -> Result<()> {
        let span = self.settle_span("ack", delivery_tag);
        let acked = self.inner.basic_ack(delivery_tag, options).await;
        describe::record(&acked, &span);
        acked
    }

    /// Like [`lapin::Channel::basic_nack`], as a settle span `nack`.
    pub async fn basic_nack(
        &self,
        delivery_tag: DeliveryTag,
        options: BasicNackOptions,
    ) -> Result<()> {
        let span = self.settle_span("nack", delivery_tag);
        let nacked = self.inner.basic_nack(delivery_tag, options).await;
        describe::record(&nacked, &span);
        nacked
    }

    /// Like [`lapin::Channel::basic_reject`], as a settle span `reject`.
    pub async fn basic_reject(
        &self,
        delivery_tag: DeliveryTag,
        options: BasicRejectOptions,
    ) -> Result<()> {
        let span = self.settle_span("reject", delivery_tag);
        let rejected = self.inner.basic_reject(delivery_tag, options).await;
        describe::record(&rejected, &span);
        rejected
    }

    fn settle_span(&self, operation: &str, delivery_tag: DeliveryTag) -> CallSpan {
        if !instrument_core::recording(Library::Lapin) {
            return CallSpan::none();
        }
        describe::call(&self.broker, MessagingOperation::Settle, operation)
            .attribute(describe::delivery_tag(delivery_tag))
            .start()
    }

    /// Like [`lapin::Channel::status`].
    pub fn status(&self) -> &lapin::ChannelStatus {
        self.inner.status()
    }

    /// Like [`lapin::Channel::id`].
    pub fn id(&self) -> ChannelId {
        self.inner.id()
    }

    /// Like [`lapin::Channel::wait_for_recovery`].
    pub async fn wait_for_recovery(&self, error: lapin::Error) -> Result<()> {
        self.inner.wait_for_recovery(error).await
    }

    /// Like [`lapin::Channel::close`].
    pub async fn close(&self, reply_code: ReplyCode, reply_text: ShortString) -> Result<()> {
        self.inner.close(reply_code, reply_text).await
    }

    /// Like [`lapin::Channel::exchange_declare`].
    pub async fn exchange_declare(
        &self,
        exchange: ShortString,
        kind: ExchangeKind,
        options: ExchangeDeclareOptions,
        arguments: FieldTable,
    ) -> Result<()> {
        self.inner
            .exchange_declare(exchange, kind, options, arguments)
            .await
    }

    /// Like [`lapin::Channel::wait_for_confirms`].
    pub async fn wait_for_confirms(&self) -> Result<Vec<lapin::message::BasicReturnMessage>> {
        self.inner.wait_for_confirms().await
    }

    /// Like [`lapin::Channel::basic_qos`].
    pub async fn basic_qos(
        &self,
        prefetch_count: ShortUInt,
        options: BasicQosOptions,
    ) -> Result<()> {
        self.inner.basic_qos(prefetch_count, options).await
    }

    /// Like [`lapin::Channel::basic_cancel`].
    pub async fn basic_cancel(
        &self,
        consumer_tag: ShortString,
        options: BasicCancelOptions,
    ) -> Result<()> {
        self.inner.basic_cancel(consumer_tag, options).await
    }

    /// Like [`lapin::Channel::basic_recover_async`].
    pub async fn basic_recover_async(&self, options: BasicRecoverAsyncOptions) -> Result<()> {
        self.inner.basic_recover_async(options).await
    }

    /// Like [`lapin::Channel::basic_recover`].
    pub async fn basic_recover(&self, options: BasicRecoverOptions) -> Result<()> {
        self.inner.basic_recover(options).await
    }

    /// Like [`lapin::Channel::channel_flow`].
    pub async fn channel_flow(&self, options: ChannelFlowOptions) -> Result<Boolean> {
        self.inner.channel_flow(options).await
    }

    /// Like [`lapin::Channel::access_request`].
    pub async fn access_request(
        &self,
        realm: ShortString,
        options: AccessRequestOptions,
    ) -> Result<()> {
        self.inner.access_request(realm, options).await
    }

    /// Like [`lapin::Channel::exchange_delete`].
    pub async fn exchange_delete(
        &self,
        exchange: ShortString,
        options: ExchangeDeleteOptions,
    ) -> Result<()> {
        self.inner.exchange_delete(exchange, options).await
    }

    /// Like [`lapin::Channel::exchange_bind`].
    pub async fn exchange_bind(
        &self,
        destination: ShortString,
        source: ShortString,
        routing_key: ShortString,
        options: ExchangeBindOptions,
        arguments: FieldTable,
    ) -> Result<()> {
        self.inner
            .exchange_bind(destination, source, routing_key, options, arguments)
            .await
    }

    /// Like [`lapin::Channel::exchange_unbind`].
    pub async fn exchange_unbind(
        &self,
        destination: ShortString,
        source: ShortString,
        routing_key: ShortString,
        options: ExchangeUnbindOptions,
        arguments: FieldTable,
    ) -> Result<()> {
        self.inner
            .exchange_unbind(destination, source, routing_key, options, arguments)
            .await
    }

    /// Like [`lapin::Channel::queue_declare`].
    pub async fn queue_declare(
        &self,
        queue: ShortString,
        options: QueueDeclareOptions,
        arguments: FieldTable,
    ) -> Result<Queue> {
        self.inner.queue_declare(queue, options, arguments).await
    }

    /// Like [`lapin::Channel::queue_bind`].
    pub async fn queue_bind(
        &self,
        queue: ShortString,
        exchange: ShortString,
        routing_key: ShortString,
        options: QueueBindOptions,
        arguments: FieldTable,
    ) -> Result<()> {
        self.inner
            .queue_bind(queue, exchange, routing_key, options, arguments)
            .await
    }

    /// Like [`lapin::Channel::queue_purge`].
    pub async fn queue_purge(
        &self,
        queue: ShortString,
        options: QueuePurgeOptions,
    ) -> Result<MessageCount> {
        self.inner.queue_purge(queue, options).await
    }

    /// Like [`lapin::Channel::queue_delete`].
    pub async fn queue_delete(
        &self,
        queue: ShortString,
        options: QueueDeleteOptions,
    ) -> Result<MessageCount> {
        self.inner.queue_delete(queue, options).await
    }

    /// Like [`lapin::Channel::queue_unbind`].
    pub async fn queue_unbind(
        &self,
        queue: ShortString,
        exchange: ShortString,
        routing_key: ShortString,
        arguments: FieldTable,
    ) -> Result<()> {
        self.inner
            .queue_unbind(queue, exchange, routing_key, arguments)
            .await
    }

    /// Like [`lapin::Channel::tx_select`].
    pub async fn tx_select(&self) -> Result<()> {
        self.inner.tx_select().await
    }

    /// Like [`lapin::Channel::tx_commit`].
    pub async fn tx_commit(&self) -> Result<()> {
        self.inner.tx_commit().await
    }

    /// Like [`lapin::Channel::tx_rollback`].
    pub async fn tx_rollback(&self) -> Result<()> {
        self.inner.tx_rollback().await
    }

    /// Like [`lapin::Channel::confirm_select`].
    pub async fn confirm_select(&self, options: ConfirmSelectOptions) -> Result<()> {
        self.inner.confirm_select(options).await
    }

    /// The lapin channel: messages published or consumed on it directly are not traced.
    pub fn inner(&self) -> &lapin::Channel {
        &self.inner
    }
}

/// `properties` with `span`'s context in their headers, beside the application's own.
/// A message without headers stays without when nothing is written (no propagator, no
/// valid context), as the raw publish would send it.
fn with_trace_context(properties: BasicProperties, span: &CallSpan) -> BasicProperties {
    let mut headers = properties.headers().clone().unwrap_or_default();
    instrument_core::propagation::inject_into(span, &mut HeadersInjector(&mut headers));
    if properties.headers().is_none() && headers.inner().is_empty() {
        return properties;
    }
    properties.with_headers(headers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_without_headers_stays_without_when_nothing_is_written() {
        // No propagator installed in this test binary: injection writes nothing.
        let span = instrument_core::messaging::MessagingCall::new(
            Library::Lapin,
            instrument_core::messaging::MessagingSystem::Rabbitmq,
            MessagingOperation::Send,
            "publish",
        )
        .start();
        let properties = with_trace_context(BasicProperties::default(), &span);
        assert!(properties.headers().is_none());
        let mut headers = FieldTable::default();
        headers.insert("k".into(), lapin::types::AMQPValue::Boolean(true));
        let properties =
            with_trace_context(BasicProperties::default().with_headers(headers), &span);
        assert_eq!(
            properties
                .headers()
                .as_ref()
                .map(|headers| headers.inner().len()),
            Some(1)
        );
    }
}
