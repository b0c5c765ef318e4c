//! What a reqwest failure means for the span.

use instrument_core::{CallSpan, ErrorInfo};

/// `error.type` of a transport failure: `timeout`, `connect`, `redirect`, `request`,
/// `body`, `decode`, else `_OTHER`.
fn error_type(error: &reqwest::Error) -> &'static str {
    if error.is_timeout() {
        "timeout"
    } else if error.is_connect() {
        "connect"
    } else if error.is_redirect() {
        "redirect"
    } else if error.is_request() {
        "request"
    } else if error.is_body() {
        "body"
    } else if error.is_decode() {
        "decode"
    } else {
        "_OTHER"
    }
}

/// A failure to get a response: reqwest's error, or a middleware chain's.
pub(crate) trait SendError: std::error::Error + 'static {
    /// The reqwest error inside, when there is one.
    fn as_reqwest(&self) -> Option<&reqwest::Error>;
}

impl SendError for reqwest::Error {
    fn as_reqwest(&self) -> Option<&reqwest::Error> {
        Some(self)
    }
}

#[cfg(feature = "middleware")]
impl SendError for reqwest_middleware::Error {
    fn as_reqwest(&self) -> Option<&reqwest::Error> {
        match self {
            reqwest_middleware::Error::Reqwest(error) => Some(error),
            _ => None,
        }
    }
}

/// Records the outcome of a request: the status (4xx and 5xx fail the span) and the
/// protocol version, or the failure.
pub(crate) fn record<E: SendError>(output: &Result<reqwest::Response, E>, span: &CallSpan) {
    match output {
        Ok(response) => {
            span.record_http_status(response.status().as_u16());
            if let Some(version) = instrument_core::protocol_version_name(response.version()) {
                span.record_protocol_version(version);
            }
        }
        Err(error) => {
            let kind = error.as_reqwest().map_or("_OTHER", error_type);
            let url = error.as_reqwest().and_then(reqwest::Error::url);
            let info = ErrorInfo::new()
                .error_type(kind)
                .message(message_without_secrets(error, url));
            span.record_error(error, info);
        }
    }
}

/// The error's message and causes, with the request's URL redacted as `url.full` is,
/// replaced exactly: found in text, a URL's end is a guess (`)` and `'` may be part of
/// it). Core then redacts any other URL in the text.
pub(crate) fn message_without_secrets(
    error: &(dyn std::error::Error + 'static),
    url: Option<&reqwest::Url>,
) -> String {
    let redact = |text: String| match url {
        Some(url) => text.replace(url.as_str(), &instrument_core::redact_url(url.as_str())),
        None => text,
    };
    let mut message = redact(error.to_string());
    let mut source = error.source();
    while let Some(cause) = source {
        let text = redact(cause.to_string());
        if !text.is_empty() && !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = cause.source();
    }
    message
}
