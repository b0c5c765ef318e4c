//! JetStream, traced: publishes are PRODUCER spans carrying the trace in the message
//! headers, and the messages a consumer pulls are CONSUMER spans continuing it, with
//! their acknowledgements as settle spans.
//!
//! ```no_run
//! # async fn run() -> Result<(), async_nats::Error> {
//! use futures_util::StreamExt as _;
//!
//! let client = instrument_nats::connect("nats://127.0.0.1:4222").await?;
//! let jetstream = instrument_nats::jetstream::new(client); // was async_nats::jetstream::new
//! jetstream.publish("events.report", "report 7".into()).await?.await?;
//!
//! // Streams and consumers are set up on async-nats's context, untraced...
//! let stream = jetstream
//!     .inner()
//!     .get_or_create_stream(async_nats::jetstream::stream::Config {
//!         name: "EVENTS".to_owned(),
//!         subjects: vec!["events.>".to_owned()],
//!         ..Default::default()
//!     })
//!     .await?;
//! let consumer = stream
//!     .get_or_create_consumer("mailer", async_nats::jetstream::consumer::pull::Config {
//!         durable_name: Some("mailer".to_owned()),
//!         ..Default::default()
//!     })
//!     .await?;
//! // ...and the messages it hands out are traced.
//! let mut messages = jetstream.traced(consumer.messages().await?);
//! while let Some(message) = messages.next().await {
//!     let message = message?; // span "process events.report", child of the publish
//!     message.ack().await?; // span "ack events.report" inside it
//! }
//! # Ok(()) }
//! ```

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll, ready};

use async_nats::HeaderMap;
use async_nats::jetstream::AckKind;
use async_nats::jetstream::context::{PublishAckFuture, PublishError};
use async_nats::subject::ToSubject;
use bytes::Bytes;
use futures_core::Stream;
use instrument_core::messaging::MessagingOperation;
use instrument_core::{CallSpan, ErrorInfo, Library};

use crate::client::Options;
use crate::headers::HeadersExtractor;
use crate::{Client, describe};

/// Like [`async_nats::jetstream::new`]: a JetStream [`Context`] whose publishes are
/// traced.
pub fn new(client: Client) -> Context {
    Context {
        inner: async_nats::jetstream::new(client.inner().clone()),
        options: client.options(),
    }
}

/// async-nats's JetStream context, with [`publish`](Self::publish) traced and
/// [`traced`](Self::traced) for the messages its consumers pull. Managing streams,
/// consumers and key-value buckets goes through [`inner`](Self::inner), untraced.
#[derive(Debug, Clone)]
pub struct Context {
    inner: async_nats::jetstream::Context,
    options: Arc<Options>,
}

impl Context {
    /// Like [`async_nats::jetstream::Context::publish`], as a PRODUCER span `publish
    /// {subject}` whose context goes along in the message's headers. The span ends
    /// when the message is sent; the server's acknowledgement is the returned future.
    pub async fn publish<S: ToSubject>(
        &self,
        subject: S,
        payload: Bytes,
    ) -> Result<PublishAckFuture, PublishError> {
        if !instrument_core::recording(Library::Nats) {
            return self.inner.publish(subject, payload).await;
        }
        self.publish_with_headers(subject, HeaderMap::new(), payload)
            .await
    }

    /// Like [`async_nats::jetstream::Context::publish_with_headers`], traced as
    /// [`publish`](Self::publish).
    pub async fn publish_with_headers<S: ToSubject>(
        &self,
        subject: S,
        headers: HeaderMap,
        payload: Bytes,
    ) -> Result<PublishAckFuture, PublishError> {
        let inner = &self.inner;
        describe::publish_traced(
            &self.options,
            subject.to_subject(),
            headers,
            payload,
            // A clone of the client (a few reference counts) for its limit.
            || inner.client().max_payload(),
            |subject, headers, payload| inner.publish_with_headers(subject, headers, payload),
        )
        .await
    }

    /// Like [`async_nats::jetstream::Context::send_publish`]: a message built with
    /// [`PublishMessage::build`](async_nats::jetstream::message::PublishMessage::build)
    /// (its id for deduplication, the expectations, a TTL), traced as
    /// [`publish`](Self::publish).
    pub async fn send_publish<S: ToSubject>(
        &self,
        subject: S,
        publish: async_nats::jetstream::message::PublishMessage,
    ) -> Result<PublishAckFuture, PublishError> {
        if !instrument_core::recording(Library::Nats) {
            return self.inner.send_publish(subject, publish).await;
        }
        // Taken apart to write the trace context into its headers, built again alike.
        let message = publish.outbound_message(subject);
        let inner = &self.inner;
        describe::publish_traced(
            &self.options,
            message.subject,
            message.headers.unwrap_or_default(),
            message.payload,
            || inner.client().max_payload(),
            |subject, headers, payload| {
                let publish = async_nats::jetstream::message::PublishMessage::build()
                    .payload(payload)
                    .headers(headers);
                inner.send_publish(subject, publish)
            },
        )
        .await
    }

    /// The messages a consumer pulls (`consumer.messages().await?`, `fetch`,
    /// `batch`), each a CONSUMER span `process {subject}` continuing the publisher's
    /// trace, lasting until the message is dropped.
    pub fn traced<S>(&self, messages: S) -> Messages<S> {
        Messages {
            inner: messages,
            options: self.options.clone(),
        }
    }

    /// async-nats's JetStream context: for streams, consumers and key-value buckets;
    /// what is published through it directly is not traced.
    pub fn inner(&self) -> &async_nats::jetstream::Context {
        &self.inner
    }
}

pin_project_lite::pin_project! {
    /// A consumer's stream of messages, each processed inside a span; made by
    /// [`Context::traced`].
    #[derive(Debug)]
    pub struct Messages<S> {
        #[pin]
        inner: S,
        options: Arc<Options>,
    }
}

impl<S, E> Stream for Messages<S>
where
    S: Stream<Item = Result<async_nats::jetstream::Message, E>>,
{
    type Item = Result<Message, E>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Option<Self::Item>> {
        let this = self.project();
        let next = ready!(this.inner.poll_next(cx));
        Poll::Ready(next.map(|message| {
            message.map(|message| {
                let span = if instrument_core::recording(Library::Nats) {
                    describe::process(this.options, &message.message, None)
                } else {
                    CallSpan::none()
                };
                Message {
                    inner: message,
                    span,
                    options: this.options.clone(),
                }
            })
        }))
    }
}

/// A JetStream message pulled through [`Messages`]: its data through `Deref`
/// (`message.payload`, `message.subject`), its acknowledgements as settle spans inside
/// its processing span, which ends when it is dropped.
#[derive(Debug)]
pub struct Message {
    inner: async_nats::jetstream::Message,
    span: CallSpan,
    options: Arc<Options>,
}

impl Message {
    /// The OpenTelemetry context of the message's processing (its span's); switched
    /// off, the producer's as the headers carry it, or the current one.
    pub fn context(&self) -> opentelemetry::Context {
        if let Some(context) = self.span.context() {
            return context;
        }
        match &self.inner.message.headers {
            Some(headers) if instrument_core::recording(Library::Nats) => {
                instrument_core::propagation::extract_from(&HeadersExtractor(headers))
            }
            _ => opentelemetry::Context::current(),
        }
    }

    /// Like [`async_nats::jetstream::Message::ack`], as a settle span `ack {subject}`.
    pub async fn ack(&self) -> Result<(), async_nats::Error> {
        let span = self.settle_span("ack");
        settled(self.inner.ack().await, &span)
    }

    /// Like [`async_nats::jetstream::Message::ack_with`], as a settle span named by
    /// the kind (`ack`, `nak`, `progress`, `next`, `term`).
    pub async fn ack_with(&self, kind: AckKind) -> Result<(), async_nats::Error> {
        let span = self.settle_span(ack_name(&kind));
        settled(self.inner.ack_with(kind).await, &span)
    }

    /// Like [`async_nats::jetstream::Message::double_ack`], as a settle span `ack`.
    pub async fn double_ack(&self) -> Result<(), async_nats::Error> {
        let span = self.settle_span("ack");
        settled(self.inner.double_ack().await, &span)
    }

    /// Like [`async_nats::jetstream::Message::double_ack_with`], as
    /// [`ack_with`](Self::ack_with).
    pub async fn double_ack_with(&self, kind: AckKind) -> Result<(), async_nats::Error> {
        let span = self.settle_span(ack_name(&kind));
        settled(self.inner.double_ack_with(kind).await, &span)
    }

    /// Like [`async_nats::jetstream::Message::info`].
    pub fn info(&self) -> Result<async_nats::jetstream::message::Info<'_>, async_nats::Error> {
        self.inner.info()
    }

    /// async-nats's message; acknowledging through it is not traced, and its
    /// processing span ends here.
    pub fn into_inner(self) -> async_nats::jetstream::Message {
        self.inner
    }

    fn settle_span(&self, name: &str) -> CallSpan {
        if !instrument_core::recording(Library::Nats) {
            return CallSpan::none();
        }
        let _inside = self.context().attach();
        let subject = self.inner.message.subject.as_str();
        describe::call(
            &self.options,
            MessagingOperation::Settle,
            name,
            subject,
            self.options.template(subject),
        )
        .start()
    }
}

// A message's data: its acknowledgements are this type's own methods, traced.
impl std::ops::Deref for Message {
    type Target = async_nats::Message;

    fn deref(&self) -> &async_nats::Message {
        &self.inner.message
    }
}

fn ack_name(kind: &AckKind) -> &'static str {
    match kind {
        AckKind::Ack => "ack",
        AckKind::Nak(_) => "nak",
        AckKind::Progress => "progress",
        AckKind::Next => "next",
        AckKind::Term => "term",
    }
}

fn settled(
    result: Result<(), async_nats::Error>,
    span: &CallSpan,
) -> Result<(), async_nats::Error> {
    if let Err(error) = &result {
        span.record_error_dyn(
            error.as_ref(),
            "async_nats::Error",
            ErrorInfo::new().error_type("_OTHER"),
        );
    }
    result
}
