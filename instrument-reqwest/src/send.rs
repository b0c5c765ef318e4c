//! Sending one request inside its span, with the trace context in its headers.
//!
//! The span is started, and the headers written, when the send is first polled (as
//! reqwest's connection work starts then, and inside whatever span the caller's future
//! is polled in): the callers make [`Sending`] in `futures_util`'s `lazy(..).flatten()`,
//! which holds what the send needs until then and the one small future after, in the
//! same room. Nested `async` blocks and `async fn`s did the same with room for every
//! level's copy of the request at once: 1,560 bytes boxed per request in flight, then
//! 664 with `Sending` alone.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use instrument_core::{CallSpan, HttpClientCall, Library, RecordOutput, Traced};
use pin_project_lite::pin_project;

use crate::options::Options;
use crate::outcome;
use crate::resend::{self, Counted};

/// Executes `request` on `client` as a CLIENT span; `propagate` says whether the trace
/// context goes along in the headers.
pub(crate) fn execute(
    client: &reqwest::Client,
    request: reqwest::Request,
    propagate: bool,
    options: &Arc<Options>,
) -> Sending<impl Future<Output = Result<reqwest::Response, reqwest::Error>> + use<>> {
    send_traced(request, propagate, options, |request| {
        client.execute(request)
    })
}

/// Starts `request`'s CLIENT span and sends it with `send` (reqwest's client, or the
/// rest of a middleware chain) inside it; the future completes with `send`'s output.
/// Nothing is recorded when reqwest is switched off or the options skip the request.
///
/// The span starts, and `send` is called, right here: call it where the send starts
/// (at the first poll of the caller's future), so that the span has the parent and the
/// start time of the send.
pub(crate) fn send_traced<S, F, E>(
    mut request: reqwest::Request,
    propagate: bool,
    options: &Arc<Options>,
    send: S,
) -> Sending<F>
where
    S: FnOnce(reqwest::Request) -> F,
    F: Future<Output = Result<reqwest::Response, E>>,
    E: outcome::SendError,
{
    if !instrument_core::enabled(Library::Reqwest)
        || options
            .skip
            .as_ref()
            .is_some_and(|skip| skip.skip(&request))
    {
        return Sending::Untraced {
            send: send(request),
        };
    }
    let span = start_span(&request, options);
    options.headers.record_request(&span, request.headers());
    if let Some(on_request) = &options.on_request {
        on_request.on_start(&request, &span);
    }
    if propagate {
        instrument_core::propagation::inject(&span, request.headers_mut());
    }
    let record = RecordResponse {
        options: options.clone(),
    };
    // The response's body holds a clone of the span: it ends when the body is read,
    // fails or is dropped (crate::body).
    let for_body = Some(span.clone());
    Sending::Traced {
        traced: Traced::new(span, resend::counted(send(request)), record),
        for_body,
    }
}

/// Records a send's outcome, its resends, and what the options capture of the response.
pub(crate) struct RecordResponse {
    options: Arc<Options>,
}

impl<E: outcome::SendError> RecordOutput<(Result<reqwest::Response, E>, u32)> for RecordResponse {
    fn record(self, (output, resends): &(Result<reqwest::Response, E>, u32), span: &CallSpan) {
        outcome::record(output, span);
        if *resends > 0 {
            span.record_resend_count(*resends);
        }
        if let Ok(response) = output {
            self.options
                .headers
                .record_response(span, response.headers());
            if let Some(on_response) = &self.options.on_response {
                on_response.on_end(response, span);
            }
        }
    }
}

/// The request's CLIENT span, named and described as the options say.
fn start_span(request: &reqwest::Request, options: &Options) -> CallSpan {
    let template = options
        .url_template
        .as_ref()
        .and_then(|template| template(request));
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
    if let Some(name) = options.name.as_ref().and_then(|name| name.name(request)) {
        call = call.name(name);
    }
    call.start()
}

pin_project! {
    /// A request being sent: as it is, or inside its span, the response then handed
    /// out with its body holding the span (`crate::body`).
    #[project = SendingProjection]
    pub(crate) enum Sending<F> {
        Untraced {
            #[pin]
            send: F,
        },
        Traced {
            #[pin]
            traced: Traced<Counted<F>, RecordResponse>,
            for_body: Option<CallSpan>,
        },
    }
}

impl<F, E> Future for Sending<F>
where
    F: Future<Output = Result<reqwest::Response, E>>,
    E: outcome::SendError,
{
    type Output = Result<reqwest::Response, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            SendingProjection::Untraced { send } => send.poll(cx),
            SendingProjection::Traced { traced, for_body } => {
                let (output, _) = ready!(traced.poll(cx));
                Poll::Ready(match (output, for_body.take()) {
                    (Ok(response), Some(span)) => Ok(crate::body::ending_with_body(response, span)),
                    (output, _) => output,
                })
            }
        }
    }
}
