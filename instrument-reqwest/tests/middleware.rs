//! Through a reqwest-middleware chain: the same CLIENT span, the context sent along.

mod support;

use instrument_core::CallSpan;

use instrument_core::testing::{SpanKind, capture_async, string_array};
use support::{flaky, install_propagators, retry_unavailable, routes, serve};

#[tokio::test]
async fn a_request_through_the_middleware_is_a_client_span_that_propagates() {
    install_propagators();
    let address = serve(routes()).await;
    let (body, spans) = capture_async(async {
        let client = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
            .with(instrument_reqwest::TracingMiddleware::new())
            .build();
        client
            .get(format!("http://{address}/headers"))
            .send()
            .await
            .expect("send")
            .text()
            .await
            .expect("body")
    })
    .await;
    let span = spans.named("GET");
    assert_eq!(span.kind, SpanKind::Client);
    span.assert_attr("http.response.status_code", 200);
    // Sampled (01), and a trace started here: random trace id (02, W3C Level 2).
    let expected = format!("traceparent: 00-{}-{}-03", span.trace_id, span.span_id);
    assert!(body.contains(&expected), "{body}");
}

#[tokio::test]
async fn retries_of_the_clients_policy_from_retry_are_counted() {
    let inner = reqwest::Client::builder()
        .retry(retry_unavailable(2))
        .build()
        .expect("client");
    let client = reqwest_middleware::ClientBuilder::new(inner)
        .with(instrument_reqwest::TracingMiddleware::new())
        .build();
    assert_resends(client, "/flaky", 200, 1).await;
}

#[tokio::test]
async fn the_middleware_takes_the_clients_options() {
    let address = serve(routes()).await;
    let ((), spans) = capture_async(async {
        let middleware = instrument_reqwest::TracingMiddleware::new()
            .capture_request_headers(["x-request-id"])
            .capture_response_headers(["content-type"])
            .url_template(|request| {
                (request.url().path() == "/headers").then(|| "/{page}".to_owned())
            })
            .skip_tracing_if(|request: &reqwest::Request| request.url().path() == "/ok")
            .on_request(|_: &reqwest::Request, span: &CallSpan| {
                span.set_dynamic_attribute("app.hook", "request")
            })
            .on_response(|response: &reqwest::Response, span: &CallSpan| {
                span.set_dynamic_attribute("app.status", i64::from(response.status().as_u16()));
            });
        let client = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
            .with(middleware)
            .build();
        for path in ["headers", "ok"] {
            client
                .get(format!("http://{address}/{path}"))
                .header("x-request-id", "r-7")
                .send()
                .await
                .expect("send");
        }
    })
    .await;
    assert_eq!(spans.len(), 1, "the /ok request is skipped");
    spans
        .named("GET /{page}")
        .assert_attr("url.template", "/{page}")
        .assert_attr("http.request.header.x-request-id", string_array(["r-7"]))
        .assert_attr(
            "http.response.header.content-type",
            string_array(["text/plain; charset=utf-8"]),
        )
        .assert_attr("app.hook", "request")
        .assert_attr("app.status", 200);
}

/// A retry middleware of the simplest kind: sends a request once more when the first
/// answer is a 503.
struct RetryUnavailableOnce;

#[async_trait::async_trait]
impl reqwest_middleware::Middleware for RetryUnavailableOnce {
    async fn handle(
        &self,
        request: reqwest::Request,
        extensions: &mut http::Extensions,
        next: reqwest_middleware::Next<'_>,
    ) -> reqwest_middleware::Result<reqwest::Response> {
        let again = request.try_clone();
        let response = next.clone().run(request, extensions).await?;
        match again {
            Some(again) if response.status() == reqwest::StatusCode::SERVICE_UNAVAILABLE => {
                next.run(again, extensions).await
            }
            _ => Ok(response),
        }
    }
}

/// GETs `path` of a `flaky(1)` server with `client`, and checks the status answered and
/// the span's resend count.
async fn assert_resends(
    client: reqwest_middleware::ClientWithMiddleware,
    path: &str,
    status: u16,
    resends: i64,
) {
    let address = serve(flaky(1)).await;
    let (answered, spans) = capture_async(async {
        client
            .get(format!("http://{address}{path}"))
            .send()
            .await
            .expect("send")
            .status()
    })
    .await;
    assert_eq!(answered.as_u16(), status);
    spans
        .named("GET")
        .assert_attr("http.request.resend_count", resends);
}

/// Our middleware, then a retry middleware, then a client whose redirect policy counts
/// (see `ClientBuilder`).
fn before_a_retry_middleware() -> reqwest_middleware::ClientWithMiddleware {
    let inner = instrument_reqwest::Client::builder()
        .build()
        .expect("client")
        .inner()
        .clone();
    reqwest_middleware::ClientBuilder::new(inner)
        .with(instrument_reqwest::TracingMiddleware::new())
        .with(RetryUnavailableOnce)
        .build()
}

#[tokio::test]
async fn before_a_retry_middleware_the_redirects_of_every_attempt_add_up() {
    // Two attempts, each /to-flaky -> /flaky: reqwest followed two redirects (the
    // middleware's own retry is not seen from before it).
    assert_resends(before_a_retry_middleware(), "/to-flaky", 200, 2).await;
}

#[tokio::test]
async fn a_redirect_of_an_earlier_attempt_counts_when_the_last_attempt_has_none() {
    // /to-flaky-once/200 -> /flaky (503), then /to-flaky-once/200 answers itself: one
    // redirect.
    assert_resends(before_a_retry_middleware(), "/to-flaky-once/200", 200, 1).await;
    // The same, the last answer a 304 (a 3xx no policy is asked about): still one.
    assert_resends(before_a_retry_middleware(), "/to-flaky-once/304", 304, 1).await;
}
