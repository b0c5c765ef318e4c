//! [`Instrumented`]: any redis-rs connection, traced, itself a connection.

use std::sync::Arc;

use instrument_core::hooks::DbHooks;
use instrument_core::{CallSpan, DbCall, DbSystem, Library, OwnedText, Text, Traced};
use redis::{Cmd, ConnectionAddr, ConnectionInfo, Pipeline, RedisFuture, RedisResult, Value};

use crate::describe::{self, Arg};
use crate::options::QueryText;
use crate::{outcome, resp};

/// A redis-rs connection whose every command and pipeline is a CLIENT span.
///
/// It implements the same connection traits as what it wraps (the async
/// [`redis::aio::ConnectionLike`], the sync [`redis::ConnectionLike`]), so `AsyncCommands`,
/// `Commands`, `redis::cmd(..).query_async(&mut con)`, `redis::pipe()` and `atomic()`
/// transactions all work through it unchanged. It deliberately does not `Deref` to the
/// inner connection (calls would escape the tracing); [`inner`](Self::inner) and
/// [`inner_mut`](Self::inner_mut) reach it explicitly.
#[derive(Debug, Clone)]
pub struct Instrumented<C> {
    inner: C,
    server: Option<Arc<Server>>,
    query_text: QueryText,
    hooks: DbHooks,
}

/// Where the connection goes: `server.address` and `server.port`.
#[derive(Debug)]
struct Server {
    /// Interned once, when there is room: recorded without a lookup per call.
    address: OwnedText,
    port: Option<u16>,
}

impl Server {
    fn from_info(info: &ConnectionInfo) -> Self {
        let (address, port) = match info.addr() {
            ConnectionAddr::Tcp(host, port) | ConnectionAddr::TcpTls { host, port, .. } => {
                (host.clone(), Some(*port))
            }
            ConnectionAddr::Unix(path) => (path.to_string_lossy().into_owned(), None),
            // `ConnectionAddr` may grow; an unknown kind of address is simply not recorded.
            #[allow(unreachable_patterns)]
            _ => (String::new(), None),
        };
        Server {
            address: OwnedText::new(address),
            port,
        }
    }
}

impl<C> Instrumented<C> {
    /// Traces `inner`. Without connection info the spans carry no `server.address`; use
    /// [`with_connection_info`](Self::with_connection_info) (what [`crate::Client`] does).
    pub fn new(inner: C) -> Self {
        Instrumented {
            inner,
            server: None,
            query_text: QueryText::from_env(),
            hooks: DbHooks::default(),
        }
    }

    /// Traces `inner`, recording the server it was opened to.
    pub fn with_connection_info(inner: C, info: &ConnectionInfo) -> Self {
        let server = Server::from_info(info);
        Instrumented {
            inner,
            server: (!server.address.as_str().is_empty()).then(|| Arc::new(server)),
            query_text: QueryText::from_env(),
            hooks: DbHooks::default(),
        }
    }

    /// How much command text to record (else `OTEL_RUST_REDIS_QUERY_TEXT`, else sanitized).
    #[must_use]
    pub fn query_text(mut self, mode: QueryText) -> Self {
        self.query_text = mode;
        self
    }

    /// The application's hooks for this connection's commands: skip some, name their
    /// spans, add attributes from each call ([`instrument_core::hooks`]). A hook sees
    /// the command name as [`operation`](instrument_core::hooks::DbCallInfo::operation)
    /// and its masked text as the query (none when the text is switched off).
    #[must_use]
    pub fn hooks(mut self, hooks: DbHooks) -> Self {
        self.hooks = hooks;
        self
    }

    /// The wrapped connection.
    pub fn inner(&self) -> &C {
        &self.inner
    }

    /// The wrapped connection, mutably: calls made through it are not traced.
    pub fn inner_mut(&mut self) -> &mut C {
        &mut self.inner
    }

    /// The wrapped connection, unwrapped.
    pub fn into_inner(self) -> C {
        self.inner
    }

    /// A CLIENT span for one operation (a command or a whole batch) against `db`.
    fn span(
        &self,
        db: i64,
        operation: Text<'_>,
        text: Option<&str>,
        batch_size: Option<u64>,
    ) -> CallSpan {
        let namespace = db_name(db);
        let mut call = DbCall::new(Library::Redis, DbSystem::Redis)
            .operation(operation)
            .namespace(&namespace)
            .hooks(&self.hooks);
        if let Some(text) = text {
            call = call.masked_query(text);
        }
        if let Some(size) = batch_size {
            call = call.batch_size(size);
        }
        if let Some(server) = &self.server {
            call = call.server(&server.address, server.port);
        }
        call.start()
    }

    fn command_span<'a>(
        &self,
        db: i64,
        mut args: impl Iterator<Item = Arg<'a>> + Clone,
    ) -> CallSpan {
        let name = describe::command_name(args.next().flatten());
        if self.query_text != QueryText::Sanitized {
            return self.span(db, name.text(), None, None);
        }
        describe::with_masked_named(&name, args, |text| {
            self.span(db, name.text(), Some(text), None)
        })
    }

    fn batch_span<'a, I>(&self, db: i64, commands: &[I], transaction: bool) -> CallSpan
    where
        I: Clone + IntoIterator<Item = Arg<'a>>,
    {
        let names: Vec<describe::CommandName> = commands
            .iter()
            .map(|args| describe::command_name(args.clone().into_iter().next().flatten()))
            .collect();
        let operation = describe::batch_operation(&names, transaction);
        let size = Some(commands.len() as u64);
        if self.query_text != QueryText::Sanitized {
            return self.span(db, Text::from(&operation), None, size);
        }
        describe::with_masked_batch(commands.iter().cloned(), |text| {
            self.span(db, Text::from(&operation), Some(text), size)
        })
    }
}

/// `db.namespace` for a database index, without formatting the usual sixteen.
fn db_name(db: i64) -> std::borrow::Cow<'static, str> {
    const NAMES: [&str; 16] = [
        "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15",
    ];
    usize::try_from(db)
        .ok()
        .and_then(|index| NAMES.get(index))
        .map_or_else(|| db.to_string().into(), |name| (*name).into())
}

/// A command's arguments as the describer reads them.
fn cmd_args(cmd: &Cmd) -> impl Iterator<Item = Arg<'_>> + Clone {
    cmd.args_iter().map(|arg| match arg {
        redis::Arg::Simple(bytes) => Some(bytes),
        // A cursor (filled in by redis-rs), or a kind of argument added later: masked.
        _ => None,
    })
}

impl<C: redis::aio::ConnectionLike + Send> redis::aio::ConnectionLike for Instrumented<C> {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        if !instrument_core::recording(Library::Redis) {
            return self.inner.req_packed_command(cmd);
        }
        traced_command(self, cmd)
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        if !instrument_core::recording(Library::Redis) {
            return self.inner.req_packed_commands(pipeline, offset, count);
        }
        traced_commands(self, pipeline, offset, count)
    }

    fn get_db(&self) -> i64 {
        self.inner.get_db()
    }
}

/// [`req_packed_command`](redis::aio::ConnectionLike::req_packed_command), traced. Out of
/// line: inlined, its registers were saved and restored on the switched-off path too
/// (about 15 instructions per call).
#[inline(never)]
fn traced_command<'a, C: redis::aio::ConnectionLike + Send>(
    connection: &'a mut Instrumented<C>,
    cmd: &'a Cmd,
) -> RedisFuture<'a, Value> {
    let span = connection.command_span(connection.inner.get_db(), cmd_args(cmd));
    Box::pin(Traced::new(
        span,
        connection.inner.req_packed_command(cmd),
        outcome::record_reply,
    ))
}

/// [`req_packed_commands`](redis::aio::ConnectionLike::req_packed_commands), traced; out
/// of line as [`traced_command`] is.
#[inline(never)]
fn traced_commands<'a, C: redis::aio::ConnectionLike + Send>(
    connection: &'a mut Instrumented<C>,
    pipeline: &'a Pipeline,
    offset: usize,
    count: usize,
) -> RedisFuture<'a, Vec<Value>> {
    let commands: Vec<_> = pipeline.cmd_iter().map(cmd_args).collect();
    let db = connection.inner.get_db();
    let span = connection.batch_span(db, &commands, pipeline.is_transaction());
    Box::pin(Traced::new(
        span,
        connection
            .inner
            .req_packed_commands(pipeline, offset, count),
        outcome::record_replies,
    ))
}

/// Arguments read back from packed bytes.
fn packed_args<'a>(args: &'a [&'a [u8]]) -> impl Iterator<Item = Arg<'a>> + Clone {
    args.iter().map(|arg| Some(*arg))
}

impl<C: redis::ConnectionLike> redis::ConnectionLike for Instrumented<C> {
    fn req_packed_command(&mut self, cmd: &[u8]) -> RedisResult<Value> {
        if !instrument_core::recording(Library::Redis) {
            return self.inner.req_packed_command(cmd);
        }
        let commands = resp::commands(cmd);
        let args = commands.first().map(Vec::as_slice).unwrap_or_default();
        let span = self.command_span(self.inner.get_db(), packed_args(args));
        let result = span.in_scope(|| self.inner.req_packed_command(cmd));
        outcome::record_reply(&result, &span);
        result
    }

    fn req_packed_commands(
        &mut self,
        cmd: &[u8],
        offset: usize,
        count: usize,
    ) -> RedisResult<Vec<Value>> {
        if !instrument_core::recording(Library::Redis) {
            return self.inner.req_packed_commands(cmd, offset, count);
        }
        let commands = resp::commands(cmd);
        let is = |args: Option<&Vec<&[u8]>>, name: &str| {
            args.and_then(|a| a.first())
                .is_some_and(|n| n.eq_ignore_ascii_case(name.as_bytes()))
        };
        // A transaction arrives wrapped in MULTI ... EXEC; the span counts what is inside.
        let transaction =
            commands.len() >= 2 && is(commands.first(), "MULTI") && is(commands.last(), "EXEC");
        let inside = if transaction {
            &commands[1..commands.len() - 1]
        } else {
            &commands[..]
        };
        let inside: Vec<_> = inside.iter().map(|args| packed_args(args)).collect();
        let span = self.batch_span(self.inner.get_db(), &inside, transaction);
        let result = span.in_scope(|| self.inner.req_packed_commands(cmd, offset, count));
        outcome::record_replies(&result, &span);
        result
    }

    fn req_command(&mut self, cmd: &Cmd) -> RedisResult<Value> {
        if !instrument_core::recording(Library::Redis) {
            return self.inner.req_command(cmd);
        }
        let span = self.command_span(self.inner.get_db(), cmd_args(cmd));
        let result = span.in_scope(|| self.inner.req_command(cmd));
        outcome::record_reply(&result, &span);
        result
    }

    fn get_db(&self) -> i64 {
        self.inner.get_db()
    }

    fn supports_pipelining(&self) -> bool {
        self.inner.supports_pipelining()
    }

    fn check_connection(&mut self) -> bool {
        self.inner.check_connection()
    }

    fn is_open(&self) -> bool {
        self.inner.is_open()
    }
}
