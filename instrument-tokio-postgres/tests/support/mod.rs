//! Shared by the tests: a connected client, unique names.
#![allow(dead_code)] // each test binary uses a different part

use instrument_tokio_postgres::Client;

pub fn database_url() -> String {
    std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// A traced client, its connection running on the current runtime.
pub async fn client() -> Client {
    let (client, connection) =
        instrument_tokio_postgres::connect(&database_url(), tokio_postgres::NoTls)
            .await
            .expect("connect: is PostgreSQL running?");
    tokio::spawn(connection);
    client
}

/// A raw tokio-postgres client.
pub async fn raw_client() -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(&database_url(), tokio_postgres::NoTls)
        .await
        .expect("connect");
    tokio::spawn(connection);
    client
}

/// A table name no other test uses.
pub fn table(name: &str) -> String {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    format!(
        "tp_{}_{}_{name}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}
