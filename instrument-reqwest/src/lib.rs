//! [reqwest](https://docs.rs/reqwest) 0.13, traced: every request is an OpenTelemetry
//! CLIENT span, and carries the trace context to the service it calls.
//!
//! ```no_run
//! # async fn run() -> Result<(), reqwest::Error> {
//! let http = instrument_reqwest::Client::new(); // was reqwest::Client::new()
//! let body = http.get("http://inventory.internal/items/7").send().await?.text().await?;
//! # Ok(()) }
//! ```
//!
//! The span is named by the method (`GET`; `HTTP` for a method outside the standard
//! ones, recorded as `_OTHER` with `http.request.method_original`) and records
//! `url.full` (credentials and signature query values redacted), `server.address`,
//! `server.port`, `http.response.status_code`, `network.protocol.version`, and
//! `http.request.resend_count` when redirects, or retries of a policy from [`retry`],
//! resent it. A 4xx or 5xx response, or a transport error (`error.type` = `timeout`,
//! `connect`, `redirect`, `request`, `body`, ...), fails it; a request the caller drops
//! before it completes is not a failure.
//!
//! The span (and its `http.client.request.duration`) ends when the response body has
//! been read to its end, or fails, or is dropped: a connection cut mid-body, a
//! decompression error or the client's timeout running out while the body is read
//! fails the span (`error.type` = `body`, `decode` or `timeout`), and the caller gets
//! reqwest's own error. A response kept unread keeps its span open until it is
//! dropped. The response is still a `reqwest::Response`, its body passed through frame
//! by frame.
//!
//! `traceparent`, `tracestate` and `baggage` go along in the request headers through
//! the global propagator (`OTEL_PROPAGATORS`); a call to a third party can opt out with
//! [`RequestBuilder::without_trace_context`].
//!
//! **Where it differs from reqwest**, traced (switched off, it is reqwest's own send):
//! - the send starts when its future is first polled, not when `send()` is called, so
//!   that the span's parent is where it is awaited: reqwest's `timeout` counts from
//!   that first poll too (a future made now and awaited later gets its whole timeout);
//! - `traceparent` and `tracestate` replace any the request carries (the span is the
//!   parent now); a `baggage` header set on the request is kept, and the context's
//!   members are added after it unless it holds their keys already;
//! - a failed body's error has reqwest's kind, message and root cause, but its
//!   `source()` chain holds two more links of kind body (reqwest wraps every body it is
//!   given in one), so a `downcast_ref` on the first source finds reqwest's error, not
//!   hyper's.
//!
//! **The builder** is reqwest's, method for method: [`ClientBuilder`] has every public
//! method of `reqwest::ClientBuilder` with its signature (one exception,
//! `connector_layer`, through [`ClientBuilder::with_inner`]), so replacing `reqwest::`
//! by `instrument_reqwest::` compiles for any builder chain. The settings of reqwest's
//! optional features are behind the same features here (`rustls`, `native-tls`,
//! `default-tls`, `gzip`, `brotli`, `zstd`, `deflate`, `cookies`, `http2`,
//! `hickory-dns`, `multipart`, `json`, `form`, `query`); each enables reqwest's.
//!
//! **reqwest-middleware**: with the `middleware` feature, `TracingMiddleware` does the
//! same inside a middleware chain.
//!
//! **Options**, on [`ClientBuilder`] and on the middleware: request and response headers captured by name
//! (`http.request.header.<name>`), a `url.template` that names the span
//! (`GET /users/{id}`), requests to skip (health checks), and hooks that add
//! attributes from the request and the response.
//!
//! Switched off by `OTEL_SDK_DISABLED=true` or `reqwest` in
//! `OTEL_RUST_DISABLED_INSTRUMENTATIONS`: then a request is reqwest's own, behind one
//! atomic load and the wrapper's moves of the request builder (about 300 instructions
//! over reqwest's, measured in the repository's BENCHMARKS.md).
#![cfg_attr(docsrs, feature(doc_cfg))]

mod body;
mod builder;
mod client;
#[cfg(feature = "middleware")]
#[cfg_attr(docsrs, doc(cfg(feature = "middleware")))]
mod middleware;
mod options;
mod outcome;
mod request;
mod resend;
pub mod retry;
mod send;

#[cfg(unix)]
pub use builder::UnixSocketProvider;
#[cfg(target_os = "windows")]
pub use builder::WindowsNamedPipeProvider;
pub use builder::{ClientBuilder, IntoResolve};
pub use client::Client;
#[cfg(feature = "middleware")]
pub use middleware::TracingMiddleware;
pub use request::RequestBuilder;
