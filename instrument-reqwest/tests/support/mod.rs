//! A real axum server on loopback for the client tests.
#![allow(dead_code)] // each test binary uses a different part

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse as _, Redirect};
use axum::routing::get;
use opentelemetry::propagation::{TextMapCompositePropagator, TextMapPropagator};

/// The routes the tests call.
pub fn routes() -> Router {
    Router::new()
        .route("/ok", get(|| async { "ok" }))
        .route(
            "/fail",
            get(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "broken") }),
        )
        .route(
            "/slow",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(5)).await;
                "late"
            }),
        )
        .route("/to-itself", get(|| async { Redirect::to("/to-itself") }))
        .route(
            "/redirect/{n}",
            get(|Path(n): Path<u32>| async move {
                if n == 0 {
                    Redirect::to("/ok")
                } else {
                    Redirect::to(&format!("/redirect/{}", n - 1))
                }
            }),
        )
        .route("/not-modified", get(|| async { StatusCode::NOT_MODIFIED }))
        .route(
            "/to-not-modified",
            get(|| async { Redirect::to("/not-modified") }),
        )
        .route(
            "/headers",
            get(|headers: HeaderMap| async move {
                ["traceparent", "tracestate", "baggage"]
                    .iter()
                    .map(|name| {
                        let value = headers
                            .get(*name)
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or("-");
                        format!("{name}: {value}")
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            }),
        )
}

/// `/flaky` answers 503 to its first `failures` requests, then 200; `/to-flaky`
/// redirects there; `/to-flaky-once/{status}` redirects there the first time, then
/// answers `status`.
pub fn flaky(failures: u32) -> Router {
    let seen = Arc::new(AtomicU32::new(0));
    let redirected = Arc::new(AtomicU32::new(0));
    Router::new()
        .route(
            "/flaky",
            get(move || async move {
                if seen.fetch_add(1, Ordering::SeqCst) < failures {
                    (StatusCode::SERVICE_UNAVAILABLE, "busy")
                } else {
                    (StatusCode::OK, "ok")
                }
            }),
        )
        .route("/to-flaky", get(|| async { Redirect::to("/flaky") }))
        .route(
            "/to-flaky-once/{status}",
            get(move |Path(status): Path<u16>| async move {
                if redirected.fetch_add(1, Ordering::SeqCst) == 0 {
                    Redirect::to("/flaky").into_response()
                } else {
                    StatusCode::from_u16(status)
                        .unwrap_or(StatusCode::OK)
                        .into_response()
                }
            }),
        )
}

/// A policy from `instrument_reqwest::retry` retrying 503s to 127.0.0.1, at most
/// `max` times per request.
pub fn retry_unavailable(max: u32) -> reqwest::retry::Builder {
    instrument_reqwest::retry::for_host("127.0.0.1")
        .max_retries_per_request(max)
        .classify_fn(|attempt| match attempt.status() {
            Some(reqwest::StatusCode::SERVICE_UNAVAILABLE) => attempt.retryable(),
            _ => attempt.success(),
        })
}

/// Serves `app` on a loopback port in the background (its spans, if any, are not
/// captured: the server runs in tasks of its own).
pub async fn serve(app: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    address
}

/// A loopback port nothing listens on.
pub async fn closed_port() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    listener.local_addr().expect("address")
}

/// Our W3C propagators, as `instrument::init()` installs them.
pub fn install_propagators() {
    let propagators: Vec<Box<dyn TextMapPropagator + Send + Sync>> = vec![
        Box::new(instrument_core::propagation::TraceContextPropagator::new()),
        Box::new(instrument_core::propagation::BaggagePropagator::new()),
    ];
    opentelemetry::global::set_text_map_propagator(TextMapCompositePropagator::new(propagators));
}
