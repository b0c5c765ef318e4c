//! `init()`, its [`Builder`], and the [`Guard`] that flushes on drop.

use std::fmt;
use std::io::IsTerminal as _;

use instrument_core::propagation;
use opentelemetry::propagation::{TextMapCompositePropagator, TextMapPropagator};
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing::Dispatch;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::Layer as _;
use tracing_subscriber::layer::SubscriberExt as _;

use crate::console::{ConsoleWaterfall, Style};
use crate::sampler::Sampling;
use crate::settings::{EnvSettings, Exporter, OtlpProtocol, Propagator};

/// `OTEL_BSP_MAX_QUEUE_SIZE`: spans waiting for export before new ones are dropped.
const OTEL_BSP_MAX_QUEUE_SIZE: &str = "OTEL_BSP_MAX_QUEUE_SIZE";
const DEFAULT_QUEUE_SIZE: usize = 2048;
/// The filter when neither `RUST_LOG` nor [`Builder::log_filter`] says otherwise.
const DEFAULT_FILTER: &str = "info";

/// Targets whose spans and events must never be exported: the exporter's own HTTP and
/// gRPC stacks. Tracing them would export spans about exporting, forever.
const EXPORTER_TARGETS: [&str; 9] = [
    "h2",
    "hyper",
    "hyper_util",
    "tonic",
    "tower::buffer",
    "reqwest",
    "opentelemetry",
    "opentelemetry_sdk",
    "opentelemetry_otlp",
];

/// Why `init()` could not install its subscriber.
#[derive(Debug)]
#[non_exhaustive]
pub enum InitError {
    /// Another global `tracing` subscriber was installed first (by a second `init()`, or by
    /// `tracing_subscriber::fmt::init()`). Use [`Builder::build`] to get the subscriber
    /// without installing it.
    SubscriberAlreadySet,
}

impl fmt::Display for InitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InitError::SubscriberAlreadySet => f.write_str(
                "a global tracing subscriber is already installed; call instrument::init() once, \
                 before any other subscriber, or use instrument::builder().build() to compose your own",
            ),
        }
    }
}

impl std::error::Error for InitError {}

/// Reads the standard OpenTelemetry environment, installs the subscriber and exporter,
/// and returns a [`Guard`] that flushes spans when dropped. Keep the guard alive until
/// the program ends: `let _guard = instrument::init()?;`.
///
/// Settings it cannot use (an unknown exporter, a bad ratio, an endpoint that does not
/// parse) are warned about and replaced by the default; it never panics on them.
pub fn init() -> Result<Guard, InitError> {
    builder().init()
}

/// A [`Builder`] to set in code what the environment would otherwise decide.
pub fn builder() -> Builder {
    Builder::default()
}

/// Settings for [`init`]; each one set here overrides its environment variable.
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct Builder {
    service_name: Option<String>,
    exporter: Option<Exporter>,
    default_exporter: Option<Exporter>,
    protocol: Option<OtlpProtocol>,
    endpoint: Option<String>,
    sampling: Option<Sampling>,
    propagators: Option<Vec<Propagator>>,
    log_filter: Option<String>,
    logs: Option<bool>,
    queue_size: Option<usize>,
}

/// The subscriber and guard made by [`Builder::build`], not yet installed.
#[derive(Debug)]
pub struct Telemetry {
    /// The subscriber: install it with `tracing::dispatcher::set_global_default` or use it
    /// for a scope with `tracing::dispatcher::with_default`.
    pub dispatch: Dispatch,
    /// Flushes and shuts the exporter down when dropped.
    pub guard: Guard,
}

impl Builder {
    /// `service.name` (else `OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`, or the SDK's
    /// `unknown_service`).
    pub fn service_name(mut self, name: impl Into<String>) -> Self {
        self.service_name = Some(name.into());
        self
    }

    /// Where spans go, whatever `OTEL_TRACES_EXPORTER` says.
    pub fn exporter(mut self, exporter: Exporter) -> Self {
        self.exporter = Some(exporter);
        self
    }

    /// Where spans go when `OTEL_TRACES_EXPORTER` is unset (the OTel default is OTLP;
    /// examples use [`Exporter::Console`]). An OTLP endpoint in the environment still
    /// selects OTLP.
    pub fn default_exporter(mut self, exporter: Exporter) -> Self {
        self.default_exporter = Some(exporter);
        self
    }

    /// The OTLP transport (else `OTEL_EXPORTER_OTLP_PROTOCOL`, else HTTP/protobuf).
    pub fn otlp_protocol(mut self, protocol: OtlpProtocol) -> Self {
        self.protocol = Some(protocol);
        self
    }

    /// The OTLP endpoint (else `OTEL_EXPORTER_OTLP_ENDPOINT`, else localhost:4318 for
    /// HTTP and localhost:4317 for gRPC).
    pub fn otlp_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }

    /// Head sampling (else `OTEL_TRACES_SAMPLER`, else parent-based always-on).
    pub fn sampling(mut self, sampling: Sampling) -> Self {
        self.sampling = Some(sampling);
        self
    }

    /// Context propagation formats (else `OTEL_PROPAGATORS`, else trace context and baggage).
    pub fn propagators(mut self, propagators: impl IntoIterator<Item = Propagator>) -> Self {
        self.propagators = Some(propagators.into_iter().collect());
        self
    }

    /// A `tracing` filter in `RUST_LOG` syntax (else `RUST_LOG`, else `info`). It applies to
    /// spans as well as logs: `instrument_sqlx=off` silences sqlx spans.
    pub fn log_filter(mut self, filter: impl Into<String>) -> Self {
        self.log_filter = Some(filter.into());
        self
    }

    /// Whether to print log events to stderr (default: yes).
    pub fn logs(mut self, on: bool) -> Self {
        self.logs = Some(on);
        self
    }

    /// Spans waiting for export before new ones are dropped (else
    /// `OTEL_BSP_MAX_QUEUE_SIZE`, else 2048).
    pub fn queue_size(mut self, spans: usize) -> Self {
        self.queue_size = Some(spans);
        self
    }

    /// Builds and installs the subscriber as the global default, sets the global
    /// propagator and tracer provider, and returns the guard.
    pub fn init(self) -> Result<Guard, InitError> {
        let logs = self.logs_on();
        let Telemetry { dispatch, guard } = self.build_inner();
        tracing::dispatcher::set_global_default(dispatch)
            .map_err(|_| InitError::SubscriberAlreadySet)?;
        // Only now that this init() has won: a failed second call must not replace the
        // provider code using the OpenTelemetry API already holds.
        if let Some(provider) = &guard.provider {
            opentelemetry::global::set_tracer_provider(provider.clone());
        }
        guard.report_warnings(logs);
        Ok(guard)
    }

    /// Builds the subscriber and exporter without installing anything globally but the
    /// propagator (no global subscriber, no global tracer provider): for tests, or to
    /// compose with your own layers.
    pub fn build(self) -> Telemetry {
        let logs = self.logs_on();
        let telemetry = self.build_inner();
        tracing::dispatcher::with_default(&telemetry.dispatch, || {
            telemetry.guard.report_warnings(logs)
        });
        telemetry
    }

    fn logs_on(&self) -> bool {
        self.logs.unwrap_or(true)
    }

    fn build_inner(self) -> Telemetry {
        let env = EnvSettings::from_env();
        let mut warnings = env.warnings.clone();
        // The switches' own reading (once per process), so init() and every wrapper
        // agree; its warnings go out now, on stderr, as no subscriber is installed yet.
        let sdk_disabled = instrument_core::sdk_disabled_by_env();

        let filter_text = self.log_filter.clone().or_else(|| {
            instrument_core::env::read_var("RUST_LOG").filter(|v| !v.trim().is_empty())
        });
        let filter = match filter_text.as_deref().map(EnvFilter::try_new) {
            None => EnvFilter::new(DEFAULT_FILTER),
            Some(Ok(filter)) => filter,
            Some(Err(error)) => {
                warnings.push(format!(
                    "the log filter {:?} (RUST_LOG) does not parse: {error}; using {DEFAULT_FILTER:?}",
                    filter_text.unwrap_or_default()
                ));
                EnvFilter::new(DEFAULT_FILTER)
            }
        };

        let fmt_layer = self.logs_on().then(|| {
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                .with_ansi(
                    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
                )
        });

        let mut guard = Guard::default();
        let otel_layer = if sdk_disabled {
            None
        } else {
            let provider = self.provider(&env, &mut warnings, &mut guard);
            let propagators = self.propagators.clone().or(env.propagators.clone());
            opentelemetry::global::set_text_map_propagator(composite_propagator(propagators));
            let tracer = provider.tracer("instrument");
            guard.provider = Some(provider);
            Some(instrument_core::otel_layer(tracer).with_filter(
                tracing_subscriber::filter::filter_fn(|metadata| {
                    instrument_core::exported(metadata)
                        && !EXPORTER_TARGETS.iter().any(|target| {
                            instrument_core::target_is_within(metadata.target(), target)
                        })
                }),
            ))
        };
        guard.warnings = warnings;

        let subscriber = tracing_subscriber::registry()
            .with(filter)
            .with(fmt_layer)
            .with(otel_layer);
        Telemetry {
            dispatch: Dispatch::new(subscriber),
            guard,
        }
    }

    fn provider(
        &self,
        env: &EnvSettings,
        warnings: &mut Vec<String>,
        guard: &mut Guard,
    ) -> SdkTracerProvider {
        let mut resource = Resource::builder();
        if let Some(name) = &self.service_name {
            resource = resource.with_service_name(name.clone());
        }
        let sampling = self
            .sampling
            .clone()
            .or(env.sampling.clone())
            .unwrap_or_default();
        let mut provider = SdkTracerProvider::builder()
            .with_resource(resource.build())
            .with_sampler(sampling.into_sampler());

        let endpoint_in_env = instrument_core::env::read_var("OTEL_EXPORTER_OTLP_ENDPOINT")
            .or_else(|| instrument_core::env::read_var("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"))
            .is_some_and(|v| !v.trim().is_empty());
        let exporter = choose_exporter(
            self.exporter,
            env.exporter,
            self.default_exporter,
            endpoint_in_env || self.endpoint.is_some(),
        );
        match exporter {
            Exporter::None => {}
            Exporter::Console => {
                provider = provider.with_span_processor(ConsoleWaterfall::new(Style::from_env()));
            }
            Exporter::Otlp => {
                let protocol = self
                    .protocol
                    .or(env.protocol)
                    .unwrap_or(OtlpProtocol::HttpProtobuf);
                let queue = self.resolved_queue_size(warnings);
                let report = if self.logs_on() {
                    instrument_core::warn_config
                } else {
                    instrument_core::warn_on_stderr
                };
                match crate::otlp::processor(
                    protocol,
                    self.endpoint.as_deref(),
                    queue,
                    report,
                    guard,
                ) {
                    Ok(processor) => provider = provider.with_span_processor(processor),
                    Err(problem) => warnings.push(format!(
                        "{problem}; spans will not be exported. Check OTEL_EXPORTER_OTLP_ENDPOINT and \
                         OTEL_EXPORTER_OTLP_PROTOCOL"
                    )),
                }
            }
        }
        provider.build()
    }

    fn resolved_queue_size(&self, warnings: &mut Vec<String>) -> usize {
        if let Some(size) = self.queue_size {
            return size.max(1);
        }
        match instrument_core::env::read_var(OTEL_BSP_MAX_QUEUE_SIZE)
            .map(|v| v.trim().parse::<usize>())
        {
            None => DEFAULT_QUEUE_SIZE,
            Some(Ok(size)) if size > 0 => size,
            Some(_) => {
                warnings.push(format!(
                    "{OTEL_BSP_MAX_QUEUE_SIZE} is not a positive whole number; using {DEFAULT_QUEUE_SIZE}"
                ));
                DEFAULT_QUEUE_SIZE
            }
        }
    }
}

/// Code over environment; without either, a configured OTLP endpoint means OTLP, then
/// the builder's default, then the OpenTelemetry default (OTLP).
fn choose_exporter(
    in_code: Option<Exporter>,
    in_env: Option<Exporter>,
    default: Option<Exporter>,
    endpoint_configured: bool,
) -> Exporter {
    in_code.or(in_env).unwrap_or(match default {
        Some(_) if endpoint_configured => Exporter::Otlp,
        Some(default) => default,
        None => Exporter::Otlp,
    })
}

fn composite_propagator(propagators: Option<Vec<Propagator>>) -> TextMapCompositePropagator {
    let chosen = propagators.unwrap_or_else(|| vec![Propagator::TraceContext, Propagator::Baggage]);
    let propagators: Vec<Box<dyn TextMapPropagator + Send + Sync>> = chosen
        .into_iter()
        .map(|p| -> Box<dyn TextMapPropagator + Send + Sync> {
            match p {
                Propagator::TraceContext => Box::new(propagation::TraceContextPropagator::new()),
                Propagator::Baggage => Box::new(propagation::BaggagePropagator::new()),
            }
        })
        .collect();
    TextMapCompositePropagator::new(propagators)
}

/// Keeps the exporter alive; dropping it flushes the spans still queued and shuts the
/// exporter down. Safe to drop inside or outside an async runtime.
#[derive(Default)]
pub struct Guard {
    provider: Option<SdkTracerProvider>,
    #[cfg(feature = "otlp-grpc")]
    pub(crate) runtime: Option<tokio::runtime::Runtime>,
    warnings: Vec<String>,
}

impl fmt::Debug for Guard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Guard")
            .field("exporting", &self.provider.is_some())
            .field("warnings", &self.warnings)
            .finish()
    }
}

impl Guard {
    /// The configuration problems found while setting up, each already reported once.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Is an OpenTelemetry pipeline installed (false under `OTEL_SDK_DISABLED=true`)?
    pub fn is_tracing(&self) -> bool {
        self.provider.is_some()
    }

    /// Exports every finished span now.
    pub fn flush(&self) {
        if let Some(provider) = &self.provider {
            let _ = provider.force_flush();
        }
    }

    /// Each warning once: as a log event when logs are printed, else on stderr, so a
    /// rejected setting is never silent.
    fn report_warnings(&self, logs: bool) {
        for warning in &self.warnings {
            if logs {
                instrument_core::warn_config(warning);
            } else {
                instrument_core::warn_on_stderr(warning);
            }
        }
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        if let Some(provider) = self.provider.take() {
            // Shutting down flushes; the batch thread owns the exporter, so a blocking
            // HTTP client is never dropped on an async runtime's thread.
            let _ = provider.shutdown();
        }
        #[cfg(feature = "otlp-grpc")]
        if let Some(runtime) = self.runtime.take() {
            // `shutdown_background` never blocks, so dropping the guard inside
            // `#[tokio::main]` cannot panic.
            runtime.shutdown_background();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_exporter_is_chosen_by_code_then_env_then_endpoint_then_default() {
        use Exporter::{Console, None as Off, Otlp};
        assert_eq!(
            choose_exporter(Some(Off), Some(Console), Some(Console), true),
            Off
        );
        assert_eq!(
            choose_exporter(None, Some(Console), Some(Off), true),
            Console
        );
        assert_eq!(choose_exporter(None, None, Some(Console), true), Otlp);
        assert_eq!(choose_exporter(None, None, Some(Console), false), Console);
        assert_eq!(choose_exporter(None, None, None, false), Otlp);
    }
}
