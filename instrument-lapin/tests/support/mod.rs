//! Shared by the tests: the RabbitMQ of `scripts/test`, queue names no other test uses.
#![allow(dead_code)] // each test binary uses a different part

use std::sync::atomic::{AtomicUsize, Ordering};

use lapin::ConnectionProperties;
use lapin::options::{QueueDeclareOptions, QueueDeleteOptions};
use lapin::types::FieldTable;

pub fn amqp_url() -> String {
    std::env::var("AMQP_URL").unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672/%2f".to_owned())
}

/// A queue name no other test (or run) uses.
pub fn queue_name(name: &str) -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    format!(
        "it.{}.{}.{name}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

pub async fn connect() -> instrument_lapin::Connection {
    install_propagators();
    instrument_lapin::Connection::connect(&amqp_url(), ConnectionProperties::default())
        .await
        .expect("connect: is RabbitMQ running?")
}

pub async fn declare(channel: &instrument_lapin::Channel, queue: &str) {
    channel
        .queue_declare(
            queue.into(),
            QueueDeclareOptions::default(),
            FieldTable::default(),
        )
        .await
        .expect("declare");
}

pub async fn delete(channel: &instrument_lapin::Channel, queue: &str) {
    channel
        .queue_delete(queue.into(), QueueDeleteOptions::default())
        .await
        .expect("delete");
}

/// Our W3C propagators, as `instrument::init()` installs them.
pub fn install_propagators() {
    use opentelemetry::propagation::{TextMapCompositePropagator, TextMapPropagator};
    let propagators: Vec<Box<dyn TextMapPropagator + Send + Sync>> = vec![
        Box::new(instrument_core::propagation::TraceContextPropagator::new()),
        Box::new(instrument_core::propagation::BaggagePropagator::new()),
    ];
    opentelemetry::global::set_text_map_propagator(TextMapCompositePropagator::new(propagators));
}
