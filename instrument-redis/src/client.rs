//! [`Client`]: `redis::Client`, handing out traced connections.

use std::time::Duration;

use instrument_core::hooks::DbHooks;
use redis::{ConnectionInfo, IntoConnectionInfo, RedisResult};

use crate::connection::Instrumented;
use crate::options::QueryText;

/// A drop-in for [`redis::Client`]: the same constructors and connection getters, but the
/// connections it returns trace every command.
///
/// ```no_run
/// # async fn demo() -> redis::RedisResult<()> {
/// use redis::AsyncCommands;
///
/// let client = instrument_redis::Client::open("redis://127.0.0.1/")?;
/// let mut con = client.get_multiplexed_async_connection().await?;
/// let _: () = con.set("user:1", "alice").await?; // span "SET", db.query.text "SET user:1 ?"
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Client {
    inner: redis::Client,
    query_text: Option<QueryText>,
    hooks: DbHooks,
}

impl Client {
    /// Like [`redis::Client::open`]: checks the URL, opens nothing yet.
    pub fn open<T: IntoConnectionInfo>(params: T) -> RedisResult<Client> {
        redis::Client::open(params).map(Client::from)
    }

    /// How much command text this client's connections record (else
    /// `OTEL_RUST_REDIS_QUERY_TEXT`, else sanitized).
    #[must_use]
    pub fn query_text(mut self, mode: QueryText) -> Self {
        self.query_text = Some(mode);
        self
    }

    /// The hooks of this client's connections; see [`Instrumented::hooks`].
    #[must_use]
    pub fn hooks(mut self, hooks: DbHooks) -> Self {
        self.hooks = hooks;
        self
    }

    /// The wrapped `redis::Client`.
    pub fn inner(&self) -> &redis::Client {
        &self.inner
    }

    /// The wrapped `redis::Client`, unwrapped.
    pub fn into_inner(self) -> redis::Client {
        self.inner
    }

    /// Like [`redis::Client::get_connection_info`].
    pub fn get_connection_info(&self) -> &ConnectionInfo {
        self.inner.get_connection_info()
    }

    fn wrap<C>(&self, connection: C) -> Instrumented<C> {
        let traced =
            Instrumented::with_connection_info(connection, self.inner.get_connection_info())
                .hooks(self.hooks.clone());
        match self.query_text {
            Some(mode) => traced.query_text(mode),
            None => traced,
        }
    }

    /// A traced sync connection, like [`redis::Client::get_connection`].
    pub fn get_connection(&self) -> RedisResult<crate::Connection> {
        self.inner.get_connection().map(|c| self.wrap(c))
    }

    /// Like [`redis::Client::get_connection_with_timeout`].
    pub fn get_connection_with_timeout(&self, timeout: Duration) -> RedisResult<crate::Connection> {
        self.inner
            .get_connection_with_timeout(timeout)
            .map(|c| self.wrap(c))
    }

    /// A traced multiplexed async connection, like
    /// [`redis::Client::get_multiplexed_async_connection`]. Clone it to share it between tasks.
    #[cfg(feature = "tokio-comp")]
    #[cfg_attr(docsrs, doc(cfg(feature = "tokio-comp")))]
    pub async fn get_multiplexed_async_connection(
        &self,
    ) -> RedisResult<crate::aio::MultiplexedConnection> {
        self.inner
            .get_multiplexed_async_connection()
            .await
            .map(|c| self.wrap(c))
    }

    /// Like [`redis::Client::get_multiplexed_async_connection_with_config`].
    #[cfg(feature = "tokio-comp")]
    #[cfg_attr(docsrs, doc(cfg(feature = "tokio-comp")))]
    pub async fn get_multiplexed_async_connection_with_config(
        &self,
        config: &redis::AsyncConnectionConfig,
    ) -> RedisResult<crate::aio::MultiplexedConnection> {
        self.inner
            .get_multiplexed_async_connection_with_config(config)
            .await
            .map(|c| self.wrap(c))
    }

    /// A traced [`redis::aio::ConnectionManager`] (reconnects by itself), like
    /// [`redis::Client::get_connection_manager`].
    #[cfg(feature = "connection-manager")]
    #[cfg_attr(docsrs, doc(cfg(feature = "connection-manager")))]
    pub async fn get_connection_manager(&self) -> RedisResult<crate::aio::ConnectionManager> {
        self.inner
            .get_connection_manager()
            .await
            .map(|c| self.wrap(c))
    }

    /// Like [`redis::Client::get_connection_manager_with_config`].
    #[cfg(feature = "connection-manager")]
    #[cfg_attr(docsrs, doc(cfg(feature = "connection-manager")))]
    pub async fn get_connection_manager_with_config(
        &self,
        config: redis::aio::ConnectionManagerConfig,
    ) -> RedisResult<crate::aio::ConnectionManager> {
        self.inner
            .get_connection_manager_with_config(config)
            .await
            .map(|c| self.wrap(c))
    }

    /// Like [`redis::Client::get_connection_manager_lazy`]: connects at its first
    /// command.
    #[cfg(feature = "connection-manager")]
    #[cfg_attr(docsrs, doc(cfg(feature = "connection-manager")))]
    pub fn get_connection_manager_lazy(
        &self,
        config: redis::aio::ConnectionManagerConfig,
    ) -> RedisResult<crate::aio::ConnectionManager> {
        self.inner
            .get_connection_manager_lazy(config)
            .map(|c| self.wrap(c))
    }

    /// The untraced Pub/Sub connection of [`redis::Client::get_async_pubsub`]: received
    /// messages are not spans (see the crate docs). Publishing through any traced
    /// connection is.
    #[cfg(feature = "tokio-comp")]
    #[cfg_attr(docsrs, doc(cfg(feature = "tokio-comp")))]
    pub async fn get_async_pubsub(&self) -> RedisResult<redis::aio::PubSub> {
        self.inner.get_async_pubsub().await
    }
}

/// Like redis-rs's `impl ConnectionLike for Client`: each call opens a (traced)
/// connection, so `redis::cmd(..).query(&mut client)` and `Commands` on the client work.
impl redis::ConnectionLike for Client {
    fn req_packed_command(&mut self, cmd: &[u8]) -> RedisResult<redis::Value> {
        self.get_connection()?.req_packed_command(cmd)
    }

    fn req_packed_commands(
        &mut self,
        cmd: &[u8],
        offset: usize,
        count: usize,
    ) -> RedisResult<Vec<redis::Value>> {
        self.get_connection()?
            .req_packed_commands(cmd, offset, count)
    }

    fn req_command(&mut self, cmd: &redis::Cmd) -> RedisResult<redis::Value> {
        self.get_connection()?.req_command(cmd)
    }

    fn get_db(&self) -> i64 {
        self.inner.get_connection_info().redis_settings().db()
    }

    fn check_connection(&mut self) -> bool {
        self.get_connection()
            .is_ok_and(|mut con| con.check_connection())
    }

    fn is_open(&self) -> bool {
        self.get_connection().is_ok_and(|con| con.is_open())
    }
}

impl From<redis::Client> for Client {
    fn from(inner: redis::Client) -> Self {
        Client {
            inner,
            query_text: None,
            hooks: DbHooks::default(),
        }
    }
}
