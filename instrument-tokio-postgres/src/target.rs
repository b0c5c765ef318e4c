//! Where a client's queries go and how much of them to record, read once from its config.

use instrument_core::hooks::DbHooks;
use instrument_core::{CallSpan, DbCall, DbSystem, Library, OwnedText, QueryText, Text};
use tokio_postgres::config::Host;

/// The database and server a client is connected to, and its query-text setting; shared
/// by its transactions.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    /// `db.namespace`: the database (PostgreSQL's default is the user's name).
    namespace: Option<OwnedText>,
    /// `server.address` (a host name, or the directory of a Unix socket) and port.
    server: Option<(OwnedText, Option<u16>)>,
    pub(crate) query_text: QueryText,
    hooks: DbHooks,
}

impl Target {
    pub(crate) fn from_config(config: &tokio_postgres::Config) -> Self {
        let address = match config.get_hosts().first() {
            Some(Host::Tcp(name)) => Some(name.clone()),
            #[cfg(unix)]
            Some(Host::Unix(path)) => Some(path.display().to_string()),
            None => config.get_hostaddrs().first().map(ToString::to_string),
        };
        let port = config.get_ports().first().copied();
        Target {
            namespace: config
                .get_dbname()
                .or(config.get_user())
                .map(OwnedText::new),
            server: address.map(|address| (OwnedText::new(address), port)),
            query_text: crate::options::query_text_from_env(),
            hooks: DbHooks::default(),
        }
    }

    /// This target, recording `mode` of the query text.
    pub(crate) fn with_query_text(&self, mode: QueryText) -> Self {
        Target {
            query_text: mode,
            ..self.clone()
        }
    }

    /// This target, with the application's `hooks`.
    pub(crate) fn with_hooks(&self, hooks: DbHooks) -> Self {
        Target {
            hooks,
            ..self.clone()
        }
    }

    fn call(&self) -> DbCall<'_> {
        let mut call = DbCall::new(Library::TokioPostgres, DbSystem::Postgresql)
            .query_text(self.query_text)
            .hooks(&self.hooks);
        if let Some(namespace) = &self.namespace {
            call = call.namespace(namespace);
        }
        if let Some((address, port)) = &self.server {
            call = call.server(address, *port);
        }
        call
    }

    /// The span of a query through the extended protocol; its text, when known, is as
    /// written when it has parameters, else sanitized.
    pub(crate) fn query_span(&self, sql: Option<&str>, parameters: usize) -> CallSpan {
        match sql {
            Some(sql) => self.call().sql(sql, parameters > 0).start(),
            None => self.call().start(),
        }
    }

    /// The span of a script through the simple protocol (`batch_execute`,
    /// `simple_query`): sanitized, a batch when it holds several statements.
    pub(crate) fn script_span(&self, sql: &str) -> CallSpan {
        self.call().sql_script(sql).start()
    }

    /// The span of preparing a statement.
    pub(crate) fn prepare_span(&self, sql: &str) -> CallSpan {
        // Parameters come only when it runs: a literal in the text is sanitized here.
        self.call()
            .operation(Text::kept("PREPARE"))
            .sql(sql, false)
            .start()
    }

    /// The pool's `db.client.connection.pool.name`.
    #[cfg(feature = "deadpool")]
    pub(crate) fn pool_name(&self) -> String {
        self.call().pool_name()
    }

    /// The INTERNAL span of waiting for a pooled connection.
    #[cfg(feature = "deadpool")]
    pub(crate) fn acquire_span(&self) -> CallSpan {
        self.call().start_acquire()
    }

    /// The span of a statement the client sends itself (`BEGIN`, `COMMIT`, `SAVEPOINT sp_1`).
    pub(crate) fn statement_span(&self, statement: &str) -> CallSpan {
        self.call().sql(statement, true).start()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use instrument_core::testing::capture;

    fn span_of(config: &str) -> instrument_core::testing::Spans {
        let config: tokio_postgres::Config = config.parse().expect("config");
        let target = Target::from_config(&config);
        capture(|| drop(target.query_span(Some("SELECT 1"), 0))).1
    }

    #[test]
    fn a_unix_socket_directory_is_the_server_address_and_the_user_the_default_database() {
        let spans = span_of("host=/var/run/postgresql user=app");
        spans
            .named("SELECT")
            .assert_attr("server.address", "/var/run/postgresql")
            .assert_attr("db.namespace", "app");
    }

    #[test]
    fn the_first_host_and_a_non_default_port_are_recorded() {
        let spans = span_of("postgres://u@db-1:6543,db-2/shop");
        spans
            .named("SELECT")
            .assert_attr("server.address", "db-1")
            .assert_attr("server.port", 6543)
            .assert_attr("db.namespace", "shop");
    }
}
