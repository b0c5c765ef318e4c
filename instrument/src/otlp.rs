//! Building the OTLP span exporter for the compiled-in transports.

#[cfg(any(feature = "otlp-grpc", feature = "otlp-http"))]
use opentelemetry_otlp::WithExportConfig as _;
#[cfg(feature = "otlp-http")]
use opentelemetry_otlp::WithHttpConfig as _;

#[cfg(any(feature = "otlp-grpc", feature = "otlp-http"))]
use crate::export::Destination;
use crate::export::{BatchSettings, BoundedBatch, Report};
use crate::init::Guard;
use crate::settings::OtlpProtocol;
use opentelemetry_sdk::metrics::Temporality;

/// The batch processor exporting over `protocol`, or why it could not be made. gRPC
/// gets a one-thread runtime of its own (kept in the guard), so it works whether or not
/// `init()` runs inside one, and keeps working while the application's runtime shuts down.
pub(crate) fn processor(
    protocol: OtlpProtocol,
    endpoint: Option<&str>,
    settings: BatchSettings,
    report: Report,
    guard: &mut Guard,
) -> Result<BoundedBatch, String> {
    let _ = (&endpoint, &settings, &report, &guard);
    match protocol {
        #[cfg(feature = "otlp-grpc")]
        OtlpProtocol::Grpc => {
            let built = {
                let _entered = background_runtime(guard)?.enter();
                let mut builder = opentelemetry_otlp::SpanExporter::builder().with_tonic();
                if let Some(endpoint) = endpoint {
                    builder = builder.with_endpoint(endpoint);
                }
                builder.build()
            };
            let exporter = built.map_err(|e| setup_failed("the OTLP gRPC exporter", e))?;
            Ok(BoundedBatch::new(
                exporter,
                settings,
                grpc_destination(endpoint, TRACES),
                report,
            ))
        }
        #[cfg(feature = "otlp-http")]
        OtlpProtocol::HttpProtobuf => {
            let (client, destination) = http_client(endpoint, TRACES)?;
            let mut builder = opentelemetry_otlp::SpanExporter::builder()
                .with_http()
                .with_protocol(opentelemetry_otlp::Protocol::HttpBinary)
                .with_http_client(client);
            if let Some(endpoint) = endpoint {
                builder = builder.with_endpoint(TRACES.url_from_code(endpoint));
            }
            let exporter = builder
                .build()
                .map_err(|e| setup_failed("the OTLP HTTP exporter", e))?;
            Ok(BoundedBatch::new(exporter, settings, destination, report))
        }
        #[allow(unreachable_patterns)]
        other => Err(format!(
            "OTLP over {other:?} is not compiled in (enable the instrument crate's otlp-grpc or otlp-http feature)"
        )),
    }
}

/// The runtime of the gRPC exporters and the remote sampler's polling: one thread,
/// started by the first that needs it and kept in the guard.
#[cfg(any(feature = "otlp-grpc", feature = "jaeger-remote"))]
pub(crate) fn background_runtime(guard: &mut Guard) -> Result<&tokio::runtime::Runtime, String> {
    if guard.runtime.is_none() {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("instrument-otlp")
            .enable_all()
            .build()
            .map_err(|e| format!("could not start instrument's background runtime: {e}"))?;
        guard.runtime = Some(runtime);
    }
    guard
        .runtime
        .as_ref()
        .ok_or_else(|| "instrument's background runtime is gone".to_owned())
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
    let provider = |exporter, destination| {
        crate::metrics::provider(
            crate::metrics::Reporting::new(exporter, destination, report),
            interval,
            resource,
        )
    };
    match protocol {
        #[cfg(feature = "otlp-grpc")]
        OtlpProtocol::Grpc => {
            let _entered = background_runtime(guard)?.enter();
            let mut builder = opentelemetry_otlp::MetricExporter::builder()
                .with_tonic()
                .with_temporality(temporality);
            if let Some(endpoint) = endpoint {
                builder = builder.with_endpoint(endpoint);
            }
            builder
                .build()
                .map(|exporter| provider(exporter, grpc_destination(endpoint, METRICS)))
                .map_err(|e| setup_failed("the OTLP gRPC metric exporter", e))
        }
        #[cfg(feature = "otlp-http")]
        OtlpProtocol::HttpProtobuf => {
            let (client, destination) = http_client(endpoint, METRICS)?;
            let mut builder = opentelemetry_otlp::MetricExporter::builder()
                .with_http()
                .with_protocol(opentelemetry_otlp::Protocol::HttpBinary)
                .with_temporality(temporality)
                .with_http_client(client);
            if let Some(endpoint) = endpoint {
                builder = builder.with_endpoint(METRICS.url_from_code(endpoint));
            }
            builder
                .build()
                .map(|exporter| provider(exporter, destination))
                .map_err(|e| setup_failed("the OTLP HTTP metric exporter", e))
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
                let _entered = background_runtime(guard)?.enter();
                let mut builder = opentelemetry_otlp::LogExporter::builder().with_tonic();
                if let Some(endpoint) = endpoint {
                    builder = builder.with_endpoint(endpoint);
                }
                builder.build()
            };
            let exporter = built.map_err(|e| setup_failed("the OTLP gRPC log exporter", e))?;
            Ok(crate::logs::provider(
                exporter,
                queue_size,
                grpc_destination(endpoint, LOGS),
                resource,
                report,
            ))
        }
        #[cfg(feature = "otlp-http")]
        OtlpProtocol::HttpProtobuf => {
            let (client, destination) = http_client(endpoint, LOGS)?;
            let mut builder = opentelemetry_otlp::LogExporter::builder()
                .with_http()
                .with_protocol(opentelemetry_otlp::Protocol::HttpBinary)
                .with_http_client(client);
            if let Some(endpoint) = endpoint {
                builder = builder.with_endpoint(LOGS.url_from_code(endpoint));
            }
            let exporter = builder
                .build()
                .map_err(|e| setup_failed("the OTLP HTTP log exporter", e))?;
            Ok(crate::logs::provider(
                exporter,
                queue_size,
                destination,
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

/// One OTLP signal: its path and the variables that configure it.
#[cfg(any(feature = "otlp-grpc", feature = "otlp-http"))]
#[derive(Debug, Clone, Copy)]
#[cfg_attr(
    not(feature = "otlp-http"),
    allow(dead_code, reason = "read by the HTTP transport")
)]
pub(crate) struct Signal {
    /// `traces`, `metrics`, `logs`.
    name: &'static str,
    /// `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, ...
    endpoint_var: &'static str,
    /// `OTEL_EXPORTER_OTLP_TRACES_TIMEOUT`, ...
    timeout_var: &'static str,
}

#[cfg(any(feature = "otlp-grpc", feature = "otlp-http"))]
const TRACES: Signal = Signal {
    name: "traces",
    endpoint_var: "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    timeout_var: "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT",
};
#[cfg(any(feature = "otlp-grpc", feature = "otlp-http"))]
const METRICS: Signal = Signal {
    name: "metrics",
    endpoint_var: "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
    timeout_var: "OTEL_EXPORTER_OTLP_METRICS_TIMEOUT",
};
#[cfg(any(feature = "otlp-grpc", feature = "otlp-http"))]
const LOGS: Signal = Signal {
    name: "logs",
    endpoint_var: "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT",
    timeout_var: "OTEL_EXPORTER_OTLP_LOGS_TIMEOUT",
};

/// `OTEL_EXPORTER_OTLP_TIMEOUT`: how long one export may take, in milliseconds.
pub(crate) const OTEL_EXPORTER_OTLP_TIMEOUT: &str = "OTEL_EXPORTER_OTLP_TIMEOUT";
/// Its default, the specification's.
pub(crate) const DEFAULT_EXPORT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

#[cfg(any(feature = "otlp-grpc", feature = "otlp-http"))]
impl Signal {
    /// The HTTP URL for an endpoint given in code: a base URL, as
    /// `OTEL_EXPORTER_OTLP_ENDPOINT` is (`http://collector:4318`, `https://host/otlp`),
    /// to which this signal's path is added; or the spans' URL, whose `/v1/traces`
    /// becomes this signal's path.
    #[cfg(feature = "otlp-http")]
    fn url_from_code(self, endpoint: &str) -> String {
        let base = endpoint.trim_end_matches('/');
        let base = base.strip_suffix("/v1/traces").unwrap_or(base);
        format!("{base}/v1/{}", self.name)
    }

    /// The HTTP URL the exporter sends to, resolved as it does: code, the signal's
    /// variable (as is), the general one (with the signal's path), the default.
    #[cfg(feature = "otlp-http")]
    fn http_url(self, endpoint: Option<&str>) -> String {
        match (
            endpoint,
            set_var(self.endpoint_var),
            set_var(OTEL_EXPORTER_OTLP_ENDPOINT),
        ) {
            (Some(endpoint), _, _) => self.url_from_code(endpoint),
            (None, Some(url), _) => url,
            (None, None, Some(base)) => format!("{}/v1/{}", base.trim_end_matches('/'), self.name),
            (None, None, None) => format!("http://localhost:4318/v1/{}", self.name),
        }
    }

    /// The gRPC endpoint, resolved the same way (no path).
    #[cfg(feature = "otlp-grpc")]
    fn grpc_url(self, endpoint: Option<&str>) -> String {
        endpoint
            .map(str::to_owned)
            .or_else(|| set_var(self.endpoint_var))
            .or_else(|| set_var(OTEL_EXPORTER_OTLP_ENDPOINT))
            .unwrap_or_else(|| "http://localhost:4317".to_owned())
    }

    /// How long one export may take: the signal's variable, the general one, 10 s.
    #[cfg(feature = "otlp-http")]
    fn timeout(self) -> std::time::Duration {
        export_timeout(Some(self.timeout_var))
    }
}

/// `OTEL_EXPORTER_OTLP_TIMEOUT` (or `signal_var` first), in milliseconds; 10 s when
/// unset or not a number.
pub(crate) fn export_timeout(signal_var: Option<&str>) -> std::time::Duration {
    signal_var
        .into_iter()
        .chain([OTEL_EXPORTER_OTLP_TIMEOUT])
        .find_map(millis_var)
        .unwrap_or(DEFAULT_EXPORT_TIMEOUT)
}

/// `OTEL_EXPORTER_OTLP_ENDPOINT`: where every signal goes unless its own variable says.
pub(crate) const OTEL_EXPORTER_OTLP_ENDPOINT: &str = "OTEL_EXPORTER_OTLP_ENDPOINT";

/// The variable `name`, trimmed, when it is set and not blank.
pub(crate) fn set_var(name: &str) -> Option<String> {
    instrument_core::env::read_var(name)
        .map(|value| value.trim().to_owned())
        .filter(|value| !value.is_empty())
}

/// The variable `name` as whole milliseconds, when it is set to a positive number of
/// them (a zero timeout would fail every export; `EnvSettings` warns of the others).
pub(crate) fn millis_var(name: &str) -> Option<std::time::Duration> {
    crate::settings::positive_millis(&set_var(name)?)
}

/// Why an exporter could not be set up, for a warning: the exporter's error with any
/// URL in it redacted (an endpoint may carry credentials as userinfo).
#[cfg(any(feature = "otlp-grpc", feature = "otlp-http"))]
fn setup_failed(exporter: &str, error: impl std::fmt::Display) -> String {
    let error = error.to_string();
    format!(
        "{exporter} could not be set up: {}",
        instrument_core::redact::redact_urls_in_text(&error)
    )
}

/// An endpoint as reports name it: credentials in its userinfo or query redacted.
#[cfg(any(feature = "otlp-grpc", feature = "otlp-http"))]
fn endpoint_name(protocol: &str, url: &str) -> String {
    format!(
        "the OTLP {protocol} endpoint {}",
        instrument_core::redact::redact_url(url)
    )
}

#[cfg(feature = "otlp-grpc")]
fn grpc_destination(endpoint: Option<&str>, signal: Signal) -> Destination {
    Destination::new(endpoint_name("gRPC", &signal.grpc_url(endpoint)))
}

/// The OTLP HTTP exporters' client, and where it sends, with the cause of its last
/// failed request.
#[cfg(feature = "otlp-http")]
fn http_client(
    endpoint: Option<&str>,
    signal: Signal,
) -> Result<(ExplainingClient, Destination), String> {
    let timeout = signal.timeout();
    // reqwest's blocking client must not be made on an async runtime's thread, and
    // init() may run on one: made on a thread of its own, as the exporter does.
    let inner = std::thread::Builder::new()
        .name("instrument-otlp-client".to_owned())
        .spawn(move || {
            ::reqwest::blocking::Client::builder()
                .timeout(timeout)
                .build()
        })
        .map_err(|e| format!("could not start the OTLP HTTP client: {e}"))?
        .join()
        .map_err(|_| "the OTLP HTTP client could not be made".to_owned())?
        .map_err(|e| format!("the OTLP HTTP client could not be made: {e}"))?;
    let cause = std::sync::Arc::new(crate::export::LastCause::default());
    let destination = Destination::new(endpoint_name("HTTP", &signal.http_url(endpoint)))
        .with_cause(cause.clone());
    Ok((ExplainingClient { inner, cause }, destination))
}

/// reqwest's blocking client, keeping the cause of each failed request for the report
/// (the exporter turns every transport error into "network error").
#[cfg(feature = "otlp-http")]
#[derive(Debug)]
struct ExplainingClient {
    inner: ::reqwest::blocking::Client,
    cause: std::sync::Arc<crate::export::LastCause>,
}

#[cfg(feature = "otlp-http")]
#[async_trait::async_trait]
impl opentelemetry_http::HttpClient for ExplainingClient {
    async fn send_bytes(
        &self,
        request: opentelemetry_http::Request<opentelemetry_http::Bytes>,
    ) -> Result<
        opentelemetry_http::Response<opentelemetry_http::Bytes>,
        opentelemetry_http::HttpError,
    > {
        let result = self.inner.send_bytes(request).await;
        if let Err(error) = &result {
            self.cause.set(root_cause(error.as_ref()));
        }
        result
    }
}

/// The innermost error of `error`'s chain: what actually went wrong ("Connection refused
/// (os error 111)", "operation timed out").
#[cfg(feature = "otlp-http")]
fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut innermost = error;
    while let Some(source) = innermost.source() {
        innermost = source;
    }
    innermost.to_string()
}
