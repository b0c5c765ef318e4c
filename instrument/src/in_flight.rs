//! [`InFlight`]: how many of the application's exported `tracing` spans are still open,
//! so that the guard lets the last ones end before it shuts the exporter down.
//!
//! A `tracing` span ends when its last handle goes, and libraries keep handles on other
//! threads: sqlx's SQLite worker holds the current span for each command until just
//! after it has answered. A program that ends its business span and returns at once
//! races that thread: the span would end after the exporter shut down, and its whole
//! trace would be lost. The guard waits for it, briefly.

use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use tracing::span;
use tracing_subscriber::Layer;
use tracing_subscriber::layer::Context;

/// Counts open spans; a layer, filtered like the exported spans.
#[derive(Debug, Clone, Default)]
pub(crate) struct InFlight(Arc<(Mutex<usize>, Condvar)>);

impl InFlight {
    /// Waits until no counted span is open, or `limit` has passed (spans a program
    /// leaves open for ever cost it no more than that at exit).
    pub(crate) fn wait_until_none(&self, limit: Duration) {
        let (open, ended) = &*self.0;
        let deadline = Instant::now() + limit;
        let Ok(mut count) = open.lock() else { return };
        while *count > 0 {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return;
            }
            match ended.wait_timeout(count, left) {
                Ok((guard, _)) => count = guard,
                Err(_) => return,
            }
        }
    }
}

impl<S: tracing::Subscriber> Layer<S> for InFlight {
    fn on_new_span(&self, _: &span::Attributes<'_>, _: &span::Id, _: Context<'_, S>) {
        if let Ok(mut count) = self.0.0.lock() {
            *count += 1;
        }
    }

    fn on_close(&self, _: span::Id, _: Context<'_, S>) {
        if let Ok(mut count) = self.0.0.lock() {
            *count = count.saturating_sub(1);
            if *count == 0 {
                self.0.1.notify_all();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing_subscriber::layer::SubscriberExt as _;

    #[test]
    fn the_wait_ends_when_the_last_span_closes_on_another_thread() {
        let in_flight = InFlight::default();
        let subscriber = tracing_subscriber::registry().with(in_flight.clone());
        let dispatch = tracing::Dispatch::new(subscriber);
        let span = tracing::dispatcher::with_default(&dispatch, || tracing::info_span!("work"));
        let holder = span.clone();
        drop(span);
        let closer = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            tracing::dispatcher::with_default(&dispatch, || drop(holder));
        });
        let start = Instant::now();
        in_flight.wait_until_none(Duration::from_secs(5));
        assert!(start.elapsed() < Duration::from_secs(5));
        assert_eq!(*in_flight.0.0.lock().expect("count"), 0);
        closer.join().expect("closer");
    }

    #[test]
    fn a_span_left_open_costs_no_more_than_the_limit() {
        let in_flight = InFlight::default();
        let subscriber = tracing_subscriber::registry().with(in_flight.clone());
        let _span = tracing::subscriber::with_default(subscriber, || tracing::info_span!("open"));
        let start = Instant::now();
        in_flight.wait_until_none(Duration::from_millis(30));
        assert!(start.elapsed() >= Duration::from_millis(30));
    }
}
