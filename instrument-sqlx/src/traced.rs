//! The traced calls, shared by every executor this crate hands out (pool, transaction).

use std::future::Future;
use std::time::Instant;

use futures_core::future::BoxFuture;
use futures_util::TryStreamExt as _;
use instrument_core::hooks::DbHooks;
use instrument_core::{CallSpan, DbCall, Library, OwnedText, QueryText, Traced, TracedStream};
use sqlx::pool::PoolConnection;
use sqlx::{Error, Execute};
use sqlx_core::ext::async_stream::TryAsyncStream;
use sqlx_core::sql_str::SqlStr;

use crate::backend::{Backend, Endpoint, Steps};
use crate::described::Described;
use crate::outcome::{self, StepObserver};

/// Where a pool's queries go and how much of them to record; shared by its transactions.
#[derive(Debug)]
pub(crate) struct Target {
    pub(crate) system: instrument_core::DbSystem,
    /// `db.namespace` and `server.address`, interned once when there is room: recorded
    /// without a lookup per call.
    namespace: Option<OwnedText>,
    server: Option<(OwnedText, Option<u16>)>,
    pub(crate) query_text: QueryText,
    pub(crate) hooks: DbHooks,
}

impl Target {
    pub(crate) fn new(
        system: instrument_core::DbSystem,
        endpoint: Endpoint,
        query_text: QueryText,
        hooks: DbHooks,
    ) -> Self {
        Target {
            system,
            namespace: endpoint.namespace.map(OwnedText::new),
            server: endpoint
                .server
                .map(|(address, port)| (OwnedText::new(address), port)),
            query_text,
            hooks,
        }
    }

    /// This target, with another query-text setting and hooks.
    pub(crate) fn with(&self, query_text: QueryText, hooks: DbHooks) -> Self {
        Target {
            system: self.system,
            namespace: self.namespace.clone(),
            server: self.server.clone(),
            query_text,
            hooks,
        }
    }

    /// The pool's `db.client.connection.pool.name`.
    pub(crate) fn pool_name(&self) -> String {
        self.call().pool_name()
    }

    fn call(&self) -> DbCall<'_> {
        let mut call = DbCall::new(Library::Sqlx, self.system)
            .query_text(self.query_text)
            .hooks(&self.hooks);
        if let Some(namespace) = &self.namespace {
            call = call.namespace(namespace);
        }
        if let Some((address, port)) = &self.server {
            call = call.server(address, *port);
        }
        call
    }

    /// The span of one query; a script (`sqlx::raw_sql`, no argument list) may hold
    /// several statements, and is then a batch.
    pub(crate) fn query_span<DB: Backend>(&self, query: &Described<DB>) -> CallSpan {
        if query.is_script() {
            return self.call().sql_script(query.text()).start();
        }
        self.call()
            .sql(query.text(), query.has_bind_arguments())
            .start()
    }

    /// The span of a transaction statement sqlx sends itself (`BEGIN`, `COMMIT`, ...).
    pub(crate) fn statement_span(&self, statement: &str) -> CallSpan {
        self.call().sql(statement, true).start()
    }

    /// The span of a transaction's start: sqlx's `BEGIN`, or the caller's own statement
    /// (`begin_with`), which may carry literals.
    pub(crate) fn begin_span(&self, statement: Option<&str>) -> CallSpan {
        match statement {
            None => self.statement_span("BEGIN"),
            Some(statement) => self.call().sql(statement, false).start(),
        }
    }
}

/// `fetch_many` on `connection`, as a span that lasts until the stream ends or is dropped.
pub(crate) fn fetch_many<'e, 'q, DB, E>(
    target: &Target,
    connection: &'e mut DB::Connection,
    query: E,
) -> Steps<'e, DB>
where
    'q: 'e,
    DB: Backend,
    E: 'q + Execute<'q, DB>,
{
    if !instrument_core::recording(Library::Sqlx) {
        return DB::connection_fetch_many(connection, query);
    }
    let query = Described::take(query);
    let span = target.query_span(&query);
    let observer = StepObserver::<DB>::new(query.modifies_rows());
    Box::pin(TracedStream::new(
        span,
        DB::connection_fetch_many(connection, query),
        observer,
    ))
}

/// `fetch_optional` on `connection`, as a span.
pub(crate) fn fetch_optional<'e, 'q, DB, E>(
    target: &Target,
    connection: &'e mut DB::Connection,
    query: E,
) -> BoxFuture<'e, Result<Option<DB::Row>, Error>>
where
    'q: 'e,
    DB: Backend,
    E: 'q + Execute<'q, DB>,
{
    if !instrument_core::recording(Library::Sqlx) {
        return DB::connection_fetch_optional(connection, query);
    }
    let query = Described::take(query);
    let span = target.query_span(&query);
    Box::pin(Traced::new(
        span,
        DB::connection_fetch_optional(connection, query),
        record_optional_row::<DB>,
    ))
}

/// Runs a transaction statement (`BEGIN`, `COMMIT`, `ROLLBACK`) inside its span.
pub(crate) async fn statement<T>(
    target: &Target,
    text: &str,
    call: impl Future<Output = Result<T, Error>>,
) -> Result<T, Error> {
    in_span(|| target.statement_span(text), call).await
}

/// `call` inside the span `span` makes, its error recorded; `call` alone when sqlx
/// calls are not traced.
pub(crate) async fn in_span<T>(
    span: impl FnOnce() -> CallSpan,
    call: impl Future<Output = Result<T, Error>>,
) -> Result<T, Error> {
    if !instrument_core::recording(Library::Sqlx) {
        return call.await;
    }
    statement_in(span(), call).await
}

async fn statement_in<T>(
    span: CallSpan,
    call: impl Future<Output = Result<T, Error>>,
) -> Result<T, Error> {
    Traced::new(span, call, |output: &Result<T, Error>, span: &CallSpan| {
        if let Err(error) = output {
            outcome::record_error(error, span);
        }
    })
    .await
}

/// A connection from `pool`, with the time spent waiting for it recorded on `span`.
async fn acquire_recording_wait<DB: Backend>(
    pool: &sqlx::Pool<DB>,
    span: &CallSpan,
) -> Result<PoolConnection<DB>, Error> {
    let asked = Instant::now();
    let acquired = pool.acquire().await;
    span.record_connection_wait(asked.elapsed());
    if let Err(Error::PoolTimedOut) = &acquired {
        span.record_connection_timeout();
    }
    acquired
}

/// `fetch_many` on a pool: as sqlx's pool does it (a connection, then the query on it),
/// with the wait for the connection recorded on the query's span.
pub(crate) fn fetch_many_pooled<'e, 'q, DB, E>(
    target: &Target,
    pool: &'e sqlx::Pool<DB>,
    query: E,
) -> Steps<'e, DB>
where
    'q: 'e,
    DB: Backend,
    E: 'q + Execute<'q, DB>,
{
    if !instrument_core::recording(Library::Sqlx) {
        return DB::pool_fetch_many(pool, query);
    }
    let query = Described::take(query);
    let span = target.query_span(&query);
    let observer = StepObserver::<DB>::new(query.modifies_rows());
    let pool = pool.clone();
    let waiting = span.clone();
    // sqlx's own generator-style stream, the one its pool executor uses: the connection
    // lives inside the stream, so its steps can borrow it.
    let steps = TryAsyncStream::new(move |yielder| async move {
        let mut connection = acquire_recording_wait(&pool, &waiting).await?;
        let mut steps = DB::connection_fetch_many(&mut connection, query);
        while let Some(step) = steps.try_next().await? {
            yielder.r#yield(step).await;
        }
        Ok(())
    });
    Box::pin(TracedStream::new(span, steps, observer))
}

/// `fetch_optional` on a pool, recording the wait for the connection.
pub(crate) fn fetch_optional_pooled<'e, 'q, DB, E>(
    target: &Target,
    pool: &'e sqlx::Pool<DB>,
    query: E,
) -> BoxFuture<'e, Result<Option<DB::Row>, Error>>
where
    'q: 'e,
    DB: Backend,
    E: 'q + Execute<'q, DB>,
{
    if !instrument_core::recording(Library::Sqlx) {
        return DB::pool_fetch_optional(pool, query);
    }
    let query = Described::take(query);
    let span = target.query_span(&query);
    let waiting = span.clone();
    let call = async move {
        let mut connection = acquire_recording_wait(pool, &waiting).await?;
        DB::connection_fetch_optional(&mut connection, query).await
    };
    Box::pin(Traced::new(span, call, record_optional_row::<DB>))
}

fn record_optional_row<DB: Backend>(output: &Result<Option<DB::Row>, Error>, span: &CallSpan) {
    match output {
        Ok(row) => span.record_returned_rows(u64::from(row.is_some())),
        Err(error) => outcome::record_error(error, span),
    }
}

/// `pool.acquire()` as an `acquire` span recording the wait.
pub(crate) async fn acquire<DB: Backend>(
    target: &Target,
    pool: &sqlx::Pool<DB>,
) -> Result<PoolConnection<DB>, Error> {
    if !instrument_core::recording(Library::Sqlx) {
        return pool.acquire().await;
    }
    let span = target.call().start_acquire();
    let waiting = span.clone();
    statement_in(span, acquire_recording_wait(pool, &waiting)).await
}

/// `pool.try_begin()` (or `try_begin_with`): a connection only if one is idle now, and
/// then its `BEGIN` as a span; nothing when none is.
pub(crate) async fn try_begin<DB: Backend>(
    target: &Target,
    pool: &sqlx::Pool<DB>,
    statement: Option<SqlStr>,
) -> Result<Option<sqlx::Transaction<'static, DB>>, Error> {
    let Some(connection) = pool.try_acquire() else {
        return Ok(None);
    };
    let text = statement.clone();
    let begin = sqlx::Transaction::begin(connection, statement);
    in_span(
        || target.begin_span(text.as_ref().map(SqlStr::as_str)),
        begin,
    )
    .await
    .map(Some)
}

/// `pool.begin()` (or `begin_with`) as a `BEGIN` span that includes, and records, the
/// wait for the connection.
pub(crate) async fn begin<DB: Backend>(
    target: &Target,
    pool: &sqlx::Pool<DB>,
    statement: Option<SqlStr>,
) -> Result<sqlx::Transaction<'static, DB>, Error> {
    if !instrument_core::recording(Library::Sqlx) {
        return match statement {
            None => pool.begin().await,
            Some(statement) => pool.begin_with(statement).await,
        };
    }
    let span = target.begin_span(statement.as_ref().map(SqlStr::as_str));
    let waiting = span.clone();
    statement_in(span, async move {
        let connection = acquire_recording_wait(pool, &waiting).await?;
        // What `sqlx::Pool::begin` runs after its own acquire; hidden from sqlx's docs but
        // public, and the only way to begin on a connection we acquired (and timed).
        sqlx::Transaction::begin(connection, statement).await
    })
    .await
}
