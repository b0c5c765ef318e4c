//! Every tokio-postgres call records `db.client.operation.duration`, failures and
//! unsampled calls included.

mod support;

use instrument_core::testing::{capture_async, unsampled};

#[tokio::test]
async fn every_query_records_its_duration_sampled_or_not() {
    let ((), spans) = capture_async(async {
        let client = support::client().await;
        let row = client
            .query_one("SELECT 40 + $1::int4", &[&2])
            .await
            .expect("query");
        assert_eq!(row.get::<_, i32>(0), 42);
        client
            .query("SELECT * FROM no_such_table_for_metrics", &[])
            .await
            .expect_err("no such table");
        unsampled(async {
            client
                .query_one("SELECT 40 + $1::int4", &[&2])
                .await
                .expect("query");
        })
        .await;
    })
    .await;
    let duration = spans.metrics().named("db.client.operation.duration");
    assert_eq!(duration.unit, "s");
    assert_eq!(duration.scope, "instrument-tokio-postgres");
    let ok = duration.point(&[("db.query.summary", &"SELECT")]);
    assert_eq!(ok.count, 2, "sampled and unsampled alike");
    assert_eq!(ok.attr("error.type"), None);
    assert!(ok.attr("db.query.text").is_none(), "never the query text");
    assert_eq!(ok.str_attr("db.system.name"), Some("postgresql"));
    let failed = duration.point(&[("db.query.summary", &"SELECT no_such_table_for_metrics")]);
    assert_eq!(failed.count, 1);
    assert_eq!(failed.str_attr("error.type"), Some("42P01"));
    assert_eq!(failed.str_attr("db.response.status_code"), Some("42P01"));
}
