//! What `init()` reads from the environment, parsed into typed settings.
//!
//! Parsing is pure (a lookup function in, settings and warnings out), so every accepted
//! and rejected value is unit-tested without touching the process environment.

use opentelemetry_sdk::metrics::Temporality;

use crate::log_lines::LogFormat;
use crate::sampler::{RemoteSampling, Sampling};

/// Where spans go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exporter {
    /// OTLP to a collector, Jaeger, Tempo, ... (`OTEL_TRACES_EXPORTER=otlp`, the default).
    Otlp,
    /// A waterfall of each finished trace on stderr (`OTEL_TRACES_EXPORTER=console`).
    Console,
    /// Nowhere; spans are still created for other layers (`OTEL_TRACES_EXPORTER=none`).
    None,
}

/// The OTLP transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OtlpProtocol {
    /// gRPC (`grpc`, port 4317).
    Grpc,
    /// HTTP with protobuf bodies (`http/protobuf`, port 4318): the OTel default.
    HttpProtobuf,
}

/// Propagation formats for `OTEL_PROPAGATORS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Propagator {
    /// W3C Trace Context (`traceparent`, `tracestate`).
    TraceContext,
    /// W3C Baggage (`baggage`).
    Baggage,
}

/// Settings read from the environment; `None` where the variable is unset or rejected.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct EnvSettings {
    pub exporter: Option<Exporter>,
    pub protocol: Option<OtlpProtocol>,
    /// `OTEL_METRICS_EXPORTER`.
    pub metrics_exporter: Option<Exporter>,
    /// `OTEL_EXPORTER_OTLP_METRICS_PROTOCOL`, else `OTEL_EXPORTER_OTLP_PROTOCOL`.
    pub metrics_protocol: Option<OtlpProtocol>,
    /// `OTEL_METRIC_EXPORT_INTERVAL`.
    pub metric_interval: Option<std::time::Duration>,
    /// `OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE`.
    pub temporality: Option<Temporality>,
    /// `OTEL_LOGS_EXPORTER`.
    pub logs_exporter: Option<Exporter>,
    /// `OTEL_EXPORTER_OTLP_LOGS_PROTOCOL`, else `OTEL_EXPORTER_OTLP_PROTOCOL`.
    pub logs_protocol: Option<OtlpProtocol>,
    /// `OTEL_RUST_LOG_FORMAT`.
    pub log_format: Option<LogFormat>,
    pub sampling: Option<Sampling>,
    pub propagators: Option<Vec<Propagator>>,
    /// `OTEL_RESOURCE_ATTRIBUTES`, decoded; empty when unset or discarded.
    pub resource_attributes: Vec<(String, String)>,
    pub warnings: Vec<String>,
}

pub(crate) const OTEL_TRACES_EXPORTER: &str = "OTEL_TRACES_EXPORTER";
pub(crate) const OTEL_METRICS_EXPORTER: &str = "OTEL_METRICS_EXPORTER";
pub(crate) const OTEL_METRIC_EXPORT_INTERVAL: &str = "OTEL_METRIC_EXPORT_INTERVAL";
pub(crate) const OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: &str = "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL";
pub(crate) const OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: &str =
    "OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE";
pub(crate) const OTEL_LOGS_EXPORTER: &str = "OTEL_LOGS_EXPORTER";
pub(crate) const OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: &str = "OTEL_EXPORTER_OTLP_LOGS_PROTOCOL";
/// How log lines are written: `plain` (the default) or `json`.
pub(crate) const OTEL_RUST_LOG_FORMAT: &str = "OTEL_RUST_LOG_FORMAT";
pub(crate) const OTEL_EXPORTER_OTLP_PROTOCOL: &str = "OTEL_EXPORTER_OTLP_PROTOCOL";
pub(crate) const OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: &str = "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL";
pub(crate) const OTEL_TRACES_SAMPLER: &str = "OTEL_TRACES_SAMPLER";
pub(crate) const OTEL_TRACES_SAMPLER_ARG: &str = "OTEL_TRACES_SAMPLER_ARG";
pub(crate) const OTEL_PROPAGATORS: &str = "OTEL_PROPAGATORS";
pub(crate) const OTEL_RESOURCE_ATTRIBUTES: &str = "OTEL_RESOURCE_ATTRIBUTES";

impl EnvSettings {
    /// Reads the process environment.
    pub fn from_env() -> Self {
        Self::parse(instrument_core::env::read_var)
    }

    /// Parses the settings from `var` (the value of a variable, `None` when unset).
    pub fn parse(var: impl Fn(&str) -> Option<String>) -> Self {
        let mut warnings = Vec::new();
        let set = |name: &str| {
            var(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };

        let exporter = set(OTEL_TRACES_EXPORTER)
            .and_then(|value| parse_exporter(OTEL_TRACES_EXPORTER, &value, &mut warnings));
        let metrics_exporter = set(OTEL_METRICS_EXPORTER)
            .and_then(|value| parse_exporter(OTEL_METRICS_EXPORTER, &value, &mut warnings));
        // Each signal's variable, else the general one (also when the signal's is
        // rejected), else http/protobuf; each read once, so each warns once.
        let general = set(OTEL_EXPORTER_OTLP_PROTOCOL)
            .and_then(|value| parse_protocol(OTEL_EXPORTER_OTLP_PROTOCOL, &value, &mut warnings));
        let mut protocol_of = |name: &str| {
            set(name)
                .and_then(|value| parse_protocol(name, &value, &mut warnings))
                .or(general)
        };
        let metrics_protocol = protocol_of(OTEL_EXPORTER_OTLP_METRICS_PROTOCOL);
        let logs_protocol = protocol_of(OTEL_EXPORTER_OTLP_LOGS_PROTOCOL);
        let protocol = protocol_of(OTEL_EXPORTER_OTLP_TRACES_PROTOCOL);
        let metric_interval = set(OTEL_METRIC_EXPORT_INTERVAL)
            .and_then(|value| parse_interval(&value, &mut warnings));
        let temporality = set(OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE)
            .and_then(|value| parse_temporality(&value, &mut warnings));
        let logs_exporter = set(OTEL_LOGS_EXPORTER)
            .and_then(|value| parse_exporter(OTEL_LOGS_EXPORTER, &value, &mut warnings));
        let log_format =
            set(OTEL_RUST_LOG_FORMAT).and_then(|value| parse_log_format(&value, &mut warnings));
        let sampling = set(OTEL_TRACES_SAMPLER).and_then(|value| {
            parse_sampler(
                &value,
                set(OTEL_TRACES_SAMPLER_ARG).as_deref(),
                &mut warnings,
            )
        });
        let propagators =
            set(OTEL_PROPAGATORS).and_then(|value| parse_propagators(&value, &mut warnings));
        // Read where they are used (`otlp::millis_var`, which takes only positive whole
        // milliseconds); checked here so that a rejected one is a warning.
        for name in TIMEOUT_VARIABLES {
            if let Some(value) = set(name)
                && positive_millis(&value).is_none()
            {
                warnings.push(format!(
                    "{name}={value:?} is not a positive whole number of milliseconds; using the default"
                ));
            }
        }
        let resource_attributes = set(OTEL_RESOURCE_ATTRIBUTES)
            .map(|value| parse_resource_attributes(&value, &mut warnings))
            .unwrap_or_default();
        EnvSettings {
            exporter,
            protocol,
            metrics_exporter,
            metrics_protocol,
            metric_interval,
            temporality,
            logs_exporter,
            logs_protocol,
            log_format,
            sampling,
            propagators,
            resource_attributes,
            warnings,
        }
    }
}

/// `OTEL_RESOURCE_ATTRIBUTES`: `key=value` pairs separated by commas, keys and values
/// percent-encoded, white space around them trimmed, empty entries skipped. As the
/// specification says, an entry that does not decode (no `=`, an empty key, encoded
/// bytes that are not UTF-8) discards the whole value, with a warning (naming the
/// entry's place, not its text: values may be anything).
fn parse_resource_attributes(value: &str, warnings: &mut Vec<String>) -> Vec<(String, String)> {
    let decode = |text: &str| {
        percent_encoding::percent_decode_str(text.trim())
            .decode_utf8()
            .ok()
            .map(|text| text.into_owned())
    };
    let mut attributes = Vec::new();
    for (place, entry) in value.split(',').enumerate() {
        if entry.trim().is_empty() {
            continue;
        }
        let pair = entry
            .split_once('=')
            .and_then(|(key, value)| Some((decode(key)?, decode(value)?)))
            .filter(|(key, _)| !key.is_empty());
        let Some(pair) = pair else {
            warnings.push(format!(
                "{OTEL_RESOURCE_ATTRIBUTES}: entry {} is not a percent-encoded key=value; the \
                 variable is ignored",
                place + 1
            ));
            return Vec::new();
        };
        attributes.push(pair);
    }
    attributes
}

/// The timeouts, in milliseconds: exports (each signal's, then the general one) and the
/// span processor's.
const TIMEOUT_VARIABLES: [&str; 5] = [
    crate::otlp::OTEL_EXPORTER_OTLP_TIMEOUT,
    // Each signal's (`otlp::Signal`, compiled only with an OTLP transport).
    "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT",
    "OTEL_EXPORTER_OTLP_METRICS_TIMEOUT",
    "OTEL_EXPORTER_OTLP_LOGS_TIMEOUT",
    crate::init::OTEL_BSP_EXPORT_TIMEOUT,
];

/// `OTEL_METRIC_EXPORT_INTERVAL`: whole milliseconds, more than zero.
fn parse_interval(value: &str, warnings: &mut Vec<String>) -> Option<std::time::Duration> {
    let interval = positive_millis(value);
    if interval.is_none() {
        warnings.push(format!(
            "{OTEL_METRIC_EXPORT_INTERVAL}={value:?} is not a positive number of milliseconds; \
             using 60000"
        ));
    }
    interval
}

/// `value` as a positive whole number of milliseconds: what every duration variable
/// takes (an interval or a timeout of 0 would export all the time, or fail every time).
pub(crate) fn positive_millis(value: &str) -> Option<std::time::Duration> {
    value
        .parse::<u64>()
        .ok()
        .filter(|ms| *ms > 0)
        .map(std::time::Duration::from_millis)
}

/// `OTEL_RUST_LOG_FORMAT`: `plain` or `json`, in any case.
fn parse_log_format(value: &str, warnings: &mut Vec<String>) -> Option<LogFormat> {
    match value.to_ascii_lowercase().as_str() {
        "plain" => Some(LogFormat::Plain),
        "json" => Some(LogFormat::Json),
        _ => {
            warnings.push(format!(
                "{OTEL_RUST_LOG_FORMAT}={value:?} is not supported; accepted: plain, json. Using plain"
            ));
            None
        }
    }
}

fn parse_temporality(value: &str, warnings: &mut Vec<String>) -> Option<Temporality> {
    match value.parse::<Temporality>() {
        Ok(temporality) => Some(temporality),
        Err(()) => {
            warnings.push(format!(
                "{OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE}={value:?} is not supported; \
                 accepted: cumulative, delta, lowmemory. Using cumulative"
            ));
            None
        }
    }
}

fn parse_exporter(variable: &str, value: &str, warnings: &mut Vec<String>) -> Option<Exporter> {
    // The variable is a list; several exporters at once are not supported, the first counts.
    let mut names = value
        .split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty());
    let first = names.next()?;
    if names.next().is_some() {
        warnings.push(format!(
            "{variable}={value:?}: only one exporter is supported; using {first:?}"
        ));
    }
    match first.to_ascii_lowercase().as_str() {
        "otlp" => Some(Exporter::Otlp),
        "console" => Some(Exporter::Console),
        "none" => Some(Exporter::None),
        _ => {
            warnings.push(format!(
                "{variable}={first:?} is not supported; accepted: otlp, console, none. Using the default"
            ));
            None
        }
    }
}

fn parse_protocol(name: &str, value: &str, warnings: &mut Vec<String>) -> Option<OtlpProtocol> {
    match value.to_ascii_lowercase().as_str() {
        "grpc" => Some(OtlpProtocol::Grpc),
        "http/protobuf" => Some(OtlpProtocol::HttpProtobuf),
        _ => {
            warnings.push(format!(
                "{name}={value:?} is not supported; accepted: grpc, http/protobuf. Ignored"
            ));
            None
        }
    }
}

fn parse_sampler(value: &str, arg: Option<&str>, warnings: &mut Vec<String>) -> Option<Sampling> {
    let name = value.to_ascii_lowercase();
    let (parent_based, root) = match name.strip_prefix("parentbased_") {
        Some(root) => (true, root),
        None => (false, name.as_str()),
    };
    let ratio = |warnings: &mut Vec<String>| match arg.map(str::parse::<f64>) {
        None => 1.0,
        Some(Ok(ratio)) if (0.0..=1.0).contains(&ratio) => ratio,
        Some(_) => {
            warnings.push(format!(
                "{OTEL_TRACES_SAMPLER_ARG}={:?} is not a ratio between 0 and 1; using 1.0",
                arg.unwrap_or_default()
            ));
            1.0
        }
    };
    let per_second = |warnings: &mut Vec<String>| match arg.map(str::parse::<f64>) {
        None => 1.0,
        Some(Ok(rate)) if rate.is_finite() && rate >= 0.0 => rate,
        Some(_) => {
            warnings.push(format!(
                "{OTEL_TRACES_SAMPLER_ARG}={:?} is not a number of traces per second; using 1",
                arg.unwrap_or_default()
            ));
            1.0
        }
    };
    let root = match root {
        "always_on" => Sampling::AlwaysOn,
        "always_off" => Sampling::AlwaysOff,
        "traceidratio" => Sampling::Ratio(ratio(warnings)),
        "ratelimiting" => Sampling::RateLimited(per_second(warnings)),
        "jaeger_remote" => Sampling::JaegerRemote(parse_remote_arg(arg, warnings)),
        _ => {
            warnings.push(format!(
                "{OTEL_TRACES_SAMPLER}={value:?} is not supported; accepted: always_on, always_off, \
                 traceidratio, ratelimiting, jaeger_remote, each also with a parentbased_ prefix. \
                 Using parentbased_always_on"
            ));
            return None;
        }
    };
    Some(if parent_based {
        Sampling::ParentBased(Box::new(root))
    } else {
        root
    })
}

/// `OTEL_TRACES_SAMPLER_ARG` of `jaeger_remote`:
/// `endpoint=...,pollingIntervalMs=...,initialSamplingRate=...`, each optional; a value
/// that cannot be used warns and keeps its default.
fn parse_remote_arg(arg: Option<&str>, warnings: &mut Vec<String>) -> RemoteSampling {
    let mut remote = RemoteSampling::default();
    for pair in arg
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|pair| !pair.is_empty())
    {
        let (key, value) = pair
            .split_once('=')
            .map_or((pair, ""), |(k, v)| (k.trim(), v.trim()));
        let bad = |warnings: &mut Vec<String>, expected: &str| {
            warnings.push(format!(
                "{OTEL_TRACES_SAMPLER_ARG}: {key}={value:?} is not {expected}; using the default"
            ));
        };
        match key {
            "endpoint" if !value.is_empty() => remote.endpoint = value.to_owned(),
            "endpoint" => bad(warnings, "an URL"),
            "pollingIntervalMs" => match value.parse::<u64>() {
                Ok(ms) if ms > 0 => remote.polling_interval = std::time::Duration::from_millis(ms),
                _ => bad(warnings, "a positive number of milliseconds"),
            },
            "initialSamplingRate" => match value.parse::<f64>() {
                Ok(rate) if (0.0..=1.0).contains(&rate) => remote.initial_sampling_rate = rate,
                _ => bad(warnings, "a ratio between 0 and 1"),
            },
            _ => warnings.push(format!(
                "{OTEL_TRACES_SAMPLER_ARG}: {key:?} is not a jaeger_remote setting (endpoint, \
                 pollingIntervalMs, initialSamplingRate); ignored"
            )),
        }
    }
    remote
}

/// The propagators `OTEL_PROPAGATORS` lists; `None` (the default) when it lists none
/// this build knows, as the specification says of a value not understood: a list of
/// only unsupported names (`b3`) must not switch propagation off. `none` means none,
/// with a warning when other names stand beside it.
fn parse_propagators(value: &str, warnings: &mut Vec<String>) -> Option<Vec<Propagator>> {
    let mut propagators = Vec::new();
    let mut none = false;
    let mut others = 0;
    for name in value
        .split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
    {
        let propagator = match name.to_ascii_lowercase().as_str() {
            "tracecontext" => Propagator::TraceContext,
            "baggage" => Propagator::Baggage,
            "none" => {
                none = true;
                continue;
            }
            _ => {
                warnings.push(format!(
                    "{OTEL_PROPAGATORS} names {name:?}, which is not supported; accepted: tracecontext, baggage, none"
                ));
                others += 1;
                continue;
            }
        };
        others += 1;
        if !propagators.contains(&propagator) {
            propagators.push(propagator);
        }
    }
    if none {
        if others > 0 {
            warnings.push(format!(
                "{OTEL_PROPAGATORS}={value:?} lists none beside other propagators; propagating none"
            ));
        }
        return Some(Vec::new());
    }
    if propagators.is_empty() {
        if others > 0 {
            warnings.push(format!(
                "{OTEL_PROPAGATORS} names no supported propagator; using the default, tracecontext,baggage"
            ));
        }
        return None;
    }
    Some(propagators)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(vars: &[(&str, &str)]) -> EnvSettings {
        EnvSettings::parse(|name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        })
    }

    #[test]
    fn nothing_set_means_defaults_and_no_warnings() {
        assert_eq!(parse(&[]), EnvSettings::default());
    }

    #[test]
    fn exporters_are_read_in_any_case() {
        for (value, expected) in [
            ("otlp", Exporter::Otlp),
            ("Console", Exporter::Console),
            ("NONE", Exporter::None),
        ] {
            let settings = parse(&[(OTEL_TRACES_EXPORTER, value)]);
            assert_eq!(settings.exporter, Some(expected));
            assert!(settings.warnings.is_empty());
        }
    }

    #[test]
    fn logs_settings_are_read_and_bad_values_warn() {
        let settings = parse(&[
            (OTEL_LOGS_EXPORTER, "OTLP"),
            (OTEL_EXPORTER_OTLP_PROTOCOL, "http/protobuf"),
            (OTEL_EXPORTER_OTLP_LOGS_PROTOCOL, "grpc"),
            (OTEL_RUST_LOG_FORMAT, "JSON"),
        ]);
        assert_eq!(settings.logs_exporter, Some(Exporter::Otlp));
        assert_eq!(settings.logs_protocol, Some(OtlpProtocol::Grpc));
        assert_eq!(settings.log_format, Some(LogFormat::Json));
        assert!(settings.warnings.is_empty(), "{:?}", settings.warnings);

        let settings = parse(&[(OTEL_LOGS_EXPORTER, "file"), (OTEL_RUST_LOG_FORMAT, "xml")]);
        assert_eq!((settings.logs_exporter, settings.log_format), (None, None));
        assert_eq!(settings.warnings.len(), 2, "{:?}", settings.warnings);
        assert!(settings.warnings[0].contains(OTEL_LOGS_EXPORTER));
        assert!(settings.warnings[1].contains(OTEL_RUST_LOG_FORMAT));
    }

    #[test]
    fn metrics_settings_are_read_and_bad_values_warn() {
        let settings = parse(&[
            (OTEL_METRICS_EXPORTER, "Console"),
            (OTEL_METRIC_EXPORT_INTERVAL, "1500"),
            (OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE, "Delta"),
            (OTEL_EXPORTER_OTLP_PROTOCOL, "http/protobuf"),
            (OTEL_EXPORTER_OTLP_METRICS_PROTOCOL, "grpc"),
        ]);
        assert_eq!(settings.metrics_exporter, Some(Exporter::Console));
        assert_eq!(
            settings.metric_interval,
            Some(std::time::Duration::from_millis(1500))
        );
        assert_eq!(settings.temporality, Some(Temporality::Delta));
        assert_eq!(settings.metrics_protocol, Some(OtlpProtocol::Grpc));
        assert_eq!(settings.protocol, Some(OtlpProtocol::HttpProtobuf));
        assert!(settings.warnings.is_empty(), "{:?}", settings.warnings);

        let settings = parse(&[
            (OTEL_METRICS_EXPORTER, "prometheus"),
            (OTEL_METRIC_EXPORT_INTERVAL, "0"),
            (
                OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE,
                "sometimes",
            ),
        ]);
        assert_eq!(
            (
                settings.metrics_exporter,
                settings.metric_interval,
                settings.temporality
            ),
            (None, None, None)
        );
        assert_eq!(settings.warnings.len(), 3, "{:?}", settings.warnings);
        for (warning, variable) in settings.warnings.iter().zip([
            OTEL_METRICS_EXPORTER,
            OTEL_METRIC_EXPORT_INTERVAL,
            OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE,
        ]) {
            assert!(warning.contains(variable), "{warning}");
        }
    }

    #[test]
    fn an_unknown_exporter_warns_and_falls_back() {
        let settings = parse(&[(OTEL_TRACES_EXPORTER, "zipkin")]);
        assert_eq!(settings.exporter, None);
        assert!(
            settings.warnings[0].contains("OTEL_TRACES_EXPORTER")
                && settings.warnings[0].contains("zipkin")
        );
    }

    #[test]
    fn several_exporters_warn_and_the_first_counts() {
        let settings = parse(&[(OTEL_TRACES_EXPORTER, "console,otlp")]);
        assert_eq!(settings.exporter, Some(Exporter::Console));
        assert_eq!(settings.warnings.len(), 1);
    }

    #[test]
    fn the_traces_protocol_wins_over_the_general_one() {
        let settings = parse(&[
            (OTEL_EXPORTER_OTLP_PROTOCOL, "http/protobuf"),
            (OTEL_EXPORTER_OTLP_TRACES_PROTOCOL, "grpc"),
        ]);
        assert_eq!(settings.protocol, Some(OtlpProtocol::Grpc));
        let settings = parse(&[(OTEL_EXPORTER_OTLP_PROTOCOL, "http/json")]);
        assert_eq!(settings.protocol, None);
        assert!(settings.warnings[0].contains("http/json"));
    }

    #[test]
    fn samplers_and_their_arguments() {
        let cases = [
            ("always_on", None, Sampling::AlwaysOn),
            ("always_off", None, Sampling::AlwaysOff),
            ("traceidratio", Some("0.25"), Sampling::Ratio(0.25)),
            (
                "parentbased_traceidratio",
                Some("0.5"),
                Sampling::ParentBased(Box::new(Sampling::Ratio(0.5))),
            ),
            ("ratelimiting", Some("20"), Sampling::RateLimited(20.0)),
            (
                "parentbased_ratelimiting",
                None,
                Sampling::ParentBased(Box::new(Sampling::RateLimited(1.0))),
            ),
            (
                "PARENTBASED_ALWAYS_ON",
                None,
                Sampling::ParentBased(Box::new(Sampling::AlwaysOn)),
            ),
        ];
        for (name, arg, expected) in cases {
            let mut vars = vec![(OTEL_TRACES_SAMPLER, name)];
            if let Some(arg) = arg {
                vars.push((OTEL_TRACES_SAMPLER_ARG, arg));
            }
            let settings = parse(&vars);
            assert_eq!(settings.sampling, Some(expected), "{name}");
            assert!(settings.warnings.is_empty(), "{name}");
        }
    }

    #[test]
    fn bad_sampler_arguments_warn_and_use_the_safe_default() {
        for (name, arg, expected) in [
            ("traceidratio", "1.5", Sampling::Ratio(1.0)),
            ("traceidratio", "half", Sampling::Ratio(1.0)),
            ("ratelimiting", "-3", Sampling::RateLimited(1.0)),
            ("ratelimiting", "inf", Sampling::RateLimited(1.0)),
        ] {
            let settings = parse(&[(OTEL_TRACES_SAMPLER, name), (OTEL_TRACES_SAMPLER_ARG, arg)]);
            assert_eq!(settings.sampling, Some(expected), "{name} {arg}");
            assert_eq!(settings.warnings.len(), 1);
            assert!(settings.warnings[0].contains("OTEL_TRACES_SAMPLER_ARG"));
        }
    }

    #[test]
    fn an_unknown_sampler_warns_and_keeps_the_default() {
        let settings = parse(&[(OTEL_TRACES_SAMPLER, "xray")]);
        assert_eq!(settings.sampling, None);
        assert!(settings.warnings[0].contains("xray"));
    }

    #[test]
    fn jaeger_remote_reads_its_arguments_and_warns_on_bad_ones() {
        let settings = parse(&[
            (OTEL_TRACES_SAMPLER, "parentbased_jaeger_remote"),
            (
                OTEL_TRACES_SAMPLER_ARG,
                "endpoint=http://collector:5778/sampling, pollingIntervalMs=5000,initialSamplingRate=0.25",
            ),
        ]);
        assert_eq!(
            settings.sampling,
            Some(Sampling::ParentBased(Box::new(Sampling::JaegerRemote(
                RemoteSampling {
                    endpoint: "http://collector:5778/sampling".to_owned(),
                    polling_interval: std::time::Duration::from_secs(5),
                    initial_sampling_rate: 0.25,
                }
            ))))
        );
        assert!(settings.warnings.is_empty(), "{:?}", settings.warnings);

        let settings = parse(&[(OTEL_TRACES_SAMPLER, "jaeger_remote")]);
        assert_eq!(
            settings.sampling,
            Some(Sampling::JaegerRemote(RemoteSampling::default()))
        );

        let settings = parse(&[
            (OTEL_TRACES_SAMPLER, "jaeger_remote"),
            (
                OTEL_TRACES_SAMPLER_ARG,
                "endpoint=,pollingIntervalMs=-1,initialSamplingRate=2,colour=blue",
            ),
        ]);
        assert_eq!(
            settings.sampling,
            Some(Sampling::JaegerRemote(RemoteSampling::default()))
        );
        assert_eq!(settings.warnings.len(), 4, "{:?}", settings.warnings);
    }

    #[test]
    fn propagators_are_a_list_with_none_meaning_none() {
        let settings = parse(&[(OTEL_PROPAGATORS, "baggage, tracecontext,baggage")]);
        assert_eq!(
            settings.propagators,
            Some(vec![Propagator::Baggage, Propagator::TraceContext])
        );
        assert_eq!(
            parse(&[(OTEL_PROPAGATORS, "none")]).propagators,
            Some(vec![])
        );
        let settings = parse(&[(OTEL_PROPAGATORS, "tracecontext,b3")]);
        assert_eq!(settings.propagators, Some(vec![Propagator::TraceContext]));
        assert!(settings.warnings[0].contains("b3"));
    }

    #[test]
    fn a_rejected_signal_protocol_falls_back_to_the_general_one() {
        let settings = parse(&[
            (OTEL_EXPORTER_OTLP_TRACES_PROTOCOL, "http/json"),
            (OTEL_EXPORTER_OTLP_PROTOCOL, "grpc"),
        ]);
        assert_eq!(settings.protocol, Some(OtlpProtocol::Grpc));
        assert_eq!(settings.metrics_protocol, Some(OtlpProtocol::Grpc));
        assert_eq!(settings.warnings.len(), 1, "{:?}", settings.warnings);
        let settings = parse(&[(OTEL_EXPORTER_OTLP_PROTOCOL, "thrift")]);
        assert_eq!(settings.protocol, None);
        assert_eq!(settings.warnings.len(), 1, "once: {:?}", settings.warnings);
    }

    #[test]
    fn a_timeout_that_is_not_a_positive_number_is_a_warning() {
        let settings = parse(&[
            ("OTEL_EXPORTER_OTLP_TIMEOUT", "10s"),
            ("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "0"),
            ("OTEL_BSP_EXPORT_TIMEOUT", "-1"),
            ("OTEL_EXPORTER_OTLP_LOGS_TIMEOUT", "2500"),
            ("OTEL_EXPORTER_OTLP_METRICS_TIMEOUT", ""),
        ]);
        assert_eq!(
            settings.warnings,
            [
                "OTEL_EXPORTER_OTLP_TIMEOUT=\"10s\" is not a positive whole number of milliseconds; using the default",
                "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT=\"0\" is not a positive whole number of milliseconds; using the default",
                "OTEL_BSP_EXPORT_TIMEOUT=\"-1\" is not a positive whole number of milliseconds; using the default",
            ]
        );
    }

    #[test]
    fn resource_attributes_are_percent_decoded() {
        let settings = parse(&[(
            OTEL_RESOURCE_ATTRIBUTES,
            " service.namespace = team%20a ,note=a%2Cb%3Dc,, k8s.pod.name=pod-1 ,",
        )]);
        assert_eq!(
            settings.resource_attributes,
            [
                ("service.namespace".to_owned(), "team a".to_owned()),
                ("note".to_owned(), "a,b=c".to_owned()),
                ("k8s.pod.name".to_owned(), "pod-1".to_owned()),
            ]
        );
        assert!(settings.warnings.is_empty(), "{:?}", settings.warnings);
    }

    #[test]
    fn resource_attributes_with_an_entry_that_does_not_decode_are_ignored_whole() {
        for value in ["a=1,k8s.pod.name", "a=1,=x", "a=1,b=%FF"] {
            let settings = parse(&[(OTEL_RESOURCE_ATTRIBUTES, value)]);
            assert!(settings.resource_attributes.is_empty(), "{value}");
            assert_eq!(
                settings.warnings,
                [format!(
                    "{OTEL_RESOURCE_ATTRIBUTES}: entry 2 is not a percent-encoded key=value; the \
                     variable is ignored"
                )],
                "{value}"
            );
        }
    }

    #[test]
    fn propagators_none_of_which_is_known_leave_the_default() {
        let settings = parse(&[(OTEL_PROPAGATORS, "b3, jaeger")]);
        assert_eq!(
            settings.propagators, None,
            "the default: tracecontext,baggage"
        );
        assert_eq!(settings.warnings.len(), 3, "{:?}", settings.warnings);
        assert!(settings.warnings[2].contains("using the default"));
        let settings = parse(&[(OTEL_PROPAGATORS, " , ")]);
        assert_eq!(settings.propagators, None);
        assert!(settings.warnings.is_empty(), "{:?}", settings.warnings);
    }

    #[test]
    fn none_beside_other_propagators_is_none_with_a_warning() {
        let settings = parse(&[(OTEL_PROPAGATORS, "tracecontext,none")]);
        assert_eq!(settings.propagators, Some(vec![]));
        assert_eq!(settings.warnings.len(), 1, "{:?}", settings.warnings);
        assert!(settings.warnings[0].contains("lists none beside other propagators"));
    }
}
