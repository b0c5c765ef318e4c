//! Head sampling: the OTel samplers, a rate limiter, and the `sampling.priority` override.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use opentelemetry::trace::{
    Link, SpanContext, SpanKind, SpanRef, TraceContextExt as _, TraceId, TraceState,
};
use opentelemetry::{Context, KeyValue, Value};
use opentelemetry_sdk::trace::{Sampler, SamplingDecision, SamplingResult, ShouldSample};

/// The attribute that forces a span to be sampled when it is 1 or more (the OpenTracing
/// debug switch): `tracing::info_span!("checkout", sampling.priority = 1)`.
pub const SAMPLING_PRIORITY: &str = "sampling.priority";

/// Which traces are kept. `sampling.priority >= 1` on a span at its start overrides every
/// choice here; with a parent-based choice (the default) that span's children follow it,
/// in this process and, through the sampled flag of `traceparent`, in the next.
#[derive(Debug, Clone, PartialEq)]
pub enum Sampling {
    /// Keep every trace.
    AlwaysOn,
    /// Keep none (except forced ones).
    AlwaysOff,
    /// Keep this fraction of traces, decided by trace id (0.0 to 1.0).
    Ratio(f64),
    /// Keep at most this many spans per second (Jaeger's `ratelimiting`): each span
    /// decides alone, so a kept root may lose children. Inside
    /// [`ParentBased`](Self::ParentBased) (`parentbased_ratelimiting`, what a rate of
    /// whole traces needs) only roots ask, and so it is this many traces per second.
    RateLimited(f64),
    /// Follow the parent's decision when there is a parent; else decide with the inner one.
    ParentBased(Box<Sampling>),
    /// Jaeger's remote sampling: the strategies (probabilistic, rate limiting, per
    /// operation) served for this service, polled (`jaeger_remote`; needs the
    /// `jaeger-remote` feature, on by default).
    JaegerRemote(RemoteSampling),
}

/// Where and how often the remote sampler polls, and what it does until it has an answer.
#[derive(Debug, Clone, PartialEq)]
pub struct RemoteSampling {
    /// The sampling-strategy endpoint over HTTP: Jaeger's or the OpenTelemetry
    /// Collector's (`jaegerremotesampling` extension), `http://localhost:5778/sampling`
    /// by default. `?service=<service name>` is added. The environment specification's
    /// default, Jaeger's gRPC port 14250, is not used: the SDK's remote sampler polls
    /// over HTTP only.
    pub endpoint: String,
    /// How often the strategy is fetched again (60 s by default; at least every 100 ms).
    pub polling_interval: std::time::Duration,
    /// The probability used until a strategy is fetched (0.001 by default).
    pub initial_sampling_rate: f64,
}

impl Default for RemoteSampling {
    fn default() -> Self {
        RemoteSampling {
            endpoint: "http://localhost:5778/sampling".to_owned(),
            polling_interval: std::time::Duration::from_secs(60),
            initial_sampling_rate: 0.001,
        }
    }
}

impl Default for Sampling {
    /// `parentbased_always_on`, the OpenTelemetry default.
    fn default() -> Self {
        Sampling::ParentBased(Box::new(Sampling::AlwaysOn))
    }
}

impl Sampling {
    /// The SDK sampler for this choice, wrapped so `sampling.priority` is honoured. A
    /// remote choice is made by `remote`.
    pub(crate) fn into_sampler(
        self,
        remote: &mut dyn FnMut(RemoteSampling) -> Box<dyn ShouldSample>,
    ) -> PrioritySampler {
        let inner = match self {
            Sampling::AlwaysOn => Choice::AlwaysOn,
            Sampling::ParentBased(root) if *root == Sampling::AlwaysOn => {
                Choice::ParentBasedAlwaysOn
            }
            other => Choice::Sdk(other.sdk_sampler(remote)),
        };
        PrioritySampler { inner }
    }

    fn sdk_sampler(
        self,
        remote: &mut dyn FnMut(RemoteSampling) -> Box<dyn ShouldSample>,
    ) -> Box<dyn ShouldSample> {
        match self {
            Sampling::AlwaysOn => Box::new(Sampler::AlwaysOn),
            Sampling::AlwaysOff => Box::new(Sampler::AlwaysOff),
            Sampling::Ratio(ratio) => Box::new(Sampler::TraceIdRatioBased(ratio)),
            Sampling::RateLimited(per_second) => Box::new(RateLimitingSampler::new(per_second)),
            Sampling::ParentBased(root) => Box::new(Sampler::ParentBased(root.sdk_sampler(remote))),
            Sampling::JaegerRemote(settings) => remote(settings),
        }
    }
}

/// Samples whatever its inner sampler samples, plus every span that starts with
/// `sampling.priority >= 1`.
#[derive(Debug, Clone)]
pub(crate) struct PrioritySampler {
    inner: Choice,
}

/// What [`PrioritySampler`] samples, besides forced spans.
///
/// The default (`parentbased_always_on`) and `always_on` are decided here rather than by
/// the SDK's `Sampler`, which runs for every span: through it the default took two
/// dynamic calls and built, then dropped, the inner sampler's whole result, the
/// parent's `tracestate` copied for each, after a look for `sampling.priority` through
/// every attribute (about 230 instructions per span; deciding here, 60: callgrind,
/// BENCHMARKS.md). The decisions are the SDK's, tested against it below.
#[derive(Debug, Clone)]
enum Choice {
    /// A sampled parent's decision; a new trace is sampled.
    ParentBasedAlwaysOn,
    /// Every span sampled.
    AlwaysOn,
    /// Any other choice, made by the SDK's sampler (or the remote one).
    Sdk(Box<dyn ShouldSample>),
}

fn forces_sampling(attributes: &[KeyValue]) -> bool {
    attributes.iter().any(|kv| {
        kv.key.as_str() == SAMPLING_PRIORITY
            && match &kv.value {
                Value::I64(priority) => *priority >= 1,
                Value::F64(priority) => *priority >= 1.0,
                Value::String(priority) => priority
                    .as_str()
                    .trim()
                    .parse::<f64>()
                    .is_ok_and(|p| p >= 1.0),
                _ => false,
            }
    })
}

impl ShouldSample for PrioritySampler {
    fn should_sample(
        &self,
        parent_context: Option<&Context>,
        trace_id: TraceId,
        name: &str,
        span_kind: &SpanKind,
        attributes: &[KeyValue],
        links: &[Link],
    ) -> SamplingResult {
        let parent = active_parent(parent_context);
        let parent = parent.as_ref().map(|span| span.span_context());
        let sampled = match &self.inner {
            Choice::AlwaysOn => true,
            Choice::ParentBasedAlwaysOn => parent.is_none_or(|parent| parent.is_sampled()),
            // Forced first: the inner sampler may count the span (a rate limiter does).
            Choice::Sdk(_) if forces_sampling(attributes) => true,
            Choice::Sdk(inner) => {
                return inner.should_sample(
                    parent_context,
                    trace_id,
                    name,
                    span_kind,
                    attributes,
                    links,
                );
            }
        };
        SamplingResult {
            // The attributes are looked at only when the decision is to drop the span.
            decision: if sampled || forces_sampling(attributes) {
                SamplingDecision::RecordAndSample
            } else {
                SamplingDecision::Drop
            },
            attributes: Vec::new(),
            trace_state: trace_state_of(parent),
        }
    }
}

/// The parent's span, when the context has one: what the SDK's parent-based sampler
/// takes as the parent (a context whose span is invalid has one, not sampled).
fn active_parent(parent_context: Option<&Context>) -> Option<SpanRef<'_>> {
    parent_context
        .filter(|cx| cx.has_active_span())
        .map(|cx| cx.span())
}

/// The `tracestate` of `parent`, which a sampling decision must carry on unchanged.
fn trace_state_of(parent: Option<&SpanContext>) -> TraceState {
    parent.map_or_else(TraceState::default, |parent| parent.trace_state().clone())
}

/// The parent's `tracestate`, from its context.
fn parent_trace_state(parent_context: Option<&Context>) -> TraceState {
    trace_state_of(
        active_parent(parent_context)
            .as_ref()
            .map(SpanRef::span_context),
    )
}

/// A token bucket: at most `per_second` sampled traces a second, with bursts up to one
/// second's worth (at least one trace).
#[derive(Debug, Clone)]
pub(crate) struct RateLimitingSampler {
    per_second: f64,
    bucket: Arc<Mutex<Bucket>>,
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    refilled_at: Instant,
}

impl RateLimitingSampler {
    pub(crate) fn new(per_second: f64) -> Self {
        RateLimitingSampler {
            per_second,
            bucket: Arc::new(Mutex::new(Bucket {
                tokens: per_second.max(1.0),
                refilled_at: Instant::now(),
            })),
        }
    }

    /// The rate it keeps to.
    #[cfg(feature = "jaeger-remote")]
    pub(crate) fn per_second(&self) -> f64 {
        self.per_second
    }

    fn take(&self, now: Instant) -> bool {
        let Ok(mut bucket) = self.bucket.lock() else {
            return false;
        };
        let elapsed = now
            .saturating_duration_since(bucket.refilled_at)
            .as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * self.per_second).min(self.per_second.max(1.0));
        bucket.refilled_at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

impl ShouldSample for RateLimitingSampler {
    fn should_sample(
        &self,
        parent_context: Option<&Context>,
        _trace_id: TraceId,
        _name: &str,
        _span_kind: &SpanKind,
        _attributes: &[KeyValue],
        _links: &[Link],
    ) -> SamplingResult {
        let decision = if self.per_second > 0.0 && self.take(Instant::now()) {
            SamplingDecision::RecordAndSample
        } else {
            SamplingDecision::Drop
        };
        SamplingResult {
            decision,
            attributes: Vec::new(),
            trace_state: parent_trace_state(parent_context),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn decide(sampler: &dyn ShouldSample, attributes: &[KeyValue]) -> SamplingDecision {
        sampler
            .should_sample(
                None,
                TraceId::from(7u128),
                "x",
                &SpanKind::Internal,
                attributes,
                &[],
            )
            .decision
    }

    #[test]
    fn a_priority_of_one_or_more_overrides_always_off() {
        let sampler = Sampling::AlwaysOff.into_sampler(&mut |_| unreachable!());
        assert_eq!(decide(&sampler, &[]), SamplingDecision::Drop);
        for value in [
            Value::I64(1),
            Value::I64(5),
            Value::F64(1.0),
            Value::String("1".into()),
        ] {
            let attrs = [KeyValue::new(SAMPLING_PRIORITY, value.clone())];
            assert_eq!(
                decide(&sampler, &attrs),
                SamplingDecision::RecordAndSample,
                "{value:?}"
            );
        }
        for value in [
            Value::I64(0),
            Value::I64(-1),
            Value::String("yes".into()),
            Value::Bool(true),
        ] {
            let attrs = [KeyValue::new(SAMPLING_PRIORITY, value.clone())];
            assert_eq!(
                decide(&sampler, &attrs),
                SamplingDecision::Drop,
                "{value:?}"
            );
        }
    }

    /// Through the real pipeline: the attribute is set when the tracing span is created,
    /// so it is there when tracing-opentelemetry starts the OpenTelemetry span; with a
    /// parent-based sampler its children follow it.
    #[test]
    fn a_tracing_span_with_sampling_priority_is_kept_with_its_children_by_a_sample_nothing_pipeline()
     {
        use opentelemetry::trace::TracerProvider as _;
        use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider};
        use tracing_subscriber::layer::SubscriberExt as _;

        let exporter = InMemorySpanExporter::default();
        let provider = SdkTracerProvider::builder()
            .with_sampler(
                Sampling::ParentBased(Box::new(Sampling::AlwaysOff))
                    .into_sampler(&mut |_| unreachable!()),
            )
            .with_simple_exporter(exporter.clone())
            .build();
        let subscriber = tracing_subscriber::registry()
            .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("test")));
        tracing::subscriber::with_default(subscriber, || {
            tracing::info_span!("dropped").in_scope(|| {});
            tracing::info_span!("debug request", sampling.priority = 1).in_scope(|| {
                tracing::info_span!("child of forced").in_scope(|| {});
            });
        });
        let names: Vec<String> = exporter
            .get_finished_spans()
            .unwrap_or_default()
            .into_iter()
            .map(|span| span.name.into_owned())
            .collect();
        assert_eq!(names, vec!["child of forced", "debug request"]);
    }

    /// The parents a span can have: none, a context without a span, sampled and not
    /// sampled (each with a `tracestate`), and an invalid span context.
    fn parents() -> Vec<Option<Context>> {
        use opentelemetry::trace::{SpanContext, SpanId, TraceFlags};
        let state = TraceState::from_key_value([("vendor", "value")]).expect("a valid tracestate");
        let span = |flags| {
            SpanContext::new(
                TraceId::from(1u128),
                SpanId::from(2u64),
                flags,
                true,
                state.clone(),
            )
        };
        vec![
            None,
            Some(Context::new()),
            Some(Context::new().with_remote_span_context(span(TraceFlags::SAMPLED))),
            Some(Context::new().with_remote_span_context(span(TraceFlags::default()))),
            Some(Context::new().with_remote_span_context(SpanContext::empty_context())),
        ]
    }

    #[test]
    fn the_default_and_always_on_decide_as_the_sdk_s_samplers_do_unless_forced() {
        let cases = [
            (
                Sampling::default(),
                Sampler::ParentBased(Box::new(Sampler::AlwaysOn)),
            ),
            (Sampling::AlwaysOn, Sampler::AlwaysOn),
        ];
        let forced = [KeyValue::new(SAMPLING_PRIORITY, 1)];
        let plain = [KeyValue::new("db.system.name", "redis")];
        for (ours, sdk) in cases {
            let ours = ours.into_sampler(&mut |_| unreachable!());
            assert!(matches!(
                ours.inner,
                Choice::ParentBasedAlwaysOn | Choice::AlwaysOn
            ));
            for parent in parents() {
                let sample = |sampler: &dyn ShouldSample, attributes: &[KeyValue]| {
                    sampler.should_sample(
                        parent.as_ref(),
                        TraceId::from(7u128),
                        "GET",
                        &SpanKind::Client,
                        attributes,
                        &[],
                    )
                };
                assert_eq!(sample(&ours, &plain), sample(&sdk, &plain), "{parent:?}");
                let forced_result = sample(&ours, &forced);
                assert_eq!(forced_result.decision, SamplingDecision::RecordAndSample);
                assert_eq!(forced_result.trace_state, sample(&sdk, &plain).trace_state);
            }
        }
    }

    #[test]
    fn the_rate_limiter_allows_a_burst_then_refills_with_time() {
        let sampler = RateLimitingSampler::new(2.0);
        let start = Instant::now();
        assert!(sampler.take(start));
        assert!(sampler.take(start));
        assert!(!sampler.take(start), "the bucket holds one second's worth");
        assert!(!sampler.take(start + Duration::from_millis(100)));
        assert!(
            sampler.take(start + Duration::from_millis(700)),
            "refilled at 2 per second"
        );
    }

    #[test]
    fn a_rate_below_one_still_allows_one_trace_then_waits() {
        let sampler = RateLimitingSampler::new(0.5);
        let start = Instant::now();
        assert!(sampler.take(start));
        assert!(!sampler.take(start + Duration::from_secs(1)));
        assert!(sampler.take(start + Duration::from_millis(2100)));
    }

    #[test]
    fn a_zero_rate_samples_nothing() {
        let sampler = RateLimitingSampler::new(0.0);
        assert_eq!(decide(&sampler, &[]), SamplingDecision::Drop);
    }
}
