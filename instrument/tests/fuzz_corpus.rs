//! The fuzz corpus, replayed on stable in every test run: each input that `scripts/fuzz`
//! keeps (`fuzz/corpus/<target>/`) goes through the same check its fuzz target runs
//! (`fuzz/src/checks.rs`), so a parser change that breaks a property on a known input
//! fails here without nightly or libFuzzer.
#![cfg(feature = "redis")]

#[allow(dead_code, unreachable_pub)]
#[path = "../../fuzz/src/checks.rs"]
mod checks;

use std::path::Path;

fn replay(target: &str, check: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(target);
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let mut inputs = 0;
    for entry in entries {
        let path = entry.expect("corpus entry").path();
        let data = std::fs::read(&path).expect("corpus input");
        let outcome = std::panic::catch_unwind(|| check(&data));
        assert!(
            outcome.is_ok(),
            "{target}: {} fails its check",
            path.display()
        );
        inputs += 1;
    }
    assert!(inputs > 0, "{target}: the corpus is empty");
}

#[test]
fn sql() {
    replay("sql", checks::sql);
}

#[test]
fn database_error() {
    replay("database_error", checks::database_error);
}

#[test]
fn redis_command() {
    replay("redis_command", checks::redis_command);
}

#[test]
fn propagation() {
    replay("propagation", checks::propagation);
}

#[test]
fn url() {
    replay("url", checks::url);
}
