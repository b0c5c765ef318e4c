//! W3C Trace Context Level 2 through a whole service, as the W3C test suite drives one:
//! a request with `traceparent` and `tracestate` reaches a service behind
//! `TracingLayer`, whose handler calls the next service with the traced reqwest client;
//! what that next service receives is checked. The cases the suite's strict level 2 run
//! used to fail: the random flag of a span the sampler drops, a duplicated key, keys with
//! any number of `@`, and a key as long as the current grammar allows.
#![cfg(all(feature = "tower", feature = "reqwest"))]

mod support;

use support::{in_child, run_child, stderr};

const TRACE: &str = "12345678901234567890123456789012";
const PARENT: &str = "1234567890123456";

/// The headers the next service receives when the front service is called with
/// `headers`: `traceparent | tracestate`.
async fn forwarded(front: std::net::SocketAddr, headers: &[(&str, String)]) -> String {
    let mut request = reqwest::Client::new().get(format!("http://{front}/front"));
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    request
        .send()
        .await
        .expect("front")
        .text()
        .await
        .expect("body")
}

/// Sends each case through the front service and prints `case: what arrived`.
#[test]
fn child_forwards() {
    if !in_child() {
        return;
    }
    let _guard = instrument::builder()
        .exporter(instrument::Exporter::None)
        .logs(false)
        .init()
        .expect("init");
    let runtime = support::runtime();
    runtime.block_on(async {
        let front = support::forwarding_service().await;
        let parent = |flags: &str| ("traceparent", format!("00-{TRACE}-{PARENT}-{flags}"));
        let state = |value: &str| ("tracestate", value.to_owned());
        let cases: Vec<(&str, Vec<(&str, String)>)> = vec![
            ("random, dropped by the sampler", vec![parent("02")]),
            ("random and sampled", vec![parent("03")]),
            ("neither", vec![parent("00")]),
            ("no traceparent", vec![]),
            ("duplicated key", vec![parent("00"), state("foo=1,foo=1")]),
            ("at signs", vec![parent("00"), state("foo@=1,bar=2")]),
            (
                "two at signs",
                vec![parent("00"), state("foo@@bar=1,bar=2")],
            ),
            (
                "at signs apart",
                vec![parent("00"), state("foo@bar@baz=1,bar=2")],
            ),
            ("leading at sign", vec![parent("00"), state("@foo=1,bar=2")]),
            (
                "tenant 241 and system 14",
                vec![
                    parent("00"),
                    state("foo=1"),
                    state(&format!("{}@{}=1", "t".repeat(241), "v".repeat(14))),
                ],
            ),
            (
                "key of 257",
                vec![
                    parent("00"),
                    state("foo=1"),
                    state(&format!("{}=1", "z".repeat(257))),
                ],
            ),
        ];
        for (case, headers) in cases {
            eprintln!("{case}: {}", forwarded(front, &headers).await);
        }
    });
}

#[test]
fn level_2_cases_reach_the_next_service_as_the_specification_says() {
    let output = run_child("child_forwards", &[]);
    let text = stderr(&output);
    let arrived = |case: &str| -> (String, String) {
        let line = text
            .lines()
            .find_map(|line| line.strip_prefix(&format!("{case}: ")))
            .unwrap_or_else(|| panic!("no line for {case}:\n{text}"));
        let (parent, state) = line.split_once(" | ").expect("two headers");
        (parent.to_owned(), state.to_owned())
    };
    let flags = |case: &str| {
        let (parent, _) = arrived(case);
        assert!(parent.starts_with("00-"), "{case}: {parent}");
        parent[parent.len() - 2..].to_owned()
    };
    assert_eq!(flags("random, dropped by the sampler"), "02");
    assert_eq!(flags("random and sampled"), "03");
    assert_eq!(flags("neither"), "00");
    assert_eq!(
        flags("no traceparent"),
        "03",
        "a trace started here is random"
    );
    assert!(arrived("random, dropped by the sampler").0.contains(TRACE));

    let state = |case: &str| arrived(case).1;
    assert_eq!(state("duplicated key"), "foo=1");
    assert_eq!(state("at signs"), "foo@=1,bar=2");
    assert_eq!(state("two at signs"), "foo@@bar=1,bar=2");
    assert_eq!(state("at signs apart"), "foo@bar@baz=1,bar=2");
    assert_eq!(
        state("leading at sign"),
        "-",
        "a key starts with a letter or digit"
    );
    assert_eq!(
        state("tenant 241 and system 14"),
        format!("foo=1,{}@{}=1", "t".repeat(241), "v".repeat(14))
    );
    assert_eq!(state("key of 257"), "-");
}
