//! What the reference says, held to: an inspection starts only for an idle inspector,
//! and the events of an intercept are the reference's, with its fields, and no others.

use crate::common;

use ccgw_sim::QcMode;
use common::{Gw, quick};
use reqwest::Method;
use serde_json::json;

async fn inspector() -> (Gw, String) {
    let gw = Gw::start(quick()).await;
    let guid = gw.sign_in("101").await;
    (gw, guid)
}

/// The reference asks for an inspector signed in and idle: one signed in busy, or playing
/// a recording, may not start an inspection.
#[tokio::test]
async fn only_an_idle_inspector_may_start_an_inspection() {
    let gw = Gw::start(quick()).await;
    let path = "/agentgateway/resource/onlineagent/101";
    let body = json!({"password": ccgw_sim::DEFAULT_PASSWORD, "phonenum": "70001", "status": 5});
    let busy = gw.call(Method::PUT, path, None, Some(body)).await;
    assert_eq!(busy.retcode(), "0");
    let g = busy.guid().unwrap();
    for start in ["addsupervise/1001", "addinsert/1001"] {
        let refused = gw.qc(Method::PUT, &g, "101", start).await;
        assert_eq!(refused.retcode(), "000-002", "{start}: {}", refused.body);
    }
    assert_eq!(gw.sim.mode_of("101", "1001"), QcMode::Idle);

    // Idle, then playing a recording to its phone.
    let (gw, g) = inspector().await;
    let recording = gw.sim.recording_of("1002").unwrap();
    let play = gw
        .call(
            Method::PUT,
            "/agentgateway/resource/recordplay/101/play",
            Some(&g),
            Some(json!({"voicepath": recording})),
        )
        .await;
    assert_eq!(play.retcode(), "0", "{}", play.body);
    let refused = gw.qc(Method::PUT, &g, "101", "addsupervise/1001").await;
    assert_eq!(refused.retcode(), "000-002");
}

/// What the inspector hears of an intercept is what the reference lists, with its fields:
/// `AgentEvent_Talking` and `AgentMediaEvent_Record`, nothing about the target; a forced
/// release of the call tells nobody.
#[tokio::test]
async fn an_intercept_sends_the_reference_events_with_their_fields_and_nothing_else() {
    let (gw, g) = inspector().await;
    gw.qc(Method::PUT, &g, "101", "addsupervise/1001").await;
    let call = gw.sim.call_of("1001").unwrap();
    let intercepted = gw.qc(Method::PUT, &g, "101", "intercept/1001").await;
    assert_eq!(intercepted.retcode(), "0");
    let mut heard = Vec::new();
    loop {
        let polled = gw.poll("101", &g).await;
        if polled.body["event"].is_null() {
            break;
        }
        heard.push(polled.body["event"].clone());
    }
    let after: Vec<&serde_json::Value> = heard
        .iter()
        .skip_while(|e| e["eventType"] != "AgentEvent_Talking")
        .collect();
    let names: Vec<&str> = after
        .iter()
        .map(|e| e["eventType"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["AgentEvent_Talking", "AgentMediaEvent_Record"],
        "{heard:?}"
    );
    let talking = &after[0]["content"];
    for field in [
        "caller",
        "called",
        "callid",
        "type",
        "feature",
        "mediaAbility",
    ] {
        assert!(
            !talking[field].is_null(),
            "Talking has no {field}: {talking}"
        );
    }
    assert_eq!(talking["callid"], call.as_str());
    let record = &after[1]["content"];
    for field in [
        "taskId",
        "caller",
        "called",
        "callId",
        "fileName",
        "locationId",
        "recordID",
    ] {
        assert!(!record[field].is_null(), "Record has no {field}: {record}");
    }
    let file = record["fileName"].as_str().unwrap();
    assert!(
        file.contains("/1001/"),
        "the recorded agent's folder: {file}"
    );
    assert_eq!(Some(file.to_owned()), gw.sim.recording_of("1001"));
    // A forced release of the call: the reference lists no event.
    gw.qc(Method::POST, &g, "101", &format!("forcedropcall/{call}"))
        .await;
    assert!(gw.poll("101", &g).await.body["event"].is_null());
}
