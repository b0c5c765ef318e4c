//! [`Config`] and [`connect`]: connecting gives a traced [`Client`].

use std::str::FromStr;
use std::time::Duration;

use tokio_postgres::config::SslMode;
use tokio_postgres::tls::MakeTlsConnect;
use tokio_postgres::{Connection, Error, Socket};

use crate::Client;

/// Connects like [`tokio_postgres::connect`]: `config` is a connection string or URL.
/// Spawn the returned [`Connection`] (tokio-postgres's own) as usual.
pub async fn connect<T>(
    config: &str,
    tls: T,
) -> Result<(Client, Connection<Socket, T::Stream>), Error>
where
    T: MakeTlsConnect<Socket>,
{
    config.parse::<Config>()?.connect(tls).await
}

/// A drop-in for [`tokio_postgres::Config`] whose [`connect`](Self::connect) gives a
/// traced [`Client`]. The common settings have their tokio-postgres names here; for the
/// rest, set them on a `tokio_postgres::Config` and convert it with `Config::from`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    inner: tokio_postgres::Config,
}

impl Config {
    /// An empty configuration, like [`tokio_postgres::Config::new`].
    pub fn new() -> Self {
        Self::default()
    }

    /// Connects, like [`tokio_postgres::Config::connect`].
    pub async fn connect<T>(&self, tls: T) -> Result<(Client, Connection<Socket, T::Stream>), Error>
    where
        T: MakeTlsConnect<Socket>,
    {
        let (client, connection) = self.inner.connect(tls).await?;
        Ok((Client::new(client, &self.inner), connection))
    }

    /// Like [`tokio_postgres::Config::user`].
    pub fn user(&mut self, user: impl Into<String>) -> &mut Self {
        self.inner.user(user);
        self
    }

    /// Like [`tokio_postgres::Config::password`].
    pub fn password<T: AsRef<[u8]>>(&mut self, password: T) -> &mut Self {
        self.inner.password(password);
        self
    }

    /// Like [`tokio_postgres::Config::dbname`].
    pub fn dbname(&mut self, dbname: impl Into<String>) -> &mut Self {
        self.inner.dbname(dbname);
        self
    }

    /// Like [`tokio_postgres::Config::options`].
    pub fn options(&mut self, options: impl Into<String>) -> &mut Self {
        self.inner.options(options);
        self
    }

    /// Like [`tokio_postgres::Config::application_name`].
    pub fn application_name(&mut self, name: impl Into<String>) -> &mut Self {
        self.inner.application_name(name);
        self
    }

    /// Like [`tokio_postgres::Config::host`].
    pub fn host(&mut self, host: impl Into<String>) -> &mut Self {
        self.inner.host(host);
        self
    }

    /// Like [`tokio_postgres::Config::port`].
    pub fn port(&mut self, port: u16) -> &mut Self {
        self.inner.port(port);
        self
    }

    /// Like [`tokio_postgres::Config::ssl_mode`].
    pub fn ssl_mode(&mut self, ssl_mode: SslMode) -> &mut Self {
        self.inner.ssl_mode(ssl_mode);
        self
    }

    /// Like [`tokio_postgres::Config::connect_timeout`].
    pub fn connect_timeout(&mut self, timeout: Duration) -> &mut Self {
        self.inner.connect_timeout(timeout);
        self
    }

    /// The tokio-postgres configuration, to read it.
    pub fn inner(&self) -> &tokio_postgres::Config {
        &self.inner
    }

    /// The tokio-postgres configuration, for the settings not mirrored here.
    pub fn inner_mut(&mut self) -> &mut tokio_postgres::Config {
        &mut self.inner
    }
}

impl From<tokio_postgres::Config> for Config {
    fn from(inner: tokio_postgres::Config) -> Self {
        Config { inner }
    }
}

impl FromStr for Config {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        s.parse().map(|inner| Config { inner })
    }
}
