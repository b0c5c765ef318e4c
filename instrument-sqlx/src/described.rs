//! A query taken apart before it is sent, so its text can be read without breaking it.
//!
//! `Execute::sql(self)` consumes the query; reading it first would leave nothing to run.
//! So the statement, the arguments and the `persistent` flag are taken first, in that
//! order, then the text, and [`Described`] carries all four to the real executor as an
//! `Execute` of its own: the prepared-statement cache sees exactly what sqlx would have.

use sqlx::{Arguments as _, Database, Execute};
use sqlx_core::error::BoxDynError;
use sqlx_core::sql_str::SqlStr;

/// A query's parts, owned, ready to run.
pub(crate) struct Described<DB: Database> {
    sql: SqlStr,
    statement: Option<DB::Statement>,
    arguments: Result<Option<DB::Arguments>, Option<BoxDynError>>,
    persistent: bool,
}

impl<DB: Database> Described<DB> {
    pub(crate) fn take<'q>(mut query: impl Execute<'q, DB>) -> Self {
        let statement = query.statement().cloned();
        let arguments = query.take_arguments().map_err(Some);
        let persistent = query.persistent();
        Described {
            sql: query.sql(),
            statement,
            arguments,
            persistent,
        }
    }

    /// The text as sent.
    pub(crate) fn text(&self) -> &str {
        self.sql.as_str()
    }

    /// Does it change rows? Read from its first keyword: `INSERT`, `UPDATE`, `DELETE`,
    /// `MERGE`, `REPLACE` or `UPSERT`.
    pub(crate) fn modifies_rows(&self) -> bool {
        let first = self
            .text()
            .trim_start_matches(|c: char| c.is_whitespace() || c == '(')
            .split(|c: char| !c.is_ascii_alphabetic())
            .next()
            .unwrap_or("");
        ["INSERT", "UPDATE", "DELETE", "MERGE", "REPLACE", "UPSERT"]
            .iter()
            .any(|keyword| first.eq_ignore_ascii_case(keyword))
    }

    /// Is it a script, sent without an argument list (`sqlx::raw_sql`)?
    pub(crate) fn is_script(&self) -> bool {
        matches!(&self.arguments, Ok(None))
    }

    /// Do values travel as bind arguments? (`sqlx::query` always carries an argument
    /// list; an empty one means any values are inline literals.)
    pub(crate) fn has_bind_arguments(&self) -> bool {
        matches!(&self.arguments, Ok(Some(arguments)) if arguments.len() > 0)
    }
}

impl<'q, DB: Database> Execute<'q, DB> for Described<DB> {
    fn sql(self) -> SqlStr {
        self.sql
    }

    fn statement(&self) -> Option<&DB::Statement> {
        self.statement.as_ref()
    }

    fn take_arguments(&mut self) -> Result<Option<DB::Arguments>, BoxDynError> {
        match &mut self.arguments {
            Ok(arguments) => Ok(arguments.take()),
            Err(error) => Err(error
                .take()
                .unwrap_or_else(|| "arguments already taken".into())),
        }
    }

    fn persistent(&self) -> bool {
        self.persistent
    }
}
