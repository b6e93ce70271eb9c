//! Recovering a session the gateway ended (taken over, expired), over loopback: the
//! request that found it gone is not resent, tracked modes become unknown, and the
//! stream says what happened.

use crate::common;

use std::time::Duration;

use ccgw::{EventType, ForceLogin, Recovery, TrackedMode};
use ccgw_sim::{Fault, FaultRule, RunningSim, SimConfig};
use common::{agent, client, inspector_101, next_of, quick, sim};

fn policy(force: ForceLogin) -> Recovery {
    Recovery::default()
        .attempts(3)
        .backoff(Duration::from_millis(100))
        .force(force)
}

/// Inspector 101 signed in on a quick simulator, recovering with `force`, and its events.
async fn recovering(
    force: ForceLogin,
) -> (RunningSim, ccgw::Client, ccgw::Session, ccgw::EventStream) {
    let sim = sim(quick()).await;
    let client = client(&sim);
    let s = client
        .sign_in(inspector_101().recover(policy(force)))
        .await
        .unwrap();
    let events = s.events();
    (sim, client, s, events)
}

#[tokio::test]
async fn a_session_taken_over_is_taken_back_and_its_inspections_become_unknown() {
    let (sim, client, s, mut events) = recovering(ForceLogin::Always).await;
    s.listen(&agent("1001")).await.unwrap();
    assert_eq!(s.inspections(), [(agent("1001"), TrackedMode::Listening)]);
    let other = client
        .sign_in(inspector_101().force(ForceLogin::Always).poll_events(false))
        .await
        .unwrap();
    let recovered = next_of(
        &mut events,
        EventType::SessionRecovered,
        Duration::from_secs(5),
    )
    .await;
    assert_eq!(recovered.work_no(), "101");
    assert_eq!(s.inspections(), [(agent("1001"), TrackedMode::Unknown)]);
    assert!(!s.is_closed());
    s.own_state().await.expect("the recovered session works");
    assert!(
        sim.current_guid("101").is_some(),
        "the recovered session holds the gateway's session"
    );
    assert!(other.own_state().await.is_err(), "the other one lost it");
    s.sign_out().await.unwrap();
}

/// A session recovering with `force`, taken over by another sign-in of its inspector: its
/// listen finds the session gone (000-003), sent once. The other session is returned too,
/// to keep it signed in.
async fn listen_after_a_take_over(
    force: ForceLogin,
) -> (RunningSim, ccgw::Session, ccgw::EventStream, ccgw::Session) {
    let (sim, client, s, events) = recovering(force).await;
    let other = client
        .sign_in(inspector_101().force(ForceLogin::Always).poll_events(false))
        .await
        .unwrap();
    let refused = s.listen(&agent("1002")).await.unwrap_err();
    assert!(refused.is_auth_expired(), "{refused}");
    assert_eq!(sim.received("listen"), 1, "sent once");
    (sim, s, events, other)
}

#[tokio::test]
async fn the_request_that_found_the_session_gone_is_not_resent_and_a_failed_recovery_ends_it() {
    let (sim, s, mut events, _other) = listen_after_a_take_over(ForceLogin::Never).await;
    let ended = events
        .wait_for(
            |e| e.event_type() == &EventType::SessionRecovered,
            Duration::from_secs(5),
        )
        .await
        .unwrap_err();
    assert_eq!(
        ended.kind(),
        ccgw::ErrorKind::SessionClosed,
        "without force, the other session keeps the agent and this one ends"
    );
    assert!(s.is_closed());
    assert_eq!(sim.received("listen"), 1);
    assert!(
        sim.received("signIn") >= 3,
        "each attempt was one plain sign-in: {}",
        sim.received("signIn")
    );
}

#[tokio::test]
async fn an_expired_session_signs_in_again() {
    let config = SimConfig::default()
        .poll_wait(Duration::from_millis(100))
        .session_timeout(Duration::from_millis(300));
    let sim = sim(config).await;
    let s = client(&sim)
        .sign_in(inspector_101().recover(policy(ForceLogin::Never)))
        .await
        .unwrap();
    let mut events = s.events();
    let guid = sim.current_guid("101").unwrap();
    // A poll answer held back a second lets the gateway expire the session meanwhile.
    sim.faults()
        .inject(FaultRule::on("pollEvent", Fault::Latency(Duration::from_secs(1))).times(1));
    next_of(
        &mut events,
        EventType::SessionRecovered,
        Duration::from_secs(8),
    )
    .await;
    assert_ne!(sim.current_guid("101"), Some(guid), "a new session");
    s.listen(&agent("1003")).await.unwrap();
    assert_eq!(s.mode_of(&agent("1003")), TrackedMode::Listening);
    s.sign_out().await.unwrap();
}

#[tokio::test]
async fn the_request_that_found_the_session_gone_is_not_resent_after_a_recovery_that_succeeds() {
    let (sim, s, mut events, other) = listen_after_a_take_over(ForceLogin::Always).await;
    // With force, the session takes the agent back.
    next_of(
        &mut events,
        EventType::SessionRecovered,
        Duration::from_secs(5),
    )
    .await;
    assert!(!s.is_closed());
    // The session works again, and the refused listen was never sent again.
    s.agent(&agent("1001")).await.unwrap();
    assert_eq!(
        sim.received("listen"),
        1,
        "sent once, not again after the recovery"
    );
    s.sign_out().await.unwrap();
    drop(other);
}

/// The same with the other answer that means the session is gone, "not signed in"
/// (100-006): the gateway lost the session, the poll that follows says so too, and the
/// recovery that succeeds does not send the listen again.
#[tokio::test]
async fn a_request_answered_not_signed_in_is_not_resent_after_a_recovery_that_succeeds() {
    let (sim, _client, s, mut events) = recovering(ForceLogin::Always).await;
    let gone = || Fault::Retcode("100-006".into());
    sim.faults()
        .inject(FaultRule::on("listen", gone()).times(1));
    let refused = s.listen(&agent("1002")).await.unwrap_err();
    assert!(refused.is_not_signed_in(), "{refused}");
    sim.faults()
        .inject(FaultRule::on("pollEvent", gone()).times(1));
    // The poll's 100-006 starts a recovery, which signs in again.
    next_of(
        &mut events,
        EventType::SessionRecovered,
        Duration::from_secs(5),
    )
    .await;
    s.agent(&agent("1001")).await.unwrap();
    assert_eq!(
        sim.received("listen"),
        1,
        "sent once, not again after the recovery"
    );
    assert_eq!(
        s.mode_of(&agent("1002")),
        TrackedMode::Idle,
        "never started"
    );
    s.sign_out().await.unwrap();
}

#[tokio::test]
async fn a_sign_in_answered_without_a_new_guid_is_not_a_recovery() {
    let (sim, client, s, mut events) = recovering(ForceLogin::Always).await;
    // Two forced sign-ins lose their Guid on the way back: another sign-in's, which takes
    // the session over, then the recovery's first, which takes it back unknown to the
    // session (it still holds the Guid the gateway took away: no recovery yet).
    sim.faults()
        .inject(FaultRule::on("forceSignIn", Fault::WithoutGuid).times(2));
    let other = client
        .sign_in(inspector_101().force(ForceLogin::Always).poll_events(false))
        .await;
    assert!(other.is_err(), "the taking-over sign-in got no Guid either");
    // The second attempt brings a Guid.
    let recovered = next_of(
        &mut events,
        EventType::SessionRecovered,
        Duration::from_secs(5),
    )
    .await;
    assert_eq!(
        recovered.content()["attempt"],
        2,
        "the first attempt, answered without a Guid, was no recovery"
    );
    assert_eq!(sim.received("forceSignIn"), 3);
    s.own_state().await.expect("the recovered session works");
    s.sign_out().await.unwrap();
    assert_eq!(sim.current_guid("101"), None, "signed out on the wire");
}
