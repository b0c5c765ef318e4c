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
fn at_the_end_of_a_run_the_console_prints_a_table_per_operation() {
    let output = run_child(
        "child_draws_a_trace",
        &[("OTEL_TRACES_EXPORTER", "console"), ("RUST_LOG", "off")],
    );
    let text = stderr(&output);
    let table: Vec<&str> = text
        .lines()
        .skip_while(|line| !line.starts_with("operation"))
        .collect();
    assert_eq!(table.len(), 3, "a header and two operations:\n{text}");
    for column in ["count", "errors", "p50", "p95", "p99"] {
        assert!(table[0].contains(column), "{}", table[0]);
    }
    let query = table
        .iter()
        .find(|line| line.starts_with("db    SELECT users (postgresql)"))
        .unwrap_or_else(|| panic!("the query's row:\n{text}"));
    let counts: Vec<&str> = query.split_whitespace().collect();
    assert_eq!(&counts[4..6], ["1", "0"], "{query}");
    let request = table
        .iter()
        .find(|line| line.starts_with("http→ GET "))
        .unwrap_or_else(|| panic!("the request's row:\n{text}"));
    let counts: Vec<&str> = request.split_whitespace().collect();
    assert_eq!(&counts[2..4], ["1", "1"], "one request, failed: {request}");
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
    assert!(
        !stderr(&output).contains("operation"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn child_init_twice() {
    if !in_child() {
        return;
    }
    let guard = instrument::init().expect("the first init");
    let propagated = || {
        opentelemetry::global::get_text_map_propagator(|propagator| {
            propagator.fields().map(str::to_owned).collect::<Vec<_>>()
        })
    };
    let (fields, redaction) = (propagated(), instrument_core::redact::query_redaction());
    let second = instrument::builder()
        .propagators([])
        .redact_all_query_values()
        .init();
    assert!(matches!(
        second,
        Err(instrument::InitError::SubscriberAlreadySet)
    ));
    drop(second);
    // A failed second init changes nothing of the first's.
    assert_eq!(propagated(), fields);
    assert_eq!(instrument_core::redact::query_redaction(), redaction);
    // Both the tracing side and code using the OpenTelemetry API still export.
    tracing::info_span!("after a second init").in_scope(|| {});
    use opentelemetry::trace::{Tracer as _, TracerProvider as _};
    opentelemetry::global::tracer_provider()
        .tracer("direct")
        .in_span("otel api span", |_| {});
    drop(guard);
}

#[test]
fn a_second_init_fails_cleanly_and_the_first_keeps_exporting() {
    let output = run_child("child_init_twice", &[("OTEL_TRACES_EXPORTER", "console")]);
    let text = stderr(&output);
    assert!(text.contains("after a second init"), "{text}");
    assert!(text.contains("otel api span"), "{text}");
}

#[test]
fn child_sampled_by_env() {
    if !in_child() {
        return;
    }
    let guard = instrument::init().expect("init");
    tracing::info_span!("ordinary request").in_scope(|| {
        let _ = DbCall::new(Library::Sqlx, DbSystem::Postgresql)
            .sql("SELECT 1", true)
            .start();
    });
    tracing::info_span!("debug request", sampling.priority = 1).in_scope(|| {
        let _ = DbCall::new(Library::Sqlx, DbSystem::Postgresql)
            .sql("SELECT * FROM audit", true)
            .start();
    });
    drop(guard);
}

#[test]
fn the_sampler_comes_from_the_environment_and_sampling_priority_overrides_it() {
    let output = run_child(
        "child_sampled_by_env",
        &[
            ("OTEL_TRACES_EXPORTER", "console"),
            ("OTEL_TRACES_SAMPLER", "parentbased_traceidratio"),
            ("OTEL_TRACES_SAMPLER_ARG", "0"),
        ],
    );
    let text = stderr(&output);
    assert!(
        !text.contains("ordinary request"),
        "ratio 0 samples nothing: {text}"
    );
    assert!(
        text.contains("debug request") && text.contains("SELECT audit"),
        "forced with its child: {text}"
    );
}

#[test]
fn child_bad_filter() {
    if !in_child() {
        return;
    }
    let guard = instrument::init().expect("init");
    tracing::info_span!("still traced").in_scope(|| {});
    drop(guard);
}

#[test]
fn an_unparseable_rust_log_is_one_warning_and_the_default_filter_applies() {
    let output = run_child(
        "child_bad_filter",
        &[("OTEL_TRACES_EXPORTER", "console"), ("RUST_LOG", "foo=[[[")],
    );
    let text = stderr(&output);
    let warnings: Vec<&str> = text.lines().filter(|l| l.contains("WARN")).collect();
    assert_eq!(warnings.len(), 1, "{text}");
    assert!(warnings[0].contains("RUST_LOG"), "{}", warnings[0]);
    assert!(text.contains("still traced"), "{text}");
}
