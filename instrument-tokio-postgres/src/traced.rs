//! Running one call inside its span, or, switched off, as tokio-postgres's own future.

use std::future::Future;

use instrument_core::{CallSpan, LazyTraced};
use tokio_postgres::Error;

use crate::outcome;

/// `call` (a tokio-postgres future) inside the span `span` makes at its first poll, its
/// value recorded with `record` and its error as this crate records errors; when
/// tokio-postgres calls are not traced, `call` itself behind one test per poll
/// ([`LazyTraced`]).
#[inline]
pub(crate) fn call<T, C, S, R>(
    call: C,
    span: S,
    record: R,
) -> impl Future<Output = Result<T, Error>>
where
    C: Future<Output = Result<T, Error>>,
    S: FnOnce() -> CallSpan,
    R: FnOnce(&T, &CallSpan),
{
    let record = |output: &Result<T, Error>, span: &CallSpan| match output {
        Ok(value) => record(value, span),
        Err(error) => outcome::record_error(error, span),
    };
    if instrument_core::recording(instrument_core::Library::TokioPostgres) {
        LazyTraced::new(call, span, record)
    } else {
        LazyTraced::switched_off(call)
    }
}

/// Records nothing beyond success.
pub(crate) fn nothing<T>(_: &T, _: &CallSpan) {}

/// Records the number of rows returned.
#[allow(clippy::ptr_arg)] // a recorder takes `&T` of the call's output, here `Vec<Row>`
pub(crate) fn rows(rows: &Vec<tokio_postgres::Row>, span: &CallSpan) {
    span.record_returned_rows(rows.len() as u64);
}

/// Records the number of rows an `execute` changed.
pub(crate) fn affected(rows: &u64, span: &CallSpan) {
    span.record_affected_rows(*rows);
}
