//! Database call descriptions become CLIENT spans with the semantic-convention attributes.

use instrument_core::testing::{SpanKind, Status, capture};
use instrument_core::{DbCall, DbSystem, ErrorInfo, Library, QueryText};

#[derive(Debug)]
struct DbError {
    message: &'static str,
    cause: Option<std::io::Error>,
}

impl std::fmt::Display for DbError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message)
    }
}

impl std::error::Error for DbError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.cause.as_ref().map(|e| e as _)
    }
}

#[test]
fn a_parameterized_query_is_named_by_its_summary_and_recorded_as_written() {
    let (_, spans) = capture(|| {
        DbCall::new(Library::Sqlx, DbSystem::Postgresql)
            .namespace("shop")
            .sql("SELECT id, name FROM users WHERE id = $1", true)
            .server("db.internal", Some(5433))
            .network_peer("10.1.2.3", Some(5433))
            .start()
            .record_returned_rows(1);
    });
    assert_eq!(spans.len(), 1);
    let span = spans.named("SELECT users");
    assert_eq!(span.kind, SpanKind::Client);
    assert_eq!(span.status, Status::Unset);
    span.assert_attr("db.system.name", "postgresql")
        .assert_attr("db.namespace", "shop")
        .assert_attr("db.query.text", "SELECT id, name FROM users WHERE id = $1")
        .assert_attr("db.query.summary", "SELECT users")
        .assert_attr("server.address", "db.internal")
        .assert_attr("server.port", 5433)
        .assert_attr("network.peer.address", "10.1.2.3")
        .assert_attr("network.peer.port", 5433)
        .assert_attr("db.response.returned_rows", 1)
        .assert_no_attr("db.operation.name")
        .assert_no_attr("error.type");
}

#[test]
fn a_long_text_is_recorded_no_longer_than_a_sanitized_one() {
    // A bulk insert built with 20,000 placeholders: about 200 KB of text.
    let values: Vec<String> = (1..=20_000).map(|i| format!("(${i})")).collect();
    let text = format!("INSERT INTO events (id) VALUES {}", values.join(", "));
    let (_, spans) = capture(|| {
        for mode in [QueryText::Sanitized, QueryText::AsWritten] {
            let _ = DbCall::new(Library::Sqlx, DbSystem::Postgresql)
                .sql(&text, true)
                .query_text(mode)
                .start();
        }
    });
    assert_eq!(spans.len(), 2);
    for span in spans.iter() {
        let recorded = span.str_attr("db.query.text").expect("a text");
        assert!(recorded.len() <= 4096, "{} bytes", recorded.len());
        assert!(text.starts_with(recorded));
        span.assert_attr("db.query.summary", "INSERT events");
    }
}

#[test]
fn the_default_port_is_not_recorded() {
    let (_, spans) = capture(|| {
        let _ = DbCall::new(Library::Sqlx, DbSystem::Postgresql)
            .sql("SELECT 1", true)
            .server("localhost", Some(5432))
            .start();
    });
    let span = spans.iter().next().expect("one span");
    span.assert_attr("server.address", "localhost")
        .assert_no_attr("server.port");
}

#[test]
fn inline_literals_are_sanitized_by_default_and_kept_when_asked() {
    let text = "SELECT * FROM users WHERE name = 'alice'";
    let (_, spans) = capture(|| {
        let _ = DbCall::new(Library::Sqlx, DbSystem::Postgresql)
            .sql(text, false)
            .start();
        let _ = DbCall::new(Library::Sqlx, DbSystem::Postgresql)
            .sql(text, false)
            .query_text(QueryText::AsWritten)
            .start();
        let _ = DbCall::new(Library::Sqlx, DbSystem::Postgresql)
            .sql(text, false)
            .query_text(QueryText::Off)
            .start();
    });
    let recorded: Vec<_> = spans
        .iter()
        .map(|span| span.str_attr("db.query.text"))
        .collect();
    assert_eq!(
        recorded,
        vec![Some("SELECT * FROM users WHERE name = ?"), Some(text), None]
    );
    for span in spans.iter() {
        span.assert_attr("db.query.summary", "SELECT users");
    }
}

#[test]
fn without_a_summary_the_name_is_operation_and_target_else_the_system() {
    let (_, spans) = capture(|| {
        let _ = DbCall::new(Library::Sqlx, DbSystem::Mysql)
            .operation("findAndModify")
            .collection("orders")
            .namespace("shop")
            .start();
        let _ = DbCall::new(Library::Sqlx, DbSystem::Mysql)
            .operation("ping")
            .namespace("shop")
            .start();
        let _ = DbCall::new(Library::Sqlx, DbSystem::Mysql)
            .operation("ping")
            .server("db", Some(3307))
            .start();
        let _ = DbCall::new(Library::Sqlx, DbSystem::Sqlite).start();
        let _ = DbCall::new(Library::Redis, DbSystem::Redis)
            .operation("GET")
            .namespace("0")
            .masked_query("GET user:1")
            .start();
    });
    assert_eq!(
        spans.names(),
        vec![
            "findAndModify orders",
            "ping shop",
            "ping db:3307",
            "sqlite",
            "GET"
        ]
    );
    spans
        .named("GET")
        .assert_attr("db.operation.name", "GET")
        .assert_attr("db.namespace", "0")
        .assert_attr("db.query.text", "GET user:1")
        .assert_no_attr("db.query.summary");
}

#[test]
fn batch_size_is_recorded_from_two_operations() {
    let (_, spans) = capture(|| {
        let _ = DbCall::new(Library::Redis, DbSystem::Redis)
            .operation("PIPELINE")
            .batch_size(3)
            .start();
        let _ = DbCall::new(Library::Redis, DbSystem::Redis)
            .operation("PIPELINE GET")
            .batch_size(1)
            .start();
    });
    spans
        .named("PIPELINE")
        .assert_attr("db.operation.batch.size", 3);
    spans
        .named("PIPELINE GET")
        .assert_no_attr("db.operation.batch.size");
}

#[test]
fn a_failure_sets_status_error_type_status_code_and_an_exception_event() {
    let error = DbError {
        message: "duplicate key value violates unique constraint",
        cause: Some(std::io::Error::other("server said no")),
    };
    let (_, spans) = capture(|| {
        DbCall::new(Library::Sqlx, DbSystem::Postgresql)
            .sql("INSERT INTO users (id) VALUES ($1)", true)
            .start()
            .record_error(&error, ErrorInfo::new().status_code("23505"));
    });
    let span = spans.named("INSERT users");
    assert_eq!(
        span.status,
        Status::Error("duplicate key value violates unique constraint".into())
    );
    span.assert_attr("error.type", "23505")
        .assert_attr("db.response.status_code", "23505");
    let exception = span.event("exception").expect("an exception event");
    assert!(
        exception
            .str_attr("exception.type")
            .is_some_and(|t| t.ends_with("DbError"))
    );
    assert_eq!(
        exception.str_attr("exception.message"),
        Some("duplicate key value violates unique constraint: server said no")
    );
}

#[test]
fn without_a_status_code_error_type_is_the_given_name_else_the_type_name() {
    let error = std::io::Error::other("reset");
    let (_, spans) = capture(|| {
        DbCall::new(Library::Redis, DbSystem::Redis)
            .operation("GET")
            .start()
            .record_error(&error, ErrorInfo::new().error_type("io"));
        DbCall::new(Library::Redis, DbSystem::Redis)
            .operation("SET")
            .start()
            .record_error(&error, ErrorInfo::new());
    });
    spans
        .named("GET")
        .assert_attr("error.type", "io")
        .assert_no_attr("db.response.status_code");
    spans
        .named("SET")
        .assert_attr("error.type", "std::io::error::Error");
}

#[test]
fn a_span_started_inside_another_is_its_child_in_the_same_trace() {
    let (_, spans) = capture(|| {
        let outer = tracing::info_span!("handle_order");
        let _entered = outer.enter();
        let _ = DbCall::new(Library::Sqlx, DbSystem::Sqlite)
            .sql("DELETE FROM carts", true)
            .start();
    });
    let outer = spans.named("handle_order");
    let query = spans.named("DELETE carts");
    assert!(query.is_child_of(outer));
    assert_eq!(
        spans.parent_of(query).map(|s| s.name.as_str()),
        Some("handle_order")
    );
}

#[test]
fn with_nobody_listening_the_span_is_none_and_recording_is_harmless() {
    let span = DbCall::new(Library::Sqlx, DbSystem::Postgresql)
        .sql("SELECT 1", true)
        .start();
    assert!(!span.is_recording());
    span.record_returned_rows(3);
    span.record_error(&std::io::Error::other("x"), ErrorInfo::new());
}

#[test]
fn spans_carry_their_library_as_scope_and_no_tracing_subscriber_sees_them() {
    let seen = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    struct Count(std::sync::Arc<std::sync::atomic::AtomicUsize>);
    impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Count {
        fn on_new_span(
            &self,
            _: &tracing::span::Attributes<'_>,
            _: &tracing::span::Id,
            _: tracing_subscriber::layer::Context<'_, S>,
        ) {
            self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
    }
    use tracing_subscriber::layer::SubscriberExt as _;
    let subscriber = tracing_subscriber::registry().with(Count(seen.clone()));
    let (_, spans) = capture(|| {
        // A log filter that lets nothing through changes nothing of what is traced.
        tracing::subscriber::with_default(subscriber, || {
            for (library, system) in [
                (Library::Sqlx, DbSystem::Sqlite),
                (Library::TokioPostgres, DbSystem::Postgresql),
                (Library::Redis, DbSystem::Redis),
            ] {
                let _ = DbCall::new(library, system).start();
            }
        })
    });
    let scopes: Vec<&str> = spans.iter().map(|span| span.scope.as_str()).collect();
    assert_eq!(
        scopes,
        vec![
            "instrument-sqlx",
            "instrument-tokio-postgres",
            "instrument-redis"
        ]
    );
    assert_eq!(seen.load(std::sync::atomic::Ordering::Relaxed), 0);
}

#[test]
fn captures_on_parallel_threads_see_only_their_own_spans() {
    let threads: Vec<_> = (0..8)
        .map(|i| {
            std::thread::spawn(move || {
                let name = format!("t{i}");
                let (_, spans) = capture(|| {
                    // The application's own span, made through `tracing`, is the parent.
                    tracing::info_span!("request", thread = i).in_scope(|| {
                        for _ in 0..50 {
                            let _ = DbCall::new(Library::Sqlx, DbSystem::Postgresql)
                                .operation(&name)
                                .start();
                        }
                    });
                });
                (name, spans)
            })
        })
        .collect();
    for thread in threads {
        let (name, spans) = thread.join().expect("thread");
        assert_eq!(spans.len(), 51, "{:?}", spans.names());
        let request = spans.named("request");
        let ours = spans.all_named(&name);
        assert_eq!(ours.len(), 50, "{name} saw {:?}", spans.names());
        assert!(ours.iter().all(|span| span.is_child_of(request)));
    }
}

#[test]
fn a_replacement_message_is_recorded_instead_of_the_errors_own_text() {
    let error = std::io::Error::other("unknown command 'GETX', with args beginning with: 'secret'");
    let (_, spans) = capture(|| {
        DbCall::new(Library::Redis, DbSystem::Redis)
            .operation("GETX")
            .start()
            .record_error(
                &error,
                ErrorInfo::new()
                    .status_code("ERR")
                    .message("unknown command '?', with args beginning with: '?'"),
            );
    });
    let span = spans.named("GETX");
    assert_eq!(
        span.status,
        Status::Error("unknown command '?', with args beginning with: '?'".into())
    );
    let exception = span.event("exception").expect("exception");
    assert_eq!(
        exception.str_attr("exception.message"),
        Some("unknown command '?', with args beginning with: '?'")
    );
}

#[test]
fn a_span_another_thread_lets_go_of_just_after_the_capture_is_still_captured() {
    // Like sqlx's SQLite worker, which holds the query's span until just after replying.
    let (_, spans) = capture(|| {
        let span = DbCall::new(Library::Sqlx, DbSystem::Sqlite)
            .operation("held")
            .start();
        let held_elsewhere = span.clone();
        drop(span);
        std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(50));
            drop(held_elsewhere);
        });
    });
    assert_eq!(spans.names(), vec!["held"]);
}

#[test]
fn waiting_for_a_pooled_connection_is_an_internal_acquire_span_with_its_wait_time() {
    let (_, spans) = capture(|| {
        let call = || {
            DbCall::new(Library::Sqlx, DbSystem::Postgresql)
                .namespace("shop")
                .server("db.internal", Some(5433))
        };
        call()
            .sql("SELECT 1", false)
            .start_acquire()
            .record_connection_wait(std::time::Duration::from_millis(1500));
        call()
            .sql("SELECT id FROM users", true)
            .start()
            .record_connection_wait(std::time::Duration::from_millis(250));
    });
    let acquire = spans.named("acquire");
    assert_eq!(acquire.kind, SpanKind::Internal);
    acquire
        .assert_attr("db.system.name", "postgresql")
        .assert_attr("db.namespace", "shop")
        .assert_attr("server.address", "db.internal")
        .assert_attr("server.port", 5433)
        .assert_no_attr("db.client.connection.wait_time")
        .assert_no_attr("db.query.text");
    spans
        .named("SELECT users")
        .assert_no_attr("db.client.connection.wait_time");
    // The waits are the pool's metric, not span attributes.
    let wait = spans
        .metrics()
        .named("db.client.connection.wait_time")
        .point(&[("db.client.connection.pool.name", &"db.internal:5433/shop")]);
    assert_eq!(wait.count, 2);
    assert!((wait.sum - 1.75).abs() < 1e-9, "{}", wait.sum);
}

#[test]
fn a_script_of_several_statements_is_a_batch_named_by_a_shared_summary() {
    let (_, spans) = capture(|| {
        let script = |text| {
            drop(
                DbCall::new(Library::TokioPostgres, DbSystem::Postgresql)
                    .sql_script(text)
                    .start(),
            );
        };
        script("INSERT INTO t VALUES (1); INSERT INTO t VALUES ('two');");
        script("CREATE TABLE u (x int); INSERT INTO u VALUES (1)");
        script("SELECT 'only one';");
    });
    let same = spans.named("BATCH INSERT t");
    same.assert_attr("db.operation.batch.size", 2)
        .assert_attr("db.query.summary", "BATCH INSERT t")
        .assert_attr(
            "db.query.text",
            "INSERT INTO t VALUES (?); INSERT INTO t VALUES (?);",
        );
    spans
        .named("BATCH")
        .assert_attr("db.operation.batch.size", 2);
    spans
        .named("SELECT")
        .assert_no_attr("db.operation.batch.size")
        .assert_attr("db.query.text", "SELECT ?;");
}
