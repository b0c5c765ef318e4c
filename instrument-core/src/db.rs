//! [`DbCall`]: the description of one database call, from which core makes its span.

use std::borrow::Cow;

use crate::Library;
use crate::library::with_target;
use crate::span::{CallKind, CallSpan};
use crate::sql::{self, Dialect, SanitizeOptions};

/// The database system, as `db.system.name` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DbSystem {
    /// `postgresql`.
    Postgresql,
    /// `mysql`.
    Mysql,
    /// `mariadb`.
    Mariadb,
    /// `sqlite`.
    Sqlite,
    /// `redis`.
    Redis,
}

impl DbSystem {
    /// The `db.system.name` value.
    pub const fn name(self) -> &'static str {
        match self {
            DbSystem::Postgresql => "postgresql",
            DbSystem::Mysql => "mysql",
            DbSystem::Mariadb => "mariadb",
            DbSystem::Sqlite => "sqlite",
            DbSystem::Redis => "redis",
        }
    }

    /// The port a client uses when none is given; `server.port` is only recorded when it differs.
    pub const fn default_port(self) -> Option<u16> {
        match self {
            DbSystem::Postgresql => Some(5432),
            DbSystem::Mysql | DbSystem::Mariadb => Some(3306),
            DbSystem::Redis => Some(6379),
            DbSystem::Sqlite => None,
        }
    }

    /// How this system's SQL is read by the sanitizer and the summary.
    pub const fn dialect(self) -> Dialect {
        match self {
            DbSystem::Postgresql => Dialect::Postgres,
            DbSystem::Mysql | DbSystem::Mariadb => Dialect::MySql,
            DbSystem::Sqlite => Dialect::Sqlite,
            DbSystem::Redis => Dialect::Generic,
        }
    }
}

/// How much of the query text reaches `db.query.text`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QueryText {
    /// Parameterized queries as written; queries that may carry inline literals with every
    /// literal replaced by `?`. The default.
    #[default]
    Sanitized,
    /// Every query as written, literals included. Only for data you may store in traces.
    AsWritten,
    /// No `db.query.text` at all (the summary and span name remain).
    Off,
}

/// A script's summary (`BATCH {summary}` when its statements share one, else `BATCH`)
/// and, for two or more statements, their number; a single statement's own summary.
fn script_summary(script: &str, dialect: sql::Dialect) -> (Option<String>, Option<u64>) {
    let statements = sql::split_statements(script, dialect);
    if statements.len() < 2 {
        return (sql::summarize(script, dialect), None);
    }
    let mut summaries = statements
        .iter()
        .map(|statement| sql::summarize(statement, dialect));
    let first = summaries.next().flatten();
    let shared = first.filter(|first| summaries.all(|s| s.as_deref() == Some(first.as_str())));
    let summary = match shared {
        Some(shared) if shared.len() + "BATCH ".len() <= sql::MAX_SUMMARY_LEN => {
            format!("BATCH {shared}")
        }
        _ => "BATCH".to_owned(),
    };
    (Some(summary), u64::try_from(statements.len()).ok())
}

impl QueryText {
    /// Reads the environment variable `var`: `sanitized`, `as_written` or `off`, in any
    /// case. Unset or empty keeps the default; any other value is one warning naming
    /// the variable, and the default.
    pub fn from_env_var(var: &str) -> QueryText {
        let value = crate::env::read_var(var);
        let (mode, warning) = Self::parse_env_value(var, value.as_deref());
        if let Some(warning) = warning {
            crate::warn_config(&warning);
        }
        mode
    }

    fn parse_env_value(var: &str, value: Option<&str>) -> (QueryText, Option<String>) {
        match value.map(str::trim) {
            None | Some("") => (QueryText::Sanitized, None),
            Some(v) if v.eq_ignore_ascii_case("sanitized") => (QueryText::Sanitized, None),
            Some(v) if v.eq_ignore_ascii_case("as_written") => (QueryText::AsWritten, None),
            Some(v) if v.eq_ignore_ascii_case("off") => (QueryText::Off, None),
            Some(v) => (
                QueryText::Sanitized,
                Some(format!(
                    "{var}={v:?} is not `sanitized`, `as_written` or `off`; using sanitized"
                )),
            ),
        }
    }
}

#[derive(Debug, Clone)]
enum Query<'a> {
    Sql {
        text: &'a str,
        parameterized: bool,
    },
    /// Several statements in one text, without bind arguments.
    Script(&'a str),
    Masked(Cow<'a, str>),
}

/// Describes one database call; [`start`](DbCall::start) makes its CLIENT span.
///
/// ```
/// use instrument_core::{DbCall, DbSystem, Library};
///
/// let span = DbCall::new(Library::Sqlx, DbSystem::Postgresql)
///     .namespace("shop")
///     .sql("SELECT * FROM users WHERE id = $1", true)
///     .server("db.internal", Some(5432))
///     .start();
/// // run the query inside `span`, then record the outcome on it
/// span.record_returned_rows(1);
/// ```
#[derive(Debug, Clone)]
#[must_use = "a DbCall does nothing until `start` makes its span"]
pub struct DbCall<'a> {
    library: Library,
    system: DbSystem,
    namespace: Option<&'a str>,
    operation: Option<&'a str>,
    collection: Option<&'a str>,
    summary: Option<&'a str>,
    query: Option<Query<'a>>,
    query_text: QueryText,
    batch_size: Option<u64>,
    server: Option<(&'a str, Option<u16>)>,
    peer: Option<(&'a str, Option<u16>)>,
}

/// The span's values, computed only when someone listens.
struct DbSpanValues<'a> {
    name: Cow<'a, str>,
    summary: Option<Cow<'a, str>>,
    text: Option<Cow<'a, str>>,
    server_port: Option<i64>,
    peer_port: Option<i64>,
    batch_size: Option<i64>,
}

macro_rules! db_span {
    ($target:literal, $call:expr, $v:expr) => {
        tracing::info_span!(
            target: $target,
            "db.client",
            otel.name = &*$v.name,
            otel.kind = "client",
            otel.status_code = tracing::field::Empty,
            otel.status_description = tracing::field::Empty,
            db.system.name = $call.system.name(),
            db.namespace = $call.namespace,
            db.query.text = $v.text.as_deref(),
            db.query.summary = $v.summary.as_deref(),
            db.operation.name = $call.operation,
            db.collection.name = $call.collection,
            db.operation.batch.size = $v.batch_size,
            db.response.status_code = tracing::field::Empty,
            db.response.returned_rows = tracing::field::Empty,
            db.response.affected_rows = tracing::field::Empty,
            db.client.connection.wait_time = tracing::field::Empty,
            error.type = tracing::field::Empty,
            server.address = $call.server.map(|(address, _)| address),
            server.port = $v.server_port,
            network.peer.address = $call.peer.map(|(address, _)| address),
            network.peer.port = $v.peer_port,
        )
    };
}

macro_rules! acquire_span {
    ($target:literal, $call:expr, $server_port:expr) => {
        tracing::info_span!(
            target: $target,
            "db.client.acquire",
            otel.name = "acquire",
            otel.kind = "internal",
            otel.status_code = tracing::field::Empty,
            otel.status_description = tracing::field::Empty,
            db.system.name = $call.system.name(),
            db.namespace = $call.namespace,
            db.client.connection.wait_time = tracing::field::Empty,
            error.type = tracing::field::Empty,
            server.address = $call.server.map(|(address, _)| address),
            server.port = $server_port,
        )
    };
}

impl<'a> DbCall<'a> {
    /// A call to `system` made through `library`'s wrapper.
    pub fn new(library: Library, system: DbSystem) -> Self {
        DbCall {
            library,
            system,
            namespace: None,
            operation: None,
            collection: None,
            summary: None,
            query: None,
            query_text: QueryText::default(),
            batch_size: None,
            server: None,
            peer: None,
        }
    }

    /// `db.namespace`: the database name (Redis: the db index as a string).
    pub fn namespace(mut self, namespace: &'a str) -> Self {
        self.namespace = Some(namespace);
        self
    }

    /// `db.operation.name`: for SQL only when the caller's API names it (not parsed from text).
    pub fn operation(mut self, operation: &'a str) -> Self {
        self.operation = Some(operation);
        self
    }

    /// `db.collection.name`: only when a higher-level API names it.
    pub fn collection(mut self, collection: &'a str) -> Self {
        self.collection = Some(collection);
        self
    }

    /// SQL text. `parameterized` says its values travel as bind arguments; when false the
    /// text may carry inline literals and is sanitized unless [`QueryText::AsWritten`].
    /// The summary (and so the span name) is derived from it.
    pub fn sql(mut self, text: &'a str, parameterized: bool) -> Self {
        self.query = Some(Query::Sql {
            text,
            parameterized,
        });
        self
    }

    /// A script: one or more SQL statements separated by `;`, sent without bind
    /// arguments (`batch_execute`, `simple_query`), so its text is sanitized unless
    /// [`QueryText::AsWritten`]. Two or more statements make a batch: the span is named
    /// `BATCH {summary}` when every statement has the same summary, else `BATCH`, and
    /// records `db.operation.batch.size`. A single statement is a plain query.
    pub fn sql_script(mut self, text: &'a str) -> Self {
        self.query = Some(Query::Script(text));
        self
    }

    /// A query text the wrapper has already masked (Redis commands); recorded unless
    /// [`QueryText::Off`].
    pub fn masked_query(mut self, text: impl Into<Cow<'a, str>>) -> Self {
        self.query = Some(Query::Masked(text.into()));
        self
    }

    /// Overrides the summary derived from the SQL text (e.g. `BATCH INSERT users`).
    pub fn summary(mut self, summary: &'a str) -> Self {
        self.summary = Some(summary);
        self
    }

    /// How much query text to record.
    pub fn query_text(mut self, mode: QueryText) -> Self {
        self.query_text = mode;
        self
    }

    /// `db.operation.batch.size`, recorded for 2 or more operations.
    pub fn batch_size(mut self, size: u64) -> Self {
        self.batch_size = Some(size);
        self
    }

    /// `server.address` and `server.port` (the port only when it is not the system's default).
    pub fn server(mut self, address: &'a str, port: Option<u16>) -> Self {
        self.server = Some((address, port));
        self
    }

    /// `network.peer.address` and `network.peer.port`: the address actually connected to.
    pub fn network_peer(mut self, address: &'a str, port: Option<u16>) -> Self {
        self.peer = Some((address, port));
        self
    }

    /// Makes the CLIENT span, with every attribute a sampler may need already set. When
    /// the library is switched off or nobody listens, returns [`CallSpan::none`] without
    /// doing any string work.
    pub fn start(self) -> CallSpan {
        if !crate::recording(self.library) {
            return CallSpan::none();
        }
        let values = self.values();
        let span = with_target!(self.library, db_span!(self, values));
        CallSpan::new(span, CallKind::Database)
    }

    /// Makes the INTERNAL span `acquire`: the wait for a connection from a client-side
    /// pool, with the pool's `db.system.name`, `db.namespace` and server. Record how long
    /// it took with [`CallSpan::record_connection_wait`]; any query text set is ignored.
    pub fn start_acquire(self) -> CallSpan {
        if !crate::recording(self.library) {
            return CallSpan::none();
        }
        let server_port = self.server_port();
        let span = with_target!(self.library, acquire_span!(self, server_port));
        CallSpan::new(span, CallKind::Database)
    }

    /// `server.port`, left out when it is the system's default.
    fn server_port(&self) -> Option<i64> {
        let default_port = self.system.default_port();
        self.server
            .and_then(|(_, port)| port)
            .filter(|port| Some(*port) != default_port)
            .map(i64::from)
    }

    fn values(&self) -> DbSpanValues<'a> {
        let dialect = self.system.dialect();
        let mut batch_size = self.batch_size;
        let (summary, text) = match &self.query {
            None => (None, None),
            Some(Query::Masked(text)) => (None, Some(text.clone())),
            Some(Query::Sql {
                text,
                parameterized,
            }) => (
                sql::summarize(text, dialect),
                self.recorded_sql(text, *parameterized),
            ),
            Some(Query::Script(script)) => {
                let (summary, size) = script_summary(script, dialect);
                batch_size = batch_size.or(size);
                (summary, self.recorded_sql(script, false))
            }
        };
        let summary = summary.map(Cow::Owned);
        let summary = self.summary.map(Cow::Borrowed).or(summary);
        let text = if self.query_text == QueryText::Off {
            None
        } else {
            text
        };
        let name = self.span_name(summary.as_deref());
        DbSpanValues {
            name,
            summary,
            text,
            server_port: self.server_port(),
            peer_port: self.peer.and_then(|(_, port)| port).map(i64::from),
            batch_size: batch_size
                .filter(|size| *size >= 2)
                .and_then(|size| i64::try_from(size).ok()),
        }
    }

    /// `db.query.text` for SQL: as written when parameterized (or asked for), else
    /// sanitized; none when switched off.
    fn recorded_sql(&self, text: &'a str, parameterized: bool) -> Option<Cow<'a, str>> {
        match (self.query_text, parameterized) {
            (QueryText::Off, _) => None,
            (QueryText::AsWritten, _) | (QueryText::Sanitized, true) => Some(Cow::Borrowed(text)),
            (QueryText::Sanitized, false) => {
                let options = SanitizeOptions {
                    dialect: self.system.dialect(),
                    ..SanitizeOptions::default()
                };
                Some(Cow::Owned(sql::sanitize(text, &options)))
            }
        }
    }

    /// Span name, first rule that applies: the summary; `{operation} {target}`; the system.
    fn span_name(&self, summary: Option<&str>) -> Cow<'a, str> {
        if let Some(summary) = summary {
            return Cow::Owned(summary.to_owned());
        }
        let Some(operation) = self.operation else {
            return Cow::Borrowed(self.system.name());
        };
        // Redis spans are named by the command alone: a key-space index or an address
        // adds nothing a reader of "GET" needs.
        if self.system == DbSystem::Redis {
            return Cow::Borrowed(operation);
        }
        let target = self
            .collection
            .map(Cow::Borrowed)
            .or(self.namespace.map(Cow::Borrowed))
            .or(self.server.map(|(address, port)| match port {
                Some(port) => Cow::Owned(format!("{address}:{port}")),
                None => Cow::Borrowed(address),
            }));
        match target {
            Some(target) => Cow::Owned(format!("{operation} {target}")),
            None => Cow::Borrowed(operation),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_text_env_values_are_accepted_in_any_case_and_others_warn() {
        let parse = |value| QueryText::parse_env_value("X_QUERY_TEXT", value);
        assert_eq!(parse(None), (QueryText::Sanitized, None));
        assert_eq!(parse(Some(" ")), (QueryText::Sanitized, None));
        assert_eq!(parse(Some("OFF")), (QueryText::Off, None));
        assert_eq!(parse(Some("As_Written")), (QueryText::AsWritten, None));
        assert_eq!(parse(Some(" sanitized ")), (QueryText::Sanitized, None));
        let (mode, warning) = parse(Some("everything"));
        assert_eq!(mode, QueryText::Sanitized);
        assert!(warning.is_some_and(|w| w.contains("X_QUERY_TEXT") && w.contains("everything")));
    }
}
