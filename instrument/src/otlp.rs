//! Building the OTLP span exporter for the compiled-in transports.

#[cfg(any(feature = "otlp-grpc", feature = "otlp-http"))]
use opentelemetry_otlp::WithExportConfig as _;

use crate::export::{BoundedBatch, Report};
use crate::init::Guard;
use crate::settings::OtlpProtocol;
use opentelemetry_sdk::metrics::Temporality;

/// The batch processor exporting over `protocol`, or why it could not be made. gRPC
/// gets a one-thread runtime of its own (kept in the guard), so it works whether or not
/// `init()` runs inside one, and keeps working while the application's runtime shuts down.
pub(crate) fn processor(
    protocol: OtlpProtocol,
    endpoint: Option<&str>,
    queue_size: usize,
    report: Report,
    guard: &mut Guard,
) -> Result<BoundedBatch, String> {
    let _ = (&endpoint, &queue_size, &report, &guard);
    match protocol {
        #[cfg(feature = "otlp-grpc")]
        OtlpProtocol::Grpc => {
            let built = {
                let _entered = grpc_runtime(guard)?.enter();
                let mut builder = opentelemetry_otlp::SpanExporter::builder().with_tonic();
                if let Some(endpoint) = endpoint {
                    builder = builder.with_endpoint(endpoint);
                }
                builder.build()
            };
            let exporter =
                built.map_err(|e| format!("the OTLP gRPC exporter could not be set up: {e}"))?;
            Ok(BoundedBatch::new(
                exporter,
                queue_size,
                "the OTLP gRPC endpoint",
                report,
            ))
        }
        #[cfg(feature = "otlp-http")]
        OtlpProtocol::HttpProtobuf => {
            let mut builder = opentelemetry_otlp::SpanExporter::builder()
                .with_http()
                .with_protocol(opentelemetry_otlp::Protocol::HttpBinary);
            if let Some(endpoint) = endpoint {
                builder = builder.with_endpoint(endpoint);
            }
            let exporter = builder
                .build()
                .map_err(|e| format!("the OTLP HTTP exporter could not be set up: {e}"))?;
            Ok(BoundedBatch::new(
                exporter,
                queue_size,
                "the OTLP HTTP endpoint",
                report,
            ))
        }
        #[allow(unreachable_patterns)]
        other => Err(format!(
            "OTLP over {other:?} is not compiled in (enable the instrument crate's otlp-grpc or otlp-http feature)"
        )),
    }
}

/// The gRPC exporters' runtime: one thread, started by the first exporter that needs it
/// and kept in the guard.
#[cfg(feature = "otlp-grpc")]
fn grpc_runtime(guard: &mut Guard) -> Result<&tokio::runtime::Runtime, String> {
    if guard.runtime.is_none() {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("instrument-otlp")
            .enable_all()
            .build()
            .map_err(|e| format!("could not start the OTLP gRPC exporter's runtime: {e}"))?;
        guard.runtime = Some(runtime);
    }
    guard
        .runtime
        .as_ref()
        .ok_or_else(|| "the OTLP gRPC exporter's runtime is gone".to_owned())
}

/// A meter provider exporting OTLP over `protocol` every `interval`, or why it could not
/// be made. `endpoint` is the one given in code for spans: for HTTP its `/v1/traces`
/// becomes `/v1/metrics`; without it, the exporter reads
/// `OTEL_EXPORTER_OTLP_METRICS_ENDPOINT` or `OTEL_EXPORTER_OTLP_ENDPOINT` itself.
pub(crate) fn meter_provider(
    protocol: OtlpProtocol,
    endpoint: Option<&str>,
    temporality: Temporality,
    interval: std::time::Duration,
    resource: opentelemetry_sdk::Resource,
    report: Report,
    guard: &mut Guard,
) -> Result<opentelemetry_sdk::metrics::SdkMeterProvider, String> {
    let _ = (
        &endpoint,
        &temporality,
        &interval,
        &resource,
        &report,
        &guard,
    );
    #[cfg(any(feature = "otlp-grpc", feature = "otlp-http"))]
    let provider = |exporter| {
        crate::metrics::provider(
            crate::metrics::Reporting::new(exporter, "the OTLP endpoint", report),
            interval,
            resource,
        )
    };
    match protocol {
        #[cfg(feature = "otlp-grpc")]
        OtlpProtocol::Grpc => {
            let _entered = grpc_runtime(guard)?.enter();
            let mut builder = opentelemetry_otlp::MetricExporter::builder()
                .with_tonic()
                .with_temporality(temporality);
            if let Some(endpoint) = endpoint {
                builder = builder.with_endpoint(endpoint);
            }
            builder
                .build()
                .map(provider)
                .map_err(|e| format!("the OTLP gRPC metric exporter could not be set up: {e}"))
        }
        #[cfg(feature = "otlp-http")]
        OtlpProtocol::HttpProtobuf => {
            let mut builder = opentelemetry_otlp::MetricExporter::builder()
                .with_http()
                .with_protocol(opentelemetry_otlp::Protocol::HttpBinary)
                .with_temporality(temporality);
            if let Some(endpoint) = endpoint {
                let base = endpoint.trim_end_matches('/');
                let base = base.strip_suffix("/v1/traces").unwrap_or(base);
                builder = builder.with_endpoint(format!("{base}/v1/metrics"));
            }
            builder
                .build()
                .map(provider)
                .map_err(|e| format!("the OTLP HTTP metric exporter could not be set up: {e}"))
        }
        #[allow(unreachable_patterns)]
        other => Err(format!(
            "OTLP over {other:?} is not compiled in (enable the instrument crate's otlp-grpc or otlp-http feature)"
        )),
    }
}

/// A logger provider exporting OTLP log records over `protocol`, or why it could not be
/// made. `endpoint` is the one given in code for spans: for HTTP its `/v1/traces`
/// becomes `/v1/logs`; without it, the exporter reads `OTEL_EXPORTER_OTLP_LOGS_ENDPOINT`
/// or `OTEL_EXPORTER_OTLP_ENDPOINT` itself.
pub(crate) fn logger_provider(
    protocol: OtlpProtocol,
    endpoint: Option<&str>,
    queue_size: usize,
    resource: opentelemetry_sdk::Resource,
    report: Report,
    guard: &mut Guard,
) -> Result<opentelemetry_sdk::logs::SdkLoggerProvider, String> {
    let _ = (&endpoint, &queue_size, &resource, &report, &guard);
    match protocol {
        #[cfg(feature = "otlp-grpc")]
        OtlpProtocol::Grpc => {
            let built = {
                let _entered = grpc_runtime(guard)?.enter();
                let mut builder = opentelemetry_otlp::LogExporter::builder().with_tonic();
                if let Some(endpoint) = endpoint {
                    builder = builder.with_endpoint(endpoint);
                }
                builder.build()
            };
            let exporter = built
                .map_err(|e| format!("the OTLP gRPC log exporter could not be set up: {e}"))?;
            Ok(crate::logs::provider(
                exporter,
                queue_size,
                "the OTLP gRPC endpoint",
                resource,
                report,
            ))
        }
        #[cfg(feature = "otlp-http")]
        OtlpProtocol::HttpProtobuf => {
            let mut builder = opentelemetry_otlp::LogExporter::builder()
                .with_http()
                .with_protocol(opentelemetry_otlp::Protocol::HttpBinary);
            if let Some(endpoint) = endpoint {
                let base = endpoint.trim_end_matches('/');
                let base = base.strip_suffix("/v1/traces").unwrap_or(base);
                builder = builder.with_endpoint(format!("{base}/v1/logs"));
            }
            let exporter = builder
                .build()
                .map_err(|e| format!("the OTLP HTTP log exporter could not be set up: {e}"))?;
            Ok(crate::logs::provider(
                exporter,
                queue_size,
                "the OTLP HTTP endpoint",
                resource,
                report,
            ))
        }
        #[allow(unreachable_patterns)]
        other => Err(format!(
            "OTLP over {other:?} is not compiled in (enable the instrument crate's otlp-grpc or otlp-http feature)"
        )),
    }
}
