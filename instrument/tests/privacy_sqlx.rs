//! Privacy, end to end, for the sqlx pools: statements that fail on values (bound or
//! inline) and a notice quoting a value run against real PostgreSQL, MariaDB and
//! SQLite, through the real `init()` pipeline exporting OTLP/HTTP to a collector on
//! loopback. No value reaches the exported bytes, and the caller's errors are the raw
//! client's, to the letter.
#![cfg(all(
    feature = "sqlx-postgres",
    feature = "sqlx-mysql",
    feature = "sqlx-sqlite"
))]

mod support;

use support::collector;

/// One statement, its bound text values, and whether it runs as `raw_sql` (inline
/// values, several statements, no binds).
struct Case {
    sql: &'static str,
    binds: &'static [&'static str],
    raw: bool,
}

const fn query(sql: &'static str, binds: &'static [&'static str]) -> Case {
    Case {
        sql,
        binds,
        raw: false,
    }
}

const fn raw(sql: &'static str) -> Case {
    Case {
        sql,
        binds: &[],
        raw: true,
    }
}

/// Every case, on `$executor`, as the `Debug` text of its outcome: the errors must match
/// between the raw and the traced pool to the last field.
macro_rules! outcomes {
    ($executor:expr, $cases:expr) => {{
        let mut outcomes = Vec::new();
        for case in $cases {
            let outcome = if case.raw {
                sqlx::raw_sql(sqlx::AssertSqlSafe(case.sql))
                    .execute($executor)
                    .await
                    .map(|done| done.rows_affected())
            } else {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(case.sql));
                for bind in case.binds {
                    q = q.bind(*bind);
                }
                q.execute($executor).await.map(|done| done.rows_affected())
            };
            outcomes.push(format!("{outcome:?}"));
        }
        outcomes
    }};
}

/// Runs `cases` on the raw pool, then on the traced pool inside the real pipeline, and
/// returns the collector's bytes once the pipeline is flushed.
macro_rules! compare {
    ($raw:ty, $traced:ty, $url:expr, $setup:expr, $cases:expr) => {
        compare!($raw, $traced, $url, $url, $setup, $cases)
    };
    ($raw:ty, $traced:ty, $raw_url:expr, $traced_url:expr, $setup:expr, $cases:expr) => {{
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let raw = runtime.block_on(async {
            let pool = <$raw>::connect($raw_url).await.expect("connect");
            outcomes!(&pool, $setup);
            outcomes!(&pool, $cases)
        });
        let (endpoint, received) = collector::start();
        let telemetry = collector::pipeline(&endpoint);
        let traced = telemetry.in_scope(|| {
            runtime.block_on(async {
                let pool = <$traced>::connect($traced_url).await.expect("connect");
                outcomes!(&pool, $setup);
                outcomes!(&pool, $cases)
            })
        });
        drop(telemetry);
        assert_eq!(
            raw, traced,
            "the traced pool must fail exactly as sqlx's own"
        );
        for (case, outcome) in $cases.iter().zip(&raw) {
            assert!(
                outcome.starts_with("Err"),
                "{} was meant to fail: {outcome}",
                case.sql
            );
        }
        received
    }};
}

const POSTGRES_SETUP: &[Case] = &[
    raw("DROP TABLE IF EXISTS zz_privacy_sqlx; \
         CREATE TABLE zz_privacy_sqlx (email TEXT UNIQUE, age INT CHECK (age > 0), name TEXT NOT NULL)"),
    query(
        "INSERT INTO zz_privacy_sqlx (email, age, name) VALUES ($1, 1, 'n')",
        &["S3CR3T-pg-unique@example.com"],
    ),
    raw("DO $$ BEGIN RAISE NOTICE 'note about %', 'S3CR3T-pg-notice'; END $$"),
];

const POSTGRES: &[Case] = &[
    query("SELECT $1::text::int", &["S3CR3T-pg-int"]),
    // A value whose line break is followed by what looks like a part of the error.
    query(
        "SELECT $1::text::int",
        &["1\nDETAIL: S3CR3T-pg-label@example.com"],
    ),
    query("SELECT $1::text::smallint", &["987654321"]),
    query("SELECT $1::text::uuid", &["S3CR3T-pg-uuid"]),
    query("SELECT $1::text::json", &["{\"k\": S3CR3T-pg-json}"]),
    query("SELECT $1::text::date", &["2024-13-45 S3CR3T-pg-date"]),
    query(
        "INSERT INTO zz_privacy_sqlx (email, age, name) VALUES ($1, 1, 'n')",
        &["S3CR3T-pg-unique@example.com"],
    ),
    query(
        "INSERT INTO zz_privacy_sqlx (email, age, name) VALUES ($1, -5, $1)",
        &["S3CR3T-pg-check"],
    ),
    raw("SELECT 'a' 'S3CR3T-pg-syntax'"),
    raw("SELECT 'S3CR3T-pg-inline'::int"),
    raw("DO $$ BEGIN RAISE EXCEPTION 'balance of % is %', 'S3CR3T-pg-raise', 987654322; END $$"),
    raw(
        "DO $$ BEGIN RAISE EXCEPTION 'code of its own: %', 'S3CR3T-pg-errcode' \
         USING ERRCODE = 'ZZ001'; END $$",
    ),
    raw("DO $$ BEGIN RAISE 'wrong parameter %', 'S3CR3T-pg-param' \
         USING ERRCODE = 'invalid_parameter_value'; END $$"),
    raw("DO $$ DECLARE v text := 'S3CR3T-pg-assert'; BEGIN ASSERT v IS NULL, 'v is ' || v; END $$"),
];

const POSTGRES_SECRETS: &[&str] = &[
    "S3CR3T",
    "987654321",
    "987654322",
    "pg-unique",
    "pg-notice",
    "pg-int",
    "pg-label",
    "pg-uuid",
    "pg-json",
    "pg-date",
    "pg-check",
    "pg-syntax",
    "pg-inline",
    "pg-raise",
    "pg-errcode",
    "pg-param",
    "pg-assert",
];

#[test]
fn postgres_values_never_reach_the_export() {
    let url = std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
    let received = compare!(
        sqlx::PgPool,
        instrument::sqlx::PgPool,
        &url,
        POSTGRES_SETUP,
        POSTGRES
    );
    received.assert_free_of(POSTGRES_SECRETS);
    // The messages are there, with their values masked.
    assert!(received.contains(r#"invalid input syntax for type integer: "?""#));
    assert!(received.contains(r#"syntax error at or near "?""#));
    assert!(received.contains("error raised by the application's SQL"));
}

const MARIADB_SETUP: &[Case] = &[
    raw("DROP TABLE IF EXISTS zz_privacy_sqlx; \
         CREATE TABLE zz_privacy_sqlx (email VARCHAR(64) UNIQUE, age INT, born DATETIME, name VARCHAR(8))"),
    query(
        "INSERT INTO zz_privacy_sqlx (email) VALUES (?)",
        &["S3CR3T-my-unique@example.com"],
    ),
    query(
        "INSERT INTO zz_privacy_sqlx (email) VALUES (?)",
        &["O' S3CR3T-my-quote"],
    ),
];

const MARIADB: &[Case] = &[
    // A value with a quote of its own: the server echoes it unescaped.
    query(
        "INSERT INTO zz_privacy_sqlx (email) VALUES (?)",
        &["O' S3CR3T-my-quote"],
    ),
    raw(
        "SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'own errno S3CR3T-my-errno', MYSQL_ERRNO = 5001",
    ),
    query(
        "INSERT INTO zz_privacy_sqlx (email) VALUES (?)",
        &["S3CR3T-my-unique@example.com"],
    ),
    query(
        "INSERT INTO zz_privacy_sqlx (age) VALUES (?)",
        &["S3CR3T-my-int"],
    ),
    query(
        "INSERT INTO zz_privacy_sqlx (age) VALUES (?)",
        &["1\nERROR: S3CR3T-my-label"],
    ),
    query(
        "INSERT INTO zz_privacy_sqlx (born) VALUES (?)",
        &["2024-13-45 S3CR3T-my-date"],
    ),
    query(
        "INSERT INTO zz_privacy_sqlx (name) VALUES (?)",
        &["S3CR3T-my-too-long"],
    ),
    raw("SELECT 'a' FROM WHERE 'S3CR3T-my-syntax'"),
    raw("SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'balance of S3CR3T-my-signal is 987654321'"),
];

const MARIADB_SECRETS: &[&str] = &[
    "S3CR3T",
    "987654321",
    "my-unique",
    "my-int",
    "my-label",
    "my-date",
    "my-too-long",
    "my-syntax",
    "my-signal",
    "my-quote",
    "my-errno",
];

#[test]
fn mariadb_values_never_reach_the_export() {
    let url = std::env::var("MYSQL_URL")
        .unwrap_or_else(|_| "mysql://root@127.0.0.1:3306/test".to_owned());
    let received = compare!(
        sqlx::MySqlPool,
        instrument::sqlx::MySqlPool,
        &url,
        MARIADB_SETUP,
        MARIADB
    );
    received.assert_free_of(MARIADB_SECRETS);
    assert!(received.contains("Duplicate entry '?' for key 'email'"));
}

const SQLITE_SETUP: &[Case] = &[
    raw(
        "CREATE TABLE zz_privacy_sqlx (email TEXT UNIQUE, age INTEGER) STRICT; \
         CREATE TABLE zz_privacy_guarded (v TEXT); \
         CREATE TRIGGER zz_privacy_guard BEFORE INSERT ON zz_privacy_guarded \
         BEGIN SELECT RAISE(ABORT, 'rejected S3CR3T-sq-raise'); END",
    ),
    query(
        "INSERT INTO zz_privacy_sqlx (email) VALUES (?)",
        &["S3CR3T-sq-unique@example.com"],
    ),
];

const SQLITE: &[Case] = &[
    query(
        "INSERT INTO zz_privacy_sqlx (email) VALUES (?)",
        &["S3CR3T-sq-unique@example.com"],
    ),
    query(
        "INSERT INTO zz_privacy_sqlx (age) VALUES (?)",
        &["S3CR3T-sq-strict"],
    ),
    query(
        "INSERT INTO zz_privacy_guarded (v) VALUES (?)",
        &["S3CR3T-sq-guarded"],
    ),
    raw("SELECT ('a' 'S3CR3T-sq-syntax')"),
    raw("SELECT 'S3CR3T-sq-token"),
    // SQLite reads a double-quoted name that is no column as a string (this one then
    // fails on the column that does not exist).
    raw(
        r#"SELECT count(*) FROM zz_privacy_sqlx WHERE email = "S3CR3T-sq-double-quoted" AND nope = 1"#,
    ),
];

const SQLITE_SECRETS: &[&str] = &[
    "S3CR3T",
    "sq-unique",
    "sq-strict",
    "sq-guarded",
    "sq-syntax",
    "sq-token",
    "sq-raise",
    "sq-double-quoted",
];

#[test]
fn sqlite_values_never_reach_the_export() {
    // A fresh database file for each pool, set up the same way.
    let url = |pool: &str| {
        let path =
            std::env::temp_dir().join(format!("zz_privacy_{}_{pool}.db", std::process::id()));
        let _ = std::fs::remove_file(&path);
        format!("sqlite://{}?mode=rwc", path.display())
    };
    let (raw_url, traced_url) = (url("raw"), url("traced"));
    let received = compare!(
        sqlx::SqlitePool,
        instrument::sqlx::SqlitePool,
        &raw_url,
        &traced_url,
        SQLITE_SETUP,
        SQLITE
    );
    received.assert_free_of(SQLITE_SECRETS);
    assert!(received.contains(r#"near "?": syntax error"#));
}
