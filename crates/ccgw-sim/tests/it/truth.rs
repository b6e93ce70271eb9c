//! Where the simulator once agreed with the SDK but not with a gateway: a poll belongs to
//! its session, a wake-up without an event is not an answer, an inspection ends with
//! either side, a call ends with its last party, and a query string never overrides the
//! path.

use crate::common;

use std::time::{Duration, Instant};

use ccgw_sim::{AgentState, QcMode, SimConfig, VdnConfig};
use common::{Gw, quick};
use reqwest::Method;

#[tokio::test]
async fn a_poll_belongs_to_the_session_it_started_on() {
    let gw = Gw::start(quick().dynamic_auth(true).poll_wait(Duration::from_secs(2))).await;
    let old = gw.sign_in("101").await;
    let held = {
        let http = gw.http().clone();
        let url = format!("{}/agentgateway/resource/agentevent/101", gw.sim.base_url());
        let old = old.clone();
        tokio::spawn(async move { http.get(url).header("Guid", old).send().await.unwrap() })
    };
    // The poll is held on the old session (counted as it starts) before the take-over.
    let polled = || gw.sim.received("pollEvent") >= 1;
    ccgw_sim::testing::wait_until(polled, "the poll held").await;
    let taken = gw
        .sign_in_with("101", ccgw_sim::DEFAULT_PASSWORD, true)
        .await;
    let new = taken.guid().unwrap();
    // The new session's inspection queues events for it alone.
    assert_eq!(
        gw.qc(Method::PUT, &new, "101", "addsupervise/1001")
            .await
            .retcode(),
        "0"
    );
    let answer = held.await.unwrap();
    assert!(
        answer.headers().get("set-guid").is_none(),
        "the displaced poll is not handed the new session's Guid"
    );
    let body: serde_json::Value = answer.json().await.unwrap();
    assert_eq!(body["retcode"], "100-006", "{body}");
    let first = gw.poll("101", &new).await;
    assert_eq!(
        first.body["event"]["eventType"], "AgentOther_PhoneAlerting",
        "the new session still has its first event"
    );
}

#[tokio::test]
async fn a_wake_up_left_by_an_event_already_taken_does_not_end_the_next_poll() {
    let gw = Gw::start(quick().poll_wait(Duration::from_secs(1))).await;
    let guid = gw.sign_in("101").await;
    gw.qc(Method::PUT, &guid, "101", "addsupervise/1001").await;
    // Three events were queued with nobody waiting; take them all.
    for _ in 0..3 {
        assert!(!gw.poll("101", &guid).await.body["event"].is_null());
    }
    let started = Instant::now();
    let empty = gw.poll("101", &guid).await;
    assert!(empty.body["event"].is_null());
    assert!(
        started.elapsed() >= Duration::from_millis(800),
        "the poll waited for an event instead of answering at once: {:?}",
        started.elapsed()
    );
}

/// VDN 1 with two inspectors, so that one can inspect the other.
fn two_inspectors() -> SimConfig {
    let mut config = quick();
    config.vdns = vec![VdnConfig {
        id: 1,
        inspectors: vec!["101".into(), "102".into()],
        agents: vec!["1001".into(), "1002".into()],
        skills: Vec::new(),
        skills_per_agent: None,
    }];
    config
}

#[tokio::test]
async fn an_inspection_ends_when_the_inspected_agent_signs_out() {
    let gw = Gw::start(two_inspectors()).await;
    let first = gw.sign_in("101").await;
    let second = gw.sign_in("102").await;
    // 101 takes a call over, and 102 listens to 101.
    gw.qc(Method::PUT, &first, "101", "addsupervise/1001").await;
    assert_eq!(
        gw.qc(Method::PUT, &first, "101", "intercept/1001")
            .await
            .retcode(),
        "0"
    );
    assert_eq!(
        gw.qc(Method::PUT, &second, "102", "addsupervise/101")
            .await
            .retcode(),
        "0"
    );
    let logout = "/agentgateway/resource/onlineagent/101/logout";
    let out = gw.call(Method::DELETE, logout, Some(&first), None).await;
    assert_eq!(out.retcode(), "0");
    assert_eq!(gw.sim.mode_of("102", "101"), QcMode::Idle);
    gw.wait_event("102", &second, "AgentOther_PhoneRelease")
        .await;
    assert_eq!(
        gw.qc(Method::PUT, &second, "102", "addsupervise/1002")
            .await
            .retcode(),
        "0",
        "the inspector is free to inspect another agent"
    );
}

#[tokio::test]
async fn a_call_ends_with_its_last_party_and_says_when() {
    let gw = Gw::start(quick()).await;
    let guid = gw.sign_in("101").await;
    let call = gw.sim.call_of("1001").unwrap();
    gw.qc(Method::PUT, &guid, "101", "addsupervise/1001").await;
    gw.qc(Method::PUT, &guid, "101", "intercept/1001").await;
    assert_eq!(gw.sim.call_of("101"), Some(call.clone()));
    let logout = "/agentgateway/resource/onlineagent/101/logout";
    gw.call(Method::DELETE, logout, Some(&guid), None).await;
    assert_eq!(gw.sim.call_of("101"), None, "signing out leaves the call");

    let guid = gw.sign_in("101").await;
    let status = gw
        .call(
            Method::GET,
            "/agentgateway/resource/onlineagent/101/agentstatus",
            Some(&guid),
            None,
        )
        .await;
    assert_eq!(gw.sim.agent_state("101"), Some(AgentState::Idle));
    assert_eq!(status.retcode(), "0");
    assert_eq!(
        status.body["result"]["isWorking"], false,
        "a new session is on no call: {}",
        status.body
    );
    let info = gw
        .call(
            Method::GET,
            &format!("/agentgateway/resource/calldata/101/callinfobycallid/{call}"),
            Some(&guid),
            None,
        )
        .await;
    assert!(
        info.body["result"]["endtime"].is_u64(),
        "an ended call says when: {}",
        info.body
    );
    let dropped = gw.sim.call_of("1002").unwrap();
    gw.qc(
        Method::POST,
        &guid,
        "101",
        &format!("forcedropcall/{dropped}"),
    )
    .await;
    let info = gw
        .call(
            Method::GET,
            &format!("/agentgateway/resource/calldata/101/callinfobycallid/{dropped}"),
            Some(&guid),
            None,
        )
        .await;
    assert!(info.body["result"]["endtime"].is_u64(), "{}", info.body);
}

#[tokio::test]
async fn a_query_string_cannot_override_the_path() {
    let gw = Gw::start(two_inspectors()).await;
    let guid = gw.sign_in("101").await;
    gw.sign_in("102").await;
    let sneaky = "requestwhisperagent?whisperagentid=1001&agentid=102";
    assert_eq!(
        gw.qc(Method::POST, &guid, "101", sneaky).await.retcode(),
        "0"
    );
    assert_eq!(gw.sim.mode_of("101", "1001"), QcMode::Whispering);
    assert_eq!(gw.sim.mode_of("102", "1001"), QcMode::Idle);
}

#[tokio::test]
async fn a_poll_with_the_wrong_method_gets_the_gateways_retcode() {
    let gw = Gw::start(quick()).await;
    let guid = gw.sign_in("101").await;
    let answer = gw
        .call(
            Method::POST,
            "/agentgateway/resource/agentevent/101",
            Some(&guid),
            None,
        )
        .await;
    assert_eq!(answer.status, 405);
    assert_eq!(answer.retcode(), "000-001", "{}", answer.body);
    assert_eq!(answer.headers["allow"], "GET");
}
