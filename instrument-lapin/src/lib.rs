//! [lapin](https://docs.rs/lapin) 4 (RabbitMQ, AMQP 0.9.1), traced: a publish is a
//! PRODUCER span whose context travels in the message's headers, and each delivery a
//! CONSUMER span that continues the producer's trace, in whatever service consumes it.
//!
//! ```no_run
//! # async fn run() -> lapin::Result<()> {
//! use futures_util::StreamExt as _;
//! use lapin::options::{BasicAckOptions, BasicConsumeOptions, BasicPublishOptions};
//! use lapin::types::FieldTable;
//! use lapin::{BasicProperties, ConnectionProperties};
//!
//! // was lapin::Connection::connect
//! let connection = instrument_lapin::Connection::connect(
//!     "amqp://guest:guest@127.0.0.1:5672/%2f",
//!     ConnectionProperties::default(),
//! )
//! .await?;
//! let channel = connection.create_channel().await?;
//! channel
//!     .basic_publish(
//!         "".into(),
//!         "reports".into(),
//!         BasicPublishOptions::default(),
//!         b"report 7 generated",
//!         BasicProperties::default(),
//!     )
//!     .await?; // span "publish amq.default", traceparent in the headers
//!
//! let mut consumer = channel
//!     .basic_consume(
//!         "reports".into(),
//!         "mailer".into(),
//!         BasicConsumeOptions::default(),
//!         FieldTable::default(),
//!     )
//!     .await?;
//! while let Some(delivery) = consumer.next().await {
//!     let delivery = delivery?; // span "process reports", child of the publish
//!     delivery.ack(BasicAckOptions::default()).await?; // span "ack reports" inside it
//! }
//! # Ok(()) }
//! ```
//!
//! Spans follow the messaging conventions: `messaging.system` = `rabbitmq`,
//! `messaging.operation.type` (`send`, `process`, `receive`, `settle`) and `.name`
//! (`publish`, `process`, `receive`, `ack`, `nack`, `reject`),
//! `messaging.destination.name` (the exchange for a publish, `amq.default` for the
//! default one; the queue for what is consumed from it; a queue the broker named,
//! `amq.gen-...`, is `messaging.destination.temporary` and out of the span name),
//! `messaging.rabbitmq.destination.routing_key`, `messaging.rabbitmq.message.delivery_tag`,
//! `messaging.message.id`, `messaging.message.body.size`, `server.address` and
//! `server.port`. Never the body. A delivery's `process` span is the child of the
//! publish span its headers name, and links to it; a message without (or with a
//! malformed or foreign) `traceparent` starts a new trace. A message the application
//! published with a valid `traceparent` of its own (forwarded, or retried with its
//! headers) keeps it and its `tracestate`, as the conventions ask of a creation
//! context set by the application; a `baggage` header of its own keeps its members,
//! the context's added after them. The metrics
//! `messaging.client.sent.messages`, `messaging.client.consumed.messages`,
//! `messaging.client.operation.duration` and `messaging.process.duration` come with them.
//!
//! Switched off by `OTEL_SDK_DISABLED=true` or `lapin` in
//! `OTEL_RUST_DISABLED_INSTRUMENTATIONS`: then no span is made and no header added.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod channel;
mod connection;
mod consumer;
mod delivery;
mod describe;
mod headers;

pub use channel::Channel;
pub use connection::Connection;
pub use consumer::Consumer;
pub use delivery::{BasicGetMessage, Delivery};
