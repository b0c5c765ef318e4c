//! The same rows, the same rows-affected counts and the same errors through sqlx's own
//! pool, the traced pool, and the traced pool switched off, on PostgreSQL, MySQL/MariaDB
//! and SQLite. One test: the switch is process-wide.

use futures_util::TryStreamExt as _;
use instrument_core::Library;
use instrument_core::testing::assert_parity;
use sqlx::{Column as _, Database, Executor, Row as _, ValueRef as _};

/// A bind argument.
#[derive(Debug, Clone, Copy)]
enum Bind {
    Int(i64),
    Float(f64),
    Text(&'static str),
    Null,
}

/// One statement of a corpus. `{t}` stands for a table-name prefix unique to the process;
/// `?` is a placeholder (`$1`, `$2`, ... on PostgreSQL).
#[derive(Debug, Clone, Copy)]
enum Statement {
    /// `sqlx::query` with these bind arguments.
    Query(&'static str, &'static [Bind]),
    /// `sqlx::raw_sql`: no arguments, several statements allowed.
    Raw(&'static str),
}
use Statement::{Query, Raw};

const SHARED: &[Statement] = &[
    Query("DROP TABLE IF EXISTS {t}_orders", &[]),
    Query("DROP TABLE IF EXISTS {t}_users", &[]),
    Query(
        "CREATE TABLE {t}_users (id INTEGER PRIMARY KEY, name VARCHAR(20) NOT NULL UNIQUE, \
         score INTEGER, ratio DOUBLE PRECISION)",
        &[],
    ),
    Query(
        "CREATE TABLE {t}_orders (id INTEGER PRIMARY KEY, \
         user_id INTEGER NOT NULL REFERENCES {t}_users (id), \
         total INTEGER NOT NULL CHECK (total >= 0))",
        &[],
    ),
    Query(
        "INSERT INTO {t}_users (id, name, score, ratio) VALUES (1, 'alice', 10, 0.5)",
        &[],
    ),
    Query(
        "INSERT INTO {t}_users (id, name, score, ratio) VALUES (?, ?, ?, ?)",
        &[
            Bind::Int(2),
            Bind::Text("bob"),
            Bind::Int(20),
            Bind::Float(1.25),
        ],
    ),
    Query(
        "INSERT INTO {t}_users (id, name, score, ratio) VALUES (3, 'carol', NULL, NULL)",
        &[],
    ),
    Query(
        "INSERT INTO {t}_users (id, name, score, ratio) VALUES (?, ?, ?, ?)",
        &[
            Bind::Int(4),
            Bind::Text("dave"),
            Bind::Null,
            Bind::Float(2.5),
        ],
    ),
    // Failures: unique, primary key, not null, too long, check, foreign key.
    Query("INSERT INTO {t}_users (id, name) VALUES (5, 'alice')", &[]),
    Query("INSERT INTO {t}_users (id, name) VALUES (1, 'zed')", &[]),
    Query("INSERT INTO {t}_users (id, name) VALUES (6, NULL)", &[]),
    Query(
        "INSERT INTO {t}_users (id, name) VALUES (?, ?)",
        &[
            Bind::Int(6),
            Bind::Text("a name far too long for its column"),
        ],
    ),
    Query(
        "INSERT INTO {t}_orders (id, user_id, total) VALUES (1, 1, 100)",
        &[],
    ),
    Query(
        "INSERT INTO {t}_orders (id, user_id, total) VALUES (2, 2, ?)",
        &[Bind::Int(250)],
    ),
    Query(
        "INSERT INTO {t}_orders (id, user_id, total) VALUES (3, 1, -5)",
        &[],
    ),
    Query(
        "INSERT INTO {t}_orders (id, user_id, total) VALUES (4, 99, 5)",
        &[],
    ),
    // Reads.
    Query(
        "SELECT id, name, score, ratio FROM {t}_users ORDER BY id",
        &[],
    ),
    Query("SELECT name FROM {t}_users WHERE id = ?", &[Bind::Int(2)]),
    Query("SELECT name FROM {t}_users WHERE id = ?", &[Bind::Int(99)]),
    Query("SELECT name FROM {t}_users WHERE id = ?", &[Bind::Null]),
    Query("SELECT count(*) FROM {t}_users", &[]),
    Query(
        "SELECT count(score), max(score), min(score) FROM {t}_users",
        &[],
    ),
    Query(
        "SELECT name FROM {t}_users WHERE score IS NULL ORDER BY id",
        &[],
    ),
    Query(
        "SELECT name FROM {t}_users WHERE name LIKE ? ORDER BY id",
        &[Bind::Text("%a%")],
    ),
    Query(
        "SELECT u.name, o.total FROM {t}_users u JOIN {t}_orders o ON o.user_id = u.id \
         ORDER BY o.id",
        &[],
    ),
    Query(
        "SELECT u.name, count(o.id) FROM {t}_users u LEFT JOIN {t}_orders o \
         ON o.user_id = u.id GROUP BY u.name ORDER BY u.name",
        &[],
    ),
    Query(
        "SELECT name FROM {t}_users WHERE id IN (SELECT user_id FROM {t}_orders) ORDER BY name",
        &[],
    ),
    Query("SELECT name FROM {t}_users ORDER BY id LIMIT 2", &[]),
    Query(
        "SELECT name FROM {t}_users ORDER BY id LIMIT 2 OFFSET 1",
        &[],
    ),
    Query(
        "SELECT DISTINCT user_id FROM {t}_orders ORDER BY user_id",
        &[],
    ),
    Query(
        "SELECT CASE WHEN score > 15 THEN 'high' ELSE 'low' END FROM {t}_users ORDER BY id",
        &[],
    ),
    Query("SELECT COALESCE(score, -1) FROM {t}_users ORDER BY id", &[]),
    Query(
        "SELECT upper(name), lower('ABC') FROM {t}_users ORDER BY id",
        &[],
    ),
    Query("SELECT length(name) FROM {t}_users ORDER BY id", &[]),
    Query("SELECT id FROM {t}_users ORDER BY id DESC", &[]),
    Query(
        "SELECT id, name FROM {t}_users WHERE id > ? ORDER BY id",
        &[Bind::Int(1)],
    ),
    Query(
        "SELECT max(total) FROM {t}_orders WHERE user_id = ?",
        &[Bind::Int(99)],
    ),
    Query("SELECT 1", &[]),
    Query("SELECT 'it''s'", &[]),
    Query("SELECT abs(-3)", &[]),
    Query("SELECT 1 / 0", &[]),
    // Writes.
    Query(
        "UPDATE {t}_users SET score = score + 1 WHERE score IS NOT NULL",
        &[],
    ),
    Query(
        "UPDATE {t}_users SET score = ? WHERE id = ?",
        &[Bind::Null, Bind::Int(2)],
    ),
    Query("DELETE FROM {t}_users WHERE id = ?", &[Bind::Int(4)]),
    Query(
        "INSERT INTO {t}_users (id, name, score) SELECT id + 10, 'copy', score \
         FROM {t}_users WHERE id = 1",
        &[],
    ),
    Query("DELETE FROM {t}_orders WHERE total > ?", &[Bind::Int(150)]),
    Query("SELECT count(*) FROM {t}_orders", &[]),
    Query("SELECT id, name, score FROM {t}_users ORDER BY id", &[]),
    // Errors of every other kind.
    Query("SELECT nonexistent FROM {t}_users", &[]),
    Query("SELECT * FROM {t}_missing", &[]),
    Query("SELEC 1", &[]),
    Query("SELECT id FROM {t}_users WHERE name = ?", &[Bind::Int(5)]),
    Query("UPDATE {t}_missing SET a = 1", &[]),
    Query("DROP TABLE {t}_nothing", &[]),
    Query("SELECT CAST('abc' AS INTEGER)", &[]),
    // Several statements in one.
    Raw("SELECT 1; SELECT 2"),
    Raw("UPDATE {t}_users SET score = 0 WHERE id = 1; SELECT score FROM {t}_users WHERE id = 1"),
    Raw("SELECT 1; SELEC 2"),
    Query("DELETE FROM {t}_orders", &[]),
    Query("DELETE FROM {t}_users WHERE id > 10", &[]),
];

const POSTGRES: &[Statement] = &[
    // A placeholder without its argument. Not on MySQL: sqlx sends an execute packet the
    // server rejects as malformed (transact-rs/sqlx#3774), and against MariaDB the
    // connection then hangs on its next query, raw or traced alike.
    Query("SELECT name FROM {t}_users WHERE id = ?", &[]),
    Query("SELECT ?::int4 + ?::int4", &[Bind::Int(2), Bind::Int(3)]),
    Query("SELECT generate_series(1, 5)", &[]),
    Query("SELECT pg_typeof(1)::text", &[]),
    Query(
        "INSERT INTO {t}_users (id, name) VALUES (20, 'erin') RETURNING id, name",
        &[],
    ),
    Query(
        "WITH top AS (SELECT id FROM {t}_users ORDER BY id LIMIT 1) SELECT id FROM top",
        &[],
    ),
    Query("SELECT now() IS NOT NULL", &[]),
    Query("SELECT ?::int4", &[Bind::Text("not a number")]),
];

const MYSQL: &[Statement] = &[
    Query("SHOW TABLES LIKE '{t}_users'", &[]),
    Query(
        "INSERT IGNORE INTO {t}_users (id, name) VALUES (1, 'ignored')",
        &[],
    ),
    Query(
        "REPLACE INTO {t}_users (id, name) VALUES (21, 'replaced')",
        &[],
    ),
    Query("SELECT CONCAT(name, '!') FROM {t}_users ORDER BY id", &[]),
    Query("SELECT VERSION() IS NOT NULL", &[]),
    Query("SELECT IF(1 > 0, 'yes', 'no')", &[]),
];

const SQLITE: &[Statement] = &[
    // A placeholder without its argument. Not on MySQL: sqlx sends an execute packet the
    // server rejects as malformed (transact-rs/sqlx#3774), and against MariaDB the
    // connection then hangs on its next query, raw or traced alike.
    Query("SELECT name FROM {t}_users WHERE id = ?", &[]),
    Query(
        "INSERT OR IGNORE INTO {t}_users (id, name) VALUES (1, 'ignored')",
        &[],
    ),
    Query(
        "INSERT INTO {t}_users (id, name) VALUES (22, 'frank') RETURNING id, name",
        &[],
    ),
    Query("SELECT typeof(1), typeof('a'), typeof(NULL)", &[]),
    Query(
        "SELECT name FROM sqlite_master WHERE name = '{t}_users'",
        &[],
    ),
    Query("SELECT sqlite_version() IS NOT NULL", &[]),
    Query("SELECT name || '!' FROM {t}_users ORDER BY id", &[]),
];

/// What the corpus runner needs of each backend, written once per concrete type (generic
/// bounds for every bound and decoded type would be longer than the three impls).
trait ParityDb: instrument_sqlx::Backend {
    /// `sqlx::query(sql)` with `binds`, through `fetch_many`, collected.
    async fn query<'e, X>(
        executor: X,
        sql: String,
        binds: &[Bind],
    ) -> Result<Vec<Step<Self>>, sqlx::Error>
    where
        X: Executor<'e, Database = Self>;
    fn rows_affected(result: &Self::QueryResult) -> u64;
    /// A value as text, decoded as the first type that accepts it.
    fn render_value(row: &Self::Row, index: usize) -> String;
}

type Step<DB> = sqlx::Either<<DB as Database>::QueryResult, <DB as Database>::Row>;

/// Returns the value at `$index` as text from the first of `$ty` that decodes it.
macro_rules! first_that_decodes {
    ($row:expr, $index:expr, $($ty:ty),*) => {
        $(if let Ok(value) = $row.try_get::<$ty, _>($index) {
            return format!("{value:?}");
        })*
    };
}

macro_rules! parity_db {
    ($db:ty) => {
        impl ParityDb for $db {
            async fn query<'e, X>(
                executor: X,
                sql: String,
                binds: &[Bind],
            ) -> Result<Vec<Step<Self>>, sqlx::Error>
            where
                X: Executor<'e, Database = Self>,
            {
                let mut query = sqlx::query::<Self>(sqlx::AssertSqlSafe(sql));
                for bind in binds {
                    query = match *bind {
                        Bind::Int(value) => query.bind(value),
                        Bind::Float(value) => query.bind(value),
                        Bind::Text(value) => query.bind(value),
                        Bind::Null => query.bind(None::<i64>),
                    };
                }
                executor.fetch_many(query).try_collect().await
            }

            fn rows_affected(result: &Self::QueryResult) -> u64 {
                result.rows_affected()
            }

            fn render_value(row: &Self::Row, index: usize) -> String {
                match row.try_get_raw(index) {
                    Ok(value) if value.is_null() => return "NULL".to_owned(),
                    Ok(_) => {}
                    Err(error) => return format!("<{error}>"),
                }
                first_that_decodes!(row, index, i64, i32, i16, f64, f32, bool, String, Vec<u8>);
                let column = &row.columns()[index];
                format!("<{}>", sqlx::TypeInfo::name(column.type_info()))
            }
        }
    };
}

parity_db!(sqlx::Postgres);
parity_db!(sqlx::MySql);
parity_db!(sqlx::Sqlite);

/// Runs `statements` in order on `pool`; each outcome as text.
async fn run<DB, P>(pool: &P, statements: &[Statement], prefix: &str) -> Vec<String>
where
    DB: ParityDb,
    for<'c> &'c P: Executor<'c, Database = DB>,
{
    let postgres = DB::NAME == "PostgreSQL";
    let mut outcomes = Vec::new();
    for statement in statements {
        if std::env::var_os("PARITY_TRACE").is_some() {
            eprintln!("{} {statement:?}", DB::NAME);
        }
        let steps = match *statement {
            Query(sql, binds) => {
                let sql = placeholders(&sql.replace("{t}", prefix), postgres);
                DB::query(pool, sql, binds).await
            }
            Raw(sql) => {
                let sql = sql.replace("{t}", prefix);
                pool.fetch_many(sqlx::raw_sql(sqlx::AssertSqlSafe(sql)))
                    .try_collect::<Vec<_>>()
                    .await
            }
        };
        let outcome = match steps {
            Ok(steps) => steps
                .iter()
                .map(|step| match step {
                    sqlx::Either::Left(done) => format!("affected {}", DB::rows_affected(done)),
                    sqlx::Either::Right(row) => (0..row.len())
                        .map(|i| DB::render_value(row, i))
                        .collect::<Vec<_>>()
                        .join(" | "),
                })
                .collect::<Vec<_>>()
                .join("\n"),
            Err(error) => format!("error: {error}"),
        };
        if std::env::var_os("PARITY_TRACE").is_some() {
            eprintln!("  {}", outcome.replace('\n', "\n  "));
        }
        outcomes.push(format!("{statement:?}\n{outcome}"));
    }
    outcomes
}

/// `?` to `$1`, `$2`, ... for PostgreSQL (no corpus literal holds a `?`).
fn placeholders(sql: &str, postgres: bool) -> String {
    if !postgres {
        return sql.to_owned();
    }
    let mut numbered = String::new();
    let mut next = 0;
    for c in sql.chars() {
        if c == '?' {
            next += 1;
            numbered.push_str(&format!("${next}"));
        } else {
            numbered.push(c);
        }
    }
    numbered
}

/// Raw, traced (counting its spans), then traced and switched off; each on a pool of
/// one connection of its own.
async fn compare<DB>(url: &str, statements: Vec<Statement>)
where
    DB: ParityDb,
    for<'c> &'c sqlx::Pool<DB>: Executor<'c, Database = DB>,
{
    let name = DB::NAME;
    let raw = sqlx::pool::PoolOptions::<DB>::new()
        .max_connections(1)
        .connect(url)
        .await
        .expect("raw pool");
    let traced_pool = || {
        instrument_sqlx::PoolOptions::<DB>::new()
            .max_connections(1)
            .connect(url)
    };
    assert!(
        statements.len() >= 50,
        "{name}: {} statements",
        statements.len()
    );
    let prefix = format!("parity_{}", std::process::id());
    // A pool of its own for each traced run (the traced one, then the one switched
    // off): an in-memory SQLite database lives as long as its connection.
    let pools = [
        traced_pool().await.expect("traced pool"),
        traced_pool().await.expect("traced pool"),
    ];
    let mut next_pool = pools.iter();
    let parity = assert_parity(
        Library::Sqlx,
        || run(&raw, &statements, &prefix),
        || {
            let pool = next_pool.next().expect("two traced runs");
            run::<DB, instrument_sqlx::Pool<DB>>(pool, &statements, &prefix)
        },
    )
    .await;
    let (expected, spans) = (parity.result, parity.traced_spans);
    assert_eq!(
        spans.len(),
        statements.len(),
        "{name}: one span per statement"
    );
    // The corpus really exercises failures and rows, not only successes.
    assert!(
        expected.iter().filter(|o| o.contains("error:")).count() >= 8,
        "{name}"
    );
    assert!(
        expected.iter().filter(|o| o.contains(" | ")).count() >= 3,
        "{name}"
    );
}

fn corpus(extra: &[Statement]) -> Vec<Statement> {
    SHARED.iter().chain(extra).copied().collect()
}

#[tokio::test]
async fn rows_counts_and_errors_match_raw_traced_and_switched_off() {
    let postgres = std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
    compare::<sqlx::Postgres>(&postgres, corpus(POSTGRES)).await;
    let mysql = std::env::var("MYSQL_URL")
        .unwrap_or_else(|_| "mysql://root@127.0.0.1:3306/test".to_owned());
    compare::<sqlx::MySql>(&mysql, corpus(MYSQL)).await;
    // One connection per pool: an in-memory database of its own, fresh for each run.
    compare::<sqlx::Sqlite>("sqlite::memory:", corpus(SQLITE)).await;
}
