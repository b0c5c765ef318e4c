//! [async-nats](https://docs.rs/async-nats) 0.51, traced: a publish is a PRODUCER span
//! and a request a CLIENT span whose context travels in the message's headers; each
//! message a subscriber takes is a CONSUMER span continuing the publisher's trace.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use futures_util::StreamExt as _;
//!
//! let client = instrument_nats::connect("nats://127.0.0.1:4222").await?; // was async_nats::connect
//! let mut reports = client.subscribe("reports.generated").await?;
//! client.publish("reports.generated", "report 7".into()).await?; // span "publish reports.generated"
//! if let Some(message) = reports.next().await {
//!     // span "process reports.generated", child of the publish
//!     println!("{}", String::from_utf8_lossy(&message.payload));
//! }
//! # Ok(()) }
//! ```
//!
//! Spans follow the messaging conventions: `messaging.system` = `nats`,
//! `messaging.operation.type` (`send`, `process`) and `.name` (`publish`, `request`,
//! `process`), `messaging.destination.name` (the subject; a reply inbox `_INBOX.…` is
//! `messaging.destination.temporary` and out of the span name; subjects that carry ids
//! are named by [`Client::subject_template`]), `messaging.consumer.group.name` for a
//! queue subscription, `messaging.message.body.size`, `server.address` and
//! `server.port`. Never the payload. A message without (or with a malformed)
//! `traceparent` header starts a new trace. A message published with a valid
//! `traceparent` of the application's own (forwarded, or retried with its headers)
//! keeps it and its `tracestate`, as the conventions ask of a creation context set by
//! the application; a `baggage` header of its own keeps its members, the context's
//! added after them. No header is added where it would take the message past the
//! server's `max_payload` (the publish then goes through as the raw one would). The
//! messaging metrics come with them.
//!
//! Switched off by `OTEL_SDK_DISABLED=true` or `nats` in
//! `OTEL_RUST_DISABLED_INSTRUMENTATIONS`: then no span is made and no header added.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod client;
mod describe;
mod headers;
pub mod jetstream;
mod subscriber;

pub use client::{Client, connect, connect_with_options};
pub use subscriber::{Message, Subscriber};
