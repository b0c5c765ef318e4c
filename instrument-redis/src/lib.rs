//! [redis-rs](https://docs.rs/redis), traced: every command and pipeline becomes an
//! OpenTelemetry CLIENT span, with values masked and credentials never recorded.
//!
//! Swap the client; the command code stays as it is:
//!
//! ```no_run
//! # async fn demo() -> redis::RedisResult<()> {
//! use redis::AsyncCommands;
//!
//! let client = instrument_redis::Client::open("redis://127.0.0.1/")?; // was redis::Client
//! let mut con = client.get_multiplexed_async_connection().await?;
//!
//! let _: () = con.set("user:1", "alice").await?;
//! let name: Option<String> = con.get("user:1").await?;
//! let (a, b): (i64, i64) = redis::pipe().incr("hits", 1).incr("hits", 1).query_async(&mut con).await?;
//! # Ok(()) }
//! ```
//!
//! The spans, as an exporter receives them:
//!
//! ```text
//! SET             db.system.name=redis db.operation.name=SET db.namespace=0
//!                 db.query.text="SET user:1 ?" server.address=127.0.0.1
//! GET             db.query.text="GET user:1"
//! PIPELINE INCRBY db.operation.batch.size=2 db.query.text="INCRBY hits ?\nINCRBY hits ?"
//! ```
//!
//! # What is recorded
//!
//! - Name: the command (`GET`); `PIPELINE`, `PIPELINE GET` when every command of the
//!   pipeline is the same, `MULTI` for an `atomic()` transaction.
//! - `db.system.name` = `redis`, `db.operation.name`, `db.namespace` (the db index as a
//!   string), `server.address` and `server.port` (a unix socket's path as the address),
//!   `db.operation.batch.size` for pipelines of two or more commands.
//! - `db.query.text`: the command with values masked. Keys stay where the command's
//!   arguments are known to be keys (`SET user:1 ?`, `DEL a b`, `MSET k1 ? k2 ?`);
//!   everything else is `?`, including every argument of a command the table does not
//!   know. `AUTH`, `HELLO`, `MIGRATE` and admin commands (`CONFIG SET requirepass ...`,
//!   `ACL SETUSER ...`) keep nothing but their name and subcommand. At most 1 KiB, cut
//!   at a whole argument. [`QueryText::Off`] (or `OTEL_RUST_REDIS_QUERY_TEXT=off`)
//!   records none; there is no unmasked mode.
//! - Failures: an error reply (also one inside a pipeline or a transaction) sets status
//!   Error, `db.response.status_code` and `error.type` to its prefix (`WRONGTYPE`, `ERR`,
//!   `NOSCRIPT`), and an `exception` event. The recorded message is the prefix and
//!   redis-rs's category (`ERR: response error`), never the server's text: Redis quotes
//!   arguments back in its errors. A prefix that is not one (a script's
//!   `redis.error_reply(ARGV[1])`) becomes `_OTHER`. I/O failures set `error.type` to
//!   `timeout`, `connection_dropped`, `connection_refused` or `io`. A nil reply is not an
//!   error. The error your code receives is redis-rs's own, untouched.
//! - A first word that does not look like a command (not ASCII letters, digits, `.`, `_`,
//!   `-`, or longer than 64 bytes) is named `_OTHER`.
//!
//! # Switching off
//!
//! `OTEL_SDK_DISABLED=true`, `redis` in `OTEL_RUST_DISABLED_INSTRUMENTATIONS`, or
//! `instrument::set_library_enabled(Library::Redis, false)`: every call goes straight to
//! the inner connection.
//!
//! # Pub/Sub
//!
//! `PUBLISH` is a command like any other and gets its span (`PUBLISH channel ?`).
//! Subscribing does not: a subscription is a long-lived stream, and a span per received
//! message would have no caller to be the child of. [`Client::get_async_pubsub`] returns
//! redis-rs's own `PubSub`; trace message handling in your own code, under a span you
//! open per message.
//!
//! # Any connection
//!
//! [`Instrumented`] wraps anything that implements redis-rs's connection traits (a
//! cluster connection, a connection you made yourself) and is one again.
//! [`Instrumented::inner`] is the escape hatch to the wrapped connection.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod client;
mod connection;
mod describe;
mod forwarding;
mod options;
mod outcome;
mod resp;

pub use client::Client;
pub use connection::Instrumented;
pub use options::{OTEL_RUST_REDIS_QUERY_TEXT, QueryText};

/// A traced [`redis::Connection`] (sync).
pub type Connection = Instrumented<redis::Connection>;

/// Traced async connections.
pub mod aio {
    /// A traced [`redis::aio::MultiplexedConnection`].
    #[cfg(feature = "tokio-comp")]
    pub type MultiplexedConnection = crate::Instrumented<redis::aio::MultiplexedConnection>;

    /// A traced [`redis::aio::ConnectionManager`].
    #[cfg(feature = "connection-manager")]
    pub type ConnectionManager = crate::Instrumented<redis::aio::ConnectionManager>;

    /// A traced [`redis::cluster_async::ClusterConnection`].
    #[cfg(feature = "cluster-async")]
    pub type ClusterConnection = crate::Instrumented<redis::cluster_async::ClusterConnection>;
}
