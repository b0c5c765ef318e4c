//! Each request is a CLIENT span with the semantic-convention attributes; the caller
//! gets reqwest's own response and error.

mod support;

use std::time::Duration;

use instrument_core::testing::{SpanKind, Status, capture_async};
use instrument_reqwest::Client;
use support::{closed_port, flaky, install_propagators, retry_unavailable, routes, serve};

#[tokio::test]
async fn a_successful_request_is_a_client_span_named_by_its_method() {
    let address = serve(routes()).await;
    let (body, spans) = capture_async(async {
        let response = Client::new()
            .get(format!("http://{address}/ok"))
            .send()
            .await
            .expect("send");
        response.text().await.expect("body")
    })
    .await;
    assert_eq!(body, "ok");
    let span = spans.named("GET");
    assert_eq!(span.kind, SpanKind::Client);
    assert_eq!(span.status, Status::Unset);
    span.assert_attr("http.request.method", "GET")
        .assert_attr("url.full", format!("http://{address}/ok").as_str())
        .assert_attr("server.address", "127.0.0.1")
        .assert_attr("server.port", i64::from(address.port()))
        .assert_attr("http.response.status_code", 200)
        .assert_attr("network.protocol.version", "1.1")
        .assert_no_attr("http.request.resend_count");
}

#[tokio::test]
async fn a_4xx_or_5xx_fails_the_span_with_the_status_as_error_type() {
    let address = serve(routes()).await;
    let (statuses, spans) = capture_async(async {
        let client = Client::new();
        let mut statuses = Vec::new();
        for path in ["missing", "fail"] {
            let response = client
                .get(format!("http://{address}/{path}"))
                .send()
                .await
                .expect("send");
            statuses.push(response.status().as_u16());
        }
        statuses
    })
    .await;
    assert_eq!(statuses, [404, 500]);
    let types: Vec<_> = spans
        .all_named("GET")
        .iter()
        .map(|s| {
            assert!(matches!(s.status, Status::Error(_)));
            s.str_attr("error.type").map(str::to_owned)
        })
        .collect();
    assert_eq!(types, [Some("404".to_owned()), Some("500".to_owned())]);
}

#[tokio::test]
async fn a_timeout_and_a_refused_connection_record_their_error_type() {
    let address = serve(routes()).await;
    let closed = closed_port().await;
    let (errors, spans) = capture_async(async {
        let client = Client::new();
        let timeout = client
            .get(format!("http://{address}/slow"))
            .timeout(Duration::from_millis(100))
            .send()
            .await
            .expect_err("times out");
        let refused = client
            .get(format!("http://{closed}/ok"))
            .send()
            .await
            .expect_err("refused");
        (timeout, refused)
    })
    .await;
    assert!(errors.0.is_timeout() && errors.1.is_connect());
    let types: Vec<_> = spans
        .all_named("GET")
        .iter()
        .map(|s| s.str_attr("error.type").map(str::to_owned))
        .collect();
    assert_eq!(
        types,
        [Some("timeout".to_owned()), Some("connect".to_owned())]
    );
}

#[tokio::test]
async fn redirects_are_followed_and_counted_as_resends() {
    let address = serve(routes()).await;
    let (body, spans) = capture_async(async {
        Client::new()
            .get(format!("http://{address}/redirect/2"))
            .send()
            .await
            .expect("send")
            .text()
            .await
            .expect("body")
    })
    .await;
    assert_eq!(body, "ok");
    // /redirect/2 -> /redirect/1 -> /redirect/0 -> /ok: sent three more times.
    spans
        .named("GET")
        .assert_attr("http.request.resend_count", 3)
        .assert_attr("http.response.status_code", 200)
        .assert_attr("url.full", format!("http://{address}/redirect/2").as_str());
}

#[tokio::test]
async fn an_unknown_method_is_named_http_and_recorded_as_other() {
    let address = serve(routes()).await;
    let (_, spans) = capture_async(async {
        let method = reqwest::Method::from_bytes(b"PURGE").expect("method");
        Client::new()
            .request(method, format!("http://{address}/ok"))
            .send()
            .await
            .expect("send")
            .text()
            .await
    })
    .await;
    spans
        .named("HTTP")
        .assert_attr("http.request.method", "_OTHER")
        .assert_attr("http.request.method_original", "PURGE");
}

#[tokio::test]
async fn credentials_never_reach_the_span_and_signatures_are_redacted() {
    let address = serve(routes()).await;
    let (_, spans) = capture_async(async {
        Client::new()
            .get(format!("http://user:secret@{address}/ok?sig=abc&page=2"))
            .send()
            .await
            .expect("send")
            .text()
            .await
    })
    .await;
    // reqwest moves the URL's credentials into an Authorization header; the signature
    // stays in the query and is redacted there.
    spans.named("GET").assert_attr(
        "url.full",
        format!("http://{address}/ok?sig=REDACTED&page=2").as_str(),
    );
    assert!(
        spans.iter().all(|s| !format!("{s:?}").contains("secret")),
        "a credential reached a span"
    );
}

#[tokio::test]
async fn the_trace_context_goes_along_unless_the_request_opts_out() {
    install_propagators();
    let address = serve(routes()).await;
    let ((sent, withheld), spans) = capture_async(async {
        let client = Client::new();
        let url = format!("http://{address}/headers");
        let sent = client
            .get(&url)
            .send()
            .await
            .expect("send")
            .text()
            .await
            .expect("body");
        let withheld = client
            .get(&url)
            .without_trace_context()
            .send()
            .await
            .expect("send")
            .text()
            .await
            .expect("body");
        (sent, withheld)
    })
    .await;
    let first = &spans.all_named("GET")[0];
    // Sampled (01), and a trace started here: random trace id (02, W3C Level 2).
    let expected = format!("traceparent: 00-{}-{}-03", first.trace_id, first.span_id);
    assert!(sent.contains(&expected), "{sent}\nexpected {expected}");
    assert!(withheld.contains("traceparent: -"), "{withheld}");
    assert_eq!(spans.all_named("GET").len(), 2, "both recorded");
}

#[tokio::test]
async fn a_failed_requests_message_carries_no_credentials_or_signatures() {
    let closed = closed_port().await;
    let (error, spans) = capture_async(async {
        let client = Client::new();
        let request = client
            .inner()
            .get(format!("http://user:hunter2@{closed}/ok?sig=s3cr3t"))
            .build()
            .expect("request");
        // Spawned: `execute` owns what it needs, as reqwest's does.
        tokio::spawn(instrument_core::testing::carried(client.execute(request)))
            .await
            .expect("join")
            .expect_err("refused")
    })
    .await;
    assert!(error.is_connect());
    let span = spans.named("GET");
    span.assert_attr("error.type", "connect");
    let recorded = format!("{span:?}");
    assert!(!recorded.contains("hunter2"), "{recorded}");
    assert!(!recorded.contains("s3cr3t"), "{recorded}");
    assert!(recorded.contains("sig=REDACTED"), "{recorded}");
}

#[tokio::test]
async fn a_redirect_the_policy_declines_is_not_a_resend() {
    let address = serve(routes()).await;
    // Elsewhere, and to the URL that answered it.
    for path in ["/redirect/1", "/to-itself"] {
        let client = Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        let (status, spans) = get_status(client, address, path).await;
        assert_eq!(status, 303, "the redirect itself, not followed");
        let span = spans.named("GET");
        span.assert_no_attr("http.request.resend_count");
        assert_eq!(span.status, Status::Unset);
    }
}

#[tokio::test]
async fn a_redirect_followed_to_a_304_is_a_resend() {
    let address = serve(routes()).await;
    let (status, spans) = get_status(Client::new(), address, "/to-not-modified").await;
    // The 304 is the answer of the followed redirect: no policy was asked about it.
    assert_eq!(status, 304);
    spans
        .named("GET")
        .assert_attr("http.request.resend_count", 1);
}

#[tokio::test]
async fn a_request_the_caller_drops_is_not_an_error() {
    let address = serve(routes()).await;
    let (elapsed, spans) = capture_async(async {
        let client = Client::new();
        tokio::time::timeout(
            Duration::from_millis(100),
            client.get(format!("http://{address}/slow")).send(),
        )
        .await
    })
    .await;
    assert!(elapsed.is_err(), "the caller gave up first");
    let span = spans.named("GET");
    assert_eq!(span.status, Status::Unset);
    span.assert_no_attr("error.type")
        .assert_no_attr("http.response.status_code");
}

/// Sends GET `path` on a client retrying 503s `max` times: the status and the spans.
async fn get_with_retries(
    address: std::net::SocketAddr,
    path: &str,
    max: u32,
) -> (u16, instrument_core::testing::Spans) {
    let client = Client::builder()
        .retry(retry_unavailable(max))
        .build()
        .expect("client");
    get_status(client, address, path).await
}

/// Sends GET `path` on `client`, capturing: the status and the spans.
async fn get_status(
    client: Client,
    address: std::net::SocketAddr,
    path: &str,
) -> (u16, instrument_core::testing::Spans) {
    capture_async(async {
        client
            .get(format!("http://{address}{path}"))
            .send()
            .await
            .expect("send")
            .status()
            .as_u16()
    })
    .await
}

#[tokio::test]
async fn retries_of_a_policy_from_retry_are_counted_as_resends() {
    let address = serve(flaky(2)).await;
    let (status, spans) = get_with_retries(address, "/flaky", 3).await;
    assert_eq!(status, 200);
    let span = spans.named("GET");
    span.assert_attr("http.request.resend_count", 2)
        .assert_attr("http.response.status_code", 200);
    assert_eq!(span.status, Status::Unset);
}

#[tokio::test]
async fn retries_given_up_are_counted_and_the_last_answer_fails_the_span() {
    let address = serve(flaky(u32::MAX)).await;
    let (status, spans) = get_with_retries(address, "/flaky", 2).await;
    assert_eq!(status, 503);
    let span = spans.named("GET");
    span.assert_attr("http.request.resend_count", 2)
        .assert_attr("error.type", "503");
    assert!(matches!(span.status, Status::Error(_)));
}

#[tokio::test]
async fn redirects_and_retries_add_up() {
    let address = serve(flaky(1)).await;
    let (status, spans) = get_with_retries(address, "/to-flaky", 2).await;
    assert_eq!(status, 200);
    // /to-flaky -> /flaky (503) -> /flaky again: one redirect, one retry.
    spans
        .named("GET")
        .assert_attr("http.request.resend_count", 2);
}

#[tokio::test]
async fn a_request_without_retries_to_make_records_no_resend() {
    let address = serve(flaky(0)).await;
    let (status, spans) = get_with_retries(address, "/flaky", 2).await;
    assert_eq!(status, 200);
    spans
        .named("GET")
        .assert_no_attr("http.request.resend_count");
}

/// Compiles only for a value that is `Send + Sync + 'static`.
fn is_send_sync_static<T: Send + Sync + 'static>(_: &T) {}

#[test]
fn the_request_futures_are_send_sync_and_static_as_reqwests_are() {
    let raw = reqwest::Client::new();
    is_send_sync_static(&raw.get("http://127.0.0.1:9/").send());
    let client = instrument_reqwest::Client::new();
    is_send_sync_static(&client.get("http://127.0.0.1:9/").send());
    let request = client
        .get("http://127.0.0.1:9/")
        .build()
        .expect("a request");
    is_send_sync_static(&client.execute(request));
}
