//! Sending one request inside its span, with the trace context in its headers.

use std::future::Future;
use std::sync::Arc;

use instrument_core::{CallSpan, HttpClientCall, Library, Traced};

use crate::options::Options;
use crate::outcome;
use crate::resend;

/// Executes `request` on `client` as a CLIENT span; `propagate` says whether the trace
/// context goes along in the headers.
pub(crate) async fn execute(
    client: &reqwest::Client,
    request: reqwest::Request,
    propagate: bool,
    options: &Arc<Options>,
) -> Result<reqwest::Response, reqwest::Error> {
    send_traced(request, propagate, options, |request| {
        client.execute(request)
    })
    .await
}

/// Sends `request` with `send` (reqwest's client, or the rest of a middleware chain)
/// inside its CLIENT span.
pub(crate) async fn send_traced<F, E>(
    mut request: reqwest::Request,
    propagate: bool,
    options: &Arc<Options>,
    send: impl FnOnce(reqwest::Request) -> F,
) -> Result<reqwest::Response, E>
where
    F: Future<Output = Result<reqwest::Response, E>>,
    E: outcome::SendError,
{
    if !instrument_core::enabled(Library::Reqwest)
        || options
            .skip
            .as_ref()
            .is_some_and(|skip| skip.skip(&request))
    {
        return send(request).await;
    }
    let template = options
        .url_template
        .as_ref()
        .and_then(|template| template(&request));
    let url = request.url();
    // An IPv6 host comes bracketed (`[::1]`); the address is without the brackets.
    let host = url
        .host_str()
        .unwrap_or_default()
        .trim_start_matches('[')
        .trim_end_matches(']');
    let mut call = HttpClientCall::new(Library::Reqwest, request.method().as_str(), url.as_str());
    if let Some(port) = url.port_or_known_default() {
        call = call.server(host, port);
    }
    if let Some(template) = &template {
        call = call.url_template(template);
    }
    if let Some(name) = options.name.as_ref().and_then(|name| name.name(&request)) {
        call = call.name(name);
    }
    let span = call.start();
    options.headers.record_request(&span, request.headers());
    if let Some(on_request) = &options.on_request {
        on_request.on_start(&request, &span);
    }
    if propagate {
        instrument_core::propagation::inject(&span, request.headers_mut());
    }
    let counted = resend::counted(send(request));
    let options = options.clone();
    let record = move |(output, resends): &(Result<reqwest::Response, E>, u32), span: &CallSpan| {
        outcome::record(output, span);
        let resends = *resends;
        if resends > 0 {
            span.record_resend_count(resends);
        }
        if let Ok(response) = output {
            options.headers.record_response(span, response.headers());
            if let Some(on_response) = &options.on_response {
                on_response.on_end(response, span);
            }
        }
    };
    // The response's body holds a clone of the span: it ends when the body is read,
    // fails or is dropped (crate::body).
    let for_body = span.clone();
    match Traced::new(span, counted, record).await {
        (Ok(response), _) => Ok(crate::body::ending_with_body(response, for_body)),
        (failed, _) => failed,
    }
}
