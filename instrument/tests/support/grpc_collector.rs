//! An OTLP/gRPC collector on loopback, over plain HTTP/2 (h2): keeps every request body
//! (the protobuf message, unframed) by gRPC method and answers each with an empty
//! success.
// Each test binary uses a different part of this module.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};

use bytes::Bytes;

/// The messages received, by method path (`/opentelemetry.proto.collector.metrics.v1.MetricsService/Export`).
#[derive(Clone, Default)]
pub struct Received(Requests);

/// Each request's method path and message.
type Requests = Arc<Mutex<Vec<(String, Vec<u8>)>>>;

impl Received {
    /// The method paths of the requests received, in order.
    pub fn paths(&self) -> Vec<String> {
        self.0
            .lock()
            .expect("received")
            .iter()
            .map(|(path, _)| path.clone())
            .collect()
    }

    /// The messages sent to methods whose path contains `service`, in order.
    pub fn messages_to(&self, service: &str) -> Vec<Vec<u8>> {
        self.0
            .lock()
            .expect("received")
            .iter()
            .filter(|(path, _)| path.contains(service))
            .map(|(_, message)| message.clone())
            .collect()
    }
}

/// Starts the collector on a runtime of its own; returns its `http://` address.
pub fn start() -> (String, Received) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    listener.set_nonblocking(true).expect("nonblocking");
    let received = Received::default();
    let keep = received.clone();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(serve(socket, keep.clone()));
            }
        });
    });
    (format!("http://{address}"), received)
}

async fn serve(socket: tokio::net::TcpStream, received: Received) {
    let Ok(mut connection) = h2::server::handshake(socket).await else {
        return;
    };
    // Each request in a task of its own: the connection makes progress (the request's
    // body arrives) only while `accept` is polled.
    while let Some(Ok((request, respond))) = connection.accept().await {
        tokio::spawn(answer(request, respond, received.clone()));
    }
}

async fn answer(
    request: http::Request<h2::RecvStream>,
    mut respond: h2::server::SendResponse<Bytes>,
    received: Received,
) {
    let path = request.uri().path().to_owned();
    let mut body = request.into_body();
    let mut framed = Vec::new();
    while let Some(Ok(chunk)) = body.data().await {
        let _ = body.flow_control().release_capacity(chunk.len());
        framed.extend_from_slice(&chunk);
    }
    // One gRPC frame: a compression flag, a 4-byte length, the message.
    if framed.len() >= 5 {
        received
            .0
            .lock()
            .expect("received")
            .push((path, framed[5..].to_vec()));
    }
    let response = http::Response::builder()
        .status(200)
        .header("content-type", "application/grpc")
        .body(())
        .expect("response");
    let Ok(mut stream) = respond.send_response(response, false) else {
        return;
    };
    // An empty message (the Export response), then the status in the trailers.
    let _ = stream.send_data(Bytes::from_static(&[0, 0, 0, 0, 0]), false);
    let mut trailers = http::HeaderMap::new();
    trailers.insert("grpc-status", http::HeaderValue::from_static("0"));
    let _ = stream.send_trailers(trailers);
}
