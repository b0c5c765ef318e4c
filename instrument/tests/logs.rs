//! Logs that point at their trace: `init()`'s log lines carry the `trace_id` and
//! `span_id` of the current context (a request's span behind the server layer, the
//! application's own span, work carried onto a thread or a task), in the plain and the
//! JSON format, and lines outside any trace carry none; with `OTEL_LOGS_EXPORTER=otlp`
//! the application's events are exported as log records whose ids match the exported
//! spans, another library's events only when the filter names it, nothing under the
//! kill switch; the console waterfall shows an error event under its span's line.
#![cfg(all(
    feature = "threads",
    feature = "tower",
    feature = "otlp-http",
    feature = "otlp-grpc",
    feature = "reqwest"
))]

mod support;

use std::collections::HashMap;

use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::any_value::Value as ProtoValue;
use prost::Message as _;
use support::{in_child, run_child};

/// A secret in another library's event: exported only when the filter names its target.
const LIBRARY_SECRET: &str = "sqlx-bound-value-hunter2";

/// What every child logs: outside any trace, inside a request behind the server layer,
/// inside the application's span and on a thread and a task carried from it, and an
/// event of another library's (sqlx's target) inside that span.
fn log_everywhere() {
    let runtime = support::runtime();
    tracing::info!("outside any trace");
    runtime.block_on(async {
        let app = axum::Router::new()
            .route(
                "/orders",
                axum::routing::get(|| async {
                    tracing::info!("in the handler");
                    tracing::error!("stock service unreachable");
                    "ok"
                }),
            )
            .layer(instrument::tower::TracingLayer::new());
        let address = support::serve(app).await;
        let answer = reqwest::get(format!("http://{address}/orders"))
            .await
            .expect("request")
            .text()
            .await
            .expect("body");
        assert_eq!(answer, "ok");
    });
    {
        let _checkout = tracing::info_span!("checkout").entered();
        tracing::info!(order = 7, "in the application's span");
        tracing::info!(target: "sqlx::query", secret = LIBRARY_SECRET, "a library's event");
        instrument::threads::thread::spawn(|| tracing::info!("on a carried thread"))
            .join()
            .expect("thread");
        runtime
            .block_on(async {
                instrument::threads::tokio::spawn(async {
                    tracing::info!("in a carried task");
                })
                .await
            })
            .expect("task");
    }
    tracing::info!("outside again");
}

#[test]
fn child_logs() {
    if !in_child() {
        return;
    }
    let _guard = instrument::init().expect("init");
    log_everywhere();
}

/// Each line of the child's stderr that holds `message`, once.
fn line_with<'a>(lines: &'a [&'a str], message: &str) -> &'a str {
    let found: Vec<&&str> = lines.iter().filter(|line| line.contains(message)).collect();
    assert_eq!(
        found.len(),
        1,
        "one line with {message:?} in:\n{}",
        lines.join("\n")
    );
    found[0]
}

/// The value of `key=` in a plain line.
fn plain_value<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    line.split(' ')
        .find_map(|word| word.strip_prefix(&format!("{key}=")))
}

fn is_hex(text: &str, length: usize) -> bool {
    text.len() == length && text.bytes().all(|byte| byte.is_ascii_hexdigit())
}

#[test]
fn plain_lines_carry_the_ids_of_their_trace_and_lines_outside_none() {
    let output = run_child(
        "child_logs",
        &[("OTEL_TRACES_EXPORTER", "none"), ("NO_COLOR", "1")],
    );
    let stderr = support::stderr(&output);
    let lines: Vec<&str> = stderr.lines().collect();
    for outside in ["outside any trace", "outside again"] {
        let line = line_with(&lines, outside);
        assert!(
            !line.contains("trace_id") && !line.contains("span_id"),
            "{line}"
        );
    }
    let ids = |message: &str| {
        let line = line_with(&lines, message);
        let trace = plain_value(line, "trace_id").unwrap_or_else(|| panic!("no trace_id: {line}"));
        let span = plain_value(line, "span_id").unwrap_or_else(|| panic!("no span_id: {line}"));
        assert!(is_hex(trace, 32) && is_hex(span, 16), "{line}");
        assert!(
            line.ends_with(&format!("trace_id={trace} span_id={span}")),
            "ids at the end: {line}"
        );
        (trace.to_owned(), span.to_owned())
    };
    let (handler_trace, _) = ids("in the handler");
    let (trace, span) = ids("in the application's span");
    assert_ne!(handler_trace, trace, "two traces");
    for carried in ["on a carried thread", "in a carried task"] {
        assert_eq!(
            ids(carried),
            (trace.clone(), span.clone()),
            "{carried}: the span it was carried from"
        );
    }
}

#[test]
fn json_lines_carry_the_ids_as_members() {
    let output = run_child(
        "child_logs",
        &[
            ("OTEL_TRACES_EXPORTER", "none"),
            ("OTEL_RUST_LOG_FORMAT", "json"),
        ],
    );
    let stderr = support::stderr(&output);
    let mut by_message: HashMap<String, serde_json::Value> = HashMap::new();
    for line in stderr.lines().filter(|line| line.starts_with('{')) {
        let parsed: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        if let Some(message) = parsed["fields"]["message"].as_str() {
            by_message.insert(message.to_owned(), parsed);
        }
    }
    let get = |message: &str| {
        by_message
            .get(message)
            .unwrap_or_else(|| panic!("no JSON line for {message:?} in:\n{stderr}"))
    };
    for outside in ["outside any trace", "outside again"] {
        let line = get(outside);
        assert!(
            line.get("trace_id").is_none() && line.get("span_id").is_none(),
            "{line}"
        );
    }
    let line = get("in the application's span");
    let trace = line["trace_id"].as_str().expect("trace_id");
    let span = line["span_id"].as_str().expect("span_id");
    assert!(is_hex(trace, 32) && is_hex(span, 16), "{line}");
    assert_eq!(line["fields"]["order"], 7, "the fields stay: {line}");
    for carried in ["on a carried thread", "in a carried task"] {
        assert_eq!(get(carried)["trace_id"], trace, "{carried}");
        assert_eq!(get(carried)["span_id"], span, "{carried}");
    }
    assert!(get("in the handler")["trace_id"].is_string());
}

/// One exported log record, decoded.
#[derive(Debug)]
struct Record {
    body: String,
    severity: String,
    /// The scope's name: the event's target.
    target: String,
    trace_id: String,
    span_id: String,
    /// Each attribute, its value as text.
    attributes: Vec<(String, String)>,
}

/// The log records and spans a child exported to the collector, decoded.
struct Exported {
    records: Vec<Record>,
    /// Each span: (name, trace id, span id).
    spans: Vec<(String, String, String)>,
}

fn exported(received: &support::collector::Received) -> Exported {
    decoded(
        received.bodies_to("/v1/logs"),
        received.bodies_to("/v1/traces"),
    )
}

/// The records in `logs` and the spans in `traces`, each an encoded export request.
fn decoded(logs: Vec<Vec<u8>>, traces: Vec<Vec<u8>>) -> Exported {
    let hex = |bytes: &[u8]| bytes.iter().map(|b| format!("{b:02x}")).collect::<String>();
    let text = |value: &Option<opentelemetry_proto::tonic::common::v1::AnyValue>| match value
        .as_ref()
        .and_then(|value| value.value.as_ref())
    {
        Some(ProtoValue::StringValue(text)) => text.clone(),
        Some(ProtoValue::IntValue(number)) => number.to_string(),
        other => format!("{other:?}"),
    };
    let mut records = Vec::new();
    for body in logs {
        let request = ExportLogsServiceRequest::decode(body.as_slice()).expect("decodes");
        for scope in request.resource_logs.iter().flat_map(|r| &r.scope_logs) {
            let target = scope
                .scope
                .as_ref()
                .map(|s| s.name.clone())
                .unwrap_or_default();
            for record in &scope.log_records {
                let attributes = record
                    .attributes
                    .iter()
                    .map(|kv| (kv.key.clone(), text(&kv.value)))
                    .collect();
                records.push(Record {
                    body: text(&record.body),
                    severity: record.severity_text.clone(),
                    target: target.clone(),
                    trace_id: hex(&record.trace_id),
                    span_id: hex(&record.span_id),
                    attributes,
                });
            }
        }
    }
    let mut spans = Vec::new();
    for body in traces {
        let request = ExportTraceServiceRequest::decode(body.as_slice()).expect("decodes");
        for span in request
            .resource_spans
            .iter()
            .flat_map(|r| &r.scope_spans)
            .flat_map(|s| &s.spans)
        {
            spans.push((span.name.clone(), hex(&span.trace_id), hex(&span.span_id)));
        }
    }
    Exported { records, spans }
}

fn export_to_collector(extra: &[(&str, &str)]) -> (Exported, String) {
    let (endpoint, received) = support::collector::start();
    let base = endpoint.trim_end_matches("/v1/traces").to_owned();
    let mut vars = vec![
        ("OTEL_EXPORTER_OTLP_ENDPOINT", base.as_str()),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"),
        ("OTEL_LOGS_EXPORTER", "otlp"),
        ("OTEL_METRICS_EXPORTER", "none"),
        ("NO_COLOR", "1"),
    ];
    vars.extend_from_slice(extra);
    let output = run_child("child_logs", &vars);
    (exported(&received), support::stderr(&output))
}

#[test]
fn otlp_log_records_carry_the_ids_of_the_exported_spans() {
    let (exported, stderr) = export_to_collector(&[]);
    let record = |body: &str| {
        exported
            .records
            .iter()
            .find(|record| record.body == body)
            .unwrap_or_else(|| panic!("no record {body:?} in {:?}\n{stderr}", exported.records))
    };
    let span = |name: &str| {
        exported
            .spans
            .iter()
            .find(|span| span.0 == name)
            .unwrap_or_else(|| panic!("no span {name:?} in {:?}", exported.spans))
    };
    let checkout = span("checkout");
    let in_span = record("in the application's span");
    assert_eq!(
        (&in_span.trace_id, &in_span.span_id),
        (&checkout.1, &checkout.2)
    );
    assert_eq!(in_span.severity, "INFO");
    assert_eq!(
        in_span.target, "logs",
        "the target (this test's crate) names the scope"
    );
    assert!(
        in_span
            .attributes
            .contains(&("order".to_owned(), "7".to_owned())),
        "fields are attributes: {:?}",
        in_span.attributes
    );
    for carried in ["on a carried thread", "in a carried task"] {
        let carried = record(carried);
        assert_eq!(
            (&carried.trace_id, &carried.span_id),
            (&checkout.1, &checkout.2)
        );
    }
    let server = span("GET /orders");
    let handler = record("in the handler");
    assert_eq!(
        (&handler.trace_id, &handler.span_id),
        (&server.1, &server.2)
    );
    let outside = record("outside any trace");
    assert!(
        outside.trace_id.is_empty() && outside.span_id.is_empty(),
        "{outside:?}"
    );
    assert!(
        exported
            .records
            .iter()
            .all(|record| !record.attributes.iter().any(|(_, v)| v == LIBRARY_SECRET)),
        "another library's event is not exported unless the filter names it"
    );
    assert!(
        stderr.contains(LIBRARY_SECRET),
        "it still reaches the log output"
    );
}

#[test]
fn log_records_reach_an_otlp_grpc_collector() {
    let (endpoint, received) = support::grpc_collector::start();
    run_child(
        "child_logs",
        &[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint.as_str()),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
            ("OTEL_LOGS_EXPORTER", "otlp"),
            ("OTEL_METRICS_EXPORTER", "none"),
        ],
    );
    let exported = decoded(
        received.messages_to("LogsService"),
        received.messages_to("TraceService"),
    );
    let checkout = exported
        .spans
        .iter()
        .find(|span| span.0 == "checkout")
        .unwrap_or_else(|| panic!("no checkout span: {:?}", received.paths()));
    let record = exported
        .records
        .iter()
        .find(|record| record.body == "in the application's span")
        .unwrap_or_else(|| panic!("no record: {:?}", received.paths()));
    assert_eq!(
        (&record.trace_id, &record.span_id),
        (&checkout.1, &checkout.2)
    );
}

#[test]
fn a_library_named_by_the_filter_has_its_events_exported() {
    let (exported, _) = export_to_collector(&[("OTEL_RUST_TRACING_FILTER", "info,sqlx=info")]);
    assert!(
        exported
            .records
            .iter()
            .any(|record| record.target == "sqlx::query"
                && record
                    .attributes
                    .iter()
                    .any(|(_, value)| value == LIBRARY_SECRET)),
        "{:?}",
        exported.records
    );
}

#[test]
fn a_filter_that_does_not_parse_names_no_library() {
    // Rejected whole (the default `info` stands): its `sqlx=info` does not count.
    let (exported, stderr) =
        export_to_collector(&[("OTEL_RUST_TRACING_FILTER", "info,sqlx=info,x=verbose")]);
    assert!(stderr.contains("does not parse"), "{stderr}");
    assert!(
        exported
            .records
            .iter()
            .any(|record| record.body == "in the application's span"),
        "{:?}",
        exported.records
    );
    assert!(
        !exported
            .records
            .iter()
            .any(|record| record.target == "sqlx::query"),
        "{:?}",
        exported.records
    );
}

#[test]
fn the_kill_switch_turns_log_export_off_and_leaves_the_log_lines() {
    let (exported, stderr) = export_to_collector(&[("OTEL_SDK_DISABLED", "true")]);
    assert!(exported.records.is_empty() && exported.spans.is_empty());
    assert!(stderr.contains("in the application's span"), "{stderr}");
    assert!(!stderr.contains("trace_id="), "no trace, no ids: {stderr}");
}

#[test]
fn the_waterfall_shows_an_error_logged_inside_a_span_under_its_line() {
    let output = run_child(
        "child_logs",
        &[("OTEL_TRACES_EXPORTER", "console"), ("NO_COLOR", "1")],
    );
    let stderr = support::stderr(&output);
    let lines: Vec<&str> = stderr.lines().collect();
    let span_line = lines
        .iter()
        .position(|line| line.starts_with("✗ GET /orders "))
        .unwrap_or_else(|| panic!("no failed request line in:\n{stderr}"));
    assert_eq!(
        lines.get(span_line + 1).copied(),
        Some("  ! stock service unreachable"),
        "{stderr}"
    );
    assert!(
        !lines
            .iter()
            .any(|line| line.trim_start().starts_with("! in the handler")),
        "only errors are drawn:\n{stderr}"
    );
}

#[test]
fn console_log_records_show_on_stderr_with_their_ids() {
    let output = run_child(
        "child_logs",
        &[
            ("OTEL_TRACES_EXPORTER", "none"),
            ("OTEL_LOGS_EXPORTER", "console"),
            ("NO_COLOR", "1"),
        ],
    );
    let stderr = support::stderr(&output);
    let lines: Vec<&str> = stderr.lines().collect();
    let record = lines
        .iter()
        .find(|line| line.starts_with("log record") && line.contains("in the application's span"))
        .unwrap_or_else(|| panic!("no console record in:\n{stderr}"));
    assert!(
        record.contains("order=7") && record.contains(" · trace "),
        "{record}"
    );
}

/// A log exporter that takes its time over every batch.
#[derive(Debug)]
struct Slow;

impl opentelemetry_sdk::logs::LogExporter for Slow {
    async fn export(
        &self,
        _batch: opentelemetry_sdk::logs::LogBatch<'_>,
    ) -> opentelemetry_sdk::error::OTelSdkResult {
        std::thread::sleep(std::time::Duration::from_millis(300));
        Ok(())
    }
}

#[test]
fn child_custom_log_exporter() {
    if !in_child() {
        return;
    }
    let guard = instrument::builder()
        .log_exporter(Slow)
        .init()
        .expect("init");
    for i in 0..200 {
        tracing::info!(i, "busy");
    }
    drop(guard);
}

#[test]
fn a_log_exporter_given_in_code_queues_as_the_environment_says() {
    let dropped = |vars: &[(&str, &str)]| {
        let output = run_child("child_custom_log_exporter", vars);
        support::stderr(&output).contains("dropped")
    };
    assert!(!dropped(&[("OTEL_TRACES_EXPORTER", "none")]), "2048 places");
    assert!(
        dropped(&[
            ("OTEL_TRACES_EXPORTER", "none"),
            ("OTEL_BLRP_MAX_QUEUE_SIZE", "4"),
        ]),
        "4 places"
    );
}
