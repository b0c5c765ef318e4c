//! Every request records `http.client.request.duration`: method, server and status,
//! transport failures and unsampled requests included; never the URL.

mod support;

use instrument_core::testing::{capture_async, unsampled};
use instrument_reqwest::Client;
use support::{closed_port, routes, serve};

#[tokio::test]
async fn every_request_records_its_duration_sampled_or_not() {
    let address = serve(routes()).await;
    let port = closed_port().await.port();
    let ((), spans) = capture_async(async {
        let client = Client::new();
        let ok = client
            .get(format!("http://{address}/ok?token=secret"))
            .send()
            .await
            .expect("send");
        assert_eq!(ok.status(), 200);
        let failed = client
            .get(format!("http://{address}/fail"))
            .send()
            .await
            .expect("send");
        assert_eq!(failed.status(), 500);
        client
            .get(format!("http://127.0.0.1:{port}/refused"))
            .send()
            .await
            .expect_err("nothing listens");
        unsampled(async {
            client
                .get(format!("http://{address}/ok"))
                .send()
                .await
                .expect("send");
        })
        .await;
    })
    .await;
    assert_eq!(
        spans.all_named("GET").len(),
        3,
        "the unsampled request exports no span"
    );
    let duration = spans.metrics().named("http.client.request.duration");
    assert_eq!(duration.unit, "s");
    assert_eq!(duration.scope, "instrument-reqwest");
    let ok = duration.point(&[("http.response.status_code", &200)]);
    assert_eq!(ok.count, 2, "sampled and unsampled alike");
    assert_eq!(
        ok.keys(),
        [
            "http.request.method",
            "http.response.status_code",
            "network.protocol.version",
            "server.address",
            "server.port"
        ],
        "never the URL"
    );
    let failed = duration.point(&[("http.response.status_code", &500)]);
    assert_eq!(failed.str_attr("error.type"), Some("500"));
    let refused = duration.point(&[("server.port", &i64::from(port))]);
    assert_eq!(refused.count, 1);
    assert!(refused.attr("http.response.status_code").is_none());
    assert!(refused.str_attr("error.type").is_some());
}
