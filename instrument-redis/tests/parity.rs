//! The same replies and the same errors through the raw connection, the traced one, and
//! the traced one switched off (the `testing` parity helper), async and sync. One test:
//! the switch is process-wide.

mod support;

use instrument_core::Library;
use instrument_core::testing::assert_parity;
use redis::aio::ConnectionLike;
use support::{client, raw_client, unique};

/// Commands with `{p}` standing for a key prefix unique to each run. Replies must not
/// depend on anything but these keys (no TTL countdowns, no key listings).
const CORPUS: &[&str] = &[
    "SET {p}:s hello",
    "GET {p}:s",
    "APPEND {p}:s !",
    "STRLEN {p}:s",
    "GETRANGE {p}:s 0 2",
    "SETRANGE {p}:s 1 E",
    "SETNX {p}:s other",
    "EXISTS {p}:s {p}:none",
    "TYPE {p}:s",
    "EXPIRE {p}:s 100",
    "PERSIST {p}:s",
    "TTL {p}:s",
    "INCR {p}:n",
    "INCRBY {p}:n 5",
    "DECR {p}:n",
    "INCRBYFLOAT {p}:f 1.5",
    "MSET {p}:m1 a {p}:m2 b",
    "MGET {p}:m1 {p}:m2 {p}:none",
    "DEL {p}:m2",
    "GET {p}:none",
    "HSET {p}:h f1 v1 f2 v2",
    "HGET {p}:h f1",
    "HGETALL {p}:h",
    "HDEL {p}:h f2",
    "HLEN {p}:h",
    "HEXISTS {p}:h f1",
    "HINCRBY {p}:h n 3",
    "LPUSH {p}:l a b c",
    "RPUSH {p}:l d",
    "LRANGE {p}:l 0 -1",
    "LPOP {p}:l",
    "RPOP {p}:l",
    "LLEN {p}:l",
    "LINDEX {p}:l 0",
    "SADD {p}:set a b c",
    "SISMEMBER {p}:set a",
    "SCARD {p}:set",
    "SREM {p}:set c",
    "SORT {p}:set ALPHA",
    "ZADD {p}:z 1 a 2 b 3 c",
    "ZSCORE {p}:z b",
    "ZRANGE {p}:z 0 -1 WITHSCORES",
    "ZRANK {p}:z c",
    "ZINCRBY {p}:z 5 a",
    "ZCARD {p}:z",
    "ZREM {p}:z b",
    "PFADD {p}:hll a b c",
    "PFCOUNT {p}:hll",
    "SETBIT {p}:bits 7 1",
    "GETBIT {p}:bits 7",
    "BITCOUNT {p}:bits",
    "XADD {p}:x 1-1 f v",
    "XLEN {p}:x",
    "XRANGE {p}:x - +",
    "ECHO hello",
    "PING",
    // error replies
    "GET {p}:l",
    "INCR {p}:s",
    "NOSUCHCOMMAND some-argument",
    "HGET {p}:h",
    "EVALSHA 0000000000000000000000000000000000000000 0",
    "LPOP {p}:s",
    "XADD {p}:x 0-1 f v",
    "ZADD {p}:z notanumber x",
    "SET {p}:s v EX 0",
];

/// What a call came back with, comparable across connections.
#[derive(Debug, PartialEq)]
enum Outcome {
    Reply(redis::Value),
    Error {
        kind: String,
        code: Option<String>,
        detail: Option<String>,
    },
}

impl<T: Into<redis::Value>> From<redis::RedisResult<T>> for Outcome {
    fn from(result: redis::RedisResult<T>) -> Self {
        match result {
            Ok(value) => Outcome::Reply(value.into()),
            Err(error) => Outcome::Error {
                kind: format!("{:?}", error.kind()),
                code: error.code().map(str::to_owned),
                detail: error.detail().map(str::to_owned),
            },
        }
    }
}

fn command(template: &str, prefix: &str) -> redis::Cmd {
    let mut words = template.split(' ').map(|word| word.replace("{p}", prefix));
    let mut cmd = redis::cmd(&words.next().unwrap_or_default());
    for word in words {
        cmd.arg(word);
    }
    cmd
}

/// Runs the corpus, then pipelines and transactions (one of them failing), on `con`.
async fn run(con: &mut impl ConnectionLike, prefix: &str) -> Vec<Outcome> {
    let mut outcomes = Vec::new();
    for template in CORPUS {
        outcomes.push(
            con.req_packed_command(&command(template, prefix))
                .await
                .into(),
        );
    }
    let mut pipe = redis::pipe();
    pipe.cmd("SET")
        .arg(format!("{prefix}:p"))
        .arg(1)
        .cmd("INCR")
        .arg(format!("{prefix}:p"))
        .cmd("GET")
        .arg(format!("{prefix}:p"));
    outcomes.push(pipe.query_async::<redis::Value>(con).await.into());
    let mut failing = redis::pipe();
    failing
        .cmd("INCR")
        .arg(format!("{prefix}:p"))
        .cmd("LPOP")
        .arg(format!("{prefix}:p"));
    outcomes.push(failing.query_async::<redis::Value>(con).await.into());
    let mut tx = redis::pipe();
    tx.atomic()
        .cmd("INCR")
        .arg(format!("{prefix}:p"))
        .cmd("GET")
        .arg(format!("{prefix}:p"));
    outcomes.push(tx.query_async::<redis::Value>(con).await.into());
    let mut failing_tx = redis::pipe();
    failing_tx
        .atomic()
        .cmd("SET")
        .arg(format!("{prefix}:t"))
        .arg("x")
        .cmd("INCR")
        .arg(format!("{prefix}:t"));
    outcomes.push(failing_tx.query_async::<redis::Value>(con).await.into());
    outcomes
}

#[tokio::test]
async fn raw_traced_and_switched_off_connections_give_equal_replies_and_errors() {
    the_sync_connection_gives_equal_replies_and_errors_too();
    assert!(
        CORPUS.len() >= 50 + 9,
        "at least 50 commands and the error replies"
    );

    let raw = raw_client()
        .get_multiplexed_async_connection()
        .await
        .expect("connect");
    let traced = client()
        .get_multiplexed_async_connection()
        .await
        .expect("connect");
    let parity = assert_parity(
        Library::Redis,
        || async move {
            let mut raw = raw;
            run(&mut raw, &unique("raw")).await
        },
        || {
            let mut traced = traced.clone();
            async move { run(&mut traced, &unique("traced")).await }
        },
    )
    .await;
    let (raw_outcomes, spans) = (parity.result, parity.traced_spans);
    assert_eq!(
        spans.len(),
        CORPUS.len() + 4,
        "one span per command and per batch"
    );
    assert!(spans.iter().filter(|span| span.is_error()).count() >= 9 + 2);
    assert!(
        raw_outcomes
            .iter()
            .filter(|o| matches!(
                o,
                Outcome::Error { .. } | Outcome::Reply(redis::Value::ServerError(_))
            ))
            .count()
            >= 11,
        "the corpus really produced error replies"
    );
}

/// The corpus on a sync connection: commands go through `req_command`, pipelines arrive
/// as packed bytes.
fn run_sync(con: &mut impl redis::ConnectionLike, prefix: &str) -> Vec<Outcome> {
    let mut outcomes: Vec<Outcome> = CORPUS
        .iter()
        .map(|template| con.req_command(&command(template, prefix)).into())
        .collect();
    let mut pipe = redis::pipe();
    pipe.cmd("SET")
        .arg(format!("{prefix}:p"))
        .arg(1)
        .cmd("INCR")
        .arg(format!("{prefix}:p"));
    outcomes.push(pipe.query::<redis::Value>(con).into());
    let mut tx = redis::pipe();
    tx.atomic()
        .cmd("INCR")
        .arg(format!("{prefix}:p"))
        .cmd("LPOP")
        .arg(format!("{prefix}:p"));
    outcomes.push(tx.query::<redis::Value>(con).into());
    outcomes
}

/// Sync parity; called from the one test, as the switch is process-wide.
fn the_sync_connection_gives_equal_replies_and_errors_too() {
    use instrument_core::testing::capture;

    let mut raw = raw_client().get_connection().expect("connect");
    let raw_outcomes = run_sync(&mut raw, &unique("sync-raw"));
    let mut traced = client().get_connection().expect("connect");
    let (traced_outcomes, spans) = capture(|| run_sync(&mut traced, &unique("sync-traced")));
    assert_eq!(spans.len(), CORPUS.len() + 2);
    assert_eq!(raw_outcomes, traced_outcomes);
}
