//! What differs per database: its `db.system.name` and where its connect options say
//! the database is.

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
