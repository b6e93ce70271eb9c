//! Event streaming, mode tracking from events, and Guid rotation under load.

use crate::common;

use std::time::Duration;

use ccgw::{EventType, TrackedMode};
use common::{agent, inspector, next_of, quick, sim};

#[tokio::test]
async fn events_stream_in_order_and_wait_for_finds_one() {
    let sim = sim(quick()).await;
    let (_, s) = inspector(&sim).await;
    let mut events = s.events();
    s.listen(&agent("1001")).await.unwrap();
    // The inspector's own events: BeQcStart goes to the inspected agent.
    let start = next_of(&mut events, EventType::PhoneOffhook, Duration::from_secs(5)).await;
    assert_eq!(start.work_no(), "101");
    s.stop(&agent("1001")).await.unwrap();
    let stop = next_of(&mut events, EventType::PhoneRelease, Duration::from_secs(5)).await;
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
    let ended = next_of(&mut events, EventType::SessionEnded, Duration::from_secs(5)).await;
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

/// Fifty requests in flight while the gateway rotates the Guid, with no grace: a request
/// the rotation overtook is refused (000-003) before the gateway acts, and sent again
/// with the newest Guid; every request succeeds, and each acts once.
#[tokio::test]
async fn rotation_racing_fifty_concurrent_requests() {
    let sim = sim(quick().dynamic_auth(true).guid_grace(Duration::ZERO)).await;
    let (_, s) = inspector(&sim).await;
    let a = agent("1003");
    for round in 0..3 {
        // Sent just as the poll's answer rotates the Guid.
        let before = sim.current_guid("101");
        ccgw_sim::testing::wait_until(|| sim.current_guid("101") != before, "a rotation").await;
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
        for t in tasks {
            t.await
                .unwrap()
                .unwrap_or_else(|e| panic!("round {round}: {e}"));
        }
    }
    let sent = sim.received("forceBusy") + sim.received("forceIdle");
    let refused = sim.refused_unauthorized();
    assert!(
        sent >= 150 && sent - 150 <= refused,
        "each acted on once: {sent} sent, {refused} refused for a stale Guid"
    );
    assert!(s.guid_rotations() >= 3, "rotations: {}", s.guid_rotations());
}

/// A loopback proxy in front of `target` that holds every byte a client sends for
/// `delay` before passing it on (answers come back at once): requests that take that
/// long to arrive.
async fn slow_arrivals(target: std::net::SocketAddr, delay: Duration) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let Ok(gateway) = tokio::net::TcpStream::connect(target).await else {
                continue;
            };
            let (mut from_client, mut to_client) = client.into_split();
            let (mut from_gateway, mut to_gateway) = gateway.into_split();
            tokio::spawn(async move {
                let _ = tokio::io::copy(&mut from_gateway, &mut to_client).await;
            });
            tokio::spawn(async move {
                let (held, mut due) = tokio::sync::mpsc::unbounded_channel();
                tokio::spawn(async move {
                    while let Some((at, bytes)) = due.recv().await {
                        tokio::time::sleep_until(at).await;
                        let bytes: Vec<u8> = bytes;
                        if to_gateway.write_all(&bytes).await.is_err() {
                            return;
                        }
                    }
                });
                let mut buf = vec![0u8; 64 * 1024];
                while let Ok(n) = from_client.read(&mut buf).await {
                    if n == 0
                        || held
                            .send((tokio::time::Instant::now() + delay, buf[..n].to_vec()))
                            .is_err()
                    {
                        return;
                    }
                }
            });
        }
    });
    base
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_that_arrive_late_while_the_poll_rotates_are_sent_again_and_succeed() {
    let sim = sim(quick().dynamic_auth(true).guid_grace(Duration::ZERO)).await;
    let base = slow_arrivals(sim.addr(), Duration::from_millis(250)).await;
    let client = ccgw::Client::builder(&base)
        .request_timeout(Duration::from_secs(8))
        .build()
        .unwrap();
    let s = client
        .sign_in(ccgw::SignIn::new(agent("101"), ccgw_sim::DEFAULT_PASSWORD))
        .await
        .unwrap();
    let a = agent("1003");
    let mut requests = 0;
    // Until the race has happened at least once (a rotation overtook a request on its
    // way), at most 40 rounds of 10 requests.
    for _ in 0..40 {
        let refused_before = sim.refused_unauthorized();
        let tasks: Vec<_> = (0..10)
            .map(|_| {
                let (s, a) = (s.clone(), a.clone());
                tokio::spawn(async move { s.force_busy(&a).await })
            })
            .collect();
        for t in tasks {
            t.await.unwrap().expect("every request succeeds");
            requests += 1;
        }
        if sim.refused_unauthorized() > refused_before {
            break;
        }
    }
    assert!(
        sim.refused_unauthorized() > 0,
        "a rotation overtook a request"
    );
    let sent = sim.received("forceBusy");
    assert!(
        sent > requests,
        "the overtaken ones were sent again: {sent} for {requests}"
    );
    s.sign_out().await.unwrap();
}

/// The gateway rotates the Guid as it answers a poll, and that answer takes a while to
/// arrive: a request sent meanwhile is refused for the stale Guid (000-003) before the
/// session learns of the rotation. The session waits a little for the rotation's news,
/// then sends the request again with the new Guid.
#[tokio::test]
async fn a_request_refused_before_the_rotation_is_announced_waits_for_it() {
    let sim = sim(quick().dynamic_auth(true).guid_grace(Duration::ZERO)).await;
    let (_, s) = inspector(&sim).await;
    let late = ccgw_sim::Fault::Latency(Duration::from_millis(250));
    sim.faults()
        .inject(ccgw_sim::FaultRule::on("pollEvent", late).times(1000));
    let before = sim.current_guid("101");
    ccgw_sim::testing::wait_until(|| sim.current_guid("101") != before, "a rotation").await;
    s.force_busy(&agent("1003"))
        .await
        .expect("sent again once the rotation arrived");
    assert_eq!(sim.refused_unauthorized(), 1, "refused for the stale Guid");
    assert_eq!(sim.received("forceBusy"), 2);
    sim.faults().clear();
    s.sign_out().await.unwrap();
}
