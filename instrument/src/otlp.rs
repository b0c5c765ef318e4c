//! Building the OTLP span exporter for the compiled-in transports.

#[cfg(any(feature = "otlp-grpc", feature = "otlp-http"))]
use opentelemetry_otlp::WithExportConfig as _;

use crate::export::{BoundedBatch, Report};
use crate::init::Guard;
use crate::settings::OtlpProtocol;

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
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .thread_name("instrument-otlp")
                .enable_all()
                .build()
                .map_err(|e| format!("could not start the OTLP gRPC exporter's runtime: {e}"))?;
            let built = {
                let _entered = runtime.enter();
                let mut builder = opentelemetry_otlp::SpanExporter::builder().with_tonic();
                if let Some(endpoint) = endpoint {
                    builder = builder.with_endpoint(endpoint);
                }
                builder.build()
            };
            guard.runtime = Some(runtime);
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
