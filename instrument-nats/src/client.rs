//! [`Client`]: async-nats's, with publishes, requests and subscriptions traced.

use std::sync::Arc;
use std::time::Duration;

use async_nats::subject::ToSubject;
use async_nats::{
    HeaderMap, Message, PublishError, Request, RequestError, ServerInfo, SubscribeError,
    ToServerAddrs,
};
use bytes::Bytes;
use instrument_core::Library;

use crate::Subscriber;
use crate::describe;

type SubjectTemplate = dyn Fn(&str) -> Option<String> + Send + Sync;

/// What a client's spans need besides the call: its server and subject template.
#[derive(Default)]
pub(crate) struct Options {
    pub(crate) server: Option<(String, u16)>,
    template: Option<Arc<SubjectTemplate>>,
}

impl std::fmt::Debug for Options {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Options")
            .field("server", &self.server)
            .field("template", &self.template.is_some())
            .finish()
    }
}

impl Options {
    pub(crate) fn template(&self, subject: &str) -> Option<String> {
        self.template
            .as_ref()
            .and_then(|template| template(subject))
    }
}

/// Like [`async_nats::connect`]: a traced [`Client`].
pub async fn connect<A: ToServerAddrs>(addrs: A) -> Result<Client, async_nats::ConnectError> {
    let server = first_server(&addrs);
    let inner = async_nats::connect(addrs).await?;
    Ok(Client::with_server(inner, server))
}

/// Like [`async_nats::connect_with_options`]: a traced [`Client`].
pub async fn connect_with_options<A: ToServerAddrs>(
    addrs: A,
    options: async_nats::ConnectOptions,
) -> Result<Client, async_nats::ConnectError> {
    let server = first_server(&addrs);
    let inner = async_nats::connect_with_options(addrs, options).await?;
    Ok(Client::with_server(inner, server))
}

fn first_server<A: ToServerAddrs>(addrs: &A) -> Option<(String, u16)> {
    let first = addrs.to_server_addrs().ok()?.next()?;
    Some((first.host().to_owned(), first.port()))
}

/// A drop-in for [`async_nats::Client`]: the same methods. Publishes are PRODUCER
/// spans `publish {subject}` and requests CLIENT spans `request {subject}` (until the
/// reply), their context added to the message's headers; a [`Subscriber`] hands out
/// messages whose processing is a CONSUMER span continuing the publisher's trace.
/// Cheap to clone, as async-nats's. It does not deref to async-nats's client;
/// [`inner`](Self::inner) is the explicit way there.
#[derive(Debug, Clone)]
pub struct Client {
    inner: async_nats::Client,
    options: Arc<Options>,
}

impl Client {
    fn with_server(inner: async_nats::Client, server: Option<(String, u16)>) -> Self {
        Client {
            inner,
            options: Arc::new(Options {
                server,
                template: None,
            }),
        }
    }

    /// Wraps a client connected elsewhere; `server` (host and port) gives its spans
    /// `server.address` and `server.port`.
    pub fn from_nats(inner: async_nats::Client, server: Option<(&str, u16)>) -> Self {
        Client::with_server(inner, server.map(|(host, port)| (host.to_owned(), port)))
    }

    /// Names subjects that carry ids by a template (`orders.{id}` for `orders.7`): the
    /// spans are named by it and record it as `messaging.destination.template`, and
    /// the metrics carry it instead of the subject. `None` keeps the subject.
    #[must_use]
    pub fn subject_template(
        mut self,
        template: impl Fn(&str) -> Option<String> + Send + Sync + 'static,
    ) -> Self {
        let server = self.options.server.clone();
        self.options = Arc::new(Options {
            server,
            template: Some(Arc::new(template)),
        });
        self
    }

    /// Like [`async_nats::Client::publish`], as a PRODUCER span `publish {subject}`
    /// whose context goes along in the message's headers.
    pub async fn publish<S: ToSubject>(
        &self,
        subject: S,
        payload: Bytes,
    ) -> Result<(), PublishError> {
        if !instrument_core::recording(Library::Nats) {
            return self.inner.publish(subject, payload).await;
        }
        self.publish_with_headers(subject, HeaderMap::new(), payload)
            .await
    }

    /// Like [`async_nats::Client::publish_with_headers`], traced as [`publish`](Self::publish).
    pub async fn publish_with_headers<S: ToSubject>(
        &self,
        subject: S,
        headers: HeaderMap,
        payload: Bytes,
    ) -> Result<(), PublishError> {
        let inner = &self.inner;
        describe::publish_traced(
            &self.options,
            subject.to_subject(),
            headers,
            payload,
            || inner.max_payload(),
            |subject, headers, payload| inner.publish_with_headers(subject, headers, payload),
        )
        .await
    }

    /// Like [`async_nats::Client::publish_with_reply`], traced as [`publish`](Self::publish).
    pub async fn publish_with_reply<S: ToSubject, R: ToSubject>(
        &self,
        subject: S,
        reply: R,
        payload: Bytes,
    ) -> Result<(), PublishError> {
        if !instrument_core::recording(Library::Nats) {
            return self.inner.publish_with_reply(subject, reply, payload).await;
        }
        self.publish_with_reply_and_headers(subject, reply, HeaderMap::new(), payload)
            .await
    }

    /// Like [`async_nats::Client::publish_with_reply_and_headers`], traced as
    /// [`publish`](Self::publish).
    pub async fn publish_with_reply_and_headers<S: ToSubject, R: ToSubject>(
        &self,
        subject: S,
        reply: R,
        headers: HeaderMap,
        payload: Bytes,
    ) -> Result<(), PublishError> {
        let inner = &self.inner;
        describe::publish_traced(
            &self.options,
            subject.to_subject(),
            headers,
            payload,
            || inner.max_payload(),
            |subject, headers, payload| {
                inner.publish_with_reply_and_headers(subject, reply, headers, payload)
            },
        )
        .await
    }

    /// Like [`async_nats::Client::request`], as a span `request {subject}` lasting until
    /// the reply arrives; the request carries its context.
    pub async fn request<S: ToSubject>(
        &self,
        subject: S,
        payload: Bytes,
    ) -> Result<Message, RequestError> {
        self.send_request(subject, Request::new().payload(payload))
            .await
    }

    /// Like [`async_nats::Client::request_with_headers`], traced as [`request`](Self::request).
    pub async fn request_with_headers<S: ToSubject>(
        &self,
        subject: S,
        headers: HeaderMap,
        payload: Bytes,
    ) -> Result<Message, RequestError> {
        self.send_request(subject, Request::new().headers(headers).payload(payload))
            .await
    }

    /// Like [`async_nats::Client::send_request`], traced as [`request`](Self::request).
    pub async fn send_request<S: ToSubject>(
        &self,
        subject: S,
        mut request: Request,
    ) -> Result<Message, RequestError> {
        if !instrument_core::recording(Library::Nats) {
            return self.inner.send_request(subject, request).await;
        }
        let subject = subject.to_subject();
        let size = request.payload.as_ref().map_or(0, Bytes::len);
        let span = describe::request(&self.options, subject.as_str(), size);
        let headers = request.headers.get_or_insert_with(HeaderMap::new);
        crate::headers::inject_within_limit(&span, headers, size, || self.inner.max_payload());
        let replied = self.inner.send_request(subject, request).await;
        describe::record(&replied, &span);
        replied
    }

    /// Like [`async_nats::Client::subscribe`]: a [`Subscriber`] whose messages are
    /// CONSUMER spans.
    pub async fn subscribe<S: ToSubject>(&self, subject: S) -> Result<Subscriber, SubscribeError> {
        let subscriber = self.inner.subscribe(subject).await?;
        Ok(Subscriber::new(subscriber, None, self.options.clone()))
    }

    /// Like [`async_nats::Client::queue_subscribe`]: a [`Subscriber`] whose messages
    /// are CONSUMER spans, with `messaging.consumer.group.name`.
    pub async fn queue_subscribe<S: ToSubject>(
        &self,
        subject: S,
        queue_group: String,
    ) -> Result<Subscriber, SubscribeError> {
        let subscriber = self
            .inner
            .queue_subscribe(subject, queue_group.clone())
            .await?;
        Ok(Subscriber::new(
            subscriber,
            Some(queue_group),
            self.options.clone(),
        ))
    }

    /// Like [`async_nats::Client::timeout`].
    pub fn timeout(&self) -> Option<Duration> {
        self.inner.timeout()
    }

    /// Like [`async_nats::Client::try_server_info`].
    pub fn try_server_info(&self) -> Option<ServerInfo> {
        self.inner.try_server_info()
    }

    /// Like [`async_nats::Client::server_info`].
    pub fn server_info(&self) -> ServerInfo {
        self.inner.server_info()
    }

    /// Like [`async_nats::Client::max_payload`].
    pub fn max_payload(&self) -> usize {
        self.inner.max_payload()
    }

    /// Like [`async_nats::Client::is_server_compatible`].
    pub fn is_server_compatible(&self, major: i64, minor: i64, patch: i64) -> bool {
        self.inner.is_server_compatible(major, minor, patch)
    }

    /// Like [`async_nats::Client::new_inbox`].
    pub fn new_inbox(&self) -> String {
        self.inner.new_inbox()
    }

    /// Like [`async_nats::Client::flush`].
    pub async fn flush(&self) -> Result<(), async_nats::client::FlushError> {
        self.inner.flush().await
    }

    /// Like [`async_nats::Client::drain`].
    pub async fn drain(&self) -> Result<(), async_nats::client::DrainError> {
        self.inner.drain().await
    }

    /// Like [`async_nats::Client::connection_state`].
    pub fn connection_state(&self) -> async_nats::connection::State {
        self.inner.connection_state()
    }

    /// Like [`async_nats::Client::force_reconnect`].
    pub async fn force_reconnect(&self) -> Result<(), async_nats::client::ReconnectError> {
        self.inner.force_reconnect().await
    }

    /// Like [`async_nats::Client::set_server_pool`].
    pub async fn set_server_pool<A: ToServerAddrs>(
        &self,
        addrs: A,
    ) -> Result<(), async_nats::client::SetServerPoolError> {
        self.inner.set_server_pool(addrs).await
    }

    /// Like [`async_nats::Client::server_pool`].
    pub async fn server_pool(
        &self,
    ) -> Result<Vec<async_nats::Server>, async_nats::client::ServerPoolError> {
        self.inner.server_pool().await
    }

    /// Like [`async_nats::Client::statistics`].
    pub fn statistics(&self) -> Arc<async_nats::Statistics> {
        self.inner.statistics()
    }

    pub(crate) fn options(&self) -> Arc<Options> {
        self.options.clone()
    }

    /// The async-nats client: messages published or subscribed to on it directly are
    /// not traced.
    pub fn inner(&self) -> &async_nats::Client {
        &self.inner
    }
}
