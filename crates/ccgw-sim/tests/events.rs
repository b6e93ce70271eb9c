//! The event long poll.

mod common;

use std::time::{Duration, Instant};

use common::{Gw, fast};
use reqwest::Method;

#[tokio::test]
async fn listening_queues_the_documented_events_in_order() {
    let gw = Gw::start(fast()).await;
    let g = gw.sign_in("101").await;
    gw.qc(Method::PUT, &g, "101", "addsupervise/1001").await;
    let mut seen = Vec::new();
    for _ in 0..4 {
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
        ("AgentOther_BeQcStart", "1001"),
    ];
    assert_eq!(seen, expected.map(|(a, b)| (a.to_owned(), b.to_owned())));
}

#[tokio::test]
async fn start_event_names_the_mode_and_stop_follows() {
    let gw = Gw::start(fast()).await;
    let g = gw.sign_in("101").await;
    gw.qc(Method::PUT, &g, "101", "addinsert/1002").await;
    let start = gw.wait_event("101", &g, "AgentOther_BeQcStart").await;
    assert_eq!(start["content"]["mode"], "insert");
    assert_eq!(start["content"]["inspector"], "101");
    gw.qc(Method::DELETE, &g, "101", "1002").await;
    let stop = gw.wait_event("101", &g, "AgentOther_BeQcStop").await;
    assert_eq!(stop["workNo"], "1002");
}

#[tokio::test]
async fn an_empty_poll_waits_then_answers_null() {
    let gw = Gw::start(fast().poll_wait(Duration::from_millis(300))).await;
    let g = gw.sign_in("101").await;
    let started = Instant::now();
    let a = gw.poll("101", &g).await;
    assert_eq!(a.retcode(), "0");
    assert!(a.body["event"].is_null(), "{}", a.body);
    assert!(started.elapsed() >= Duration::from_millis(250), "it waited");
}

#[tokio::test]
async fn a_waiting_poll_wakes_when_an_event_arrives() {
    let gw = Gw::start(fast().poll_wait(Duration::from_secs(20))).await;
    let g = gw.sign_in("101").await;
    let poll = gw.poll("101", &g);
    let act = async {
        tokio::time::sleep(Duration::from_millis(100)).await;
        gw.qc(Method::POST, &g, "101", "forcebusy/1003").await
    };
    let (polled, acted) =
        tokio::time::timeout(Duration::from_secs(10), async { tokio::join!(poll, act) })
            .await
            .expect("the poll answered long before its 30 s wait");
    assert_eq!(acted.retcode(), "0");
    assert_eq!(polled.body["event"]["eventType"], "AgentState_Busy");
    assert_eq!(polled.body["event"]["workNo"], "1003");
}

#[tokio::test]
async fn forced_states_announce_events() {
    let gw = Gw::start(fast()).await;
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
    let gw = Gw::start(fast()).await;
    let g = gw.sign_in("101").await;
    for _ in 0..(ccgw_sim::EVENT_QUEUE_LIMIT + 50) {
        gw.qc(Method::POST, &g, "101", "forcebusy/1005").await;
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
