//! [`Client`]: a tokio-postgres client whose calls are spans.

use std::sync::Arc;

use instrument_core::QueryText;
use tokio_postgres::Error;

use crate::methods::query_methods;
use crate::target::Target;
use crate::transaction::{Transaction, TransactionBuilder};

/// A drop-in for [`tokio_postgres::Client`]: the methods people use, with the same
/// signatures (statements are this crate's sealed [`ToStatement`](crate::ToStatement):
/// text, or a statement prepared through it or through tokio-postgres), returning
/// tokio-postgres's own rows and errors, each call a CLIENT span. Made by
/// [`connect`](crate::connect), [`Config::connect`](crate::Config::connect) or
/// [`Client::new`].
///
/// It does not deref to the tokio-postgres client (calls there would escape the
/// tracing); [`inner`](Self::inner) is the explicit way.
#[derive(Debug)]
pub struct Client {
    inner: Inner,
    target: Arc<Target>,
}

/// The client itself, or a pool's hold on one.
#[derive(Debug)]
enum Inner {
    Direct(tokio_postgres::Client),
    #[cfg(feature = "deadpool")]
    Pooled(deadpool_postgres::Object),
}

impl Client {
    /// Wraps a client connected elsewhere with `config`, which says what its spans
    /// record as the database and server.
    pub fn new(inner: tokio_postgres::Client, config: &tokio_postgres::Config) -> Self {
        Client {
            inner: Inner::Direct(inner),
            target: Arc::new(Target::from_config(config)),
        }
    }

    /// A pooled client, returned to its pool when dropped.
    #[cfg(feature = "deadpool")]
    pub(crate) fn pooled(inner: deadpool_postgres::Object, target: Arc<Target>) -> Self {
        Client {
            inner: Inner::Pooled(inner),
            target,
        }
    }

    /// How much query text to record. The default is
    /// [`OTEL_RUST_TOKIO_POSTGRES_QUERY_TEXT`](crate::OTEL_RUST_TOKIO_POSTGRES_QUERY_TEXT)'s,
    /// else [`QueryText::Sanitized`]: queries with parameters as written, others with
    /// their literals replaced by `?`.
    #[must_use]
    pub fn query_text(mut self, mode: QueryText) -> Self {
        self.target = Arc::new(self.target.with_query_text(mode));
        self
    }

    /// The application's hooks for this client's calls: skip some, name their spans,
    /// add attributes from each call ([`instrument_core::hooks`]). Its transactions use
    /// them too.
    #[must_use]
    pub fn hooks(mut self, hooks: instrument_core::hooks::DbHooks) -> Self {
        self.target = Arc::new(self.target.with_hooks(hooks));
        self
    }

    #[inline]
    fn raw(&self) -> &tokio_postgres::Client {
        match &self.inner {
            Inner::Direct(client) => client,
            #[cfg(feature = "deadpool")]
            Inner::Pooled(object) => object,
        }
    }

    #[inline]
    fn raw_mut(&mut self) -> &mut tokio_postgres::Client {
        match &mut self.inner {
            Inner::Direct(client) => client,
            #[cfg(feature = "deadpool")]
            Inner::Pooled(object) => object,
        }
    }

    #[inline]
    fn target(&self) -> &Target {
        &self.target
    }

    query_methods!();

    /// Like [`tokio_postgres::Client::query_scalar`]: the first column of each row (an
    /// error unless rows have exactly one column), as a span recording the rows.
    pub fn query_scalar<R, T>(
        &self,
        statement: &T,
        params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> impl Future<Output = Result<Vec<R>, Error>>
    where
        R: tokio_postgres::types::FromSqlOwned,
        T: ?Sized + crate::ToStatement,
    {
        crate::traced::call(
            self.raw().query_scalar(statement.raw_statement(), params),
            move || self.target().query_span(statement.sql(), params.len()),
            |values: &Vec<R>, span| span.record_returned_rows(values.len() as u64),
        )
    }

    /// Like [`tokio_postgres::Client::query_one_scalar`]: exactly one row of one column.
    pub fn query_one_scalar<R, T>(
        &self,
        statement: &T,
        params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> impl Future<Output = Result<R, Error>>
    where
        R: tokio_postgres::types::FromSqlOwned,
        T: ?Sized + crate::ToStatement,
    {
        crate::traced::call(
            self.raw()
                .query_one_scalar(statement.raw_statement(), params),
            move || self.target().query_span(statement.sql(), params.len()),
            |_, span| span.record_returned_rows(1),
        )
    }

    /// Like [`tokio_postgres::Client::query_opt_scalar`]: at most one row of one column.
    pub fn query_opt_scalar<R, T>(
        &self,
        statement: &T,
        params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> impl Future<Output = Result<Option<R>, Error>>
    where
        R: tokio_postgres::types::FromSqlOwned,
        T: ?Sized + crate::ToStatement,
    {
        crate::traced::call(
            self.raw()
                .query_opt_scalar(statement.raw_statement(), params),
            move || self.target().query_span(statement.sql(), params.len()),
            |value: &Option<R>, span| span.record_returned_rows(u64::from(value.is_some())),
        )
    }

    /// Like deadpool-postgres's `prepare_cached`: the statement from the pooled
    /// connection's cache, prepared the first time. Not a span of its own (most calls
    /// find the statement cached, with no work to show), but its statement carries its
    /// text, so the queries that use it are named and described as any. A client made
    /// from a tokio-postgres client, which has no cache, prepares it as
    /// [`prepare`](Self::prepare) does.
    #[cfg(feature = "deadpool")]
    pub async fn prepare_cached(&self, query: &str) -> Result<crate::Statement, Error> {
        self.prepare_typed_cached(query, &[]).await
    }

    /// Like deadpool-postgres's `prepare_typed_cached`; see
    /// [`prepare_cached`](Self::prepare_cached).
    #[cfg(feature = "deadpool")]
    pub async fn prepare_typed_cached(
        &self,
        query: &str,
        types: &[tokio_postgres::types::Type],
    ) -> Result<crate::Statement, Error> {
        match &self.inner {
            Inner::Pooled(object) => object
                .prepare_typed_cached(query, types)
                .await
                .map(|statement| crate::Statement::new(statement, query)),
            Inner::Direct(_) => self.prepare_typed(query, types).await,
        }
    }

    /// Begins a transaction, like tokio-postgres's, as a span of the `START TRANSACTION`
    /// it sends.
    pub async fn transaction(&mut self) -> Result<Transaction<'_>, Error> {
        let target = self.target.clone();
        let inner = crate::traced::call(
            self.raw_mut().transaction(),
            || target.statement_span("START TRANSACTION"),
            crate::traced::nothing,
        )
        .await?;
        Ok(Transaction::new(inner, target))
    }

    /// A transaction with settings (isolation level, read only, deferrable), like
    /// tokio-postgres's; its start is a span.
    pub fn build_transaction(&mut self) -> TransactionBuilder<'_> {
        let target = self.target.clone();
        TransactionBuilder::new(self.raw_mut().build_transaction(), target)
    }

    /// Like [`tokio_postgres::Client::check_connection`]: a round trip, not traced.
    pub async fn check_connection(&self) -> Result<(), Error> {
        self.raw().check_connection().await
    }

    /// Like [`tokio_postgres::Client::clear_type_cache`].
    pub fn clear_type_cache(&self) {
        self.raw().clear_type_cache();
    }

    /// Like [`tokio_postgres::Client::is_closed`].
    pub fn is_closed(&self) -> bool {
        self.raw().is_closed()
    }

    /// The tokio-postgres client: calls made on it directly are not traced.
    pub fn inner(&self) -> &tokio_postgres::Client {
        self.raw()
    }

    /// The pool's object, for a client from a deadpool-postgres
    /// [`Pool`](crate::deadpool::Pool) (`None` otherwise): calls made on it directly
    /// are not traced (its statement cache is reached traced through
    /// [`prepare_cached`](Self::prepare_cached)).
    #[cfg(feature = "deadpool")]
    pub fn pool_object(&self) -> Option<&deadpool_postgres::Object> {
        match &self.inner {
            Inner::Pooled(object) => Some(object),
            Inner::Direct(_) => None,
        }
    }
}
