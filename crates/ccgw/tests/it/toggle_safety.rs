//! The toggle is never sent twice, and an unknown outcome is tracked as unknown.

use crate::common;

use ccgw::{Mode, TrackedMode};
use ccgw_sim::{Fault, FaultRule, QcMode};
use common::{agent, inspector, quick, sim};

#[tokio::test]
async fn a_reset_toggle_is_not_resent_and_the_mode_becomes_unknown() {
    let sim = sim(quick()).await;
    let (_, s) = inspector(&sim).await;
    let a = agent("1001");
    s.listen(&a).await.unwrap();
    sim.faults()
        .inject(FaultRule::on("switchListenInsert", Fault::ConnectionReset).times(1));
    let e = s.switch_listen_insert(&a).await.unwrap_err();
    assert!(e.may_have_reached_gateway());
    assert_eq!(sim.received("switchListenInsert"), 1, "sent exactly once");
    assert_eq!(
        sim.mode_of("101", "1001"),
        QcMode::Inserting,
        "the gateway did toggle"
    );
    assert_eq!(
        s.mode_of(&a),
        TrackedMode::Unknown,
        "the session does not pretend to know"
    );
    // The safe way out: name the mode wanted.
    s.set_mode(&a, Mode::Listen).await.unwrap();
    assert_eq!(sim.mode_of("101", "1001"), QcMode::Listening);
    assert_eq!(s.mode_of(&a), TrackedMode::Listening);
    assert_eq!(sim.received("switchListenInsert"), 1);
}

#[tokio::test]
async fn a_load_balancer_error_leaves_the_mode_known() {
    let sim = sim(quick()).await;
    let (_, s) = inspector(&sim).await;
    let a = agent("1002");
    s.listen(&a).await.unwrap();
    sim.faults()
        .inject(FaultRule::on("switchListenInsert", Fault::Status(503)).times(1));
    s.switch_listen_insert(&a).await.unwrap_err();
    assert_eq!(
        s.mode_of(&a),
        TrackedMode::Listening,
        "a 503 means the gateway never saw it"
    );
    assert_eq!(sim.mode_of("101", "1002"), QcMode::Listening);
}

#[tokio::test]
async fn a_timed_out_switch_is_not_resent() {
    let sim = sim(quick()).await;
    let (_, s) = common::inspector_with_timeout(&sim, std::time::Duration::from_millis(150)).await;
    let a = agent("1003");
    s.listen(&a).await.unwrap();
    sim.faults().inject(
        FaultRule::on(
            "switchListenInsert",
            Fault::Latency(std::time::Duration::from_millis(400)),
        )
        .times(1),
    );
    assert!(s.switch_listen_insert(&a).await.unwrap_err().is_timeout());
    // The late answer's switch lands at the gateway: waited for, not slept for.
    common::wait_until(
        || sim.mode_of("101", "1003") == QcMode::Inserting,
        "the switch landed",
    )
    .await;
    assert_eq!(sim.received("switchListenInsert"), 1);
    assert_eq!(sim.mode_of("101", "1003"), QcMode::Inserting);
    assert_eq!(s.mode_of(&a), TrackedMode::Unknown);
}
