//! A GET over loopback to an in-process axum server: raw reqwest, the traced client
//! switched off, traced with the span exported (to nowhere), and reqwest-tracing's
//! middleware under the same subscriber, timed by criterion.
//!
//! `cargo bench -p instrument-reqwest --all-features --bench reqwest`
//!
//! With arguments `{raw|switched_off|traced|reqwest_tracing} {n}` it sends `n` requests
//! in that mode and exits, for counting instructions with callgrind (BENCHMARKS.md).

use std::net::SocketAddr;
use std::time::Duration;

use criterion::Criterion;
use instrument_core::Library;
use instrument_core::testing::ExportToNowhere;
use tracing::instrument::WithSubscriber as _;

struct Clients {
    raw: reqwest::Client,
    traced: instrument_reqwest::Client,
    reqwest_tracing: reqwest_middleware::ClientWithMiddleware,
}

fn clients() -> Clients {
    Clients {
        raw: reqwest::Client::new(),
        traced: instrument_reqwest::Client::new(),
        reqwest_tracing: reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
            .with(reqwest_tracing::TracingMiddleware::default())
            .build(),
    }
}

async fn serve() -> SocketAddr {
    let app = axum::Router::new().route("/item", axum::routing::get(|| async { "item" }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    address
}

async fn get(clients: &Clients, mode: &str, url: &str) -> reqwest::StatusCode {
    match mode {
        "raw" => clients.raw.get(url).send().await.expect("GET").status(),
        "reqwest_tracing" => clients
            .reqwest_tracing
            .get(url)
            .send()
            .await
            .expect("GET")
            .status(),
        _ => clients.traced.get(url).send().await.expect("GET").status(),
    }
}

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let nowhere = ExportToNowhere::new();
    let dispatch = nowhere.dispatch();
    let address = runtime.block_on(serve());
    let url = format!("http://{address}/item");
    let clients = clients();
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    if let [mode, n] = args.as_slice() {
        let n: usize = n.parse().expect("a number of requests");
        if mode == "switched_off" {
            instrument_core::set_library_enabled(Library::Reqwest, false);
        }
        let _default = tracing::dispatcher::set_default(dispatch);
        runtime.block_on(async {
            for _ in 0..n {
                get(&clients, mode, &url).await;
            }
        });
        return;
    }
    let mut c = Criterion::default()
        .measurement_time(Duration::from_secs(4))
        .configure_from_args();
    let mut group = c.benchmark_group("reqwest_loopback");
    for mode in [
        "raw",
        "switched_off",
        "traced",
        "reqwest_tracing",
        "raw_again",
    ] {
        instrument_core::set_library_enabled(Library::Reqwest, mode != "switched_off");
        let run_mode = if mode == "raw_again" { "raw" } else { mode };
        group.bench_function(format!("get/{mode}"), |b| {
            b.iter(|| {
                runtime.block_on(get(&clients, run_mode, &url).with_subscriber(dispatch.clone()))
            })
        });
    }
    group.finish();
    c.final_summary();
}
