//! Running one call inside its span.

use std::future::Future;

use instrument_core::{CallSpan, Library, Traced};
use tokio_postgres::Error;

use crate::outcome;

/// Runs `call` inside the span `span` makes, recording its outcome with `record`; when
/// tokio-postgres calls are not traced, just runs it.
pub(crate) async fn call<T>(
    span: impl FnOnce() -> CallSpan,
    call: impl Future<Output = Result<T, Error>>,
    record: impl FnOnce(&T, &CallSpan),
) -> Result<T, Error> {
    if !instrument_core::recording(Library::TokioPostgres) {
        return call.await;
    }
    Traced::new(
        span(),
        call,
        |output: &Result<T, Error>, span: &CallSpan| match output {
            Ok(value) => record(value, span),
            Err(error) => outcome::record_error(error, span),
        },
    )
    .await
}

/// A query method's body, the raw call written once: switched off, that call awaited in
/// place, with no future of ours around it; else the call inside the span `$span`
/// makes, its outcome recorded with `$record`. `$call` is the tokio-postgres future; a
/// method that takes a statement names it and the call made with its tokio-postgres
/// form (`statement, |s| self.raw().query(s, params)`).
macro_rules! traced_call {
    ($statement:ident, |$s:ident| $body:expr, $span:expr, $record:expr $(,)?) => {
        if instrument_core::recording(instrument_core::Library::TokioPostgres) {
            $crate::traced::call(
                $span,
                async { $crate::statement::with_statement!($statement, |$s| $body.await) },
                $record,
            )
            .await
        } else {
            $crate::statement::with_statement!($statement, |$s| $body.await)
        }
    };
    ($call:expr, $span:expr, $record:expr $(,)?) => {
        if instrument_core::recording(instrument_core::Library::TokioPostgres) {
            $crate::traced::call($span, $call, $record).await
        } else {
            $call.await
        }
    };
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
