//! The `redis` feature re-exports instrument-redis: one dependency, the traced client.
#![cfg(feature = "redis")]

use instrument_core::testing::capture_async;
use redis::AsyncCommands as _;

/// PING through the facade's traced client, under a capturing subscriber.
async fn ping() -> (redis::RedisResult<String>, instrument_core::testing::Spans) {
    let url = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379/".to_owned());
    capture_async(async {
        let client = instrument::redis::Client::open(url).expect("url");
        let mut con = client
            .get_multiplexed_async_connection()
            .await
            .expect("connect");
        con.ping::<String>().await
    })
    .await
}

#[tokio::test]
async fn the_facade_hands_out_the_traced_redis_client() {
    let (pong, spans) = ping().await;
    assert_eq!(pong.ok().as_deref(), Some("PONG"));
    spans.named("PING").assert_attr("db.system.name", "redis");
}

mod support;

#[tokio::test]
async fn child_redis_switched_off_by_env() {
    if !support::in_child() {
        return;
    }
    let (pong, spans) = ping().await;
    assert_eq!(pong.ok().as_deref(), Some("PONG"), "the same reply");
    spans.assert_empty();
}

#[test]
fn redis_in_the_disabled_list_or_the_sdk_switch_turns_redis_spans_off() {
    for vars in [
        [("OTEL_RUST_DISABLED_INSTRUMENTATIONS", "redis")],
        [("OTEL_SDK_DISABLED", "true")],
    ] {
        support::run_child("child_redis_switched_off_by_env", &vars);
    }
}
