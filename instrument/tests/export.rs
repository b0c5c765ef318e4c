//! Exporting: OTLP reaches a collector, a missing or wrong collector never panics or
//! blocks, and the guard can be dropped inside or outside an async runtime.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpListener;
use std::sync::mpsc;
use std::time::Duration;

mod support;

use instrument::{Exporter, OtlpProtocol, Telemetry};
use instrument_core::{DbCall, DbSystem, Library};

/// One received OTLP/HTTP request.
struct Received {
    request_line: String,
    content_type: String,
    body: Vec<u8>,
}

/// A minimal OTLP/HTTP collector on loopback: answers 200 to every request and hands each
/// one to the test.
fn collector() -> (String, mpsc::Receiver<Received>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(16) {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut request_line = String::new();
            let _ = reader.read_line(&mut request_line);
            let (mut length, mut content_type) = (0usize, String::new());
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                let lower = line.to_ascii_lowercase();
                if let Some(value) = lower.strip_prefix("content-length:") {
                    length = value.trim().parse().unwrap_or(0);
                }
                if let Some(value) = lower.strip_prefix("content-type:") {
                    content_type = value.trim().to_owned();
                }
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/x-protobuf\r\ncontent-length: 0\r\n\r\n");
            let _ = tx.send(Received {
                request_line: request_line.trim().to_owned(),
                content_type,
                body,
            });
        }
    });
    (format!("http://{address}/v1/traces"), rx)
}

/// A loopback port with nothing listening.
fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("address").port()
}

/// An OTLP pipeline to `endpoint`, not installed globally, printing no logs.
fn otlp(protocol: OtlpProtocol, endpoint: impl Into<String>) -> Telemetry {
    instrument::builder()
        .exporter(Exporter::Otlp)
        .otlp_protocol(protocol)
        .otlp_endpoint(endpoint)
        .logs(false)
        .build()
}

#[track_caller]
fn assert_no_warnings(telemetry: &Telemetry) {
    let warnings = telemetry.guard.warnings();
    assert!(warnings.is_empty(), "{warnings:?}");
}

/// gRPC to a port where nothing listens: set up without complaint, spans made, guard
/// dropped, and no panic anywhere.
fn grpc_with_the_collector_down() {
    let telemetry = otlp(
        OtlpProtocol::Grpc,
        format!("http://127.0.0.1:{}", closed_port()),
    );
    assert_no_warnings(&telemetry);
    emit_spans(&telemetry);
    drop(telemetry);
}

fn emit_spans(telemetry: &Telemetry) {
    telemetry.in_scope(|| {
        let root = tracing::info_span!("report");
        let _entered = root.enter();
        let span = DbCall::new(Library::Sqlx, DbSystem::Postgresql)
            .sql("SELECT * FROM reports WHERE id = $1", true)
            .start();
        span.record_returned_rows(1);
    });
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle.as_bytes())
}

#[test]
fn spans_reach_an_otlp_http_collector() {
    let (endpoint, received) = collector();
    let telemetry = instrument::builder()
        .exporter(Exporter::Otlp)
        .otlp_protocol(OtlpProtocol::HttpProtobuf)
        .otlp_endpoint(endpoint)
        .service_name("export-test")
        .logs(false)
        .build();
    assert_no_warnings(&telemetry);
    emit_spans(&telemetry);
    drop(telemetry); // the guard flushes
    let request = received
        .recv_timeout(Duration::from_secs(10))
        .expect("an export request");
    assert_eq!(request.request_line, "POST /v1/traces HTTP/1.1");
    assert_eq!(request.content_type, "application/x-protobuf");
    for text in ["SELECT reports", "report", "db.query.text", "export-test"] {
        assert!(contains(&request.body, text), "the export carries {text:?}");
    }
}

#[test]
fn an_endpoint_given_in_code_without_a_path_is_a_base_as_the_variables_is() {
    let (endpoint, received) = collector();
    let base = endpoint.trim_end_matches("/v1/traces").to_owned();
    let telemetry = instrument::builder()
        .exporter(Exporter::Otlp)
        .otlp_protocol(OtlpProtocol::HttpProtobuf)
        .otlp_endpoint(format!("{base}/"))
        .logs(false)
        .build();
    assert_no_warnings(&telemetry);
    emit_spans(&telemetry);
    drop(telemetry);
    let request = received
        .recv_timeout(Duration::from_secs(10))
        .expect("an export request");
    assert_eq!(request.request_line, "POST /v1/traces HTTP/1.1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_blocking_http_exporter_used_inside_tokio_neither_panics_nor_blocks_the_runtime() {
    let (endpoint, received) = collector();
    let telemetry = otlp(OtlpProtocol::HttpProtobuf, endpoint);
    emit_spans(&telemetry);
    tokio::time::sleep(Duration::from_millis(10)).await;
    telemetry.guard.flush();
    // Dropped on a runtime thread: reqwest's blocking client must not be dropped here.
    drop(telemetry);
    let request =
        tokio::task::spawn_blocking(move || received.recv_timeout(Duration::from_secs(10)))
            .await
            .expect("join");
    assert!(request.is_ok(), "the spans were exported");
}

#[tokio::test(flavor = "current_thread")]
async fn the_http_exporter_on_a_current_thread_runtime_with_the_collector_down_does_not_panic() {
    let telemetry = otlp(
        OtlpProtocol::HttpProtobuf,
        format!("http://127.0.0.1:{}/v1/traces", closed_port()),
    );
    emit_spans(&telemetry);
    telemetry.guard.flush();
    drop(telemetry);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_grpc_exporter_inside_tokio_with_the_collector_down_does_not_panic() {
    grpc_with_the_collector_down();
}

#[test]
fn the_grpc_exporter_works_without_a_runtime_of_the_application() {
    grpc_with_the_collector_down();
}

#[test]
fn an_endpoint_that_does_not_parse_is_a_warning_and_tracing_goes_on() {
    for protocol in [OtlpProtocol::HttpProtobuf, OtlpProtocol::Grpc] {
        let telemetry = otlp(protocol, "not a url at all");
        let warnings = telemetry.guard.warnings();
        // One for the spans, one for the metrics.
        assert_eq!(warnings.len(), 2, "{protocol:?}: {warnings:?}");
        for (warning, signal) in warnings.iter().zip(["spans", "metrics"]) {
            assert!(warning.contains("OTEL_EXPORTER_OTLP_ENDPOINT"), "{warning}");
            assert!(
                warning.contains(&format!("{signal} will not be exported")),
                "{warning}"
            );
        }
        emit_spans(&telemetry);
    }
}

#[test]
fn child_exports_from_the_environment() {
    if !support::in_child() {
        return;
    }
    let guard = instrument::init().expect("init");
    assert!(guard.warnings().is_empty(), "{:?}", guard.warnings());
    tracing::info_span!("from env").in_scope(|| {});
    drop(guard);
}

#[test]
fn endpoint_protocol_service_name_and_resource_come_from_the_environment() {
    let (endpoint, received) = collector();
    let base = endpoint.trim_end_matches("/v1/traces").to_owned();
    support::run_child(
        "child_exports_from_the_environment",
        &[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", base.as_str()),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"),
            ("OTEL_SERVICE_NAME", "billing"),
            ("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment.name=ci"),
        ],
    );
    let request = received
        .recv_timeout(Duration::from_secs(10))
        .expect("an export request");
    assert_eq!(
        request.request_line, "POST /v1/traces HTTP/1.1",
        "the signal path is appended"
    );
    for text in ["from env", "billing", "deployment.environment.name", "ci"] {
        assert!(contains(&request.body, text), "the export carries {text:?}");
    }
}

#[test]
fn otel_service_name_wins_over_the_service_name_in_the_resource_attributes() {
    let (endpoint, received) = collector();
    let base = endpoint.trim_end_matches("/v1/traces").to_owned();
    support::run_child(
        "child_exports_from_the_environment",
        &[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", base.as_str()),
            ("OTEL_SERVICE_NAME", "billing"),
            (
                "OTEL_RESOURCE_ATTRIBUTES",
                "service.name=legacy-name,team=pay%2C%20ments",
            ),
        ],
    );
    let request = received
        .recv_timeout(Duration::from_secs(10))
        .expect("an export request");
    assert!(contains(&request.body, "billing"));
    assert!(!contains(&request.body, "legacy-name"));
    assert!(
        contains(&request.body, "pay, ments"),
        "the other attributes stay, decoded"
    );
}

#[test]
fn child_exports_with_the_defaults() {
    if !support::in_child() {
        return;
    }
    let guard = instrument::builder().init().expect("init");
    tracing::info_span!("nameless").in_scope(|| {});
    drop(guard);
}

#[test]
fn without_any_name_the_service_is_unknown_service_and_the_executable() {
    let (endpoint, received) = collector();
    let base = endpoint.trim_end_matches("/v1/traces").to_owned();
    support::run_child(
        "child_exports_with_the_defaults",
        &[("OTEL_EXPORTER_OTLP_ENDPOINT", base.as_str())],
    );
    let request = received
        .recv_timeout(Duration::from_secs(10))
        .expect("an export request");
    let exe = std::env::current_exe().expect("the test binary");
    let exe = exe
        .file_name()
        .and_then(|name| name.to_str())
        .expect("name");
    assert!(contains(&request.body, &format!("unknown_service:{exe}")));
    assert!(contains(&request.body, "telemetry.sdk.language"));
}

#[test]
fn child_console_by_default() {
    if !support::in_child() {
        return;
    }
    let guard = instrument::builder()
        .default_exporter(instrument::Exporter::Console)
        .init()
        .expect("init");
    tracing::info_span!("from env").in_scope(|| {});
    drop(guard);
}

#[test]
fn an_empty_endpoint_variable_does_not_hide_the_traces_endpoint() {
    let (endpoint, received) = collector();
    support::run_child(
        "child_console_by_default",
        &[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", ""),
            ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", endpoint.as_str()),
        ],
    );
    let request = received
        .recv_timeout(Duration::from_secs(10))
        .expect("an export request: the traces endpoint selects OTLP");
    assert!(contains(&request.body, "from env"));
}

#[test]
fn credentials_in_the_endpoint_are_not_reported() {
    let endpoint = format!("http://collector:s3cret-token@127.0.0.1:{}", closed_port());
    let (stderr, _) = five_spans_to(&endpoint);
    let failure = failure_report(&stderr);
    assert!(failure.contains("REDACTED:REDACTED@127.0.0.1"), "{failure}");
    assert!(!stderr.contains("s3cret-token"), "{stderr}");
}

#[test]
fn child_collector_down() {
    if !support::in_child() {
        return;
    }
    let guard = instrument::builder().logs(false).init().expect("init");
    for _ in 0..3 {
        tracing::info_span!("lost").in_scope(|| {});
        guard.flush();
    }
    drop(guard);
}

#[test]
fn a_collector_that_is_down_is_reported_once_even_with_logs_off() {
    let endpoint = format!("http://127.0.0.1:{}", closed_port());
    let output = support::run_child(
        "child_collector_down",
        &[("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint.as_str())],
    );
    let stderr = support::stderr(&output);
    let reports = stderr
        .matches(&format!(
            "exporting spans to the OTLP HTTP endpoint {endpoint}/v1/traces failed"
        ))
        .count();
    assert_eq!(reports, 1, "{stderr}");
    assert!(stderr.contains("OTEL_EXPORTER_OTLP_ENDPOINT"), "{stderr}");
}

/// Makes 5 spans, each exported on its own, then drops the guard.
#[test]
fn child_five_spans() {
    if !support::in_child() {
        return;
    }
    let guard = instrument::builder().init().expect("init");
    for _ in 0..5 {
        tracing::info_span!("undelivered").in_scope(|| {});
    }
    guard.flush();
    drop(guard);
}

/// Runs [`child_five_spans`] exporting to `endpoint` with a 1 s export timeout; its
/// stderr, and how long it took.
fn five_spans_to(endpoint: &str) -> (String, Duration) {
    let started = std::time::Instant::now();
    let output = support::run_child(
        "child_five_spans",
        &[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint),
            ("OTEL_EXPORTER_OTLP_TIMEOUT", "1000"),
            ("OTEL_METRICS_EXPORTER", "none"),
            ("NO_COLOR", "1"),
        ],
    );
    (support::stderr(&output), started.elapsed())
}

/// The one line of `stderr` that says how many spans were not delivered, and where.
#[track_caller]
fn undelivered<'a>(stderr: &'a str, url: &str) -> &'a str {
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|line| line.contains("were not delivered"))
        .collect();
    assert_eq!(lines.len(), 1, "one summary:\n{stderr}");
    assert!(
        lines[0].contains(&format!(
            "5 spans were not delivered to the OTLP HTTP endpoint {url}"
        )),
        "{}",
        lines[0]
    );
    lines[0]
}

/// The line of `stderr` that reports the first failed export.
#[track_caller]
fn failure_report(stderr: &str) -> &str {
    stderr
        .lines()
        .find(|line| line.contains("exporting spans to"))
        .unwrap_or_else(|| panic!("no failure report:\n{stderr}"))
}

#[test]
fn a_refused_collector_is_named_with_its_cause_and_the_spans_lost() {
    let endpoint = format!("http://127.0.0.1:{}", closed_port());
    let (stderr, _) = five_spans_to(&endpoint);
    let url = format!("{endpoint}/v1/traces");
    let failure = failure_report(&stderr);
    assert!(failure.contains(&url), "{failure}");
    assert!(
        failure.to_ascii_lowercase().contains("refused"),
        "the cause, not only \"network error\": {failure}"
    );
    assert!(undelivered(&stderr, &url).contains("5 in exports that failed"));
    assert!(
        !stderr.contains("opentelemetry"),
        "one voice, ours:\n{stderr}"
    );
}

/// A loopback collector that accepts connections and never answers.
fn hung_collector() -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().take(64) {
            held.push(stream);
        }
    });
    address
}

#[test]
fn a_hung_collector_costs_the_exit_a_bounded_wait_and_is_reported() {
    let address = hung_collector();
    let endpoint = format!("http://{address}");
    let (stderr, took) = five_spans_to(&endpoint);
    let summary = undelivered(&stderr, &format!("{endpoint}/v1/traces"));
    assert!(
        summary.contains("in exports that failed") || summary.contains("when the shutdown gave up"),
        "{summary}"
    );
    // The bound is the 1 s export timeout and a 1 s margin; the rest is the child's
    // start and the flush before the drop (one more timed-out export).
    assert!(took < Duration::from_secs(8), "exited after {took:?}");
}

/// A span and a query (so there are metrics to export), then the guard dropped.
#[test]
fn child_a_query() {
    if !support::in_child() {
        return;
    }
    let guard = instrument::builder().init().expect("init");
    tracing::info_span!("report").in_scope(|| {
        DbCall::new(Library::Sqlx, DbSystem::Postgresql)
            .sql("SELECT * FROM reports WHERE id = $1", true)
            .start()
            .record_returned_rows(1);
    });
    drop(guard);
}

#[test]
fn a_hung_collector_costs_the_exit_one_bound_for_spans_and_metrics() {
    let address = hung_collector();
    let started = std::time::Instant::now();
    let output = support::run_child(
        "child_a_query",
        &[
            (
                "OTEL_EXPORTER_OTLP_ENDPOINT",
                format!("http://{address}").as_str(),
            ),
            ("OTEL_EXPORTER_OTLP_TIMEOUT", "300"),
            // The metrics' last export would wait longer than the bound allows.
            ("OTEL_EXPORTER_OTLP_METRICS_TIMEOUT", "30000"),
            ("OTEL_METRICS_EXPORTER", "otlp"),
            ("NO_COLOR", "1"),
        ],
    );
    let took = started.elapsed();
    // The bound is 0.3 s and a 1 s margin for the three signals together, then the
    // child's start; the SDK alone would wait 5 s more for the metrics.
    assert!(
        took < Duration::from_secs(4),
        "exited after {took:?}\n{}",
        support::stderr(&output)
    );
}

#[test]
fn a_wrong_endpoint_is_named_with_its_status_and_the_spans_lost() {
    // A server that answers every request 404, as a wrong path would get.
    let (collector, _) =
        support::collector::start_answering(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n");
    let address = collector
        .trim_start_matches("http://")
        .trim_end_matches("/v1/traces")
        .to_owned();
    let endpoint = format!("http://{address}/wrong");
    let (stderr, _) = five_spans_to(&endpoint);
    let url = format!("{endpoint}/v1/traces");
    let failure = failure_report(&stderr);
    assert!(
        failure.contains(&url) && failure.contains("404"),
        "{failure}"
    );
    assert!(undelivered(&stderr, &url).contains("5 in exports that failed"));
}

/// A loopback server that answers every connection in plain HTTP: a TLS client fails on
/// its answer, which is how a test without certificates sees TLS spoken (rustls, or
/// OpenSSL when a build unifies reqwest with native-tls).
fn plain_text_server() -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    std::thread::spawn(move || {
        for stream in listener.incoming().take(64) {
            let Ok(mut stream) = stream else { continue };
            let _ = stream.write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n");
        }
    });
    address
}

#[test]
fn an_https_endpoint_is_spoken_to_over_tls_over_http() {
    let endpoint = format!("https://{}", plain_text_server());
    let (stderr, _) = five_spans_to(&endpoint);
    let failure = failure_report(&stderr).to_ascii_lowercase();
    assert!(
        !failure.contains("scheme") && !failure.contains("400"),
        "TLS is compiled in and used: {failure}"
    );
    assert!(
        ["tls", "ssl", "corrupt", "handshake", "invalid", "message"]
            .iter()
            .any(|word| failure.contains(word)),
        "a TLS failure: {failure}"
    );
}

#[test]
fn an_https_endpoint_over_grpc_is_set_up_with_tls() {
    // Without TLS compiled in, the gRPC exporter refuses an https:// endpoint at set-up.
    let telemetry = otlp(
        OtlpProtocol::Grpc,
        format!("https://{}", plain_text_server()),
    );
    assert_no_warnings(&telemetry);
}
