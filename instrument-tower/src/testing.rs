//! Test support (feature `testing`): serving a connection inside the calling task.

/// Accepts one connection on `listener` and serves it with `service` in the calling
/// task, until the client closes it.
///
/// `axum::serve` spawns a task per connection; a test capturing spans with a
/// thread-local subscriber (`instrument_core::testing::capture_async`) would not see the
/// server's spans there. Run this future joined with the client's, in the captured
/// future, and it sees both sides. (An application's global subscriber reaches
/// spawned tasks; this is for tests.)
///
/// # Panics
///
/// When accepting or serving fails: it is for tests.
pub async fn serve_one_connection<S>(listener: tokio::net::TcpListener, service: S)
where
    S: tower_service::Service<
            http::Request<hyper::body::Incoming>,
            Response = http::Response<axum::body::Body>,
        > + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    #[allow(clippy::expect_used)] // test support: a failure here is the test's failure
    let (stream, _) = listener.accept().await.expect("accept a connection");
    #[allow(clippy::expect_used)]
    hyper::server::conn::http1::Builder::new()
        .serve_connection(
            hyper_util::rt::TokioIo::new(stream),
            hyper_util::service::TowerToHyperService::new(service),
        )
        .await
        .expect("serve the connection");
}
