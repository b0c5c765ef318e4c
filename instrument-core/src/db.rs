//! [`DbCall`]: the description of one database call, from which core makes its span.

use std::borrow::Cow;

use opentelemetry::trace::{SpanBuilder, SpanKind};
use opentelemetry::{KeyValue, Value};

use crate::hooks::{DbCallInfo, DbHooks};
use crate::intern::intern;
use crate::metrics::{CallMetricKind, Identity, MetricShape};
use crate::recent::shared_value;
use crate::span::{CallKind, CallSpan};
use crate::sql::Dialect;
use crate::statements::{self, Statement};
use crate::text::Text;
use crate::{Library, emit};

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

impl Query<'_> {
    /// The statement SQL text describes (from the cache of distinct texts); none for a
    /// text the wrapper masked.
    fn statement(&self, dialect: Dialect) -> Option<std::sync::Arc<Statement>> {
        match self {
            Query::Sql { text, .. } => Some(statements::describe(text, dialect, false)),
            Query::Script(script) => Some(statements::describe(script, dialect, true)),
            Query::Masked(_) => None,
        }
    }
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
    namespace: Option<Text<'a>>,
    operation: Option<Text<'a>>,
    collection: Option<&'a str>,
    summary: Option<&'a str>,
    query: Option<Query<'a>>,
    query_text: QueryText,
    batch_size: Option<u64>,
    server: Option<(Text<'a>, Option<u16>)>,
    peer: Option<(Text<'a>, Option<u16>)>,
    hooks: Option<&'a DbHooks>,
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
            hooks: None,
        }
    }

    /// The application's hooks for this call's wrapper ([`crate::hooks`]): applied by
    /// [`start`](Self::start).
    pub fn hooks(mut self, hooks: &'a DbHooks) -> Self {
        self.hooks = Some(hooks);
        self
    }

    /// `db.namespace`: the database name (Redis: the db index as a string).
    pub fn namespace(mut self, namespace: impl Into<Text<'a>>) -> Self {
        self.namespace = Some(namespace.into());
        self
    }

    /// `db.operation.name`: for SQL only when the caller's API names it (not parsed from text).
    pub fn operation(mut self, operation: impl Into<Text<'a>>) -> Self {
        self.operation = Some(operation.into());
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
    pub fn server(mut self, address: impl Into<Text<'a>>, port: Option<u16>) -> Self {
        self.server = Some((address.into(), port));
        self
    }

    /// `network.peer.address` and `network.peer.port`: the address actually connected to.
    pub fn network_peer(mut self, address: impl Into<Text<'a>>, port: Option<u16>) -> Self {
        self.peer = Some((address.into(), port));
        self
    }

    /// The `db.client.connection.pool.name` of a pool of connections to this call's
    /// server and database: `address[:port]/database`, the port only when it is not the
    /// system's default. The metrics of the calls' waits and timeouts use the same name;
    /// a wrapper registers its pools under it ([`observe_pool`](crate::pool::observe_pool)).
    pub fn pool_name(&self) -> String {
        let port = self.server_port().map(|port| port.to_string());
        crate::pool::pool_name(
            self.server.map_or("", |(address, _)| address.as_str()),
            port.as_deref(),
            self.namespace.map(|namespace| namespace.as_str()),
        )
    }

    /// Makes the CLIENT span, with every attribute a sampler may need already set. When
    /// the library is switched off, returns [`CallSpan::none`] without doing any string
    /// work.
    pub fn start(mut self) -> CallSpan {
        if !crate::recording(self.library) {
            return CallSpan::none();
        }
        let hooks = self.hooks.filter(|hooks| !hooks.is_empty());
        let mut custom_name = None;
        if let Some(hooks) = hooks {
            let call = DbCallInfo::new(&self);
            if hooks.skips(&call) {
                return CallSpan::none();
            }
            custom_name = hooks.name(&call);
        }
        // What `on_start` sees: the description as it was, since making the span
        // consumes its query.
        let described = hooks
            .filter(|hooks| hooks.has_on_start())
            .map(|_| self.clone());
        let mut attributes = Vec::with_capacity(self.attribute_capacity());
        // The metric's attributes first (see `MetricShape`), then the span's own; where
        // they live written down as they are pushed (see `Identity`).
        let mut identity = Identity::for_metrics();
        let (name, text, batch_size) = self.query_attributes(&mut attributes, &mut identity);
        let name = custom_name.map_or(name, Cow::Owned);
        if let Some(operation) = self.operation {
            identity.push_str(&mut attributes, "db.operation.name", operation.keep());
        }
        if let Some(collection) = self.collection {
            identity.push_copy(
                &mut attributes,
                KeyValue::new("db.collection.name", collection.to_owned()),
            );
        }
        self.push_common(&mut attributes, &mut identity);
        if let Some((address, port)) = self.peer {
            identity.push_str(&mut attributes, "network.peer.address", address.keep());
            if let Some(port) = port {
                identity.push_int(&mut attributes, "network.peer.port", i64::from(port));
            }
        }
        let metric = MetricShape::new(CallMetricKind::DbOperation, &attributes, &identity);
        if let Some(text) = text {
            attributes.push(KeyValue::new("db.query.text", text));
        }
        if let Some(size) = batch_size
            .filter(|size| *size >= 2)
            .and_then(|size| i64::try_from(size).ok())
        {
            attributes.push(KeyValue::new("db.operation.batch.size", size));
        }
        let builder = SpanBuilder::from_name(name)
            .with_kind(SpanKind::Client)
            .with_attributes(attributes);
        let span = emit::start_alone(self.library, builder, Some(metric), CallKind::Database);
        if let (Some(hooks), Some(described)) = (hooks, &described) {
            hooks.started(&DbCallInfo::new(described), &span);
        }
        span
    }

    /// Makes the INTERNAL span `acquire`: the wait for a connection from a client-side
    /// pool, with the pool's `db.system.name`, `db.namespace` and server. Record how long
    /// it took with [`CallSpan::record_connection_wait`]; any query text set is ignored.
    pub fn start_acquire(self) -> CallSpan {
        if !crate::recording(self.library) {
            return CallSpan::none();
        }
        // The common four, and the wait and an error recorded later.
        let mut attributes = Vec::with_capacity(6);
        let mut identity = Identity::for_metrics();
        self.push_common(&mut attributes, &mut identity);
        let metric = MetricShape::new(CallMetricKind::PoolAcquire, &attributes, &identity);
        let builder = SpanBuilder::from_name("acquire")
            .with_kind(SpanKind::Internal)
            .with_attributes(attributes);
        emit::start_alone(self.library, builder, Some(metric), CallKind::Database)
    }

    pub(crate) fn library(&self) -> Library {
        self.library
    }

    pub(crate) fn system(&self) -> DbSystem {
        self.system
    }

    pub(crate) fn namespace_name(&self) -> Option<&'a str> {
        self.namespace.map(|namespace| namespace.as_str())
    }

    pub(crate) fn operation_name(&self) -> Option<&'a str> {
        self.operation.map(|operation| operation.as_str())
    }

    pub(crate) fn query_str(&self) -> Option<&str> {
        match &self.query {
            Some(Query::Sql { text, .. } | Query::Script(text)) => Some(text),
            Some(Query::Masked(text)) => Some(text),
            None => None,
        }
    }

    /// The span's name by the conventions, as [`start`](Self::start) gives it.
    pub(crate) fn default_name(&self) -> Cow<'static, str> {
        let statement = self
            .query
            .as_ref()
            .and_then(|query| query.statement(self.system.dialect()));
        self.span_name(statement.as_deref())
    }

    /// The span's name: the summary the wrapper gave, the one derived from the SQL,
    /// else `{operation} {target}` or the system.
    fn span_name(&self, statement: Option<&Statement>) -> Cow<'static, str> {
        match (self.summary, statement.and_then(|s| s.summary.as_ref())) {
            (Some(summary), _) => intern(summary),
            (None, Some(derived)) => derived.name.clone(),
            (None, None) => self.span_name_without_summary(),
        }
    }

    /// How many attributes the span has at start, and room for the rows a SQL query
    /// records at the end, so that the vector of a successful call is allocated once and
    /// no bigger than needed.
    fn attribute_capacity(&self) -> usize {
        let some = |present: bool| usize::from(present);
        let sql = matches!(self.query, Some(Query::Sql { .. } | Query::Script(_)));
        let known = 1 // db.system.name
            + some(self.namespace.is_some())
            + some(self.operation.is_some())
            + some(self.collection.is_some())
            + some(self.server.is_some())
            + some(self.server_port().is_some())
            + some(self.peer.is_some())
            + some(self.peer.is_some_and(|(_, port)| port.is_some()))
            + some(self.query.is_some()) // the text
            + some(sql) // summary
            + some(matches!(self.query, Some(Query::Script(_))) || self.batch_size.is_some());
        // Rows, which only SQL queries record, on success; a failure's type and code
        // grow it once.
        known + some(sql)
    }

    /// `db.system.name`, `db.namespace`, `server.address` and `server.port`.
    fn push_common(&self, attributes: &mut Vec<KeyValue>, identity: &mut Identity) {
        identity.push_str(
            attributes,
            "db.system.name",
            Cow::Borrowed(self.system.name()),
        );
        if let Some(namespace) = self.namespace {
            identity.push_str(attributes, "db.namespace", namespace.keep());
        }
        if let Some((address, _)) = self.server {
            identity.push_str(attributes, "server.address", address.keep());
        }
        if let Some(port) = self.server_port() {
            identity.push_int(attributes, "server.port", port);
        }
    }

    /// `server.port`, left out when it is the system's default.
    fn server_port(&self) -> Option<i64> {
        let default_port = self.system.default_port();
        self.server
            .and_then(|(_, port)| port)
            .filter(|port| Some(*port) != default_port)
            .map(i64::from)
    }

    /// Pushes `db.query.summary`; returns the span name, `db.query.text` (if recorded)
    /// and the batch size a script implies.
    fn query_attributes(
        &mut self,
        attributes: &mut Vec<KeyValue>,
        identity: &mut Identity,
    ) -> (Cow<'static, str>, Option<Value>, Option<u64>) {
        let statement = self
            .query
            .as_ref()
            .and_then(|query| query.statement(self.system.dialect()));
        // Taken, not copied: the span is the query's last use.
        let text = match (self.query.take(), &statement) {
            (Some(Query::Masked(text)), _) => Some(shared_value(&text)),
            (Some(Query::Sql { parameterized, .. }), Some(statement)) => {
                self.recorded_sql(statement, parameterized)
            }
            (Some(Query::Script(_)), Some(statement)) => self.recorded_sql(statement, false),
            _ => None,
        };
        let text = text.filter(|_| self.query_text != QueryText::Off);
        let batch_size = self
            .batch_size
            .or(statement.as_ref().and_then(|s| s.batch_size));
        let name = self.span_name(statement.as_deref());
        match (
            self.summary,
            statement.as_ref().and_then(|s| s.summary.as_ref()),
        ) {
            (Some(_), _) => identity.push_str(attributes, "db.query.summary", name.clone()),
            (None, Some(derived)) => {
                identity.push_shared(attributes, "db.query.summary", derived.summary.clone());
            }
            (None, None) => {}
        }
        (name, text, batch_size)
    }

    /// `db.query.text` for SQL: as written when parameterized (or asked for), else
    /// sanitized; none when switched off. Never longer than the sanitizer's output
    /// ([`MAX_TEXT_LEN`](crate::sql::MAX_TEXT_LEN)): a bulk insert's thousands of
    /// placeholders are not copied into every span.
    fn recorded_sql(&self, statement: &Statement, parameterized: bool) -> Option<Value> {
        let text = match (self.query_text, parameterized) {
            (QueryText::Off, _) => return None,
            (QueryText::AsWritten, _) | (QueryText::Sanitized, true) => {
                if statement.text.len() > crate::sql::MAX_TEXT_LEN {
                    let mut cut = crate::sql::MAX_TEXT_LEN;
                    while !statement.text.is_char_boundary(cut) {
                        cut -= 1;
                    }
                    std::sync::Arc::from(&statement.text[..cut])
                } else {
                    statement.text.clone()
                }
            }
            (QueryText::Sanitized, false) => statement.sanitized(),
        };
        Some(Value::String(text.into()))
    }

    /// Span name without a summary, first rule that applies: `{operation} {target}`;
    /// the system.
    fn span_name_without_summary(&self) -> Cow<'static, str> {
        let Some(operation) = self.operation else {
            return Cow::Borrowed(self.system.name());
        };
        // Redis spans are named by the command alone: a key-space index or an address
        // adds nothing a reader of "GET" needs.
        if self.system == DbSystem::Redis {
            return operation.keep();
        }
        let operation = operation.as_str();
        let target = self
            .collection
            .map(Cow::Borrowed)
            .or(self
                .namespace
                .map(|namespace| Cow::Borrowed(namespace.as_str())))
            .or(self.server.map(|(address, port)| match port {
                Some(port) => Cow::Owned(format!("{}:{port}", address.as_str())),
                None => Cow::Borrowed(address.as_str()),
            }));
        match target {
            Some(target) => Cow::Owned(format!("{operation} {target}")),
            None => Cow::Owned(operation.to_owned()),
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
