//! Every query method of the client is a span with the semantic-convention attributes;
//! the caller gets tokio-postgres's own rows and errors.

mod support;

use futures_util::{SinkExt as _, StreamExt as _, TryStreamExt as _};
use instrument_core::testing::{SpanKind, Status, capture_async};
use support::{client, table};
use tokio_postgres::types::Type;

#[tokio::test]
async fn a_parameterized_query_is_named_by_its_summary_and_recorded_as_written() {
    let (rows, spans) = capture_async(async {
        let client = client().await;
        client
            .query(
                "SELECT relname FROM pg_class WHERE relname = $1",
                &[&"pg_class"],
            )
            .await
            .expect("query")
    })
    .await;
    assert_eq!(rows.len(), 1);
    let span = spans.named("SELECT pg_class");
    assert_eq!(span.kind, SpanKind::Client);
    assert_eq!(span.status, Status::Unset);
    span.assert_attr("db.system.name", "postgresql")
        .assert_attr("db.namespace", "test")
        .assert_attr("server.address", "127.0.0.1")
        .assert_no_attr("server.port")
        .assert_attr(
            "db.query.text",
            "SELECT relname FROM pg_class WHERE relname = $1",
        )
        .assert_attr("db.response.returned_rows", 1);
}

#[tokio::test]
async fn one_opt_typed_and_execute_each_make_their_span() {
    let ((), spans) = capture_async(async {
        let client = client().await;
        let one = client.query_one("SELECT 1 AS one", &[]).await.expect("one");
        assert_eq!(one.get::<_, i32>(0), 1);
        let none = client
            .query_opt("SELECT 1 FROM pg_class WHERE relname = $1", &[&"nothing"])
            .await
            .expect("opt");
        assert!(none.is_none());
        let typed = client
            .query_typed("SELECT $1 + 1 AS next", &[(&41i32, Type::INT4)])
            .await
            .expect("typed");
        assert_eq!(typed[0].get::<_, i32>(0), 42);
        let changed = client
            .execute("SET application_name = 'tests'", &[])
            .await
            .expect("execute");
        assert_eq!(changed, 0);
        let raw = client
            .execute_raw("SELECT $1::int4", [7i32])
            .await
            .expect("execute_raw");
        assert_eq!(raw, 1);
    })
    .await;
    spans
        .named("SELECT")
        .assert_attr("db.query.text", "SELECT ? AS one")
        .assert_attr("db.response.returned_rows", 1);
    let opt = spans
        .iter()
        .find(|s| s.str_attr("db.query.text") == Some("SELECT 1 FROM pg_class WHERE relname = $1"))
        .expect("opt span");
    opt.assert_attr("db.response.returned_rows", 0);
    spans
        .iter()
        .find(|s| s.str_attr("db.query.text") == Some("SELECT $1 + 1 AS next"))
        .expect("typed span")
        .assert_attr("db.response.returned_rows", 1);
    spans
        .named("SET")
        .assert_attr("db.query.text", "SET application_name = ?")
        .assert_attr("db.response.affected_rows", 0);
}

#[tokio::test]
async fn a_statement_prepared_through_the_wrapper_keeps_its_text_for_later_runs() {
    let ((), spans) = capture_async(async {
        let client = client().await;
        let statement = client
            .prepare("SELECT relname FROM pg_class WHERE relname = $1")
            .await
            .expect("prepare");
        assert_eq!(statement.params(), &[Type::NAME]);
        for name in ["pg_class", "pg_proc"] {
            let rows = client.query(&statement, &[&name]).await.expect("run");
            assert_eq!(rows.len(), 1);
        }
        let typed = client
            .prepare_typed("SELECT $1 AS n", &[Type::INT8])
            .await
            .expect("prepare_typed");
        let row = client.query_one(&typed, &[&5i64]).await.expect("typed");
        assert_eq!(row.get::<_, i64>(0), 5);
        // One prepared elsewhere runs too, its text unknown.
        let raw = client
            .inner()
            .prepare("SELECT 3")
            .await
            .expect("raw prepare");
        client.query_one(&raw, &[]).await.expect("raw statement");
    })
    .await;
    let runs = spans.all_named("SELECT pg_class");
    // One PREPARE, two runs.
    assert_eq!(
        runs.len(),
        3,
        "{:?}",
        spans.iter().map(|s| &s.name).collect::<Vec<_>>()
    );
    assert_eq!(
        runs.iter()
            .filter(|s| s.str_attr("db.operation.name") == Some("PREPARE"))
            .count(),
        1
    );
    for run in runs {
        run.assert_attr(
            "db.query.text",
            "SELECT relname FROM pg_class WHERE relname = $1",
        );
    }
    spans
        .named("postgresql")
        .assert_no_attr("db.query.text")
        .assert_attr("db.response.returned_rows", 1);
}

#[tokio::test]
async fn a_row_stream_read_partly_then_dropped_records_the_rows_read() {
    let (first, spans) = capture_async(async {
        let client = client().await;
        let rows = client
            .query_raw("SELECT generate_series(1, $1)", [100i32])
            .await
            .expect("query_raw");
        let first: Vec<i32> = rows
            .take(3)
            .map(|row| row.expect("row").get::<_, i32>(0))
            .collect()
            .await;
        let typed = client
            .query_typed_raw("SELECT generate_series(1, $1)", [(5i32, Type::INT4)])
            .await
            .expect("query_typed_raw");
        futures_util::pin_mut!(typed);
        let mut all = 0;
        while typed.try_next().await.expect("row").is_some() {
            all += 1;
        }
        assert_eq!(all, 5);
        assert_eq!(typed.rows_affected(), Some(5));
        first
    })
    .await;
    assert_eq!(first, [1, 2, 3]);
    let counts: Vec<_> = spans
        .all_named("SELECT")
        .iter()
        .map(|s| s.i64_attr("db.response.returned_rows"))
        .collect();
    assert_eq!(counts, [Some(3), Some(5)]);
}

#[tokio::test]
async fn batch_execute_and_simple_query_are_sanitized_and_a_script_is_a_batch() {
    let table = table("batch");
    let (messages, spans) = capture_async(async {
        let client = client().await;
        client
            .batch_execute(&format!(
                "CREATE TABLE {table} (id int, secret text); \
                 INSERT INTO {table} VALUES (1, 'hunter2'); \
                 INSERT INTO {table} VALUES (2, 'swordfish')"
            ))
            .await
            .expect("batch");
        let messages = client
            .simple_query(&format!("SELECT secret FROM {table} WHERE id = 1"))
            .await
            .expect("simple");
        client
            .batch_execute(&format!("DROP TABLE {table}"))
            .await
            .expect("drop");
        messages
    })
    .await;
    assert!(
        matches!(&messages[1], tokio_postgres::SimpleQueryMessage::Row(row) if row.get(0) == Some("hunter2"))
    );
    let batch = spans.named("BATCH");
    batch.assert_attr("db.operation.batch.size", 3).assert_attr(
        "db.query.text",
        format!(
            "CREATE TABLE {table} (id int, secret text); \
                 INSERT INTO {table} VALUES (?, ?); \
                 INSERT INTO {table} VALUES (?, ?)"
        )
        .as_str(),
    );
    spans
        .named(&format!("SELECT {table}"))
        .assert_attr(
            "db.query.text",
            format!("SELECT secret FROM {table} WHERE id = ?").as_str(),
        )
        .assert_attr("db.response.returned_rows", 1);
}

#[tokio::test]
async fn copy_in_and_copy_out_start_with_a_span() {
    let table = table("copy");
    let (copied, spans) = capture_async(async {
        let client = client().await;
        client
            .batch_execute(&format!("CREATE TABLE {table} (id int, name text)"))
            .await
            .expect("create");
        let sink = client
            .copy_in::<_, bytes::Bytes>(&format!("COPY {table} FROM STDIN"))
            .await
            .expect("copy_in");
        futures_util::pin_mut!(sink);
        sink.send(bytes::Bytes::from_static(b"1\tann\n2\tbo\n"))
            .await
            .expect("send");
        let written = sink.finish().await.expect("finish");
        assert_eq!(written, 2);
        let out = client
            .copy_out(&format!("COPY {table} TO STDOUT"))
            .await
            .expect("copy_out");
        let chunks: Vec<bytes::Bytes> = out.try_collect().await.expect("read");
        client
            .batch_execute(&format!("DROP TABLE {table}"))
            .await
            .expect("drop");
        chunks.concat()
    })
    .await;
    assert_eq!(copied, b"1\tann\n2\tbo\n");
    assert_eq!(spans.all_named(&format!("COPY {table}")).len(), 2);
}

#[tokio::test]
async fn errors_record_their_sqlstate_and_the_caller_gets_tokio_postgres_error() {
    let table = table("unique");
    let (errors, spans) = capture_async(async {
        let client = client().await;
        client
            .batch_execute(&format!("CREATE TABLE {table} (id int PRIMARY KEY)"))
            .await
            .expect("create");
        let insert = format!("INSERT INTO {table} (id) VALUES ($1)");
        client.execute(&insert, &[&1i32]).await.expect("first");
        let unique = client.execute(&insert, &[&1i32]).await.expect_err("unique");
        let syntax = client.query("SELEC 1", &[]).await.expect_err("syntax");
        let prepare = client
            .prepare("SELECT * FROM no_such_table")
            .await
            .expect_err("missing");
        client
            .batch_execute(&format!("DROP TABLE {table}"))
            .await
            .expect("drop");
        [unique, syntax, prepare]
    })
    .await;
    let codes: Vec<_> = errors
        .iter()
        .map(|e| e.code().map(|c| c.code().to_owned()))
        .collect();
    assert_eq!(
        codes,
        [
            Some("23505".to_owned()),
            Some("42601".to_owned()),
            Some("42P01".to_owned())
        ]
    );
    let failed: Vec<_> = spans
        .iter()
        .filter_map(|s| s.str_attr("db.response.status_code"))
        .collect();
    assert_eq!(failed, ["23505", "42601", "42P01"]);
    for span in spans.iter().filter(|s| s.str_attr("error.type").is_some()) {
        assert!(matches!(span.status, Status::Error(_)));
        assert!(span.event("exception").is_some());
    }
    // The server's message, with the row its DETAIL quotes masked: `Key (id)=(?)`.
    let unique = spans
        .iter()
        .find(|s| s.str_attr("db.response.status_code") == Some("23505"))
        .expect("unique violation span");
    let Status::Error(description) = &unique.status else {
        panic!("not failed")
    };
    assert!(
        description.starts_with("ERROR: duplicate key value violates unique constraint"),
        "{description}"
    );
    let exception = unique.event("exception").expect("exception");
    let message = exception
        .attributes
        .iter()
        .find(|(k, _)| k == "exception.message")
        .map(|(_, v)| v.to_string())
        .expect("exception.message");
    assert!(!message.contains("Key (id)=(1)"), "{message}");
    assert!(
        description.contains("DETAIL: Key (id)=(?) already exists."),
        "{description}"
    );
}

#[tokio::test]
async fn transactions_savepoints_and_the_builder_have_their_spans() {
    let table = table("tx");
    let (ids, spans) = capture_async(async {
        let mut client = client().await;
        client
            .batch_execute(&format!("CREATE TABLE {table} (id int)"))
            .await
            .expect("create");
        let insert = format!("INSERT INTO {table} VALUES ($1)");
        let mut tx = client.transaction().await.expect("begin");
        tx.execute(&insert, &[&1i32]).await.expect("1");
        {
            let nested = tx.transaction().await.expect("savepoint");
            nested.execute(&insert, &[&2i32]).await.expect("2");
            nested.rollback().await.expect("rollback to");
        }
        {
            let named = tx.savepoint("keep").await.expect("named savepoint");
            named.execute(&insert, &[&3i32]).await.expect("3");
            named.commit().await.expect("release");
        }
        tx.commit().await.expect("commit");
        let tx = client
            .build_transaction()
            .isolation_level(tokio_postgres::IsolationLevel::Serializable)
            .read_only(true)
            .start()
            .await
            .expect("start");
        let rows = tx
            .query(&format!("SELECT id FROM {table} ORDER BY id"), &[])
            .await
            .expect("read");
        tx.rollback().await.expect("rollback");
        client
            .batch_execute(&format!("DROP TABLE {table}"))
            .await
            .expect("drop");
        rows.iter().map(|r| r.get::<_, i32>(0)).collect::<Vec<_>>()
    })
    .await;
    assert_eq!(ids, [1, 3]);
    let texts: Vec<_> = spans
        .iter()
        .filter_map(|s| s.str_attr("db.query.text"))
        .filter(|t| !t.contains(&table))
        .collect();
    assert_eq!(
        texts,
        [
            "START TRANSACTION",
            "SAVEPOINT sp_1",
            "ROLLBACK TO sp_1",
            "SAVEPOINT keep",
            "RELEASE keep",
            "COMMIT",
            "START TRANSACTION ISOLATION LEVEL SERIALIZABLE, READ ONLY",
            "ROLLBACK",
        ]
    );
}

/// Code generic over a client and a transaction, as with tokio-postgres's trait.
async fn count_classes(client: &impl instrument_tokio_postgres::GenericClient) -> i64 {
    client
        .query_one(
            "SELECT count(*) FROM pg_class WHERE relname = $1",
            &[&"pg_class"],
        )
        .await
        .expect("count")
        .get(0)
}

/// The typed and raw calls of the trait, generic the same way: 1 each time.
async fn typed_calls(client: &impl instrument_tokio_postgres::GenericClient) -> Vec<i64> {
    use futures_util::TryStreamExt as _;
    use tokio_postgres::types::Type;
    let one: &(dyn tokio_postgres::types::ToSql + Sync) = &1_i32;
    let sql = "SELECT count(*) FROM pg_class WHERE relname = 'pg_class' AND $1 = 1";
    let mut counts = Vec::new();
    let row = client.query_typed_one(sql, &[(one, Type::INT4)]).await;
    counts.push(row.expect("typed one").get(0));
    let rows = client.query_typed(sql, &[(one, Type::INT4)]).await;
    counts.push(rows.expect("typed").len() as i64);
    let row = client.query_typed_opt(sql, &[(one, Type::INT4)]).await;
    counts.push(row.expect("typed opt").map_or(0, |row| row.get(0)));
    let stream = client.query_typed_raw(sql, [(1_i32, Type::INT4)]).await;
    let rows: Vec<tokio_postgres::Row> = stream
        .expect("typed raw")
        .try_collect()
        .await
        .expect("rows");
    counts.push(rows.len() as i64);
    let affected = client.execute_typed(sql, &[(one, Type::INT4)]).await;
    counts.push(affected.expect("execute typed") as i64);
    let statement = client
        .prepare_typed(sql, &[Type::INT4])
        .await
        .expect("prepare");
    let affected = client.execute_raw(&statement, [1_i32]).await;
    counts.push(affected.expect("execute raw") as i64);
    counts
}

#[tokio::test]
async fn generic_client_code_runs_on_a_client_and_a_transaction() {
    let ((), spans) = capture_async(async {
        let mut client = client().await;
        assert_eq!(count_classes(&client).await, 1);
        assert_eq!(typed_calls(&client).await, [1; 6]);
        let tx = client.transaction().await.expect("begin");
        assert_eq!(count_classes(&tx).await, 1);
        assert_eq!(typed_calls(&tx).await, [1; 6]);
        tx.commit().await.expect("commit");
        assert!(!client.is_closed());
    })
    .await;
    // Each side: the count, six typed or raw calls and the prepare.
    assert_eq!(spans.all_named("SELECT pg_class").len(), 2 + 2 * 7);
}

#[tokio::test]
async fn query_text_off_keeps_the_summary_and_drops_the_text() {
    let ((), spans) = capture_async(async {
        let client = client()
            .await
            .query_text(instrument_tokio_postgres::QueryText::Off);
        client
            .query("SELECT relname FROM pg_class WHERE relname = 'secret'", &[])
            .await
            .expect("query");
    })
    .await;
    spans
        .named("SELECT pg_class")
        .assert_no_attr("db.query.text");
}

#[tokio::test]
async fn an_error_part_way_through_a_row_stream_records_its_sqlstate_and_the_rows_read() {
    let (read, spans) = capture_async(async {
        let client = client().await;
        let rows = client
            .query_raw(
                "SELECT 10 / (3 - g) FROM generate_series(1, 5) g WHERE g > $1",
                [0i32],
            )
            .await
            .expect("query_raw");
        futures_util::pin_mut!(rows);
        let mut read = 0;
        let error = loop {
            match rows.try_next().await {
                Ok(Some(_)) => read += 1,
                Ok(None) => panic!("no error"),
                Err(error) => break error,
            }
        };
        assert_eq!(error.code().map(|c| c.code()), Some("22012"));
        read
    })
    .await;
    spans
        .named("SELECT")
        .assert_attr("db.response.status_code", "22012")
        .assert_attr("db.response.returned_rows", read);
}
