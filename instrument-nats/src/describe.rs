//! What a NATS operation says about itself, for its span.

use instrument_core::messaging::{MessagingCall, MessagingOperation, MessagingSystem};
use instrument_core::{CallSpan, ErrorInfo, Library};

use crate::client::Options;
use crate::headers::HeadersExtractor;

/// The prefix of the reply subjects clients make up (`new_inbox`): temporary.
const INBOX: &str = "_INBOX.";

/// A NATS operation on `subject`, with the client's server and subject template.
pub(crate) fn call<'a>(
    options: &'a Options,
    operation: MessagingOperation,
    name: &'a str,
    subject: &'a str,
    template: Option<String>,
) -> MessagingCall<'a> {
    let mut call = MessagingCall::new(Library::Nats, MessagingSystem::Nats, operation, name)
        .destination(subject);
    if subject.starts_with(INBOX) {
        call = call.temporary_destination();
    } else if let Some(template) = template {
        call = call.destination_template(template);
    }
    if let Some((address, port)) = &options.server {
        call = call.server(address, Some(*port));
    }
    call
}

/// The PRODUCER span of a publish.
pub(crate) fn publish(options: &Options, subject: &str, body_size: usize) -> CallSpan {
    sent(options, "publish", subject, body_size).start()
}

/// The CLIENT span of a request, lasting until its reply arrives.
pub(crate) fn request(options: &Options, subject: &str, body_size: usize) -> CallSpan {
    sent(options, "request", subject, body_size)
        .awaits_reply()
        .start()
}

fn sent<'a>(
    options: &'a Options,
    name: &'a str,
    subject: &'a str,
    body_size: usize,
) -> MessagingCall<'a> {
    let template = options.template(subject);
    call(options, MessagingOperation::Send, name, subject, template)
        .body_size(u64::try_from(body_size).unwrap_or(u64::MAX))
}

/// The CONSUMER span of processing `message`: child of and linked to the context its
/// headers carry; a message without one (or with a malformed one) starts a new trace.
pub(crate) fn process(
    options: &Options,
    message: &async_nats::Message,
    group: Option<&str>,
) -> CallSpan {
    let subject = message.subject.as_str();
    let template = options.template(subject);
    let mut call = call(
        options,
        MessagingOperation::Process,
        "process",
        subject,
        template,
    )
    .body_size(u64::try_from(message.payload.len()).unwrap_or(u64::MAX));
    if let Some(group) = group {
        call = call.consumer_group(group);
    }
    if let Some(headers) = &message.headers {
        call = call.creation_context(instrument_core::propagation::extract_from(
            &HeadersExtractor(headers),
        ));
    }
    call.start()
}

/// Records a failed operation: `error.type` is the kind of async-nats's error
/// (`TimedOut`, `NoResponders`, ...).
pub(crate) fn record<T, K>(result: &Result<T, async_nats::error::Error<K>>, span: &CallSpan)
where
    K: std::fmt::Debug + std::fmt::Display + Clone + PartialEq + 'static,
{
    if let Err(error) = result {
        span.record_error(error, ErrorInfo::new().error_kind(&error.kind()));
    }
}

/// Sends a message with `send` (a client's or a JetStream context's
/// `publish_with_headers`) inside a publish span whose context goes in its headers
/// when the server's `max_payload` leaves room for it.
pub(crate) async fn publish_traced<T, K, Sent>(
    options: &Options,
    subject: async_nats::Subject,
    mut headers: async_nats::HeaderMap,
    payload: bytes::Bytes,
    max_payload: impl FnOnce() -> usize,
    send: impl FnOnce(async_nats::Subject, async_nats::HeaderMap, bytes::Bytes) -> Sent,
) -> Result<T, async_nats::error::Error<K>>
where
    Sent: std::future::Future<Output = Result<T, async_nats::error::Error<K>>>,
    K: std::fmt::Debug + std::fmt::Display + Clone + PartialEq + 'static,
{
    if !instrument_core::recording(Library::Nats) {
        return send(subject, headers, payload).await;
    }
    let span = publish(options, subject.as_str(), payload.len());
    crate::headers::inject_within_limit(&span, &mut headers, payload.len(), max_payload);
    let published = send(subject, headers, payload).await;
    record(&published, &span);
    published
}
