//! [tokio-postgres](https://docs.rs/tokio-postgres), traced: every query becomes an
//! OpenTelemetry CLIENT span named by its summary (`SELECT users`). Swap `connect`; the
//! query code stays as it is.
//!
//! ```no_run
//! # async fn run() -> Result<(), tokio_postgres::Error> {
//! let url = "postgres://postgres@127.0.0.1/test";
//! let (client, connection) = instrument_tokio_postgres::connect(url, tokio_postgres::NoTls).await?; // was tokio_postgres::connect
//! tokio::spawn(connection);
//! let row = client.query_one("SELECT $1::text AS name", &[&"alice"]).await?;
//! let name: &str = row.get("name");
//! # Ok(()) }
//! ```
//!
//! Each span carries `db.system.name = postgresql`, `db.namespace` (the database of the
//! config, else the user name), `server.address` and `server.port` (a Unix socket's
//! directory as the address), `db.query.text`, `db.query.summary`, for calls that
//! return rows `db.response.returned_rows`, and for `execute` the count it returns as
//! `db.response.affected_rows` (the name proposed in semantic-conventions#3094). A failure sets status Error, the SQLSTATE
//! as `db.response.status_code` and `error.type`, and an `exception` event; a server
//! error is described by its severity and message, without its `DETAIL` (which quotes
//! row values).
//!
//! Not in any span: the data written to a `copy_in` sink or read from a `copy_out`
//! stream (their spans cover starting the copy), the `ROLLBACK` tokio-postgres sends for
//! a transaction dropped unfinished, `check_connection`, and the portal and `bind`
//! methods of a transaction, which the wrapper does not have (use
//! [`Transaction::inner`]).
//!
//! **Query text.** With parameters, the text is recorded as written; without, it may
//! carry literals and is sanitized (every literal becomes `?`), as are the scripts of
//! `batch_execute` and `simple_query` (a script of several statements is a batch:
//! `BATCH {summary}` and `db.operation.batch.size`). Choose with
//! [`Client::query_text`] or [`OTEL_RUST_TOKIO_POSTGRES_QUERY_TEXT`].
//!
//! **Prepared statements** made by [`Client::prepare`] keep their text ([`Statement`]),
//! so running them later records it; a `tokio_postgres::Statement` made elsewhere runs
//! too, in a span named `postgresql`.
//!
//! **Pools**: with the `deadpool` feature, [`deadpool::Pool`] hands out traced clients,
//! the wait for one is an `acquire` span and a `db.client.connection.wait_time`
//! measurement, and the pool reports its connections by state, its maximum and its
//! timeouts ([`instrument_core::pool`]).
//!
//! **Switched off** by `OTEL_SDK_DISABLED=true` or `tokio-postgres` in
//! `OTEL_RUST_DISABLED_INSTRUMENTATIONS`: then each call is one atomic load and
//! tokio-postgres's own call.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod client;
mod config;
#[cfg(feature = "deadpool")]
#[cfg_attr(docsrs, doc(cfg(feature = "deadpool")))]
pub mod deadpool;
mod generic;
mod methods;
mod options;
mod outcome;
mod row_stream;
mod statement;
mod target;
mod traced;
mod transaction;

pub use client::Client;
pub use config::{Config, connect};
pub use generic::GenericClient;
pub use instrument_core::QueryText;
pub use options::OTEL_RUST_TOKIO_POSTGRES_QUERY_TEXT;
pub use row_stream::RowStream;
pub use statement::{Statement, ToStatement};
pub use transaction::{Transaction, TransactionBuilder};
