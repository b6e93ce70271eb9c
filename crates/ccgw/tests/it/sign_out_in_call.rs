//! An inspector who leaves is not signed out in the middle of a customer's call: the
//! sign-out first ends every inspection the session tracks as live, and a call it took
//! over; against a gateway that refuses a sign-out in a call (100-010), it stops what it
//! can and tries once more.

use crate::common;

use ccgw::TrackedMode;
use ccgw_sim::{Fault, FaultRule, QcMode};
use common::{agent, inspector, quick, sim};

#[tokio::test]
async fn a_sign_out_ends_the_live_inspections_first() {
    let sim = sim(quick().refuse_sign_out_in_call(true)).await;
    let (_, session) = inspector(&sim).await;
    session.listen(&agent("1001")).await.unwrap();
    session
        .sign_out()
        .await
        .expect("signed out after the listening ended");
    assert_eq!(sim.received("stopListenOrInsert"), 1);
    assert_eq!(sim.mode_of("101", "1001"), QcMode::Idle);
    assert_eq!(sim.received("signOut"), 1, "accepted the first time");
    assert_eq!(sim.current_guid("101"), None);
}

#[tokio::test]
async fn a_sign_out_ends_a_whisper_first() {
    let sim = sim(quick().refuse_sign_out_in_call(true)).await;
    let (_, session) = inspector(&sim).await;
    session.whisper(&agent("1001")).await.unwrap();
    session.sign_out().await.unwrap();
    assert_eq!(sim.received("stopWhisper"), 1);
    assert_eq!(sim.received("signOut"), 1, "accepted the first time");
}

#[tokio::test]
async fn a_whisper_the_sign_out_could_not_end_first_is_stopped_after_the_refusal() {
    let sim = sim(quick().refuse_sign_out_in_call(true)).await;
    let (_, session) = inspector(&sim).await;
    session.whisper(&agent("1001")).await.unwrap();
    let refusal = Fault::Retcode("900-002".into());
    sim.faults()
        .inject(FaultRule::on("stopWhisper", refusal).times(1));
    session.sign_out().await.unwrap();
    assert_eq!(
        sim.received("stopWhisper"),
        2,
        "refused, then sent after the refusal"
    );
    assert_eq!(
        sim.received("signOut"),
        2,
        "refused in a call, then accepted"
    );
    assert_eq!(sim.current_guid("101"), None);
}

#[tokio::test]
async fn a_sign_out_releases_a_call_it_took_over_first() {
    let sim = sim(quick().refuse_sign_out_in_call(true)).await;
    let (_, session) = inspector(&sim).await;
    let target = agent("1002");
    session.listen(&target).await.unwrap();
    session.intercept(&target).await.unwrap();
    assert!(
        sim.call_of("101").is_some(),
        "the inspector talks to the customer"
    );
    session
        .sign_out()
        .await
        .expect("signed out after the call was released");
    assert_eq!(sim.received("forceReleaseCall"), 1);
    assert_eq!(sim.call_of("101"), None);
    assert_eq!(sim.current_guid("101"), None);
}

#[tokio::test]
async fn a_sign_out_refused_for_the_state_stops_what_it_can_and_tries_once_more() {
    let sim = sim(quick().refuse_sign_out_in_call(true)).await;
    let (_, session) = inspector(&sim).await;
    session.listen(&agent("1003")).await.unwrap();
    // The first stop is turned away in front of the gateway: the listening goes on, and
    // the gateway refuses the sign-out.
    sim.faults()
        .inject(FaultRule::on("stopListenOrInsert", Fault::Status(503)).times(1));
    session
        .sign_out()
        .await
        .expect("signed out at the second try");
    assert_eq!(
        sim.received("stopListenOrInsert"),
        2,
        "stopped again after the refusal"
    );
    assert_eq!(sim.received("signOut"), 2, "one refusal, one more try");
    assert_eq!(sim.mode_of("101", "1003"), QcMode::Idle);
    assert_eq!(sim.current_guid("101"), None);
}

#[tokio::test]
async fn the_longest_sign_out_counts_every_request_a_sign_out_may_send() {
    use ccgw::{INSPECTION_STOP_LIMIT as STOP, PLAYBACK_STOP_LIMIT as PLAYBACK};
    use std::time::Duration;
    let request = Duration::from_secs(8);
    let sim = sim(quick()).await;
    let (_, session) = common::inspector_with_timeout(&sim, request).await;
    // Nothing live: the playback's stop (within the shorter of its limit and the
    // request timeout), then the sign-out.
    assert_eq!(session.longest_sign_out(), PLAYBACK + request);
    // A live inspection (listening, inserting or whispering): its stop, the sign-out, and
    // after a refusal for the inspector's state (100-010) its stop again and one more
    // sign-out.
    let live = PLAYBACK + STOP + request + STOP + request;
    session.listen(&agent("1001")).await.unwrap();
    assert_eq!(session.longest_sign_out(), live);
    session.switch_listen_insert(&agent("1001")).await.unwrap();
    assert_eq!(session.longest_sign_out(), live);
    session.stop(&agent("1001")).await.unwrap();
    session.whisper(&agent("1002")).await.unwrap();
    assert_eq!(session.longest_sign_out(), live);
    session.stop_whisper(&agent("1002")).await.unwrap();
    // An inspection whose start was never answered (its mode unknown): nothing before
    // the sign-out, and after a refusal a listening's stop, then a whisper's.
    sim.faults()
        .inject(FaultRule::on("listen", Fault::ConnectionReset).times(1));
    session.listen(&agent("1004")).await.unwrap_err();
    let unknown = PLAYBACK + request + STOP * 2 + request;
    assert_eq!(session.longest_sign_out(), unknown);
    session.stop(&agent("1004")).await.unwrap();
    // A call taken over: asked for, then released, and the sign-out sent twice.
    session.listen(&agent("1003")).await.unwrap();
    session.intercept(&agent("1003")).await.unwrap();
    let intercepted = PLAYBACK + request + STOP * 2 + request;
    assert_eq!(session.longest_sign_out(), intercepted);
    session.sign_out().await.unwrap();
}

/// A start whose answer was lost (the connection reset after the gateway acted): the
/// session cannot know the inspection is live, so it is not stopped before the sign-out;
/// the gateway's refusal (100-010) says something is, and the session stops it then.
#[tokio::test]
async fn an_inspection_whose_start_went_unanswered_is_stopped_after_the_refusal() {
    for (start, stop, refused_first) in [
        ("listen", "stopListenOrInsert", None),
        ("requestWhisper", "stopWhisper", Some("stopListenOrInsert")),
    ] {
        let sim = sim(quick().refuse_sign_out_in_call(true)).await;
        let (_, session) = inspector(&sim).await;
        let target = agent("1001");
        sim.faults()
            .inject(FaultRule::on(start, Fault::ConnectionReset).times(1));
        let started = match start {
            "listen" => session.listen(&target).await,
            _ => session.whisper(&target).await,
        };
        assert!(started.unwrap_err().may_have_reached_gateway(), "{start}");
        assert_eq!(session.mode_of(&target), TrackedMode::Unknown, "{start}");
        assert_ne!(sim.mode_of("101", "1001"), QcMode::Idle, "{start} acted on");
        session
            .sign_out()
            .await
            .unwrap_or_else(|e| panic!("{start}: not signed out: {e}"));
        assert_eq!(sim.received(stop), 1, "{start}: stopped after the refusal");
        if let Some(refused) = refused_first {
            assert_eq!(
                sim.received(refused),
                1,
                "{start}: tried as a listening first"
            );
        } else {
            assert_eq!(
                sim.received("stopWhisper"),
                0,
                "{start}: the first stop ended it"
            );
        }
        assert_eq!(
            sim.received("signOut"),
            2,
            "{start}: refused, then accepted"
        );
        assert_eq!(sim.mode_of("101", "1001"), QcMode::Idle, "{start}");
        assert_eq!(sim.current_guid("101"), None, "{start}");
    }
}
