//! Each injectable fault, seen on the wire, and whether the gateway acted.

use crate::common;

use std::time::Duration;

use ccgw_sim::{Fault, FaultRule, QcMode};
use common::{Gw, quick};
use reqwest::Method;

async fn listening() -> (Gw, String) {
    let gw = Gw::start(quick()).await;
    let g = gw.sign_in("101").await;
    assert_eq!(
        gw.qc(Method::PUT, &g, "101", "addsupervise/1001")
            .await
            .retcode(),
        "0"
    );
    (gw, g)
}

fn switch_url(gw: &Gw) -> String {
    format!(
        "{}/agentgateway/resource/qualitycontrol/101/switch/1001",
        gw.sim.base_url()
    )
}

#[tokio::test]
async fn status_and_html_faults_stop_at_the_load_balancer() {
    let (gw, g) = listening().await;
    gw.sim
        .faults()
        .inject(FaultRule::on("switchListenInsert", Fault::Status(503)).times(1));
    let a = gw.qc(Method::POST, &g, "101", "switch/1001").await;
    assert_eq!(a.status, 503);
    assert_eq!(
        gw.sim.mode_of("101", "1001"),
        QcMode::Listening,
        "the gateway never saw it"
    );
    gw.sim
        .faults()
        .inject(FaultRule::on("switchListenInsert", Fault::HtmlErrorPage).times(1));
    let response = gw
        .http()
        .post(switch_url(&gw))
        .header("Guid", &g)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 502);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(response.text().await.unwrap().contains("<html>"));
    assert_eq!(gw.sim.mode_of("101", "1001"), QcMode::Listening);
    // Used up: the next one goes through.
    assert_eq!(
        gw.qc(Method::POST, &g, "101", "switch/1001")
            .await
            .retcode(),
        "0"
    );
    assert_eq!(gw.sim.received("switchListenInsert"), 3);
}

#[tokio::test]
async fn truncated_json_arrives_after_the_gateway_acted() {
    let (gw, g) = listening().await;
    gw.sim
        .faults()
        .inject(FaultRule::on("switchListenInsert", Fault::TruncatedJson).times(1));
    let response = gw
        .http()
        .post(switch_url(&gw))
        .header("Guid", &g)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    assert!(
        serde_json::from_str::<serde_json::Value>(&text).is_err(),
        "{text}"
    );
    assert_eq!(
        gw.sim.mode_of("101", "1001"),
        QcMode::Inserting,
        "the toggle happened"
    );
}

#[tokio::test]
async fn numeric_retcode() {
    let (gw, g) = listening().await;
    gw.sim
        .faults()
        .inject(FaultRule::on("forceBusy", Fault::NumericRetcode));
    let a = gw.qc(Method::POST, &g, "101", "forcebusy/1002").await;
    assert_eq!(a.body["retcode"], serde_json::json!(0));
    let a = gw.qc(Method::POST, &g, "101", "forcebusy/2001").await;
    assert_eq!(a.body["retcode"], serde_json::json!(900003));
    gw.sim.faults().clear();
    assert_eq!(
        gw.qc(Method::POST, &g, "101", "forcebusy/1002")
            .await
            .retcode(),
        "0"
    );
}

#[tokio::test]
async fn oversized_answer() {
    let (gw, g) = listening().await;
    gw.sim
        .faults()
        .inject(FaultRule::everywhere(Fault::OversizedAnswer(8 * 1024 * 1024)).times(1));
    let response = gw
        .http()
        .post(switch_url(&gw))
        .header("Guid", &g)
        .send()
        .await
        .unwrap();
    let bytes = response.bytes().await.unwrap();
    assert!(bytes.len() >= 8 * 1024 * 1024, "{}", bytes.len());
    let body: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(body["retcode"], "0");
}

#[tokio::test]
async fn latency_delays_the_answer() {
    let (gw, g) = listening().await;
    gw.sim.faults().inject(
        FaultRule::on("switchListenInsert", Fault::Latency(Duration::from_secs(3))).times(1),
    );
    let quick = ccgw_sim::testing::loopback_http(Duration::from_secs(1));
    let error = quick
        .post(switch_url(&gw))
        .header("Guid", &g)
        .send()
        .await
        .unwrap_err();
    assert!(error.is_timeout(), "{error:?}");
    // The gateway acted before the answer was held back: the client gave up on an
    // answer, not on the request.
    assert_eq!(
        gw.sim.mode_of("101", "1001"),
        QcMode::Inserting,
        "the late answer still acted"
    );
}

#[tokio::test]
async fn connection_reset_sends_no_answer_but_the_gateway_acted() {
    let (gw, g) = listening().await;
    gw.sim
        .faults()
        .inject(FaultRule::on("switchListenInsert", Fault::ConnectionReset).times(1));
    let error = gw
        .http()
        .post(switch_url(&gw))
        .header("Guid", &g)
        .send()
        .await
        .unwrap_err();
    assert!(!error.is_timeout() && !error.is_status(), "{error:?}");
    assert_eq!(gw.sim.mode_of("101", "1001"), QcMode::Inserting);
    assert_eq!(gw.sim.received("switchListenInsert"), 1);
    // The server keeps serving on new connections.
    assert_eq!(
        gw.qc(Method::POST, &g, "101", "switch/1001")
            .await
            .retcode(),
        "0"
    );
}

#[tokio::test]
async fn faults_can_target_every_route_or_one() {
    let (gw, g) = listening().await;
    gw.sim
        .faults()
        .inject(FaultRule::on("forceIdle", Fault::Status(500)));
    assert_eq!(
        gw.qc(Method::POST, &g, "101", "forceidle/1002")
            .await
            .status,
        500
    );
    assert_eq!(
        gw.qc(Method::POST, &g, "101", "forcebusy/1002")
            .await
            .status,
        200
    );
    gw.sim
        .faults()
        .inject(FaultRule::everywhere(Fault::Status(504)));
    assert_eq!(
        gw.qc(Method::POST, &g, "101", "forcebusy/1002")
            .await
            .status,
        504
    );
    gw.sim.faults().clear();
    assert_eq!(
        gw.qc(Method::POST, &g, "101", "forceidle/1002")
            .await
            .status,
        200
    );
}
