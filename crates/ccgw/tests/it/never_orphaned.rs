//! Sign-out as the end of a session's life, over loopback: nothing signs in again once
//! it began, a failed one can be tried again and really sends, concurrent ones send once;
//! and a tracked inspection only ever comes from an inspection.

use crate::common::{self, skill};

use std::time::Duration;

use ccgw::{EventType, ForceLogin, Mode, Recovery, TrackedMode};
use ccgw_sim::{Fault, FaultRule, QcMode};
use common::{
    agent, client, client_with_timeout, inspector, inspector_101, inspector_with_timeout, next_of,
    quick, sim,
};

fn quick_recovery(force: ForceLogin) -> Recovery {
    Recovery::default()
        .attempts(3)
        .backoff(Duration::from_millis(10))
        .force(force)
}

/// Inspector 101, signed in with a recovery that takes the session back whenever lost.
async fn recovering_inspector(sim: &ccgw_sim::RunningSim) -> (ccgw::Client, ccgw::Session) {
    let client = client(sim);
    let session = client
        .sign_in(inspector_101().recover(quick_recovery(ForceLogin::Always)))
        .await
        .unwrap();
    (client, session)
}

#[tokio::test]
async fn a_sign_out_is_never_followed_by_a_recovery_that_signs_in_again() {
    let sim = sim(quick()).await;
    let (_, session) = recovering_inspector(&sim).await;
    // The gateway acts on the sign-out at once (answering the held poll 100-006) and
    // answers the sign-out itself late: a recovery has time to start meanwhile.
    sim.faults()
        .inject(FaultRule::on("signOut", Fault::Latency(Duration::from_millis(400))).times(1));
    session.sign_out().await.unwrap();
    assert!(session.is_closed());
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(
        sim.current_guid("101"),
        None,
        "nothing signed the inspector in again after the sign-out"
    );
    assert_eq!(sim.received("signIn") + sim.received("forceSignIn"), 1);
}

#[tokio::test]
async fn a_sign_out_that_failed_can_be_tried_again_and_really_sends() {
    let sim = sim(quick()).await;
    let (_, session) = inspector(&sim).await;
    sim.faults()
        .inject(FaultRule::on("signOut", Fault::Status(503)).times(1));
    let failed = session.sign_out().await.unwrap_err();
    assert!(!failed.may_have_reached_gateway(), "{failed}");
    assert!(!session.is_closed(), "still signed in on the gateway");
    assert!(session.is_closing(), "but it sends nothing else");
    assert!(session.own_state().await.is_err());
    assert!(sim.current_guid("101").is_some());
    session
        .sign_out()
        .await
        .expect("the second sign-out is sent");
    assert_eq!(sim.received("signOut"), 2);
    assert_eq!(sim.current_guid("101"), None);
    assert!(session.is_closed());
    session.sign_out().await.expect("a third one does nothing");
    assert_eq!(sim.received("signOut"), 2);
}

#[tokio::test]
async fn concurrent_sign_outs_send_one_request() {
    let sim = sim(quick()).await;
    let (_, session) = inspector(&sim).await;
    sim.faults()
        .inject(FaultRule::on("signOut", Fault::Latency(Duration::from_millis(200))).times(1));
    let (a, b) = tokio::join!(session.sign_out(), session.sign_out());
    a.unwrap();
    b.unwrap();
    assert_eq!(sim.received("signOut"), 1);
    assert_eq!(sim.current_guid("101"), None);
}

#[tokio::test]
async fn a_recovery_sign_in_that_timed_out_takes_its_own_lost_session_over() {
    let sim = sim(quick()).await;
    let client = client_with_timeout(&sim, Duration::from_millis(500));
    let session = client
        .sign_in(inspector_101().recover(quick_recovery(ForceLogin::Never)))
        .await
        .unwrap();
    let mut events = session.events();
    // The next plain sign-in is acted on but answered after the client gave up: the
    // gateway then holds a session whose Guid the client never saw.
    sim.faults()
        .inject(FaultRule::on("signIn", Fault::Latency(Duration::from_millis(1500))).times(1));
    let other = client
        .sign_in(inspector_101().force(ForceLogin::Always).poll_events(false))
        .await
        .unwrap();
    other.sign_out().await.unwrap();
    // Recovered rather than refused as already signed in.
    next_of(
        &mut events,
        EventType::SessionRecovered,
        Duration::from_secs(8),
    )
    .await;
    session
        .own_state()
        .await
        .expect("the recovered session works");
    assert_eq!(session.link_health().recoveries, 1);
    session.sign_out().await.unwrap();
    assert_eq!(sim.current_guid("101"), None, "no session left behind");
}

#[tokio::test]
async fn an_agent_control_call_that_timed_out_records_no_inspection() {
    let sim = sim(quick()).await;
    let (_, session) = inspector_with_timeout(&sim, Duration::from_millis(300)).await;
    for op in ["forceBusy", "forceIdle", "forceRest", "adjustSkills"] {
        sim.faults()
            .inject(FaultRule::on(op, Fault::Latency(Duration::from_secs(1))).times(1));
    }
    let target = agent("1001");
    assert!(session.force_busy(&target).await.unwrap_err().is_timeout());
    assert!(session.force_idle(&target).await.unwrap_err().is_timeout());
    assert!(
        session
            .force_rest(&target, 60, 1)
            .await
            .unwrap_err()
            .is_timeout()
    );
    let skills = ccgw::Skills::new(vec![skill(1)]).unwrap();
    assert!(
        session
            .adjust_skills(&target, &skills)
            .await
            .unwrap_err()
            .is_timeout()
    );
    assert_eq!(session.inspections(), []);
    assert_eq!(session.mode_of(&target), TrackedMode::Idle);
    session.sign_out().await.unwrap();
}

#[tokio::test]
async fn an_inspection_whose_future_is_dropped_in_flight_becomes_unknown() {
    let sim = sim(quick()).await;
    let (_, session) = inspector(&sim).await;
    sim.faults()
        .inject(FaultRule::on("listen", Fault::Latency(Duration::from_millis(500))).times(1));
    let target = agent("1001");
    let cut = tokio::time::timeout(Duration::from_millis(100), session.listen(&target)).await;
    assert!(cut.is_err(), "the call was cut off in flight");
    assert_eq!(session.mode_of(&target), TrackedMode::Unknown);
    common::wait_until(
        || sim.mode_of("101", "1001") == QcMode::Listening,
        "the delayed listen landed",
    )
    .await;
    // Unknown, so set_mode finds out: the listen did reach the gateway.
    session.set_mode(&target, Mode::Insert).await.unwrap();
    assert_eq!(sim.mode_of("101", "1001"), QcMode::Inserting);
    session.sign_out().await.unwrap();
}

#[tokio::test]
async fn an_inspection_unknown_after_recovery_can_be_started_again() {
    let sim = sim(quick()).await;
    let (client, session) = recovering_inspector(&sim).await;
    let mut events = session.events();
    let target = agent("1001");
    session.listen(&target).await.unwrap();
    let other = client
        .sign_in(inspector_101().force(ForceLogin::Always).poll_events(false))
        .await
        .unwrap();
    next_of(
        &mut events,
        EventType::SessionRecovered,
        Duration::from_secs(5),
    )
    .await;
    drop(other);
    assert_eq!(session.mode_of(&target), TrackedMode::Unknown);
    session
        .set_mode(&target, Mode::Listen)
        .await
        .expect("the inspection the gateway ended is started anew");
    assert_eq!(sim.mode_of("101", "1001"), QcMode::Listening);
    assert_eq!(session.mode_of(&target), TrackedMode::Listening);
    session.sign_out().await.unwrap();
}

#[tokio::test]
async fn a_sign_out_during_a_recovery_sign_in_is_never_told_as_a_recovery() {
    let sim = sim(quick()).await;
    let (client, session) = recovering_inspector(&sim).await;
    let mut events = session.events();
    // The take-over and the recovery's own forced sign-in are both answered late; the
    // sign-out begins while the recovery's is on its way.
    sim.faults()
        .inject(FaultRule::on("forceSignIn", Fault::Latency(Duration::from_millis(400))).times(2));
    let other = client
        .sign_in(inspector_101().force(ForceLogin::Always).poll_events(false))
        .await
        .unwrap();
    common::wait_until(
        || sim.received("forceSignIn") == 2,
        "the recovery's sign-in",
    )
    .await;
    session.sign_out().await.unwrap();
    let told = events
        .wait_for(
            |e| e.event_type() == &EventType::SessionRecovered,
            Duration::from_millis(500),
        )
        .await;
    assert!(
        told.is_err(),
        "a recovery overtaken by a sign-out was told as one"
    );
    assert!(session.is_closed());
    assert_eq!(
        sim.current_guid("101"),
        None,
        "the Guid the recovery obtained was signed out"
    );
    drop(other);
}

#[tokio::test]
async fn a_sign_out_that_waited_for_a_recovery_that_failed_sends_nothing() {
    let sim = sim(quick()).await;
    let client = client(&sim);
    let recovery = Recovery::default()
        .attempts(1)
        .backoff(Duration::from_millis(10))
        .force(ForceLogin::Never);
    let session = client
        .sign_in(inspector_101().recover(recovery))
        .await
        .unwrap();
    // Another session takes the inspector over; the recovery's plain sign-in is refused
    // for it (already signed in), late: the sign-out begins while it is on its way.
    sim.faults()
        .inject(FaultRule::on("signIn", Fault::Latency(Duration::from_millis(400))).times(1));
    let other = client
        .sign_in(inspector_101().force(ForceLogin::Always).poll_events(false))
        .await
        .unwrap();
    common::wait_until(|| sim.received("signIn") == 2, "the recovery's sign-in").await;
    session
        .sign_out()
        .await
        .expect("the session had ended: nothing left to sign out");
    assert!(session.is_closed());
    assert_eq!(sim.received("signOut"), 0, "no sign-out with a dead Guid");
    assert!(
        sim.current_guid("101").is_some(),
        "the other session keeps the inspector"
    );
    drop(other);
}

#[tokio::test]
async fn a_sign_out_the_gateway_no_longer_takes_ends_the_session_either_way() {
    for (retcode, fine) in [("100-006", true), ("000-003", false)] {
        let sim = sim(quick()).await;
        let (_, session) = inspector(&sim).await;
        sim.faults()
            .inject(FaultRule::on("signOut", Fault::Retcode(retcode.into())).times(1));
        // 100-006: the gateway no longer knows the session, which counts as signed out;
        // 000-003: the Guid is no longer valid, so no sign-out can be sent with it.
        let result = session.sign_out().await;
        assert_eq!(result.is_ok(), fine, "{retcode}: {result:?}");
        assert!(session.is_closed(), "{retcode}");
        session.sign_out().await.expect("ended: nothing to do");
        assert_eq!(sim.received("signOut"), 1, "{retcode}: not sent again");
    }
}
