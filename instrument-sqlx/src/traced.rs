//! The traced calls, shared by every executor this crate hands out (pool, transaction).

use futures_core::future::BoxFuture;
use futures_core::stream::BoxStream;
use instrument_core::{CallSpan, DbCall, Library, QueryText, Traced, TracedStream};
use sqlx::{Either, Error, Execute, Executor};

use crate::backend::{Backend, Endpoint};
use crate::described::Described;
use crate::outcome::{self, StepObserver};

/// Where a pool's queries go and how much of them to record; shared by its transactions.
#[derive(Debug)]
pub(crate) struct Target {
    pub(crate) system: instrument_core::DbSystem,
    pub(crate) endpoint: Endpoint,
    pub(crate) query_text: QueryText,
}

impl Target {
    fn call(&self) -> DbCall<'_> {
        let mut call = DbCall::new(Library::Sqlx, self.system).query_text(self.query_text);
        if let Some(namespace) = &self.endpoint.namespace {
            call = call.namespace(namespace);
        }
        if let Some((address, port)) = &self.endpoint.server {
            call = call.server(address, *port);
        }
        call
    }

    /// The span of one query.
    pub(crate) fn query_span<DB: Backend>(&self, query: &Described<DB>) -> CallSpan {
        self.call()
            .sql(query.text(), query.has_bind_arguments())
            .start()
    }

    /// The span of a transaction statement sqlx sends itself (`BEGIN`, `COMMIT`, `ROLLBACK`).
    pub(crate) fn statement_span(&self, statement: &'static str) -> CallSpan {
        self.call().sql(statement, true).start()
    }
}

/// What `Executor::fetch_many` yields: statement results and rows.
pub(crate) type Steps<'e, DB> = BoxStream<
    'e,
    Result<Either<<DB as sqlx::Database>::QueryResult, <DB as sqlx::Database>::Row>, Error>,
>;

/// `fetch_many` through `executor`, as a span that lasts until the stream ends or is dropped.
pub(crate) fn fetch_many<'c, 'e, 'q, DB, X, E>(
    target: &Target,
    executor: X,
    query: E,
) -> Steps<'e, DB>
where
    'c: 'e,
    'q: 'e,
    DB: Backend,
    X: Executor<'c, Database = DB>,
    E: 'q + Execute<'q, DB>,
{
    if !instrument_core::recording(Library::Sqlx) {
        return executor.fetch_many(query);
    }
    let query = Described::take(query);
    let span = target.query_span(&query);
    Box::pin(TracedStream::new(
        span,
        executor.fetch_many(query),
        StepObserver::default(),
    ))
}

/// `fetch_optional` through `executor`, as a span.
pub(crate) fn fetch_optional<'c, 'e, 'q, DB, X, E>(
    target: &Target,
    executor: X,
    query: E,
) -> BoxFuture<'e, Result<Option<DB::Row>, Error>>
where
    'c: 'e,
    'q: 'e,
    DB: Backend,
    X: Executor<'c, Database = DB>,
    E: 'q + Execute<'q, DB>,
{
    if !instrument_core::recording(Library::Sqlx) {
        return executor.fetch_optional(query);
    }
    let query = Described::take(query);
    let span = target.query_span(&query);
    Box::pin(Traced::new(
        span,
        executor.fetch_optional(query),
        |output: &Result<Option<DB::Row>, Error>, span: &CallSpan| match output {
            Ok(row) => span.record_returned_rows(u64::from(row.is_some())),
            Err(error) => outcome::record_error(error, span),
        },
    ))
}

/// Runs a transaction statement (`COMMIT`, `ROLLBACK`) inside its span.
pub(crate) async fn statement<T>(
    target: &Target,
    name: &'static str,
    call: impl std::future::Future<Output = Result<T, Error>>,
) -> Result<T, Error> {
    if !instrument_core::recording(Library::Sqlx) {
        return call.await;
    }
    let span = target.statement_span(name);
    Traced::new(span, call, |output: &Result<T, Error>, span: &CallSpan| {
        if let Err(error) = output {
            outcome::record_error(error, span);
        }
    })
    .await
}
