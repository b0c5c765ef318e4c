//! The same statuses, bodies and errors through reqwest, the traced client, and the
//! traced client switched off. One test: the switch is process-wide.

mod support;

use std::time::Duration;

use instrument_core::Library;
use instrument_core::testing::capture_async;
use support::{closed_port, routes, serve};

/// What a request came to, as text.
fn outcome(result: Result<(u16, String), reqwest::Error>) -> String {
    match result {
        Ok((status, body)) => format!("{status} {body}"),
        Err(error) => format!(
            "error timeout={} connect={} redirect={} status={:?}",
            error.is_timeout(),
            error.is_connect(),
            error.is_redirect(),
            error.status()
        ),
    }
}

/// Gets each URL in turn with `$client` (reqwest's or ours: the same calls).
macro_rules! run {
    ($client:expr, $urls:expr) => {{
        let client = $client;
        let mut outcomes = Vec::new();
        for url in $urls {
            let result = async {
                let response = client
                    .get(url)
                    .timeout(Duration::from_millis(200))
                    .send()
                    .await?;
                let status = response.status().as_u16();
                Ok((status, response.text().await?))
            }
            .await;
            outcomes.push(outcome(result));
        }
        outcomes
    }};
}

async fn raw_run(urls: &[String]) -> Vec<String> {
    run!(reqwest::Client::new(), urls)
}

async fn traced_run(urls: &[String]) -> Vec<String> {
    run!(instrument_reqwest::Client::new(), urls)
}

#[tokio::test]
async fn responses_and_errors_match_raw_traced_and_switched_off() {
    let address = serve(routes()).await;
    let closed = closed_port().await;
    let urls: Vec<String> = ["ok", "missing", "fail", "redirect/3", "slow", "headers"]
        .iter()
        .map(|path| format!("http://{address}/{path}"))
        .chain([format!("http://{closed}/ok")])
        .collect();
    let raw = raw_run(&urls).await;
    let (traced, spans) = capture_async(traced_run(&urls)).await;
    assert_eq!(spans.all_named("GET").len(), urls.len());
    instrument_core::set_library_enabled(Library::Reqwest, false);
    let (off, off_spans) = capture_async(traced_run(&urls)).await;
    instrument_core::set_library_enabled(Library::Reqwest, true);
    off_spans.assert_empty();
    // The traced client adds its own headers: the echo of them differs on purpose.
    let comparable = |outcomes: &[String]| {
        outcomes
            .iter()
            .filter(|o| !o.contains("traceparent"))
            .cloned()
            .collect::<Vec<_>>()
    };
    assert_eq!(comparable(&traced), comparable(&raw));
    assert_eq!(off, raw, "switched off, even the headers are reqwest's");
    assert!(raw.iter().any(|o| o.contains("timeout=true")));
    assert!(raw.iter().any(|o| o.contains("connect=true")));
}
