//! The same rows, counts and errors through tokio-postgres's own client, the traced
//! client, and the traced client switched off (the `testing` parity helper). One test:
//! the switch is process-wide.

mod support;

use instrument_core::Library;
use instrument_core::testing::assert_parity;
use support::{client, raw_client};
use tokio_postgres::types::ToSql;
use tokio_postgres::{Error, Row, SimpleQueryMessage};

/// A bind argument.
#[derive(Debug, Clone, Copy)]
enum Bind {
    Int(i32),
    Text(&'static str),
    Null,
}

/// One statement. `{t}` stands for a table-name prefix unique to the process.
#[derive(Debug, Clone, Copy)]
enum Statement {
    /// `query`, returning rows.
    Query(&'static str, &'static [Bind]),
    /// `execute`, returning the rows modified.
    Execute(&'static str, &'static [Bind]),
    /// `simple_query`: a script, no parameters.
    Simple(&'static str),
    /// `prepare`, then `query` with the statement.
    Prepared(&'static str, &'static [Bind]),
}
use Statement::{Execute, Prepared, Query, Simple};

const CORPUS: &[Statement] = &[
    Simple("DROP TABLE IF EXISTS {t}_orders; DROP TABLE IF EXISTS {t}_users"),
    Execute(
        "CREATE TABLE {t}_users (id int PRIMARY KEY, name varchar(20) NOT NULL UNIQUE, \
         score int, ratio float8)",
        &[],
    ),
    Execute(
        "CREATE TABLE {t}_orders (id int PRIMARY KEY, user_id int NOT NULL REFERENCES {t}_users (id), \
         total int NOT NULL CHECK (total >= 0))",
        &[],
    ),
    Execute("INSERT INTO {t}_users VALUES (1, 'alice', 10, 0.5)", &[]),
    Execute(
        "INSERT INTO {t}_users (id, name, score) VALUES ($1, $2, $3)",
        &[Bind::Int(2), Bind::Text("bob"), Bind::Int(20)],
    ),
    Execute("INSERT INTO {t}_users VALUES (3, 'carol', NULL, NULL)", &[]),
    Execute(
        "INSERT INTO {t}_users (id, name, score) VALUES ($1, $2, $3)",
        &[Bind::Int(4), Bind::Text("dave"), Bind::Null],
    ),
    Execute("INSERT INTO {t}_users (id, name) VALUES (5, 'alice')", &[]),
    Execute("INSERT INTO {t}_users (id, name) VALUES (1, 'zed')", &[]),
    Execute("INSERT INTO {t}_users (id, name) VALUES (6, NULL)", &[]),
    Execute(
        "INSERT INTO {t}_users (id, name) VALUES ($1, $2)",
        &[
            Bind::Int(6),
            Bind::Text("a name far too long for its column"),
        ],
    ),
    Execute("INSERT INTO {t}_orders VALUES (1, 1, 100)", &[]),
    Execute(
        "INSERT INTO {t}_orders VALUES (2, 2, $1)",
        &[Bind::Int(250)],
    ),
    Execute("INSERT INTO {t}_orders VALUES (3, 1, -5)", &[]),
    Execute("INSERT INTO {t}_orders VALUES (4, 99, 5)", &[]),
    Query(
        "SELECT id, name, score, ratio FROM {t}_users ORDER BY id",
        &[],
    ),
    Query("SELECT name FROM {t}_users WHERE id = $1", &[Bind::Int(2)]),
    Query("SELECT name FROM {t}_users WHERE id = $1", &[Bind::Int(99)]),
    Query("SELECT name FROM {t}_users WHERE id = $1", &[Bind::Null]),
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
        "SELECT name FROM {t}_users WHERE name LIKE $1 ORDER BY id",
        &[Bind::Text("%a%")],
    ),
    Query(
        "SELECT u.name, o.total FROM {t}_users u JOIN {t}_orders o ON o.user_id = u.id ORDER BY o.id",
        &[],
    ),
    Query(
        "SELECT u.name, count(o.id) FROM {t}_users u LEFT JOIN {t}_orders o ON o.user_id = u.id \
         GROUP BY u.name ORDER BY u.name",
        &[],
    ),
    Query(
        "SELECT name FROM {t}_users WHERE id IN (SELECT user_id FROM {t}_orders) ORDER BY name",
        &[],
    ),
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
        "SELECT upper(name), length(name) FROM {t}_users ORDER BY id",
        &[],
    ),
    Query(
        "SELECT max(total) FROM {t}_orders WHERE user_id = $1",
        &[Bind::Int(99)],
    ),
    Query("SELECT 1, 'it''s', true, 2.5::float8, NULL::int", &[]),
    Query("SELECT $1::int4 + $2::int4", &[Bind::Int(2), Bind::Int(3)]),
    Query("SELECT generate_series(1, 4)", &[]),
    Query("SELECT 1 / 0", &[]),
    Query("SELECT $1::int4", &[Bind::Text("not a number")]),
    Query("SELECT 'abc'::int", &[]),
    Query("SELECT 1.5::numeric", &[]),
    Query(
        "INSERT INTO {t}_users (id, name) VALUES (20, 'erin') RETURNING id, name",
        &[],
    ),
    Query(
        "WITH top AS (SELECT id FROM {t}_users ORDER BY id LIMIT 1) SELECT id FROM top",
        &[],
    ),
    Execute(
        "UPDATE {t}_users SET score = score + 1 WHERE score IS NOT NULL",
        &[],
    ),
    Execute(
        "UPDATE {t}_users SET score = $1 WHERE id = $2",
        &[Bind::Null, Bind::Int(2)],
    ),
    Execute("DELETE FROM {t}_users WHERE id = $1", &[Bind::Int(4)]),
    Execute("DELETE FROM {t}_orders WHERE total > $1", &[Bind::Int(150)]),
    Prepared(
        "SELECT id, name FROM {t}_users WHERE id > $1 ORDER BY id",
        &[Bind::Int(1)],
    ),
    Prepared("SELECT count(*) FROM {t}_orders", &[]),
    Prepared("SELECT * FROM {t}_missing", &[]),
    Query("SELECT nonexistent FROM {t}_users", &[]),
    Query("SELECT * FROM {t}_missing", &[]),
    Query("SELEC 1", &[]),
    Query("SELECT name FROM {t}_users WHERE id = $1", &[]),
    Query("SELECT id FROM {t}_users WHERE name = $1", &[Bind::Int(5)]),
    Execute("UPDATE {t}_missing SET a = 1", &[]),
    Execute("DROP TABLE {t}_nothing", &[]),
    Simple("SELECT 1; SELECT 'two'"),
    Simple("UPDATE {t}_users SET score = 0 WHERE id = 1; SELECT score FROM {t}_users WHERE id = 1"),
    Simple("SELECT 1; SELEC 2"),
    Simple("BEGIN; INSERT INTO {t}_users (id, name) VALUES (30, 'tx'); ROLLBACK"),
    Query("SELECT count(*) FROM {t}_users WHERE id = 30", &[]),
    Simple("DROP TABLE {t}_orders; DROP TABLE {t}_users"),
];

/// What the corpus needs of a client, raw or traced.
trait Runner {
    async fn rows(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Vec<Row>, Error>;
    async fn count(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<u64, Error>;
    async fn script(&self, sql: &str) -> Result<Vec<SimpleQueryMessage>, Error>;
    async fn prepared(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Vec<Row>, Error>;
}

/// The two clients have the same methods; the corpus calls them by name.
macro_rules! runner {
    ($client:ty) => {
        impl Runner for $client {
            async fn rows(
                &self,
                sql: &str,
                params: &[&(dyn ToSql + Sync)],
            ) -> Result<Vec<Row>, Error> {
                self.query(sql, params).await
            }
            async fn count(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<u64, Error> {
                self.execute(sql, params).await
            }
            async fn script(&self, sql: &str) -> Result<Vec<SimpleQueryMessage>, Error> {
                self.simple_query(sql).await
            }
            async fn prepared(
                &self,
                sql: &str,
                params: &[&(dyn ToSql + Sync)],
            ) -> Result<Vec<Row>, Error> {
                let statement = self.prepare(sql).await?;
                self.query(&statement, params).await
            }
        }
    };
}

runner!(tokio_postgres::Client);
runner!(instrument_tokio_postgres::Client);

/// A value as text, decoded as the first type that accepts it.
fn render_value(row: &Row, index: usize) -> String {
    macro_rules! first_that_decodes {
        ($($ty:ty),*) => {
            $(if let Ok(value) = row.try_get::<_, Option<$ty>>(index) {
                return value.map_or("NULL".to_owned(), |v| format!("{v:?}"));
            })*
        };
    }
    first_that_decodes!(i32, i64, i16, f64, f32, bool, String, Vec<u8>);
    format!("<{}>", row.columns()[index].type_())
}

fn render_rows(rows: &[Row]) -> String {
    rows.iter()
        .map(|row| {
            (0..row.len())
                .map(|i| render_value(row, i))
                .collect::<Vec<_>>()
                .join(" | ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn render_messages(messages: &[SimpleQueryMessage]) -> String {
    messages
        .iter()
        .map(|message| match message {
            SimpleQueryMessage::Row(row) => (0..row.len())
                .map(|i| row.get(i).unwrap_or("NULL").to_owned())
                .collect::<Vec<_>>()
                .join(" | "),
            SimpleQueryMessage::CommandComplete(count) => format!("complete {count}"),
            _ => "other".to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Runs the corpus in order on `client`; each outcome as text.
async fn run(client: &impl Runner, prefix: &str) -> Vec<String> {
    let mut outcomes = Vec::new();
    for statement in CORPUS {
        let owned_binds: Vec<Box<dyn ToSql + Sync>> = match statement {
            Query(_, binds) | Execute(_, binds) | Prepared(_, binds) => binds
                .iter()
                .map(|bind| -> Box<dyn ToSql + Sync> {
                    match *bind {
                        Bind::Int(value) => Box::new(value),
                        Bind::Text(value) => Box::new(value),
                        Bind::Null => Box::new(None::<i32>),
                    }
                })
                .collect(),
            Simple(_) => Vec::new(),
        };
        let params: Vec<&(dyn ToSql + Sync)> = owned_binds.iter().map(|b| b.as_ref()).collect();
        let outcome = match *statement {
            Query(sql, _) => client
                .rows(&sql.replace("{t}", prefix), &params)
                .await
                .map(|rows| render_rows(&rows)),
            Prepared(sql, _) => client
                .prepared(&sql.replace("{t}", prefix), &params)
                .await
                .map(|rows| render_rows(&rows)),
            Execute(sql, _) => client
                .count(&sql.replace("{t}", prefix), &params)
                .await
                .map(|count| format!("affected {count}")),
            Simple(sql) => client
                .script(&sql.replace("{t}", prefix))
                .await
                .map(|messages| render_messages(&messages)),
        };
        let outcome =
            outcome.unwrap_or_else(|error| format!("error: {error} ({:?})", error.code()));
        outcomes.push(format!("{statement:?}\n{outcome}"));
    }
    outcomes
}

#[tokio::test]
async fn rows_counts_and_errors_match_raw_traced_and_switched_off() {
    assert!(CORPUS.len() >= 50, "{} statements", CORPUS.len());
    let prefix = format!("tp_parity_{}", std::process::id());
    let parity = assert_parity(
        Library::TokioPostgres,
        || async { run(&raw_client().await, &prefix).await },
        || async { run(&client().await, &prefix).await },
    )
    .await;
    let (expected, spans) = (parity.result, parity.traced_spans);
    let prepares = CORPUS.iter().filter(|s| matches!(s, Prepared(..))).count();
    // One span per statement, and one more per prepare that succeeded.
    assert!(
        spans.len() >= CORPUS.len() + prepares - 1,
        "{} spans",
        spans.len()
    );
    assert!(expected.iter().filter(|o| o.contains("error:")).count() >= 10);
    assert!(expected.iter().filter(|o| o.contains(" | ")).count() >= 5);
}

/// The scalar queries of a client, raw or traced, on statements that give one value,
/// none, several, and rows of two columns; each outcome as text.
macro_rules! scalars {
    ($client:expr) => {{
        let client = $client;
        let mut outcomes = Vec::new();
        for sql in [
            "SELECT 42",
            "SELECT generate_series(1, 3)",
            "SELECT 1 WHERE false",
            "SELECT 1, 2",
            "SELECT 'x'",
        ] {
            outcomes.push(format!(
                "{sql}: {:?} / {:?} / {:?}",
                client
                    .query_scalar::<i32, _>(sql, &[])
                    .await
                    .map_err(|e| e.to_string()),
                client
                    .query_one_scalar::<i32, _>(sql, &[])
                    .await
                    .map_err(|e| e.to_string()),
                client
                    .query_opt_scalar::<i32, _>(sql, &[])
                    .await
                    .map_err(|e| e.to_string()),
            ));
        }
        outcomes
    }};
}

#[tokio::test]
async fn scalar_queries_match_raw_traced_and_switched_off() {
    let parity = assert_parity(
        Library::TokioPostgres,
        || async { scalars!(raw_client().await) },
        || async { scalars!(client().await) },
    )
    .await;
    assert!(
        parity.result.iter().any(|o| o.contains("Ok([1, 2, 3])")),
        "{:?}",
        parity.result
    );
    let spans = parity.traced_spans;
    assert_eq!(spans.len(), 15, "one span per call");
    let series: Vec<_> = spans
        .iter()
        .filter(|span| span.str_attr("db.query.text") == Some("SELECT generate_series(?, ?)"))
        .collect();
    assert_eq!(series.len(), 3);
    assert!(
        series
            .iter()
            .any(|span| span.attr("db.response.returned_rows").is_some())
    );
}
