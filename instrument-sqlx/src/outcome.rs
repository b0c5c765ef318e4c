//! What a sqlx result means for the span.

use std::marker::PhantomData;

use instrument_core::{CallSpan, ErrorInfo, ObserveEnd, ObserveItems};
use sqlx::Either;

use crate::backend::Backend;

/// `db.response.status_code` (the database's own code: SQLSTATE for PostgreSQL, the
/// error number for MySQL and MariaDB, the result code for SQLite) and `error.type`.
pub(crate) fn error_info(error: &sqlx::Error) -> ErrorInfo<'static> {
    let name = match error {
        sqlx::Error::Database(database) => {
            // sqlx's text of it (its source says the same), one field whose line breaks
            // no value can use to pass for a part of the error.
            let info = ErrorInfo::new().message(
                instrument_core::redact::database_error_field(&error.to_string()).into_owned(),
            );
            // MySQL and MariaDB: the error number (1062), not the SQLSTATE sqlx reports.
            #[cfg(feature = "mysql")]
            if let Some(mysql) = database.try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>() {
                let info = info.status_code(mysql.number().to_string());
                // SQLSTATE class 45: `SIGNAL`, whatever error number it set.
                return if mysql.code().is_some_and(|state| state.starts_with("45")) {
                    info.raised_by_application()
                } else {
                    info
                };
            }
            let info = match database.code() {
                Some(code) => info.status_code(code.into_owned()),
                None => info.error_type("database"),
            };
            // PL/pgSQL's `RAISE` and `ASSERT` write the application's own message, with
            // any SQLSTATE it chose.
            #[cfg(feature = "postgres")]
            if let Some(postgres) = database.try_downcast_ref::<sqlx::postgres::PgDatabaseError>()
                && instrument_core::redact::is_raise_routine(postgres.routine())
            {
                return info.raised_by_application();
            }
            return info;
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
/// the stream ends or is dropped), so are the rows a modifying statement changed
/// (`db.response.affected_rows`, from the statement results), and the first error
/// fails the span.
#[derive(Debug)]
pub(crate) struct StepObserver<DB> {
    rows: u64,
    affected: u64,
    /// Does the statement change rows (`INSERT`, `UPDATE`, ...)? Only then are the
    /// results' counts affected rows (PostgreSQL also counts the rows a `SELECT` read).
    modifies: bool,
    failed: bool,
    database: PhantomData<fn() -> DB>,
}

impl<DB> StepObserver<DB> {
    pub(crate) fn new(modifies: bool) -> Self {
        StepObserver {
            rows: 0,
            affected: 0,
            modifies,
            failed: false,
            database: PhantomData,
        }
    }
}

impl<DB> ObserveEnd for StepObserver<DB> {
    fn end(&mut self, span: &CallSpan) {
        span.record_returned_rows(self.rows);
        if self.modifies {
            span.record_affected_rows(self.affected);
        }
    }
}

impl<DB: Backend> ObserveItems<Result<Either<DB::QueryResult, DB::Row>, sqlx::Error>>
    for StepObserver<DB>
{
    fn item(
        &mut self,
        item: &Result<Either<DB::QueryResult, DB::Row>, sqlx::Error>,
        span: &CallSpan,
    ) {
        match item {
            Ok(Either::Right(_)) => self.rows += 1,
            Ok(Either::Left(result)) => self.affected += DB::query_result_rows_affected(result),
            Err(error) if !self.failed => {
                self.failed = true;
                record_error(error, span);
            }
            Err(_) => {}
        }
    }
}
