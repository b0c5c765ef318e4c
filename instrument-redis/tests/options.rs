//! Where the server attributes come from, and the query-text option.

mod support;

use instrument_core::testing::capture_async;
use instrument_redis::{Instrumented, QueryText};
use redis::IntoConnectionInfo as _;
use redis::aio::ConnectionLike;

/// Answers every command with OK, without I/O: enough to see the span a command makes.
struct Fake;

impl ConnectionLike for Fake {
    fn req_packed_command<'a>(
        &'a mut self,
        _cmd: &'a redis::Cmd,
    ) -> redis::RedisFuture<'a, redis::Value> {
        Box::pin(std::future::ready(Ok(redis::Value::Okay)))
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        _pipeline: &'a redis::Pipeline,
        _offset: usize,
        count: usize,
    ) -> redis::RedisFuture<'a, Vec<redis::Value>> {
        Box::pin(std::future::ready(Ok(vec![redis::Value::Okay; count])))
    }

    fn get_db(&self) -> i64 {
        2
    }
}

async fn one_set(con: &mut impl ConnectionLike) {
    let _: () = redis::cmd("SET")
        .arg("k")
        .arg("v")
        .query_async(con)
        .await
        .expect("SET");
}

#[tokio::test]
async fn a_unix_socket_is_the_server_address_with_no_port() {
    let info = "redis+unix:///run/redis/redis.sock"
        .into_connection_info()
        .expect("url");
    let ((), spans) = capture_async(async {
        one_set(&mut Instrumented::with_connection_info(Fake, &info)).await
    })
    .await;
    spans
        .named("SET")
        .assert_attr("server.address", "/run/redis/redis.sock")
        .assert_no_attr("server.port")
        .assert_attr("db.namespace", "2");
}

#[tokio::test]
async fn a_port_other_than_6379_is_recorded() {
    let info = "redis://cache.internal:7000/2"
        .into_connection_info()
        .expect("url");
    let ((), spans) = capture_async(async {
        one_set(&mut Instrumented::with_connection_info(Fake, &info)).await
    })
    .await;
    spans
        .named("SET")
        .assert_attr("server.address", "cache.internal")
        .assert_attr("server.port", 7000);
}

#[tokio::test]
async fn query_text_off_records_no_text_but_keeps_the_name() {
    let ((), spans) = capture_async(async {
        let client = support::client().query_text(QueryText::Off);
        let mut con = client
            .get_multiplexed_async_connection()
            .await
            .expect("connect");
        one_set(&mut con).await;
        one_set(&mut Instrumented::new(Fake).query_text(QueryText::Off)).await;
    })
    .await;
    assert_eq!(spans.names(), vec!["SET", "SET"]);
    for span in spans.iter() {
        span.assert_no_attr("db.query.text")
            .assert_attr("db.operation.name", "SET");
    }
}
