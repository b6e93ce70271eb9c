//! Links that die without a word, over loopback: an event poll accepted and never
//! answered, a connection closed or reset with no answer. The session abandons the poll,
//! says so on its event stream, polls again, and ends when the link stays dead.

use crate::common;

use std::time::Duration;

use ccgw::{Client, EventType};
use ccgw_sim::{Fault, FaultRule, RunningSim};
use common::{agent, inspector_101, next_of, quick, sim};

/// A client whose polls give up after `poll_timeout`.
fn client(sim: &RunningSim, poll_timeout: Duration, failures_to_end: u32) -> Client {
    Client::builder(sim.base_url())
        .request_timeout(Duration::from_secs(3))
        .poll_timeout(poll_timeout)
        .poll_failures_to_end(failures_to_end)
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_first_poll_never_answered_is_abandoned_and_a_later_event_still_arrives() {
    let sim = sim(quick()).await;
    // The first poll is read and never answered: a link that died without a reset.
    sim.faults()
        .inject(FaultRule::on("pollEvent", Fault::Hang).times(1));
    let client = client(&sim, Duration::from_millis(800), 8);
    let session = client.sign_in(inspector_101()).await.unwrap();
    let mut events = session.events();
    let failing = next_of(&mut events, EventType::LinkFailing, Duration::from_secs(3)).await;
    assert_eq!(failing.content()["failures"], 1);
    assert!(failing.content()["since"].as_u64().unwrap() > 0);
    assert!(session.link_health().failing_since.is_some());
    session.listen(&agent("1001")).await.unwrap();
    let restored = next_of(&mut events, EventType::LinkRestored, Duration::from_secs(5)).await;
    assert!(restored.content()["stalledMs"].as_u64().unwrap() >= 800);
    next_of(&mut events, EventType::PhoneOffhook, Duration::from_secs(5)).await;
    assert_eq!(session.link_health().failures, 0);
    session.sign_out().await.unwrap();
}

#[tokio::test]
async fn a_poll_connection_closed_or_reset_without_an_answer_is_a_failure_and_polling_goes_on() {
    for fault in [
        Fault::CloseWithoutAnswer,
        Fault::HalfClose,
        Fault::ConnectionReset,
    ] {
        let sim = sim(quick()).await;
        let client = client(&sim, Duration::from_secs(5), 8);
        let session = client.sign_in(inspector_101()).await.unwrap();
        let mut events = session.events();
        sim.faults()
            .inject(FaultRule::on("pollEvent", fault.clone()).times(1));
        let failing = next_of(&mut events, EventType::LinkFailing, Duration::from_secs(3)).await;
        assert!(
            !failing.content()["reason"].as_str().unwrap().is_empty(),
            "{fault:?}: the failure says why"
        );
        session.listen(&agent("1001")).await.unwrap();
        next_of(&mut events, EventType::PhoneOffhook, Duration::from_secs(5)).await;
        session.sign_out().await.unwrap();
        sim.shutdown().await;
    }
}

#[tokio::test]
async fn polls_that_keep_failing_end_the_session_which_signs_out_as_far_as_it_can() {
    let sim = sim(quick()).await;
    let client = client(&sim, Duration::from_millis(300), 2);
    let session = client.sign_in(inspector_101()).await.unwrap();
    let mut events = session.events();
    sim.faults().inject(FaultRule::on("pollEvent", Fault::Hang));
    next_of(&mut events, EventType::SessionEnded, Duration::from_secs(6)).await;
    assert!(session.is_closed());
    assert_eq!(
        sim.current_guid("101"),
        None,
        "the gateway's session was signed out, not left behind"
    );
    assert_eq!(sim.received("signOut"), 1);
}

#[tokio::test]
async fn a_request_that_finds_the_session_gone_wakes_the_poller_at_once() {
    let sim = sim(quick()).await;
    let client = Client::builder(sim.base_url())
        .poll_failures_to_end(100)
        .build()
        .unwrap();
    let recovery = ccgw::Recovery::default()
        .backoff(Duration::from_millis(10))
        .force(ccgw::ForceLogin::OnConflict);
    let session = client
        .sign_in(inspector_101().recover(recovery))
        .await
        .unwrap();
    let mut events = session.events();
    // Polls fail at the load balancer until the poller pauses 4 s between them.
    sim.faults()
        .inject(FaultRule::on("pollEvent", Fault::Status(503)));
    while sim.received("pollEvent") < 4 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    sim.faults().clear();
    // Another client takes the inspector over and leaves: the gateway ended our session.
    let other = client
        .sign_in(
            inspector_101()
                .force(ccgw::ForceLogin::Always)
                .poll_events(false),
        )
        .await
        .unwrap();
    other.sign_out().await.unwrap();
    let refused = session
        .send_raw(ccgw::Method::GET, "queuedevice/101/skillwaitnum/1", None)
        .await
        .unwrap_err();
    assert!(
        refused.is_not_signed_in() || refused.is_auth_expired(),
        "{refused}"
    );
    next_of(
        &mut events,
        EventType::SessionRecovered,
        Duration::from_secs(2),
    )
    .await;
    session.sign_out().await.unwrap();
}

/// Inspector 101 on a client whose polls give up after 300 ms and end after two failures,
/// with a recovery of two quick attempts that never forces a sign-in (the default).
async fn recovering_never_forcing(sim: &RunningSim) -> ccgw::Session {
    let recovery = ccgw::Recovery::default()
        .attempts(2)
        .backoff(Duration::from_millis(10))
        .force(ccgw::ForceLogin::Never);
    let client = client(sim, Duration::from_millis(300), 2);
    client
        .sign_in(inspector_101().recover(recovery))
        .await
        .unwrap()
}

#[tokio::test]
async fn a_lost_link_whose_recovery_fails_still_signs_the_old_session_out() {
    let sim = sim(quick()).await;
    let session = recovering_never_forcing(&sim).await;
    let mut events = session.events();
    sim.faults().inject(FaultRule::on("pollEvent", Fault::Hang));
    for op in ["signIn", "forceSignIn"] {
        sim.faults().inject(FaultRule::on(op, Fault::Status(503)));
    }
    next_of(&mut events, EventType::SessionEnded, Duration::from_secs(8)).await;
    assert_eq!(
        sim.current_guid("101"),
        None,
        "the old session was signed out, not left behind"
    );
    assert_eq!(sim.received("signOut"), 1);
}

#[tokio::test]
async fn a_lost_link_is_recovered_by_taking_the_old_session_over_though_the_policy_never_forces() {
    let sim = sim(quick()).await;
    let session = recovering_never_forcing(&sim).await;
    let old = sim.current_guid("101").unwrap();
    let mut events = session.events();
    // Two polls read and never answered: the link is lost while the gateway still holds
    // the session, which a plain sign-in would find "already signed in".
    sim.faults()
        .inject(FaultRule::on("pollEvent", Fault::Hang).times(2));
    next_of(
        &mut events,
        EventType::SessionRecovered,
        Duration::from_secs(8),
    )
    .await;
    let new = sim.current_guid("101").expect("signed in again");
    assert_ne!(new, old, "the old session was taken over");
    assert!(!session.is_closed());
    session.sign_out().await.unwrap();
    assert_eq!(sim.current_guid("101"), None);
}
