//! The span lasts until the response body has been read, and a failure while reading it
//! fails the span; the caller's bytes and error are reqwest's.

use std::net::SocketAddr;
use std::time::Duration;

use instrument_core::testing::{Status, capture_async};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A server that answers each connection with `head`, then `body` after `pause`, then
/// closes the connection, whatever the head promised.
async fn scripted_server(head: &'static str, body: &'static [u8], pause: Duration) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move {
        while let Ok((mut connection, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut request = [0_u8; 4096];
                let _ = connection.read(&mut request).await;
                let _ = connection.write_all(head.as_bytes()).await;
                let _ = connection.flush().await;
                tokio::time::sleep(pause).await;
                let _ = connection.write_all(body).await;
                let _ = connection.shutdown().await;
            });
        }
    });
    address
}

/// A head promising 1,000 bytes, of which the server sends 10 before closing.
const CUT_HEAD: &str = "HTTP/1.1 200 OK\r\ncontent-length: 1000\r\nconnection: close\r\n\r\n";
const CUT_BODY: &[u8] = b"0123456789";

/// What the caller can tell of a body error, through reqwest's API.
fn described(error: &reqwest::Error) -> String {
    let mut root: &dyn std::error::Error = error;
    while let Some(cause) = root.source() {
        root = cause;
    }
    format!(
        "{error} | body={} decode={} timeout={} connect={} request={} status={:?} url={:?} | root: {root}",
        error.is_body(),
        error.is_decode(),
        error.is_timeout(),
        error.is_connect(),
        error.is_request(),
        error.status(),
        error.url().map(reqwest::Url::path),
    )
}

/// How many errors `error`'s `source()` chain holds, itself included.
fn chain_length(error: &reqwest::Error) -> usize {
    std::iter::successors(Some(error as &dyn std::error::Error), |e| e.source()).count()
}

/// The error reqwest itself gives the caller reading the body at `url`.
async fn raw_body_error(url: &str) -> reqwest::Error {
    reqwest::Client::new()
        .get(url)
        .send()
        .await
        .expect("the head arrives")
        .bytes()
        .await
        .expect_err("the body fails")
}

#[tokio::test]
async fn a_body_cut_mid_stream_fails_the_span_and_the_caller_gets_reqwests_error() {
    let address = scripted_server(CUT_HEAD, CUT_BODY, Duration::ZERO).await;
    let url = format!("http://{address}/report");
    let raw = raw_body_error(&url).await;
    let (traced, spans) = capture_async(async {
        let response = instrument_reqwest::Client::new()
            .get(&url)
            .send()
            .await
            .expect("the head arrives");
        assert_eq!(response.status(), 200);
        assert_eq!(response.url().as_str(), url, "the response keeps its URL");
        response.text().await.expect_err("the body is cut")
    })
    .await;
    assert_eq!(described(&traced), described(&raw));
    // The one difference, documented in the crate docs: two more body links.
    assert_eq!(chain_length(&traced), chain_length(&raw) + 2);
    let span = spans.named("GET");
    span.assert_attr("http.response.status_code", 200)
        .assert_attr("error.type", "body");
    let Status::Error(message) = &span.status else {
        panic!("the span failed: {:?}", span.status);
    };
    assert!(message.contains("body"), "{message}");
}

#[tokio::test]
async fn a_timeout_while_reading_the_body_fails_the_span_as_a_timeout() {
    let head = "HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\n";
    let address = scripted_server(head, b"late", Duration::from_secs(5)).await;
    let (error, spans) = capture_async(async {
        let response = instrument_reqwest::Client::new()
            .get(format!("http://{address}/slow-body"))
            .timeout(Duration::from_millis(300))
            .send()
            .await
            .expect("the head arrives in time");
        response.bytes().await.expect_err("the body does not")
    })
    .await;
    assert!(error.is_timeout(), "{error:?}");
    let span = spans.named("GET");
    span.assert_attr("error.type", "timeout");
    assert!(matches!(span.status, Status::Error(_)));
}

#[tokio::test]
async fn the_span_lasts_until_the_body_is_read_and_a_whole_body_leaves_it_unset() {
    let head = "HTTP/1.1 200 OK\r\ncontent-length: 8\r\n\r\n";
    let pause = Duration::from_millis(300);
    let address = scripted_server(head, b"complete", pause).await;
    let (body, spans) = capture_async(async {
        let response = instrument_reqwest::Client::new()
            .get(format!("http://{address}/paced"))
            .send()
            .await
            .expect("send");
        response.text().await.expect("the whole body")
    })
    .await;
    assert_eq!(body, "complete");
    let span = spans.named("GET");
    assert_eq!(span.status, Status::Unset);
    span.assert_no_attr("error.type");
    let duration = span
        .end_time
        .duration_since(span.start_time)
        .expect("ends after it starts");
    assert!(duration >= pause, "the span covers the body: {duration:?}");
}

#[tokio::test]
async fn a_response_dropped_unread_ends_its_span_without_an_error() {
    let address = scripted_server(CUT_HEAD, CUT_BODY, Duration::ZERO).await;
    let (status, spans) = capture_async(async {
        let response = instrument_reqwest::Client::new()
            .get(format!("http://{address}/ignored"))
            .send()
            .await
            .expect("send");
        response.status().as_u16()
    })
    .await;
    assert_eq!(status, 200);
    let span = spans.named("GET");
    assert_eq!(
        span.status,
        Status::Unset,
        "dropping the body is the caller's choice"
    );
}

#[cfg(feature = "gzip")]
#[tokio::test]
async fn a_body_that_fails_to_decompress_fails_the_span_as_decode() {
    let head = "HTTP/1.1 200 OK\r\ncontent-encoding: gzip\r\ncontent-length: 10\r\n\r\n";
    let address = scripted_server(head, b"not gzip!!", Duration::ZERO).await;
    let url = format!("http://{address}/compressed");
    let raw = raw_body_error(&url).await;
    let (traced, spans) = capture_async(async {
        instrument_reqwest::Client::new()
            .get(&url)
            .send()
            .await
            .expect("send")
            .bytes()
            .await
            .expect_err("not gzip")
    })
    .await;
    assert_eq!(described(&traced), described(&raw));
    let span = spans.named("GET");
    assert!(matches!(span.status, Status::Error(_)));
    let error_type = span.str_attr("error.type").unwrap_or_default();
    assert!(["decode", "body"].contains(&error_type), "{error_type}");
}

#[tokio::test]
async fn the_response_keeps_its_url_address_headers_and_body() {
    let head = "HTTP/1.1 200 OK\r\ncontent-length: 4\r\nx-kind: report\r\n\r\n";
    let address = scripted_server(head, b"done", Duration::ZERO).await;
    let url = format!("http://{address}/report?page=2");
    let raw = reqwest::Client::new()
        .get(&url)
        .send()
        .await
        .expect("raw response");
    let traced = instrument_reqwest::Client::new()
        .get(&url)
        .send()
        .await
        .expect("traced response");
    assert_eq!(traced.url(), raw.url());
    assert_eq!(traced.remote_addr(), raw.remote_addr());
    assert_eq!(traced.remote_addr(), Some(address));
    assert_eq!(traced.status(), raw.status());
    assert_eq!(traced.version(), raw.version());
    assert_eq!(traced.headers(), raw.headers());
    assert_eq!(traced.content_length(), raw.content_length());
    let (traced, raw) = (traced.bytes().await, raw.bytes().await);
    assert_eq!(traced.expect("traced body"), raw.expect("raw body"));
}
