//! [`Transaction`]: a traced sqlx transaction, used as `&mut *tx` like sqlx's.

use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use sqlx::Error;

use crate::acquire::traced_acquire;
use crate::backend::Backend;
use crate::executor::traced_executor;
use crate::traced::{self, Target};

/// A transaction from [`Pool::begin`](crate::Pool::begin). `&mut *tx` is a traced
/// executor ([`TxConnection`]); `commit` and `rollback` are spans of their own. Dropped
/// without either, sqlx rolls it back, as always.
#[derive(Debug)]
pub struct Transaction<'c, DB: Backend> {
    connection: TxConnection<'c, DB>,
    /// Nested in another: a savepoint, released or rolled back to.
    savepoint: bool,
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
            savepoint: false,
        }
    }

    /// Nests a transaction in this one, like `begin` on sqlx's: a savepoint, as a
    /// `SAVEPOINT` span.
    pub async fn begin(&mut self) -> Result<Transaction<'_, DB>, Error> {
        self.connection.begin().await
    }

    /// Commits, like [`sqlx::Transaction::commit`], as a `COMMIT` span (`RELEASE
    /// SAVEPOINT` for a nested transaction).
    pub async fn commit(self) -> Result<(), Error> {
        let statement = if self.savepoint {
            "RELEASE SAVEPOINT"
        } else {
            "COMMIT"
        };
        let TxConnection { inner, target } = self.connection;
        traced::statement(&target, statement, inner.commit()).await
    }

    /// Rolls back, like [`sqlx::Transaction::rollback`], as a `ROLLBACK` span
    /// (`ROLLBACK TO SAVEPOINT` for a nested transaction).
    pub async fn rollback(self) -> Result<(), Error> {
        let statement = if self.savepoint {
            "ROLLBACK TO SAVEPOINT"
        } else {
            "ROLLBACK"
        };
        let TxConnection { inner, target } = self.connection;
        traced::statement(&target, statement, inner.rollback()).await
    }

    fn parts(&mut self) -> (&Target, &mut DB::Connection) {
        self.connection.parts()
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

impl<DB: Backend> TxConnection<'_, DB> {
    /// Nests a transaction in this one, as [`Transaction::begin`] does: reached as
    /// `(&mut *tx).begin()`, it is traced too, rather than `sqlx::Acquire::begin`.
    pub async fn begin(&mut self) -> Result<Transaction<'_, DB>, Error> {
        let TxConnection { inner, target } = self;
        let nested =
            traced::statement(target, "SAVEPOINT", sqlx::Connection::begin(&mut **inner)).await?;
        Ok(Transaction {
            connection: TxConnection {
                inner: nested,
                target: target.clone(),
            },
            savepoint: true,
        })
    }

    /// How to trace it, and the connection.
    fn parts(&mut self) -> (&Target, &mut DB::Connection) {
        (&self.target, &mut self.inner)
    }
}

traced_executor!(impl[DB: Backend] TxConnection<'_, DB>);
traced_acquire!(impl[DB: Backend] TxConnection<'_, DB>, "SAVEPOINT");
traced_acquire!(impl[DB: Backend] Transaction<'_, DB>, "SAVEPOINT");
