//! `init()`, its [`Builder`], and the [`Guard`] that flushes on drop.

use instrument_core::redact::QueryRedaction;
use std::fmt;
use std::io::IsTerminal as _;

use instrument_core::propagation;
use opentelemetry::KeyValue;
use opentelemetry::propagation::{TextMapCompositePropagator, TextMapPropagator};
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::logs::{LogExporter, SdkLoggerProvider};
use opentelemetry_sdk::metrics::exporter::PushMetricExporter;
use opentelemetry_sdk::metrics::{SdkMeterProvider, Temporality};
use opentelemetry_sdk::resource::TelemetryResourceDetector;
use opentelemetry_sdk::trace::{SdkTracerProvider, SpanExporter, SpanProcessor};
use tracing::{Dispatch, Subscriber};
use tracing_subscriber::filter::{FilterExt as _, LevelFilter};
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::{EnvFilter, Layer};

use crate::export::{BatchSettings, BoundedBatch, Destination, Report};

use crate::console::{ConsoleWaterfall, Style};
use crate::log_lines::{LogFormat, WithTraceIds};
use crate::sampler::Sampling;
use crate::settings::{EnvSettings, Exporter, OtlpProtocol, Propagator};

/// `OTEL_BSP_MAX_QUEUE_SIZE`: spans waiting for export before new ones are dropped.
const OTEL_BSP_MAX_QUEUE_SIZE: &str = "OTEL_BSP_MAX_QUEUE_SIZE";
/// `OTEL_SERVICE_NAME`: the service's name, over any `service.name` in
/// `OTEL_RESOURCE_ATTRIBUTES`.
const OTEL_SERVICE_NAME: &str = "OTEL_SERVICE_NAME";
/// The filter when neither `RUST_LOG` nor [`Builder::log_filter`] says otherwise.
const DEFAULT_FILTER: &str = "info";
/// Which of the application's own `tracing` spans and events are exported, in
/// `RUST_LOG` syntax; never the log output, never this project's spans.
const OTEL_RUST_TRACING_FILTER: &str = "OTEL_RUST_TRACING_FILTER";

/// The service's name when nothing names it: `unknown_service:` and the executable's
/// name, as the specification (and the SDK's own detector) has it.
fn unknown_service() -> String {
    std::env::current_exe()
        .ok()
        .and_then(|path| path.file_name()?.to_str().map(str::to_owned))
        .map_or_else(
            || "unknown_service".to_owned(),
            |exe| format!("unknown_service:{exe}"),
        )
}

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

/// What `init()` exports, as a layer for a subscriber you compose yourself, with the
/// guard that flushes it: [`Builder::layer`] with every setting from the environment.
pub fn layer<S>() -> (ExportLayer<S>, Guard)
where
    S: Subscriber + for<'span> LookupSpan<'span> + Send + Sync,
{
    builder().layer()
}

/// A [`Builder`] to set in code what the environment would otherwise decide.
pub fn builder() -> Builder {
    Builder::default()
}

/// Settings for [`init`]; each one set here overrides its environment variable.
#[derive(Debug, Default)]
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
    tracing_filter: Option<String>,
    logs: Option<bool>,
    queue_size: Option<usize>,
    custom_exporter: Option<CustomExporter>,
    metrics_exporter: Option<Exporter>,
    custom_metric_exporter: Option<CustomMetricExporter>,
    metric_interval: Option<std::time::Duration>,
    metrics_temporality: Option<Temporality>,
    logs_exporter: Option<Exporter>,
    custom_log_exporter: Option<CustomLogExporter>,
    log_format: Option<LogFormat>,
    /// Where [`provider`](Self::provider) sent the spans; `None` for an exporter given
    /// in code.
    spans_went: Option<Exporter>,
    extra_processors: Vec<Box<dyn SpanProcessor>>,
    query_redaction: Option<QueryRedaction>,
}

/// A span exporter given in code, batched when the pipeline is built (the batch settings
/// are only known then).
struct CustomExporter(Box<dyn FnOnce(BatchSettings, Report) -> BoundedBatch + Send>);

/// A log exporter given in code: builds the logger provider for a queue size, a
/// resource and a reporter of drops and failures.
struct CustomLogExporter(Box<dyn FnOnce(usize, Resource, Report) -> SdkLoggerProvider + Send>);

impl fmt::Debug for CustomLogExporter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CustomLogExporter")
    }
}

/// A metric exporter given in code: builds the meter provider for an interval and resource.
struct CustomMetricExporter(
    Box<dyn FnOnce(std::time::Duration, Resource) -> SdkMeterProvider + Send>,
);

impl fmt::Debug for CustomMetricExporter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CustomMetricExporter")
    }
}

impl fmt::Debug for CustomExporter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CustomExporter")
    }
}

/// The subscriber and guard made by [`Builder::build`], not yet installed.
#[derive(Debug)]
pub struct Telemetry {
    /// The subscriber for `tracing` (log output and the application's own spans).
    pub dispatch: Dispatch,
    /// Flushes and shuts the exporter down when dropped.
    pub guard: Guard,
    /// The OpenTelemetry context that sends this project's spans to this pipeline.
    context: opentelemetry::Context,
}

impl Telemetry {
    /// Runs `f` with this pipeline in charge: its subscriber the thread's default, and
    /// its tracer the one for the spans of the instrumented clients.
    pub fn in_scope<T>(&self, f: impl FnOnce() -> T) -> T {
        let _context = self.context.clone().attach();
        tracing::dispatcher::with_default(&self.dispatch, f)
    }

    /// The OpenTelemetry context that sends this project's spans to this pipeline: attach
    /// it (or wrap a future with `opentelemetry::context::FutureExt::with_context`)
    /// around the code whose calls it should trace.
    pub fn context(&self) -> &opentelemetry::Context {
        &self.context
    }
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
    /// HTTP and localhost:4317 for gRPC). Over HTTP it is a base URL, as the variable
    /// is: each signal's path (`/v1/traces`, `/v1/metrics`, `/v1/logs`) is added to it,
    /// and a URL that already ends in `/v1/traces` has that path replaced. Given here,
    /// it is used for every signal, over the per-signal variables.
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

    /// The log output's filter, in `RUST_LOG` syntax (else `RUST_LOG`, else `info`). It
    /// filters log lines only, never what is traced.
    pub fn log_filter(mut self, filter: impl Into<String>) -> Self {
        self.log_filter = Some(filter.into());
        self
    }

    /// Which of the application's own `tracing` spans and events are exported, in
    /// `RUST_LOG` syntax (else `OTEL_RUST_TRACING_FILTER`, else `info`). The spans of the
    /// instrumented clients are not `tracing` spans: no filter applies to them (switch a
    /// library off with `OTEL_RUST_DISABLED_INSTRUMENTATIONS`). Other libraries' events
    /// never become span events, whatever it says; with log export on
    /// ([`logs_exporter`](Self::logs_exporter)), they become log records only when it
    /// names their target (`info,sqlx=warn`), since they can quote statements and values.
    pub fn tracing_filter(mut self, filter: impl Into<String>) -> Self {
        self.tracing_filter = Some(filter.into());
        self
    }

    /// Sends spans to `exporter` instead of the one `OTEL_TRACES_EXPORTER` would choose,
    /// batched as the OTLP exporter is (bounded queue, drops counted and reported): a
    /// backend of your own, or a benchmark of the real pipeline. Metrics then go where
    /// [`metrics_exporter`](Self::metrics_exporter) or `OTEL_METRICS_EXPORTER` says, or
    /// to [`metric_exporter`](Self::metric_exporter)'s; with none of them, nowhere.
    pub fn span_exporter<E: SpanExporter + 'static>(mut self, exporter: E) -> Self {
        self.custom_exporter = Some(CustomExporter(Box::new(move |settings, report| {
            BoundedBatch::new(
                exporter,
                settings,
                Destination::new("the configured span exporter"),
                report,
            )
        })));
        self
    }

    /// Where the calls' metrics go (else `OTEL_METRICS_EXPORTER`, else where the spans
    /// go): [`Exporter::Otlp`], [`Exporter::Console`] (a table per operation when the
    /// guard is dropped) or [`Exporter::None`] (no metric is recorded at all).
    pub fn metrics_exporter(mut self, exporter: Exporter) -> Self {
        self.metrics_exporter = Some(exporter);
        self
    }

    /// Sends the calls' metrics to `exporter` instead of the one the environment names
    /// (a backend of your own, or a test's in-memory exporter).
    pub fn metric_exporter<E: PushMetricExporter>(mut self, exporter: E) -> Self {
        self.custom_metric_exporter =
            Some(CustomMetricExporter(Box::new(move |interval, resource| {
                crate::metrics::provider(exporter, interval, resource)
            })));
        self
    }

    /// How often metrics are exported (else `OTEL_METRIC_EXPORT_INTERVAL`, else 60 s).
    pub fn metric_export_interval(mut self, interval: std::time::Duration) -> Self {
        self.metric_interval = Some(interval);
        self
    }

    /// The temporality of OTLP metrics (else
    /// `OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE`, else cumulative).
    pub fn metrics_temporality(mut self, temporality: Temporality) -> Self {
        self.metrics_temporality = Some(temporality);
        self
    }

    /// Adds a span processor beside the exporter: it sees every span this pipeline
    /// records, at start and at end.
    pub fn span_processor<P: SpanProcessor + 'static>(mut self, processor: P) -> Self {
        self.extra_processors.push(Box::new(processor));
        self
    }

    /// Whether to print log events to stderr (default: yes).
    pub fn logs(mut self, on: bool) -> Self {
        self.logs = Some(on);
        self
    }

    /// How log lines are written (else `OTEL_RUST_LOG_FORMAT`, else plain): either way,
    /// a line written inside a traced context carries its `trace_id` and `span_id`.
    pub fn log_format(mut self, format: LogFormat) -> Self {
        self.log_format = Some(format);
        self
    }

    /// Where the application's `tracing` events go as OpenTelemetry log records (else
    /// `OTEL_LOGS_EXPORTER`, else nowhere): [`Exporter::Otlp`] (beside the spans),
    /// [`Exporter::Console`] (each record on stderr) or [`Exporter::None`]. Which events,
    /// and the privacy rules: see [`Builder::tracing_filter`].
    pub fn logs_exporter(mut self, exporter: Exporter) -> Self {
        self.logs_exporter = Some(exporter);
        self
    }

    /// Sends the log records to `exporter` instead of the one the environment names,
    /// batched as the OTLP exporter is (bounded queue of `OTEL_BLRP_MAX_QUEUE_SIZE`,
    /// drops counted and reported).
    pub fn log_exporter<E: LogExporter + 'static>(mut self, exporter: E) -> Self {
        self.custom_log_exporter = Some(CustomLogExporter(Box::new(
            move |queue, resource, report| {
                crate::logs::provider(
                    exporter,
                    queue,
                    Destination::new("the configured log exporter"),
                    resource,
                    report,
                )
            },
        )));
        self
    }

    /// Spans waiting for export before new ones are dropped (else
    /// `OTEL_BSP_MAX_QUEUE_SIZE`, else 2048).
    pub fn queue_size(mut self, spans: usize) -> Self {
        self.queue_size = Some(spans);
        self
    }

    /// Redacts the values of these query keys too, in `url.full`, `url.query` and the
    /// URLs of recorded errors, besides the built-in credential names (tokens, keys,
    /// secrets, passwords, sessions, signatures). Keys are compared after
    /// percent-decoding, ignoring case, `-` and `_`. Overrides
    /// `OTEL_RUST_REDACTED_QUERY_KEYS`; applies to the whole process (like the
    /// propagator) from [`init`](Self::init), [`layer`](Self::layer) or
    /// [`build`](Self::build).
    pub fn redact_query_keys<I, K>(mut self, keys: I) -> Self
    where
        I: IntoIterator<Item = K>,
        K: AsRef<str>,
    {
        let keys = keys
            .into_iter()
            .map(|key| key.as_ref().to_owned())
            .collect();
        self.query_redaction = Some(QueryRedaction::SensitiveKeys(keys));
        self
    }

    /// Redacts every query value, keeping only the keys (`OTEL_RUST_REDACTED_QUERY_KEYS=*`).
    pub fn redact_all_query_values(mut self) -> Self {
        self.query_redaction = Some(QueryRedaction::AllValues);
        self
    }

    /// The process-wide settings of this builder that are not part of a pipeline.
    fn apply_process_settings(&mut self) {
        if let Some(redaction) = self.query_redaction.take() {
            instrument_core::redact::set_query_redaction(redaction);
        }
    }

    /// Builds and installs the subscriber as the global default, sets the global
    /// propagator and tracer provider, and returns the guard.
    pub fn init(mut self) -> Result<Guard, InitError> {
        // The redaction applies from the start (set-up warnings quote endpoints), and is
        // put back if this init() loses.
        let before = self
            .query_redaction
            .is_some()
            .then(instrument_core::redact::query_redaction);
        self.apply_process_settings();
        let report = self.report();
        let Telemetry {
            dispatch,
            mut guard,
            ..
        } = self.build_inner();
        if tracing::dispatcher::set_global_default(dispatch).is_err() {
            if let Some(before) = before {
                instrument_core::redact::set_query_redaction(before);
            }
            return Err(InitError::SubscriberAlreadySet);
        }
        // Only now that this init() has won: a failed second call must not replace the
        // provider or propagator code already relies on.
        guard.install();
        guard.report_warnings(report);
        Ok(guard)
    }

    /// What `init()` exports, as a layer for a subscriber you compose yourself
    /// (`registry().with(your_fmt).with(layer)`), with its filters: the application's own
    /// `tracing` spans and events through the tracing filter, other libraries' events
    /// never. The pipeline's tracer provider is installed for the process, as `init()`
    /// does, so the instrumented clients' spans go to it. Log output is yours to add.
    ///
    /// ```
    /// use tracing_subscriber::layer::SubscriberExt as _;
    ///
    /// let (layer, _guard) = instrument::builder().layer();
    /// let subscriber = tracing_subscriber::registry()
    ///     .with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr))
    ///     .with(layer);
    /// tracing::subscriber::with_default(subscriber, || {
    ///     tracing::info_span!("checkout").in_scope(|| { /* traced calls */ });
    /// });
    /// ```
    pub fn layer<S>(mut self) -> (ExportLayer<S>, Guard)
    where
        S: Subscriber + for<'span> LookupSpan<'span> + Send + Sync,
    {
        self.apply_process_settings();
        let env = EnvSettings::from_env();
        let mut warnings = env.warnings.clone();
        let mut guard = Guard::default();
        let layer = self.export_layer(&env, &mut warnings, &mut guard);
        guard.warnings = warnings;
        guard.install();
        guard.report_warnings(self.report());
        (layer, guard)
    }

    /// Builds the subscriber and exporter without installing anything globally but the
    /// propagator (no global subscriber, no global tracer provider): for tests, or to
    /// compose with your own layers.
    pub fn build(mut self) -> Telemetry {
        self.apply_process_settings();
        let report = self.report();
        let mut telemetry = self.build_inner();
        telemetry.guard.install_propagator();
        telemetry.in_scope(|| telemetry.guard.report_warnings(report));
        telemetry
    }

    fn logs_on(&self) -> bool {
        self.logs.unwrap_or(true)
    }

    fn build_inner(mut self) -> Telemetry {
        let env = EnvSettings::from_env();
        let mut warnings = env.warnings.clone();

        let filter_text = self.log_filter.clone().or_else(|| {
            instrument_core::env::read_var("RUST_LOG").filter(|v| !v.trim().is_empty())
        });
        let log_filter = parse_filter(filter_text, "RUST_LOG", &mut warnings);
        let format = self.log_format.or(env.log_format).unwrap_or_default();
        let fmt_layer = self
            .logs_on()
            .then(|| log_output(format).with_filter(log_filter));

        let mut guard = Guard::default();
        let export_layer = self.export_layer(&env, &mut warnings, &mut guard);
        guard.warnings = warnings;

        let context = match &guard.provider {
            Some(provider) => match &guard.meters {
                Some(meters) => instrument_core::emit::scoped_context_with_meters(provider, meters),
                None => instrument_core::emit::scoped_context(provider),
            },
            None => opentelemetry::Context::current(),
        };
        let subscriber = tracing_subscriber::registry()
            .with(fmt_layer)
            .with(export_layer);
        Telemetry {
            dispatch: Dispatch::new(subscriber),
            guard,
            context,
        }
    }

    /// The tracer provider (kept in `guard`), the global propagator, and the layer that
    /// exports the application's own `tracing` spans; nothing under
    /// `OTEL_SDK_DISABLED=true`.
    fn export_layer<S>(
        &mut self,
        env: &EnvSettings,
        warnings: &mut Vec<String>,
        guard: &mut Guard,
    ) -> ExportLayer<S>
    where
        S: Subscriber + for<'span> LookupSpan<'span> + Send + Sync,
    {
        // The switches' own reading (once per process), so init() and every wrapper
        // agree; its warnings go out now, on stderr, as no subscriber is installed yet.
        if instrument_core::sdk_disabled_by_env() {
            return None;
        }
        // One resource for the three signals.
        let resource = self.resource(&env.resource_attributes);
        let provider = self.provider(env, &resource, warnings, guard);
        let propagators = self.propagators.clone().or(env.propagators.clone());
        guard.propagator = Some(composite_propagator(propagators));
        let tracer = provider.tracer("instrument");
        guard.provider = Some(provider);
        guard.meters = self.meter_provider(env, &resource, warnings, guard);
        let filter_text = self.tracing_filter.clone().or_else(|| {
            instrument_core::env::read_var(OTEL_RUST_TRACING_FILTER)
                .filter(|v| !v.trim().is_empty())
        });
        let span_levels = parse_filter(filter_text.clone(), OTEL_RUST_TRACING_FILTER, warnings);
        // Parsed twice (an `EnvFilter` is not `Clone`); its warning, once.
        let event_levels = parse_filter(
            filter_text.clone(),
            OTEL_RUST_TRACING_FILTER,
            &mut Vec::new(),
        );
        // Each with the widest level hint, so that combined (`and` takes the narrower
        // hint, and none when either has none) the level filter's hint stands: tracing
        // then skips the callsites of other levels with one comparison.
        let spans = tracing_subscriber::filter::filter_fn(|metadata| {
            metadata.is_span() && !is_exporter_target(metadata)
        })
        .with_max_level_hint(LevelFilter::TRACE);
        let own_events = tracing_subscriber::filter::filter_fn(|metadata| {
            metadata.is_event()
                && instrument_core::exported(metadata)
                && !is_exporter_target(metadata)
        })
        .with_max_level_hint(LevelFilter::TRACE);
        let in_flight = crate::in_flight::InFlight::default();
        guard.in_flight = Some(in_flight.clone());
        let layer = instrument_core::otel_layer(tracer)
            .and_then(in_flight)
            .with_filter(span_levels.and(spans))
            .and_then(instrument_core::SpanEvents::new().with_filter(event_levels.and(own_events)));
        guard.loggers = self.logger_provider(env, &resource, warnings, guard);
        let Some(loggers) = &guard.loggers else {
            return Some(Box::new(layer));
        };
        // The application's events, and another library's only where the filter names it
        // (a filter rejected whole names none: the default stands for it).
        let named = crate::logs::named_targets(
            filter_text
                .as_deref()
                .filter(|text| EnvFilter::try_new(text).is_ok()),
        );
        let logged = tracing_subscriber::filter::filter_fn(move |metadata| {
            metadata.is_event()
                && !is_exporter_target(metadata)
                && (instrument_core::exported(metadata)
                    || named
                        .iter()
                        .any(|target| instrument_core::target_is_within(metadata.target(), target)))
        })
        .with_max_level_hint(LevelFilter::TRACE);
        let log_levels = parse_filter(filter_text, OTEL_RUST_TRACING_FILTER, &mut Vec::new());
        Some(Box::new(
            layer.and_then(
                opentelemetry_appender_tracing::layer::OpenTelemetryTracingBridge::new(loggers)
                    .with_filter(log_levels.and(logged)),
            ),
        ))
    }

    /// The logger provider for the application's events as log records, `None` when they
    /// go nowhere (the default).
    fn logger_provider(
        &mut self,
        env: &EnvSettings,
        resource: &Resource,
        warnings: &mut Vec<String>,
        guard: &mut Guard,
    ) -> Option<SdkLoggerProvider> {
        if let Some(CustomLogExporter(build)) = self.custom_log_exporter.take() {
            let queue =
                crate::export::queue_size_from(crate::logs::OTEL_BLRP_MAX_QUEUE_SIZE, warnings);
            return Some(build(queue, resource.clone(), self.report()));
        }
        match self.logs_exporter.or(env.logs_exporter)? {
            Exporter::None => None,
            Exporter::Console => Some(crate::logs::console_provider(resource.clone())),
            Exporter::Otlp => {
                let protocol = self
                    .protocol
                    .or(env.logs_protocol)
                    .unwrap_or(OtlpProtocol::HttpProtobuf);
                let queue =
                    crate::export::queue_size_from(crate::logs::OTEL_BLRP_MAX_QUEUE_SIZE, warnings);
                match crate::otlp::logger_provider(
                    protocol,
                    self.endpoint.as_deref(),
                    queue,
                    resource.clone(),
                    self.report(),
                    guard,
                ) {
                    Ok(provider) => Some(provider),
                    Err(problem) => {
                        warnings.push(format!(
                            "{problem}; log records will not be exported. Check \
                             OTEL_EXPORTER_OTLP_ENDPOINT and OTEL_EXPORTER_OTLP_PROTOCOL"
                        ));
                        None
                    }
                }
            }
        }
    }

    fn provider(
        &mut self,
        env: &EnvSettings,
        resource: &Resource,
        warnings: &mut Vec<String>,
        guard: &mut Guard,
    ) -> SdkTracerProvider {
        let sampling = self
            .sampling
            .clone()
            .or(env.sampling.clone())
            .unwrap_or_default();
        let report = self.report();
        let sampler = sampling
            .into_sampler(&mut |remote| remote_sampler(remote, resource, report, guard, warnings));
        let mut provider = SdkTracerProvider::builder()
            .with_resource(resource.clone())
            .with_sampler(sampler);

        // An empty variable is an unset one: it must not hide the other.
        let endpoint_in_env = crate::otlp::set_var(crate::otlp::OTEL_EXPORTER_OTLP_ENDPOINT)
            .or_else(|| crate::otlp::set_var("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"))
            .is_some();
        for processor in std::mem::take(&mut self.extra_processors) {
            provider = provider.with_span_processor(BoxedProcessor(processor));
        }
        if let Some(CustomExporter(batch)) = self.custom_exporter.take() {
            self.spans_went = None;
            let settings = self.batch_settings(warnings);
            return provider
                .with_span_processor(batch(settings, self.report()))
                .build();
        }
        let exporter = choose_exporter(
            self.exporter,
            env.exporter,
            self.default_exporter,
            endpoint_in_env || self.endpoint.is_some(),
        );
        self.spans_went = Some(exporter);
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
                let settings = self.batch_settings(warnings);
                match crate::otlp::processor(
                    protocol,
                    self.endpoint.as_deref(),
                    settings,
                    self.report(),
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

    /// The resource of the exported spans, metrics and logs: the SDK's own attributes,
    /// `OTEL_RESOURCE_ATTRIBUTES`, and the service's name (from code, else
    /// `OTEL_SERVICE_NAME`, else `service.name` among the attributes, else
    /// `unknown_service:` and the executable's name).
    ///
    /// Not the SDK's `Resource::builder()`: its environment detector reads
    /// `OTEL_RESOURCE_ATTRIBUTES` without percent-decoding it, silently drops entries
    /// that do not parse, and runs last, so that its `service.name` would win over
    /// `OTEL_SERVICE_NAME` (the specification says the other way round).
    fn resource(&self, attributes: &[(String, String)]) -> Resource {
        let from_attributes = attributes
            .iter()
            .find(|(key, _)| key == "service.name")
            .map(|(_, name)| name.clone());
        let name = self
            .service_name
            .clone()
            .or_else(|| crate::otlp::set_var(OTEL_SERVICE_NAME))
            .or(from_attributes)
            .unwrap_or_else(unknown_service);
        Resource::builder_empty()
            .with_detectors(&[Box::new(TelemetryResourceDetector)])
            .with_attributes(
                attributes
                    .iter()
                    .map(|(key, value)| KeyValue::new(key.clone(), value.clone())),
            )
            .with_service_name(name)
            .build()
    }

    /// The meter provider for the calls' metrics, `None` when they go nowhere (then no
    /// metric is recorded at all). Called after [`provider`](Self::provider), whose
    /// exporter is the default.
    fn meter_provider(
        &mut self,
        env: &EnvSettings,
        resource: &Resource,
        warnings: &mut Vec<String>,
        guard: &mut Guard,
    ) -> Option<SdkMeterProvider> {
        let interval = self
            .metric_interval
            .or(env.metric_interval)
            .unwrap_or(crate::metrics::DEFAULT_INTERVAL);
        if let Some(CustomMetricExporter(build)) = self.custom_metric_exporter.take() {
            return Some(build(interval, resource.clone()));
        }
        // Unset: where the spans went; nowhere when they went to an exporter of the
        // application's own.
        let exporter = self
            .metrics_exporter
            .or(env.metrics_exporter)
            .or(self.spans_went)?;
        match exporter {
            Exporter::None => None,
            Exporter::Console => Some(crate::metrics::provider(
                crate::metrics::ConsoleMetrics::default(),
                interval,
                resource.clone(),
            )),
            Exporter::Otlp => {
                let protocol = self
                    .protocol
                    .or(env.metrics_protocol)
                    .unwrap_or(OtlpProtocol::HttpProtobuf);
                let temporality = self
                    .metrics_temporality
                    .or(env.temporality)
                    .unwrap_or_default();
                match crate::otlp::meter_provider(
                    protocol,
                    self.endpoint.as_deref(),
                    temporality,
                    interval,
                    resource.clone(),
                    self.report(),
                    guard,
                ) {
                    Ok(provider) => Some(provider),
                    Err(problem) => {
                        warnings.push(format!(
                            "{problem}; metrics will not be exported. Check \
                             OTEL_EXPORTER_OTLP_ENDPOINT and OTEL_EXPORTER_OTLP_PROTOCOL"
                        ));
                        None
                    }
                }
            }
        }
    }

    /// Where run-time warnings go: the log when one is printed, else stderr.
    fn report(&self) -> Report {
        if self.logs_on() {
            instrument_core::warn_config
        } else {
            instrument_core::warn_on_stderr
        }
    }

    /// How spans are batched: the queue size given in code (else
    /// `OTEL_BSP_MAX_QUEUE_SIZE`), the batch size and delay from the environment.
    fn batch_settings(&self, warnings: &mut Vec<String>) -> BatchSettings {
        let queue = match self.queue_size {
            Some(size) => size.max(1),
            None => crate::export::queue_size_from(OTEL_BSP_MAX_QUEUE_SIZE, warnings),
        };
        BatchSettings::from_env(queue, warnings)
    }
}

/// Is this the exporter's own HTTP or gRPC stack, never to be exported?
fn is_exporter_target(metadata: &tracing::Metadata<'_>) -> bool {
    EXPORTER_TARGETS
        .iter()
        .any(|target| instrument_core::target_is_within(metadata.target(), target))
}

/// `text` as a `tracing` filter, else the default with a warning naming `variable`.
fn parse_filter(text: Option<String>, variable: &str, warnings: &mut Vec<String>) -> EnvFilter {
    match text.as_deref().map(EnvFilter::try_new) {
        None => EnvFilter::new(DEFAULT_FILTER),
        Some(Ok(filter)) => filter,
        Some(Err(error)) => {
            warnings.push(format!(
                "the filter {:?} ({variable}) does not parse: {error}; using {DEFAULT_FILTER:?}",
                text.unwrap_or_default()
            ));
            EnvFilter::new(DEFAULT_FILTER)
        }
    }
}

/// The exporting layer of [`Builder::layer`]: the application's own `tracing` spans and
/// events to OpenTelemetry, with their filters; `None` under `OTEL_SDK_DISABLED=true`.
/// Both an `Option` and a boxed layer are layers, so it goes straight into `.with(...)`.
pub type ExportLayer<S> = Option<Box<dyn Layer<S> + Send + Sync + 'static>>;

/// The remote sampler `remote` asks for, for the service `resource` names; a warning
/// and its initial rate when it cannot be made.
fn remote_sampler(
    remote: crate::sampler::RemoteSampling,
    resource: &Resource,
    report: Report,
    guard: &mut Guard,
    warnings: &mut Vec<String>,
) -> Box<dyn opentelemetry_sdk::trace::ShouldSample> {
    let initial = remote.initial_sampling_rate;
    let _ = (resource, report, &guard);
    #[cfg(feature = "jaeger-remote")]
    {
        let service = resource
            .get(&opentelemetry::Key::from_static_str("service.name"))
            .map_or_else(|| "unknown_service".to_owned(), |name| name.to_string());
        match crate::remote_sampler::sampler(remote, &service, report, guard) {
            Ok(sampler) => return sampler,
            Err(problem) => {
                warnings.push(format!("{problem}; sampling at the initial rate {initial}"))
            }
        }
    }
    #[cfg(not(feature = "jaeger-remote"))]
    warnings.push(format!(
        "OTEL_TRACES_SAMPLER=jaeger_remote needs the instrument crate's jaeger-remote feature; \
         sampling at the initial rate {initial}"
    ));
    Box::new(opentelemetry_sdk::trace::Sampler::TraceIdRatioBased(
        initial,
    ))
}

/// The log output on stderr, in `format`, each line inside a traced context ending
/// with its ids (see [`crate::log_lines`]).
fn log_output<S>(format: LogFormat) -> Box<dyn Layer<S> + Send + Sync + 'static>
where
    S: Subscriber + for<'span> LookupSpan<'span>,
{
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(WithTraceIds::new(std::io::stderr, format))
        .with_ansi(color && format == LogFormat::Plain);
    match format {
        LogFormat::Plain => Box::new(layer),
        LogFormat::Json => Box::new(layer.json()),
    }
}

/// A boxed span processor, so processors given in code can be added to the provider.
#[derive(Debug)]
struct BoxedProcessor(Box<dyn SpanProcessor>);

impl SpanProcessor for BoxedProcessor {
    fn on_start(&self, span: &mut opentelemetry_sdk::trace::Span, cx: &opentelemetry::Context) {
        self.0.on_start(span, cx);
    }

    fn on_end(&self, span: opentelemetry_sdk::trace::SpanData) {
        self.0.on_end(span);
    }

    fn force_flush(&self) -> opentelemetry_sdk::error::OTelSdkResult {
        self.0.force_flush()
    }

    fn shutdown_with_timeout(
        &self,
        timeout: std::time::Duration,
    ) -> opentelemetry_sdk::error::OTelSdkResult {
        self.0.shutdown_with_timeout(timeout)
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.0.set_resource(resource);
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
/// exporter down. Safe to drop inside or outside an async runtime. Your own spans still
/// open then (a library's worker thread about to let go of one) get up to 250 ms to
/// end first, so that a program that returns right after its last span keeps it.
///
/// The drop waits for the last exports at most one export's timeout and a second
/// (`OTEL_EXPORTER_OTLP_TIMEOUT`, default 10 s; or `OTEL_BSP_EXPORT_TIMEOUT`, default
/// 30 s, when shorter). Spans, metrics and log records not delivered by then, like any
/// dropped on a full queue or lost in a failed export, are counted and reported once,
/// with the endpoint.
#[derive(Default)]
pub struct Guard {
    /// The global propagator to install, until it is.
    propagator: Option<TextMapCompositePropagator>,
    provider: Option<SdkTracerProvider>,
    meters: Option<SdkMeterProvider>,
    loggers: Option<SdkLoggerProvider>,
    /// The application's exported spans still open, to let end before shutting down.
    in_flight: Option<crate::in_flight::InFlight>,
    #[cfg(any(feature = "otlp-grpc", feature = "jaeger-remote"))]
    pub(crate) runtime: Option<tokio::runtime::Runtime>,
    warnings: Vec<String>,
}

impl fmt::Debug for Guard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Guard")
            .field("exporting", &self.provider.is_some())
            .field("metrics", &self.meters.is_some())
            .field("logs", &self.loggers.is_some())
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

    /// Is a meter provider installed: are the calls' metrics recorded and exported?
    /// (`false` with the kill switch, or when metrics go nowhere.)
    pub fn is_recording_metrics(&self) -> bool {
        self.meters.is_some()
    }

    /// Are the application's events exported as OpenTelemetry log records?
    /// (`false` with the kill switch, or when they go nowhere, the default.)
    pub fn is_exporting_logs(&self) -> bool {
        self.loggers.is_some()
    }

    /// Exports every finished span, the metrics and the log records now.
    pub fn flush(&self) {
        if let Some(provider) = &self.provider {
            let _ = provider.force_flush();
        }
        if let Some(meters) = &self.meters {
            let _ = meters.force_flush();
        }
        if let Some(loggers) = &self.loggers {
            let _ = loggers.force_flush();
        }
    }

    /// Makes this pipeline's providers the ones this project's spans and metrics go to,
    /// and OpenTelemetry's global ones (for code using the OpenTelemetry API directly).
    /// The first pipeline installed stays; a later one says so.
    fn install(&mut self) {
        self.install_propagator();
        let already = |provider: &str, signal: &str| {
            instrument_core::warn_config(&format!(
                "a {provider} provider was already installed for the instrumented clients by an \
                 earlier init() or layer(); their {signal} keep going to it"
            ));
        };
        if let Some(provider) = &self.provider {
            if !instrument_core::emit::install(provider) {
                already("tracer", "spans");
            }
            opentelemetry::global::set_tracer_provider(provider.clone());
        }
        if let Some(meters) = &self.meters {
            if !instrument_core::emit::install_meters(meters) {
                already("meter", "metrics");
            }
            opentelemetry::global::set_meter_provider(meters.clone());
        }
    }

    /// Sets the global propagator this pipeline chose.
    fn install_propagator(&mut self) {
        if let Some(propagator) = self.propagator.take() {
            opentelemetry::global::set_text_map_propagator(propagator);
        }
    }

    /// Each warning once, through `report` ([`Builder::report`]: as a log event when logs
    /// are printed, else on stderr), so a rejected setting is never silent.
    fn report_warnings(&self, report: Report) {
        for warning in &self.warnings {
            report(warning);
        }
    }
}

/// The longest the guard waits, when dropped, for the application's spans still open
/// on other threads (a library's worker about to let go of one) to end.
const LAST_SPANS_WAIT: std::time::Duration = std::time::Duration::from_millis(250);

/// `OTEL_BSP_EXPORT_TIMEOUT`: the longest an export of spans may take, in milliseconds.
pub(crate) const OTEL_BSP_EXPORT_TIMEOUT: &str = "OTEL_BSP_EXPORT_TIMEOUT";
/// Its default, the specification's.
const DEFAULT_BSP_EXPORT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);
/// Beyond one export's timeout, for the exporter to give up and say so.
const SHUTDOWN_MARGIN: std::time::Duration = std::time::Duration::from_secs(1);

/// The longest the guard's drop waits for the last exports: one export's timeout
/// (`OTEL_EXPORTER_OTLP_TIMEOUT`, default 10 s) and a second for the exporter to give
/// up, or `OTEL_BSP_EXPORT_TIMEOUT` (default 30 s) when that is shorter. What is not
/// delivered by then is counted and reported.
fn shutdown_bound() -> std::time::Duration {
    let bsp =
        crate::otlp::millis_var(OTEL_BSP_EXPORT_TIMEOUT).unwrap_or(DEFAULT_BSP_EXPORT_TIMEOUT);
    let export = crate::otlp::export_timeout(None);
    bsp.min(export + SHUTDOWN_MARGIN)
}

impl Drop for Guard {
    fn drop(&mut self) {
        if let (Some(in_flight), Some(_)) = (&self.in_flight, &self.provider) {
            in_flight.wait_until_none(LAST_SPANS_WAIT);
        }
        // One deadline for the three signals: a collector that never answers costs the
        // program's exit at most the bound (and a moment for each later signal).
        let deadline = std::time::Instant::now() + shutdown_bound();
        let left = || {
            deadline
                .saturating_duration_since(std::time::Instant::now())
                .max(std::time::Duration::from_millis(100))
        };
        if let Some(provider) = self.provider.take() {
            // Shutting down flushes; the batch thread owns the exporter, so a blocking
            // HTTP client is never dropped on an async runtime's thread. What is not
            // delivered is reported by the processor.
            let _ = provider.shutdown_with_timeout(left());
        }
        if let Some(meters) = self.meters.take() {
            // A last export of the metrics (and the console's table). The SDK ignores
            // the timeout given to a meter provider's shutdown and waits up to 5 s for
            // its reader: the wait is bounded here instead.
            within(left(), move || {
                let _ = meters.shutdown();
            });
        }
        if let Some(loggers) = self.loggers.take() {
            let _ = loggers.shutdown_with_timeout(left());
        }
        #[cfg(any(feature = "otlp-grpc", feature = "jaeger-remote"))]
        if let Some(runtime) = self.runtime.take() {
            // `shutdown_background` never blocks, so dropping the guard inside
            // `#[tokio::main]` cannot panic.
            runtime.shutdown_background();
        }
    }
}

/// Runs `work` on a thread of its own and waits for it at most `limit`; past that, the
/// thread is left to finish (or to end with the process).
fn within(limit: std::time::Duration, work: impl FnOnce() + Send + 'static) {
    let (done, finished) = std::sync::mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("instrument-shutdown".to_owned())
        .spawn(move || {
            work();
            let _ = done.send(());
        });
    // No thread to be had (the process is at its limit): the work is skipped, which a
    // last export may be, rather than waited for without a bound.
    if spawned.is_ok() {
        let _ = finished.recv_timeout(limit);
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
