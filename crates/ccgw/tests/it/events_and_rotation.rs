//! Event streaming, mode tracking from events, and Guid rotation under load.

use crate::common;

use std::time::Duration;

use ccgw::{EventType, TrackedMode};
use common::{agent, inspector, quick, sim};

#[tokio::test]
async fn events_stream_in_order_and_wait_for_finds_one() {
    let sim = sim(quick()).await;
    let (_, s) = inspector(&sim).await;
    let mut events = s.events();
    s.listen(&agent("1001")).await.unwrap();
    // The inspector's own events: BeQcStart goes to the inspected agent.
    let start = events
        .wait_for(
            |e| e.event_type() == &EventType::PhoneOffhook,
            Duration::from_secs(5),
        )
        .await
        .unwrap();
    assert_eq!(start.work_no(), "101");
    s.stop(&agent("1001")).await.unwrap();
    let stop = events
        .wait_for(
            |e| e.event_type() == &EventType::PhoneRelease,
            Duration::from_secs(5),
        )
        .await
        .unwrap();
    assert_eq!(stop.work_no(), "101");
}

#[tokio::test]
async fn the_inspector_never_receives_the_inspected_agents_events() {
    let sim = sim(quick()).await;
    let (_, s) = inspector(&sim).await;
    let mut events = s.events();
    s.listen(&agent("1001")).await.unwrap();
    s.stop(&agent("1001")).await.unwrap();
    let mut seen = Vec::new();
    while let Ok(e) = events.wait_for(|_| true, Duration::from_millis(700)).await {
        seen.push(e);
    }
    assert!(!seen.is_empty());
    assert!(
        seen.iter().all(|e| e.work_no() == "101"),
        "only the inspector's own events: {seen:?}"
    );
}

#[tokio::test]
async fn wait_for_times_out() {
    let sim = sim(quick()).await;
    let (_, s) = inspector(&sim).await;
    let mut events = s.events();
    let e = events
        .wait_for(
            |e| e.event_type() == &EventType::Talking,
            Duration::from_millis(300),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ccgw::ErrorKind::EventTimeout);
}

#[tokio::test]
async fn the_stream_ends_with_the_session() {
    let sim = sim(quick()).await;
    let (_, s) = inspector(&sim).await;
    let mut events = s.events();
    s.sign_out().await.unwrap();
    let ended = events
        .wait_for(
            |e| e.event_type() == &EventType::SessionEnded,
            Duration::from_secs(5),
        )
        .await
        .unwrap();
    assert_eq!(ended.work_no(), "101");
}

#[tokio::test]
async fn events_update_the_tracked_mode() {
    let sim = sim(quick()).await;
    let (_, s) = inspector(&sim).await;
    let a = agent("1002");
    let mut events = s.events();
    s.listen(&a).await.unwrap();
    // A force-release ends the inspection; the session learns from its own phone's
    // release, and a query of its own state, that its inspection may have ended.
    let call = sim.call_of("1002").unwrap();
    let (_, other) = {
        let client = common::client(&sim);
        let second = client
            .sign_in(
                ccgw::SignIn::new(agent("101"), ccgw_sim::DEFAULT_PASSWORD)
                    .force(ccgw::ForceLogin::Never)
                    .poll_events(false),
            )
            .await;
        (client, second)
    };
    assert!(other.is_err(), "101 is already signed in");
    s.force_release_call(&ccgw::CallId::parse(&call).unwrap())
        .await
        .unwrap();
    events
        .wait_for(
            |e| e.event_type() == &EventType::PhoneRelease && e.work_no() == "101",
            Duration::from_secs(5),
        )
        .await
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while s.mode_of(&a) != TrackedMode::Unknown {
        assert!(std::time::Instant::now() < deadline, "{:?}", s.mode_of(&a));
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Unknown, so set_mode finds out: the inspection is gone, and listening starts anew
    // on the agent's next call (here there is none, so the gateway refuses it).
    let e = s.set_mode(&a, ccgw::Mode::Listen).await.unwrap_err();
    assert_eq!(e.retcode().map(|r| r.code()), Some("900-001"), "{e}");
}

#[tokio::test]
async fn the_poller_keeps_the_session_alive() {
    let sim = sim(quick().session_timeout(Duration::from_millis(700))).await;
    let (_, s) = inspector(&sim).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    s.force_busy(&agent("1001"))
        .await
        .expect("still signed in thanks to polling");
}

#[tokio::test]
async fn rotation_racing_fifty_concurrent_requests() {
    let sim = sim(quick()
        .dynamic_auth(true)
        .guid_grace(Duration::from_millis(500)))
    .await;
    let (_, s) = inspector(&sim).await;
    let a = agent("1003");
    for round in 0..3 {
        let mut tasks = Vec::new();
        for i in 0..50 {
            let s = s.clone();
            let a = a.clone();
            tasks.push(tokio::spawn(async move {
                if i % 2 == 0 {
                    s.force_busy(&a).await
                } else {
                    s.force_idle(&a).await
                }
            }));
        }
        // Rotate while they are in flight.
        sim.rotate_guid("101");
        for t in tasks {
            t.await
                .unwrap()
                .unwrap_or_else(|e| panic!("round {round}: {e}"));
        }
    }
    assert_eq!(
        sim.received("forceBusy") + sim.received("forceIdle"),
        150,
        "each sent once"
    );
    // The poller has taken rotations from poll answers meanwhile.
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert!(
        s.guid_rotations() >= 1,
        "rotations seen: {}",
        s.guid_rotations()
    );
    s.force_busy(&a)
        .await
        .expect("the newest Guid works after the grace period");
}
