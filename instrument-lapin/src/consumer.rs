//! [`Consumer`]: lapin's stream of deliveries, each a CONSUMER span.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use futures_core::Stream;
use instrument_core::Library;
use lapin::types::ShortString;

use crate::Delivery;
use crate::connection::Broker;
use crate::delivery::Source;
use crate::describe;

pin_project_lite::pin_project! {
    /// A drop-in for [`lapin::Consumer`]: the same stream of deliveries, each a
    /// [`Delivery`] whose processing is a CONSUMER span `process {queue}`, child of and
    /// linked to the span that published the message. The span lasts until the
    /// delivery is dropped; its acknowledgement is a settle span inside it.
    #[derive(Debug)]
    pub struct Consumer {
        #[pin]
        inner: lapin::Consumer,
        source: Arc<Source>,
    }
}

impl Consumer {
    pub(crate) fn new(inner: lapin::Consumer, queue: ShortString, broker: Arc<Broker>) -> Self {
        Consumer {
            inner,
            source: Arc::new(Source { queue, broker }),
        }
    }

    /// Like [`lapin::Consumer::tag`].
    pub fn tag(&self) -> ShortString {
        self.inner.tag()
    }

    /// Like [`lapin::Consumer::queue`].
    pub fn queue(&self) -> ShortString {
        self.inner.queue()
    }

    /// The lapin consumer: its deliveries are not traced.
    pub fn into_inner(self) -> lapin::Consumer {
        self.inner
    }
}

impl Stream for Consumer {
    type Item = lapin::Result<Delivery>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.project();
        let next = ready!(this.inner.poll_next(cx));
        Poll::Ready(next.map(|delivery| {
            delivery.map(|delivery| {
                let span = if instrument_core::recording(Library::Lapin) {
                    describe::process(&this.source.broker, this.source.queue.as_str(), &delivery)
                } else {
                    instrument_core::CallSpan::none()
                };
                Delivery::new(delivery, span, this.source.clone())
            })
        }))
    }
}
