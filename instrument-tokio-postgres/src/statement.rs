//! [`Statement`]: a prepared statement that remembers its SQL, and [`ToStatement`], what
//! the query methods accept.

use std::sync::Arc;

/// A prepared statement from [`Client::prepare`](crate::Client::prepare), keeping its SQL
/// text so that running it later still records `db.query.text` and the summary
/// (tokio-postgres's `Statement` does not expose its text).
#[derive(Debug, Clone)]
pub struct Statement {
    inner: tokio_postgres::Statement,
    sql: Arc<str>,
}

impl Statement {
    pub(crate) fn new(inner: tokio_postgres::Statement, sql: &str) -> Self {
        Statement {
            inner,
            sql: sql.into(),
        }
    }

    /// The SQL text it was prepared from.
    pub fn sql(&self) -> &str {
        &self.sql
    }

    /// Like [`tokio_postgres::Statement::params`].
    pub fn params(&self) -> &[tokio_postgres::types::Type] {
        self.inner.params()
    }

    /// Like [`tokio_postgres::Statement::columns`].
    pub fn columns(&self) -> &[tokio_postgres::Column] {
        self.inner.columns()
    }

    /// The tokio-postgres statement.
    pub fn inner(&self) -> &tokio_postgres::Statement {
        &self.inner
    }
}

/// What the query methods accept, as tokio-postgres's own `ToStatement`: SQL text, a
/// [`Statement`] prepared through this crate, or a `tokio_postgres::Statement` prepared
/// elsewhere (whose text is unknown: its span is named `postgresql`). Sealed.
pub trait ToStatement: sealed::Sealed {
    #[doc(hidden)]
    fn to_statement(&self) -> StatementRef<'_>;
}

/// A statement as this crate runs it. Not for use outside the crate.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub enum StatementRef<'a> {
    /// SQL text, prepared by tokio-postgres on the way.
    Text(&'a str),
    /// A prepared statement, and its text when known.
    Prepared(&'a tokio_postgres::Statement, Option<&'a str>),
}

impl StatementRef<'_> {
    /// The SQL text, when known.
    pub(crate) fn sql(&self) -> Option<&str> {
        match self {
            StatementRef::Text(text) => Some(text),
            StatementRef::Prepared(_, text) => *text,
        }
    }
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for str {}
    impl Sealed for String {}
    impl Sealed for super::Statement {}
    impl Sealed for tokio_postgres::Statement {}
}

impl ToStatement for str {
    fn to_statement(&self) -> StatementRef<'_> {
        StatementRef::Text(self)
    }
}

impl ToStatement for String {
    fn to_statement(&self) -> StatementRef<'_> {
        StatementRef::Text(self)
    }
}

impl ToStatement for Statement {
    fn to_statement(&self) -> StatementRef<'_> {
        StatementRef::Prepared(&self.inner, Some(&self.sql))
    }
}

impl ToStatement for tokio_postgres::Statement {
    fn to_statement(&self) -> StatementRef<'_> {
        StatementRef::Prepared(self, None)
    }
}

/// Runs `$body` with `$s` bound to the tokio-postgres form of `$statement` (text or
/// prepared statement): the two arms differ only in the type tokio-postgres sees.
macro_rules! with_statement {
    ($statement:expr, |$s:ident| $body:expr) => {
        match $statement {
            $crate::statement::StatementRef::Text($s) => $body,
            $crate::statement::StatementRef::Prepared($s, _) => $body,
        }
    };
}
pub(crate) use with_statement;
