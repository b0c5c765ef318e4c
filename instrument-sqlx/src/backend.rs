//! What differs per database: its `db.system.name` and where its connect options say
//! the database is.

use futures_core::future::BoxFuture;
use futures_core::stream::BoxStream;
use instrument_core::DbSystem;
#[allow(unused_imports)] // the trait's methods, used by each feature's impl
use sqlx::Executor as _;
use sqlx::{Either, Error, Execute};
use sqlx_core::describe::Describe;
use sqlx_core::sql_str::SqlStr;

/// Where a pool's connections go, read once from its connect options.
#[derive(Debug, Clone, Default)]
pub struct Endpoint {
    /// `db.namespace`: the database name.
    pub namespace: Option<String>,
    /// `server.address` and `server.port`.
    pub server: Option<(String, Option<u16>)>,
}

/// A sqlx database this crate traces: PostgreSQL, MySQL (and MariaDB) or SQLite, by
/// cargo feature. Sealed: the crate knows how to read each one's errors and endpoint.
pub trait Backend: sealed::Sealed + sqlx::Database {
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

    // sqlx's own `Executor` calls on the pool and its connections, made through the
    // concrete types. The generic alternative, a bound `for<'c> &'c mut DB::Connection:
    // Executor<'c>` on this crate's executor impls, makes trait solving recurse through
    // them (`DB::Connection` could be one of them) wherever the database type is still
    // being inferred, and every generic caller would have to repeat it.

    #[doc(hidden)]
    fn connection_fetch_many<'e, 'q: 'e, E>(
        connection: &'e mut Self::Connection,
        query: E,
    ) -> Steps<'e, Self>
    where
        E: 'q + Execute<'q, Self>;

    #[doc(hidden)]
    fn connection_fetch_optional<'e, 'q: 'e, E>(
        connection: &'e mut Self::Connection,
        query: E,
    ) -> BoxFuture<'e, Result<Option<Self::Row>, Error>>
    where
        E: 'q + Execute<'q, Self>;

    #[doc(hidden)]
    fn pool_fetch_many<'e, 'q: 'e, E>(pool: &'e sqlx::Pool<Self>, query: E) -> Steps<'e, Self>
    where
        E: 'q + Execute<'q, Self>;

    #[doc(hidden)]
    fn pool_fetch_optional<'e, 'q: 'e, E>(
        pool: &'e sqlx::Pool<Self>,
        query: E,
    ) -> BoxFuture<'e, Result<Option<Self::Row>, Error>>
    where
        E: 'q + Execute<'q, Self>;

    #[doc(hidden)]
    fn connection_prepare_with<'e>(
        connection: &'e mut Self::Connection,
        sql: SqlStr,
        parameters: &'e [Self::TypeInfo],
    ) -> BoxFuture<'e, Result<Self::Statement, Error>>;

    #[doc(hidden)]
    fn query_result_rows_affected(result: &Self::QueryResult) -> u64;

    #[doc(hidden)]
    fn connection_describe(
        connection: &mut Self::Connection,
        sql: SqlStr,
    ) -> BoxFuture<'_, Result<Describe<Self>, Error>>;
}

/// What `Executor::fetch_many` yields: statement results and rows.
pub(crate) type Steps<'e, DB> = BoxStream<
    'e,
    Result<Either<<DB as sqlx::Database>::QueryResult, <DB as sqlx::Database>::Row>, Error>,
>;

mod sealed {
    pub trait Sealed {}
}

/// The [`Backend`] connection calls: straight to the connection's own `Executor`.
macro_rules! connection_calls {
    () => {
        fn connection_fetch_many<'e, 'q: 'e, E>(
            connection: &'e mut Self::Connection,
            query: E,
        ) -> Steps<'e, Self>
        where
            E: 'q + Execute<'q, Self>,
        {
            connection.fetch_many(query)
        }

        fn connection_fetch_optional<'e, 'q: 'e, E>(
            connection: &'e mut Self::Connection,
            query: E,
        ) -> BoxFuture<'e, Result<Option<Self::Row>, Error>>
        where
            E: 'q + Execute<'q, Self>,
        {
            connection.fetch_optional(query)
        }

        fn pool_fetch_many<'e, 'q: 'e, E>(pool: &'e sqlx::Pool<Self>, query: E) -> Steps<'e, Self>
        where
            E: 'q + Execute<'q, Self>,
        {
            pool.fetch_many(query)
        }

        fn pool_fetch_optional<'e, 'q: 'e, E>(
            pool: &'e sqlx::Pool<Self>,
            query: E,
        ) -> BoxFuture<'e, Result<Option<Self::Row>, Error>>
        where
            E: 'q + Execute<'q, Self>,
        {
            pool.fetch_optional(query)
        }

        fn connection_prepare_with<'e>(
            connection: &'e mut Self::Connection,
            sql: SqlStr,
            parameters: &'e [Self::TypeInfo],
        ) -> BoxFuture<'e, Result<Self::Statement, Error>> {
            connection.prepare_with(sql, parameters)
        }

        fn query_result_rows_affected(result: &Self::QueryResult) -> u64 {
            result.rows_affected()
        }

        fn connection_describe(
            connection: &mut Self::Connection,
            sql: SqlStr,
        ) -> BoxFuture<'_, Result<Describe<Self>, Error>> {
            connection.describe(sql)
        }
    };
}

#[cfg(feature = "postgres")]
impl sealed::Sealed for sqlx::Postgres {}

#[cfg(feature = "postgres")]
impl Backend for sqlx::Postgres {
    connection_calls!();

    const SYSTEM: DbSystem = DbSystem::Postgresql;

    fn endpoint(options: &sqlx::postgres::PgConnectOptions) -> Endpoint {
        // Without a database name the server uses the user's.
        let namespace = options.get_database().unwrap_or(options.get_username());
        let address = match options.get_socket() {
            Some(socket) => socket.display().to_string(),
            None => options.get_host().to_owned(),
        };
        Endpoint {
            namespace: Some(namespace.to_owned()),
            server: Some((address, Some(options.get_port()))),
        }
    }
}

#[cfg(feature = "sqlite")]
impl sealed::Sealed for sqlx::Sqlite {}

#[cfg(feature = "sqlite")]
impl Backend for sqlx::Sqlite {
    connection_calls!();

    const SYSTEM: DbSystem = DbSystem::Sqlite;

    fn endpoint(_options: &sqlx::sqlite::SqliteConnectOptions) -> Endpoint {
        // A file, not a server: neither a namespace nor an address applies.
        Endpoint::default()
    }
}

#[cfg(feature = "mysql")]
impl sealed::Sealed for sqlx::MySql {}

#[cfg(feature = "mysql")]
impl Backend for sqlx::MySql {
    connection_calls!();

    const SYSTEM: DbSystem = DbSystem::Mysql;

    fn endpoint(options: &sqlx::mysql::MySqlConnectOptions) -> Endpoint {
        let address = match options.get_socket() {
            Some(socket) => socket.display().to_string(),
            None => options.get_host().to_owned(),
        };
        Endpoint {
            namespace: options.get_database().map(str::to_owned),
            server: Some((address, Some(options.get_port()))),
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
