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
