//! [sqlx](https://docs.rs/sqlx) 0.9, traced: every query through a [`Pool`] becomes an
//! OpenTelemetry CLIENT span named by its summary (`SELECT users`).
//!
//! **Work in progress.** Pools (`PgPool`, `MySqlPool`, `SqlitePool`), their `Executor`
//! and transactions (`pool.begin()`, used as `&mut *tx`) are traced; `acquire()` and
//! the pool-wait span are not done yet.
//!
//! ```
//! # #[cfg(feature = "sqlite")]
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let pool = instrument_sqlx::SqlitePool::connect("sqlite::memory:").await?; // was sqlx::SqlitePool
//! let one: i64 = sqlx::query_scalar("SELECT 1").fetch_one(&pool).await?;
//! assert_eq!(one, 1);
//! # Ok::<(), sqlx::Error>(()) }).unwrap();
//! ```
//!
//! Parameterized queries are recorded as written; queries without bind arguments (which
//! may carry literals) are recorded with every literal replaced by `?`.
//!
//! `fetch_one` that finds no row: the query ran and returned nothing, so its span records
//! `db.response.returned_rows = 0` and no error; `RowNotFound` is sqlx's verdict on the
//! caller's expectation, raised after the query, and is not recorded on the span.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod backend;
mod described;
mod outcome;
mod pool;
mod traced;
mod transaction;

pub use backend::{Backend, Endpoint};
pub use instrument_core::QueryText;
pub use pool::Pool;
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
