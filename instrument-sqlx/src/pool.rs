//! [`Pool`]: a sqlx pool whose queries are traced.

use std::sync::Arc;

use futures_core::future::BoxFuture;
use futures_core::stream::BoxStream;
use instrument_core::QueryText;
use sqlx::{Database, Either, Error, Execute, Executor};
use sqlx_core::sql_str::SqlStr;

use crate::backend::Backend;
use crate::traced::{self, Target};
use crate::transaction::Transaction;

/// A drop-in for [`sqlx::Pool`] whose queries are CLIENT spans. `&Pool` is a
/// [`sqlx::Executor`], so `sqlx::query(..).fetch_one(&pool)` and the rest run unchanged.
#[derive(Debug)]
pub struct Pool<DB: Backend> {
    inner: sqlx::Pool<DB>,
    target: Arc<Target>,
}

impl<DB: Backend> Clone for Pool<DB> {
    fn clone(&self) -> Self {
        Pool {
            inner: self.inner.clone(),
            target: self.target.clone(),
        }
    }
}

/// Wraps a pool made elsewhere. Without asking the server, a MySQL-protocol pool is
/// recorded as `mysql`; [`Pool::connect`] asks, and records `mariadb` when it is.
impl<DB: Backend> From<sqlx::Pool<DB>> for Pool<DB> {
    fn from(inner: sqlx::Pool<DB>) -> Self {
        Pool::with_system(inner, DB::SYSTEM)
    }
}

impl<DB: Backend> Pool<DB> {
    /// Like [`sqlx::Pool::connect`].
    pub async fn connect(url: &str) -> Result<Self, Error> {
        Self::asking_the_server(sqlx::Pool::connect(url).await?).await
    }

    /// Like [`sqlx::Pool::connect_with`].
    pub async fn connect_with(
        options: <DB::Connection as sqlx::Connection>::Options,
    ) -> Result<Self, Error> {
        Self::asking_the_server(sqlx::Pool::connect_with(options).await?).await
    }

    /// Wraps a connected pool, with the system the server says it is.
    async fn asking_the_server(inner: sqlx::Pool<DB>) -> Result<Self, Error> {
        let system = DB::server_system(&inner).await;
        Ok(Pool::with_system(inner, system))
    }

    fn with_system(inner: sqlx::Pool<DB>, system: instrument_core::DbSystem) -> Self {
        let endpoint = DB::endpoint(&inner.connect_options());
        Pool {
            inner,
            target: Arc::new(Target {
                system,
                endpoint,
                query_text: QueryText::Sanitized,
            }),
        }
    }

    /// Like [`sqlx::Pool::connect_lazy`].
    pub fn connect_lazy(url: &str) -> Result<Self, Error> {
        sqlx::Pool::connect_lazy(url).map(Self::from)
    }

    /// How much query text to record (default: parameterized queries as written,
    /// others sanitized).
    #[must_use]
    pub fn query_text(self, mode: QueryText) -> Self {
        Pool {
            target: Arc::new(Target {
                system: self.target.system,
                endpoint: self.target.endpoint.clone(),
                query_text: mode,
            }),
            inner: self.inner,
        }
    }

    /// The wrapped sqlx pool: queries run on it directly are not traced.
    pub fn inner(&self) -> &sqlx::Pool<DB> {
        &self.inner
    }

    /// Like [`sqlx::Pool::close`].
    pub async fn close(&self) {
        self.inner.close().await;
    }

    /// Like [`sqlx::Pool::is_closed`].
    pub fn is_closed(&self) -> bool {
        self.inner.is_closed()
    }

    /// Like [`sqlx::Pool::size`].
    pub fn size(&self) -> u32 {
        self.inner.size()
    }

    /// Like [`sqlx::Pool::num_idle`].
    pub fn num_idle(&self) -> usize {
        self.inner.num_idle()
    }

    /// Starts a traced transaction, like [`sqlx::Pool::begin`]. Use it as `&mut *tx`.
    pub async fn begin(&self) -> Result<Transaction<'static, DB>, Error> {
        let target = self.target.clone();
        let inner = traced::statement(&target, "BEGIN", self.inner.begin()).await?;
        Ok(Transaction::new(inner, target))
    }
}

impl<'p, DB: Backend> Executor<'p> for &'p Pool<DB>
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
{
    type Database = DB;

    fn fetch_many<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> BoxStream<'e, Result<Either<DB::QueryResult, DB::Row>, Error>>
    where
        'p: 'e,
        E: 'q + Execute<'q, DB>,
    {
        traced::fetch_many(&self.target, &self.inner, query)
    }

    fn fetch_optional<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> BoxFuture<'e, Result<Option<DB::Row>, Error>>
    where
        'p: 'e,
        E: 'q + Execute<'q, DB>,
    {
        traced::fetch_optional(&self.target, &self.inner, query)
    }

    fn prepare_with<'e>(
        self,
        sql: SqlStr,
        parameters: &'e [<DB as Database>::TypeInfo],
    ) -> BoxFuture<'e, Result<DB::Statement, Error>>
    where
        'p: 'e,
    {
        self.inner.prepare_with(sql, parameters)
    }

    fn describe<'e>(
        self,
        sql: SqlStr,
    ) -> BoxFuture<'e, Result<sqlx_core::describe::Describe<DB>, Error>>
    where
        'p: 'e,
    {
        self.inner.describe(sql)
    }
}
