//! Shared by the tests: the NATS server of `scripts/test`, subjects no other test uses.
#![allow(dead_code)] // each test binary uses a different part

use std::sync::atomic::{AtomicUsize, Ordering};

pub fn nats_url() -> String {
    std::env::var("NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".to_owned())
}

/// A subject no other test (or run) uses.
pub fn subject(name: &str) -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    format!(
        "it.{}.{}.{name}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// A traced client, with our propagators installed as `instrument::init()` does.
pub async fn client() -> instrument_nats::Client {
    install_propagators();
    instrument_nats::connect(nats_url())
        .await
        .expect("connect: is NATS running?")
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
