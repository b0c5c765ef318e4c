//! [`Connection`]: lapin's, handing out traced channels.

use std::sync::Arc;

use lapin::types::{LongString, ReplyCode, ShortString};
use lapin::uri::AMQPUri;
use lapin::{ConnectionProperties, Result};

use crate::Channel;

/// The broker a connection talks to: `server.address` and `server.port` of its spans.
#[derive(Debug, Default)]
pub(crate) struct Broker {
    pub(crate) address: String,
    pub(crate) port: Option<u16>,
}

impl Broker {
    fn of(uri: &AMQPUri) -> Self {
        Broker {
            address: uri.authority.host.clone(),
            port: Some(uri.authority.port),
        }
    }
}

/// A drop-in for [`lapin::Connection`]: the same methods, and the channels it creates
/// are [`Channel`]s whose publishes and deliveries are spans. It does not deref to
/// lapin's connection; [`inner`](Self::inner) is the explicit way there.
#[derive(Debug, Clone)]
pub struct Connection {
    inner: Arc<lapin::Connection>,
    broker: Arc<Broker>,
}

impl Connection {
    /// Like [`lapin::Connection::connect`].
    pub async fn connect(uri: &str, options: ConnectionProperties) -> Result<Connection> {
        let broker = uri
            .parse::<AMQPUri>()
            .map(|uri| Broker::of(&uri))
            .unwrap_or_default();
        let inner = lapin::Connection::connect(uri, options).await?;
        Ok(Connection::with_broker(inner, broker))
    }

    /// Like [`lapin::Connection::connect_uri`].
    pub async fn connect_uri(uri: AMQPUri, options: ConnectionProperties) -> Result<Connection> {
        let broker = Broker::of(&uri);
        let inner = lapin::Connection::connect_uri(uri, options).await?;
        Ok(Connection::with_broker(inner, broker))
    }

    /// Wraps a connection made elsewhere (with a runtime or TLS setup of your own);
    /// `uri` gives its spans their `server.address` and `server.port`.
    pub fn from_lapin(inner: lapin::Connection, uri: &AMQPUri) -> Connection {
        Connection::with_broker(inner, Broker::of(uri))
    }

    fn with_broker(inner: lapin::Connection, broker: Broker) -> Connection {
        Connection {
            inner: Arc::new(inner),
            broker: Arc::new(broker),
        }
    }

    /// Like [`lapin::Connection::create_channel`]: a traced [`Channel`].
    pub async fn create_channel(&self) -> Result<Channel> {
        let channel = self.inner.create_channel().await?;
        Ok(Channel::new(channel, self.broker.clone()))
    }

    /// Like [`lapin::Connection::events_listener`].
    pub fn events_listener(
        &self,
    ) -> impl futures_core::Stream<Item = lapin::Event> + Send + 'static {
        self.inner.events_listener()
    }

    /// Like [`lapin::Connection::configuration`].
    pub fn configuration(&self) -> &lapin::Configuration {
        self.inner.configuration()
    }

    /// Like [`lapin::Connection::status`].
    pub fn status(&self) -> &lapin::ConnectionStatus {
        self.inner.status()
    }

    /// Like [`lapin::Connection::close`].
    pub async fn close(&self, reply_code: ReplyCode, reply_text: ShortString) -> Result<()> {
        self.inner.close(reply_code, reply_text).await
    }

    /// Like [`lapin::Connection::update_secret`].
    pub async fn update_secret(&self, new_secret: LongString, reason: ShortString) -> Result<()> {
        self.inner.update_secret(new_secret, reason).await
    }

    /// The lapin connection: channels created on it directly are not traced.
    pub fn inner(&self) -> &lapin::Connection {
        &self.inner
    }
}
