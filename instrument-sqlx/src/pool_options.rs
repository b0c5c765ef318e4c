//! [`PoolOptions`]: builds a traced [`Pool`], like sqlx's `PoolOptions`.

use std::time::Duration;

use instrument_core::QueryText;
use instrument_core::hooks::DbHooks;
use sqlx::Error;

use crate::backend::Backend;
use crate::pool::Pool;

/// A builder for [`Pool`], like [`sqlx::pool::PoolOptions`], plus
/// [`query_text`](Self::query_text).
///
/// The common settings have their sqlx names here; for the rest (the `after_connect`,
/// `before_acquire` and `after_release` callbacks, ...) configure sqlx's options and
/// convert them with `PoolOptions::from`.
///
/// ```
/// # #[cfg(feature = "sqlite")]
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use std::time::Duration;
///
/// let pool = instrument_sqlx::PoolOptions::<sqlx::Sqlite>::new()
///     .max_connections(4)
///     .acquire_timeout(Duration::from_secs(3))
///     .connect("sqlite::memory:")
///     .await?;
/// assert_eq!(sqlx::query_scalar::<_, i64>("SELECT 2").fetch_one(&pool).await?, 2);
/// # Ok::<(), sqlx::Error>(()) }).unwrap();
/// ```
#[derive(Debug, Clone)]
#[must_use = "a PoolOptions does nothing until one of its `connect` methods builds the pool"]
pub struct PoolOptions<DB: Backend> {
    inner: sqlx::pool::PoolOptions<DB>,
    query_text: Option<QueryText>,
    hooks: Option<DbHooks>,
}

impl<DB: Backend> Default for PoolOptions<DB> {
    fn default() -> Self {
        Self::new()
    }
}

impl<DB: Backend> From<sqlx::pool::PoolOptions<DB>> for PoolOptions<DB> {
    fn from(inner: sqlx::pool::PoolOptions<DB>) -> Self {
        PoolOptions {
            inner,
            query_text: None,
            hooks: None,
        }
    }
}

impl<DB: Backend> PoolOptions<DB> {
    /// sqlx's defaults, like [`sqlx::pool::PoolOptions::new`].
    pub fn new() -> Self {
        sqlx::pool::PoolOptions::new().into()
    }

    /// Like [`sqlx::pool::PoolOptions::max_connections`].
    pub fn max_connections(self, max: u32) -> Self {
        self.map(|inner| inner.max_connections(max))
    }

    /// Like [`sqlx::pool::PoolOptions::min_connections`].
    pub fn min_connections(self, min: u32) -> Self {
        self.map(|inner| inner.min_connections(min))
    }

    /// Like [`sqlx::pool::PoolOptions::acquire_timeout`].
    pub fn acquire_timeout(self, timeout: Duration) -> Self {
        self.map(|inner| inner.acquire_timeout(timeout))
    }

    /// Like [`sqlx::pool::PoolOptions::max_lifetime`].
    pub fn max_lifetime(self, lifetime: impl Into<Option<Duration>>) -> Self {
        self.map(|inner| inner.max_lifetime(lifetime))
    }

    /// Like [`sqlx::pool::PoolOptions::idle_timeout`].
    pub fn idle_timeout(self, timeout: impl Into<Option<Duration>>) -> Self {
        self.map(|inner| inner.idle_timeout(timeout))
    }

    /// Like [`sqlx::pool::PoolOptions::test_before_acquire`].
    pub fn test_before_acquire(self, test: bool) -> Self {
        self.map(|inner| inner.test_before_acquire(test))
    }

    /// How much query text the pool records; see [`Pool::query_text`].
    pub fn query_text(mut self, mode: QueryText) -> Self {
        self.query_text = Some(mode);
        self
    }

    /// The pool's hooks; see [`Pool::hooks`].
    pub fn hooks(mut self, hooks: DbHooks) -> Self {
        self.hooks = Some(hooks);
        self
    }

    /// Like [`sqlx::pool::PoolOptions::connect`].
    pub async fn connect(self, url: &str) -> Result<Pool<DB>, Error> {
        let (inner, settings) = self.split();
        let pool = Pool::asking_the_server(inner.connect(url).await?).await;
        Ok(settings.configured(pool))
    }

    /// Like [`sqlx::pool::PoolOptions::connect_with`].
    pub async fn connect_with(
        self,
        options: <DB::Connection as sqlx::Connection>::Options,
    ) -> Result<Pool<DB>, Error> {
        let (inner, settings) = self.split();
        let pool = Pool::asking_the_server(inner.connect_with(options).await?).await;
        Ok(settings.configured(pool))
    }

    /// Like [`sqlx::pool::PoolOptions::connect_lazy`].
    pub fn connect_lazy(self, url: &str) -> Result<Pool<DB>, Error> {
        let (inner, settings) = self.split();
        let pool = Pool::from(inner.connect_lazy(url)?);
        Ok(settings.configured(pool))
    }

    /// Like [`sqlx::pool::PoolOptions::connect_lazy_with`].
    pub fn connect_lazy_with(
        self,
        options: <DB::Connection as sqlx::Connection>::Options,
    ) -> Pool<DB> {
        let (inner, settings) = self.split();
        let pool = Pool::from(inner.connect_lazy_with(options));
        settings.configured(pool)
    }

    fn map(
        self,
        f: impl FnOnce(sqlx::pool::PoolOptions<DB>) -> sqlx::pool::PoolOptions<DB>,
    ) -> Self {
        PoolOptions {
            inner: f(self.inner),
            ..self
        }
    }

    /// sqlx's options, and ours for the pool they build.
    fn split(self) -> (sqlx::pool::PoolOptions<DB>, Settings) {
        let settings = Settings {
            query_text: self.query_text,
            hooks: self.hooks,
        };
        (self.inner, settings)
    }
}

/// What a [`PoolOptions`] sets on the pool once sqlx has built it.
struct Settings {
    query_text: Option<QueryText>,
    hooks: Option<DbHooks>,
}

impl Settings {
    fn configured<DB: Backend>(self, pool: Pool<DB>) -> Pool<DB> {
        let pool = match self.query_text {
            Some(mode) => pool.query_text(mode),
            None => pool,
        };
        match self.hooks {
            Some(hooks) => pool.hooks(hooks),
            None => pool,
        }
    }
}
