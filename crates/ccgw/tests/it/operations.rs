//! Every quality-control operation through the session, against the simulator.

use crate::common::{self, skill};

use ccgw::{CallId, Mode, Skills, TrackedMode};
use ccgw_sim::{AgentState, QcMode};
use common::{agent, inspector, quick, sim};

#[tokio::test]
async fn listen_switch_stop() {
    let sim = sim(quick()).await;
    let (_, s) = inspector(&sim).await;
    let a = agent("1001");
    s.listen(&a).await.unwrap();
    assert_eq!(
        (s.mode_of(&a), sim.mode_of("101", "1001")),
        (TrackedMode::Listening, QcMode::Listening)
    );
    s.switch_listen_insert(&a).await.unwrap();
    assert_eq!(
        (s.mode_of(&a), sim.mode_of("101", "1001")),
        (TrackedMode::Inserting, QcMode::Inserting)
    );
    s.stop(&a).await.unwrap();
    assert_eq!(
        (s.mode_of(&a), sim.mode_of("101", "1001")),
        (TrackedMode::Idle, QcMode::Idle)
    );
    assert_eq!(
        sim.cookie_misses(),
        0,
        "the affinity cookie went back on every request"
    );
}

#[tokio::test]
async fn insert_whisper_set_mode_stop_whisper() {
    let sim = sim(quick()).await;
    let (_, s) = inspector(&sim).await;
    let a = agent("1002");
    s.insert(&a).await.unwrap();
    assert_eq!(sim.mode_of("101", "1002"), QcMode::Inserting);
    s.set_mode(&a, Mode::Whisper).await.unwrap();
    assert_eq!(
        (s.mode_of(&a), sim.mode_of("101", "1002")),
        (TrackedMode::Whispering, QcMode::Whispering)
    );
    s.stop_whisper(&a).await.unwrap();
    assert_eq!(sim.mode_of("101", "1002"), QcMode::Idle);
    s.whisper(&a).await.unwrap();
    assert_eq!(sim.mode_of("101", "1002"), QcMode::Whispering);
}

#[tokio::test]
async fn set_mode_is_idempotent_and_starts_from_idle() {
    let sim = sim(quick()).await;
    let (_, s) = inspector(&sim).await;
    let a = agent("1003");
    s.set_mode(&a, Mode::Insert).await.unwrap();
    assert_eq!(sim.mode_of("101", "1003"), QcMode::Inserting);
    assert_eq!(sim.received("insert"), 1, "from idle it starts inserting");
    for _ in 0..3 {
        s.set_mode(&a, Mode::Insert).await.unwrap();
        assert_eq!(sim.mode_of("101", "1003"), QcMode::Inserting);
    }
    s.set_mode(&a, Mode::Listen).await.unwrap();
    assert_eq!(sim.mode_of("101", "1003"), QcMode::Listening);
    assert_eq!(sim.received("switchMode"), 4);
    assert_eq!(
        sim.received("switchListenInsert"),
        0,
        "the toggle is never used for set_mode"
    );
}

#[tokio::test]
async fn intercept_and_intercept_call_and_release() {
    let sim = sim(quick()).await;
    let (_, s) = inspector(&sim).await;
    let a = agent("1004");
    s.listen(&a).await.unwrap();
    s.intercept(&a).await.unwrap();
    assert_eq!(s.mode_of(&a), TrackedMode::Intercepting);
    assert_eq!(sim.agent_state("1004"), Some(AgentState::Idle));
    let call = CallId::parse(&sim.call_of("101").unwrap()).unwrap();
    s.force_release_call(&call).await.unwrap();
    let b = agent("1005");
    s.listen(&b).await.unwrap();
    let their_call = CallId::parse(&sim.call_of("1005").unwrap()).unwrap();
    s.intercept_call(&b, &their_call).await.unwrap();
    assert_eq!(sim.mode_of("101", "1005"), QcMode::Intercepting);
}

#[tokio::test]
async fn forced_states_and_skills() {
    let sim = sim(quick()).await;
    let (_, s) = inspector(&sim).await;
    let a = agent("1006");
    s.force_busy(&a).await.unwrap();
    assert_eq!(sim.agent_state("1006"), Some(AgentState::Busy));
    s.force_idle(&a).await.unwrap();
    assert_eq!(sim.agent_state("1006"), Some(AgentState::Idle));
    s.force_rest(&a, 600, 7).await.unwrap();
    assert_eq!(
        sim.agent_state("1006"),
        Some(AgentState::Rest { reason: 7 })
    );
    s.adjust_skills(
        &a,
        &Skills::new(vec![skill(3), skill(1), skill(2)]).unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(sim.skills_of("1006"), Some(vec![3, 1, 2]));
    s.force_sign_out(&a).await.unwrap();
    assert_eq!(sim.agent_state("1006"), Some(AgentState::SignedOut));
}

#[tokio::test]
async fn sign_out_closes_the_session() {
    let sim = sim(quick()).await;
    let (_, s) = inspector(&sim).await;
    s.sign_out().await.unwrap();
    assert!(s.is_closed());
    assert_eq!(sim.agent_state("101"), Some(AgentState::SignedOut));
    let e = s.force_busy(&agent("1001")).await.unwrap_err();
    assert_eq!(e.kind(), ccgw::ErrorKind::SessionClosed);
    s.sign_out().await.unwrap();
    assert_eq!(sim.received("signOut"), 1, "a closed session sends nothing");
}

#[tokio::test]
async fn guard_signs_out_when_dropped() {
    let sim = sim(quick()).await;
    let (_, s) = inspector(&sim).await;
    let guard = s.clone().guard();
    drop(guard);
    for _ in 0..100 {
        if sim.agent_state("101") == Some(AgentState::SignedOut) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(sim.agent_state("101"), Some(AgentState::SignedOut));
    let (_, s) = inspector(&sim).await;
    s.guard().sign_out().await.unwrap();
    assert_eq!(sim.received("signOut"), 2);
}

#[tokio::test]
async fn forced_sign_in_on_conflict() {
    let sim = sim(quick()).await;
    let (client, first) = inspector(&sim).await;
    let again = ccgw::SignIn::new(agent("101"), ccgw_sim::DEFAULT_PASSWORD);
    let e = client.sign_in(again.clone()).await.unwrap_err();
    assert!(e.is_already_signed_in(), "{e}");
    let second = client
        .sign_in(again.force(ccgw::ForceLogin::OnConflict))
        .await
        .unwrap();
    assert_eq!(sim.received("forceSignIn"), 1);
    second.force_busy(&agent("1001")).await.unwrap();
    let e = first.force_busy(&agent("1001")).await.unwrap_err();
    // Either the old Guid is refused, or the old session already learned from its held
    // poll (answered 100-006: a poll belongs to its session) that it ended.
    assert!(
        e.is_auth_expired() || e.kind() == ccgw::ErrorKind::SessionClosed,
        "the old session's Guid was revoked: {e}"
    );
}
