//! Running one call inside its span, or, switched off, as tokio-postgres's own future.

use std::future::Future;

use instrument_core::{CallSpan, Traced};
use tokio_postgres::Error;

use crate::outcome;

/// Runs `call` inside the span `span` makes, recording its outcome with `record`; when
/// tokio-postgres calls are not traced, just runs it.
pub(crate) async fn call<T>(
    span: impl FnOnce() -> CallSpan,
    call: impl Future<Output = Result<T, Error>>,
    record: impl FnOnce(&T, &CallSpan),
) -> Result<T, Error> {
    if !instrument_core::recording(instrument_core::Library::TokioPostgres) {
        return call.await;
    }
    let record = recorder(&call, record);
    Traced::new(span(), call, record).await
}

/// Records the outcome of `call`: `record` with its value, or its error (`call` only
/// names the output's type).
#[inline]
pub(crate) fn recorder<T, C, R>(
    _call: &C,
    record: R,
) -> impl FnOnce(&Result<T, Error>, &CallSpan) + use<T, C, R>
where
    C: Future<Output = Result<T, Error>>,
    R: FnOnce(&T, &CallSpan),
{
    |output: &Result<T, Error>, span: &CallSpan| match output {
        Ok(value) => record(value, span),
        Err(error) => outcome::record_error(error, span),
    }
}

/// A query method's body, the raw call written once: `$call` (the tokio-postgres
/// future) itself, switched off; else inside the span `$span` (a closure) makes on the
/// first poll, its outcome recorded with `$record` ([`LazyTraced`]).
macro_rules! traced_call {
    ($call:expr, $span:expr, $record:expr $(,)?) => {{
        let call = $call;
        if instrument_core::recording(instrument_core::Library::TokioPostgres) {
            let record = $crate::traced::recorder(&call, $record);
            instrument_core::LazyTraced::new(call, $span, record)
        } else {
            instrument_core::LazyTraced::switched_off(call)
        }
    }};
}
pub(crate) use traced_call;

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
