//! Shared fixtures: the Redis of `scripts/test` and keys no other test touches.
#![allow(dead_code)] // each test binary uses a different part

use std::sync::atomic::{AtomicUsize, Ordering};

pub mod fake;

/// `REDIS_URL`, else the standard loopback port.
pub fn redis_url() -> String {
    std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379/".to_owned())
}

/// The same server with another db index.
pub fn redis_url_with_db(db: u8) -> String {
    format!("{}/{db}", redis_url().trim_end_matches('/'))
}

/// A key prefix unique to this process and call, so parallel tests never collide.
pub fn unique(name: &str) -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    format!(
        "it:{}:{}:{name}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// A raw (untraced) client, for comparisons.
pub fn raw_client() -> redis::Client {
    redis::Client::open(redis_url()).expect("REDIS_URL parses")
}

/// A traced client.
pub fn client() -> instrument_redis::Client {
    instrument_redis::Client::open(redis_url()).expect("REDIS_URL parses")
}
