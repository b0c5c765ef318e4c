//! Where the server attributes come from, and the query-text option.

mod support;

use instrument_core::testing::capture_async;
use instrument_redis::{Instrumented, QueryText};
use redis::IntoConnectionInfo as _;
use redis::aio::ConnectionLike;
use support::fake::Fake;

async fn one_set(con: &mut impl ConnectionLike) {
    let _: () = redis::cmd("SET")
        .arg("k")
        .arg("v")
        .query_async(con)
        .await
        .expect("SET");
}

/// The span of one SET on a fake connection opened to `url`.
async fn set_span(url: &str) -> instrument_core::testing::CapturedSpan {
    let info = url.into_connection_info().expect("url");
    let ((), spans) = capture_async(async {
        one_set(&mut Instrumented::with_connection_info(Fake, &info)).await
    })
    .await;
    spans.named("SET").clone()
}

#[tokio::test]
async fn a_unix_socket_is_the_server_address_with_no_port() {
    set_span("redis+unix:///run/redis/redis.sock")
        .await
        .assert_attr("server.address", "/run/redis/redis.sock")
        .assert_no_attr("server.port")
        .assert_attr("db.namespace", "2");
}

#[tokio::test]
async fn a_port_other_than_6379_is_recorded() {
    set_span("redis://cache.internal:7000/2")
        .await
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
