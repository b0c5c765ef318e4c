//! The quickstart runs, and prints the trace the README shows: the business span with
//! the database, HTTP (client and server), cache and thread work under it; switched
//! off, it does the same work and prints no trace.

use std::process::Command;

/// Runs the quickstart with `vars`, without any OTEL_* of this process; its stderr.
fn run(vars: &[(&str, &str)]) -> String {
    let mut command = Command::new(env!("CARGO_BIN_EXE_quickstart"));
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("OTEL_") || key == "RUST_LOG" {
            command.env_remove(key);
        }
    }
    command.env("NO_COLOR", "1").env("COLUMNS", "100");
    for (key, value) in vars {
        command.env(key, value);
    }
    let output = command.output().expect("the quickstart ran");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "quickstart failed:\n{stderr}");
    stderr
}

/// The span names of the trace rooted at `root`, each with its depth.
fn tree(stderr: &str, root: &str) -> Vec<(usize, String)> {
    let mut lines = stderr.lines().skip_while(|line| !line.starts_with(root));
    let mut spans = Vec::new();
    while let Some(line) = lines
        .next()
        .filter(|l| !l.starts_with("trace ") && !l.is_empty())
    {
        let depth = (line.len() - line.trim_start().len()) / 2;
        // The name is what comes before the run of spaces and the duration.
        let name = line
            .trim_start()
            .split("  ")
            .next()
            .unwrap_or("")
            .to_owned();
        spans.push((depth, name));
    }
    spans
}

#[test]
fn the_quickstart_prints_one_trace_with_every_part_under_the_business_span() {
    let stderr = run(&[]);
    let spans = tree(&stderr, "place order");
    let at = |depth: usize, name: &str| spans.contains(&(depth, name.to_owned()));
    assert!(at(0, "place order"), "{stderr}");
    // The insert; the HTTP call; the thread's SELECT and the task's UPDATE.
    for child in ["INSERT orders", "GET", "SELECT orders", "UPDATE orders"] {
        assert!(at(1, child), "{child} under place order:\n{stderr}");
    }
    assert!(
        at(2, "GET /inventory/{item}"),
        "the server span under the client's:\n{stderr}"
    );
    // Redis and PostgreSQL: traced when they answer, else said to be skipped.
    assert!(at(1, "SET") || stderr.contains("skipped Redis"), "{stderr}");
    assert!(
        at(1, "SELECT") || stderr.contains("skipped PostgreSQL"),
        "{stderr}"
    );
    // Exactly one span written by hand: every other name is a call's.
    let by_hand = spans
        .iter()
        .filter(|(_, name)| name == "place order")
        .count();
    assert_eq!(by_hand, 1);
    // The log line inside `place order` points at its trace.
    let line = stderr
        .lines()
        .find(|line| line.contains("order 42: widget: 7 in stock, total 42"))
        .unwrap_or_else(|| panic!("no order line:\n{stderr}"));
    let trace_id = line
        .split(' ')
        .find_map(|word| word.strip_prefix("trace_id="))
        .unwrap_or_else(|| panic!("no trace_id on {line:?}"));
    let lines: Vec<&str> = stderr.lines().collect();
    let root = lines
        .iter()
        .position(|line| line.starts_with("place order"))
        .unwrap_or_else(|| panic!("no place order line:\n{stderr}"));
    // The waterfall's header, just above its root's line.
    let header = lines[root.saturating_sub(1)];
    assert!(
        header.starts_with(&format!("trace {trace_id} ")),
        "{line}\n{header}"
    );
}

#[test]
fn switched_off_the_quickstart_does_the_same_work_and_prints_no_trace() {
    let stderr = run(&[("OTEL_SDK_DISABLED", "true")]);
    assert!(
        stderr.contains("order 42: widget: 7 in stock, total 42"),
        "{stderr}"
    );
    assert!(!stderr.contains("trace "), "a trace was printed:\n{stderr}");
    assert!(!stderr.contains("trace_id="), "no trace, no ids:\n{stderr}");
}

#[test]
fn without_redis_and_postgresql_it_says_what_it_skipped_and_traces_the_rest() {
    let stderr = run(&[
        ("REDIS_URL", "redis://127.0.0.1:1/"),
        ("DATABASE_URL", "postgres://postgres@127.0.0.1:1/test"),
    ]);
    assert!(
        stderr.contains("skipped Redis (redis://127.0.0.1:1/)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("skipped PostgreSQL (postgres://postgres@127.0.0.1:1/test)"),
        "{stderr}"
    );
    let spans = tree(&stderr, "place order");
    assert!(
        spans.contains(&(2, "GET /inventory/{item}".to_owned())),
        "{stderr}"
    );
    assert!(!spans.contains(&(1, "SET".to_owned())), "{stderr}");
}
