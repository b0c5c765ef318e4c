//! What differs per database: its `db.system.name` and where its connect options say
//! the database is.

use futures_core::future::BoxFuture;
use instrument_core::DbSystem;

/// Where a pool's connections go, read once from its connect options.
#[derive(Debug, Clone, Default)]
pub struct Endpoint {
    /// `db.namespace`: the database name.
    pub namespace: Option<String>,
    /// `server.address` and `server.port`.
    pub server: Option<(String, Option<u16>)>,
}

/// A sqlx database this crate traces.
pub trait Backend: sqlx::Database {
    /// The `db.system.name` of this database.
    const SYSTEM: DbSystem;

    /// The endpoint the connect options describe.
    fn endpoint(options: &<Self::Connection as sqlx::Connection>::Options) -> Endpoint;

    /// The `db.system.name` the server itself claims, asked once when a pool connects
    /// (MySQL's protocol also serves MariaDB). [`SYSTEM`](Self::SYSTEM) by default, and
    /// whenever asking fails.
    fn server_system(_pool: &sqlx::Pool<Self>) -> BoxFuture<'_, DbSystem> {
        Box::pin(std::future::ready(Self::SYSTEM))
    }
}

#[cfg(feature = "postgres")]
impl Backend for sqlx::Postgres {
    const SYSTEM: DbSystem = DbSystem::Postgresql;

    fn endpoint(options: &sqlx::postgres::PgConnectOptions) -> Endpoint {
        Endpoint {
            namespace: options.get_database().map(str::to_owned),
            server: Some((options.get_host().to_owned(), Some(options.get_port()))),
        }
    }
}

#[cfg(feature = "sqlite")]
impl Backend for sqlx::Sqlite {
    const SYSTEM: DbSystem = DbSystem::Sqlite;

    fn endpoint(_options: &sqlx::sqlite::SqliteConnectOptions) -> Endpoint {
        // A file, not a server: neither a namespace nor an address applies.
        Endpoint::default()
    }
}

#[cfg(feature = "mysql")]
impl Backend for sqlx::MySql {
    const SYSTEM: DbSystem = DbSystem::Mysql;

    fn endpoint(options: &sqlx::mysql::MySqlConnectOptions) -> Endpoint {
        Endpoint {
            namespace: options.get_database().map(str::to_owned),
            server: Some((options.get_host().to_owned(), Some(options.get_port()))),
        }
    }

    fn server_system(pool: &sqlx::Pool<Self>) -> BoxFuture<'_, DbSystem> {
        Box::pin(async move {
            let version: Result<String, _> =
                sqlx::query_scalar("SELECT VERSION()").fetch_one(pool).await;
            match version {
                Ok(version) if version.to_ascii_lowercase().contains("mariadb") => {
                    DbSystem::Mariadb
                }
                _ => DbSystem::Mysql,
            }
        })
    }
}
