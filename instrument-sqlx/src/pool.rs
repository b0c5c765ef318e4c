//! [`Pool`]: a sqlx pool whose queries are traced.

use std::sync::Arc;

use futures_core::future::BoxFuture;
use futures_core::stream::BoxStream;
use instrument_core::hooks::DbHooks;
use instrument_core::{Library, QueryText};
use sqlx::{Database, Either, Error, Execute, Executor};
use sqlx_core::sql_str::{SqlSafeStr, SqlStr};

use crate::backend::Backend;
use crate::connection::PoolConnection;
use crate::options;
use crate::traced::{self, Target};
use crate::transaction::Transaction;

/// A drop-in for [`sqlx::Pool`] whose queries are CLIENT spans. `&Pool` is a
/// [`sqlx::Executor`], so `sqlx::query(..).fetch_one(&pool)` and the rest run unchanged.
#[derive(Debug)]
pub struct Pool<DB: Backend> {
    inner: sqlx::Pool<DB>,
    target: Arc<Target>,
    /// The same pool, shared by this pool's clones only: the connection metrics read it
    /// while it lives (they hold it weakly, so they never keep the pool open).
    observed: Arc<sqlx::Pool<DB>>,
}

impl<DB: Backend> Clone for Pool<DB> {
    fn clone(&self) -> Self {
        Pool {
            inner: self.inner.clone(),
            target: self.target.clone(),
            observed: self.observed.clone(),
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
        Ok(Self::asking_the_server(sqlx::Pool::connect(url).await?).await)
    }

    /// Like [`sqlx::Pool::connect_with`].
    pub async fn connect_with(
        options: <DB::Connection as sqlx::Connection>::Options,
    ) -> Result<Self, Error> {
        Ok(Self::asking_the_server(sqlx::Pool::connect_with(options).await?).await)
    }

    /// Wraps a connected pool, with the system the server says it is.
    pub(crate) async fn asking_the_server(inner: sqlx::Pool<DB>) -> Self {
        let system = DB::server_system(&inner).await;
        Pool::with_system(inner, system)
    }

    fn with_system(inner: sqlx::Pool<DB>, system: instrument_core::DbSystem) -> Self {
        let endpoint = DB::endpoint(&inner.connect_options());
        let target = Arc::new(Target::new(
            system,
            endpoint,
            options::query_text_from_env(),
            DbHooks::default(),
        ));
        let observed = Arc::new(inner.clone());
        instrument_core::pool::observe_pool(
            Library::Sqlx,
            target.pool_name(),
            &observed,
            connections::<DB>,
        );
        Pool {
            inner,
            target,
            observed,
        }
    }

    /// Like [`sqlx::Pool::connect_lazy`].
    pub fn connect_lazy(url: &str) -> Result<Self, Error> {
        sqlx::Pool::connect_lazy(url).map(Self::from)
    }

    /// Like [`sqlx::Pool::connect_lazy_with`].
    pub fn connect_lazy_with(options: <DB::Connection as sqlx::Connection>::Options) -> Self {
        sqlx::Pool::connect_lazy_with(options).into()
    }

    /// Like [`sqlx::Pool::connect_options`].
    pub fn connect_options(&self) -> Arc<<DB::Connection as sqlx::Connection>::Options> {
        self.inner.connect_options()
    }

    /// Like [`sqlx::Pool::options`].
    pub fn options(&self) -> &sqlx::pool::PoolOptions<DB> {
        self.inner.options()
    }

    /// Like [`sqlx::Pool::close_event`].
    pub fn close_event(&self) -> sqlx::pool::CloseEvent {
        self.inner.close_event()
    }

    /// How much query text to record. The default is [`OTEL_RUST_SQLX_QUERY_TEXT`]'s,
    /// else [`QueryText::Sanitized`]: parameterized queries as written, others with their
    /// literals replaced by `?`.
    ///
    /// [`OTEL_RUST_SQLX_QUERY_TEXT`]: crate::OTEL_RUST_SQLX_QUERY_TEXT
    #[must_use]
    pub fn query_text(self, mode: QueryText) -> Self {
        let hooks = self.target.hooks.clone();
        self.with_target(mode, hooks)
    }

    /// The application's hooks for this pool's queries: skip some, name their spans,
    /// add attributes from each call ([`instrument_core::hooks`]). Transactions and
    /// connections from the pool use them too.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), sqlx::Error> {
    /// use instrument_core::hooks::{DbCallInfo, DbHooks};
    ///
    /// let pool = instrument_sqlx::PgPool::connect("postgres://localhost/shop")
    ///     .await?
    ///     .hooks(DbHooks::new().skip_tracing_if(|call: &DbCallInfo<'_>| {
    ///         call.query() == Some("SELECT 1")
    ///     }));
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn hooks(self, hooks: DbHooks) -> Self {
        let mode = self.target.query_text;
        self.with_target(mode, hooks)
    }

    fn with_target(self, query_text: QueryText, hooks: DbHooks) -> Self {
        Pool {
            target: Arc::new(self.target.with(query_text, hooks)),
            inner: self.inner,
            observed: self.observed,
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
    /// Its `BEGIN` span includes the wait for a connection, also recorded in the
    /// `db.client.connection.wait_time` metric.
    pub async fn begin(&self) -> Result<Transaction<'static, DB>, Error> {
        let inner = traced::begin(&self.target, &self.inner, None).await?;
        Ok(Transaction::new(inner, self.target.clone()))
    }

    /// Like [`sqlx::Pool::begin_with`]: a transaction begun by your own statement
    /// (`BEGIN ISOLATION LEVEL SERIALIZABLE`), which names its span.
    pub async fn begin_with(
        &self,
        statement: impl SqlSafeStr,
    ) -> Result<Transaction<'static, DB>, Error> {
        let statement = Some(statement.into_sql_str());
        let inner = traced::begin(&self.target, &self.inner, statement).await?;
        Ok(Transaction::new(inner, self.target.clone()))
    }

    /// Like [`sqlx::Pool::try_begin`]: a transaction only if a connection is idle now
    /// (`None` otherwise, with no span); its `BEGIN` is a span.
    pub async fn try_begin(&self) -> Result<Option<Transaction<'static, DB>>, Error> {
        let inner = traced::try_begin(&self.target, &self.inner, None).await?;
        Ok(inner.map(|inner| Transaction::new(inner, self.target.clone())))
    }

    /// Like [`sqlx::Pool::try_begin_with`]: [`try_begin`](Self::try_begin) with your own
    /// statement, which names its span.
    pub async fn try_begin_with(
        &self,
        statement: impl SqlSafeStr,
    ) -> Result<Option<Transaction<'static, DB>>, Error> {
        let statement = Some(statement.into_sql_str());
        let inner = traced::try_begin(&self.target, &self.inner, statement).await?;
        Ok(inner.map(|inner| Transaction::new(inner, self.target.clone())))
    }

    /// A connection of its own, like [`sqlx::Pool::acquire`]; `&mut conn` is a traced
    /// executor. The wait for it is an `acquire` span, and a
    /// `db.client.connection.wait_time` measurement. The future borrows nothing of the
    /// pool, as sqlx's does (it can be spawned).
    pub fn acquire(
        &self,
    ) -> impl Future<Output = Result<PoolConnection<DB>, Error>> + Send + 'static {
        let (target, pool) = (self.target.clone(), self.inner.clone());
        async move {
            let inner = traced::acquire(&target, &pool).await?;
            Ok(PoolConnection::new(inner, target))
        }
    }

    /// Like [`sqlx::Pool::set_connect_options`]: the options of the connections the pool
    /// opens from now on (a rotated password, say). The spans keep describing the
    /// server and database the pool was made for.
    pub fn set_connect_options(&self, options: <DB::Connection as sqlx::Connection>::Options) {
        self.inner.set_connect_options(options);
    }

    /// Like [`sqlx::Pool::try_acquire`]: a connection only if one is idle now.
    pub fn try_acquire(&self) -> Option<PoolConnection<DB>> {
        let inner = self.inner.try_acquire()?;
        Some(PoolConnection::new(inner, self.target.clone()))
    }
}

/// For code generic over [`sqlx::Acquire`], such as `sqlx::migrate!().run(&pool)`.
///
/// The trait requires the connection to deref to sqlx's own, so what it hands out is
/// sqlx's [`PoolConnection`](sqlx::pool::PoolConnection) and the queries run on it are not
/// traced: only the `acquire` (with its wait) and the `BEGIN` are. [`Pool::acquire`] and
/// [`Pool::begin`], which method calls reach first, give traced connections.
impl<'a, DB: Backend> sqlx::Acquire<'a> for &'_ Pool<DB> {
    type Database = DB;
    type Connection = sqlx::pool::PoolConnection<DB>;

    fn acquire(self) -> BoxFuture<'static, Result<Self::Connection, Error>> {
        let target = self.target.clone();
        let pool = self.inner.clone();
        Box::pin(async move { traced::acquire(&target, &pool).await })
    }

    fn begin(self) -> BoxFuture<'static, Result<sqlx::Transaction<'a, DB>, Error>> {
        let target = self.target.clone();
        let pool = self.inner.clone();
        Box::pin(async move { traced::begin(&target, &pool, None).await })
    }
}

impl<'p, DB: Backend> Executor<'p> for &'p Pool<DB> {
    type Database = DB;

    fn fetch_many<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> BoxStream<'e, Result<Either<DB::QueryResult, DB::Row>, Error>>
    where
        'p: 'e,
        E: 'q + Execute<'q, DB>,
    {
        traced::fetch_many_pooled::<DB, E>(&self.target, &self.inner, query)
    }

    fn fetch_optional<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> BoxFuture<'e, Result<Option<DB::Row>, Error>>
    where
        'p: 'e,
        E: 'q + Execute<'q, DB>,
    {
        traced::fetch_optional_pooled::<DB, E>(&self.target, &self.inner, query)
    }

    fn prepare_with<'e>(
        self,
        sql: SqlStr,
        parameters: &'e [<DB as Database>::TypeInfo],
    ) -> BoxFuture<'e, Result<DB::Statement, Error>>
    where
        'p: 'e,
    {
        // As sqlx's pool does: on a connection of its own.
        let pool = self.inner.clone();
        Box::pin(async move {
            let mut connection = pool.acquire().await?;
            DB::connection_prepare_with(&mut connection, sql, parameters).await
        })
    }

    fn describe<'e>(
        self,
        sql: SqlStr,
    ) -> BoxFuture<'e, Result<sqlx_core::describe::Describe<DB>, Error>>
    where
        'p: 'e,
    {
        let pool = self.inner.clone();
        Box::pin(async move {
            let mut connection = pool.acquire().await?;
            DB::connection_describe(&mut connection, sql).await
        })
    }
}

/// A sqlx pool's connections, for the connection metrics.
fn connections<DB: Backend>(pool: &sqlx::Pool<DB>) -> instrument_core::pool::PoolConnections {
    let open = u64::from(pool.size());
    let idle = u64::try_from(pool.num_idle()).unwrap_or(u64::MAX).min(open);
    instrument_core::pool::PoolConnections {
        idle,
        used: open - idle,
        max: u64::from(pool.options().get_max_connections()),
    }
}
