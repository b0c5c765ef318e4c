//! The database hooks (instrument_core::hooks) on a Redis client's connections: a skip
//! filter, a span-name formatter, and attributes from a task-local.

mod support;

use instrument_core::CallSpan;
use instrument_core::hooks::{DbCallInfo, DbHooks};
use instrument_core::testing::capture_async;
use redis::AsyncCommands as _;

tokio::task_local! {
    static TENANT: &'static str;
}

#[tokio::test]
async fn a_clients_hooks_skip_name_and_add_attributes_to_its_commands() {
    let key = support::unique("hooks");
    let ((), spans) = capture_async(TENANT.scope("acme", async {
        let client = support::client().hooks(
            DbHooks::new()
                .skip_tracing_if(|call: &DbCallInfo<'_>| call.operation() == Some("PING"))
                .span_name(|call: &DbCallInfo<'_>| {
                    (call.operation() == Some("SET")).then(|| "cache write".to_owned())
                })
                .on_start(|call: &DbCallInfo<'_>, span: &CallSpan| {
                    let _ =
                        TENANT.try_with(|tenant| span.set_dynamic_attribute("tenant.id", *tenant));
                    let masked = call.query().is_some_and(|text| text.ends_with(" ?"));
                    span.set_dynamic_attribute("app.masked", masked);
                }),
        );
        let mut con = client
            .get_multiplexed_async_connection()
            .await
            .expect("connect");
        let pong: String = redis::cmd("PING")
            .query_async(&mut con)
            .await
            .expect("ping");
        assert_eq!(pong, "PONG", "a skipped command still runs");
        let () = con.set(&key, "v").await.expect("set");
        let value: String = con.get(&key).await.expect("get");
        assert_eq!(value, "v");
        let () = con.del(&key).await.expect("del");
    }))
    .await;
    assert_eq!(spans.names(), ["cache write", "GET", "DEL"]);
    spans
        .named("cache write")
        .assert_attr("tenant.id", "acme")
        .assert_attr("app.masked", true)
        .assert_attr("db.operation.name", "SET");
    spans.named("GET").assert_attr("tenant.id", "acme");
}
