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
            // Core redacts the URLs reqwest's messages carry, as `url.full` is.
            span.record_error(error, ErrorInfo::new().error_type(kind));
        }
    }
}
