//! `OTEL_TRACES_SAMPLER=jaeger_remote`, against a strategy server in this process whose
//! answers change during the test: the sampler starts from the initial rate, follows
//! each new strategy (probabilistic, per operation), keeps the last good one while the
//! endpoint answers garbage or errors, and `sampling.priority` still forces a span.
#![cfg(feature = "jaeger-remote")]

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use instrument::{Exporter, RemoteSampling, Sampling, Telemetry};
use instrument_core::{DbCall, DbSystem, HttpServerCall, Library};

mod support;

/// How often the sampler polls in these tests.
const POLLING: Duration = Duration::from_millis(200);
/// How long a change may take to show: one polling interval, and room for a loaded
/// machine (the assertion is on behaviour, not on speed).
const PATIENCE: Duration = Duration::from_secs(5);

/// What the strategy server answers, and the request paths it saw.
#[derive(Clone, Default)]
struct StrategyServer {
    answer: Arc<Mutex<(u16, String)>>,
    paths: Arc<Mutex<Vec<String>>>,
}

impl StrategyServer {
    fn start() -> (String, Self) {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let address = listener.local_addr().expect("address");
        let server = StrategyServer::default();
        let shared = server.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let shared = shared.clone();
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
                    loop {
                        let mut request_line = String::new();
                        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
                            return;
                        }
                        loop {
                            let mut line = String::new();
                            if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                                break;
                            }
                        }
                        let path = request_line.split(' ').nth(1).unwrap_or_default();
                        shared.paths.lock().expect("paths").push(path.to_owned());
                        let (status, body) = shared.answer.lock().expect("answer").clone();
                        let response = format!(
                            "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                            body.len()
                        );
                        if stream.write_all(response.as_bytes()).is_err() {
                            return;
                        }
                    }
                });
            }
        });
        (format!("http://{address}/sampling"), server)
    }

    fn answer(&self, status: u16, body: &str) {
        *self.answer.lock().expect("answer") = (status, body.to_owned());
    }

    fn requests(&self) -> usize {
        self.paths.lock().expect("paths").len()
    }
}

fn probabilistic(rate: f64) -> String {
    format!(
        r#"{{"strategyType":"PROBABILISTIC","probabilisticSampling":{{"samplingRate":{rate}}}}}"#
    )
}

fn pipeline(endpoint: &str, initial: f64) -> Telemetry {
    instrument::builder()
        .service_name("checkout")
        .exporter(Exporter::None)
        .logs(false)
        .sampling(Sampling::JaegerRemote(RemoteSampling {
            endpoint: endpoint.to_owned(),
            polling_interval: POLLING,
            initial_sampling_rate: initial,
        }))
        .build()
}

/// Is a new trace's root span named `operation` sampled?
fn sampled(telemetry: &Telemetry, operation: &str) -> bool {
    telemetry.in_scope(|| {
        DbCall::new(Library::Redis, DbSystem::Redis)
            .operation(operation)
            .start()
            .is_recording()
    })
}

/// Waits until every one of 20 new traces named `operation` is (or is not) sampled.
#[track_caller]
fn becomes(telemetry: &Telemetry, operation: &str, expected: bool) {
    let deadline = Instant::now() + PATIENCE;
    loop {
        if (0..20).all(|_| sampled(telemetry, operation) == expected) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{operation} never became {}",
            if expected { "sampled" } else { "unsampled" }
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn the_remote_sampler_follows_the_served_strategy_and_keeps_the_last_good_one() {
    let (endpoint, server) = StrategyServer::start();
    server.answer(500, "not yet");
    let telemetry = pipeline(&endpoint, 1.0);
    // Until a strategy is read: the initial rate.
    assert!(sampled(&telemetry, "GET"));

    server.answer(200, &probabilistic(0.0));
    becomes(&telemetry, "GET", false);
    assert!(
        server.paths.lock().expect("paths")[0].contains("service=checkout"),
        "the service is named"
    );

    server.answer(200, &probabilistic(1.0));
    becomes(&telemetry, "GET", true);

    // Garbage, then errors: the last good strategy stays.
    for (status, body) in [
        (200, "{ not json"),
        (200, r#"{"hello":"world"}"#),
        (503, "down"),
    ] {
        server.answer(status, body);
        let polled = server.requests();
        let deadline = Instant::now() + PATIENCE;
        while server.requests() < polled + 2 {
            assert!(Instant::now() < deadline, "the sampler stopped polling");
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(
            (0..20).all(|_| sampled(&telemetry, "GET")),
            "after {body:?}"
        );
    }

    // Per operation: one kept, the rest not.
    server.answer(
        200,
        r#"{"strategyType":"PROBABILISTIC","probabilisticSampling":{"samplingRate":0},
            "operationSampling":{"defaultSamplingProbability":0,

            "perOperationStrategies":[{"operation":"SET","probabilisticSampling":{"samplingRate":1}}]}}"#,
    );
    becomes(&telemetry, "GET", false);
    assert!((0..20).all(|_| sampled(&telemetry, "SET")), "SET is kept");

    // Rate limiting: a burst of new traces is cut down to what the bucket allows.
    server.answer(
        200,
        r#"{"strategyType":"RATE_LIMITING","rateLimitingSampling":{"maxTracesPerSecond":2}}"#,
    );
    let deadline = Instant::now() + PATIENCE;
    loop {
        let kept = (0..400).filter(|_| sampled(&telemetry, "SET")).count();
        if kept < 400 {
            break;
        }
        assert!(Instant::now() < deadline, "SET is never limited");
        std::thread::sleep(Duration::from_millis(20));
    }

    // sampling.priority still forces a trace through.
    let forced = telemetry.in_scope(|| {
        HttpServerCall::new(Library::Tower, "GET", "/debug")
            .force_sampling()
            .start()
            .is_recording()
    });
    assert!(
        forced,
        "sampling.priority = 1 is sampled whatever the strategy"
    );
}

#[test]
fn an_endpoint_that_never_answers_leaves_the_initial_rate() {
    let endpoint = {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        format!(
            "http://{}/sampling",
            listener.local_addr().expect("address")
        )
    };
    let telemetry = pipeline(&endpoint, 0.0);
    std::thread::sleep(POLLING * 2);
    assert!(
        (0..20).all(|_| !sampled(&telemetry, "GET")),
        "initial rate 0"
    );
    let telemetry = pipeline(&endpoint, 1.0);
    std::thread::sleep(POLLING * 2);
    assert!(
        (0..20).all(|_| sampled(&telemetry, "GET")),
        "initial rate 1"
    );
}

#[test]
fn child_samples_from_an_unreachable_endpoint() {
    if !support::in_child() {
        return;
    }
    let guard = instrument::builder()
        .exporter(Exporter::None)
        .logs(false)
        .init()
        .expect("init");
    std::thread::sleep(POLLING * 3);
    drop(guard);
}

#[test]
fn credentials_in_the_strategy_endpoint_are_not_reported() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("address").port()
    };
    let argument = format!(
        "endpoint=http://sampler:s3cret-token@127.0.0.1:{port}/sampling,pollingIntervalMs={}",
        POLLING.as_millis()
    );
    let output = support::run_child(
        "child_samples_from_an_unreachable_endpoint",
        &[
            ("OTEL_TRACES_SAMPLER", "jaeger_remote"),
            ("OTEL_TRACES_SAMPLER_ARG", argument.as_str()),
        ],
    );
    let stderr = support::stderr(&output);
    assert!(
        stderr.contains("could not be read from http://REDACTED:REDACTED@127.0.0.1"),
        "{stderr}"
    );
    assert!(!stderr.contains("s3cret-token"), "{stderr}");
}

#[test]
fn a_rate_limiting_strategy_goes_on_sampling_under_steady_traffic() {
    let (endpoint, server) = StrategyServer::start();
    server.answer(
        200,
        r#"{"strategyType":"RATE_LIMITING","rateLimitingSampling":{"maxTracesPerSecond":20}}"#,
    );
    let telemetry = pipeline(&endpoint, 0.0);
    let deadline = Instant::now() + PATIENCE;
    while !sampled(&telemetry, "GET") {
        assert!(Instant::now() < deadline, "the strategy never applied");
        std::thread::sleep(Duration::from_millis(20));
    }
    // Past the first burst, traffic of about a hundred new traces a second, steadily:
    // some of every second's are still kept.
    for _ in 0..500 {
        sampled(&telemetry, "GET");
    }
    let until = Instant::now() + Duration::from_secs(2);
    let mut kept = 0;
    while Instant::now() < until {
        kept += usize::from(sampled(&telemetry, "GET"));
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(kept >= 10, "{kept} kept in 2 s at 20 a second");
    assert!(kept <= 60, "{kept} kept in 2 s at 20 a second");
}

#[test]
fn a_polling_interval_of_zero_does_not_poll_without_pause() {
    let (endpoint, server) = StrategyServer::start();
    server.answer(200, &probabilistic(1.0));
    let telemetry = instrument::builder()
        .service_name("checkout")
        .exporter(Exporter::None)
        .logs(false)
        .sampling(Sampling::JaegerRemote(RemoteSampling {
            endpoint,
            polling_interval: Duration::ZERO,
            initial_sampling_rate: 0.0,
        }))
        .build();
    becomes(&telemetry, "GET", true);
    let polled = server.requests();
    std::thread::sleep(Duration::from_millis(500));
    let more = server.requests() - polled;
    assert!(more <= 10, "{more} requests in 0.5 s");
}
