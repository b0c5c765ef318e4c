//! What a reply means for the span: a nil is a value like any other; an error reply
//! (also one inside a pipeline or a transaction's `EXEC`) fails the span with its prefix.
//!
//! Redis error texts quote what they complain about (`unknown command 'X', with args
//! beginning with: 'secret'`), so the message recorded has every quoted part masked.

use instrument_core::{CallSpan, ErrorInfo};
use redis::{RedisError, RedisResult, Value};

/// `error.type` and `db.response.status_code` for a client-side error: the server's error
/// prefix when it answered with one, else a low-cardinality name of what went wrong.
pub(crate) fn error_info(error: &RedisError) -> ErrorInfo<'_> {
    let info = ErrorInfo::new().message(masked_message(&error.to_string()));
    if let Some(code) = error.code() {
        return info.status_code(code);
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
    info.error_type(name)
}

/// `text` with the inside of every `'...'` and `"..."` replaced by `?` (to the end when a
/// quote is never closed).
pub(crate) fn masked_message(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut open: Option<char> = None;
    for c in text.chars() {
        match open {
            Some(quote) if c == quote => {
                out.push('?');
                out.push(c);
                open = None;
            }
            Some(_) => {}
            None => {
                out.push(c);
                if c == '\'' || c == '"' {
                    open = Some(c);
                }
            }
        }
    }
    if open.is_some() {
        out.push('?');
    }
    out
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
        span.record_error(&error, error_info(&error));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_parts_of_error_messages_are_masked() {
        assert_eq!(
            masked_message(
                "ERR: unknown command 'NOSUCH', with args beginning with: 'secret' 'more'"
            ),
            "ERR: unknown command '?', with args beginning with: '?' '?'"
        );
        assert_eq!(
            masked_message(r#"ERR bad "value" here"#),
            r#"ERR bad "?" here"#
        );
        assert_eq!(
            masked_message("ERR unterminated 'sec"),
            "ERR unterminated '?"
        );
        assert_eq!(
            masked_message("WRONGTYPE Operation against a key"),
            "WRONGTYPE Operation against a key"
        );
    }
}
