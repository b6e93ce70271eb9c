//! The event long poll.

use crate::common;

use std::time::{Duration, Instant};

use common::{Gw, quick};
use reqwest::Method;

#[tokio::test]
async fn listening_queues_the_documented_events_in_order() {
    let gw = Gw::start(quick()).await;
    let g = gw.sign_in("101").await;
    gw.qc(Method::PUT, &g, "101", "addsupervise/1001").await;
    let mut seen = Vec::new();
    for _ in 0..3 {
        let a = gw.poll("101", &g).await;
        seen.push((
            a.body["event"]["eventType"].as_str().unwrap().to_owned(),
            a.body["event"]["workNo"].as_str().unwrap().to_owned(),
        ));
    }
    let expected = [
        ("AgentOther_PhoneAlerting", "101"),
        ("AgentOther_PhoneOffhook", "101"),
        ("AgentState_Busy", "101"),
    ];
    assert_eq!(seen, expected.map(|(a, b)| (a.to_owned(), b.to_owned())));
}

/// VDN 1 with two inspectors, so that one can be inspected while its session polls.
fn two_inspectors() -> ccgw_sim::SimConfig {
    let mut config = quick();
    config.vdns[0].inspectors.push("102".into());
    config
}

#[tokio::test]
async fn the_inspected_agent_hears_of_its_inspection_and_the_inspector_does_not() {
    let gw = Gw::start(two_inspectors()).await;
    let first = gw.sign_in("101").await;
    let second = gw.sign_in("102").await;
    // 101 takes a call over, so that 102 can inspect an agent whose session polls.
    gw.qc(Method::PUT, &first, "101", "addsupervise/1002").await;
    gw.qc(Method::PUT, &first, "101", "intercept/1002").await;
    assert_eq!(
        gw.qc(Method::PUT, &second, "102", "addinsert/101")
            .await
            .retcode(),
        "0"
    );
    let start = gw.wait_event("101", &first, "AgentOther_BeQcStart").await;
    assert_eq!(start["workNo"], "101");
    assert_eq!(start["content"]["qcType"], 9, "9 is inserting");
    assert_eq!(start["content"]["qcAgentId"], "102");
    gw.qc(Method::DELETE, &second, "102", "101").await;
    let stop = gw.wait_event("101", &first, "AgentOther_BeQcStop").await;
    assert_eq!(stop["content"]["qcAgentId"], "102");
    // The inspector's own queue holds only its own phone and state events.
    for _ in 0..5 {
        let a = gw.poll("102", &second).await;
        assert_ne!(a.body["event"]["workNo"], "101", "{}", a.body);
        if a.body["event"].is_null() {
            break;
        }
    }
}

#[tokio::test]
async fn an_empty_poll_waits_then_answers_null() {
    let gw = Gw::start(quick().poll_wait(Duration::from_millis(300))).await;
    let g = gw.sign_in("101").await;
    let started = Instant::now();
    let a = gw.poll("101", &g).await;
    assert_eq!(a.retcode(), "0");
    assert!(a.body["event"].is_null(), "{}", a.body);
    assert!(started.elapsed() >= Duration::from_millis(250), "it waited");
}

#[tokio::test]
async fn a_waiting_poll_wakes_when_an_event_arrives() {
    let gw = Gw::start(quick().poll_wait(Duration::from_secs(20))).await;
    let g = gw.sign_in("101").await;
    let poll = gw.poll("101", &g);
    let act = async {
        // Once the poll is held (counted as it starts), the event wakes it.
        let polled = || gw.sim.received("pollEvent") >= 1;
        ccgw_sim::testing::wait_until(polled, "the poll held").await;
        gw.qc(Method::PUT, &g, "101", "addsupervise/1003").await
    };
    let (polled, acted) =
        tokio::time::timeout(Duration::from_secs(10), async { tokio::join!(poll, act) })
            .await
            .expect("the poll answered long before its 30 s wait");
    assert_eq!(acted.retcode(), "0");
    // The inspector's own phone rings first, as the reference lists.
    assert_eq!(
        polled.body["event"]["eventType"],
        "AgentOther_PhoneAlerting"
    );
    assert_eq!(polled.body["event"]["workNo"], "101");
}

/// The reference lists no event for a forced state or a forced release: the inspector
/// hears nothing of them, unless the simulator invents events as older ones did.
#[tokio::test]
async fn forced_states_announce_nothing_unless_invented() {
    let gw = Gw::start(quick()).await;
    let g = gw.sign_in("101").await;
    for action in ["forcerest/1004/60/2", "forcebusy/1005", "forcelogout/1004"] {
        assert_eq!(gw.qc(Method::POST, &g, "101", action).await.retcode(), "0");
    }
    assert!(gw.poll("101", &g).await.body["event"].is_null());

    let gw = Gw::start(quick().invented_events(true)).await;
    let g = gw.sign_in("101").await;
    gw.qc(Method::POST, &g, "101", "forcerest/1004/60/2").await;
    gw.qc(Method::POST, &g, "101", "forcelogout/1004").await;
    assert_eq!(
        gw.wait_event("101", &g, "AgentState_Rest").await["workNo"],
        "1004"
    );
    assert_eq!(
        gw.wait_event("101", &g, "AgentState_SignOut").await["workNo"],
        "1004"
    );
}

#[tokio::test]
async fn queues_are_bounded() {
    let gw = Gw::start(quick()).await;
    let g = gw.sign_in("101").await;
    for _ in 0..(ccgw_sim::EVENT_QUEUE_LIMIT + 50) {
        assert!(gw.sim.tell("101", "AgentState_SetNotReady_Success"));
    }
    let mut delivered = 0;
    loop {
        let a = gw.poll("101", &g).await;
        if a.body["event"].is_null() {
            break;
        }
        delivered += 1;
    }
    assert_eq!(delivered, ccgw_sim::EVENT_QUEUE_LIMIT);
}
