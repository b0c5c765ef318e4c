//! What a tokio-postgres failure means for the span.

use instrument_core::{CallSpan, ErrorInfo};

/// `db.response.status_code` (the SQLSTATE) and `error.type`. The message is the
/// error's own text, `DETAIL` and `HINT` included, with the values the server quotes
/// (`Key (email)=(…) already exists`) masked by core; a message PL/pgSQL's `RAISE` or
/// `ASSERT` wrote is not recorded.
fn error_info(error: &tokio_postgres::Error) -> ErrorInfo<'static> {
    if let Some(db) = error.as_db_error() {
        let info = ErrorInfo::new()
            .status_code(db.code().code().to_owned())
            .message(server_message(db));
        return if instrument_core::redact::is_raise_routine(db.routine()) {
            info.raised_by_application()
        } else {
            info
        };
    }
    if let Some(code) = error.code() {
        return ErrorInfo::new().status_code(code.code().to_owned());
    }
    if error.is_closed() {
        return ErrorInfo::new().error_type("connection_closed");
    }
    let io = std::error::Error::source(error).is_some_and(|source| source.is::<std::io::Error>());
    if io {
        return ErrorInfo::new().error_type("io");
    }
    ErrorInfo::new()
}

/// The server's error as tokio-postgres writes it (`ERROR: ...`, `DETAIL: ...`, `HINT:
/// ...`; its own `db error` says nothing), each part made a field no value inside can
/// break out of (see [`database_error_field`](instrument_core::redact::database_error_field)).
fn server_message(db: &tokio_postgres::error::DbError) -> String {
    use instrument_core::redact::database_error_field as field;
    let mut message = format!("{}: {}", db.severity(), field(db.message()));
    for (label, part) in [("DETAIL", db.detail()), ("HINT", db.hint())] {
        if let Some(part) = part {
            message.push('\n');
            message.push_str(label);
            message.push_str(": ");
            message.push_str(&field(part));
        }
    }
    message
}

/// Records a failure.
pub(crate) fn record_error(error: &tokio_postgres::Error, span: &CallSpan) {
    span.record_error(error, error_info(error));
}

/// Records the outcome of a call whose success says nothing more.
pub(crate) fn record_result<T>(output: &Result<T, tokio_postgres::Error>, span: &CallSpan) {
    if let Err(error) = output {
        record_error(error, span);
    }
}

/// Watches a row stream: counts the rows (`db.response.returned_rows`, recorded when the
/// stream ends or is dropped) and records the first error with its SQLSTATE.
#[derive(Debug, Default)]
pub(crate) struct RowObserver {
    rows: u64,
    failed: bool,
}

impl instrument_core::ObserveEnd for RowObserver {
    fn end(&mut self, span: &CallSpan) {
        span.record_returned_rows(self.rows);
    }
}

impl instrument_core::ObserveItems<Result<tokio_postgres::Row, tokio_postgres::Error>>
    for RowObserver
{
    fn item(&mut self, item: &Result<tokio_postgres::Row, tokio_postgres::Error>, span: &CallSpan) {
        match item {
            Ok(_) => self.rows += 1,
            Err(error) if !self.failed => {
                self.failed = true;
                record_error(error, span);
            }
            Err(_) => {}
        }
    }
}
