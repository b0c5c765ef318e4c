//! sqlx's compile-time checked macros run against a traced pool unchanged. Their query
//! data is committed in `.sqlx/`, so building this test needs no database
//! (`scripts/test` builds with `SQLX_OFFLINE=true` to prove it).

use instrument_core::testing::capture_async;
use instrument_sqlx::PgPool;

fn database_url() -> String {
    std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

#[derive(Debug, PartialEq)]
struct Relation {
    name: String,
    kind: String,
}

#[tokio::test]
async fn query_macros_run_against_the_traced_pool_and_are_spans() {
    let ((), spans) = capture_async(async {
        let pool = PgPool::connect(&database_url()).await.expect("connect");

        let row = sqlx::query!(r#"SELECT $1::int4 + 1 AS "next!""#, 41)
            .fetch_one(&pool)
            .await
            .expect("query!");
        assert_eq!(row.next, 42);

        let relation = sqlx::query_as!(
            Relation,
            r#"SELECT relname::text AS "name!", relkind::text AS "kind!"
               FROM pg_class WHERE relname = $1"#,
            "pg_class"
        )
        .fetch_one(&pool)
        .await
        .expect("query_as!");
        assert_eq!(
            relation,
            Relation {
                name: "pg_class".to_owned(),
                kind: "r".to_owned()
            }
        );

        let count = sqlx::query_scalar!(
            r#"SELECT count(*) AS "count!" FROM pg_namespace WHERE nspname = $1"#,
            "pg_catalog"
        )
        .fetch_one(&pool)
        .await
        .expect("query_scalar!");
        assert_eq!(count, 1);
    })
    .await;
    spans
        .named("SELECT")
        .assert_attr("db.query.text", r#"SELECT $1::int4 + 1 AS "next!""#);
    spans
        .named("SELECT pg_class")
        .assert_attr("db.system.name", "postgresql");
    spans
        .named("SELECT pg_namespace")
        .assert_attr("db.response.returned_rows", 1);
}
