//! The same statuses, bodies and errors through reqwest, the traced client, and the
//! traced client switched off (the `testing` parity helper). One test: the switch is
//! process-wide.

mod support;

use std::time::Duration;

use instrument_core::Library;
use instrument_core::testing::assert_parity;
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
    // The traced client adds its own headers: the echo of them differs on purpose, so
    // `/headers` is compared switched off only (below).
    let compared: Vec<String> = urls
        .iter()
        .filter(|url| !url.ends_with("/headers"))
        .cloned()
        .collect();
    let parity = assert_parity(
        Library::Reqwest,
        || raw_run(&compared),
        || traced_run(&compared),
    )
    .await;
    assert_eq!(parity.traced_spans.all_named("GET").len(), compared.len());
    let raw = parity.result;
    assert!(raw.iter().any(|o| o.contains("timeout=true")));
    assert!(raw.iter().any(|o| o.contains("connect=true")));

    let headers = [format!("http://{address}/headers")];
    let raw = raw_run(&headers).await;
    instrument_core::set_library_enabled(Library::Reqwest, false);
    let off = traced_run(&headers).await;
    instrument_core::set_library_enabled(Library::Reqwest, true);
    assert_eq!(off, raw, "switched off, even the headers are reqwest's");
}
