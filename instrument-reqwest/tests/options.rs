//! The client's recording options: headers by name, a URL template, requests skipped,
//! hooks.

mod support;

use instrument_core::CallSpan;
use instrument_core::hooks::SkipIf;
use instrument_core::testing::{capture_async, string_array};
use instrument_reqwest::Client;
use support::{routes, serve};

#[tokio::test]
async fn named_headers_a_url_template_skips_and_hooks_shape_the_spans() {
    let address = serve(routes()).await;
    let ((), spans) = capture_async(async {
        let client = Client::builder()
            .capture_request_headers(["X-Request-Id", "not a header"])
            .capture_response_headers(["content-type"])
            .url_template(|request| {
                request
                    .url()
                    .path()
                    .starts_with("/redirect/")
                    .then(|| "/redirect/{n}".to_owned())
            })
            .skip_tracing_if(|request: &reqwest::Request| request.url().path() == "/ok")
            .on_request(|request: &reqwest::Request, span: &CallSpan| {
                span.set_dynamic_attribute("app.path_len", request.url().path().len() as i64);
            })
            .on_response(|response: &reqwest::Response, span: &CallSpan| {
                span.set_dynamic_attribute("app.final_url", response.url().to_string());
            })
            .build()
            .expect("client");
        client
            .get(format!("http://{address}/redirect/0"))
            .header("x-request-id", "r-1")
            .header("authorization", "Bearer secret")
            .send()
            .await
            .expect("send");
        client
            .get(format!("http://{address}/ok"))
            .send()
            .await
            .expect("skipped, still sent");
    })
    .await;
    assert_eq!(spans.len(), 1, "the /ok request is skipped");
    let span = spans.named("GET /redirect/{n}");
    span.assert_attr("url.template", "/redirect/{n}")
        .assert_attr("app.path_len", 11)
        .assert_attr("app.final_url", format!("http://{address}/ok").as_str())
        .assert_no_attr("http.request.header.authorization");
    span.assert_attr("http.request.header.x-request-id", string_array(["r-1"]))
        .assert_attr(
            "http.response.header.content-type",
            string_array(["text/plain; charset=utf-8"]),
        );
}

#[tokio::test]
async fn credential_headers_are_redacted_even_when_named_unless_opted_out_by_name() {
    let address = serve(routes()).await;
    let ((), spans) = capture_async(async {
        let client = Client::builder()
            .record_sensitive_header_values(["X-Tenant-Token"])
            .capture_request_headers(["authorization", "cookie", "x-api-key", "x-tenant-token"])
            .build()
            .expect("client");
        client
            .get(format!("http://{address}/headers"))
            .header("authorization", "Bearer secret-1")
            .header("cookie", "session=secret-2")
            .header("x-api-key", "secret-3")
            .header("x-tenant-token", "acme")
            .send()
            .await
            .expect("send");
    })
    .await;
    let span = spans.named("GET");
    for name in ["authorization", "cookie", "x-api-key"] {
        span.assert_attr(
            format!("http.request.header.{name}").as_str(),
            string_array(["REDACTED"]),
        );
    }
    span.assert_attr("http.request.header.x-tenant-token", string_array(["acme"]));
}

/// A skip filter of the application's own, as a type: the hooks are traits.
struct HealthChecks(&'static [&'static str]);

impl SkipIf<reqwest::Request> for HealthChecks {
    fn skip(&self, request: &reqwest::Request) -> bool {
        self.0.contains(&request.url().path())
    }
}

#[tokio::test]
async fn a_span_name_hook_names_the_span_and_a_hook_type_skips() {
    let address = serve(routes()).await;
    let ((), spans) = capture_async(async {
        let client = Client::builder()
            .skip_tracing_if(HealthChecks(&["/ok"]))
            .span_name(|request: &reqwest::Request| {
                (request.url().path() == "/headers").then(|| "GET inventory headers".to_owned())
            })
            .build()
            .expect("client");
        for path in ["ok", "headers", "missing"] {
            client
                .get(format!("http://{address}/{path}"))
                .send()
                .await
                .expect("send");
        }
    })
    .await;
    assert_eq!(spans.names(), ["GET inventory headers", "GET"]);
    spans
        .named("GET inventory headers")
        .assert_attr("http.request.method", "GET");
}
