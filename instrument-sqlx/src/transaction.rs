//! [`Transaction`]: a traced sqlx transaction, used as `&mut *tx` like sqlx's.

use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use futures_core::future::BoxFuture;
use futures_core::stream::BoxStream;
use sqlx::{Database, Either, Error, Execute, Executor};
use sqlx_core::sql_str::SqlStr;

use crate::backend::Backend;
use crate::traced::{self, Target};

/// A transaction from [`Pool::begin`](crate::Pool::begin). `&mut *tx` is a traced
/// executor ([`TxConnection`]); `commit` and `rollback` are spans of their own. Dropped
/// without either, sqlx rolls it back, as always.
#[derive(Debug)]
pub struct Transaction<'c, DB: Backend> {
    connection: TxConnection<'c, DB>,
}

/// What `&mut *tx` reaches: the transaction's connection, traced. It does not deref to
/// sqlx's connection (queries would escape the tracing); [`Transaction::inner_mut`] is
/// the explicit way there.
#[derive(Debug)]
pub struct TxConnection<'c, DB: Backend> {
    inner: sqlx::Transaction<'c, DB>,
    target: Arc<Target>,
}

impl<'c, DB: Backend> Transaction<'c, DB> {
    pub(crate) fn new(inner: sqlx::Transaction<'c, DB>, target: Arc<Target>) -> Self {
        Transaction {
            connection: TxConnection { inner, target },
        }
    }

    /// Commits, like [`sqlx::Transaction::commit`], as a `COMMIT` span.
    pub async fn commit(self) -> Result<(), Error> {
        let TxConnection { inner, target } = self.connection;
        traced::statement(&target, "COMMIT", inner.commit()).await
    }

    /// Rolls back, like [`sqlx::Transaction::rollback`], as a `ROLLBACK` span.
    pub async fn rollback(self) -> Result<(), Error> {
        let TxConnection { inner, target } = self.connection;
        traced::statement(&target, "ROLLBACK", inner.rollback()).await
    }

    /// The sqlx transaction: queries run on it directly are not traced.
    pub fn inner_mut(&mut self) -> &mut sqlx::Transaction<'c, DB> {
        &mut self.connection.inner
    }
}

impl<'c, DB: Backend> Deref for Transaction<'c, DB> {
    type Target = TxConnection<'c, DB>;

    fn deref(&self) -> &Self::Target {
        &self.connection
    }
}

impl<DB: Backend> DerefMut for Transaction<'_, DB> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.connection
    }
}

impl<'t, DB: Backend> Executor<'t> for &'t mut TxConnection<'_, DB>
where
    for<'x> &'x mut DB::Connection: Executor<'x, Database = DB>,
{
    type Database = DB;

    fn fetch_many<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> BoxStream<'e, Result<Either<DB::QueryResult, DB::Row>, Error>>
    where
        't: 'e,
        E: 'q + Execute<'q, DB>,
    {
        traced::fetch_many(&self.target, &mut *self.inner, query)
    }

    fn fetch_optional<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> BoxFuture<'e, Result<Option<DB::Row>, Error>>
    where
        't: 'e,
        E: 'q + Execute<'q, DB>,
    {
        traced::fetch_optional(&self.target, &mut *self.inner, query)
    }

    fn prepare_with<'e>(
        self,
        sql: SqlStr,
        parameters: &'e [<DB as Database>::TypeInfo],
    ) -> BoxFuture<'e, Result<DB::Statement, Error>>
    where
        't: 'e,
    {
        (&mut *self.inner).prepare_with(sql, parameters)
    }

    fn describe<'e>(
        self,
        sql: SqlStr,
    ) -> BoxFuture<'e, Result<sqlx_core::describe::Describe<DB>, Error>>
    where
        't: 'e,
    {
        (&mut *self.inner).describe(sql)
    }
}
