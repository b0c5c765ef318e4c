//! What a reply means for the span: a nil is a value like any other; an error reply
//! (also one nested in a pipeline's or a transaction's replies) fails the span with its
//! prefix.
//!
//! A Redis error's own text is never recorded: the server quotes what it complains about
//! (`unknown command 'X', with args beginning with: 'secret'`, `Error in ACL SETUSER
//! modifier 'hunter2'`), Lua scripts put anything in their errors, and redis-rs's type
//! errors show the response. The span gets the prefix and redis-rs's fixed category
//! instead (`ERR: response error`); only I/O errors, which carry no data, keep their text.

use instrument_core::{CallSpan, ErrorInfo};
use redis::{RedisError, RedisResult, Value};

/// The name `exception.type` carries for every redis-rs error.
const EXCEPTION_TYPE: &str = "redis::RedisError";

/// The error prefixes Redis (and Valkey, and Redis Cluster) write: anything else in
/// that position (a script's `redis.error_reply(ARGV[1])`, even in capitals) is data,
/// not a code.
const ERROR_PREFIXES: [&str; 29] = [
    "ASK",
    "BUSY",
    "BUSYGROUP",
    "BUSYKEY",
    "CLUSTERDOWN",
    "CROSSSLOT",
    "ERR",
    "EXECABORT",
    "INVALIDOBJECT",
    "LOADING",
    "MASTERDOWN",
    "MISCONF",
    "MOVED",
    "NOAUTH",
    "NOGROUP",
    "NOPERM",
    "NOPROTO",
    "NOREPLICAS",
    "NOSCRIPT",
    "NOSUB",
    "NOTBUSY",
    "OOM",
    "READONLY",
    "TRYAGAIN",
    "UNBLOCKED",
    "UNKILLABLE",
    "UNKNOWNCOMMAND",
    "WRONGPASS",
    "WRONGTYPE",
];

fn is_error_prefix(code: &str) -> bool {
    ERROR_PREFIXES.binary_search(&code).is_ok()
}

/// `error.type`, `db.response.status_code` and the recorded message for a redis-rs error.
pub(crate) fn error_info(error: &RedisError) -> ErrorInfo<'static> {
    if error.is_io_error() {
        let name = if error.is_timeout() {
            "timeout"
        } else if error.is_connection_dropped() {
            "connection_dropped"
        } else if error.is_connection_refusal() {
            "connection_refused"
        } else {
            "io"
        };
        return ErrorInfo::new().error_type(name).message(error.to_string());
    }
    match error.code() {
        Some(code) if is_error_prefix(code) => ErrorInfo::new()
            .status_code(code.to_owned())
            .message(format!("{code}: {}", error.category())),
        Some(_) => ErrorInfo::new()
            .error_type("_OTHER")
            .message(format!("server error: {}", error.category())),
        None => {
            let name = match error.kind() {
                redis::ErrorKind::AuthenticationFailed => "authentication_failed",
                redis::ErrorKind::UnexpectedReturnType => "unexpected_return_type",
                redis::ErrorKind::Parse => "parse",
                redis::ErrorKind::Client => "client",
                redis::ErrorKind::InvalidClientConfig => "invalid_client_config",
                _ => "_OTHER",
            };
            ErrorInfo::new()
                .error_type(name)
                .message(error.category().to_owned())
        }
    }
}

fn record_error(error: &RedisError, span: &CallSpan) {
    span.record_error_dyn(error, EXCEPTION_TYPE, error_info(error));
}

/// Records a single command's reply.
pub(crate) fn record_reply(result: &RedisResult<Value>, span: &CallSpan) {
    match result {
        Ok(value) => record_error_values(std::slice::from_ref(value), span),
        Err(error) => record_error(error, span),
    }
}

/// Records a pipeline's or transaction's replies: the first error reply fails the span,
/// as it fails the caller's `query` (a pipeline with `ignore_errors()` still hands the
/// errors back as values, and the span still says one failed).
pub(crate) fn record_replies(result: &RedisResult<Vec<Value>>, span: &CallSpan) {
    match result {
        Ok(values) => record_error_values(values, span),
        Err(error) => record_error(error, span),
    }
}

fn record_error_values(values: &[Value], span: &CallSpan) {
    if let Some(server_error) = first_error(values, 0) {
        record_error(&RedisError::from(server_error.clone()), span);
    }
}

/// How deep nested replies are searched for an error (redis-rs itself looks all the way).
const MAX_NESTING: usize = 16;

/// The first error reply, looking into arrays, sets, maps, attributes and pushes.
fn first_error(values: &[Value], depth: usize) -> Option<&redis::ServerError> {
    if depth > MAX_NESTING {
        return None;
    }
    values.iter().find_map(|value| match value {
        Value::ServerError(error) => Some(error),
        Value::Array(items) | Value::Set(items) => first_error(items, depth + 1),
        Value::Map(pairs) => pairs.iter().find_map(|(key, value)| {
            first_error(std::slice::from_ref(key), depth + 1)
                .or_else(|| first_error(std::slice::from_ref(value), depth + 1))
        }),
        Value::Attribute { data, .. } => first_error(std::slice::from_ref(data), depth + 1),
        Value::Push { data, .. } => first_error(data, depth + 1),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_real_error_prefixes_are_codes() {
        assert!(
            ERROR_PREFIXES.is_sorted(),
            "kept sorted for the binary search"
        );
        // Every code redis-rs knows by name is one.
        for kind in [
            redis::ServerErrorKind::ResponseError,
            redis::ServerErrorKind::ExecAbort,
            redis::ServerErrorKind::BusyLoading,
            redis::ServerErrorKind::NoScript,
            redis::ServerErrorKind::Moved,
            redis::ServerErrorKind::Ask,
            redis::ServerErrorKind::TryAgain,
            redis::ServerErrorKind::ClusterDown,
            redis::ServerErrorKind::CrossSlot,
            redis::ServerErrorKind::MasterDown,
            redis::ServerErrorKind::ReadOnly,
            redis::ServerErrorKind::NotBusy,
            redis::ServerErrorKind::NoSub,
            redis::ServerErrorKind::NoPerm,
        ] {
            let error = RedisError::from((redis::ErrorKind::Server(kind), "a server error"));
            assert!(
                error.code().is_some_and(is_error_prefix),
                "{kind:?}: {:?}",
                error.code()
            );
        }
        for code in [
            "ERR",
            "WRONGTYPE",
            "NOSCRIPT",
            "EXECABORT",
            "NOTBUSY",
            "MOVED",
        ] {
            assert!(is_error_prefix(code), "{code}");
        }
        for data in [
            "hunter2",
            "Err",
            "",
            "ERR1",
            "user:1",
            "HUNTER",
            &"A".repeat(33),
        ] {
            assert!(!is_error_prefix(data), "{data}");
        }
    }

    #[test]
    fn nested_error_replies_are_found() {
        // An array holding a map whose value is a set holding an error reply.
        let nested = redis::parse_redis_value(b"*2\r\n+OK\r\n*1\r\n%1\r\n_\r\n~1\r\n-ERR deep\r\n");
        let nested = nested.map(|v| vec![v]).unwrap_or_default();
        assert!(first_error(&nested, 0).is_some(), "{nested:?}");
        assert!(first_error(&[Value::Okay, Value::Nil], 0).is_none());
    }

    #[test]
    fn error_messages_never_carry_the_servers_text() {
        let reply = redis::parse_redis_value(
            b"-ERR Error in ACL SETUSER modifier 'hunter2': Syntax error\r\n",
        );
        let Ok(Value::ServerError(server_error)) = reply else {
            panic!("an error reply: {reply:?}");
        };
        let error = RedisError::from(server_error);
        let (_, spans) = instrument_core::testing::capture(|| {
            let span = instrument_core::DbCall::new(
                instrument_core::Library::Redis,
                instrument_core::DbSystem::Redis,
            )
            .operation("ACL")
            .start();
            record_error(&error, &span);
        });
        let span = spans.named("ACL");
        span.assert_attr("error.type", "ERR")
            .assert_attr("db.response.status_code", "ERR");
        let exception = span.event("exception").expect("exception");
        assert_eq!(
            exception.str_attr("exception.message"),
            Some("ERR: response error")
        );
        assert_eq!(
            exception.str_attr("exception.type"),
            Some("redis::RedisError")
        );

        let data_as_code = redis::parse_redis_value(b"-hunter2 leaked\r\n");
        let Ok(Value::ServerError(server_error)) = data_as_code else {
            panic!("an error reply: {data_as_code:?}");
        };
        let info = format!("{:?}", error_info(&RedisError::from(server_error)));
        assert!(!info.contains("hunter2"), "{info}");
    }
}
