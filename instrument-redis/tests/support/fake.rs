//! A connection that answers every command with OK at once, without I/O: enough to see
//! the span a command makes, and to measure the tracing's own cost.

use redis::aio::ConnectionLike;

/// Answers `OK` to every command and to every command of a pipeline; db index 2.
#[derive(Debug, Clone, Copy)]
pub struct Fake;

impl ConnectionLike for Fake {
    fn req_packed_command<'a>(
        &'a mut self,
        _cmd: &'a redis::Cmd,
    ) -> redis::RedisFuture<'a, redis::Value> {
        Box::pin(std::future::ready(Ok(redis::Value::Okay)))
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        _pipeline: &'a redis::Pipeline,
        _offset: usize,
        count: usize,
    ) -> redis::RedisFuture<'a, Vec<redis::Value>> {
        Box::pin(std::future::ready(Ok(vec![redis::Value::Okay; count])))
    }

    fn get_db(&self) -> i64 {
        2
    }
}
