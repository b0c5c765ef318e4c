//! What a reply means for the span: a nil is a value like any other; an error reply
//! (also one inside a pipeline or a transaction's `EXEC`) fails the span with its prefix.

use instrument_core::{CallSpan, ErrorInfo};
use redis::{RedisError, RedisResult, Value};

/// `error.type` and `db.response.status_code` for a client-side error: the server's error
/// prefix when it answered with one, else a low-cardinality name of what went wrong.
pub(crate) fn error_info(error: &RedisError) -> ErrorInfo<'_> {
    if let Some(code) = error.code() {
        return ErrorInfo::new().status_code(code);
    }
    let name = if error.is_timeout() {
        "timeout"
    } else if error.is_connection_dropped() {
        "connection_dropped"
    } else if error.is_connection_refusal() {
        "connection_refused"
    } else if error.is_io_error() {
        "io"
    } else {
        match error.kind() {
            redis::ErrorKind::AuthenticationFailed => "authentication_failed",
            redis::ErrorKind::UnexpectedReturnType => "unexpected_return_type",
            redis::ErrorKind::Parse => "parse",
            redis::ErrorKind::Client => "client",
            redis::ErrorKind::InvalidClientConfig => "invalid_client_config",
            _ => "_OTHER",
        }
    };
    ErrorInfo::new().error_type(name)
}

/// Records a single command's reply.
pub(crate) fn record_reply(result: &RedisResult<Value>, span: &CallSpan) {
    match result {
        Ok(value) => record_error_values(std::slice::from_ref(value), span),
        Err(error) => span.record_error(error, error_info(error)),
    }
}

/// Records a pipeline's or transaction's replies: the first error reply fails the span.
pub(crate) fn record_replies(result: &RedisResult<Vec<Value>>, span: &CallSpan) {
    match result {
        Ok(values) => record_error_values(values, span),
        Err(error) => span.record_error(error, error_info(error)),
    }
}

fn record_error_values(values: &[Value], span: &CallSpan) {
    if let Some(server_error) = first_error(values) {
        let error = RedisError::from(server_error.clone());
        let info = ErrorInfo::new().status_code(server_error.code().to_owned());
        span.record_error(&error, info);
    }
}

/// The first error reply, looking one level into arrays (a transaction's `EXEC` reply).
fn first_error(values: &[Value]) -> Option<&redis::ServerError> {
    values.iter().find_map(|value| match value {
        Value::ServerError(error) => Some(error),
        Value::Array(items) => items.iter().find_map(|item| match item {
            Value::ServerError(error) => Some(error),
            _ => None,
        }),
        _ => None,
    })
}
