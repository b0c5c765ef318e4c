//! Every Redis command records `db.client.operation.duration` with its command name,
//! errors and unsampled commands included; never a key or value.

mod support;

use instrument_core::testing::{capture_async, unsampled};
use redis::AsyncCommands as _;
use support::{client, unique};

#[tokio::test]
async fn every_command_records_its_duration_sampled_or_not() {
    let key = unique("metrics");
    let ((), spans) = capture_async(async {
        let mut con = client()
            .get_multiplexed_async_connection()
            .await
            .expect("connect");
        let _: () = con.set(&key, "secret-value").await.expect("SET");
        con.incr::<_, _, i64>(&key, 1)
            .await
            .expect_err("not a number");
        unsampled(async {
            let _: String = con.get(&key).await.expect("GET");
        })
        .await;
        let _: String = con.get(&key).await.expect("GET");
    })
    .await;
    assert_eq!(
        spans.all_named("GET").len(),
        1,
        "the unsampled GET exports no span"
    );
    let duration = spans.metrics().named("db.client.operation.duration");
    assert_eq!(duration.unit, "s");
    assert_eq!(duration.scope, "instrument-redis");
    let get = duration.point(&[("db.operation.name", &"GET")]);
    assert_eq!(get.count, 2, "sampled and unsampled alike");
    assert_eq!(
        get.keys(),
        [
            "db.namespace",
            "db.operation.name",
            "db.system.name",
            "server.address"
        ]
    );
    assert_eq!(duration.point(&[("db.operation.name", &"SET")]).count, 1);
    let incr = duration.point(&[("db.operation.name", &"INCRBY")]);
    assert_eq!(incr.str_attr("error.type"), Some("ERR"));
    assert_eq!(incr.str_attr("db.response.status_code"), Some("ERR"));
    for point in &duration.points {
        assert!(
            point.attributes.iter().all(|(_, value)| {
                let text = value.as_str();
                !text.contains(&key) && !text.contains("secret-value")
            }),
            "no key or value: {point:?}"
        );
    }
}
