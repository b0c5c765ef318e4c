//! The calls' metrics leave the process: OTLP over HTTP and over gRPC to in-process
//! receivers, decoded back into the metrics the conventions name.

mod support;

use std::time::Duration;

use instrument::{Exporter, OtlpProtocol, Telemetry};
use instrument_core::{DbCall, DbSystem, ErrorInfo, Library};
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::common::v1::any_value;
use opentelemetry_proto::tonic::metrics::v1::metric;
use prost::Message as _;

fn pipeline(protocol: OtlpProtocol, endpoint: &str) -> Telemetry {
    instrument::builder()
        .exporter(Exporter::Otlp)
        .otlp_protocol(protocol)
        .otlp_endpoint(endpoint)
        .service_name("metrics-export-test")
        .logs(false)
        .build()
}

/// Two queries, one failing; the guard's drop exports the metrics.
fn run_queries(telemetry: Telemetry) {
    assert!(
        telemetry.guard.warnings().is_empty(),
        "{:?}",
        telemetry.guard.warnings()
    );
    telemetry.in_scope(|| {
        for fails in [false, true] {
            let span = DbCall::new(Library::Sqlx, DbSystem::Postgresql)
                .namespace("shop")
                .sql("SELECT * FROM orders WHERE id = $1", true)
                .start();
            if fails {
                span.record_error(
                    &std::io::Error::other("relation \"orders\" does not exist"),
                    ErrorInfo::new().status_code("42P01"),
                );
            }
        }
    });
    drop(telemetry);
}

/// `(error.type, count)` of each `db.client.operation.duration` point in `messages`.
fn operation_durations(messages: &[Vec<u8>]) -> Vec<(Option<String>, u64)> {
    let mut points = Vec::new();
    for message in messages {
        let request = ExportMetricsServiceRequest::decode(message.as_slice()).expect("decodes");
        for resource in &request.resource_metrics {
            for scope in &resource.scope_metrics {
                for metric in &scope.metrics {
                    if metric.name != "db.client.operation.duration" {
                        continue;
                    }
                    assert_eq!(metric.unit, "s");
                    assert_eq!(
                        scope.scope.as_ref().map(|s| s.name.as_str()),
                        Some("instrument-sqlx")
                    );
                    let Some(metric::Data::Histogram(histogram)) = &metric.data else {
                        panic!("a histogram: {metric:?}");
                    };
                    for point in &histogram.data_points {
                        let error_type = point
                            .attributes
                            .iter()
                            .find(|kv| kv.key == "error.type")
                            .and_then(|kv| match kv.value.as_ref()?.value.as_ref()? {
                                any_value::Value::StringValue(text) => Some(text.clone()),
                                _ => None,
                            });
                        assert!(
                            point.attributes.iter().all(|kv| kv.key != "db.query.text"),
                            "never the query text"
                        );
                        assert_eq!(
                            point.explicit_bounds,
                            [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0]
                        );
                        points.push((error_type, point.count));
                    }
                }
            }
        }
    }
    points.sort();
    points
}

#[test]
fn metrics_reach_an_otlp_http_collector() {
    let (endpoint, received) = support::collector::start();
    run_queries(pipeline(OtlpProtocol::HttpProtobuf, &endpoint));
    let messages = received.bodies_to("/v1/metrics");
    assert!(!messages.is_empty(), "a metrics export");
    assert_eq!(
        operation_durations(&messages),
        [(None, 1), (Some("42P01".to_owned()), 1)]
    );
}

#[test]
fn metrics_reach_an_otlp_grpc_collector() {
    let (endpoint, received) = support::grpc_collector::start();
    run_queries(pipeline(OtlpProtocol::Grpc, &endpoint));
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let messages = loop {
        let messages = received.messages_to("MetricsService");
        if !messages.is_empty() || std::time::Instant::now() > deadline {
            break messages;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(!messages.is_empty(), "a metrics export");
    assert_eq!(
        operation_durations(&messages),
        [(None, 1), (Some("42P01".to_owned()), 1)]
    );
    assert!(
        !received.messages_to("TraceService").is_empty(),
        "and the spans: {:?}",
        received.paths()
    );
}

#[test]
fn metrics_switched_to_none_send_spans_but_no_metrics() {
    let (endpoint, received) = support::collector::start();
    let telemetry = instrument::builder()
        .exporter(Exporter::Otlp)
        .metrics_exporter(Exporter::None)
        .otlp_protocol(OtlpProtocol::HttpProtobuf)
        .otlp_endpoint(&endpoint)
        .logs(false)
        .build();
    run_queries(telemetry);
    assert_eq!(received.bodies_to("/v1/traces").len(), 1);
    assert!(received.bodies_to("/v1/metrics").is_empty());
}
