//! MySQL-protocol pools: MariaDB is recorded as `mariadb`, errors by their number.

use instrument_core::testing::capture_async;
use instrument_sqlx::MySqlPool;

fn mysql_url() -> String {
    std::env::var("MYSQL_URL").unwrap_or_else(|_| "mysql://root@127.0.0.1:3306/test".to_owned())
}

fn table(name: &str) -> String {
    format!("it_{}_{name}", std::process::id())
}

#[tokio::test]
async fn the_server_decides_the_system_and_errors_carry_their_number() {
    let table = table("dup");
    let (result, spans) = capture_async(async {
        let pool = MySqlPool::connect(&mysql_url()).await.expect("connect");
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "CREATE TABLE {table} (id INT PRIMARY KEY)"
        )))
        .execute(&pool)
        .await
        .expect("create");
        let insert = format!("INSERT INTO {table} (id) VALUES (?)");
        sqlx::query(sqlx::AssertSqlSafe(insert.clone()))
            .bind(1)
            .execute(&pool)
            .await
            .expect("insert");
        let duplicate = sqlx::query(sqlx::AssertSqlSafe(insert))
            .bind(1)
            .execute(&pool)
            .await;
        let server: String = sqlx::query_scalar("SELECT VERSION()")
            .fetch_one(&pool)
            .await
            .expect("version");
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP TABLE {table}")))
            .execute(&pool)
            .await
            .expect("drop");
        (duplicate.is_err(), server)
    })
    .await;
    let (failed, server) = result;
    assert!(failed, "the duplicate insert fails for the caller");
    let expected_system = if server.to_ascii_lowercase().contains("mariadb") {
        "mariadb"
    } else {
        "mysql"
    };
    let inserts = spans.all_named(&format!("INSERT {table}"));
    assert_eq!(inserts.len(), 2);
    for span in spans.iter() {
        span.assert_attr("db.system.name", expected_system)
            .assert_attr("db.namespace", "test")
            .assert_attr("server.address", "127.0.0.1");
    }
    assert!(inserts[1].is_error());
    inserts[1]
        .assert_attr("db.response.status_code", "1062")
        .assert_attr("error.type", "1062")
        .assert_attr(
            "db.query.text",
            format!("INSERT INTO {table} (id) VALUES (?)"),
        );
}
