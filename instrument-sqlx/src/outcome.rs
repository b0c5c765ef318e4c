//! What a sqlx result means for the span.

use instrument_core::{CallSpan, ErrorInfo, ObserveEnd, ObserveItems};
use sqlx::Either;

/// `db.response.status_code` (the database's own code: SQLSTATE for PostgreSQL, the
/// error number for MySQL and MariaDB, the result code for SQLite) and `error.type`.
pub(crate) fn error_info(error: &sqlx::Error) -> ErrorInfo<'static> {
    let name = match error {
        sqlx::Error::Database(database) => {
            // MySQL and MariaDB: the error number (1062), not the SQLSTATE sqlx reports.
            #[cfg(feature = "mysql")]
            if let Some(mysql) = database.try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>() {
                return ErrorInfo::new().status_code(mysql.number().to_string());
            }
            return match database.code() {
                Some(code) => ErrorInfo::new().status_code(code.into_owned()),
                None => ErrorInfo::new().error_type("database"),
            };
        }
        sqlx::Error::Io(error) if error.kind() == std::io::ErrorKind::TimedOut => "timeout",
        sqlx::Error::Io(_) => "io",
        sqlx::Error::Tls(_) => "tls",
        sqlx::Error::Protocol(_) => "protocol",
        sqlx::Error::PoolTimedOut => "pool_timed_out",
        sqlx::Error::PoolClosed => "pool_closed",
        sqlx::Error::WorkerCrashed => "worker_crashed",
        sqlx::Error::RowNotFound => "row_not_found",
        sqlx::Error::ColumnNotFound(_) | sqlx::Error::ColumnIndexOutOfBounds { .. } => "column",
        sqlx::Error::ColumnDecode { .. } | sqlx::Error::Decode(_) => "decode",
        sqlx::Error::Encode(_) => "encode",
        _ => "_OTHER",
    };
    ErrorInfo::new().error_type(name)
}

/// Records a failure.
pub(crate) fn record_error(error: &sqlx::Error, span: &CallSpan) {
    span.record_error(error, error_info(error));
}

/// Watches `fetch_many`: rows are counted (`db.response.returned_rows`, recorded when
/// the stream ends or is dropped), the first error fails the span.
#[derive(Debug, Default)]
pub(crate) struct StepObserver {
    rows: u64,
    failed: bool,
}

impl ObserveEnd for StepObserver {
    fn end(&mut self, span: &CallSpan) {
        span.record_returned_rows(self.rows);
    }
}

impl<R, T> ObserveItems<Result<Either<R, T>, sqlx::Error>> for StepObserver {
    fn item(&mut self, item: &Result<Either<R, T>, sqlx::Error>, span: &CallSpan) {
        match item {
            Ok(Either::Right(_)) => self.rows += 1,
            Ok(Either::Left(_)) => {}
            Err(error) if !self.failed => {
                self.failed = true;
                record_error(error, span);
            }
            Err(_) => {}
        }
    }
}
