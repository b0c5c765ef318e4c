//! [`Transaction`] and [`TransactionBuilder`]: tokio-postgres transactions, traced.

use std::sync::Arc;

use tokio_postgres::{Error, IsolationLevel};

use crate::methods::query_methods;
use crate::target::Target;
use crate::traced;

/// A drop-in for [`tokio_postgres::Transaction`]: the query methods of
/// [`Client`](crate::Client), nested transactions (savepoints), `commit` and
/// `rollback`, each a span. Dropped without either, tokio-postgres rolls it back (that
/// `ROLLBACK`, sent in the background, has no span).
pub struct Transaction<'a> {
    inner: tokio_postgres::Transaction<'a>,
    target: Arc<Target>,
    /// The savepoint this transaction is, when nested.
    savepoint: Option<Savepoint>,
}

impl std::fmt::Debug for Transaction<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transaction")
            .field("savepoint", &self.savepoint)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for TransactionBuilder<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TransactionBuilder").finish_non_exhaustive()
    }
}

#[derive(Debug, Clone)]
struct Savepoint {
    name: String,
    depth: u32,
}

impl<'a> Transaction<'a> {
    pub(crate) fn new(inner: tokio_postgres::Transaction<'a>, target: Arc<Target>) -> Self {
        Transaction {
            inner,
            target,
            savepoint: None,
        }
    }

    #[inline]
    fn raw(&self) -> &tokio_postgres::Transaction<'a> {
        &self.inner
    }

    #[inline]
    fn target(&self) -> &Target {
        &self.target
    }

    query_methods!();

    /// Commits, as a `COMMIT` span (`RELEASE {savepoint}` when nested).
    pub async fn commit(self) -> Result<(), Error> {
        let (target, savepoint) = (self.target, self.savepoint);
        traced::call(
            self.inner.commit(),
            || match &savepoint {
                None => target.statement_span("COMMIT"),
                Some(savepoint) => target.statement_span(&format!("RELEASE {}", savepoint.name)),
            },
            traced::nothing,
        )
        .await
    }

    /// Rolls back, as a `ROLLBACK` span (`ROLLBACK TO {savepoint}` when nested).
    pub async fn rollback(self) -> Result<(), Error> {
        let (target, savepoint) = (self.target, self.savepoint);
        traced::call(
            self.inner.rollback(),
            || match &savepoint {
                None => target.statement_span("ROLLBACK"),
                Some(savepoint) => {
                    target.statement_span(&format!("ROLLBACK TO {}", savepoint.name))
                }
            },
            traced::nothing,
        )
        .await
    }

    /// A nested transaction, like tokio-postgres's: a savepoint named `sp_{depth}`, as a
    /// `SAVEPOINT` span.
    pub async fn transaction(&mut self) -> Result<Transaction<'_>, Error> {
        let depth = self.savepoint.as_ref().map_or(0, |s| s.depth) + 1;
        self.nest(format!("sp_{depth}"), depth, None).await
    }

    /// A nested transaction with a savepoint of the given name, like tokio-postgres's.
    pub async fn savepoint<I: Into<String>>(&mut self, name: I) -> Result<Transaction<'_>, Error> {
        let depth = self.savepoint.as_ref().map_or(0, |s| s.depth) + 1;
        let name = name.into();
        self.nest(name.clone(), depth, Some(name)).await
    }

    async fn nest(
        &mut self,
        name: String,
        depth: u32,
        explicit: Option<String>,
    ) -> Result<Transaction<'_>, Error> {
        let target = self.target.clone();
        let inner = traced::call(
            async {
                match explicit {
                    Some(explicit) => self.inner.savepoint(explicit).await,
                    None => self.inner.transaction().await,
                }
            },
            || target.statement_span(&format!("SAVEPOINT {name}")),
            traced::nothing,
        )
        .await?;
        Ok(Transaction {
            inner,
            target,
            savepoint: Some(Savepoint { name, depth }),
        })
    }

    /// The tokio-postgres transaction: calls made on it directly are not traced.
    pub fn inner(&self) -> &tokio_postgres::Transaction<'a> {
        &self.inner
    }
}

/// Like [`tokio_postgres::TransactionBuilder`]: settings, then [`start`](Self::start).
#[must_use = "the transaction starts only with `start`"]
pub struct TransactionBuilder<'a> {
    inner: tokio_postgres::TransactionBuilder<'a>,
    target: Arc<Target>,
    settings: Settings,
}

impl<'a> TransactionBuilder<'a> {
    pub(crate) fn new(inner: tokio_postgres::TransactionBuilder<'a>, target: Arc<Target>) -> Self {
        TransactionBuilder {
            inner,
            target,
            settings: Settings::default(),
        }
    }

    /// Like [`tokio_postgres::TransactionBuilder::isolation_level`].
    pub fn isolation_level(mut self, isolation_level: IsolationLevel) -> Self {
        self.inner = self.inner.isolation_level(isolation_level);
        self.settings.isolation_level = Some(isolation_level);
        self
    }

    /// Like [`tokio_postgres::TransactionBuilder::read_only`].
    pub fn read_only(mut self, read_only: bool) -> Self {
        self.inner = self.inner.read_only(read_only);
        self.settings.read_only = Some(read_only);
        self
    }

    /// Like [`tokio_postgres::TransactionBuilder::deferrable`].
    pub fn deferrable(mut self, deferrable: bool) -> Self {
        self.inner = self.inner.deferrable(deferrable);
        self.settings.deferrable = Some(deferrable);
        self
    }

    /// Starts the transaction, as a span of the `START TRANSACTION ...` statement.
    pub async fn start(self) -> Result<Transaction<'a>, Error> {
        let TransactionBuilder {
            inner,
            target,
            settings,
        } = self;
        let inner = traced::call(
            inner.start(),
            || target.statement_span(&settings.statement()),
            traced::nothing,
        )
        .await?;
        Ok(Transaction::new(inner, target))
    }
}

/// A builder's settings, kept to name the span by the statement they make.
#[derive(Debug, Default, Clone, Copy)]
struct Settings {
    isolation_level: Option<IsolationLevel>,
    read_only: Option<bool>,
    deferrable: Option<bool>,
}

impl Settings {
    /// The statement tokio-postgres sends for these settings.
    fn statement(&self) -> String {
        let mut settings = Vec::new();
        if let Some(level) = self.isolation_level {
            settings.push(match level {
                IsolationLevel::ReadUncommitted => "ISOLATION LEVEL READ UNCOMMITTED",
                IsolationLevel::ReadCommitted => "ISOLATION LEVEL READ COMMITTED",
                IsolationLevel::RepeatableRead => "ISOLATION LEVEL REPEATABLE READ",
                IsolationLevel::Serializable => "ISOLATION LEVEL SERIALIZABLE",
                _ => "ISOLATION LEVEL",
            });
        }
        if let Some(read_only) = self.read_only {
            settings.push(if read_only { "READ ONLY" } else { "READ WRITE" });
        }
        if let Some(deferrable) = self.deferrable {
            settings.push(if deferrable {
                "DEFERRABLE"
            } else {
                "NOT DEFERRABLE"
            });
        }
        if settings.is_empty() {
            "START TRANSACTION".to_owned()
        } else {
            format!("START TRANSACTION {}", settings.join(", "))
        }
    }
}
