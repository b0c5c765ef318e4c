//! The `redis` feature re-exports instrument-redis: one dependency, the traced client.
#![cfg(feature = "redis")]

use instrument_core::testing::capture_async;
use redis::AsyncCommands as _;

#[tokio::test]
async fn the_facade_hands_out_the_traced_redis_client() {
    let url = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379/".to_owned());
    let (pong, spans) = capture_async(async {
        let client = instrument::redis::Client::open(url).expect("url");
        let mut con = client
            .get_multiplexed_async_connection()
            .await
            .expect("connect");
        con.ping::<String>().await
    })
    .await;
    assert_eq!(pong.ok().as_deref(), Some("PONG"));
    spans.named("PING").assert_attr("db.system.name", "redis");
}
