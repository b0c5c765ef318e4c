//! Runs one test of this binary in a child process with its own environment: the
//! switches are read from the process environment once, so each scenario needs a process.
// Each test binary uses a different part of this module.
#![allow(dead_code)]

pub mod collector;
pub mod grpc_collector;

use std::process::{Command, Output};

/// Set in the child so the scenario test knows it is the child.
pub const CHILD: &str = "INSTRUMENT_TEST_CHILD";

/// Is this process a child started by [`run_child`]?
pub fn in_child() -> bool {
    std::env::var_os(CHILD).is_some()
}

/// Runs `test` (its full name) in a child with `vars` set and every `OTEL_*` variable of
/// this process removed; panics with the child's output when it fails.
pub fn run_child(test: &str, vars: &[(&str, &str)]) -> Output {
    let exe = std::env::current_exe().expect("the test binary");
    let mut command = Command::new(exe);
    command
        .args(["--exact", test, "--nocapture", "--test-threads=1"])
        .env(CHILD, "1");
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("OTEL_") || key == "RUST_LOG" {
            command.env_remove(key);
        }
    }
    for (key, value) in vars {
        command.env(key, value);
    }
    let output = command.output().expect("the child ran");
    assert!(
        output.status.success(),
        "child {test} failed\nstdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// The child's stderr as text.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A two-thread tokio runtime with I/O and timers, for a test's servers and clients.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

/// Serves `app` on a loopback port of its own, on the current tokio runtime; its address.
pub async fn serve(app: axum::Router) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    address
}

/// Two services in this process: a back one answering each request with the
/// `traceparent` and `tracestate` it received (`traceparent | tracestate`, `-` for one
/// missing), and a front one behind `TracingLayer` whose `/front` calls it with the
/// traced reqwest client and answers with that. The front service's address.
#[cfg(all(feature = "tower", feature = "reqwest"))]
pub async fn forwarding_service() -> std::net::SocketAddr {
    fn header(headers: &axum::http::HeaderMap, name: &str) -> String {
        headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .unwrap_or("-")
            .to_owned()
    }
    let back = axum::Router::new().route(
        "/echo",
        axum::routing::get(|headers: axum::http::HeaderMap| async move {
            format!(
                "{} | {}",
                header(&headers, "traceparent"),
                header(&headers, "tracestate")
            )
        }),
    );
    let back = serve(back).await;
    let front = axum::Router::new()
        .route(
            "/front",
            axum::routing::get(move || async move {
                instrument::reqwest::Client::new()
                    .get(format!("http://{back}/echo"))
                    .send()
                    .await
                    .expect("back")
                    .text()
                    .await
                    .expect("body")
            }),
        )
        .layer(instrument::tower::TracingLayer::new());
    serve(front).await
}
