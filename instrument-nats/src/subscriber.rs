//! [`Subscriber`]: async-nats's stream of messages, each processed inside a span.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use futures_core::Stream;
use instrument_core::{CallSpan, Library};

use crate::client::Options;
use crate::describe;
use crate::headers::HeadersExtractor;

pin_project_lite::pin_project! {
    /// A drop-in for [`async_nats::Subscriber`]: the same stream, each item a
    /// [`Message`] whose processing is a CONSUMER span `process {subject}`, child of
    /// and linked to the span that published it, lasting until the message is dropped.
    #[derive(Debug)]
    pub struct Subscriber {
        #[pin]
        inner: async_nats::Subscriber,
        group: Option<String>,
        options: Arc<Options>,
    }
}

impl Subscriber {
    pub(crate) fn new(
        inner: async_nats::Subscriber,
        group: Option<String>,
        options: Arc<Options>,
    ) -> Self {
        Subscriber {
            inner,
            group,
            options,
        }
    }

    /// Like [`async_nats::Subscriber::unsubscribe`].
    pub async fn unsubscribe(&mut self) -> Result<(), async_nats::UnsubscribeError> {
        self.inner.unsubscribe().await
    }

    /// Like [`async_nats::Subscriber::unsubscribe_after`].
    pub async fn unsubscribe_after(
        &mut self,
        count: u64,
    ) -> Result<(), async_nats::UnsubscribeError> {
        self.inner.unsubscribe_after(count).await
    }

    /// Like [`async_nats::Subscriber::drain`].
    pub async fn drain(&mut self) -> Result<(), async_nats::UnsubscribeError> {
        self.inner.drain().await
    }

    /// The async-nats subscriber: its messages are not traced.
    pub fn into_inner(self) -> async_nats::Subscriber {
        self.inner
    }
}

impl Stream for Subscriber {
    type Item = Message;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Message>> {
        let this = self.project();
        let next = ready!(this.inner.poll_next(cx));
        Poll::Ready(next.map(|message| {
            let span = if instrument_core::recording(Library::Nats) {
                describe::process(this.options, &message, this.group.as_deref())
            } else {
                CallSpan::none()
            };
            Message {
                inner: message,
                span,
            }
        }))
    }
}

/// A message a [`Subscriber`] handed out: async-nats's [`Message`](async_nats::Message)
/// (its fields through `Deref`: `message.payload`, `message.subject`), and the span of
/// its processing, which ends when it is dropped. Run the handler inside it with
/// [`context`](Self::context) to make its queries and calls children.
#[derive(Debug)]
pub struct Message {
    inner: async_nats::Message,
    span: CallSpan,
}

impl Message {
    /// The OpenTelemetry context of the message's processing (its span's); switched
    /// off, the producer's as the headers carry it, or the current one.
    pub fn context(&self) -> opentelemetry::Context {
        if let Some(context) = self.span.context() {
            return context;
        }
        match &self.inner.headers {
            Some(headers) if instrument_core::recording(Library::Nats) => {
                instrument_core::propagation::extract_from(&HeadersExtractor(headers))
            }
            _ => opentelemetry::Context::current(),
        }
    }

    /// async-nats's message; its processing span ends here.
    pub fn into_inner(self) -> async_nats::Message {
        self.inner
    }
}

// A message is data: nothing reached through it escapes the tracing.
impl std::ops::Deref for Message {
    type Target = async_nats::Message;

    fn deref(&self) -> &async_nats::Message {
        &self.inner
    }
}
