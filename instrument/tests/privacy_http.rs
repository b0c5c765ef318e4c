//! Privacy, end to end, for the traced reqwest client and the tower server layer:
//! credentials in the URL (userinfo, query keys in any case or percent-encoding, the
//! fragment), in headers named for capture, in a failed request's error, and in
//! oversized propagation headers, through the real `init()` pipeline exporting OTLP/HTTP
//! to a collector on loopback. None reaches the exported bytes; the caller sees what
//! reqwest's own client gives.
#![cfg(all(feature = "reqwest", feature = "tower"))]

mod support;

use support::collector;

const SECRETS: &[&str] = &[
    "S3CR3T",
    "userinfo-pw",
    "q-api-key",
    "q-token",
    "q-encoded-sig",
    "q-upper-sig",
    "q-password",
    "frag-token",
    "h-authorization",
    "h-cookie",
    "h-api-key",
    "h-set-cookie",
    "h-referer",
    "h-functions-key",
    "h-location",
    "err-password",
    "err-user",
];

/// The request every client sends: a credential in each place a URL has one.
fn url(address: std::net::SocketAddr) -> String {
    format!(
        "http://user:S3CR3T-userinfo-pw@{address}/items?api_key=S3CR3T-q-api-key&Token=S3CR3T-q-token\
         &%73ig=S3CR3T-q-encoded-sig&SIG=S3CR3T-q-upper-sig&password=S3CR3T-q-password&page=2\
         #access_token=S3CR3T-frag-token"
    )
}

/// A URL on a closed port, with credentials: the error's message quotes it.
fn failing_url() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("address")
        .port();
    format!("http://S3CR3T-err-user:x@127.0.0.1:{port}/?password=S3CR3T-err-password")
}

fn app() -> axum::Router {
    axum::Router::new().route(
        "/items",
        axum::routing::get(|| async {
            (
                [
                    ("set-cookie", "sid=S3CR3T-h-set-cookie; HttpOnly"),
                    ("location", "/cb?code=S3CR3T-h-location&state=s1"),
                ],
                "items",
            )
        }),
    )
}

/// Sends the request (credential headers added) and the failing one with `$client`,
/// reqwest's or ours (the same builder calls), and returns what the caller sees.
macro_rules! exchange {
    ($address:expr, $client:expr) => {{
        let client = $client;
        let mut outcomes = Vec::new();
        for (url, with_headers) in [(url($address), true), (failing_url(), false)] {
            let mut request = client.get(url);
            if with_headers {
                request = request
                    .header("authorization", "Bearer S3CR3T-h-authorization")
                    .header("cookie", "session=S3CR3T-h-cookie")
                    .header("x-api-key", "S3CR3T-h-api-key")
                    .header("x-functions-key", "S3CR3T-h-functions-key")
                    .header(
                        "referer",
                        "https://site.example/reset?token=S3CR3T-h-referer",
                    )
                    .header("baggage", "k=v,".repeat(10_000));
            }
            let result = match request.send().await {
                Ok(response) => Ok((
                    response.status().as_u16(),
                    response.text().await.expect("body"),
                )),
                Err(error) => Err(error.to_string()),
            };
            outcomes.push(outcome(result));
        }
        outcomes
    }};
}

/// What the caller sees of a response or an error, with the error's port-specific URL
/// cut (each failing URL has a port of its own).
fn outcome(result: Result<(u16, String), String>) -> String {
    match result {
        Ok((status, body)) => format!("{status} {body}"),
        Err(error) => error
            .split("127.0.0.1:")
            .next()
            .unwrap_or_default()
            .to_owned(),
    }
}

#[test]
fn credentials_never_reach_the_export() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("bind");
    let address = listener.local_addr().expect("address");
    let (endpoint, received) = collector::start();
    let telemetry = collector::pipeline(&endpoint);
    let (raw, traced) = telemetry.in_scope(|| {
        runtime.block_on(async {
            let server = tokio::spawn(async move {
                let app = app().layer(instrument::tower::TracingLayer::new());
                axum::serve(listener, app).await.expect("serve");
            });
            let raw = exchange!(address, reqwest::Client::new());
            let traced = exchange!(
                address,
                instrument::reqwest::Client::builder()
                    .capture_request_headers([
                        "authorization",
                        "cookie",
                        "x-api-key",
                        "x-functions-key",
                        "referer",
                        "accept",
                    ])
                    .capture_response_headers(["set-cookie", "location", "content-type"])
                    .build()
                    .expect("client")
            );
            server.abort();
            (raw, traced)
        })
    });
    drop(telemetry);
    assert_eq!(
        raw, traced,
        "the traced client must answer as reqwest's own"
    );
    assert_eq!(raw[0], "200 items");
    received.assert_free_of(SECRETS);
    // What is recorded instead (reqwest moves userinfo into an `authorization` header
    // before the request exists, so no URL it sends has any).
    for recorded in [
        // The server span, with its own redacted `url.query`, was exported too.
        "GET /items",
        "url.query",
        "api_key=REDACTED",
        "Token=REDACTED",
        "%73ig=REDACTED",
        "SIG=REDACTED",
        "page=2",
        "http.request.header.authorization",
        "http.response.header.set-cookie",
        "http.request.header.referer",
        "reset?token=REDACTED",
        "http.response.header.location",
        "/cb?code=REDACTED&state=s1",
    ] {
        assert!(
            received.contains(recorded),
            "{recorded} is not in the export"
        );
    }
}

#[test]
fn child_query_keys_from_the_environment() {
    if !support::in_child() {
        return;
    }
    let expected = std::env::var("EXPECTED").expect("EXPECTED");
    assert_eq!(
        instrument_core::redact_url("http://h/p?tenant=acme&page=2&token=t"),
        expected
    );
}

#[test]
fn more_query_keys_or_every_value_from_the_environment() {
    if support::in_child() {
        return;
    }
    for (value, expected) in [
        ("tenant", "http://h/p?tenant=REDACTED&page=2&token=REDACTED"),
        (
            " Tenant ,x",
            "http://h/p?tenant=REDACTED&page=2&token=REDACTED",
        ),
        (
            "*",
            "http://h/p?tenant=REDACTED&page=REDACTED&token=REDACTED",
        ),
        ("", "http://h/p?tenant=acme&page=2&token=REDACTED"),
    ] {
        support::run_child(
            "child_query_keys_from_the_environment",
            &[
                ("OTEL_RUST_REDACTED_QUERY_KEYS", value),
                ("EXPECTED", expected),
            ],
        );
    }
}

#[test]
fn child_query_keys_from_the_builder() {
    if !support::in_child() {
        return;
    }
    let (_layer, _guard) = instrument::builder()
        .exporter(instrument::Exporter::None)
        .redact_query_keys(["tenant"])
        .layer::<tracing_subscriber::Registry>();
    assert_eq!(
        instrument_core::redact_url("http://h/p?tenant=acme&page=2"),
        "http://h/p?tenant=REDACTED&page=2"
    );
    let (_layer, _guard) = instrument::builder()
        .exporter(instrument::Exporter::None)
        .redact_all_query_values()
        .layer::<tracing_subscriber::Registry>();
    assert_eq!(
        instrument_core::redact_url("http://h/p?tenant=acme&page=2"),
        "http://h/p?tenant=REDACTED&page=REDACTED"
    );
}

#[test]
fn the_builder_overrides_the_environment() {
    if support::in_child() {
        return;
    }
    support::run_child(
        "child_query_keys_from_the_builder",
        &[("OTEL_RUST_REDACTED_QUERY_KEYS", "page")],
    );
}
