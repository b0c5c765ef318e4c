//! Privacy, end to end, for tokio-postgres and deadpool-postgres: tokio-postgres puts the
//! server's DETAIL (`Key (email)=(…)`, `Failing row contains (…)`) in its error text, so
//! each constraint family is driven with values, through the real `init()` pipeline
//! exporting OTLP/HTTP to a collector on loopback. No value reaches the exported bytes,
//! and the caller's errors are the raw client's.
#![cfg(feature = "deadpool-postgres")]

mod support;

use support::collector;

fn database_url() -> String {
    std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

const SETUP: &str = "DROP TABLE IF EXISTS zz_privacy_tp_orders; DROP TABLE IF EXISTS zz_privacy_tp; \
    CREATE TABLE zz_privacy_tp (id int PRIMARY KEY, email text UNIQUE, age int CHECK (age > 0), \
    name text NOT NULL); \
    CREATE TABLE zz_privacy_tp_orders (user_id int REFERENCES zz_privacy_tp (id)); \
    INSERT INTO zz_privacy_tp VALUES (1, 'S3CR3T-tp-unique@example.com', 1, 'n')";

/// Statements with bound text values that each fail on a value.
const CASES: &[(&str, &[&str])] = &[
    (
        "INSERT INTO zz_privacy_tp VALUES (2, $1, 1, 'n')",
        &["S3CR3T-tp-unique@example.com"],
    ),
    (
        "INSERT INTO zz_privacy_tp VALUES (3, $1, -5, 'n')",
        &["S3CR3T-tp-check"],
    ),
    (
        "INSERT INTO zz_privacy_tp (id, email, age) VALUES (4, $1, 1)",
        &["S3CR3T-tp-null"],
    ),
    // Free text with `). ` inside the failing row.
    (
        "INSERT INTO zz_privacy_tp VALUES (5, $1, -5, 'n')",
        &["loves cats (and dogs). S3CR3T-tp-paren"],
    ),
    (
        "INSERT INTO zz_privacy_tp_orders VALUES ($1::text::int)",
        &["987654321"],
    ),
    // A value with a line of its own that looks like the error's structure.
    (
        "INSERT INTO zz_privacy_tp VALUES (6, $1, -5, 'n')",
        &["started\nERROR: notify S3CR3T-tp-label@example.com"],
    ),
    ("SELECT $1::text::int", &["S3CR3T-tp-int"]),
    (
        "SELECT $1::text::int",
        &["1\nDETAIL: S3CR3T-tp-label2@example.com"],
    ),
    ("SELECT $1::text::json", &["{\"k\": S3CR3T-tp-json}"]),
];

/// Scripts with inline values.
const SCRIPTS: &[&str] = &[
    "SELECT 'a' 'S3CR3T-tp-syntax'",
    // Literals in an array of a join condition (the summary is the span's name and
    // a metric attribute); the statement fails after the summary is made.
    "SELECT 1 FROM pg_class c JOIN pg_namespace n \
     ON ARRAY[n.nspname] <@ ARRAY['pg_catalog','S3CR3T-tp-array'] WHERE 1 / 0 = 1",
    "DO $$ BEGIN RAISE EXCEPTION 'balance of %', 'S3CR3T-tp-raise' \
     USING DETAIL = 'S3CR3T-tp-detail', HINT = 'S3CR3T-tp-hint'; END $$",
    "DO $$ BEGIN RAISE EXCEPTION 'code of its own: %', 'S3CR3T-tp-errcode' \
     USING ERRCODE = 'ZZ001'; END $$",
    "DO $$ DECLARE v text := 'S3CR3T-tp-assert'; BEGIN ASSERT v IS NULL, 'v is ' || v; END $$",
];

const SECRETS: &[&str] = &[
    "S3CR3T",
    "987654321",
    "tp-unique",
    "tp-check",
    "tp-null",
    "tp-paren",
    "tp-int",
    "tp-label",
    "tp-array",
    "tp-json",
    "tp-syntax",
    "tp-raise",
    "tp-detail",
    "tp-hint",
    "tp-errcode",
    "tp-assert",
];

/// Every case and script on `$client`, as the text and `Debug` of each error.
macro_rules! outcomes {
    ($client:expr) => {{
        let client = $client;
        let mut outcomes = Vec::new();
        for (sql, binds) in CASES {
            let params: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> =
                binds.iter().map(|b| b as _).collect();
            let outcome = client.execute(*sql, &params).await;
            outcomes.push(format!("{outcome:?} / {}", display(&outcome)));
        }
        for script in SCRIPTS {
            let outcome = client.batch_execute(script).await;
            outcomes.push(format!("{outcome:?} / {}", display(&outcome)));
        }
        outcomes
    }};
}

fn display<T>(outcome: &Result<T, tokio_postgres::Error>) -> String {
    outcome
        .as_ref()
        .err()
        .map(ToString::to_string)
        .unwrap_or_default()
}

#[test]
fn constraint_details_and_raised_messages_never_reach_the_export() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let raw = runtime.block_on(async {
        let (client, connection) = tokio_postgres::connect(&database_url(), tokio_postgres::NoTls)
            .await
            .expect("connect");
        tokio::spawn(connection);
        client.batch_execute(SETUP).await.expect("setup");
        outcomes!(&client)
    });
    for outcome in &raw {
        assert!(outcome.starts_with("Err"), "{outcome}");
    }
    // The raw errors do carry the values: what the test guards against.
    assert!(
        raw.iter()
            .any(|o| o.contains("Key (email)=(S3CR3T-tp-unique@example.com)"))
    );

    let (endpoint, received) = collector::start();
    let telemetry = collector::pipeline(&endpoint);
    let (traced, pooled) = telemetry.in_scope(|| {
        runtime.block_on(async {
            let (client, connection) =
                instrument::tokio_postgres::connect(&database_url(), tokio_postgres::NoTls)
                    .await
                    .expect("connect");
            tokio::spawn(connection);
            client.batch_execute(SETUP).await.expect("setup");
            let traced = outcomes!(&client);

            let mut config = deadpool_postgres::Config::new();
            config.url = Some(database_url());
            let pool = instrument::tokio_postgres::deadpool::Pool::from_config(
                &config,
                Some(instrument::tokio_postgres::deadpool::Runtime::Tokio1),
                tokio_postgres::NoTls,
            )
            .expect("pool");
            let pooled_client = pool.get().await.expect("get");
            pooled_client.batch_execute(SETUP).await.expect("setup");
            let pooled = outcomes!(&pooled_client);
            (traced, pooled)
        })
    });
    drop(telemetry);
    assert_eq!(
        raw, traced,
        "the traced client must fail exactly as tokio-postgres's own"
    );
    assert_eq!(
        raw, pooled,
        "the pooled client must fail exactly as tokio-postgres's own"
    );
    received.assert_free_of(SECRETS);
    assert!(received.contains("Key (email)=(?) already exists"));
    assert!(received.contains("Failing row contains (?)"));
    assert!(received.contains("error raised by the application's SQL"));
}
