//! The database hooks (instrument_core::hooks) on a client and its transactions: a
//! skip filter, a span-name formatter, and attributes from a task-local.

mod support;

use instrument_core::CallSpan;
use instrument_core::hooks::{DbCallInfo, DbHooks, SkipIf};
use instrument_core::testing::capture_async;

tokio::task_local! {
    static TENANT: &'static str;
}

/// Probes, as a type of the application's: the hooks are traits.
struct Probes;

impl SkipIf<DbCallInfo<'_>> for Probes {
    fn skip(&self, call: &DbCallInfo<'_>) -> bool {
        call.query()
            .is_some_and(|query| query.ends_with("/* probe */"))
    }
}

#[tokio::test]
async fn a_clients_hooks_skip_name_and_add_attributes_to_its_calls() {
    let ((), spans) = capture_async(TENANT.scope("acme", async {
        let mut client = support::client().await.hooks(
            DbHooks::new()
                .skip_tracing_if(Probes)
                .span_name(|call: &DbCallInfo<'_>| {
                    let namespace = call.namespace()?;
                    Some(format!("{namespace}: {}", call.default_name()))
                })
                .on_start(|_: &DbCallInfo<'_>, span: &CallSpan| {
                    let _ =
                        TENANT.try_with(|tenant| span.set_dynamic_attribute("tenant.id", *tenant));
                }),
        );
        let probe = client
            .query_one("SELECT 1 /* probe */", &[])
            .await
            .expect("probe");
        assert_eq!(probe.get::<_, i32>(0), 1, "a skipped query still runs");
        client
            .query_one("SELECT $1::int4 AS n", &[&7_i32])
            .await
            .expect("query");
        let tx = client.transaction().await.expect("begin");
        tx.execute("SELECT 2", &[]).await.expect("in tx");
        tx.commit().await.expect("commit");
    }))
    .await;
    assert_eq!(
        spans.names(),
        [
            "test: SELECT",
            "test: START TRANSACTION",
            "test: SELECT",
            "test: COMMIT"
        ],
        "the probe is skipped, the others renamed"
    );
    for span in spans.iter() {
        span.assert_attr("tenant.id", "acme");
    }
}
