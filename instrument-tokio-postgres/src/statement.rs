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
    /// What tokio-postgres is given for it.
    #[doc(hidden)]
    type Raw: ?Sized + tokio_postgres::ToStatement + Sync + std::fmt::Debug;

    /// This statement as tokio-postgres takes it: one type per statement type, so a
    /// query switched off is tokio-postgres's future, with nothing to choose between.
    #[doc(hidden)]
    fn raw_statement(&self) -> &Self::Raw;

    /// The SQL text, when known.
    #[doc(hidden)]
    fn sql(&self) -> Option<&str>;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for str {}
    impl Sealed for String {}
    impl Sealed for super::Statement {}
    impl Sealed for tokio_postgres::Statement {}
}

impl ToStatement for str {
    type Raw = str;

    #[inline]
    fn raw_statement(&self) -> &str {
        self
    }

    fn sql(&self) -> Option<&str> {
        Some(self)
    }
}

impl ToStatement for String {
    type Raw = String;

    #[inline]
    fn raw_statement(&self) -> &String {
        self
    }

    fn sql(&self) -> Option<&str> {
        Some(self)
    }
}

impl ToStatement for Statement {
    type Raw = tokio_postgres::Statement;

    #[inline]
    fn raw_statement(&self) -> &tokio_postgres::Statement {
        &self.inner
    }

    fn sql(&self) -> Option<&str> {
        Some(&self.sql)
    }
}

impl ToStatement for tokio_postgres::Statement {
    type Raw = tokio_postgres::Statement;

    #[inline]
    fn raw_statement(&self) -> &tokio_postgres::Statement {
        self
    }

    fn sql(&self) -> Option<&str> {
        None
    }
}
