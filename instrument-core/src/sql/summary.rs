//! `db.query.summary`: the operations of a query and the collections they
//! touch, in the order written.
//!
//! The summarizer reads the same tokens as the sanitizer, once, keeping only a
//! small state per open parenthesis (bounded in depth), so it runs in linear
//! time on any input. It is a recognizer, not a parser: on SQL it does not
//! understand it degrades to fewer targets, never to a panic.
//!
//! Rules, following the OpenTelemetry database conventions and the behaviour of
//! the OpenTelemetry reference instrumentations:
//! * operations are written as upper-case canonical keywords; targets exactly as
//!   written. (The conventions ask for no case normalization; we normalize the
//!   operation on purpose, since the summary names the span: `select` and
//!   `SELECT` must not split one query shape into two span names.) (qualified `public.users`, quoted `"song list"`, `` `t` ``, `[t]`,
//!   and a `'name'` in table position, as in the conventions' example);
//! * `SELECT` adds the tables of its `FROM` list and `JOIN`s; aliases, table
//!   functions and derived tables are not targets, but subqueries add their own
//!   operation where they are written: `SELECT SELECT orders customers`;
//! * `INSERT`/`REPLACE`/`UPSERT`, `UPDATE`, `DELETE` and `MERGE` add the one
//!   table they modify (tables only joined or read in `FROM`/`USING` are left
//!   out, as in the reference instrumentation), then any subqueries;
//! * `WITH` is not written: each CTE body is summarized, then the main
//!   statement; CTE names are not targets;
//! * DDL adds its object type and name(s): `CREATE TABLE users`,
//!   `DROP INDEX idx`, `CREATE VIEW v SELECT users`;
//! * `CALL`/`EXEC`/`EXECUTE` add the procedure, `COPY` its table, `USE` its
//!   database; `EXPLAIN` is followed by the statement explained;
//! * transaction, session and administrative commands (`BEGIN`, `COMMIT`,
//!   `SET`, `SHOW`, `GRANT`, `VACUUM`, ...) are written alone;
//! * statements separated by `;` are all summarized, in order, space separated;
//! * the result is at most [`MAX_SUMMARY_LEN`] bytes and ends at the last whole
//!   operation or target that fits.

use std::borrow::Cow;
use std::collections::HashSet;

use super::Dialect;
use super::lexer::{Lexer, Token, TokenKind};

/// Longest `db.query.summary` we produce, in bytes.
pub const MAX_SUMMARY_LEN: usize = 255;

/// The OpenTelemetry `db.query.summary` of a query: `{operation} {target} {operation} {target}...`
/// in the order written, e.g. `SELECT users`, `INSERT shipping_details SELECT orders`.
/// `None` when no operation keyword can be found (empty, garbage). At most MAX_SUMMARY_LEN bytes,
/// never cut inside a token.
pub fn summarize(sql: &str, dialect: Dialect) -> Option<String> {
    let parts = summary_parts(sql, dialect, MAX_SUMMARY_LEN);
    if parts.is_empty() {
        None
    } else {
        Some(parts.join(" "))
    }
}

/// The operations and targets of the summary, in order, as many as fit in
/// `max_len` bytes once joined with single spaces.
pub(crate) fn summary_parts(sql: &str, dialect: Dialect, max_len: usize) -> Vec<Cow<'_, str>> {
    let mut s = Summarizer::new(Stream::new(sql, dialect), max_len);
    s.run();
    s.parts
}

/// Deepest parenthesis nesting given its own state; deeper levels are skipped.
const MAX_DEPTH: usize = 64;

/// Longest target text assembled from a qualified name; longer names can never
/// fit in a summary anyway.
const MAX_NAME: usize = 1024;

/// The significant tokens (no whitespace, no comments), with one token of lookahead.
struct Stream<'a> {
    lexer: Lexer<'a>,
    peeked: Option<Token<'a>>,
    /// The last token returned by `next`.
    last: Option<Token<'a>>,
}

impl<'a> Stream<'a> {
    fn new(sql: &'a str, dialect: Dialect) -> Self {
        Stream {
            lexer: Lexer::new(sql, dialect),
            peeked: None,
            last: None,
        }
    }

    fn pull(&mut self) -> Option<Token<'a>> {
        self.lexer.by_ref().find(|t| !t.is_trivia())
    }

    fn next(&mut self) -> Option<Token<'a>> {
        let tok = match self.peeked.take() {
            Some(t) => Some(t),
            None => self.pull(),
        };
        self.last = tok;
        tok
    }

    fn peek(&mut self) -> Option<Token<'a>> {
        if self.peeked.is_none() {
            self.peeked = self.pull();
        }
        self.peeked
    }
}

/// What kind of statement a parenthesis level is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stmt {
    /// Not known yet (or a parenthesized expression).
    None,
    Select,
    /// `INSERT`, `REPLACE`, `UPSERT`.
    Insert,
    Update,
    Delete,
    Merge,
    Ddl,
    /// `CALL`, `EXEC`, `EXECUTE`.
    Call,
    Copy,
    /// `USE db`, `DESCRIBE t`: one name, then nothing of interest.
    Use,
    /// `SHOW ... FROM t`.
    Show,
    /// Session commands (`SET`, `DECLARE`, `PRAGMA`) and standalone `VALUES`.
    Other,
}

impl Stmt {
    /// Statements whose single target is the table they modify.
    fn single_target(self) -> bool {
        matches!(
            self,
            Stmt::Insert
                | Stmt::Update
                | Stmt::Delete
                | Stmt::Merge
                | Stmt::Call
                | Stmt::Copy
                | Stmt::Use
        )
    }
}

/// What the next token means at one parenthesis level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Expressions and clauses: only operations, `FROM`, `JOIN` and `,` matter.
    Expr,
    /// The next name is a target.
    Table,
    /// A target or derived table was just read: an alias may follow.
    AfterTable,
    /// After `DELETE`: `FROM t`, or (Oracle) a bare table, or (MySQL) a list
    /// of tables before `FROM`. The first bare name waits in `Frame::held`.
    DeleteHead,
    /// After a DDL verb: modifiers until the object type.
    DdlHead { optional_type: bool, skipped: u8 },
    /// The next name is the DDL object.
    DdlName,
    /// After a DDL object name: `,` continues the list.
    AfterDdlName,
    /// After `WITH` or `,` between CTEs: a CTE name.
    CteName,
    /// After a CTE name: column list, `AS`, `MATERIALIZED`, then the body.
    CteAfterName { seen_as: bool },
    /// After a CTE body: `,` and another CTE, or the main statement.
    CteAfterBody,
    /// After `PREPARE`: everything up to `AS`.
    PrepareHead,
}

/// State of one parenthesis level.
#[derive(Debug, Clone)]
struct Frame<'a> {
    mode: Mode,
    /// A bare `DELETE t` table, emitted once we know no `FROM` follows.
    held: Option<Cow<'a, str>>,
    stmt: Stmt,
    /// Nothing significant has been read at this level yet: a statement may start.
    at_start: bool,
    /// In a `FROM` list, where `,` introduces another table.
    from_list: bool,
    /// The modified table of a single-target statement has been read.
    targets_done: bool,
    /// Ignore everything up to the end of the statement.
    skip: bool,
    /// After `EXPLAIN`/`DESCRIBE`: options until the statement explained.
    explain: bool,
    /// Open `[` at this level (PostgreSQL's `ARRAY[…]` and subscripts): a `,` inside
    /// separates elements, never tables.
    brackets: u32,
}

impl Frame<'_> {
    fn new(mode_table: bool, stmt: Stmt, at_start: bool, skip: bool) -> Self {
        Frame {
            mode: if mode_table { Mode::Table } else { Mode::Expr },
            held: None,
            stmt,
            at_start,
            from_list: mode_table,
            targets_done: false,
            skip,
            explain: false,
            brackets: 0,
        }
    }

    fn statement() -> Self {
        Frame::new(false, Stmt::None, true, false)
    }
}

/// Whether a handler consumed the token or wants it handled again in the new mode.
enum Flow {
    Done,
    Again,
}

struct Summarizer<'a> {
    stream: Stream<'a>,
    parts: Vec<Cow<'a, str>>,
    len: usize,
    max_len: usize,
    full: bool,
    /// The innermost open level.
    top: Frame<'a>,
    /// The enclosing levels, outermost first.
    outer: Vec<Frame<'a>>,
    /// Open parentheses beyond `MAX_DEPTH`, not tracked individually.
    overflow: usize,
    /// Names of the CTEs of the current statement (normalized, see `cte_key`).
    ctes: HashSet<String>,
    /// The significant token before the one being handled.
    prev: Option<Token<'a>>,
}

fn is_any(tok: &Token<'_>, words: &[&str]) -> bool {
    tok.kind == TokenKind::Word && words.iter().any(|w| tok.text.eq_ignore_ascii_case(w))
}

/// The canonical spelling of `tok` if it is one of `words`.
fn canonical(tok: &Token<'_>, words: &[&'static str]) -> Option<&'static str> {
    if tok.kind != TokenKind::Word {
        return None;
    }
    words
        .iter()
        .copied()
        .find(|w| tok.text.eq_ignore_ascii_case(w))
}

/// Keywords that end a table reference: never read as a table name or alias.
#[rustfmt::skip]
const CLAUSE_WORDS: &[&str] = &[
    "WHERE", "ON", "USING", "JOIN", "INNER", "LEFT", "RIGHT", "FULL", "OUTER", "CROSS", "NATURAL",
    "STRAIGHT_JOIN", "GROUP", "ORDER", "HAVING", "LIMIT", "OFFSET", "FETCH", "FOR", "UNION",
    "INTERSECT", "EXCEPT", "MINUS", "WINDOW", "SET", "VALUES", "VALUE", "SELECT", "RETURNING",
    "WITH", "LATERAL", "APPLY", "PIVOT", "UNPIVOT", "TABLESAMPLE", "START", "CONNECT", "MODEL",
    "MATCH_RECOGNIZE", "INTO", "PARTITION", "DEFAULT", "WHEN", "THEN", "ELSE", "END", "AND", "OR",
    "NOT", "FORCE", "USE", "IGNORE", "QUALIFY", "FROM", "UPDATE", "DELETE", "INSERT", "DO",
    "OVERRIDING", "TO", "IN", "IS", "LIKE", "SEMI", "ANTI", "ASOF", "GLOBAL", "LOCK", "INDEXED",
    "AS", "CASCADE", "RESTRICT", "SAMPLE", "OUTPUT", "OPTION",
];

/// Keywords after which a `FROM` list is over.
#[rustfmt::skip]
const FROM_LIST_END: &[&str] = &[
    "WHERE", "GROUP", "ORDER", "HAVING", "LIMIT", "OFFSET", "FETCH", "WINDOW", "UNION", "INTERSECT",
    "EXCEPT", "MINUS", "RETURNING", "SET", "VALUES", "FOR", "QUALIFY", "INTO", "CONNECT", "START",
    "PIVOT", "UNPIVOT", "SELECT",
];

/// Keywords after which `(` may open a subquery (rather than a function's arguments).
#[rustfmt::skip]
const SUBQUERY_OPENERS: &[&str] = &[
    "IN", "EXISTS", "ANY", "ALL", "SOME", "AS", "UNION", "INTERSECT", "EXCEPT", "MINUS", "FROM",
    "JOIN", "LATERAL", "USING", "WHERE", "AND", "OR", "NOT", "ON", "THEN", "ELSE", "WHEN", "SELECT",
    "RETURN", "ARRAY", "DISTINCT", "HAVING", "BY", "SET", "VALUES", "APPLY",
];

/// DDL object types (written after the verb).
#[rustfmt::skip]
const OBJECT_TYPES: &[&str] = &[
    "TABLE", "VIEW", "INDEX", "SEQUENCE", "SCHEMA", "DATABASE", "FUNCTION", "PROCEDURE", "TRIGGER",
    "TYPE", "EXTENSION", "ROLE", "USER", "DOMAIN", "EVENT", "POLICY", "RULE", "COLLATION",
    "AGGREGATE", "OPERATOR", "PUBLICATION", "SUBSCRIPTION", "SERVER", "TABLESPACE", "STATISTICS",
    "LANGUAGE", "KEYSPACE", "PACKAGE", "SYNONYM", "TABLES",
];

/// Words that qualify the object type and are kept with it: `MATERIALIZED VIEW`.
const OBJECT_TYPE_PREFIXES: &[&str] = &["MATERIALIZED", "FOREIGN", "VIRTUAL"];

/// Commands written alone, after which the rest of the statement is ignored.
#[rustfmt::skip]
const BARE_COMMANDS: &[&str] = &[
    "BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "END", "ABORT", "GRANT", "REVOKE",
    "FETCH", "MOVE", "CLOSE", "LISTEN", "NOTIFY", "UNLISTEN", "VACUUM", "ANALYZE", "REINDEX",
    "CLUSTER", "CHECKPOINT", "DISCARD", "DEALLOCATE", "LOAD", "FLUSH", "KILL", "OPTIMIZE", "ATTACH",
    "DETACH", "COMMENT", "DO", "HANDLER", "RESET",
];

/// Commands written alone whose statement may still contain subqueries.
const SESSION_COMMANDS: &[&str] = &["SET", "DECLARE", "PRAGMA"];

/// Words between `INSERT`/`REPLACE`/`UPSERT` and the table.
#[rustfmt::skip]
const INSERT_MODIFIERS: &[&str] = &[
    "INTO", "IGNORE", "OR", "REPLACE", "ABORT", "FAIL", "ROLLBACK", "LOW_PRIORITY", "DELAYED",
    "HIGH_PRIORITY", "OVERWRITE", "TABLE",
];

/// Words between `UPDATE` and the table.
#[rustfmt::skip]
const UPDATE_MODIFIERS: &[&str] = &[
    "LOW_PRIORITY", "IGNORE", "OR", "REPLACE", "ABORT", "FAIL", "ROLLBACK",
];

/// Option words between `EXPLAIN` and the statement explained.
#[rustfmt::skip]
const EXPLAIN_OPTIONS: &[&str] = &[
    "ANALYZE", "ANALYSE", "VERBOSE", "QUERY", "PLAN", "FORMAT", "EXTENDED", "PARTITIONS", "COSTS",
    "BUFFERS", "JSON", "TREE", "TRADITIONAL", "XML", "YAML", "TEXT", "ON", "OFF", "TRUE", "FALSE",
];

/// The normalized name of a CTE: quoted names by their content, others lower-cased.
fn cte_key(name: &str) -> String {
    let quoted = name.len() >= 2
        && matches!(
            (name.as_bytes().first(), name.as_bytes().last()),
            (Some(b'"'), Some(b'"')) | (Some(b'`'), Some(b'`')) | (Some(b'['), Some(b']'))
        );
    match name.get(1..name.len().saturating_sub(1)) {
        Some(inner) if quoted => inner.to_string(),
        _ => name.to_ascii_lowercase(),
    }
}

impl<'a> Summarizer<'a> {
    fn new(stream: Stream<'a>, max_len: usize) -> Self {
        Summarizer {
            stream,
            parts: Vec::new(),
            len: 0,
            max_len,
            full: false,
            top: Frame::statement(),
            outer: Vec::new(),
            overflow: 0,
            ctes: HashSet::new(),
            prev: None,
        }
    }

    fn run(&mut self) {
        while !self.full {
            // Handlers may consume tokens themselves (names, aliases), so the
            // previous token is whatever the stream returned last.
            let prev = self.stream.last;
            let Some(tok) = self.stream.next() else {
                break;
            };
            self.prev = prev;
            self.step(tok);
        }
        self.end_statement();
    }

    /// Adds one operation or target if it fits; after the first one that does
    /// not, nothing more is added.
    fn emit(&mut self, part: Cow<'a, str>) {
        if self.full {
            return;
        }
        let sep = usize::from(!self.parts.is_empty());
        let len = self.len + sep + part.len();
        if part.is_empty() || len > self.max_len {
            self.full = true;
            return;
        }
        self.len = len;
        self.parts.push(part);
    }

    fn op(&mut self, op: &'static str) {
        self.emit(Cow::Borrowed(op));
    }

    fn frame(&mut self) -> &mut Frame<'a> {
        &mut self.top
    }

    fn depth(&self) -> usize {
        self.outer.len()
    }

    fn step(&mut self, tok: Token<'a>) {
        if tok.is_punct(";") {
            self.end_statement();
            return;
        }
        if tok.is_punct("{") || tok.is_punct("}") {
            // JDBC / ODBC escapes: `{call proc(?)}`.
            return;
        }
        if self.overflow > 0 {
            if tok.is_punct("(") {
                self.overflow += 1;
            } else if tok.is_punct(")") {
                self.overflow -= 1;
            }
            return;
        }
        let frame = self.frame();
        let was_start = frame.at_start;
        frame.at_start = false;
        if frame.skip {
            if tok.is_punct("(") {
                self.open_paren();
            } else if tok.is_punct(")") {
                self.close_paren();
            }
            return;
        }
        // Each `Again` moves to a mode that consumes the token, so this ends
        // within a few rounds; the bound is only a safeguard.
        for _ in 0..8 {
            if let Flow::Done = self.dispatch(tok, was_start) {
                return;
            }
        }
    }

    fn dispatch(&mut self, tok: Token<'a>, was_start: bool) -> Flow {
        let mode = self.frame().mode;
        match mode {
            Mode::Expr => self.expr(tok, was_start),
            Mode::Table => self.table(tok),
            Mode::AfterTable => self.after_table(tok),
            Mode::DeleteHead => self.delete_head(tok),
            Mode::DdlHead {
                optional_type,
                skipped,
            } => self.ddl_head(tok, optional_type, skipped),
            Mode::DdlName => self.ddl_name(tok),
            Mode::AfterDdlName => {
                if tok.is_punct(",") {
                    self.frame().mode = Mode::DdlName;
                    Flow::Done
                } else {
                    self.switch_to_expr()
                }
            }
            Mode::CteName => self.cte_name(tok),
            Mode::CteAfterName { .. } => self.cte_after_name(tok),
            Mode::CteAfterBody => {
                if tok.is_punct(",") {
                    self.frame().mode = Mode::CteName;
                    Flow::Done
                } else {
                    // The main statement starts here.
                    self.frame().mode = Mode::Expr;
                    self.expr(tok, true)
                }
            }
            Mode::PrepareHead => {
                if tok.is_word("AS") {
                    let f = self.frame();
                    f.mode = Mode::Expr;
                    f.at_start = true;
                } else if tok.is_word("FROM") {
                    self.frame().skip = true;
                } else if tok.is_punct("(") {
                    self.open_paren();
                } else if tok.is_punct(")") {
                    self.close_paren();
                }
                Flow::Done
            }
        }
    }

    /// Hands the token to the expression handler.
    fn switch_to_expr(&mut self) -> Flow {
        self.frame().mode = Mode::Expr;
        Flow::Again
    }

    /// Clauses and expressions.
    fn expr(&mut self, tok: Token<'a>, was_start: bool) -> Flow {
        if was_start && self.frame().explain {
            return self.explain_prefix(tok);
        }
        if tok.is_punct("(") {
            self.open_paren();
            return Flow::Done;
        }
        if tok.is_punct(")") {
            self.close_paren();
            return Flow::Done;
        }
        if tok.is_punct("[") || tok.is_punct("]") {
            let f = self.frame();
            f.brackets = if tok.is_punct("[") {
                f.brackets.saturating_add(1)
            } else {
                f.brackets.saturating_sub(1)
            };
            return Flow::Done;
        }
        if tok.is_punct(",") {
            let f = self.frame();
            if f.from_list && f.stmt == Stmt::Select && f.brackets == 0 {
                f.mode = Mode::Table;
            }
            return Flow::Done;
        }
        if tok.kind != TokenKind::Word {
            return Flow::Done;
        }
        if tok.is_word("SELECT") {
            self.op("SELECT");
            let f = self.frame();
            f.stmt = Stmt::Select;
            f.from_list = false;
            f.targets_done = false;
            return Flow::Done;
        }
        let prev_is_as = self.prev.is_some_and(|p| p.is_word("AS"));
        if tok.is_word("WITH") && (was_start || prev_is_as) {
            self.frame().mode = Mode::CteName;
            return Flow::Done;
        }
        if was_start && self.statement_start(tok) {
            return Flow::Done;
        }
        if is_any(&tok, FROM_LIST_END) {
            self.frame().from_list = false;
        }
        let stmt = self.frame().stmt;
        if tok.is_word("FROM") {
            let after_distinct = self.prev.is_some_and(|p| p.is_word("DISTINCT"));
            if matches!(stmt, Stmt::Select | Stmt::Show) && !after_distinct {
                let f = self.frame();
                f.mode = Mode::Table;
                f.from_list = true;
            }
        } else if is_any(&tok, &["JOIN", "STRAIGHT_JOIN", "APPLY"]) && stmt == Stmt::Select {
            let f = self.frame();
            f.mode = Mode::Table;
            f.from_list = true;
        }
        Flow::Done
    }

    /// Between `EXPLAIN` and the statement it explains.
    fn explain_prefix(&mut self, tok: Token<'a>) -> Flow {
        if is_any(&tok, EXPLAIN_OPTIONS) || tok.is_punct("=") {
            self.frame().at_start = true;
            return Flow::Done;
        }
        if tok.is_punct("(") {
            // `EXPLAIN (ANALYZE, BUFFERS) SELECT ...`: an option list.
            self.frame().at_start = true;
            self.open_paren();
            self.frame().skip = true;
            return Flow::Done;
        }
        self.frame().explain = false;
        if tok.kind == TokenKind::Word && self.statement_start(tok) {
            return Flow::Done;
        }
        if tok.is_word("WITH") {
            self.frame().mode = Mode::CteName;
            return Flow::Done;
        }
        if matches!(tok.kind, TokenKind::Word | TokenKind::QuotedIdent)
            && !is_any(&tok, CLAUSE_WORDS)
        {
            // `DESCRIBE users`, `EXPLAIN users` (MySQL).
            let name = self.read_name(tok);
            self.target(name, false);
            return Flow::Done;
        }
        self.expr(tok, false)
    }

    /// A word where a statement may start. Returns whether it began one.
    fn statement_start(&mut self, tok: Token<'a>) -> bool {
        let depth = self.depth();
        let dml = canonical(
            &tok,
            &["INSERT", "REPLACE", "UPSERT", "UPDATE", "MERGE", "DELETE"],
        );
        if let Some(op) = dml {
            self.op(op);
            let f = self.frame();
            f.from_list = false;
            f.targets_done = false;
            (f.stmt, f.mode) = match op {
                "UPDATE" => (Stmt::Update, Mode::Table),
                "MERGE" => (Stmt::Merge, Mode::Table),
                "DELETE" => (Stmt::Delete, Mode::DeleteHead),
                _ => (Stmt::Insert, Mode::Table),
            };
            return true;
        }
        if depth > 0 {
            return false;
        }
        if tok.is_word("VALUES") {
            self.op("VALUES");
            self.frame().stmt = Stmt::Other;
            return true;
        }
        if let Some(op) = canonical(
            &tok,
            &[
                "CREATE", "ALTER", "DROP", "REFRESH", "RENAME", "TRUNCATE", "LOCK",
            ],
        ) {
            self.op(op);
            let f = self.frame();
            f.stmt = Stmt::Ddl;
            f.mode = Mode::DdlHead {
                optional_type: matches!(op, "TRUNCATE" | "LOCK"),
                skipped: 0,
            };
            return true;
        }
        if let Some(op) = canonical(&tok, &["CALL", "EXEC", "EXECUTE", "COPY", "USE"]) {
            self.op(op);
            let f = self.frame();
            f.mode = Mode::Table;
            f.stmt = match op {
                "COPY" => Stmt::Copy,
                "USE" => Stmt::Use,
                _ => Stmt::Call,
            };
            return true;
        }
        if let Some(op) = canonical(&tok, &["EXPLAIN", "DESCRIBE", "DESC"]) {
            self.op(op);
            let f = self.frame();
            f.stmt = Stmt::Use;
            f.explain = true;
            f.at_start = true;
            return true;
        }
        if tok.is_word("PREPARE") {
            self.op("PREPARE");
            self.frame().mode = Mode::PrepareHead;
            return true;
        }
        if tok.is_word("SHOW") {
            self.op("SHOW");
            self.frame().stmt = Stmt::Show;
            return true;
        }
        if let Some(op) = canonical(&tok, SESSION_COMMANDS) {
            self.op(op);
            self.frame().stmt = Stmt::Other;
            return true;
        }
        if tok.is_word("START") {
            self.op("START");
            if self.stream.peek().is_some_and(|t| t.is_word("TRANSACTION")) {
                self.stream.next();
                self.op("TRANSACTION");
            }
            self.frame().skip = true;
            return true;
        }
        if let Some(op) = canonical(&tok, BARE_COMMANDS) {
            self.op(op);
            self.frame().skip = true;
            return true;
        }
        false
    }

    /// Where the next name is a target.
    fn table(&mut self, tok: Token<'a>) -> Flow {
        let stmt = self.frame().stmt;
        match tok.kind {
            TokenKind::Word => {
                if self.skippable_in_table(&tok, stmt) {
                    return Flow::Done;
                }
                if is_any(&tok, CLAUSE_WORDS) {
                    return self.switch_to_expr();
                }
                let name = self.read_name(tok);
                self.target(name, true);
                Flow::Done
            }
            TokenKind::QuotedIdent => {
                let name = self.read_name(tok);
                self.target(name, true);
                Flow::Done
            }
            TokenKind::String if tok.text.starts_with('\'') && tok.terminated => {
                // `FROM 'artists'` (SQLite and MySQL accept it), written as is.
                self.target(Cow::Borrowed(tok.text), true);
                Flow::Done
            }
            TokenKind::Placeholder if stmt == Stmt::Call && tok.text.starts_with('@') => {
                // `EXEC @rc = proc`
                if self.stream.peek().is_some_and(|t| t.is_punct("=")) {
                    self.stream.next();
                    return Flow::Done;
                }
                self.switch_to_expr()
            }
            TokenKind::Punct if tok.text == "(" => {
                self.open_paren();
                Flow::Done
            }
            _ => self.switch_to_expr(),
        }
    }

    /// Modifiers that may stand between an operation and its table.
    fn skippable_in_table(&self, tok: &Token<'_>, stmt: Stmt) -> bool {
        if is_any(tok, &["ONLY", "LATERAL"]) {
            return true;
        }
        match stmt {
            Stmt::Insert => is_any(tok, INSERT_MODIFIERS),
            Stmt::Update => is_any(tok, UPDATE_MODIFIERS),
            Stmt::Merge => is_any(tok, &["INTO"]),
            Stmt::Copy => is_any(tok, &["BINARY"]),
            _ => false,
        }
    }

    /// A (possibly qualified) name starting with `first`, as written without
    /// the whitespace around its dots.
    fn read_name(&mut self, first: Token<'a>) -> Cow<'a, str> {
        let mut name = Cow::Borrowed(first.text);
        while self.stream.peek().is_some_and(|t| t.is_punct(".")) {
            self.stream.next();
            let Some(part) = self.stream.peek() else {
                break;
            };
            if !(matches!(part.kind, TokenKind::Word | TokenKind::QuotedIdent)
                || part.is_punct("*"))
            {
                break;
            }
            self.stream.next();
            if name.len() <= MAX_NAME {
                let owned = name.to_mut();
                owned.push('.');
                owned.push_str(part.text);
            }
        }
        name
    }

    /// A name read where a target is expected.
    fn target(&mut self, name: Cow<'a, str>, may_be_function: bool) {
        let stmt = self.frame().stmt;
        let is_call = self.stream.peek().is_some_and(|t| t.is_punct("("));
        let function = may_be_function && is_call && !stmt.single_target();
        if !function && !self.ctes.contains(&cte_key(&name)) {
            self.emit(name);
        }
        let f = self.frame();
        f.mode = Mode::AfterTable;
        if stmt.single_target() {
            f.targets_done = true;
            f.from_list = false;
        }
    }

    /// After a table reference: an optional alias.
    fn after_table(&mut self, tok: Token<'a>) -> Flow {
        let alias_ok = |t: &Token<'_>| {
            (t.kind == TokenKind::Word && !is_any(t, CLAUSE_WORDS))
                || t.kind == TokenKind::QuotedIdent
        };
        if tok.is_word("AS") {
            if self.stream.peek().is_some_and(|t| alias_ok(&t)) {
                self.stream.next();
            }
            self.frame().mode = Mode::Expr;
            return Flow::Done;
        }
        if alias_ok(&tok) {
            self.frame().mode = Mode::Expr;
            return Flow::Done;
        }
        self.switch_to_expr()
    }

    fn delete_head(&mut self, tok: Token<'a>) -> Flow {
        if tok.is_word("FROM") {
            let f = self.frame();
            f.mode = Mode::Table;
            f.held = None;
            return Flow::Done;
        }
        if is_any(&tok, &["LOW_PRIORITY", "QUICK", "IGNORE"])
            || tok.is_punct(",")
            || tok.is_punct("*")
        {
            return Flow::Done;
        }
        let is_name = (tok.kind == TokenKind::Word && !is_any(&tok, CLAUSE_WORDS))
            || tok.kind == TokenKind::QuotedIdent;
        if is_name {
            let name = self.read_name(tok);
            let f = self.frame();
            if f.held.is_none() {
                f.held = Some(name);
            }
            return Flow::Done;
        }
        // `DELETE t WHERE ...`: the bare name was the table.
        self.finish_frame();
        self.frame().mode = Mode::Expr;
        Flow::Again
    }

    fn ddl_head(&mut self, tok: Token<'a>, optional_type: bool, skipped: u8) -> Flow {
        if let Some(t) = canonical(&tok, OBJECT_TYPE_PREFIXES) {
            self.op(t);
            return Flow::Done;
        }
        if let Some(t) = canonical(&tok, OBJECT_TYPES) {
            self.op(t);
            self.frame().mode = Mode::DdlName;
            return Flow::Done;
        }
        if optional_type {
            self.frame().mode = Mode::DdlName;
            return Flow::Again;
        }
        if tok.is_punct("(") || tok.is_punct(")") || skipped >= 16 {
            return self.switch_to_expr();
        }
        self.frame().mode = Mode::DdlHead {
            optional_type,
            skipped: skipped + 1,
        };
        Flow::Done
    }

    fn ddl_name(&mut self, tok: Token<'a>) -> Flow {
        if is_any(&tok, &["IF", "NOT", "EXISTS", "CONCURRENTLY", "ONLY"]) {
            return Flow::Done;
        }
        let is_name = (tok.kind == TokenKind::Word && !is_any(&tok, CLAUSE_WORDS))
            || tok.kind == TokenKind::QuotedIdent;
        if is_name {
            let name = self.read_name(tok);
            self.emit(name);
            self.frame().mode = Mode::AfterDdlName;
            return Flow::Done;
        }
        self.switch_to_expr()
    }

    fn cte_name(&mut self, tok: Token<'a>) -> Flow {
        if tok.is_word("RECURSIVE") {
            return Flow::Done;
        }
        if matches!(tok.kind, TokenKind::Word | TokenKind::QuotedIdent) {
            self.ctes.insert(cte_key(tok.text));
            self.frame().mode = Mode::CteAfterName { seen_as: false };
            return Flow::Done;
        }
        self.switch_to_expr()
    }

    fn cte_after_name(&mut self, tok: Token<'a>) -> Flow {
        if tok.is_word("AS") {
            self.frame().mode = Mode::CteAfterName { seen_as: true };
            return Flow::Done;
        }
        if is_any(&tok, &["NOT", "MATERIALIZED"]) {
            return Flow::Done;
        }
        if tok.is_punct("(") {
            self.open_paren();
            return Flow::Done;
        }
        self.switch_to_expr()
    }

    /// `(`: a new level, whose state depends on where it opens.
    fn open_paren(&mut self) {
        let prev_opens_subquery = match self.prev {
            None => true,
            Some(p) => match p.kind {
                TokenKind::Word => is_any(&p, SUBQUERY_OPENERS),
                TokenKind::QuotedIdent => false,
                TokenKind::Punct => p.text != ")",
                _ => true,
            },
        };
        let parent = self.frame();
        let skip = parent.skip;
        let child = match parent.mode {
            Mode::Table => {
                parent.mode = Mode::AfterTable;
                Frame::new(true, parent.stmt, true, skip)
            }
            Mode::CteAfterName { seen_as: true } => {
                parent.mode = Mode::CteAfterBody;
                Frame::new(false, Stmt::None, true, skip)
            }
            Mode::Expr => Frame::new(false, Stmt::None, prev_opens_subquery, skip),
            _ => Frame::new(false, Stmt::None, false, skip),
        };
        if self.outer.len() >= MAX_DEPTH {
            self.overflow += 1;
        } else {
            let parent = std::mem::replace(&mut self.top, child);
            self.outer.push(parent);
        }
    }

    /// `)`: back to the enclosing level.
    fn close_paren(&mut self) {
        if let Some(parent) = self.outer.pop() {
            self.finish_frame();
            self.top = parent;
        }
    }

    /// Emits what a level still holds back (a bare `DELETE` table).
    fn finish_frame(&mut self) {
        if let Some(name) = self.frame().held.take() {
            self.target(name, false);
        }
    }

    /// `;` or the end of the input.
    fn end_statement(&mut self) {
        self.finish_frame();
        while let Some(parent) = self.outer.pop() {
            self.top = parent;
            self.finish_frame();
        }
        self.top = Frame::statement();
        self.overflow = 0;
        self.ctes.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sum(sql: &str) -> Option<String> {
        summarize(sql, Dialect::Generic)
    }

    fn check(sql: &str, expected: &str) {
        assert_eq!(sum(sql).as_deref(), Some(expected), "{sql}");
    }

    #[test]
    fn simple_crud_statements_name_their_table() {
        check(
            "SELECT * FROM wuser_table WHERE username = ?",
            "SELECT wuser_table",
        );
        check("INSERT INTO users (id, name) VALUES (?, ?)", "INSERT users");
        check("UPDATE users SET name = ? WHERE id = ?", "UPDATE users");
        check("DELETE FROM users WHERE id = ?", "DELETE users");
    }

    #[test]
    fn an_array_in_a_join_condition_is_no_list_of_tables() {
        // A `,` between an array's elements once made the next literal a "table".
        for sql in [
            "SELECT u.id FROM users u JOIN tags t ON t.names && ARRAY['vip','alice@example.com']",
            "SELECT u.id FROM users u JOIN tags t ON t.names[1] = 'a' AND t.v = ARRAY[1,2][1:2] AND t.w && ARRAY['b','alice@example.com'], roles",
        ] {
            let summary = summarize(sql, Dialect::Postgres).unwrap_or_default();
            assert!(!summary.contains("alice"), "{sql}: {summary}");
            assert!(summary.starts_with("SELECT users tags"), "{sql}: {summary}");
        }
        assert_eq!(
            summarize(
                "SELECT 1 FROM a JOIN b ON b.x && ARRAY['p','q'] , c",
                Dialect::Postgres
            )
            .as_deref(),
            Some("SELECT a b c")
        );
    }

    #[test]
    fn operations_are_upper_cased_and_targets_kept_as_written() {
        check("select * from Users", "SELECT Users");
        check("insert into MyTable values (1)", "INSERT MyTable");
    }

    #[test]
    fn insert_select_lists_both_operations() {
        check(
            "INSERT INTO shipping_details (order_id, address) SELECT order_id, address FROM orders WHERE order_id = ?",
            "INSERT shipping_details SELECT orders",
        );
        check(
            "INSERT INTO archive SELECT * FROM orders",
            "INSERT archive SELECT orders",
        );
    }

    #[test]
    fn comma_joins_list_every_table() {
        check(
            "SELECT * FROM songs, artists WHERE songs.artist_id == artists.id",
            "SELECT songs artists",
        );
        check(
            "SELECT * FROM t1, t2 JOIN t3 ON t2.id = t3.t2_id, t4",
            "SELECT t1 t2 t3 t4",
        );
    }

    #[test]
    fn joins_of_every_kind_add_their_tables() {
        check(
            "SELECT * FROM orders o INNER JOIN customers c ON o.customer_id = c.id LEFT JOIN shipping s ON o.id = s.order_id \
             RIGHT OUTER JOIN invoices i ON o.id = i.order_id FULL OUTER JOIN payments p ON o.id = p.order_id",
            "SELECT orders customers shipping invoices payments",
        );
        check(
            "SELECT * FROM colors CROSS JOIN sizes",
            "SELECT colors sizes",
        );
        check(
            "SELECT * FROM t1 NATURAL LEFT JOIN t2 JOIN t3 USING (id)",
            "SELECT t1 t2 t3",
        );
    }

    #[test]
    fn aliases_are_not_targets() {
        check(
            "SELECT * FROM orders AS o LEFT JOIN users u ON u.id = o.user_id",
            "SELECT orders users",
        );
        check(
            "SELECT * FROM users orders JOIN orders o ON orders.id = o.user_id",
            "SELECT users orders",
        );
    }

    #[test]
    fn a_subquery_in_from_adds_its_operation_in_order() {
        check(
            "SELECT order_date FROM (SELECT * FROM orders o JOIN customers c ON o.customer_id = c.customer_id)",
            "SELECT SELECT orders customers",
        );
        check(
            "SELECT * FROM (SELECT * FROM orders) AS o, (SELECT * FROM products) p",
            "SELECT SELECT orders SELECT products",
        );
        check("SELECT * FROM (users)", "SELECT users");
    }

    #[test]
    fn subqueries_in_where_and_select_lists_are_summarized_where_written() {
        check(
            "SELECT * FROM orders WHERE user_id IN (SELECT id FROM users)",
            "SELECT orders SELECT users",
        );
        check(
            "SELECT name, (SELECT COUNT(*) FROM orders WHERE customer_id = c.id) AS n FROM customers c",
            "SELECT SELECT orders customers",
        );
        check(
            "SELECT * FROM customers WHERE EXISTS (SELECT 1 FROM orders) AND NOT EXISTS (SELECT 1 FROM bans)",
            "SELECT customers SELECT orders SELECT bans",
        );
        check(
            "UPDATE t1 SET c = (SELECT MAX(c) FROM t2) WHERE id = ?",
            "UPDATE t1 SELECT t2",
        );
    }

    #[test]
    fn ctes_summarize_their_bodies_then_the_main_statement() {
        check(
            "WITH a AS (SELECT id FROM x) SELECT * FROM a JOIN y ON a.id = y.id",
            "SELECT x SELECT y",
        );
        check(
            "WITH RECURSIVE tree (id) AS (SELECT id FROM nodes UNION ALL SELECT n.id FROM nodes n JOIN tree t ON t.id = n.parent) SELECT * FROM tree",
            "SELECT nodes SELECT nodes SELECT",
        );
        check(
            "WITH moved AS MATERIALIZED (DELETE FROM queue RETURNING *) INSERT INTO done SELECT * FROM moved",
            "DELETE queue INSERT done SELECT",
        );
    }

    #[test]
    fn unions_and_other_set_operations_list_each_select() {
        check(
            "SELECT id FROM a UNION ALL SELECT id FROM b UNION SELECT id FROM c",
            "SELECT a SELECT b SELECT c",
        );
        check(
            "(SELECT id FROM users) UNION (SELECT id FROM customers)",
            "SELECT users SELECT customers",
        );
        check(
            "SELECT x FROM a INTERSECT SELECT x FROM b EXCEPT SELECT x FROM c",
            "SELECT a SELECT b SELECT c",
        );
    }

    #[test]
    fn ddl_names_its_object_type_and_name() {
        check(
            "CREATE TABLE users (id INT REFERENCES other(id))",
            "CREATE TABLE users",
        );
        check(
            "CREATE TEMPORARY TABLE IF NOT EXISTS tmp_1 (id INT)",
            "CREATE TABLE tmp_1",
        );
        check(
            "CREATE UNIQUE INDEX CONCURRENTLY idx_name ON users (name)",
            "CREATE INDEX idx_name",
        );
        check("DROP TABLE IF EXISTS a, b CASCADE", "DROP TABLE a b");
        check(
            "ALTER TABLE public.users ADD COLUMN x INT",
            "ALTER TABLE public.users",
        );
        check(
            "CREATE OR REPLACE VIEW active AS SELECT * FROM users WHERE active",
            "CREATE VIEW active SELECT users",
        );
        check(
            "CREATE MATERIALIZED VIEW mv AS SELECT * FROM t",
            "CREATE MATERIALIZED VIEW mv SELECT t",
        );
        check("TRUNCATE TABLE logs", "TRUNCATE TABLE logs");
        check("TRUNCATE logs", "TRUNCATE logs");
        check(
            "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1 FROM x $$ LANGUAGE sql",
            "CREATE FUNCTION f",
        );
        check(
            "CREATE TABLE t2 AS SELECT * FROM t1",
            "CREATE TABLE t2 SELECT t1",
        );
    }

    #[test]
    fn quoted_and_qualified_names_are_kept_as_written() {
        check(
            r#"SELECT * FROM "song list", 'artists'"#,
            r#"SELECT "song list" 'artists'"#,
        );
        check(
            "SELECT * FROM db.schema.tbl JOIN other . t2 ON 1=1",
            "SELECT db.schema.tbl other.t2",
        );
        check(
            r#"SELECT * FROM public."Users""#,
            r#"SELECT public."Users""#,
        );
        assert_eq!(
            summarize("SELECT * FROM `my db`.`t`", Dialect::MySql).as_deref(),
            Some("SELECT `my db`.`t`")
        );
        assert_eq!(
            summarize("SELECT * FROM [my table]", Dialect::Sqlite).as_deref(),
            Some("SELECT [my table]")
        );
        check(
            r#"SELECT * FROM "SELECT" WHERE "FROM" = ?"#,
            r#"SELECT "SELECT""#,
        );
    }

    #[test]
    fn multiple_statements_are_summarized_in_order() {
        check("SELECT * FROM t1; SELECT * FROM t2", "SELECT t1 SELECT t2");
        check(
            "BEGIN; UPDATE accounts SET b = 1; COMMIT;",
            "BEGIN UPDATE accounts COMMIT",
        );
    }

    #[test]
    fn update_delete_and_merge_name_only_the_table_they_modify() {
        check(
            "UPDATE t1 JOIN t2 ON t1.id = t2.id SET t1.c = t2.c",
            "UPDATE t1",
        );
        check(
            "UPDATE t1 SET c = t2.c FROM t2 WHERE t1.id = t2.id",
            "UPDATE t1",
        );
        check("DELETE FROM t1 USING t2 WHERE t1.id = t2.id", "DELETE t1");
        check(
            "DELETE a FROM table_name a WHERE a.id = ?",
            "DELETE table_name",
        );
        check("DELETE employees WHERE id = ?", "DELETE employees");
        check(
            "MERGE INTO target t USING (SELECT * FROM src) s ON t.id = s.id WHEN MATCHED THEN UPDATE SET v = s.v \
             WHEN NOT MATCHED THEN INSERT (id) VALUES (s.id)",
            "MERGE target SELECT src",
        );
    }

    #[test]
    fn upserts_do_not_count_their_update_clause() {
        check(
            "INSERT INTO users (id) VALUES (?) ON CONFLICT (id) DO UPDATE SET n = 1",
            "INSERT users",
        );
        check(
            "INSERT INTO users (id) VALUES (?) ON DUPLICATE KEY UPDATE n = 1",
            "INSERT users",
        );
        check("REPLACE INTO users VALUES (1)", "REPLACE users");
        check("INSERT OR REPLACE INTO users VALUES (1)", "INSERT users");
        check("UPSERT INTO users VALUES (1)", "UPSERT users");
    }

    #[test]
    fn procedures_copy_and_session_commands() {
        check(
            "CALL some_stored_procedure(?, ?)",
            "CALL some_stored_procedure",
        );
        check(
            "{call some_stored_procedure(?)}",
            "CALL some_stored_procedure",
        );
        check("EXEC @rc = dbo.proc @a = 1", "EXEC dbo.proc");
        check(
            "COPY users (id, name) FROM STDIN WITH (FORMAT csv)",
            "COPY users",
        );
        check("COPY (SELECT * FROM users) TO STDOUT", "COPY SELECT users");
        check("SET search_path TO public", "SET");
        check("SHOW TABLES", "SHOW");
        check("START TRANSACTION READ ONLY", "START TRANSACTION");
        check(
            "SAVEPOINT sp_1; ROLLBACK TO SAVEPOINT sp_1; RELEASE SAVEPOINT sp_1",
            "SAVEPOINT ROLLBACK RELEASE",
        );
        check("GRANT SELECT, INSERT ON users TO bob", "GRANT");
        check("VACUUM ANALYZE users", "VACUUM");
        check("USE shop", "USE shop");
    }

    #[test]
    fn explain_is_followed_by_the_statement_it_explains() {
        check(
            "EXPLAIN ANALYZE SELECT * FROM users",
            "EXPLAIN SELECT users",
        );
        check(
            "EXPLAIN (ANALYZE, BUFFERS) UPDATE t SET a = 1",
            "EXPLAIN UPDATE t",
        );
        check("DESCRIBE users", "DESCRIBE users");
    }

    #[test]
    fn table_functions_and_values_selects_have_no_target() {
        check("SELECT * FROM generate_series(1, 10) AS g(i)", "SELECT");
        check("SELECT 1", "SELECT");
        check("VALUES (1, 2), (3, 4)", "VALUES");
        check(
            "SELECT * FROM users u CROSS JOIN LATERAL f(u.id) x",
            "SELECT users",
        );
    }

    #[test]
    fn function_syntax_inside_select_adds_no_targets() {
        check("SELECT EXTRACT(YEAR FROM created) FROM t", "SELECT t");
        check("SELECT SUBSTRING(name FROM 2 FOR 3) FROM t", "SELECT t");
        check("SELECT * FROM t WHERE a IS DISTINCT FROM b", "SELECT t");
        check(
            "SELECT CAST(price AS DECIMAL(10,2)) FROM products",
            "SELECT products",
        );
    }

    #[test]
    fn clauses_after_the_from_list_add_no_targets() {
        check(
            "SELECT * FROM users ORDER BY a, b LIMIT 10 OFFSET 5",
            "SELECT users",
        );
        check(
            "SELECT a, COUNT(*) FROM t GROUP BY a, b HAVING COUNT(*) > 1",
            "SELECT t",
        );
        check(
            "SELECT * FROM accounts WHERE b > ? FOR UPDATE SKIP LOCKED",
            "SELECT accounts",
        );
        check("SELECT * INTO temp_table FROM users", "SELECT users");
        check("SELECT * FROM t WITH (NOLOCK) WHERE a = 1", "SELECT t");
    }

    #[test]
    fn comments_and_literals_do_not_confuse_the_summary() {
        check(
            "SELECT /* FROM secret */ * FROM users -- FROM other",
            "SELECT users",
        );
        check(
            "SELECT 'FROM x' FROM users WHERE a = $$ DELETE FROM y $$",
            "SELECT users",
        );
    }

    #[test]
    fn garbage_and_empty_input_have_no_summary() {
        for sql in [
            "",
            "   ",
            ";",
            ";;",
            "-- only a comment",
            "/* c */",
            "hello world",
            "((()))",
            "'str'",
            "42",
        ] {
            assert_eq!(sum(sql), None, "{sql:?}");
        }
    }

    #[test]
    fn the_summary_stops_at_the_last_whole_token_within_255_bytes() {
        let tables: Vec<String> = (0..100).map(|i| format!("table_number_{i}")).collect();
        let sql = format!("SELECT * FROM {}", tables.join(", "));
        let s = sum(&sql).unwrap_or_default();
        assert!(s.len() <= MAX_SUMMARY_LEN);
        assert!(s.starts_with("SELECT table_number_0 table_number_1 "));
        let mut expected = String::from("SELECT");
        for t in &tables {
            if expected.len() + 1 + t.len() > MAX_SUMMARY_LEN {
                break;
            }
            expected.push(' ');
            expected.push_str(t);
        }
        assert_eq!(s, expected);
    }

    #[test]
    fn a_target_too_long_to_fit_ends_the_summary() {
        let long = "x".repeat(300);
        check(&format!("SELECT * FROM {long}; SELECT * FROM t"), "SELECT");
    }

    #[test]
    fn dialects_change_how_quotes_are_read() {
        // In MySQL "x" is a string, so it is not a table.
        assert_eq!(
            summarize(r#"SELECT * FROM t WHERE a = "FROM u""#, Dialect::MySql).as_deref(),
            Some("SELECT t")
        );
        assert_eq!(
            summarize(r#"SELECT * FROM "t""#, Dialect::Postgres).as_deref(),
            Some(r#"SELECT "t""#)
        );
        assert_eq!(
            summarize("SELECT * FROM t # FROM u", Dialect::MySql).as_deref(),
            Some("SELECT t")
        );
    }

    #[test]
    fn deep_nesting_is_handled_without_recursion() {
        let sql = format!(
            "SELECT * FROM {}users{}",
            "(".repeat(10_000),
            ")".repeat(10_000)
        );
        assert_eq!(sum(&sql).as_deref(), Some("SELECT"));
        let sql = format!(
            "SELECT * FROM {}SELECT 1{} JOIN t",
            "(".repeat(50),
            ")".repeat(50)
        );
        assert!(sum(&sql).unwrap_or_default().starts_with("SELECT SELECT"));
    }
}
