//! The kill switch from the environment and at run time: with everything off, no span is
//! created and calls still return their results.

mod support;

use instrument_core::testing::capture;
use instrument_core::{DbCall, DbSystem, HttpClientCall, Library};
use support::{in_child, run_child, stderr};

/// A stand-in for a wrapped client call: describe, run, record, return the result.
fn traced_query(library: Library) -> Result<u64, std::io::Error> {
    let span = DbCall::new(library, DbSystem::Postgresql)
        .sql("SELECT * FROM users", true)
        .start();
    let result = span.in_scope(|| Ok(7));
    if let Ok(rows) = &result {
        span.record_returned_rows(*rows);
    }
    result
}

fn traced_request() -> u16 {
    let span = HttpClientCall::new(Library::Reqwest, "GET", "http://127.0.0.1/").start();
    span.record_http_status(200);
    200
}

#[test]
fn child_sdk_disabled() {
    if !in_child() {
        return;
    }
    let guard = instrument::builder().logs(false).init().expect("init");
    assert!(!guard.is_tracing(), "no exporter is installed");
    assert!(!guard.is_recording_metrics(), "no meter provider either");
    for library in Library::ALL {
        assert!(!instrument::enabled(library), "{library} is off");
    }
    let ((rows, status), spans) = capture(|| (traced_query(Library::Sqlx).ok(), traced_request()));
    assert_eq!(
        (rows, status),
        (Some(7), 200),
        "calls still return their results"
    );
    spans.assert_empty();
}

#[test]
fn otel_sdk_disabled_true_installs_no_exporter_and_creates_no_span() {
    for value in ["true", "TRUE", "True"] {
        run_child("child_sdk_disabled", &[("OTEL_SDK_DISABLED", value)]);
    }
}

#[test]
fn child_every_library_off() {
    if !in_child() {
        return;
    }
    let ((rows, status), spans) = capture(|| (traced_query(Library::Redis).ok(), traced_request()));
    assert_eq!((rows, status), (Some(7), 200));
    spans.assert_empty();
    assert!(
        instrument::globally_enabled(),
        "only the libraries are off, not the SDK"
    );
}

#[test]
fn a_star_in_the_disabled_list_turns_every_library_off() {
    run_child(
        "child_every_library_off",
        &[("OTEL_RUST_DISABLED_INSTRUMENTATIONS", "*")],
    );
}

#[test]
fn child_some_libraries_off() {
    if !in_child() {
        return;
    }
    let (_, spans) = capture(|| {
        let _ = traced_query(Library::Sqlx);
        let _ = traced_query(Library::Redis);
        let _ = traced_query(Library::TokioPostgres);
        traced_request()
    });
    assert_eq!(
        spans.names(),
        vec!["SELECT users", "GET"],
        "only tokio-postgres and reqwest traced"
    );
}

#[test]
fn listed_libraries_are_off_and_the_others_traced() {
    run_child(
        "child_some_libraries_off",
        &[("OTEL_RUST_DISABLED_INSTRUMENTATIONS", "sqlx, REDIS")],
    );
}

#[test]
fn child_enabled_with_warning() {
    if !in_child() {
        return;
    }
    // As `init()` does; with no subscriber yet, the warning goes to stderr.
    instrument_core::ensure_env_read();
    let (_, spans) = capture(|| traced_query(Library::Sqlx));
    assert_eq!(spans.len(), 1, "a rejected value leaves instrumentation on");
}

#[test]
fn rejected_values_keep_instrumentation_on_with_one_warning_naming_the_variable() {
    for (var, value, named) in [
        ("OTEL_SDK_DISABLED", "yes", "OTEL_SDK_DISABLED"),
        ("OTEL_SDK_DISABLED", "1", "OTEL_SDK_DISABLED"),
        (
            "OTEL_RUST_DISABLED_INSTRUMENTATIONS",
            "mongodb",
            "OTEL_RUST_DISABLED_INSTRUMENTATIONS",
        ),
    ] {
        let output = run_child("child_enabled_with_warning", &[(var, value)]);
        let stderr = stderr(&output);
        let warnings: Vec<&str> = stderr
            .lines()
            .filter(|line| line.contains("warning"))
            .collect();
        assert_eq!(warnings.len(), 1, "{var}={value}: {stderr}");
        assert!(
            warnings[0].contains(named) && warnings[0].contains(value),
            "{}",
            warnings[0]
        );
    }
}

#[test]
fn child_empty_and_false_are_silent() {
    if !in_child() {
        return;
    }
    instrument_core::ensure_env_read();
    let (_, spans) = capture(|| traced_query(Library::Sqlx));
    assert_eq!(spans.len(), 1);
}

#[test]
fn empty_and_false_values_change_nothing_and_say_nothing() {
    for (var, value) in [
        ("OTEL_SDK_DISABLED", "false"),
        ("OTEL_SDK_DISABLED", ""),
        ("OTEL_RUST_DISABLED_INSTRUMENTATIONS", ""),
    ] {
        let output = run_child("child_empty_and_false_are_silent", &[(var, value)]);
        assert!(!stderr(&output).contains("warning"), "{var}={value:?}");
    }
}

#[test]
fn child_run_time_switches() {
    if !in_child() {
        return;
    }
    let count = |library| capture(|| traced_query(library)).1.len();
    assert_eq!(count(Library::Sqlx), 1);
    instrument::set_library_enabled(Library::Sqlx, false);
    assert_eq!(count(Library::Sqlx), 0);
    assert_eq!(count(Library::Redis), 1);
    instrument::set_enabled(false);
    assert_eq!(count(Library::Redis), 0);
    instrument::set_enabled(true);
    assert_eq!(count(Library::Redis), 1);
    assert_eq!(
        count(Library::Sqlx),
        0,
        "switching all back on keeps per-library settings"
    );
    instrument::set_library_enabled(Library::Sqlx, true);
    assert_eq!(count(Library::Sqlx), 1);
}

#[test]
fn switches_can_be_flipped_at_run_time_globally_and_per_library() {
    run_child("child_run_time_switches", &[]);
}

#[test]
fn child_run_time_overrides_env() {
    if !in_child() {
        return;
    }
    assert!(!instrument::enabled(Library::Sqlx));
    instrument::set_enabled(true);
    assert!(
        instrument::enabled(Library::Sqlx),
        "code overrides OTEL_SDK_DISABLED"
    );
}

#[test]
fn code_can_switch_back_on_what_the_environment_switched_off() {
    run_child(
        "child_run_time_overrides_env",
        &[("OTEL_SDK_DISABLED", "true")],
    );
}
