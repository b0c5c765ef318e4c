//! [sqlx](https://docs.rs/sqlx) 0.9, traced: every query through a [`Pool`] becomes an
//! OpenTelemetry CLIENT span named by its summary (`SELECT users`), with the
//! semantic-convention attributes, its row count and its error. Swap the pool type; the
//! query code stays as it is.
//!
//! ```
//! # #[cfg(feature = "sqlite")]
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let pool = instrument_sqlx::SqlitePool::connect("sqlite::memory:").await?; // was sqlx::SqlitePool
//! let one: i64 = sqlx::query_scalar("SELECT 1").fetch_one(&pool).await?;
//! assert_eq!(one, 1);
//!
//! let mut tx = pool.begin().await?; // BEGIN span
//! sqlx::query("CREATE TABLE notes (body TEXT)").execute(&mut *tx).await?;
//! sqlx::query("INSERT INTO notes (body) VALUES ($1)").bind("hello").execute(&mut *tx).await?;
//! tx.commit().await?; // COMMIT span
//! # Ok::<(), sqlx::Error>(()) }).unwrap();
//! ```
//!
//! What is traced, and how:
//!
//! - **`&Pool` is a [`sqlx::Executor`]**: `sqlx::query`, `query_as`, `query_scalar`,
//!   `QueryBuilder`, `raw_sql` and the `query!` macros run on it unchanged, through
//!   `execute`, `fetch`, `fetch_all`, `fetch_one`, `fetch_optional` and `fetch_many`.
//! - **Transactions**: [`Pool::begin`] (and `begin_with`) returns a [`Transaction`] used
//!   as `&mut *tx`, as sqlx's; `BEGIN`, `COMMIT` and `ROLLBACK` are spans. Dropped
//!   without either, sqlx rolls it back, as always.
//! - **Connections**: [`Pool::acquire`] gives a [`PoolConnection`]; `&mut *conn` (and
//!   `&mut conn`) is traced, and the wait for it is an `acquire` span.
//! - **Savepoints**: `tx.begin()` on a transaction nests one (`SAVEPOINT`, then
//!   `RELEASE SAVEPOINT` or `ROLLBACK TO SAVEPOINT`, each a span).
//! - **The wait for a connection** is the gap between the start of the span that waited
//!   (a query on the pool, a `BEGIN`, an `acquire`) and the server's work, and a
//!   `db.client.connection.wait_time` measurement (seconds) of the pool's; the pool
//!   also reports its connections by state, its maximum and its timeouts
//!   ([`instrument_core::pool`]).
//! - **[`sqlx::Acquire`]** is implemented for `&Pool`, `&mut Transaction`, `&mut
//!   PoolConnection` and what `&mut *tx` and `&mut *conn` reach, so
//!   `sqlx::migrate!().run(&pool)` and `.run(&mut *tx)` work, as does your code generic
//!   over `Acquire`. The trait requires the connection to deref to sqlx's own, so the
//!   queries run through it are not traced; the `acquire`, and the `BEGIN` or
//!   `SAVEPOINT` of its `begin()`, are.
//! - **Nothing escapes through `Deref`**: neither the pool, nor the transaction's
//!   connection, nor a pool connection derefs to sqlx's types. `inner()`,
//!   `inner_mut()` and `into_inner()` are the explicit, untraced ways there. So a
//!   function of yours that takes `&mut PgConnection` does not take `&mut *tx`; make it
//!   take `impl Executor<'_, Database = Postgres>` (or `&mut TxConnection<'_, Postgres>`).
//! - **Not traced**: `prepare_with` and `describe` (statement preparation without
//!   running it).
//!
//! Each span carries `db.system.name` (`postgresql`, `mysql`, or `mariadb` when the
//! server says so: [`Pool::connect`] and [`PoolOptions::connect`] ask it; a pool made
//! lazily or from a sqlx pool is recorded as `mysql`), `sqlite`), `db.namespace` (the
//! database of the connect options; PostgreSQL's default, the user name, when none),
//! `server.address` and `server.port` (left out when it is the default),
//! `db.query.text`, `db.query.summary`, `db.response.returned_rows`, and for `INSERT`,
//! `UPDATE`, `DELETE` and the like `db.response.affected_rows` (the name proposed in
//! semantic-conventions#3094; no stable attribute holds it yet). A failure sets
//! status Error, `error.type` and `db.response.status_code` (the SQLSTATE on
//! PostgreSQL, the error number on MySQL and MariaDB, the result code on SQLite) and
//! adds an `exception` event. A stream's span ends when the stream ends or is dropped,
//! counting the rows read until then.
//!
//! **Query text.** Parameterized queries are recorded as written; queries without bind
//! arguments (which may carry literals) with every literal replaced by `?`. Choose with
//! [`Pool::query_text`] or [`PoolOptions::query_text`], or the environment:
//! [`OTEL_RUST_SQLX_QUERY_TEXT`] = `sanitized` (the default), `as_written` or `off`.
//!
//! **Switched off** by `OTEL_SDK_DISABLED=true`, by `sqlx` in
//! `OTEL_RUST_DISABLED_INSTRUMENTATIONS`, or at run time with
//! `instrument_core::set_library_enabled`: then every call is one atomic load and sqlx's
//! own call.
//!
//! **`fetch_one` that finds no row**: the query ran and returned nothing, so its span
//! records `db.response.returned_rows = 0` and no error; `RowNotFound` is sqlx's verdict
//! on the caller's expectation, raised after the query, and is not recorded on the span.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod acquire;
mod backend;
mod connection;
mod described;
mod executor;
mod options;
mod outcome;
mod pool;
mod pool_options;
mod traced;
mod transaction;

pub use backend::{Backend, Endpoint};
pub use connection::{PoolConnection, PooledConnection};
pub use instrument_core::QueryText;
pub use options::OTEL_RUST_SQLX_QUERY_TEXT;
pub use pool::Pool;
pub use pool_options::PoolOptions;
pub use transaction::{Transaction, TxConnection};

/// A traced PostgreSQL pool.
#[cfg(feature = "postgres")]
pub type PgPool = Pool<sqlx::Postgres>;

/// A traced MySQL or MariaDB pool.
#[cfg(feature = "mysql")]
pub type MySqlPool = Pool<sqlx::MySql>;

/// A traced SQLite pool.
#[cfg(feature = "sqlite")]
pub type SqlitePool = Pool<sqlx::Sqlite>;
