//! What is traced never depends on the log filter: at `RUST_LOG=warn`, `off` or `trace`,
//! `init()` exports the instrumented clients' spans and the application's `info` spans,
//! a service behind the server layer forwards the caller's trace, and no other
//! library's log event becomes a span event. `layer()`, composed with a log layer of
//! the user's own, exports the same.
#![cfg(all(feature = "sqlx-sqlite", feature = "tower", feature = "reqwest"))]

mod support;

use opentelemetry_sdk::trace::{InMemorySpanExporter, SpanData};
use support::{in_child, run_child};

const CALLER_TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

/// A front service behind the server layer calls a back service with the traced
/// client; the `traceparent` the back service received.
async fn forwarded_traceparent() -> String {
    let front_address = support::forwarding_service().await;
    // A plain client: the caller is another process with its own trace.
    let answer = reqwest::Client::new()
        .get(format!("http://{front_address}/front"))
        .header(
            "traceparent",
            format!("00-{CALLER_TRACE}-00f067aa0ba902b7-01"),
        )
        .send()
        .await
        .expect("front")
        .text()
        .await
        .expect("body");
    let traceparent = answer.split(" | ").next().unwrap_or_default();
    if traceparent == "-" {
        String::new()
    } else {
        traceparent.to_owned()
    }
}

/// The application's work: a business span with an event of its own, a query, events
/// of other libraries inside it, and a call through a traced service.
fn workload() -> String {
    let runtime = support::runtime();
    runtime.block_on(async {
        use tracing::Instrument as _;
        async {
            tracing::info!(order.id = 42, "placing the order");
            // What sqlx, hyper and tokio-postgres log can carry statements and values.
            tracing::warn!(target: "hyper::proto::h1", "connection detail");
            tracing::warn!(target: "tokio_postgres::query", "bound value");
            let pool = instrument::sqlx::SqlitePool::connect("sqlite::memory:")
                .await
                .expect("connect");
            let one: (i64,) = sqlx::query_as("SELECT 1")
                .fetch_one(&pool)
                .await
                .expect("query");
            assert_eq!(one.0, 1);
            // A real library event quoting a value: sqlx logs PostgreSQL's notices.
            let url = std::env::var("DATABASE_URL")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
            let postgres = instrument::sqlx::PgPool::connect(&url)
                .await
                .expect("connect");
            sqlx::raw_sql("DO $$ BEGIN RAISE NOTICE 'note about %', 'S3CR3T-notice'; END $$")
                .execute(&postgres)
                .await
                .expect("notice");
        }
        .instrument(tracing::info_span!("checkout"))
        .await;
        forwarded_traceparent().await
    })
}

fn describe(spans: &[SpanData]) -> Vec<String> {
    let mut lines: Vec<String> = spans
        .iter()
        .map(|span| {
            let parent = spans
                .iter()
                .find(|p| p.span_context.span_id() == span.parent_span_id)
                .map_or("-".to_owned(), |p| p.name.to_string());
            let events: Vec<String> = span
                .events
                .iter()
                .map(|event| {
                    let target = event
                        .attributes
                        .iter()
                        .find(|kv| kv.key.as_str() == "target")
                        .map(|kv| kv.value.to_string())
                        .unwrap_or_default();
                    format!("{}@{target}", event.name)
                })
                .collect();
            format!("{} <- {parent} {events:?}", span.name)
        })
        .collect();
    lines.sort();
    lines
}

/// Checks what a run exported and prints it for the parent to compare.
fn check_and_print(exported: &[SpanData], forwarded: &str) {
    let lines = describe(exported);
    let text = lines.join("\n");
    assert!(
        forwarded.starts_with(&format!("00-{CALLER_TRACE}-")),
        "the back service got the caller's trace: {forwarded:?}"
    );
    assert!(text.contains("SELECT <- checkout"), "{text}");
    assert!(text.contains("GET /front <- -"), "{text}");
    assert!(text.contains("GET <- GET /front"), "{text}");
    assert!(
        text.contains("\"placing the order@"),
        "the application's own event is a span event: {text}"
    );
    for library in ["sqlx", "hyper", "tokio_postgres", "h2", "reqwest"] {
        assert!(
            !text.contains(&format!("@{library}")),
            "no {library} event in exported spans: {text}"
        );
    }
    let everything = format!("{exported:?}");
    assert!(
        !everything.contains("S3CR3T"),
        "a notice's value reached an exported span"
    );
    assert!(text.contains("DO <- checkout"), "{text}");
    println!("EXPORTED\n{text}\nEND");
}

fn exported_lines(output: &std::process::Output) -> String {
    let stdout = String::from_utf8_lossy(&output.stdout);
    let start = stdout
        .find("EXPORTED\n")
        .expect("the child printed its spans")
        + 9;
    let end = stdout[start..].find("\nEND").expect("end") + start;
    stdout[start..end].to_owned()
}

#[test]
fn child_init_exports_whatever_the_log_filter() {
    if !in_child() {
        return;
    }
    let exporter = InMemorySpanExporter::default();
    let guard = instrument::builder()
        .span_exporter(exporter.clone())
        .init()
        .expect("init");
    let forwarded = workload();
    guard.flush();
    check_and_print(&exporter.get_finished_spans().expect("spans"), &forwarded);
}

#[test]
fn child_a_composed_layer_exports_what_init_exports() {
    if !in_child() {
        return;
    }
    use tracing_subscriber::Layer as _;
    use tracing_subscriber::layer::SubscriberExt as _;
    let exporter = InMemorySpanExporter::default();
    let (layer, guard) = instrument::builder()
        .span_exporter(exporter.clone())
        .layer();
    let subscriber = tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                .with_filter(tracing_subscriber::filter::LevelFilter::WARN),
        )
        .with(layer);
    tracing::subscriber::set_global_default(subscriber).expect("first subscriber");
    let forwarded = workload();
    guard.flush();
    check_and_print(&exporter.get_finished_spans().expect("spans"), &forwarded);
}

#[test]
fn rust_log_filters_log_lines_never_what_is_traced() {
    let mut runs = Vec::new();
    for filter in ["warn", "off", "trace", "info,instrument_tower=off"] {
        let output = run_child(
            "child_init_exports_whatever_the_log_filter",
            &[("RUST_LOG", filter)],
        );
        runs.push((filter, exported_lines(&output)));
    }
    for (filter, lines) in &runs[1..] {
        assert_eq!(lines, &runs[0].1, "RUST_LOG={filter} exported otherwise");
    }
}

#[test]
fn a_composed_layer_exports_what_init_exports() {
    let from_init = run_child(
        "child_init_exports_whatever_the_log_filter",
        &[("RUST_LOG", "trace")],
    );
    let from_layer = run_child("child_a_composed_layer_exports_what_init_exports", &[]);
    assert_eq!(exported_lines(&from_layer), exported_lines(&from_init));
}

#[test]
fn child_init_with_a_bad_setting() {
    if !in_child() {
        return;
    }
    let guard = instrument::builder()
        .span_exporter(InMemorySpanExporter::default())
        .init()
        .expect("init");
    drop(guard);
}

#[test]
fn a_log_filter_that_leaves_out_our_warnings_does_not_silence_a_rejected_setting() {
    for filter in ["myapp=debug", "warn", "off"] {
        let output = run_child(
            "child_init_with_a_bad_setting",
            &[
                ("RUST_LOG", filter),
                ("OTEL_BSP_SCHEDULE_DELAY", "soon"),
                ("NO_COLOR", "1"),
            ],
        );
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(
            said.matches("OTEL_BSP_SCHEDULE_DELAY=\"soon\" is not a positive whole number")
                .count(),
            1,
            "RUST_LOG={filter}:\n{said}"
        );
    }
}
