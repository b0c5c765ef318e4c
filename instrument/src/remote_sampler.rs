//! `OTEL_TRACES_SAMPLER=jaeger_remote`: the OpenTelemetry SDK's Jaeger remote sampler,
//! polling the sampling strategies Jaeger and the OpenTelemetry Collector serve
//! (probabilistic, rate limiting, per operation) on this crate's background runtime.
//!
//! Until a strategy arrives it samples at the initial rate; when the endpoint is down or
//! answers something else than a strategy, it keeps the last good one (the SDK's
//! behaviour), and that is reported once until the endpoint answers again (the SDK itself
//! says nothing). `sampling.priority` still forces a span through: the priority sampler
//! wraps this one. A rate-limiting strategy is applied by this crate's token bucket
//! (see `RemoteSampler`), the rest by the SDK.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use opentelemetry::trace::{Link, SpanKind, TraceId};
use opentelemetry::{Context, KeyValue};
use opentelemetry_http::{Bytes, HttpClient, HttpError, Request, Response};
use opentelemetry_sdk::trace::{Sampler, SamplingResult, ShouldSample};

use crate::export::Report;
use crate::init::Guard;
use crate::sampler::{RateLimitingSampler, RemoteSampling};

/// How long one strategy request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// The shortest polling interval: a shorter one (0 given in code, `pollingIntervalMs=1`)
/// would keep the background runtime, which the gRPC exporters share, busy asking.
const MIN_POLLING_INTERVAL: Duration = Duration::from_millis(100);

/// The remote sampler for `service_name`, or why it could not be made.
pub(crate) fn sampler(
    settings: RemoteSampling,
    service_name: &str,
    report: Report,
    guard: &mut Guard,
) -> Result<Box<dyn ShouldSample>, String> {
    let client = ::reqwest::Client::builder()
        .timeout(REQUEST_TIMEOUT)
        .build()
        .map_err(|e| format!("the remote sampler's HTTP client could not be made: {e}"))?;
    let served = Arc::new(AtomicU64::new(NOT_RATE_LIMITING));
    let client = ReportingClient {
        inner: client,
        endpoint: settings.endpoint.clone().into(),
        failing: Arc::new(AtomicBool::new(false)),
        report,
        served: served.clone(),
    };
    let runtime = crate::otlp::background_runtime(guard)?;
    // The SDK spawns its polling task and timer on the current runtime: ours.
    let _entered = runtime.enter();
    let sampler = Sampler::jaeger_remote(
        opentelemetry_sdk::runtime::Tokio,
        client,
        Sampler::TraceIdRatioBased(settings.initial_sampling_rate),
        service_name,
    )
    .with_endpoint(settings.endpoint.clone())
    .with_update_interval(settings.polling_interval.max(MIN_POLLING_INTERVAL))
    .build()
    .map_err(|e| {
        let problem = format!(
            "the remote sampler could not be set up for {}: {e}",
            settings.endpoint
        );
        // The endpoint may carry credentials (userinfo, a token in the query).
        instrument_core::redact::redact_urls_in_text(&problem).into_owned()
    })?;
    Ok(Box::new(RemoteSampler {
        remote: sampler,
        served,
        limiter: Arc::default(),
    }))
}

/// What [`RemoteSampler::served`] holds while the strategy is not rate limiting.
const NOT_RATE_LIMITING: u64 = f64::NAN.to_bits();

/// The SDK's remote sampler, but for a rate-limiting strategy, which is applied by this
/// crate's own token bucket: the SDK's refills by whole seconds since its last call and
/// moves that call's time on every call, so under more than about one new trace a
/// second it never refills, and after its first hundred traces samples none.
#[derive(Debug, Clone)]
struct RemoteSampler {
    remote: Sampler,
    /// The rate of the rate-limiting strategy last served (`f64` bits), or
    /// [`NOT_RATE_LIMITING`]; written by the strategy client at each poll.
    served: Arc<AtomicU64>,
    /// The bucket for that rate, made again when the rate changes.
    limiter: Arc<Mutex<Option<RateLimitingSampler>>>,
}

impl RemoteSampler {
    /// The bucket for the served rate-limiting strategy, when that is what is served.
    fn rate_limiter(&self) -> Option<RateLimitingSampler> {
        let rate = f64::from_bits(self.served.load(Ordering::Relaxed));
        if rate.is_nan() {
            return None;
        }
        let mut limiter = self.limiter.lock().ok()?;
        if limiter
            .as_ref()
            .is_none_or(|limiter| limiter.per_second() != rate)
        {
            *limiter = Some(RateLimitingSampler::new(rate));
        }
        limiter.clone()
    }
}

impl ShouldSample for RemoteSampler {
    fn should_sample(
        &self,
        parent_context: Option<&Context>,
        trace_id: TraceId,
        name: &str,
        span_kind: &SpanKind,
        attributes: &[KeyValue],
        links: &[Link],
    ) -> SamplingResult {
        match self.rate_limiter() {
            Some(limiter) => {
                limiter.should_sample(parent_context, trace_id, name, span_kind, attributes, links)
            }
            None => self.remote.should_sample(
                parent_context,
                trace_id,
                name,
                span_kind,
                attributes,
                links,
            ),
        }
    }
}

/// The strategy client: reqwest's, saying once per outage that the endpoint cannot be
/// read.
#[derive(Debug)]
struct ReportingClient {
    inner: ::reqwest::Client,
    endpoint: Arc<str>,
    failing: Arc<AtomicBool>,
    report: Report,
    /// Where the served rate-limiting rate goes (see [`RemoteSampler`]).
    served: Arc<AtomicU64>,
}

impl ReportingClient {
    fn failed(&self, why: &str) {
        if !self.failing.swap(true, Ordering::Relaxed) {
            let report = format!(
                "the sampling strategy could not be read from {}: {why}; sampling goes on with \
                 the last strategy read (or the initial rate). Check the endpoint= of \
                 OTEL_TRACES_SAMPLER_ARG (reported once until it answers again)",
                self.endpoint
            );
            // The endpoint, also quoted in reqwest's error, may carry credentials.
            (self.report)(&instrument_core::redact::redact_urls_in_text(&report));
        }
    }
}

#[async_trait::async_trait]
impl HttpClient for ReportingClient {
    async fn send_bytes(&self, request: Request<Bytes>) -> Result<Response<Bytes>, HttpError> {
        let mut result = self.inner.send_bytes(request).await;
        match &mut result {
            Err(error) => self.failed(&error.to_string()),
            Ok(response) if !response.status().is_success() => {
                self.failed(&format!("it answered {}", response.status()));
            }
            Ok(response) => match normalized(response.body()) {
                Some((body, rate_limit)) => {
                    *response.body_mut() = body;
                    let served = rate_limit.map_or(NOT_RATE_LIMITING, f64::to_bits);
                    self.served.store(served, Ordering::Relaxed);
                    self.failing.store(false, Ordering::Relaxed);
                }
                None => self.failed("it answered something that is not a sampling strategy"),
            },
        }
        result
    }
}

/// `body` as the SDK's parser reads it, and the rate of a rate-limiting strategy (the one
/// the SDK would apply: no per-operation strategies, a `rateLimitingSampling`); `None`
/// when it is not a strategy: a JSON object naming its `strategyType` and holding one of
/// the three strategies (the SDK drops its last good strategy for one that holds none).
///
/// The SDK's parser is stricter than what Jaeger and the Collector send, and would keep
/// the old strategy without a word: it spells the rate-limiting type `RATELIMITING`
/// where the API says `RATE_LIMITING` (and older servers send the enum's number), and it
/// requires both per-operation throughput bounds, which servers leave out when zero.
/// Those are rewritten here; anything else is passed on as it came.
fn normalized(body: &[u8]) -> Option<(Bytes, Option<f64>)> {
    let mut strategy: serde_json::Value = serde_json::from_slice(body).ok()?;
    let object = strategy.as_object_mut()?;
    let kind = match object.get("strategyType")? {
        serde_json::Value::String(kind) if kind == "RATE_LIMITING" => "RATELIMITING".to_owned(),
        serde_json::Value::String(kind) => kind.clone(),
        serde_json::Value::Number(number) if number.as_u64() == Some(1) => {
            "RATELIMITING".to_owned()
        }
        serde_json::Value::Number(_) => "PROBABILISTIC".to_owned(),
        _ => return None,
    };
    object.insert("strategyType".to_owned(), kind.into());
    if let Some(operations) = object
        .get_mut("operationSampling")
        .and_then(serde_json::Value::as_object_mut)
    {
        for bound in [
            "defaultLowerBoundTracesPerSecond",
            "defaultUpperBoundTracesPerSecond",
        ] {
            operations.entry(bound).or_insert(0.into());
        }
        operations
            .entry("perOperationStrategies")
            .or_insert_with(|| serde_json::Value::Array(Vec::new()));
    }
    let holds = |field: &str| object.get(field).is_some_and(serde_json::Value::is_object);
    let rate_limit = match object.get("rateLimitingSampling") {
        _ if holds("operationSampling") => None,
        Some(limiting) => Some(limiting.get("maxTracesPerSecond")?.as_f64()?),
        None => None,
    };
    if !(holds("operationSampling") || rate_limit.is_some() || holds("probabilisticSampling")) {
        return None;
    }
    let body = serde_json::to_vec(&strategy).ok().map(Bytes::from)?;
    Some((body, rate_limit))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(normalized: Option<(Bytes, Option<f64>)>) -> serde_json::Value {
        serde_json::from_slice(&normalized.expect("a strategy").0).expect("JSON")
    }

    #[test]
    fn only_an_object_naming_its_strategy_type_and_holding_one_is_a_strategy() {
        assert!(
            normalized(
                br#"{"strategyType":"PROBABILISTIC","probabilisticSampling":{"samplingRate":1}}"#
            )
            .is_some()
        );
        for body in [
            &b""[..],
            b"{ not json",
            br#"{"hello":"world"}"#,
            b"[1,2]",
            b"\xff\xfe",
            br#"{"strategyType":"PROBABILISTIC"}"#,
            br#"{"strategyType":"RATE_LIMITING","rateLimitingSampling":{}}"#,
        ] {
            assert!(normalized(body).is_none(), "{body:?}");
        }
    }

    #[test]
    fn the_rate_of_a_rate_limiting_strategy_is_read_unless_operations_come_first() {
        let rate = |body: &[u8]| normalized(body).expect("a strategy").1;
        assert_eq!(
            rate(br#"{"strategyType":"RATE_LIMITING","rateLimitingSampling":{"maxTracesPerSecond":2.5}}"#),
            Some(2.5)
        );
        assert_eq!(
            rate(br#"{"strategyType":"PROBABILISTIC","probabilisticSampling":{"samplingRate":1}}"#),
            None
        );
        assert_eq!(
            rate(br#"{"strategyType":"RATE_LIMITING","rateLimitingSampling":{"maxTracesPerSecond":2},
                "operationSampling":{"defaultSamplingProbability":0.5}}"#),
            None,
            "the SDK applies the per-operation strategies then"
        );
    }

    #[test]
    fn what_servers_send_is_rewritten_as_the_sdk_reads_it() {
        let rate = json(normalized(
            br#"{"strategyType":"RATE_LIMITING","rateLimitingSampling":{"maxTracesPerSecond":2}}"#,
        ));
        assert_eq!(rate["strategyType"], "RATELIMITING");
        assert_eq!(rate["rateLimitingSampling"]["maxTracesPerSecond"], 2);
        assert_eq!(
            json(normalized(
                br#"{"strategyType":1,"rateLimitingSampling":{"maxTracesPerSecond":1}}"#
            ))["strategyType"],
            "RATELIMITING"
        );
        assert_eq!(
            json(normalized(
                br#"{"strategyType":0,"probabilisticSampling":{"samplingRate":1}}"#
            ))["strategyType"],
            "PROBABILISTIC"
        );
        let operations = json(normalized(
            br#"{"strategyType":"PROBABILISTIC","operationSampling":{"defaultSamplingProbability":0.5}}"#,
        ));
        assert_eq!(
            operations["operationSampling"]["defaultUpperBoundTracesPerSecond"],
            0
        );
        assert_eq!(
            operations["operationSampling"]["defaultLowerBoundTracesPerSecond"],
            0
        );
        assert_eq!(
            operations["operationSampling"]["defaultSamplingProbability"],
            0.5
        );
    }
}
