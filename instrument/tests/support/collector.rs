//! An OTLP/HTTP collector on loopback that keeps every byte it receives, and the real
//! `init()` pipeline exporting to it: privacy tests search what actually leaves the
//! process, not the in-memory capture.
// Each test binary uses a different part of this module.
#![allow(dead_code)]

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use instrument::{Exporter, OtlpProtocol, Telemetry};

/// The bytes of every request body received, in order, and each request by path.
#[derive(Clone, Default)]
pub struct Received(Arc<Mutex<Vec<u8>>>, Requests);

/// Each request's path and body.
type Requests = Arc<Mutex<Vec<(String, Vec<u8>)>>>;

impl Received {
    /// The bodies of the requests sent to `path` (`/v1/metrics`), in order.
    pub fn bodies_to(&self, path: &str) -> Vec<Vec<u8>> {
        self.1
            .lock()
            .expect("received")
            .iter()
            .filter(|(to, _)| to == path)
            .map(|(_, body)| body.clone())
            .collect()
    }

    /// Everything received so far, concatenated.
    pub fn bytes(&self) -> Vec<u8> {
        self.0.lock().expect("received").clone()
    }

    /// Does the export hold `needle` anywhere (protobuf keeps strings as they are)?
    pub fn contains(&self, needle: &str) -> bool {
        let bytes = self.bytes();
        !needle.is_empty()
            && bytes
                .windows(needle.len())
                .any(|window| window == needle.as_bytes())
    }

    /// Fails naming each of `secrets` found in the export, and fails if nothing at all
    /// was exported (a privacy test that exports nothing proves nothing).
    #[track_caller]
    pub fn assert_free_of(&self, secrets: &[&str]) {
        assert!(!self.bytes().is_empty(), "nothing was exported");
        let bytes = self.bytes();
        let found: Vec<String> = secrets
            .iter()
            .filter_map(|secret| {
                let at = bytes
                    .windows(secret.len())
                    .position(|window| window == secret.as_bytes())?;
                let context =
                    &bytes[at.saturating_sub(80)..(at + secret.len() + 40).min(bytes.len())];
                Some(format!(
                    "{secret:?} in …{}…",
                    String::from_utf8_lossy(context)
                ))
            })
            .collect();
        assert!(
            found.is_empty(),
            "exported bytes hold:\n{}",
            found.join("\n")
        );
    }
}

/// The answer of a collector that accepts every export.
const ACCEPTED: &[u8] =
    b"HTTP/1.1 200 OK\r\ncontent-type: application/x-protobuf\r\ncontent-length: 0\r\n\r\n";

/// Starts the collector; returns its `/v1/traces` URL and what it receives.
pub fn start() -> (String, Received) {
    start_answering(ACCEPTED)
}

/// Starts a collector answering every request with `answer` (a whole HTTP response).
pub fn start_answering(answer: &'static [u8]) -> (String, Received) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    let received = Received::default();
    let keep = received.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let keep = keep.clone();
            std::thread::spawn(move || serve(stream, &keep, answer));
        }
    });
    (format!("http://{address}/v1/traces"), received)
}

/// Answers every request on one (kept-alive) connection with `answer`.
fn serve(mut stream: TcpStream, received: &Received, answer: &[u8]) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
            return;
        }
        let mut length = 0usize;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                break;
            }
            if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        received
            .0
            .lock()
            .expect("received")
            .extend_from_slice(&body);
        let path = request_line
            .split(' ')
            .nth(1)
            .unwrap_or_default()
            .to_owned();
        received.1.lock().expect("received").push((path, body));
        if stream.write_all(answer).is_err() {
            return;
        }
    }
}

/// The real pipeline of `init()`, OTLP over HTTP to `endpoint`, not installed globally:
/// run the code under test in `telemetry.in_scope`, then drop it to flush.
pub fn pipeline(endpoint: &str) -> Telemetry {
    instrument::builder()
        .exporter(Exporter::Otlp)
        .otlp_protocol(OtlpProtocol::HttpProtobuf)
        .otlp_endpoint(endpoint)
        .logs(false)
        .build()
}
