//! `OTEL_TRACES_EXPORTER=console` draws each finished trace as a waterfall on stderr.

mod support;

use instrument_core::{DbCall, DbSystem, ErrorInfo, HttpClientCall, Library};
use support::{in_child, run_child, stderr};

#[test]
fn child_draws_a_trace() {
    if !in_child() {
        return;
    }
    let guard = instrument::init().expect("init");
    {
        let root = tracing::info_span!("handle report");
        let _entered = root.enter();
        DbCall::new(Library::Sqlx, DbSystem::Postgresql)
            .sql("SELECT * FROM users WHERE id = $1", true)
            .start()
            .record_returned_rows(1);
        let request = HttpClientCall::new(Library::Reqwest, "GET", "http://data/").start();
        request.record_error(
            &std::io::Error::other("refused"),
            ErrorInfo::new().error_type("connect"),
        );
    }
    drop(guard);
}

#[test]
fn the_console_exporter_draws_the_trace_with_depth_errors_and_the_terminal_width() {
    let output = run_child(
        "child_draws_a_trace",
        &[
            ("OTEL_TRACES_EXPORTER", "console"),
            ("COLUMNS", "80"),
            (
                "RUST_LOG",
                "off,instrument_sqlx=info,instrument_reqwest=info,console=info",
            ),
        ],
    );
    let text = stderr(&output);
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| l.contains('▕') || l.starts_with("trace "))
        .collect();
    assert_eq!(lines.len(), 4, "{text}");
    assert!(
        lines[0].starts_with("trace ") && lines[0].contains("3 spans"),
        "{}",
        lines[0]
    );
    assert!(lines[1].starts_with("handle report"), "{}", lines[1]);
    assert!(lines[2].starts_with("  SELECT users"), "{}", lines[2]);
    assert!(lines[3].starts_with("  ✗ GET"), "{}", lines[3]);
    for line in &lines[1..] {
        assert_eq!(line.chars().count(), 80, "{line:?}");
    }
    assert!(
        !text.contains('\x1b'),
        "no colour when stderr is not a terminal"
    );
}

#[test]
fn child_disabled_prints_nothing() {
    if !in_child() {
        return;
    }
    child_draws_a_trace_body();
}

fn child_draws_a_trace_body() {
    let guard = instrument::init().expect("init");
    {
        let root = tracing::info_span!("handle report");
        let _entered = root.enter();
        let _ = DbCall::new(Library::Sqlx, DbSystem::Postgresql)
            .sql("SELECT 1", true)
            .start();
    }
    drop(guard);
}

#[test]
fn with_the_sdk_disabled_the_console_exporter_draws_nothing() {
    let output = run_child(
        "child_disabled_prints_nothing",
        &[
            ("OTEL_TRACES_EXPORTER", "console"),
            ("OTEL_SDK_DISABLED", "true"),
        ],
    );
    assert!(!stderr(&output).contains('▕'), "{}", stderr(&output));
}
