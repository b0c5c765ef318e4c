//! deadpool-postgres pools that hand out traced [`Client`]s (feature `deadpool`).

use std::sync::Arc;
use std::time::Instant;

use instrument_core::{CallSpan, ErrorInfo, Library};

use crate::Client;
use crate::target::Target;

pub use deadpool_postgres::{CreatePoolError, PoolError, Runtime};

/// A [`deadpool_postgres::Pool`] whose [`get`](Self::get) gives a traced [`Client`],
/// with the wait for it recorded as an `acquire` span.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use instrument_tokio_postgres::deadpool::{Pool, Runtime};
///
/// let mut config = deadpool_postgres::Config::new();
/// config.url = Some("postgres://postgres@127.0.0.1/test".to_owned());
/// let pool = Pool::from_config(&config, Some(Runtime::Tokio1), tokio_postgres::NoTls)?;
/// let client = pool.get().await?; // an `acquire` span, with the wait
/// client.query_one("SELECT 1", &[]).await?; // a `SELECT` span
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Pool {
    inner: deadpool_postgres::Pool,
    target: Arc<Target>,
    /// The same pool, shared by this pool's clones only: the connection metrics read it
    /// while it lives (they hold it weakly, so they never keep the pool open).
    #[expect(
        dead_code,
        reason = "held, never read: its lifetime is what the metrics watch"
    )]
    observed: Arc<deadpool_postgres::Pool>,
}

impl Pool {
    /// Wraps a pool made elsewhere; `config` says what the spans record as the database
    /// and server.
    pub fn new(inner: deadpool_postgres::Pool, config: &tokio_postgres::Config) -> Self {
        let target = Arc::new(Target::from_config(config));
        let observed = Arc::new(inner.clone());
        instrument_core::pool::observe_pool(
            Library::TokioPostgres,
            target.pool_name(),
            &observed,
            connections,
        );
        Pool {
            inner,
            target,
            observed,
        }
    }

    /// Like [`deadpool_postgres::Config::create_pool`].
    pub fn from_config<T>(
        config: &deadpool_postgres::Config,
        runtime: Option<Runtime>,
        tls: T,
    ) -> Result<Self, CreatePoolError>
    where
        T: tokio_postgres::tls::MakeTlsConnect<tokio_postgres::Socket>
            + Clone
            + Sync
            + Send
            + 'static,
        T::Stream: Sync + Send,
        T::TlsConnect: Sync + Send,
        <T::TlsConnect as tokio_postgres::tls::TlsConnect<tokio_postgres::Socket>>::Future: Send,
    {
        let pg_config = config.get_pg_config().map_err(CreatePoolError::Config)?;
        let inner = config.create_pool(runtime, tls)?;
        Ok(Pool::new(inner, &pg_config))
    }

    /// A client from the pool, like [`deadpool_postgres::Pool::get`], returned to the
    /// pool when dropped. The wait for it is an `acquire` span, and a
    /// `db.client.connection.wait_time` measurement (a timeout also counts in
    /// `db.client.connection.timeouts`).
    pub async fn get(&self) -> Result<Client, PoolError> {
        if !instrument_core::recording(Library::TokioPostgres) {
            return Ok(Client::pooled(self.inner.get().await?, self.target.clone()));
        }
        let span = self.target.acquire_span();
        let asked = Instant::now();
        let object = instrument_core::Traced::new(span.clone(), self.inner.get(), record_get).await;
        span.record_connection_wait(asked.elapsed());
        Ok(Client::pooled(object?, self.target.clone()))
    }

    /// How much query text its clients record; see
    /// [`Client::query_text`](crate::Client::query_text).
    #[must_use]
    pub fn query_text(mut self, mode: instrument_core::QueryText) -> Self {
        self.target = Arc::new(self.target.with_query_text(mode));
        self
    }

    /// The hooks of its clients; see [`Client::hooks`](crate::Client::hooks).
    #[must_use]
    pub fn hooks(mut self, hooks: instrument_core::hooks::DbHooks) -> Self {
        self.target = Arc::new(self.target.with_hooks(hooks));
        self
    }

    /// Like [`deadpool_postgres::Pool::status`].
    pub fn status(&self) -> deadpool_postgres::Status {
        self.inner.status()
    }

    /// Like [`deadpool_postgres::Pool::close`].
    pub fn close(&self) {
        self.inner.close();
    }

    /// Like [`deadpool_postgres::Pool::is_closed`].
    pub fn is_closed(&self) -> bool {
        self.inner.is_closed()
    }

    /// The deadpool-postgres pool: clients got from it directly are not traced.
    pub fn inner(&self) -> &deadpool_postgres::Pool {
        &self.inner
    }
}

fn record_get(output: &Result<deadpool_postgres::Object, PoolError>, span: &CallSpan) {
    let Err(error) = output else { return };
    let info = match error {
        PoolError::Timeout(_) => {
            span.record_connection_timeout();
            ErrorInfo::new().error_type("pool_timeout")
        }
        PoolError::Backend(backend) => match backend.code() {
            Some(code) => ErrorInfo::new().status_code(code.code().to_owned()),
            None => ErrorInfo::new().error_type("connect"),
        },
        PoolError::Closed => ErrorInfo::new().error_type("pool_closed"),
        _ => ErrorInfo::new(),
    };
    span.record_error(error, info);
}

/// A deadpool's connections, for the connection metrics.
fn connections(pool: &deadpool_postgres::Pool) -> instrument_core::pool::PoolConnections {
    let status = pool.status();
    let idle = status.available.min(status.size);
    instrument_core::pool::PoolConnections {
        idle: idle as u64,
        used: (status.size - idle) as u64,
        max: status.max_size as u64,
    }
}
