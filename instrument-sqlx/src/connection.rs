//! [`PoolConnection`]: a connection taken from a traced pool, traced itself.

use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use sqlx::Error;

use crate::acquire::traced_acquire;
use crate::backend::Backend;
use crate::executor::traced_executor;
use crate::traced::{self, Target};
use crate::transaction::Transaction;

/// A connection from [`Pool::acquire`](crate::Pool::acquire), returned to the pool when
/// dropped, like [`sqlx::pool::PoolConnection`]. As with sqlx's, both `&mut *conn` and
/// `&mut conn` are executors, here traced ones.
///
/// `*conn` is a [`PooledConnection`], not sqlx's connection: queries run on that would
/// escape the tracing. [`inner_mut`](Self::inner_mut) is the explicit way there, for the
/// connection's own methods (`ping`, `server_version_num`, ...).
#[derive(Debug)]
pub struct PoolConnection<DB: Backend> {
    connection: PooledConnection<DB>,
}

/// What `&mut *conn` reaches on a [`PoolConnection`]: the connection, traced.
#[derive(Debug)]
pub struct PooledConnection<DB: Backend> {
    inner: sqlx::pool::PoolConnection<DB>,
    target: Arc<Target>,
}

impl<DB: Backend> PoolConnection<DB> {
    pub(crate) fn new(inner: sqlx::pool::PoolConnection<DB>, target: Arc<Target>) -> Self {
        PoolConnection {
            connection: PooledConnection { inner, target },
        }
    }

    /// Starts a traced transaction on this connection (a `BEGIN` span), like
    /// [`sqlx::Connection::begin`].
    pub async fn begin(&mut self) -> Result<Transaction<'_, DB>, Error> {
        self.connection.begin().await
    }

    fn parts(&mut self) -> (&Target, &mut DB::Connection) {
        self.connection.parts()
    }

    /// The sqlx pool connection: queries run on it directly are not traced.
    pub fn inner_mut(&mut self) -> &mut sqlx::pool::PoolConnection<DB> {
        &mut self.connection.inner
    }

    /// The sqlx pool connection, leaving the tracing behind.
    pub fn into_inner(self) -> sqlx::pool::PoolConnection<DB> {
        self.connection.inner
    }

    /// Closes the connection instead of returning it to the pool, like
    /// [`sqlx::pool::PoolConnection::close`].
    pub async fn close(self) -> Result<(), Error> {
        self.connection.inner.close().await
    }

    /// Like [`sqlx::pool::PoolConnection::close_on_drop`].
    pub fn close_on_drop(&mut self) {
        self.connection.inner.close_on_drop();
    }

    /// Takes the connection out of the pool for good, like
    /// [`sqlx::pool::PoolConnection::detach`]. The raw connection is not traced.
    pub fn detach(self) -> DB::Connection {
        self.connection.inner.detach()
    }
}

impl<DB: Backend> PooledConnection<DB> {
    /// Starts a traced transaction, as [`PoolConnection::begin`] does: reached as
    /// `(&mut *conn).begin()`, it is traced too, rather than `sqlx::Acquire::begin`.
    pub async fn begin(&mut self) -> Result<Transaction<'_, DB>, Error> {
        let PooledConnection { inner, target } = self;
        let begun =
            traced::statement(target, "BEGIN", sqlx::Connection::begin(&mut **inner)).await?;
        Ok(Transaction::new(begun, target.clone()))
    }

    /// Like [`sqlx::Connection::begin_with`]: a transaction begun by your own statement
    /// (`BEGIN ISOLATION LEVEL SERIALIZABLE`), which names its span.
    pub async fn begin_with(
        &mut self,
        statement: impl sqlx_core::sql_str::SqlSafeStr,
    ) -> Result<Transaction<'_, DB>, Error> {
        let PooledConnection { inner, target } = self;
        let statement = statement.into_sql_str();
        let text = statement.clone();
        let begin = sqlx::Connection::begin_with(&mut **inner, statement);
        let begun = traced::in_span(|| target.begin_span(Some(text.as_str())), begin).await?;
        Ok(Transaction::new(begun, target.clone()))
    }

    /// Like [`sqlx::Connection::is_in_transaction`].
    pub fn is_in_transaction(&self) -> bool {
        sqlx::Connection::is_in_transaction(&*self.inner)
    }

    /// How to trace it, and the connection.
    fn parts(&mut self) -> (&Target, &mut DB::Connection) {
        (&self.target, &mut self.inner)
    }
}

impl<DB: Backend> Deref for PoolConnection<DB> {
    type Target = PooledConnection<DB>;

    fn deref(&self) -> &Self::Target {
        &self.connection
    }
}

impl<DB: Backend> DerefMut for PoolConnection<DB> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.connection
    }
}

traced_executor!(impl[DB: Backend] PooledConnection<DB>);
traced_executor!(impl[DB: Backend] PoolConnection<DB>);
traced_acquire!(impl[DB: Backend] PooledConnection<DB>, "BEGIN");
traced_acquire!(impl[DB: Backend] PoolConnection<DB>, "BEGIN");
