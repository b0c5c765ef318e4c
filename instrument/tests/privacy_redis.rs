//! Privacy, end to end, for Redis: values in commands, in a script's error reply, in an
//! unknown command's echo and in a failed AUTH, through the real `init()` pipeline
//! exporting OTLP/HTTP to a collector on loopback. No value reaches the exported bytes;
//! the caller's replies and errors are redis-rs's own.
#![cfg(feature = "redis")]

mod support;

use support::collector;

fn redis_url() -> String {
    std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379/".to_owned())
}

const SECRETS: &[&str] = &[
    "S3CR3T",
    "set-value",
    "hset-field",
    "hset-value",
    "script-error",
    "unknown-arg",
    "auth-password",
    "pipeline-value",
    "987654321",
];

/// The commands, each as the caller sees its outcome.
async fn commands<C: redis::aio::ConnectionLike + Send>(connection: &mut C) -> Vec<String> {
    let mut outcomes = Vec::new();
    let mut run = async |cmd: &mut redis::Cmd| {
        let result: redis::RedisResult<redis::Value> = cmd.query_async(connection).await;
        format!("{result:?}")
    };
    // The same starting state for each client.
    run(redis::cmd("DEL")
        .arg("zz:privacy:k")
        .arg("zz:privacy:h")
        .arg("zz:privacy:p"))
    .await;
    outcomes.push(
        run(redis::cmd("SET")
            .arg("zz:privacy:k")
            .arg("S3CR3T-set-value"))
        .await,
    );
    outcomes.push(run(redis::cmd("GET").arg("zz:privacy:k")).await);
    outcomes.push(
        run(redis::cmd("HSET")
            .arg("zz:privacy:h")
            .arg("S3CR3T-hset-field")
            .arg("S3CR3T-hset-value"))
        .await,
    );
    outcomes.push(run(redis::cmd("INCRBY").arg("zz:privacy:k").arg(987_654_321)).await);
    outcomes.push(
        run(redis::cmd("EVAL")
            .arg("return redis.error_reply(ARGV[1])")
            .arg(0)
            .arg("S3CR3T-script-error"))
        .await,
    );
    outcomes.push(run(redis::cmd("NOSUCHCOMMAND").arg("S3CR3T-unknown-arg")).await);
    outcomes.push(run(redis::cmd("AUTH").arg("nobody").arg("S3CR3T-auth-password")).await);
    let pipeline: redis::RedisResult<Vec<redis::Value>> = redis::pipe()
        .cmd("SET")
        .arg("zz:privacy:p")
        .arg("S3CR3T-pipeline-value")
        .cmd("HGET")
        .arg("zz:privacy:p")
        .arg("x")
        .query_async(connection)
        .await;
    outcomes.push(format!("{pipeline:?}"));
    outcomes
}

#[test]
fn values_never_reach_the_export() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let raw = runtime.block_on(async {
        let client = redis::Client::open(redis_url()).expect("url");
        let mut connection = client
            .get_multiplexed_async_connection()
            .await
            .expect("redis");
        commands(&mut connection).await
    });
    assert!(
        raw.iter().any(|o| o.contains("S3CR3T-script-error")),
        "{raw:?}"
    );

    let (endpoint, received) = collector::start();
    let telemetry = collector::pipeline(&endpoint);
    let traced = telemetry.in_scope(|| {
        runtime.block_on(async {
            let client = instrument::redis::Client::open(redis_url()).expect("url");
            let mut connection = client
                .get_multiplexed_async_connection()
                .await
                .expect("redis");
            commands(&mut connection).await
        })
    });
    drop(telemetry);
    assert_eq!(
        raw, traced,
        "the traced connection must answer as redis-rs's own"
    );
    received.assert_free_of(SECRETS);
    assert!(received.contains("HSET zz:privacy:h ? ?"));
}
