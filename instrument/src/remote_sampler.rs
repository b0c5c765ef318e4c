//! `OTEL_TRACES_SAMPLER=jaeger_remote`: the OpenTelemetry SDK's Jaeger remote sampler,
//! polling the sampling strategies Jaeger and the OpenTelemetry Collector serve
//! (probabilistic, rate limiting, per operation) on this crate's background runtime.
//!
//! Until a strategy arrives it samples at the initial rate; when the endpoint is down or
//! answers something else than a strategy, it keeps the last good one (the SDK's
//! behaviour), and that is reported once until the endpoint answers again (the SDK itself
//! says nothing). `sampling.priority` still forces a span through: the priority sampler
//! wraps this one.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use opentelemetry_http::{Bytes, HttpClient, HttpError, Request, Response};
use opentelemetry_sdk::trace::{Sampler, ShouldSample};

use crate::export::Report;
use crate::init::Guard;
use crate::sampler::RemoteSampling;

/// How long one strategy request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

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
    let client = ReportingClient {
        inner: client,
        endpoint: settings.endpoint.clone().into(),
        failing: Arc::new(AtomicBool::new(false)),
        report,
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
    .with_update_interval(settings.polling_interval)
    .build()
    .map_err(|e| {
        let problem = format!(
            "the remote sampler could not be set up for {}: {e}",
            settings.endpoint
        );
        // The endpoint may carry credentials (userinfo, a token in the query).
        instrument_core::redact::redact_urls_in_text(&problem).into_owned()
    })?;
    Ok(Box::new(sampler))
}

/// The strategy client: reqwest's, saying once per outage that the endpoint cannot be
/// read.
#[derive(Debug)]
struct ReportingClient {
    inner: ::reqwest::Client,
    endpoint: Arc<str>,
    failing: Arc<AtomicBool>,
    report: Report,
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
                Some(body) => {
                    *response.body_mut() = body;
                    self.failing.store(false, Ordering::Relaxed);
                }
                None => self.failed("it answered something that is not a sampling strategy"),
            },
        }
        result
    }
}

/// `body` as the SDK's parser reads it, or `None` when it is not a strategy (a JSON
/// object naming its `strategyType`).
///
/// The SDK's parser is stricter than what Jaeger and the Collector send, and would keep
/// the old strategy without a word: it spells the rate-limiting type `RATELIMITING`
/// where the API says `RATE_LIMITING` (and older servers send the enum's number), and it
/// requires both per-operation throughput bounds, which servers leave out when zero.
/// Those are rewritten here; anything else is passed on as it came.
fn normalized(body: &[u8]) -> Option<Bytes> {
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
    serde_json::to_vec(&strategy).ok().map(Bytes::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(bytes: Option<Bytes>) -> serde_json::Value {
        serde_json::from_slice(&bytes.expect("a strategy")).expect("JSON")
    }

    #[test]
    fn only_an_object_naming_its_strategy_type_is_a_strategy() {
        assert!(normalized(br#"{"strategyType":"PROBABILISTIC"}"#).is_some());
        for body in [
            &b""[..],
            b"{ not json",
            br#"{"hello":"world"}"#,
            b"[1,2]",
            b"\xff\xfe",
        ] {
            assert!(normalized(body).is_none(), "{body:?}");
        }
    }

    #[test]
    fn what_servers_send_is_rewritten_as_the_sdk_reads_it() {
        let rate = json(normalized(
            br#"{"strategyType":"RATE_LIMITING","rateLimitingSampling":{"maxTracesPerSecond":2}}"#,
        ));
        assert_eq!(rate["strategyType"], "RATELIMITING");
        assert_eq!(rate["rateLimitingSampling"]["maxTracesPerSecond"], 2);
        assert_eq!(
            json(normalized(br#"{"strategyType":1}"#))["strategyType"],
            "RATELIMITING"
        );
        assert_eq!(
            json(normalized(br#"{"strategyType":0}"#))["strategyType"],
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
