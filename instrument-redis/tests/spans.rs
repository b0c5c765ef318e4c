//! Every command, pipeline and transaction is a CLIENT span with the Redis attributes.

mod support;

use std::time::Duration;

use instrument_core::testing::{SpanKind, Status, capture, capture_async};
use redis::{AsyncCommands as _, Commands as _};
use support::{client, redis_url_with_db, unique};

#[tokio::test]
async fn a_command_is_a_client_span_named_by_the_command_with_values_masked() {
    let key = unique("user");
    let (reply, spans) = capture_async(async {
        let mut con = client()
            .get_multiplexed_async_connection()
            .await
            .expect("connect");
        let _: () = con.set(&key, "alice@example.com").await.expect("SET");
        con.get::<_, String>(&key).await
    })
    .await;
    assert_eq!(reply.ok().as_deref(), Some("alice@example.com"));
    assert_eq!(spans.names(), vec!["SET", "GET"]);
    let set = spans.named("SET");
    assert_eq!(set.kind, SpanKind::Client);
    assert_eq!(set.status, Status::Unset);
    set.assert_attr("db.system.name", "redis")
        .assert_attr("db.operation.name", "SET")
        .assert_attr("db.namespace", "0")
        .assert_attr("db.query.text", format!("SET {key} ?"))
        .assert_attr("server.address", "127.0.0.1")
        .assert_no_attr("server.port") // the default port
        .assert_no_attr("db.operation.batch.size");
    spans
        .named("GET")
        .assert_attr("db.query.text", format!("GET {key}"));
    for span in spans.iter() {
        for (name, value) in &span.attributes {
            assert!(
                !format!("{value:?}").contains("alice"),
                "{name} leaks the value"
            );
        }
    }
}

#[tokio::test]
async fn a_nil_reply_is_not_an_error() {
    let (reply, spans) = capture_async(async {
        let mut con = client()
            .get_multiplexed_async_connection()
            .await
            .expect("connect");
        con.get::<_, Option<String>>(unique("missing")).await
    })
    .await;
    assert_eq!(reply.ok(), Some(None));
    let get = spans.named("GET");
    assert_eq!(get.status, Status::Unset);
    get.assert_no_attr("error.type");
}

#[tokio::test]
async fn an_error_reply_sets_status_error_with_its_prefix_and_the_caller_gets_it_untouched() {
    let key = unique("list");
    let (results, spans) = capture_async(async {
        let mut con = client()
            .get_multiplexed_async_connection()
            .await
            .expect("connect");
        let _: () = con.rpush(&key, "x").await.expect("RPUSH");
        let wrong_type = con
            .get::<_, String>(&key)
            .await
            .map_err(|e| e.code().map(str::to_owned));
        let unknown = redis::cmd("NOSUCHCOMMAND")
            .arg("secret")
            .query_async::<()>(&mut con)
            .await;
        let no_script = redis::cmd("EVALSHA")
            .arg("0000000000000000000000000000000000000000")
            .arg(0)
            .query_async::<()>(&mut con)
            .await;
        (
            wrong_type,
            unknown.map_err(|e| e.code().map(str::to_owned)),
            no_script.map_err(|e| e.code().map(str::to_owned)),
        )
    })
    .await;
    assert_eq!(results.0, Err(Some("WRONGTYPE".to_owned())));
    assert_eq!(results.1, Err(Some("ERR".to_owned())));
    assert_eq!(results.2, Err(Some("NOSCRIPT".to_owned())));
    for (name, code) in [
        ("GET", "WRONGTYPE"),
        ("NOSUCHCOMMAND", "ERR"),
        ("EVALSHA", "NOSCRIPT"),
    ] {
        let span = spans.named(name);
        assert!(span.is_error(), "{name}");
        span.assert_attr("db.response.status_code", code)
            .assert_attr("error.type", code);
        let exception = span.event("exception").expect("an exception event");
        assert!(exception.str_attr("exception.message").is_some());
    }
    let unknown = spans.named("NOSUCHCOMMAND");
    unknown.assert_attr("db.query.text", "NOSUCHCOMMAND ?");
    // The server quotes the arguments back in its error text; the span must not.
    let exception = unknown.event("exception").expect("exception");
    assert_eq!(
        exception.str_attr("exception.message"),
        Some("ERR: response error")
    );
    assert_eq!(unknown.status, Status::Error("ERR: response error".into()));
}

#[tokio::test]
async fn a_pipeline_is_one_span_with_its_batch_size_and_one_line_per_command() {
    let (a, b) = (unique("a"), unique("b"));
    let (replies, spans) = capture_async(async {
        let mut con = client()
            .get_multiplexed_async_connection()
            .await
            .expect("connect");
        let same: (i64, i64) = redis::pipe()
            .incr(&a, 1)
            .incr(&a, 2)
            .query_async(&mut con)
            .await
            .expect("pipe");
        let mixed: (i64, Option<String>) = redis::pipe()
            .incr(&b, 1)
            .get(unique("none"))
            .query_async(&mut con)
            .await
            .expect("pipe");
        (same, mixed)
    })
    .await;
    assert_eq!(replies, ((1, 3), (1, None)));
    assert_eq!(spans.names(), vec!["PIPELINE INCRBY", "PIPELINE"]);
    spans
        .named("PIPELINE INCRBY")
        .assert_attr("db.operation.name", "PIPELINE INCRBY")
        .assert_attr("db.operation.batch.size", 2)
        .assert_attr("db.query.text", format!("INCRBY {a} ?\nINCRBY {a} ?"));
    spans
        .named("PIPELINE")
        .assert_attr("db.operation.batch.size", 2);
}

#[tokio::test]
async fn an_atomic_transaction_is_a_multi_span_and_a_failing_command_inside_fails_it() {
    let key = unique("tx");
    let (results, spans) = capture_async(async {
        let mut con = client()
            .get_multiplexed_async_connection()
            .await
            .expect("connect");
        let ok: (i64, i64) = redis::pipe()
            .atomic()
            .incr(&key, 1)
            .incr(&key, 1)
            .query_async(&mut con)
            .await
            .expect("tx");
        // SET then INCR on a non-number: EXEC answers with an error inside its array.
        let failed = redis::pipe()
            .atomic()
            .set(&key, "text")
            .incr(&key, 1)
            .query_async::<(String, i64)>(&mut con)
            .await;
        (ok, failed.is_err())
    })
    .await;
    assert_eq!(results, ((1, 2), true));
    let multis = spans.all_named("MULTI");
    assert_eq!(multis.len(), 2);
    multis[0]
        .assert_attr("db.operation.batch.size", 2)
        .assert_attr("db.query.text", format!("INCRBY {key} ?\nINCRBY {key} ?"));
    assert!(!multis[0].is_error());
    assert!(multis[1].is_error());
    multis[1].assert_attr("db.response.status_code", "ERR");
}

#[tokio::test]
async fn the_db_index_is_the_namespace() {
    let (_, spans) = capture_async(async {
        let client = instrument_redis::Client::open(redis_url_with_db(5)).expect("url");
        let mut con = client
            .get_multiplexed_async_connection()
            .await
            .expect("connect");
        let _: bool = con.exists(unique("k")).await.expect("EXISTS");
    })
    .await;
    spans.named("EXISTS").assert_attr("db.namespace", "5");
}

#[tokio::test]
async fn a_connection_manager_is_traced_too() {
    let key = unique("cm");
    let (_, spans) = capture_async(async {
        let mut con = client().get_connection_manager().await.expect("connect");
        let _: () = con.hset(&key, "field", "value").await.expect("HSET");
        let mut lazy = client()
            .get_connection_manager_lazy(redis::aio::ConnectionManagerConfig::new())
            .expect("lazy");
        let _: () = lazy.hdel(&key, "field").await.expect("HDEL");
    })
    .await;
    spans
        .named("HSET")
        .assert_attr("db.query.text", format!("HSET {key} ? ?"));
    spans
        .named("HDEL")
        .assert_attr("db.query.text", format!("HDEL {key} ?"))
        .assert_attr("server.address", "127.0.0.1");
}

#[test]
fn sync_commands_and_pipelines_read_from_packed_bytes_are_traced() {
    let key = unique("sync");
    let (replies, spans) = capture(|| {
        let mut con = client().get_connection().expect("connect");
        let _: () = con.set(&key, 41).expect("SET");
        let n: i64 = con.incr(&key, 1).expect("INCR");
        let piped: (i64, i64) = redis::pipe()
            .get(&key)
            .get(&key)
            .query(&mut con)
            .expect("pipe");
        let tx: (i64,) = redis::pipe()
            .atomic()
            .incr(&key, 1)
            .query(&mut con)
            .expect("tx");
        let raw = redis::ConnectionLike::req_packed_command(
            &mut con,
            &redis::cmd("ECHO").arg("hi").get_packed_command(),
        );
        (n, piped, tx, raw.is_ok())
    });
    assert_eq!(replies, (42, (42, 42), (43,), true));
    assert_eq!(
        spans.names(),
        vec!["SET", "INCRBY", "PIPELINE GET", "MULTI", "ECHO"]
    );
    spans
        .named("SET")
        .assert_attr("db.query.text", format!("SET {key} ?"));
    spans
        .named("PIPELINE GET")
        .assert_attr("db.operation.batch.size", 2)
        .assert_attr("db.query.text", format!("GET {key}\nGET {key}"));
    spans
        .named("MULTI")
        .assert_no_attr("db.operation.batch.size")
        .assert_attr("db.query.text", format!("INCRBY {key} ?"));
    spans.named("ECHO").assert_attr("db.query.text", "ECHO ?");
}

#[tokio::test]
async fn credentials_never_reach_a_span() {
    let (result, spans) = capture_async(async {
        let mut con = client()
            .get_multiplexed_async_connection()
            .await
            .expect("connect");
        let auth = redis::cmd("AUTH")
            .arg("bob")
            .arg("hunter2")
            .query_async::<()>(&mut con)
            .await;
        let hello = redis::cmd("HELLO")
            .arg(2)
            .arg("AUTH")
            .arg("bob")
            .arg("hunter2")
            .query_async::<redis::Value>(&mut con)
            .await;
        let config = redis::cmd("CONFIG")
            .arg("SET")
            .arg("requirepass")
            .arg("hunter2")
            .query_async::<()>(&mut con)
            .await;
        // Put it back: the test server has no password.
        let _ = redis::cmd("CONFIG")
            .arg("SET")
            .arg("requirepass")
            .arg("")
            .query_async::<()>(&mut con)
            .await;
        (auth.is_err(), hello.is_err(), config.is_ok())
    })
    .await;
    assert_eq!(result, (true, true, true));
    for span in spans.iter() {
        for (name, value) in &span.attributes {
            assert!(
                !format!("{value:?}").contains("hunter2"),
                "{}: {name} = {value:?}",
                span.name
            );
        }
        for event in &span.events {
            assert!(
                !format!("{:?}", event.attributes).contains("hunter2"),
                "{}",
                span.name
            );
        }
    }
    spans.named("AUTH").assert_attr("db.query.text", "AUTH ? ?");
    spans
        .named("HELLO")
        .assert_attr("db.query.text", "HELLO ? ? ? ?");
}

#[tokio::test]
async fn a_connection_killed_mid_call_records_a_low_cardinality_error_type() {
    let victim_name = unique("victim").replace(':', "-");
    let (result, spans) = capture_async(async {
        let mut victim = client()
            .get_multiplexed_async_connection()
            .await
            .expect("connect");
        let _: () = redis::cmd("CLIENT")
            .arg("SETNAME")
            .arg(&victim_name)
            .query_async(&mut victim)
            .await
            .expect("SETNAME");
        let mut killer = support::raw_client()
            .get_multiplexed_async_connection()
            .await
            .expect("connect");
        // The victim blocks; the killer ends its connection while it waits.
        let mut blpop = redis::cmd("BLPOP");
        blpop.arg(unique("never")).arg(5);
        let blocked = blpop.query_async::<Option<(String, String)>>(&mut victim);
        let kill = async {
            tokio::time::sleep(Duration::from_millis(200)).await;
            let list: String = redis::cmd("CLIENT")
                .arg("LIST")
                .query_async(&mut killer)
                .await
                .expect("LIST");
            let id = list
                .lines()
                .find(|line| line.contains(&format!("name={victim_name} ")))
                .and_then(|line| line.split(' ').find_map(|field| field.strip_prefix("id=")))
                .expect("the victim is listed")
                .to_owned();
            let _: i64 = redis::cmd("CLIENT")
                .arg("KILL")
                .arg("ID")
                .arg(id)
                .query_async(&mut killer)
                .await
                .expect("KILL");
        };
        tokio::join!(blocked, kill).0
    })
    .await;
    let error = result.expect_err("the blocked call fails");
    let blpop = spans.named("BLPOP");
    assert!(blpop.is_error(), "{blpop}");
    let error_type = blpop.str_attr("error.type").expect("error.type");
    assert!(
        ["connection_dropped", "io"].contains(&error_type),
        "{error_type} for {error:?}"
    );
    blpop.assert_no_attr("db.response.status_code");
}

#[tokio::test]
async fn a_response_timeout_records_timeout() {
    let (result, spans) = capture_async(async {
        let config = redis::AsyncConnectionConfig::new()
            .set_response_timeout(Some(Duration::from_millis(100)));
        let mut con = client()
            .get_multiplexed_async_connection_with_config(&config)
            .await
            .expect("connect");
        redis::cmd("BLPOP")
            .arg(unique("never"))
            .arg(2)
            .query_async::<Option<(String, String)>>(&mut con)
            .await
    })
    .await;
    let error = result.expect_err("times out");
    assert!(error.is_timeout(), "{error:?}");
    let blpop = spans.named("BLPOP");
    assert!(blpop.is_error());
    blpop.assert_attr("error.type", "timeout");
}

#[test]
fn the_client_itself_runs_commands_on_traced_connections_and_forwards_connection_methods() {
    let ((pong, timeout_set), spans) = capture(|| {
        let mut client = client();
        let pong: String = redis::cmd("PING").query(&mut client).expect("PING");
        let con = client.get_connection().expect("connect");
        let timeout_set = con.set_read_timeout(Some(Duration::from_secs(5))).is_ok();
        (pong, timeout_set)
    });
    assert_eq!((pong.as_str(), timeout_set), ("PONG", true));
    spans.named("PING").assert_attr("db.system.name", "redis");
}

#[tokio::test]
async fn the_multiplexed_connection_keeps_its_own_methods() {
    let mut con = client()
        .get_multiplexed_async_connection()
        .await
        .expect("connect");
    con.set_response_timeout(Duration::from_secs(5));
    let pong: String = redis::cmd("PING")
        .query_async(&mut con)
        .await
        .expect("PING");
    assert_eq!(pong, "PONG");
}
