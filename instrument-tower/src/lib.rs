//! A [tower](https://docs.rs/tower) layer for HTTP servers (axum, hyper, tonic): each
//! request becomes a SERVER span that continues the caller's trace, and the handler
//! runs inside it, so every query and call it makes is the span's child.
//!
//! ```
//! use axum::{Router, routing::get};
//!
//! let app: Router = Router::new()
//!     .route("/users/{id}", get(|| async { "alice" }))
//!     .layer(instrument_tower::TracingLayer::new()); // one line
//! ```
//!
//! The span is named `{method} {route}` with axum's matched route (`GET /users/{id}`),
//! else `{method}`; it records `http.request.method`, `url.path`, `url.scheme`,
//! `http.route`, `server.address`, `server.port`, `network.protocol.version` and
//! `http.response.status_code`, and fails only on a 5xx response, a service error or a
//! handler panic (the panic then goes on unwinding, as without the layer). It ends
//! when the response head is ready: streaming the body is not in it.
//!
//! [`TracingLayer::force_sampling_if`] keeps the traces of requests it picks out (a
//! debug flag) whatever the sampler decides. The layer's hooks, in the shape every
//! wrapper shares ([`instrument_core::hooks`]): [`skip_tracing_if`](TracingLayer::skip_tracing_if)
//! (health checks), [`span_name`](TracingLayer::span_name),
//! [`on_request`](TracingLayer::on_request), [`on_response`](TracingLayer::on_response),
//! and headers captured by name (`capture_request_headers`, credential values
//! `REDACTED` unless named again in `record_sensitive_header_values`).
//!
//! For tonic, `Server::builder().layer(TracingLayer::new())` traces every service; with
//! the `tonic` feature a traced service keeps its gRPC name, so one service can be
//! traced alone: `.add_service(TracingLayer::new().layer(GreeterServer::new(greeter)))`.
//!
//! The caller's context is read from the request's headers through the global
//! propagator, which `instrument::init()` sets to W3C Trace Context and Baggage
//! (`instrument_core::propagation`: repeated headers combined, a repeated
//! `traceparent` rejected, and the other rules of the specifications).
//!
//! Switched off by `OTEL_SDK_DISABLED=true` or `tower` in
//! `OTEL_RUST_DISABLED_INSTRUMENTATIONS`: then a request costs one atomic load and goes
//! straight to the service.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod describe;
mod future;
mod layer;
mod options;
#[cfg(feature = "testing")]
#[cfg_attr(docsrs, doc(cfg(feature = "testing")))]
pub mod testing;

pub use future::ResponseFuture;
pub use layer::{Tracing, TracingLayer};
pub use options::{RequestHead, ResponseHead};
