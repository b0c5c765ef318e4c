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

#[derive(Debug, Clone)]
enum Query<'a> {
    Sql { text: &'a str, parameterized: bool },
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
            error.type = tracing::field::Empty,
            server.address = $call.server.map(|(address, _)| address),
            server.port = $v.server_port,
            network.peer.address = $call.peer.map(|(address, _)| address),
            network.peer.port = $v.peer_port,
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

    fn values(&self) -> DbSpanValues<'a> {
        let dialect = self.system.dialect();
        let (summary, text) = match &self.query {
            None => (None, None),
            Some(Query::Masked(text)) => (None, Some(text.clone())),
            Some(Query::Sql {
                text,
                parameterized,
            }) => {
                let summary = sql::summarize(text, dialect).map(Cow::Owned);
                let recorded = match (self.query_text, parameterized) {
                    (QueryText::Off, _) => None,
                    (QueryText::AsWritten, _) | (QueryText::Sanitized, true) => {
                        Some(Cow::Borrowed(*text))
                    }
                    (QueryText::Sanitized, false) => {
                        let options = SanitizeOptions {
                            dialect,
                            ..SanitizeOptions::default()
                        };
                        Some(Cow::Owned(sql::sanitize(text, &options)))
                    }
                };
                (summary, recorded)
            }
        };
        let summary = self.summary.map(Cow::Borrowed).or(summary);
        let text = if self.query_text == QueryText::Off {
            None
        } else {
            text
        };
        let name = self.span_name(summary.as_deref());
        let default_port = self.system.default_port();
        DbSpanValues {
            name,
            summary,
            text,
            server_port: self
                .server
                .and_then(|(_, port)| port)
                .filter(|port| Some(*port) != default_port)
                .map(i64::from),
            peer_port: self.peer.and_then(|(_, port)| port).map(i64::from),
            batch_size: self
                .batch_size
                .filter(|size| *size >= 2)
                .and_then(|size| i64::try_from(size).ok()),
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
