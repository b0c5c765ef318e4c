//! The concrete connections' own methods that are not commands (timeouts, the entry
//! points of Pub/Sub), forwarded so code written for redis-rs keeps compiling. They are
//! not traced: none of them is a command of the caller's (subscriptions: see the crate
//! docs).

use std::time::Duration;

use redis::{RedisResult, ToRedisArgs};

use crate::connection::Instrumented;

impl Instrumented<redis::Connection> {
    /// Like [`redis::Connection::set_read_timeout`].
    pub fn set_read_timeout(&self, timeout: Option<Duration>) -> RedisResult<()> {
        self.inner().set_read_timeout(timeout)
    }

    /// Like [`redis::Connection::set_write_timeout`].
    pub fn set_write_timeout(&self, timeout: Option<Duration>) -> RedisResult<()> {
        self.inner().set_write_timeout(timeout)
    }

    /// Like [`redis::Connection::as_pubsub`]: redis-rs's own (untraced) Pub/Sub view.
    pub fn as_pubsub(&mut self) -> redis::PubSub<'_> {
        self.inner_mut().as_pubsub()
    }
}

/// Subscription methods of the RESP3 async connections, forwarded as they are.
macro_rules! forward_subscriptions {
    ($connection:ty) => {
        impl Instrumented<$connection> {
            /// Like the wrapped connection's `subscribe` (RESP3; not traced).
            pub async fn subscribe(&mut self, channel_name: impl ToRedisArgs) -> RedisResult<()> {
                self.inner_mut().subscribe(channel_name).await
            }

            /// Like the wrapped connection's `unsubscribe`.
            pub async fn unsubscribe(&mut self, channel_name: impl ToRedisArgs) -> RedisResult<()> {
                self.inner_mut().unsubscribe(channel_name).await
            }

            /// Like the wrapped connection's `psubscribe`.
            pub async fn psubscribe(
                &mut self,
                channel_pattern: impl ToRedisArgs,
            ) -> RedisResult<()> {
                self.inner_mut().psubscribe(channel_pattern).await
            }

            /// Like the wrapped connection's `punsubscribe`.
            pub async fn punsubscribe(
                &mut self,
                channel_pattern: impl ToRedisArgs,
            ) -> RedisResult<()> {
                self.inner_mut().punsubscribe(channel_pattern).await
            }
        }
    };
}

#[cfg(feature = "tokio-comp")]
forward_subscriptions!(redis::aio::MultiplexedConnection);
#[cfg(feature = "connection-manager")]
forward_subscriptions!(redis::aio::ConnectionManager);

#[cfg(feature = "tokio-comp")]
impl Instrumented<redis::aio::MultiplexedConnection> {
    /// Like [`redis::aio::MultiplexedConnection::set_response_timeout`].
    pub fn set_response_timeout(&mut self, timeout: Duration) {
        self.inner_mut().set_response_timeout(timeout);
    }
}
